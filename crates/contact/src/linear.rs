//! The linear solver of the Newton iterations: a sparse Cholesky factorisation of the whole
//! Newton matrix in every iteration, or one factorisation of the interiors with the contact
//! unknowns last and dense updates of their Schur complement
//! ([`TangentFactorisation`]), or a solver from outside osteon
//! ([`ContactOptions::external_solver`], e.g. PETSc's CG + GAMG) set up afresh in every
//! iteration.

use osteon_solver::{
    CholeskyOptions, CholeskySolver, InterfaceCholesky, LinearSolver, Ordering, SolveReport,
    SolverError, SymmetricCsr,
};

use crate::definition::{ContactOptions, MAX_AUTO_INTERFACE, TangentFactorisation};
use crate::pairing::ContactNode;
use crate::results::ContactTimings;
use crate::system::{KeptSystem, NewtonSystem, contact_unknowns};
use osteon_assembly::{DirichletBc, ElasticOperator};

/// Counts of an interface solver (see [`NewtonSolver::interface_counts`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct InterfaceCounts {
    /// Interface unknowns.
    pub unknowns: usize,
    /// Updates of the interface Schur complement so far.
    pub updates: usize,
    /// Of those, the low-rank ones.
    pub low_rank_updates: usize,
    /// Seconds of the updates, with forming what the low-rank ones build on.
    pub seconds: f64,
}

/// The Newton matrix's solver for one Newton system.
pub(crate) enum NewtonSolver<'f> {
    /// Full numeric factorisation every iteration.
    Full(Box<CholeskySolver>),
    /// Interface Schur-complement updates.
    Interface(Box<InterfaceCholesky>),
    /// A solver made by [`ContactOptions::external_solver`]'s factory.
    External(Box<dyn LinearSolver + 'f>),
}

impl<'f> NewtonSolver<'f> {
    /// The solver `options` ask for on `sys` (not analysed yet); `coords` are the mesh's
    /// node positions (mm), which an external solver is told.
    ///
    /// # Errors
    /// The external solver's factory failing.
    pub fn new(
        options: &'f ContactOptions,
        sys: &NewtonSystem,
        contacts: &[ContactNode],
        coords: &[[f64; 3]],
    ) -> Result<Self, SolverError> {
        if let Some(external) = &options.external_solver {
            let geometry = sys.dofs().geometry(coords);
            return Ok(Self::External(external.factory().make(&geometry)?));
        }
        let choice = options.factorisation;
        let options = CholeskyOptions {
            ordering: Ordering::NestedDissection,
            threads: options.threads,
        };
        let mut interface = Vec::new();
        let mut list = Vec::new();
        for c in contacts {
            contact_unknowns(sys.dofs(), c, &mut list);
            interface.extend_from_slice(&list);
        }
        interface.sort_unstable();
        interface.dedup();
        let n = sys.dofs().n_free();
        let interface_pays = !interface.is_empty()
            && interface.len() <= MAX_AUTO_INTERFACE
            && 4 * interface.len() <= n;
        let interface_solver = || {
            Self::Interface(Box::new(
                InterfaceCholesky::new(options, interface.clone()).with_terms(sys.rows.clone(), 3),
            ))
        };
        Ok(match choice {
            TangentFactorisation::InterfaceUpdate => interface_solver(),
            TangentFactorisation::Auto if interface_pays => interface_solver(),
            _ => Self::Full(Box::new(CholeskySolver::new(options))),
        })
    }

    /// The solver as a [`LinearSolver`].
    pub fn linear(&mut self) -> &mut dyn LinearSolver {
        match self {
            Self::Full(s) => s.as_mut(),
            Self::Interface(s) => s.as_mut(),
            Self::External(s) => s.as_mut(),
        }
    }

    /// The interface solver, which can run Newton condensed onto the contact unknowns
    /// (`None` for the full and the external path).
    pub fn interface_mut(&mut self) -> Option<&mut InterfaceCholesky> {
        match self {
            Self::Interface(s) => Some(s.as_mut()),
            _ => None,
        }
    }

    /// Interface unknowns, interface updates so far, of those the low-rank ones, and their
    /// seconds (all 0 for the full and the external path).
    pub fn interface_counts(&self) -> InterfaceCounts {
        match self {
            Self::Full(_) | Self::External(_) => InterfaceCounts::default(),
            Self::Interface(s) => {
                let stats = s.interface_stats();
                InterfaceCounts {
                    unknowns: stats.interface_unknowns,
                    updates: stats.updates,
                    low_rank_updates: stats.low_rank_updates,
                    seconds: stats.update_seconds,
                }
            }
        }
    }

    /// Adds the interface updates and their seconds since `before` (the counts when this
    /// analysis took the solver) to `timings`.
    pub fn add_counts(&self, timings: &mut ContactTimings, before: InterfaceCounts) {
        let now = self.interface_counts();
        timings.interface_updates += now.updates.saturating_sub(before.updates);
        timings.interface_low_rank_updates +=
            now.low_rank_updates.saturating_sub(before.low_rank_updates);
        timings.interface_update_seconds += (now.seconds - before.seconds).max(0.0);
    }

    /// Numeric factorisation of `a`.
    pub fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError> {
        self.linear().factorise(a)
    }

    /// Numeric factorisation of the Newton matrix `a` (the symmetric tangent, containing the
    /// contact nodes' `symmetric` matrices) plus the nodes' non-symmetric `coupling` where
    /// the solver can hold it: the interface update factorises the coupled matrix exactly,
    /// by the rank of the nodes that changed, and returns `true`; the other solvers
    /// factorise `a` alone and return `false` (the caller then resolves the coupling by
    /// GMRES around their solves). Both lists: 9 entries (3 × 3 row-major) per contact node.
    pub fn factorise_terms(
        &mut self,
        a: &SymmetricCsr,
        symmetric: &[f64],
        coupling: &[f64],
    ) -> Result<bool, SolverError> {
        match self {
            Self::Interface(s) => s.factorise_with_terms(a, symmetric, coupling).map(|_| true),
            _ => self.factorise(a).map(|_| false),
        }
    }

    /// Solves `a x = b` with the last factorisation.
    pub fn solve(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<SolveReport, SolverError> {
        self.linear().solve(a, b, x)
    }
}

/// A factorisation kept from one contact analysis to the next (see
/// [`crate::solve_contact_cached`]): the Newton solver of the last analysis's system when it
/// updated the interface Schur complement. A later analysis whose Newton matrix has the same
/// pattern and contact unknowns skips the symbolic analysis, and when its matrix equals the
/// cached reference outside the contact block — the same model with other contact
/// parameters, gaps or loads — it skips the full factorisation too; any other difference is
/// detected entry by entry and factorised in full.
///
/// It also keeps the last analysis's Newton system (DOF map, elastic stiffness K on the
/// coupled pattern, the tangent's slots and the contact rows): an analysis of the same
/// model with the same supports and contact geometry — another friction law, stick
/// stiffness, gap or load — takes it instead of building and assembling it again.
#[derive(Default)]
pub struct FactorCache {
    solver: Option<NewtonSolver<'static>>,
    system: Option<KeptSystem>,
}

impl std::fmt::Debug for FactorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactorCache")
            .field("holds_a_factorisation", &self.solver.is_some())
            .field("holds_a_system", &self.system.is_some())
            .finish()
    }
}

impl FactorCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether neither a factorisation nor a system is held.
    pub fn is_empty(&self) -> bool {
        self.solver.is_none() && self.system.is_none()
    }

    /// Frees the held factorisation and system.
    pub fn clear(&mut self) {
        self.solver = None;
        self.system = None;
    }

    /// The kept Newton system when it serves `op`, `boundary` and `contacts`
    /// ([`KeptSystem::serves`]), in the state a new one starts in; one that does not is
    /// dropped, so that it is not held beside the one built next.
    pub(crate) fn take_system(
        &mut self,
        op: &ElasticOperator<'_>,
        boundary: &[DirichletBc],
        contacts: &[ContactNode],
    ) -> Option<NewtonSystem> {
        let kept = self.system.take()?;
        kept.serves(op, boundary, contacts).then(|| kept.restore())
    }

    /// Keeps `system` (without its Newton matrix) for the next analysis.
    pub(crate) fn keep_system(&mut self, system: NewtonSystem) {
        self.system = Some(system.into_kept());
    }

    /// The cached solver when it serves `fresh`'s interface on the pattern of `a`; a cached
    /// solver that does not is dropped, so that its factorisation is not held beside the
    /// fresh one's.
    pub(crate) fn take_matching(
        &mut self,
        fresh: &NewtonSolver<'_>,
        a: &SymmetricCsr,
    ) -> Option<NewtonSolver<'static>> {
        let matches = match (&self.solver, fresh) {
            (Some(NewtonSolver::Interface(cached)), NewtonSolver::Interface(new)) => {
                cached.requested_interface() == new.requested_interface()
                    && cached.requested_terms() == new.requested_terms()
                    && cached.is_analysed_for(a)
            }
            _ => false,
        };
        let held = self.solver.take();
        if matches { held } else { None }
    }

    /// Keeps `solver` when it updates an interface (a full-refactorisation solver has
    /// nothing worth keeping beyond its symbolic analysis).
    pub(crate) fn keep(&mut self, solver: NewtonSolver<'_>) {
        self.solver = match solver {
            NewtonSolver::Interface(s) => Some(NewtonSolver::Interface(s)),
            _ => None,
        };
    }
}
