//! The `contact` section of a step in the JSON run summary
//! ([`crate::summary::CaseSummary::contact`]): nodes in contact, sticking and slipping, the
//! micromotion ([`Micromotion`]: over the paired slave surface, open regions included,
//! relative to the unloaded state), the
//! increments and per-pair forces. Summarised from the step's
//! [`ContactState`](osteon_assembly::ContactState); the contact point data of the VTU files
//! is written by [`crate::vtu::VtuFields::from_case`].

use nalgebra::Vector3;
use serde::{Deserialize, Serialize};

use osteon_assembly::contact::Micromotion;
use osteon_assembly::{AssemblyError, Model, StepSolution};

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
    /// Micromotion relative to the unloaded state ([`Micromotion`]: the one definition the
    /// study uses too): over all interfaces and per pair.
    #[serde(default)]
    pub micromotion: Micromotion,
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
    /// Summarise the contact state of step `k` (0-based) of `steps` of `model`; the default
    /// (empty) summary for a step without contact.
    ///
    /// # Errors
    /// A slave face of the model's contact pairs that does not exist in its mesh.
    pub fn new(model: &Model, steps: &[StepSolution], k: usize) -> Result<Self, AssemblyError> {
        let Some(state) = steps.get(k).and_then(|s| s.contact.as_ref()) else {
            return Ok(Self::default());
        };
        let micromotion = Micromotion::between(&model.mesh, &model.contact_pairs, steps, k, None)?
            .unwrap_or_default();
        let logs = &state.increments;
        let pairs: Vec<PairSummary> = state
            .pairs
            .iter()
            .map(|p| {
                let (c, st, sl) = p.counts();
                let f = p.friction_force;
                let t = Vector3::from(f).norm();
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
        Ok(Self {
            nodes_in_contact: pairs.iter().map(|p| p.nodes_in_contact).sum(),
            sticking: pairs.iter().map(|p| p.sticking).sum(),
            slipping: pairs.iter().map(|p| p.slipping).sum(),
            max_pressure_mpa: pairs.iter().map(|p| p.max_pressure_mpa).fold(0.0, f64::max),
            micromotion,
            increments: logs.len(),
            iterations: logs.iter().map(|l| l.iterations).sum(),
            cutbacks: logs.iter().map(|l| l.cutbacks).sum(),
            final_residual_n: logs
                .last()
                .and_then(|l| l.residuals.last().copied())
                .unwrap_or(0.0),
            max_penetration_mm: logs.last().map_or(0.0, |l| l.max_penetration),
            pairs,
        })
    }
}
