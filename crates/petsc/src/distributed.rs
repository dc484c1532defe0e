//! The linear static analysis on a [`Layout`]: each process assembles its own elements into
//! one distributed PETSc matrix, PETSc's Krylov solver (CG + GAMG by default) solves every
//! load case, and rank 0 gathers the displacements and recovers reactions and stresses with
//! the serial code ([`Constraints::step_solution`]).
//!
//! Constraints are eliminated before distribution, as in the serial path: the matrix has
//! three rows per node (block size 3). The rows of free DOFs hold Tᵀ K T; the rows of
//! prescribed, equation-eliminated and inactive DOFs are decoupled identity rows (scaled to
//! the mean stiffness diagonal, so they do not disturb GAMG's smoothers), with zero
//! right-hand side. The free rows' solution is then the serial path's reduced solution.

use std::time::Instant;

use osteon_assembly::progress::{Observer, Phase, timed};
use osteon_assembly::{
    Constraints, DofState, ElasticOperator, Model, PhaseTimings, RankStats, ReducedElement,
    StepSolution, SystemStats, element_unknowns,
};
use osteon_mesh::Mesh;
use osteon_solver::{SolveReport, rigid_body_mode_row};

use crate::error::PetscError;
use crate::ffi::PetscInt;
use crate::krylov::{Krylov, KrylovOptions};
use crate::layout::Layout;
use crate::matrix::Matrix;
use crate::session::{Scope, Session};
use crate::vector::{Vector, petsc_int};

/// Options of a distributed linear static analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct DistributedOptions {
    /// Krylov method, preconditioner, tolerance (PETSc's options override them).
    pub krylov: KrylovOptions,
    /// PETSc matrix type: `"aij"` (compressed rows with block size 3; GAMG needs AIJ)
    /// unless `-mat_type` says otherwise.
    pub mat_type: String,
    /// Recover strain and stress on rank 0.
    pub recover: bool,
}

impl Default for DistributedOptions {
    fn default() -> Self {
        Self {
            krylov: KrylovOptions::default(),
            mat_type: "aij".into(),
            recover: true,
        }
    }
}

/// The result of [`solve_linear_static_distributed`].
#[derive(Clone, Debug)]
pub struct DistributedSolution {
    /// One per load case, in order — on rank 0; empty on the other processes.
    pub cases: Vec<StepSolution>,
    /// Wall-clock seconds per phase on this process ("analyse" is the preconditioner's
    /// set-up — GAMG's hierarchy; "factorise" is 0).
    pub timings: PhaseTimings,
    /// Size of the reduced system: its free unknowns (the entries each process stores are
    /// in [`RankStats::stored_entries`]).
    pub stats: SystemStats,
    /// Every process's figures on rank 0; this process's alone elsewhere.
    pub ranks: Vec<RankStats>,
    /// The Krylov method in use (after PETSc's options).
    pub ksp_type: String,
    /// The preconditioner in use (after PETSc's options).
    pub pc_type: String,
}

/// One constraint set's distributed system: constraints, matrix and solver.
struct DistributedSystem<'s> {
    constraints: Constraints,
    matrix: Matrix<'s>,
    krylov: Krylov<'s>,
}

/// Solve every load case of `model` on all processes of `session`. Collective: every
/// process calls it with the same model and options. Rank 0 reports the phases to
/// `observer` (pass [`osteon_assembly::Silent`] elsewhere).
///
/// # Errors
/// [`PetscError::Model`] for the model's errors (the same on every process);
/// [`PetscError::NotConverged`] when the Krylov solver stops short (with PETSc's reason in
/// words); [`PetscError::OtherRank`] on the processes that did not fail when one did;
/// [`PetscError::Invalid`] for a model with contact pairs (the contact analysis is serial).
pub fn solve_linear_static_distributed(
    session: &Session,
    model: &Model,
    options: &DistributedOptions,
    observer: &mut dyn Observer,
) -> Result<DistributedSolution, PetscError> {
    if !model.contact_pairs.is_empty() {
        return Err(PetscError::Invalid(format!(
            "the model has {} contact pair(s); the PETSc backend solves linear models — solve contact with the serial solver",
            model.contact_pairs.len()
        )));
    }
    let mut timings = PhaseTimings::default();
    let t = Instant::now();
    let op = ElasticOperator::new(model)?;
    let layout = Layout::new(&model.mesh, session.size(), session.rank())?;
    timings.setup += t.elapsed().as_secs_f64();
    let mut mine = RankStats {
        rank: session.rank(),
        owned_rows: 3 * layout.owned().len(),
        ..RankStats::default()
    };
    let mut system: Option<DistributedSystem<'_>> = None;
    let mut stats = SystemStats::default();
    let mut cases = Vec::with_capacity(model.load_cases.len());
    let mut types = (String::new(), String::new());
    for case in &model.load_cases {
        let boundary = model.boundary_of(case);
        if system
            .as_ref()
            .is_none_or(|s| !s.constraints.serves(&boundary))
        {
            drop(system.take());
            let constraints = timed(observer, Phase::Setup, "", &mut timings.setup, || {
                Constraints::setup(&op, &boundary)
            })?;
            let t = Instant::now();
            let (mut matrix, owned_elements, stored) =
                timed(observer, Phase::Assemble, "", &mut timings.assemble, || {
                    assemble(session, &op, &constraints, &layout, &options.mat_type)
                })?;
            mine.assemble_seconds += t.elapsed().as_secs_f64();
            mine.owned_elements = owned_elements;
            mine.stored_entries = stored;
            let krylov = timed(observer, Phase::Analyse, "", &mut timings.analyse, || {
                matrix.set_spd()?;
                let mut k = Krylov::new(session, Scope::World, &matrix, &options.krylov)?;
                // every DOF prescribed (the same on every process): nothing to solve, no
                // multigrid to build — GAMG refuses a near-null space without modes
                if constraints.dofs().n_free() > 0 {
                    let modes = rigid_body_modes(session, &model.mesh, &constraints, &layout)?;
                    matrix.set_near_null_space(&modes)?;
                    k.set_up()?;
                }
                Ok::<_, PetscError>(k)
            })?;
            types = krylov.types()?;
            stats = SystemStats {
                n_free: constraints.dofs().n_free(),
                ..SystemStats::default()
            };
            system = Some(DistributedSystem {
                constraints,
                matrix,
                krylov,
            });
        }
        let Some(sys) = system.as_mut() else { continue };
        let solved = timed(
            observer,
            Phase::Solve,
            &case.name,
            &mut timings.solve,
            || solve_case(session, &op, sys, &layout, case, &boundary),
        );
        // rank 0 alone recovers: every process learns whether it failed
        let step = match session.agree(solved)? {
            Some((mut step, u)) => {
                if options.recover {
                    let fields = timed(
                        observer,
                        Phase::Recover,
                        &case.name,
                        &mut timings.recover,
                        || op.recover(&u),
                    );
                    step.fields = session.agree(fields.map_err(PetscError::from))?;
                }
                Some(step)
            }
            None => {
                if options.recover {
                    session.agree(Ok(()))?;
                }
                None
            }
        };
        cases.extend(step);
    }
    mine.peak_memory_bytes = osteon_solver::memory::peak_resident_bytes();
    let ranks = gather_stats(session, &mine);
    Ok(DistributedSolution {
        cases,
        timings,
        stats,
        ranks,
        ksp_type: types.0,
        pc_type: types.1,
    })
}

/// Assemble the distributed matrix of one constraint set: exact preallocation from the
/// elements' unknowns, this process's elements added, identity rows for the DOFs that are not
/// free. Returns the matrix, the number of elements assembled here and the entries stored
/// for this process's rows.
fn assemble<'s>(
    session: &'s Session,
    op: &ElasticOperator<'_>,
    constraints: &Constraints,
    layout: &Layout,
    mat_type: &str,
) -> Result<(Matrix<'s>, usize, usize), PetscError> {
    let mesh = op.mesh();
    let dofs = constraints.dofs();
    petsc_int(3 * mesh.n_nodes(), "matrix rows")?;
    let (diag, off) = preallocation(mesh, constraints, layout);
    let stored = 9 * (diag.iter().sum::<usize>() + off.iter().sum::<usize>());
    let owned = layout.owned();
    let mut matrix = Matrix::new(
        session,
        Scope::World,
        3 * owned.len(),
        3,
        mat_type,
        &diag,
        &off,
    )?;
    let local = (|| {
        let mut element = ReducedElement::new();
        let mut unknowns = Vec::new();
        let mut rows: Vec<PetscInt> = Vec::new();
        let (mut diag_sum, mut diag_count) = (0.0, 0usize);
        let mut count = 0;
        for e in 0..mesh.n_elements() {
            if layout.element_owner(mesh, e) != layout.rank() {
                continue;
            }
            count += 1;
            element_unknowns(mesh, dofs, e, &mut unknowns);
            if unknowns.is_empty() {
                continue;
            }
            let d = &op.stiffnesses()[op.element_materials()[e]];
            let kr = element.stiffness(mesh, dofs, e, &unknowns, d)?;
            rows.clear();
            rows.extend(
                unknowns
                    .iter()
                    .map(|&i| layout.row(dofs.free_to_raw(i)) as PetscInt),
            );
            let k = unknowns.len();
            for a in 0..k {
                diag_sum += kr[a * k + a];
            }
            diag_count += k;
            matrix.add_values(&rows, &rows, kr)?;
        }
        // identity rows (scaled to the mean diagonal) for what is not an unknown
        let scale = if diag_count > 0 && diag_sum > 0.0 {
            diag_sum / diag_count as f64
        } else {
            1.0
        };
        for pos in owned.clone() {
            let node = layout.node_at(pos);
            for c in 0..3 {
                if !matches!(dofs.state(3 * node + c), DofState::Free(_)) {
                    let row = [(3 * pos + c) as PetscInt];
                    matrix.add_values(&row, &row, &[scale])?;
                }
            }
        }
        Ok::<usize, PetscError>(count)
    })();
    let count = session.agree(local)?;
    matrix.assemble()?;
    Ok((matrix, count, stored))
}

/// Blocks (3 × 3) per owned block row, in owned columns and in other processes' columns:
/// the union of the unknowns' nodes of every element that couples the row's node, plus the
/// node itself (its identity rows).
fn preallocation(
    mesh: &Mesh,
    constraints: &Constraints,
    layout: &Layout,
) -> (Vec<usize>, Vec<usize>) {
    let dofs = constraints.dofs();
    let owned = layout.owned();
    let rank = layout.rank();
    // the nodes of each element's unknowns (CSR over all elements)
    let mut el_ptr = vec![0usize];
    let mut el_nodes: Vec<usize> = Vec::new();
    let mut unknowns = Vec::new();
    for e in 0..mesh.n_elements() {
        element_unknowns(mesh, dofs, e, &mut unknowns);
        let start = el_nodes.len();
        el_nodes.extend(unknowns.iter().map(|&i| dofs.free_to_raw(i) / 3));
        el_nodes[start..].sort_unstable();
        let mut end = start;
        for j in start..el_nodes.len() {
            if j == start || el_nodes[j] != el_nodes[end - 1] {
                el_nodes[end] = el_nodes[j];
                end += 1;
            }
        }
        el_nodes.truncate(end);
        el_ptr.push(end);
    }
    // owned node (local index) → elements coupling it
    let n_local = owned.len();
    let mut inc_ptr = vec![0usize; n_local + 1];
    for &a in &el_nodes {
        if layout.owner(a) == rank {
            inc_ptr[layout.position(a) - owned.start + 1] += 1;
        }
    }
    for l in 0..n_local {
        inc_ptr[l + 1] += inc_ptr[l];
    }
    let mut inc = vec![0usize; inc_ptr[n_local]];
    let mut fill = inc_ptr.clone();
    for e in 0..mesh.n_elements() {
        for &a in &el_nodes[el_ptr[e]..el_ptr[e + 1]] {
            if layout.owner(a) == rank {
                let l = layout.position(a) - owned.start;
                inc[fill[l]] = e;
                fill[l] += 1;
            }
        }
    }
    let mut marker = vec![usize::MAX; mesh.n_nodes()];
    let mut diag = vec![0usize; n_local];
    let mut off = vec![0usize; n_local];
    for l in 0..n_local {
        let node = layout.node_at(owned.start + l);
        marker[node] = l;
        diag[l] = 1; // the node's own block
        for &e in &inc[inc_ptr[l]..inc_ptr[l + 1]] {
            for &b in &el_nodes[el_ptr[e]..el_ptr[e + 1]] {
                if marker[b] != l {
                    marker[b] = l;
                    if layout.owner(b) == rank {
                        diag[l] += 1;
                    } else {
                        off[l] += 1;
                    }
                }
            }
        }
    }
    (diag, off)
}

/// The six rigid-body modes (translations, rotations about the centroid) on the free rows,
/// zero on the identity rows, orthonormalised (modified Gram–Schmidt): GAMG's near-null
/// space. A mode that vanishes on the free rows (a model held so that it cannot occur at
/// all) is dropped.
fn rigid_body_modes<'s>(
    session: &'s Session,
    mesh: &Mesh,
    constraints: &Constraints,
    layout: &Layout,
) -> Result<Vec<Vector<'s>>, PetscError> {
    let dofs = constraints.dofs();
    let owned = layout.owned();
    let n = mesh.n_nodes().max(1) as f64;
    let mut x0 = [0.0; 3];
    for x in &mesh.coords {
        for c in 0..3 {
            x0[c] += x[c] / n;
        }
    }
    let mut modes: Vec<Vector<'s>> = Vec::with_capacity(6);
    for k in 0..6 {
        let mut v = Vector::new(session, Scope::World, 3 * owned.len(), 3)?;
        v.with_local_mut(|local| {
            for (l, pos) in owned.clone().enumerate() {
                let node = layout.node_at(pos);
                let p = mesh.coords[node];
                let x = [p[0] - x0[0], p[1] - x0[1], p[2] - x0[2]];
                for c in 0..3 {
                    local[3 * l + c] = match dofs.state(3 * node + c) {
                        DofState::Free(_) => rigid_body_mode_row(x, c)[k],
                        _ => 0.0,
                    };
                }
            }
        })?;
        for q in &modes {
            let proj = v.dot(q)?;
            v.axpy(-proj, q)?;
        }
        let norm = v.norm()?;
        if norm > 1e-12 * (1.0 + n.sqrt()) {
            v.scale(1.0 / norm)?;
            modes.push(v);
        }
    }
    Ok(modes)
}

/// One load case on an assembled system: right-hand side, Krylov solve, the true relative
/// residual, and on rank 0 the step solution and the raw displacements.
fn solve_case(
    session: &Session,
    op: &ElasticOperator<'_>,
    sys: &mut DistributedSystem<'_>,
    layout: &Layout,
    case: &osteon_assembly::LoadCase,
    boundary: &[osteon_assembly::DirichletBc],
) -> Result<Option<(StepSolution, Vec<f64>)>, PetscError> {
    let constraints = &sys.constraints;
    let dofs = constraints.dofs();
    let loads = op.case_loads(case)?;
    let g = constraints.prescribed(boundary)?;
    let rhs = constraints.form_rhs(op, &loads.total(), &g)?;
    let owned = layout.owned();
    let mut b = Vector::new(session, Scope::World, 3 * owned.len(), 3)?;
    b.with_local_mut(|local| {
        for (l, pos) in owned.clone().enumerate() {
            let node = layout.node_at(pos);
            for c in 0..3 {
                if let DofState::Free(i) = dofs.state(3 * node + c) {
                    local[3 * l + c] = rhs[i];
                }
            }
        }
    })?;
    let mut x = b.duplicate()?;
    // the same test as the serial path; every process holds the whole right-hand side
    let report = if rhs.iter().all(|&v| v == 0.0) {
        SolveReport {
            relative_residual: 0.0,
            iterations: 0,
        }
    } else {
        let (report, relative_residual) =
            sys.krylov.solve_with_residual(&sys.matrix, &b, &mut x)?;
        if report.reason < 0 {
            return Err(PetscError::NotConverged {
                reason: report.reason_text,
                iterations: report.iterations,
                relative_residual,
            });
        }
        SolveReport {
            relative_residual,
            iterations: report.iterations,
        }
    };
    let Some(whole) = x.gather_to_root()? else {
        return Ok(None);
    };
    let reduced: Vec<f64> = (0..dofs.n_free())
        .map(|i| whole[layout.row(dofs.free_to_raw(i))])
        .collect();
    constraints
        .linear_step(op, &case.name, &reduced, &g, &loads, report)
        .map(Some)
        .map_err(PetscError::from)
}

/// Every process's figures on rank 0 (this process's alone elsewhere).
fn gather_stats(session: &Session, mine: &RankStats) -> Vec<RankStats> {
    use mpi::traits::{Communicator, Root};
    let send = [
        mine.owned_rows as f64,
        mine.owned_elements as f64,
        mine.stored_entries as f64,
        mine.peak_memory_bytes.map_or(-1.0, |b| b as f64),
        mine.assemble_seconds,
    ];
    let world = session.world();
    let root = world.process_at_rank(0);
    if session.rank() != 0 {
        root.gather_into(&send[..]);
        return vec![mine.clone()];
    }
    let mut all = vec![0.0f64; 5 * session.size()];
    root.gather_into_root(&send[..], &mut all[..]);
    all.chunks_exact(5)
        .enumerate()
        .map(|(rank, v)| RankStats {
            rank,
            owned_rows: v[0] as usize,
            owned_elements: v[1] as usize,
            stored_entries: v[2] as usize,
            peak_memory_bytes: (v[3] >= 0.0).then_some(v[3] as u64),
            assemble_seconds: v[4],
        })
        .collect()
}
