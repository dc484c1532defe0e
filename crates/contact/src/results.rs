//! What [`crate::solve_contact`] returns: one [`StepSolution`] per step (with its
//! [`ContactState`]), the pairing reports and the phase timings.

use osteon_assembly::contact::{ContactState, IncrementLog};
use osteon_assembly::{PhaseTimings, StepSolution};

use crate::pairing::PairingReport;

/// Wall-clock seconds per phase of a contact analysis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactTimings {
    /// Pairing (projection, areas, penalties).
    pub pairing: f64,
    /// DOF maps, extended patterns and elastic stiffness assembly.
    pub setup: f64,
    /// Newton systems taken from the [`crate::FactorCache`] instead of being set up (the
    /// same model, supports and contact geometry as the cached analysis).
    pub systems_reused: usize,
    /// Symbolic analyses (ordering + symbolic factorisation), once per constraint set.
    pub analyse: f64,
    /// Numeric factorisations (one per Newton iteration).
    pub factorise: f64,
    /// Triangular solves.
    pub solve: f64,
    /// Contact evaluation, residuals and tangent assembly.
    pub contact: f64,
    /// Number of factorisations of the Newton matrix (full or interface updates).
    pub factorisations: usize,
    /// Of those, the interface updates (updates of the Schur complement on the contact
    /// unknowns, see [`crate::TangentFactorisation::InterfaceUpdate`]).
    pub interface_updates: usize,
    /// Of the interface updates, the low-rank ones (the Woodbury identity on the changed
    /// unknowns; the others factorise the dense Schur complement).
    pub interface_low_rank_updates: usize,
    /// Contact unknowns of the interface update (of the last Newton system); 0 when every
    /// Newton matrix was factorised in full.
    pub interface_unknowns: usize,
    /// Of `factorise`, the seconds of the interface updates, with forming what the low-rank
    /// ones build on (the terms' projections, or the inverse of the reference Schur
    /// complement); the rest are full factorisations and forming the reference Schur
    /// complement.
    pub interface_update_seconds: f64,
    /// Number of Newton solves.
    pub solves: usize,
    /// Of those, the solves on the interface unknowns alone (the interface solver's
    /// condensed Newton: the interior substituted once per Newton run, not per solve).
    pub condensed_solves: usize,
    /// GMRES iterations (extra triangular solves) of the consistent slip tangent.
    pub gmres_iterations: usize,
    /// Strain/stress recovery at the end of the steps.
    pub recover: f64,
    /// Whole analysis.
    pub total: f64,
}

impl ContactTimings {
    /// The phases in the linear analysis's terms: setup = pairing + DOF maps + elastic K,
    /// analyse, factorise, solve = triangular solves + contact evaluation, recover.
    pub fn phases(&self) -> PhaseTimings {
        PhaseTimings {
            setup: self.pairing + self.setup,
            assemble: 0.0,
            analyse: self.analyse,
            factorise: self.factorise,
            solve: self.solve + self.contact,
            recover: self.recover,
        }
    }
}

/// The result of [`crate::solve_contact`].
#[derive(Clone, Debug)]
pub struct ContactSolution {
    /// One per step, each with its [`ContactState`] (pairs, slave nodes, increments).
    pub steps: Vec<StepSolution>,
    /// One per pair.
    pub pairing: Vec<PairingReport>,
    /// Phase timings.
    pub timings: ContactTimings,
    /// Free unknowns of the (last) Newton system.
    pub n_unknowns: usize,
}

impl ContactSolution {
    /// The last step's results.
    pub fn last(&self) -> Option<&StepSolution> {
        self.steps.last()
    }

    /// The contact state of step `k` (0-based).
    pub fn contact(&self, k: usize) -> Option<&ContactState> {
        self.steps.get(k).and_then(|s| s.contact.as_ref())
    }

    /// Every converged increment of every step, in order.
    pub fn increments(&self) -> impl Iterator<Item = &IncrementLog> {
        self.steps
            .iter()
            .filter_map(|s| s.contact.as_ref())
            .flat_map(|c| c.increments.iter())
    }
}
