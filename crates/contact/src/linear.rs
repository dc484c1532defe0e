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

    /// Adds the interface updates and their seconds to `timings`.
    pub fn add_counts(&self, timings: &mut ContactTimings) {
        let (_, updates, seconds) = self.interface_counts();
        timings.interface_updates += updates;
        timings.interface_update_seconds += seconds;
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
