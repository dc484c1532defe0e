//! The linear solver of the Newton iterations: a sparse Cholesky factorisation of the whole
//! Newton matrix in every iteration, or one factorisation of the interiors with the contact
//! unknowns last and dense updates of their Schur complement
//! ([`TangentFactorisation`]).

use osteon_solver::{
    CholeskyOptions, CholeskySolver, InterfaceCholesky, LinearSolver, Ordering, SolveReport,
    SolverError, SymmetricCsr,
};

use crate::definition::{MAX_AUTO_INTERFACE, TangentFactorisation};
use crate::pairing::ContactNode;
use crate::results::ContactTimings;
use crate::system::{NewtonSystem, contact_unknowns};

/// The Newton matrix's solver for one Newton system.
pub(crate) enum NewtonSolver {
    /// Full numeric factorisation every iteration.
    Full(Box<CholeskySolver>),
    /// Interface Schur-complement updates.
    Interface(Box<InterfaceCholesky>),
}

impl NewtonSolver {
    /// The solver `choice` asks for on `sys` (not analysed yet).
    pub fn new(
        choice: TangentFactorisation,
        sys: &NewtonSystem,
        contacts: &[ContactNode],
        threads: usize,
    ) -> Self {
        let options = CholeskyOptions {
            ordering: Ordering::NestedDissection,
            threads,
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
        match choice {
            TangentFactorisation::InterfaceUpdate => {
                Self::Interface(Box::new(InterfaceCholesky::new(options, interface)))
            }
            TangentFactorisation::Auto if interface_pays => {
                Self::Interface(Box::new(InterfaceCholesky::new(options, interface)))
            }
            _ => Self::Full(Box::new(CholeskySolver::new(options))),
        }
    }

    /// The solver as a [`LinearSolver`].
    pub fn linear(&mut self) -> &mut dyn LinearSolver {
        match self {
            Self::Full(s) => s.as_mut(),
            Self::Interface(s) => s.as_mut(),
        }
    }

    /// Interface unknowns, interface updates so far and their seconds (0, 0 and 0 for the
    /// full path).
    pub fn interface_counts(&self) -> (usize, usize, f64) {
        match self {
            Self::Full(_) => (0, 0, 0.0),
            Self::Interface(s) => {
                let stats = s.interface_stats();
                (
                    stats.interface_unknowns,
                    stats.updates,
                    stats.update_seconds,
                )
            }
        }
    }

    /// Adds the interface updates and their seconds since `before` (the counts when this
    /// analysis took the solver) to `timings`.
    pub fn add_counts(&self, timings: &mut ContactTimings, before: (usize, usize, f64)) {
        let (_, updates, seconds) = self.interface_counts();
        timings.interface_updates += updates.saturating_sub(before.1);
        timings.interface_update_seconds += (seconds - before.2).max(0.0);
    }

    /// Numeric factorisation of `a`.
    pub fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError> {
        self.linear().factorise(a)
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
#[derive(Default)]
pub struct FactorCache {
    solver: Option<NewtonSolver>,
}

impl std::fmt::Debug for FactorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactorCache")
            .field("holds_a_factorisation", &self.solver.is_some())
            .finish()
    }
}

impl FactorCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a factorisation is held.
    pub fn is_empty(&self) -> bool {
        self.solver.is_none()
    }

    /// Frees the held factorisation.
    pub fn clear(&mut self) {
        self.solver = None;
    }

    /// The cached solver when it serves `fresh`'s interface on the pattern of `a`.
    pub(crate) fn take_matching(
        &mut self,
        fresh: &NewtonSolver,
        a: &SymmetricCsr,
    ) -> Option<NewtonSolver> {
        let matches = match (&self.solver, fresh) {
            (Some(NewtonSolver::Interface(cached)), NewtonSolver::Interface(new)) => {
                cached.requested_interface() == new.requested_interface()
                    && cached.is_analysed_for(a)
            }
            _ => false,
        };
        if matches { self.solver.take() } else { None }
    }

    /// Keeps `solver` when it updates an interface (a full-refactorisation solver has
    /// nothing worth keeping beyond its symbolic analysis).
    pub(crate) fn keep(&mut self, solver: NewtonSolver) {
        self.solver = matches!(solver, NewtonSolver::Interface(_)).then_some(solver);
    }
}
