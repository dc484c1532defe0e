//! [`PetscSolver`]: PETSc's Krylov solvers behind osteon's [`LinearSolver`] interface, on
//! one process.

use osteon_solver::{
    LinearSolver, SolveReport, SolverError, SymmetricCsr, UnknownGeometry, UnknownGroups,
};

use crate::error::PetscError;
use crate::ffi::PetscInt;
use crate::krylov::{Krylov, KrylovOptions};
use crate::matrix::Matrix;
use crate::session::{Scope, Session, check, lock};
use crate::vector::Vector;

/// PETSc's Krylov solver and preconditioner (CG + GAMG by default) as a [`LinearSolver`]
/// for a [`SymmetricCsr`] on this process — for tools that assemble their own matrix.
/// `analyse` preallocates PETSc's matrix from the pattern, `factorise` copies the values
/// and builds the preconditioner, `solve` runs the Krylov method and reports the true
/// relative residual ‖b − A x‖/‖b‖ ([`Krylov::solve_with_residual`]).
///
/// For elasticity give GAMG the rigid-body modes ([`PetscSolver::with_near_null_space`])
/// and the block size 3 (the unknowns of a node consecutive); without them GAMG still
/// converges, more slowly.
///
/// ```no_run
/// use osteon_petsc::{KrylovOptions, PetscSolver, Session};
/// use osteon_solver::{LinearSolver, SymmetricCsr};
///
/// let session = Session::start("")?;
/// // A = [4 1; 1 3]
/// let a = SymmetricCsr::from_triplets(2, &[(0, 0, 4.0), (0, 1, 1.0), (1, 1, 3.0)])?;
/// let mut solver = PetscSolver::new(&session, KrylovOptions { pc_type: "jacobi".into(), ..KrylovOptions::default() });
/// solver.analyse(&a, None)?;
/// solver.factorise(&a)?;
/// let mut x = [0.0; 2];
/// let report = solver.solve(&a, &[5.0, 4.0], &mut x)?; // x = (1, 1)
/// assert!(report.relative_residual < 1e-10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PetscSolver<'s> {
    session: &'s Session,
    options: KrylovOptions,
    block_size: usize,
    near_null: Vec<Vec<f64>>,
    /// Node blocks ([`PetscSolver::with_geometry`]): PETSc's row of each unknown, and the
    /// number of PETSc rows (`None`: unknown `i` is row `i`).
    rows: Option<(Vec<usize>, usize)>,
    /// The analysed pattern (row pointers and columns of the upper triangle).
    pattern: Option<(Vec<usize>, Vec<usize>)>,
    matrix: Option<Matrix<'s>>,
    krylov: Option<Krylov<'s>>,
}

impl std::fmt::Debug for PetscSolver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PetscSolver")
            .field("options", &self.options)
            .field("block_size", &self.block_size)
            .field("near_null_vectors", &self.near_null.len())
            .finish()
    }
}

fn backend(e: PetscError) -> SolverError {
    SolverError::Backend {
        backend: "PETSc",
        detail: e.to_string(),
    }
}

impl<'s> PetscSolver<'s> {
    /// A solver with `options` (PETSc's options database overrides them).
    pub fn new(session: &'s Session, options: KrylovOptions) -> Self {
        Self {
            session,
            options,
            block_size: 1,
            near_null: Vec::new(),
            rows: None,
            pattern: None,
            matrix: None,
            krylov: None,
        }
    }

    /// The unknowns come in blocks of `bs` (3 for the x, y, z of a node); must divide the
    /// matrix size. Undoes [`PetscSolver::with_geometry`] (its placement and modes).
    pub fn with_block_size(mut self, bs: usize) -> Self {
        if self.rows.take().is_some() {
            self.near_null.clear();
        }
        self.block_size = bs.max(1);
        self
    }

    /// Vectors the operator nearly annihilates (for elasticity: the six rigid-body modes at
    /// the unknowns), for algebraic multigrid. They are orthonormalised here; each must have
    /// the matrix's length. Undoes [`PetscSolver::with_geometry`] (its placement and block
    /// size).
    pub fn with_near_null_space(mut self, vectors: Vec<Vec<f64>>) -> Self {
        if self.rows.take().is_some() {
            self.block_size = 1;
        }
        self.near_null = vectors;
        self
    }

    /// Elasticity unknowns placed at `geometry`'s nodes: PETSc's matrix gets node blocks of
    /// three rows (block size 3), the rows of directions a node does not have among the
    /// unknowns (prescribed or eliminated) are decoupled identity rows scaled to the mean
    /// diagonal with zero right-hand side, and the six rigid-body modes of the unknowns
    /// (zero on those rows) are GAMG's near-null space. Smoothed aggregation then works on
    /// whole nodes, as in the distributed solve; the solution of the unknowns is unchanged.
    /// The matrix's unknowns must be `geometry`'s.
    ///
    /// # Errors
    /// [`PetscError::Invalid`] for a geometry that [`UnknownGeometry::validate`] refuses.
    pub fn with_geometry(mut self, geometry: &UnknownGeometry) -> Result<Self, PetscError> {
        geometry
            .validate()
            .map_err(|e| PetscError::Invalid(e.to_string()))?;
        let mut slot = std::collections::HashMap::new();
        let rows: Vec<usize> = (0..geometry.n())
            .map(|i| {
                let next = slot.len();
                let b = *slot.entry(geometry.node[i]).or_insert(next);
                3 * b + usize::from(geometry.direction[i])
            })
            .collect();
        let n_rows = 3 * slot.len();
        self.near_null = geometry
            .rigid_body_modes()
            .into_iter()
            .map(|mode| {
                let mut padded = vec![0.0; n_rows];
                for (i, &r) in rows.iter().enumerate() {
                    padded[r] = mode[i];
                }
                padded
            })
            .collect();
        self.block_size = 3;
        self.rows = Some((rows, n_rows));
        Ok(self)
    }

    /// PETSc's row of unknown `i`.
    fn row(&self, i: usize) -> usize {
        self.rows.as_ref().map_or(i, |(r, _)| r[i])
    }

    /// PETSc's rows for a matrix of `n` unknowns.
    fn n_rows(&self, n: usize) -> Result<usize, SolverError> {
        match &self.rows {
            None => Ok(n),
            Some((rows, n_rows)) => {
                SolverError::check_len("matrix (unknowns placed by with_geometry)", rows.len(), n)?;
                Ok(*n_rows)
            }
        }
    }
}

impl LinearSolver for PetscSolver<'_> {
    fn analyse(
        &mut self,
        a: &SymmetricCsr,
        _groups: Option<&UnknownGroups>,
    ) -> Result<(), SolverError> {
        let n = a.n();
        let m = self.n_rows(n)?;
        let bs = self.block_size;
        if !m.is_multiple_of(bs) {
            return Err(backend(PetscError::Invalid(format!(
                "block size {bs} does not divide the {m} rows"
            ))));
        }
        for v in &self.near_null {
            SolverError::check_len("near-null-space vector", m, v.len())?;
        }
        // blocks per block row of the full matrix (both triangles)
        let nb = m / bs;
        let block = |i: usize| self.row(i) / bs;
        let mut marker = vec![usize::MAX; nb];
        let mut lower: Vec<Vec<usize>> = vec![Vec::new(); nb];
        let (row_ptr, col_idx) = (a.row_ptr(), a.col_idx());
        let mut unknowns_of: Vec<Vec<usize>> = vec![Vec::new(); nb];
        for i in 0..n {
            unknowns_of[block(i)].push(i);
            for &j in &col_idx[row_ptr[i]..row_ptr[i + 1]] {
                if block(j) != block(i) {
                    lower[block(j)].push(block(i));
                }
            }
        }
        let mut counts = vec![0usize; nb];
        for (ib, count) in counts.iter_mut().enumerate() {
            marker[ib] = ib;
            *count = 1;
            for &i in &unknowns_of[ib] {
                for &j in &col_idx[row_ptr[i]..row_ptr[i + 1]] {
                    if marker[block(j)] != ib {
                        marker[block(j)] = ib;
                        *count += 1;
                    }
                }
            }
            for &jb in &lower[ib] {
                if marker[jb] != ib {
                    marker[jb] = ib;
                    *count += 1;
                }
            }
        }
        self.krylov = None;
        self.matrix = None;
        self.pattern = Some((row_ptr.to_vec(), col_idx.to_vec()));
        if n == 0 {
            // every unknown prescribed: nothing to solve, no multigrid to build (GAMG
            // refuses an empty operator)
            return Ok(());
        }
        let zeros = vec![0usize; nb];
        let matrix = Matrix::new(self.session, Scope::Process, m, bs, "aij", &counts, &zeros)
            .map_err(backend)?;
        self.matrix = Some(matrix);
        Ok(())
    }

    fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError> {
        let Some((rp, ci)) = &self.pattern else {
            return Err(SolverError::NotAnalysed);
        };
        if rp.as_slice() != a.row_ptr() || ci.as_slice() != a.col_idx() {
            return Err(SolverError::PatternChanged {
                detail: "the matrix has another pattern than the one analysed".into(),
            });
        }
        let (row_ptr, col_idx, values) = (a.row_ptr(), a.col_idx(), a.values());
        for i in 0..a.n() {
            for s in row_ptr[i]..row_ptr[i + 1] {
                if !values[s].is_finite() {
                    return Err(SolverError::NonFiniteValue {
                        row: i,
                        col: col_idx[s],
                        value: values[s],
                    });
                }
            }
        }
        if a.n() == 0 {
            return Ok(());
        }
        // PETSc's row of each unknown (disjoint from the matrix borrowed below)
        let placed = self.rows.as_ref().map(|(r, m)| (r.as_slice(), *m));
        let row_of = |i: usize| placed.map_or(i, |(r, _)| r[i]) as PetscInt;
        let matrix = self.matrix.as_mut().ok_or(SolverError::NotAnalysed)?;
        {
            let _guard = lock();
            // SAFETY: the matrix is valid; zeroing keeps its preallocated pattern.
            let rc = unsafe { crate::ffi::MatZeroEntries(matrix.raw) };
            check(rc, "MatZeroEntries").map_err(backend)?;
        }
        for i in 0..a.n() {
            let row = [row_of(i)];
            for s in row_ptr[i]..row_ptr[i + 1] {
                let col = [row_of(col_idx[s])];
                matrix
                    .add_values(&row, &col, &values[s..=s])
                    .map_err(backend)?;
                if col_idx[s] != i {
                    matrix
                        .add_values(&col, &row, &values[s..=s])
                        .map_err(backend)?;
                }
            }
        }
        if let Some((rows, m)) = placed {
            // the directions a node lacks: identity rows at the mean diagonal
            let mut used = vec![false; m];
            for &r in rows {
                used[r] = true;
            }
            let diagonal: f64 = a.diagonal().iter().map(|d| d.abs()).sum();
            let scale = if diagonal > 0.0 {
                diagonal / a.n() as f64
            } else {
                1.0
            };
            for r in (0..m).filter(|&r| !used[r]) {
                let at = [r as PetscInt];
                matrix.add_values(&at, &at, &[scale]).map_err(backend)?;
            }
        }
        matrix.assemble().map_err(backend)?;
        matrix.set_spd().map_err(backend)?;
        if !self.near_null.is_empty() {
            let modes =
                orthonormal(self.session, &self.near_null, self.block_size).map_err(backend)?;
            matrix.set_near_null_space(&modes).map_err(backend)?;
        }
        self.krylov = None;
        let mut krylov =
            Krylov::new(self.session, Scope::Process, matrix, &self.options).map_err(backend)?;
        krylov.set_up().map_err(backend)?;
        self.krylov = Some(krylov);
        Ok(())
    }

    fn solve(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<SolveReport, SolverError> {
        let n = a.n();
        SolverError::check_len("right-hand side", n, b.len())?;
        SolverError::check_len("solution", n, x.len())?;
        if n == 0 && self.pattern.is_some() {
            return Ok(SolveReport {
                relative_residual: 0.0,
                iterations: 0,
            });
        }
        let m = self.n_rows(n)?;
        let (Some(krylov), Some(matrix)) = (self.krylov.as_mut(), self.matrix.as_ref()) else {
            return Err(SolverError::NotFactorised);
        };
        let placed = self.rows.as_ref().map(|(r, _)| r.as_slice());
        let mut bv =
            Vector::new(self.session, Scope::Process, m, self.block_size).map_err(backend)?;
        bv.with_local_mut(|l| match placed {
            None => l.copy_from_slice(b),
            Some(rows) => {
                l.fill(0.0);
                for (i, &r) in rows.iter().enumerate() {
                    l[r] = b[i];
                }
            }
        })
        .map_err(backend)?;
        let mut xv = bv.duplicate().map_err(backend)?;
        // the true residual ‖b − A x‖/‖b‖, from PETSc's product with the same matrix (the
        // identity rows of absent directions hold zero on both sides)
        let (report, relative_residual) = krylov
            .solve_with_residual(matrix, &bv, &mut xv)
            .map_err(backend)?;
        xv.with_local(|l| match placed {
            None => x.copy_from_slice(l),
            Some(rows) => {
                for (xi, &r) in x.iter_mut().zip(rows) {
                    *xi = l[r];
                }
            }
        })
        .map_err(backend)?;
        if report.reason < 0 {
            return Err(SolverError::NotConverged {
                iterations: report.iterations,
                relative_residual,
            });
        }
        Ok(SolveReport {
            relative_residual,
            iterations: report.iterations,
        })
    }

    fn name(&self) -> &'static str {
        "petsc"
    }
}

/// `vectors` as PETSc vectors on this process, orthonormalised (modified Gram–Schmidt);
/// vectors that vanish after projection are dropped.
fn orthonormal<'s>(
    session: &'s Session,
    vectors: &[Vec<f64>],
    bs: usize,
) -> Result<Vec<Vector<'s>>, PetscError> {
    let mut out: Vec<Vector<'s>> = Vec::with_capacity(vectors.len());
    for v in vectors {
        let scale = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let mut pv = Vector::new(session, Scope::Process, v.len(), bs)?;
        pv.with_local_mut(|l| l.copy_from_slice(v))?;
        for q in &out {
            let p = pv.dot(q)?;
            pv.axpy(-p, q)?;
        }
        let norm = pv.norm()?;
        if norm > 1e-10 * scale {
            pv.scale(1.0 / norm)?;
            out.push(pv);
        }
    }
    Ok(out)
}
