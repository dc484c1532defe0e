//! The solution of one step — what the linear and the contact analyses both return.

use nalgebra::Vector3;

use crate::contact::ContactState;
use crate::recovery::RecoveredFields;

/// How the step was solved.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepDiagnostics {
    /// Linear step: ‖b − A x‖/‖b‖ of the reduced system. Contact step: ‖r‖/(force scale)
    /// of the Newton residual at the end of the step's last increment.
    pub relative_residual: f64,
    /// Iterations of the iterative linear solver (conjugate gradients); 0 for the direct
    /// solver and for contact steps.
    pub linear_iterations: usize,
    /// Newton iterations (linear solves) over the step's increments; 0 for a linear step.
    pub newton_iterations: usize,
    /// Converged load increments (1 for a linear step).
    pub increments: usize,
}

/// The state at the end of one step (load case): displacements, reactions, the applied load,
/// recovered strain and stress, how it was solved, and — for a contact analysis — the
/// contact state. Both [`solve_linear_static`](crate::solve_linear_static) and the contact
/// solver return one per step, built by
/// [`ConstrainedSystem::step_solution`](crate::ConstrainedSystem::step_solution).
#[derive(Clone, Debug, Default)]
pub struct StepSolution {
    /// Step (load case) name.
    pub name: String,
    /// Displacement of every node (mm).
    pub displacement: Vec<[f64; 3]>,
    /// Reaction force at every node (N): K u (+ contact forces) − f at prescribed DOFs,
    /// including the share of eliminated DOFs whose equations involve them; zero elsewhere.
    pub reaction: Vec<[f64; 3]>,
    /// Sum of the external forces applied (N), for equilibrium checks.
    pub applied_total: [f64; 3],
    /// Moment of the external forces about the origin (N·mm), Σ x × f at the nodes'
    /// undeformed positions (small displacements), for equilibrium checks.
    pub applied_moment: [f64; 3],
    /// Moment of the reactions about the origin (N·mm), Σ x × R; in equilibrium it is
    /// −`applied_moment`.
    pub reaction_moment: [f64; 3],
    /// Solver diagnostics.
    pub diagnostics: StepDiagnostics,
    /// Strain and stress (empty when recovery was not requested).
    pub fields: RecoveredFields,
    /// Contact pairs, slip and increments; `None` for a linear step.
    pub contact: Option<ContactState>,
}

impl StepSolution {
    /// The solution of the same problem under `factor` (> 0) times its loads, named `name`,
    /// for a problem that is positively homogeneous of degree one in its loads: small-strain
    /// linear elasticity, and frictional contact solved from the unloaded state with no
    /// initial gap (gaps, pressures, tractions and slips scale with the load, the statuses
    /// do not). Displacements, reactions, applied totals and moments, strains, stresses and
    /// the contact state are multiplied by `factor`; nothing was iterated for it, so the
    /// diagnostics keep only the relative residual and the contact state has no increment
    /// log.
    pub fn scaled(&self, name: &str, factor: f64) -> StepSolution {
        let times = |v: &[[f64; 3]]| v.iter().map(|a| a.map(|x| factor * x)).collect();
        StepSolution {
            name: name.to_string(),
            displacement: times(&self.displacement),
            reaction: times(&self.reaction),
            applied_total: self.applied_total.map(|x| factor * x),
            applied_moment: self.applied_moment.map(|x| factor * x),
            reaction_moment: self.reaction_moment.map(|x| factor * x),
            diagnostics: StepDiagnostics {
                relative_residual: self.diagnostics.relative_residual,
                ..StepDiagnostics::default()
            },
            fields: self.fields.scaled(factor),
            contact: self.contact.as_ref().map(|c| c.scaled(factor)),
        }
    }

    /// Largest displacement magnitude (mm).
    pub fn max_displacement(&self) -> f64 {
        self.displacement
            .iter()
            .map(|u| Vector3::from(*u).norm())
            .fold(0.0, f64::max)
    }

    /// Largest difference of one displacement component from `other`'s at the same node
    /// (mm); `None` when the two have different numbers of nodes.
    pub fn max_displacement_difference(&self, other: &StepSolution) -> Option<f64> {
        (self.displacement.len() == other.displacement.len()).then(|| {
            self.displacement
                .iter()
                .zip(&other.displacement)
                .flat_map(|(p, q)| (0..3).map(move |k| (p[k] - q[k]).abs()))
                .fold(0.0, f64::max)
        })
    }

    /// Sum of reactions over `nodes` (N).
    pub fn reaction_sum(&self, nodes: &[usize]) -> [f64; 3] {
        nodes.iter().fold([0.0; 3], |s, &n| {
            std::array::from_fn(|k| s[k] + self.reaction[n][k])
        })
    }

    /// Sum of all reactions (N).
    pub fn total_reaction(&self) -> [f64; 3] {
        self.reaction
            .iter()
            .fold([0.0; 3], |s, r| std::array::from_fn(|k| s[k] + r[k]))
    }

    /// The displacement as a raw vector (3 per node, mm).
    pub fn raw_displacement(&self) -> Vec<f64> {
        self.displacement.iter().flatten().copied().collect()
    }
}
