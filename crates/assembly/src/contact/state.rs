//! The contact state at the end of a step — per slave node pressure, gap, slip (the
//! micromotion) and status, per pair force totals, the log of the step's increments — and the
//! micromotion metrics of `docs/biomechanics.md` §6 computed from it.
//!
//! These are results, not solver internals: they travel in
//! [`StepSolution::contact`](crate::StepSolution::contact), so writers and reports read them
//! without depending on the contact solver.

use std::fmt;

use crate::error::AssemblyError;
use crate::solution::StepSolution;

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

impl PairResult {
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

/// Micromotion of one slave node: its tangential relative displacement against the
/// master point it touches, between a reference state and a loaded state.
#[derive(Clone, Debug, PartialEq)]
pub struct Micromotion {
    /// Pair index.
    pub pair: usize,
    /// Slave node index.
    pub node: usize,
    /// Node id.
    pub node_id: i64,
    /// Slip vector (mm).
    pub slip: [f64; 3],
    /// |slip| (mm).
    pub magnitude: f64,
    /// Tributary area (mm²).
    pub area: f64,
    /// In contact in the loaded state.
    pub in_contact: bool,
}

/// Per-slave-node micromotion at the end of step `step` (0-based) of `steps` relative to the
/// end of step `reference` (e.g. the press-fit step), or to the unloaded state when `None`.
/// A step without contact state has no slave nodes (empty list).
///
/// # Errors
/// [`AssemblyError::InvalidModel`] when `step` or `reference` is not a step index.
pub fn micromotion_between(
    steps: &[StepSolution],
    step: usize,
    reference: Option<usize>,
) -> Result<Vec<Micromotion>, AssemblyError> {
    let n = steps.len();
    let bad = |s: usize| AssemblyError::InvalidModel {
        detail: format!("step index {s} does not exist ({n} steps)"),
    };
    let loaded = steps.get(step).ok_or_else(|| bad(step))?;
    let base = match reference {
        Some(r) => Some(steps.get(r).ok_or_else(|| bad(r))?),
        None => None,
    };
    let Some(loaded) = &loaded.contact else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (p, pair) in loaded.pairs.iter().enumerate() {
        for (k, r) in pair.nodes.iter().enumerate() {
            let s0 = base
                .and_then(|b| b.contact.as_ref())
                .and_then(|b| b.pairs.get(p))
                .and_then(|bp| bp.nodes.get(k))
                .map_or([0.0; 3], |b| b.slip);
            let slip = [r.slip[0] - s0[0], r.slip[1] - s0[1], r.slip[2] - s0[2]];
            let magnitude = (slip[0] * slip[0] + slip[1] * slip[1] + slip[2] * slip[2]).sqrt();
            out.push(Micromotion {
                pair: p,
                node: r.node,
                node_id: r.node_id,
                slip,
                magnitude,
                area: r.area,
                in_contact: r.status != ContactStatus::Open,
            });
        }
    }
    Ok(out)
}

/// Micromotion metrics over the nodes in contact (`docs/biomechanics.md` §6): magnitudes in µm,
/// fractions weighted by tributary area.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MicromotionSummary {
    /// Nodes counted (in contact).
    pub nodes: usize,
    /// Largest micromotion (µm).
    pub max_um: f64,
    /// Area-weighted mean (µm).
    pub mean_um: f64,
    /// 95th percentile by area (µm).
    pub p95_um: f64,
    /// Area fraction below 28, 50, 100 and 150 µm.
    pub fraction_below: [(f64, f64); 4],
}

/// Summarise micromotion over the nodes in contact.
pub fn summarize_micromotion(values: &[Micromotion]) -> MicromotionSummary {
    let mut v: Vec<(f64, f64)> = values
        .iter()
        .filter(|m| m.in_contact)
        .map(|m| (1000.0 * m.magnitude, m.area))
        .collect();
    let thresholds = [28.0, 50.0, 100.0, 150.0];
    let total: f64 = v.iter().map(|x| x.1).sum();
    if v.is_empty() || total <= 0.0 {
        return MicromotionSummary {
            fraction_below: thresholds.map(|t| (t, 0.0)),
            ..Default::default()
        };
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mean = v.iter().map(|x| x.0 * x.1).sum::<f64>() / total;
    let p95 = crate::stats::weighted_quantile(&mut v, 0.95);
    let fraction_below = thresholds.map(|t| {
        (
            t,
            v.iter().filter(|x| x.0 < t).map(|x| x.1).sum::<f64>() / total,
        )
    });
    MicromotionSummary {
        nodes: v.len(),
        max_um: v.last().map_or(0.0, |x| x.0),
        mean_um: mean,
        p95_um: p95,
        fraction_below,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_weights_by_area() {
        let m = |mag: f64, area: f64, in_contact: bool| Micromotion {
            pair: 0,
            node: 0,
            node_id: 1,
            slip: [mag, 0.0, 0.0],
            magnitude: mag,
            area,
            in_contact,
        };
        let s =
            summarize_micromotion(&[m(0.010, 1.0, true), m(0.060, 3.0, true), m(1.0, 5.0, false)]);
        assert_eq!(s.nodes, 2);
        assert!((s.max_um - 60.0).abs() < 1e-9 && (s.mean_um - 47.5).abs() < 1e-9);
        assert!(
            (s.fraction_below[0].1 - 0.25).abs() < 1e-12
                && (s.fraction_below[2].1 - 1.0).abs() < 1e-12
        );
        assert!((s.p95_um - 60.0).abs() < 1e-9);
    }
}
