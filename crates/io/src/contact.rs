//! The `contact` section of a step in the JSON run summary
//! ([`crate::summary::CaseSummary::contact`]): nodes in contact, sticking and slipping, the
//! micromotion statistics over the contact area (relative to the unloaded state), the
//! increments and per-pair forces. Summarised from the step's
//! [`ContactState`](osteon_assembly::ContactState); the contact point data of the VTU files
//! is written by [`crate::vtu::VtuFields::from_case`].

use serde::{Deserialize, Serialize};

use osteon_assembly::StepSolution;
use osteon_assembly::contact::{micromotion_between, summarize_micromotion};

/// One contact pair at the end of a step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairSummary {
    /// Pair name (`SLAVE-MASTER`).
    pub name: String,
    /// Paired slave nodes.
    pub slave_nodes: usize,
    /// Nodes in contact (stick + slip), sticking, slipping.
    pub nodes_in_contact: usize,
    /// Sticking nodes.
    pub sticking: usize,
    /// Slipping nodes.
    pub slipping: usize,
    /// Σ A p: total normal contact force (N).
    pub normal_force_n: f64,
    /// Friction force the master exerts on the slave nodes (N).
    pub friction_force_n: [f64; 3],
    /// |friction force| / normal force (μ when every node slides one way).
    pub friction_to_normal_ratio: f64,
    /// Largest contact pressure (MPa).
    pub max_pressure_mpa: f64,
}

/// Fractions of the contact area (by tributary area, nodes in contact) whose micromotion is
/// below the ingrowth thresholds (DESIGN.md §5).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AreaFractions {
    /// Below 28 µm.
    pub below_28_um: f64,
    /// Below 50 µm.
    pub below_50_um: f64,
    /// Below 100 µm.
    pub below_100_um: f64,
    /// Below 150 µm.
    pub below_150_um: f64,
}

impl AreaFractions {
    /// From [`MicromotionSummary::fraction_below`](osteon_assembly::contact::MicromotionSummary::fraction_below) ((threshold µm, fraction)).
    pub fn from_summary(fractions: &[(f64, f64)]) -> Self {
        let at = |t: f64| {
            fractions
                .iter()
                .find(|x| (x.0 - t).abs() < 1e-9)
                .map_or(0.0, |x| x.1)
        };
        Self {
            below_28_um: at(28.0),
            below_50_um: at(50.0),
            below_100_um: at(100.0),
            below_150_um: at(150.0),
        }
    }
}

/// The `contact` section of a step in the JSON summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactStepSummary {
    /// Slave nodes in contact (all pairs).
    pub nodes_in_contact: usize,
    /// Sticking nodes.
    pub sticking: usize,
    /// Slipping nodes.
    pub slipping: usize,
    /// Largest contact pressure (MPa).
    pub max_pressure_mpa: f64,
    /// Micromotion (slip relative to the unloaded state) over the nodes in contact: largest (µm).
    pub micromotion_max_um: f64,
    /// Area-weighted mean (µm).
    pub micromotion_mean_um: f64,
    /// 95th percentile by area (µm).
    pub micromotion_p95_um: f64,
    /// Contact-area fraction with micromotion below 28, 50, 100 and 150 µm.
    pub area_fraction_below: AreaFractions,
    /// Converged increments of the step.
    pub increments: usize,
    /// Newton iterations of the step.
    pub iterations: usize,
    /// Increment cuts (attempts that failed and were retried smaller).
    pub cutbacks: usize,
    /// ‖r‖ at the end of the step's last increment (N).
    pub final_residual_n: f64,
    /// Largest penetration at the end of the step (mm).
    pub max_penetration_mm: f64,
    /// Per pair.
    pub pairs: Vec<PairSummary>,
}

impl ContactStepSummary {
    /// Summarise the contact state of step `k` (0-based) of `steps`; the default (empty)
    /// summary for a step without contact.
    pub fn new(steps: &[StepSolution], k: usize) -> Self {
        let Some(state) = steps.get(k).and_then(|s| s.contact.as_ref()) else {
            return Self::default();
        };
        let motion = micromotion_between(steps, k, None).unwrap_or_default();
        let m = summarize_micromotion(&motion);
        let logs = &state.increments;
        let pairs: Vec<PairSummary> = state
            .pairs
            .iter()
            .map(|p| {
                let (c, st, sl) = p.counts();
                let f = p.friction_force;
                let t = (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt();
                PairSummary {
                    name: p.name.clone(),
                    slave_nodes: p.nodes.len(),
                    nodes_in_contact: c,
                    sticking: st,
                    slipping: sl,
                    normal_force_n: p.normal_force,
                    friction_force_n: f,
                    friction_to_normal_ratio: if p.normal_force > 0.0 {
                        t / p.normal_force
                    } else {
                        0.0
                    },
                    max_pressure_mpa: p.max_pressure(),
                }
            })
            .collect();
        Self {
            nodes_in_contact: pairs.iter().map(|p| p.nodes_in_contact).sum(),
            sticking: pairs.iter().map(|p| p.sticking).sum(),
            slipping: pairs.iter().map(|p| p.slipping).sum(),
            max_pressure_mpa: pairs.iter().map(|p| p.max_pressure_mpa).fold(0.0, f64::max),
            micromotion_max_um: m.max_um,
            micromotion_mean_um: m.mean_um,
            micromotion_p95_um: m.p95_um,
            area_fraction_below: AreaFractions::from_summary(&m.fraction_below),
            increments: logs.len(),
            iterations: logs.iter().map(|l| l.iterations).sum(),
            cutbacks: logs.iter().map(|l| l.cutbacks).sum(),
            final_residual_n: logs
                .last()
                .and_then(|l| l.residuals.last().copied())
                .unwrap_or(0.0),
            max_penetration_mm: logs.last().map_or(0.0, |l| l.max_penetration),
            pairs,
        }
    }
}
