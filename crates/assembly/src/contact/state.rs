//! The contact state at the end of a step — per slave node pressure, gap, slip and status,
//! per pair force totals, the log of the step's increments. The micromotion computed from it
//! is [`crate::contact::Micromotion`].
//!
//! These are results, not solver internals: they travel in
//! [`StepSolution::contact`](crate::StepSolution::contact), so writers and reports read them
//! without depending on the contact solver.

use std::fmt;

/// Contact status of a slave node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ContactStatus {
    /// Not in contact (no pressure).
    #[default]
    Open,
    /// In contact, sticking.
    Stick,
    /// In contact, sliding.
    Slip,
}

impl ContactStatus {
    /// Integer code for output: 0 open, 1 stick, 2 slip.
    pub fn code(self) -> i32 {
        match self {
            ContactStatus::Open => 0,
            ContactStatus::Stick => 1,
            ContactStatus::Slip => 2,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ContactStatus::Open => "open",
            ContactStatus::Stick => "stick",
            ContactStatus::Slip => "slip",
        }
    }
}

/// The contact state of one slave node at the end of a step.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeResult {
    /// Slave node index.
    pub node: usize,
    /// Node id from the input.
    pub node_id: i64,
    /// Open, stick or slip.
    pub status: ContactStatus,
    /// Contact pressure (MPa).
    pub pressure: f64,
    /// Normal gap (mm; negative: penetration).
    pub gap: f64,
    /// Normal gap of the unloaded state g₀ (mm): geometric, adjusted or the given clearance.
    pub initial_gap: f64,
    /// Tangential relative displacement of the slave node against the master point since
    /// the unloaded state (mm): the slip, i.e. the micromotion (elastic stick part included).
    pub slip: [f64; 3],
    /// |slip| (mm).
    pub slip_magnitude: f64,
    /// Slip in the node's tangent basis (t₁, t₂) (mm), as CalculiX's `CDIS` tang1, tang2.
    pub slip_local: [f64; 2],
    /// Irreversible (sliding) part of the slip (mm).
    pub irreversible_slip: [f64; 3],
    /// Tangential traction t (MPa), along the slave node's relative motion; the friction
    /// stress on the slave surface is −t.
    pub shear: [f64; 3],
    /// Shear in (t₁, t₂) (MPa), as CalculiX's `CSTR` tang1, tang2.
    pub shear_local: [f64; 2],
    /// Tributary area (mm²).
    pub area: f64,
    /// Unit outward normal of the master surface (from master towards slave).
    pub normal: [f64; 3],
}

/// Results of one contact pair at the end of a step.
#[derive(Clone, Debug, PartialEq)]
pub struct PairResult {
    /// Pair name.
    pub name: String,
    /// One entry per paired slave node.
    pub nodes: Vec<NodeResult>,
    /// Σ A p: total normal contact force (N).
    pub normal_force: f64,
    /// Total force the master surface exerts on the slave nodes, Σ A (p n − t) (N).
    pub contact_force: [f64; 3],
    /// Its friction part, Σ −A t (N).
    pub friction_force: [f64; 3],
}

impl NodeResult {
    /// The node's state under `factor` times the load of a problem with no initial gap
    /// (see [`crate::StepSolution::scaled`]): gap, pressure, slips and tractions scaled.
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            pressure: factor * self.pressure,
            gap: factor * self.gap,
            slip: self.slip.map(|x| factor * x),
            slip_magnitude: factor * self.slip_magnitude,
            slip_local: self.slip_local.map(|x| factor * x),
            irreversible_slip: self.irreversible_slip.map(|x| factor * x),
            shear: self.shear.map(|x| factor * x),
            shear_local: self.shear_local.map(|x| factor * x),
            ..self.clone()
        }
    }
}

impl PairResult {
    /// The pair's state under `factor` times the load (see [`NodeResult::scaled`]).
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            name: self.name.clone(),
            nodes: self.nodes.iter().map(|n| n.scaled(factor)).collect(),
            normal_force: factor * self.normal_force,
            contact_force: self.contact_force.map(|x| factor * x),
            friction_force: self.friction_force.map(|x| factor * x),
        }
    }

    /// Nodes in contact (stick or slip), sticking, slipping.
    pub fn counts(&self) -> (usize, usize, usize) {
        let stick = self
            .nodes
            .iter()
            .filter(|n| n.status == ContactStatus::Stick)
            .count();
        let slip = self
            .nodes
            .iter()
            .filter(|n| n.status == ContactStatus::Slip)
            .count();
        (stick + slip, stick, slip)
    }

    /// Largest contact pressure (MPa).
    pub fn max_pressure(&self) -> f64 {
        self.nodes.iter().map(|n| n.pressure).fold(0.0, f64::max)
    }
}

/// The contact part of a step's solution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactState {
    /// Per contact pair, in the order of [`Model::contact_pairs`](crate::Model::contact_pairs).
    pub pairs: Vec<PairResult>,
    /// The converged increments of the step, in order.
    pub increments: Vec<IncrementLog>,
}

impl ContactState {
    /// The state under `factor` times the load (see [`NodeResult::scaled`]), without an
    /// increment log: nothing was iterated for it.
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            pairs: self.pairs.iter().map(|p| p.scaled(factor)).collect(),
            increments: Vec::new(),
        }
    }

    /// Point-data arrays over all `n_nodes` mesh nodes for VTU output: `contact_pressure`
    /// (MPa), `slip` (mm, 3 components), `slip_magnitude` (mm) and `contact_status`
    /// (−1 not a slave node, 0 open, 1 stick, 2 slip). A node in several pairs shows the
    /// entry with the highest pressure.
    pub fn nodal_fields(&self, n_nodes: usize) -> ContactFields {
        let mut f = ContactFields {
            contact_pressure: vec![0.0; n_nodes],
            slip: vec![[0.0; 3]; n_nodes],
            slip_magnitude: vec![0.0; n_nodes],
            contact_status: vec![-1; n_nodes],
        };
        for pair in &self.pairs {
            for r in &pair.nodes {
                if r.node >= n_nodes {
                    continue;
                }
                if f.contact_status[r.node] >= 0 && f.contact_pressure[r.node] >= r.pressure {
                    continue;
                }
                f.contact_pressure[r.node] = r.pressure;
                f.slip[r.node] = r.slip;
                f.slip_magnitude[r.node] = r.slip_magnitude;
                f.contact_status[r.node] = r.status.code();
            }
        }
        f
    }

    /// Slave nodes in contact (stick or slip), sticking, slipping, over all pairs.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.pairs.iter().fold((0, 0, 0), |acc, p| {
            let c = p.counts();
            (acc.0 + c.0, acc.1 + c.1, acc.2 + c.2)
        })
    }

    /// Newton iterations (linear solves) over the step's increments.
    pub fn iterations(&self) -> usize {
        self.increments.iter().map(|l| l.iterations).sum()
    }
}

/// Nodal contact fields for VTU point data (see [`ContactState::nodal_fields`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ContactFields {
    /// `contact_pressure` (MPa).
    pub contact_pressure: Vec<f64>,
    /// `slip` vector (mm).
    pub slip: Vec<[f64; 3]>,
    /// `slip` magnitude (mm).
    pub slip_magnitude: Vec<f64>,
    /// `contact_status`: −1 not a slave node, 0 open, 1 stick, 2 slip.
    pub contact_status: Vec<i32>,
}

/// What one converged increment did.
#[derive(Clone, Debug, PartialEq)]
pub struct IncrementLog {
    /// Step number (1-based).
    pub step: usize,
    /// Increment number within the step (1-based, converged increments).
    pub increment: usize,
    /// Step fraction at the start and the end of the increment.
    pub fraction: (f64, f64),
    /// Newton iterations (linear solves) over all augmentations.
    pub iterations: usize,
    /// Augmented-Lagrangian updates.
    pub augmentations: usize,
    /// Attempts cut before this one converged.
    pub cutbacks: usize,
    /// ‖r‖₂ (N) per iteration of the last Newton loop.
    pub residuals: Vec<f64>,
    /// Force scale of the convergence test (N).
    pub force_scale: f64,
    /// Slave nodes in contact.
    pub in_contact: usize,
    /// Sticking nodes.
    pub sticking: usize,
    /// Slipping nodes.
    pub slipping: usize,
    /// Largest penetration (mm).
    pub max_penetration: f64,
    /// Largest slip magnitude of a node in contact (mm).
    pub max_slip: f64,
    /// False when the penetration tolerance of hard contact was not met within the
    /// allowed augmentations (the increment is kept, the excess is reported here).
    pub penetration_ok: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl fmt::Display for IncrementLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} inc {:>3} [{:.4} → {:.4}] iter {:>2} aug {} cut {} |r| {:.2e} / {:.2e} N  contact {} (stick {}, slip {})  max pen {:.3e} mm  max slip {:.3e} mm{}",
            self.step,
            self.increment,
            self.fraction.0,
            self.fraction.1,
            self.iterations,
            self.augmentations,
            self.cutbacks,
            self.residuals.last().copied().unwrap_or(0.0),
            self.force_scale,
            self.in_contact,
            self.sticking,
            self.slipping,
            self.max_penetration,
            self.max_slip,
            if self.penetration_ok {
                ""
            } else {
                "  (penetration above tolerance)"
            }
        )
    }
}
