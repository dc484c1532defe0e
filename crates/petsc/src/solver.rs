//! [`PetscSolver`]: PETSc's Krylov solvers behind osteon's [`LinearSolver`] interface, on
//! one process.

use osteon_solver::{LinearSolver, SolveReport, SolverError, SymmetricCsr, UnknownGroups};

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
            pattern: None,
            matrix: None,
            krylov: None,
        }
    }

    /// The unknowns come in blocks of `bs` (3 for the x, y, z of a node); must divide the
    /// matrix size.
    pub fn with_block_size(mut self, bs: usize) -> Self {
        self.block_size = bs.max(1);
        self
    }

    /// Vectors the operator nearly annihilates (for elasticity: the six rigid-body modes at
    /// the unknowns), for algebraic multigrid. They are orthonormalised here; each must have
    /// the matrix's length.
    pub fn with_near_null_space(mut self, vectors: Vec<Vec<f64>>) -> Self {
        self.near_null = vectors;
        self
    }
}

impl LinearSolver for PetscSolver<'_> {
    fn analyse(
        &mut self,
        a: &SymmetricCsr,
        _groups: Option<&UnknownGroups>,
    ) -> Result<(), SolverError> {
        let n = a.n();
        let bs = self.block_size;
        if !n.is_multiple_of(bs) {
            return Err(backend(PetscError::Invalid(format!(
                "block size {bs} does not divide the {n} unknowns"
            ))));
        }
        for v in &self.near_null {
            SolverError::check_len("near-null-space vector", n, v.len())?;
        }
        // blocks per block row of the full matrix (both triangles)
        let nb = n / bs;
        let mut marker = vec![usize::MAX; nb];
        let mut lower: Vec<Vec<usize>> = vec![Vec::new(); nb];
        let (row_ptr, col_idx) = (a.row_ptr(), a.col_idx());
        for i in 0..n {
            for &j in &col_idx[row_ptr[i]..row_ptr[i + 1]] {
                if j / bs != i / bs {
                    lower[j / bs].push(i / bs);
                }
            }
        }
        let mut counts = vec![0usize; nb];
        for (ib, count) in counts.iter_mut().enumerate() {
            marker[ib] = ib;
            *count = 1;
            for i in ib * bs..(ib + 1) * bs {
                for &j in &col_idx[row_ptr[i]..row_ptr[i + 1]] {
                    if marker[j / bs] != ib {
                        marker[j / bs] = ib;
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
        let zeros = vec![0usize; nb];
        let matrix = Matrix::new(self.session, Scope::Process, n, bs, "aij", &counts, &zeros)
            .map_err(backend)?;
        self.matrix = Some(matrix);
        self.krylov = None;
        self.pattern = Some((row_ptr.to_vec(), col_idx.to_vec()));
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
        let matrix = self.matrix.as_mut().ok_or(SolverError::NotAnalysed)?;
        {
            let _guard = lock();
            // SAFETY: the matrix is valid; zeroing keeps its preallocated pattern.
            let rc = unsafe { crate::ffi::MatZeroEntries(matrix.raw) };
            check(rc, "MatZeroEntries").map_err(backend)?;
        }
        for i in 0..a.n() {
            let row = [i as PetscInt];
            for s in row_ptr[i]..row_ptr[i + 1] {
                let col = [col_idx[s] as PetscInt];
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
        let (Some(krylov), Some(matrix)) = (self.krylov.as_mut(), self.matrix.as_ref()) else {
            return Err(SolverError::NotFactorised);
        };
        let mut bv =
            Vector::new(self.session, Scope::Process, n, self.block_size).map_err(backend)?;
        bv.with_local_mut(|l| l.copy_from_slice(b))
            .map_err(backend)?;
        let mut xv = bv.duplicate().map_err(backend)?;
        // the true residual ‖b − A x‖/‖b‖, from PETSc's product with the same matrix
        let (report, relative_residual) = krylov
            .solve_with_residual(matrix, &bv, &mut xv)
            .map_err(backend)?;
        xv.with_local(|l| x.copy_from_slice(l)).map_err(backend)?;
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
