//! The constraints of one set of prescribed DOFs, without a matrix: forming the reduced
//! right-hand side and recovering the solution from the reduced unknowns (MFEM's
//! `FormLinearSystem` / `RecoverFEMSolution` pair, less the matrix).
//!
//! With T the map from free unknowns to raw DOFs and g the prescribed part (u = T x + g):
//!
//! - **form**: the reduced right-hand side Tᵀ (f − K g) ([`Constraints::form_rhs`]);
//! - **recover**: u = T x + g, reactions K u (+ other internal forces) − f at the prescribed
//!   DOFs ([`Constraints::step_solution`]);
//! - **explain**: a singular factorisation as the node and direction that is not held
//!   ([`Constraints::explain`]).
//!
//! [`crate::ConstrainedSystem`] adds the reduced stiffness Tᵀ K T in a serial sparse matrix;
//! a distributed backend assembles its own matrix and uses these for the rest.

use osteon_solver::{SolveReport, SolverError};

use crate::dofs::{DofMap, DofState};
use crate::error::{AssemblyError, axis_name};
use crate::model::DirichletBc;
use crate::operator::{CaseLoads, ElasticOperator};
use crate::rigid_body::check_rigid_body_modes;
use crate::solution::{StepDiagnostics, StepSolution};

/// The DOF map of one constraint set and the prescribed DOFs it was built for.
#[derive(Clone, Debug)]
pub struct Constraints {
    dofs: DofMap,
    constrained: Vec<usize>,
}

/// Sorted, unique constrained raw DOFs of a boundary list: two boundary lists with the same
/// key share one system (and one factorisation).
fn constrained_key(boundary: &[DirichletBc]) -> Vec<usize> {
    let mut k: Vec<usize> = boundary.iter().map(|b| 3 * b.node + b.component).collect();
    k.sort_unstable();
    k.dedup();
    k
}

impl Constraints {
    /// The DOF map for `boundary` and the model's equations, and the check that the supports
    /// hold every rigid-body motion.
    ///
    /// # Errors
    /// Constraint conflicts, [`AssemblyError::RigidBodyMode`] when the supports leave the
    /// model free to move as a rigid body.
    pub fn setup(
        op: &ElasticOperator<'_>,
        boundary: &[DirichletBc],
    ) -> Result<Self, AssemblyError> {
        let model = op.model();
        let dofs = DofMap::new(&model.mesh, boundary, &model.equations)?;
        check_rigid_body_modes(&model.mesh, &dofs, &model.equations)?;
        Ok(Self::from_dofs(dofs, boundary))
    }

    /// Constraints from a DOF map already built for `boundary` (no rigid-body check).
    pub(crate) fn from_dofs(dofs: DofMap, boundary: &[DirichletBc]) -> Self {
        Self {
            dofs,
            constrained: constrained_key(boundary),
        }
    }

    /// The DOF map.
    pub fn dofs(&self) -> &DofMap {
        &self.dofs
    }

    /// Whether these constraints serve `boundary` (the same constrained DOFs; values may
    /// differ).
    pub fn serves(&self, boundary: &[DirichletBc]) -> bool {
        self.constrained == constrained_key(boundary)
    }

    /// The raw vector g of prescribed displacements for `boundary` (mm), checked against the
    /// equations whose DOFs are all prescribed ([`DofMap::check_prescribed`]).
    ///
    /// # Errors
    /// [`AssemblyError::ConstraintConflict`] when the prescribed values contradict such an
    /// equation.
    pub fn prescribed(&self, boundary: &[DirichletBc]) -> Result<Vec<f64>, AssemblyError> {
        let g = self.dofs.prescribed_vector(boundary);
        self.dofs.check_prescribed(&g)?;
        Ok(g)
    }

    /// Tᵀ K g: what the prescribed displacements g push onto the free unknowns (N); zero
    /// without computing K g when g = 0.
    pub fn lifting(&self, op: &ElasticOperator<'_>, g: &[f64]) -> Result<Vec<f64>, AssemblyError> {
        if g.iter().all(|&v| v == 0.0) {
            return Ok(vec![0.0; self.dofs.n_free()]);
        }
        Ok(self.dofs.reduce(&op.internal_forces(g)?))
    }

    /// The reduced right-hand side Tᵀ (f − K g) (N).
    pub fn form_rhs(
        &self,
        op: &ElasticOperator<'_>,
        f_ext: &[f64],
        g: &[f64],
    ) -> Result<Vec<f64>, AssemblyError> {
        let mut rhs = self.dofs.reduce(f_ext);
        for (r, l) in rhs.iter_mut().zip(self.lifting(op, g)?) {
            *r -= l;
        }
        Ok(rhs)
    }

    /// u = T x + g: raw displacements (mm) from the reduced solution `x`.
    pub fn expand(&self, x: &[f64], g: &[f64]) -> Vec<f64> {
        self.dofs.expand(x, g)
    }

    /// Turn a solver failure into a message about the model (node id and direction).
    pub fn explain(&self, op: &ElasticOperator<'_>, err: SolverError) -> AssemblyError {
        match err {
            SolverError::NotPositiveDefinite { unknown, .. } if unknown < self.dofs.n_free() => {
                let raw = self.dofs.free_to_raw(unknown);
                AssemblyError::Singular {
                    node_id: op.mesh().node_ids[raw / 3],
                    direction: axis_name(raw % 3),
                    unknown,
                }
            }
            other => AssemblyError::Solver(other),
        }
    }

    /// Recover a linear step from the reduced solution `x` of its loads and prescribed
    /// values `g`: u = T x + g ([`Constraints::expand`]), the step's displacements,
    /// reactions and applied total ([`Constraints::step_solution`]), and the diagnostics of
    /// one linear solve (`report`). Returns the step (without recovered fields) and u (mm).
    ///
    /// # Errors
    /// As [`Constraints::step_solution`].
    pub fn linear_step(
        &self,
        op: &ElasticOperator<'_>,
        name: &str,
        x: &[f64],
        g: &[f64],
        loads: &CaseLoads,
        report: SolveReport,
    ) -> Result<(StepSolution, Vec<f64>), AssemblyError> {
        let u = self.expand(x, g);
        let mut step =
            self.step_solution(op, name, &u, &loads.applied, loads.support.as_deref(), None)?;
        step.diagnostics = StepDiagnostics {
            relative_residual: report.relative_residual,
            linear_iterations: report.iterations,
            newton_iterations: 0,
            increments: 1,
        };
        Ok((step, u))
    }

    /// Recover the step's solution from raw displacements `u` (mm): displacements, reactions
    /// R = K u + f_other − f_ext − f_support at the prescribed DOFs (f_other: further
    /// internal forces such as contact forces, N) and the applied total (of `f_ext`).
    /// Diagnostics, recovered fields and contact state are the caller's to fill in.
    ///
    /// With a coupled support ([`crate::CoupledSupport`]), `f_support` is its reaction (from
    /// [`ElasticOperator::case_loads`], added to the loads of the solve): it is reported
    /// as the reactions of the coupled nodes, and the coupled nodes' mean rigid motion,
    /// which the support holds at zero, is removed from the displacements.
    ///
    /// The residual of an eliminated DOF is the force its equation carries; it is handed on to
    /// the prescribed DOFs it depends on with the same coefficients (virtual work:
    /// δu_d r_d = Σ b_k δu_k r_d), so prescribed DOFs in equations (e.g. tied master nodes on
    /// a support) receive their share.
    pub fn step_solution(
        &self,
        op: &ElasticOperator<'_>,
        name: &str,
        u: &[f64],
        f_ext: &[f64],
        f_support: Option<&[f64]>,
        f_other: Option<&[f64]>,
    ) -> Result<StepSolution, AssemblyError> {
        let n = op.mesh().n_nodes();
        let mut residual = op.internal_forces(u)?;
        for (r, f) in residual.iter_mut().zip(f_ext) {
            *r -= f;
        }
        if let Some(s) = f_support {
            for (r, f) in residual.iter_mut().zip(s) {
                *r -= f;
            }
        }
        if let Some(other) = f_other {
            for (r, f) in residual.iter_mut().zip(other) {
                *r += f;
            }
        }
        for r in 0..residual.len() {
            if let DofState::Dependent(k) = self.dofs.state(r) {
                let rd = residual[r];
                for &(p, b) in &self.dofs.dependent(k).prescribed {
                    residual[p] += b * rd;
                }
            }
        }
        let mut reaction = vec![[0.0; 3]; n];
        let mut displacement = vec![[0.0; 3]; n];
        let coords = &op.mesh().coords;
        let reference = match op.coupled_support() {
            Some(support) => Some(support.reference_motion(coords, u)?),
            None => None,
        };
        let mut applied_total = [0.0; 3];
        let mut applied_moment = nalgebra::Vector3::zeros();
        let mut reaction_moment = nalgebra::Vector3::zeros();
        for node in 0..n {
            let rigid = reference
                .as_ref()
                .map_or([0.0; 3], |m| m.displacement_at(coords[node]));
            for c in 0..3 {
                let r = 3 * node + c;
                displacement[node][c] = u[r] - rigid[c];
                applied_total[c] += f_ext[r];
                if self.dofs.state(r) == DofState::Prescribed {
                    reaction[node][c] = residual[r];
                }
                if let Some(s) = f_support {
                    reaction[node][c] += s[r];
                }
            }
            let f =
                nalgebra::Vector3::new(f_ext[3 * node], f_ext[3 * node + 1], f_ext[3 * node + 2]);
            let x = nalgebra::Vector3::from(coords[node]);
            applied_moment += x.cross(&f);
            reaction_moment += x.cross(&nalgebra::Vector3::from(reaction[node]));
        }
        if let (Some(support), Some(_)) = (op.coupled_support(), f_support) {
            check_pins_unloaded(support, &residual, f_ext)?;
        }
        Ok(StepSolution {
            name: name.to_string(),
            displacement,
            reaction,
            applied_total,
            applied_moment: applied_moment.into(),
            reaction_moment: reaction_moment.into(),
            ..StepSolution::default()
        })
    }
}

/// With a coupled support the pins carry only the solve's round-off, since the support's
/// reaction balances the loads before the solve. A pin reaction above 1e-6 of the applied
/// load means something else holds the body too (a prescribed displacement elsewhere), and
/// the result would not be the coupling's: refuse it.
fn check_pins_unloaded(
    support: &crate::CoupledSupport,
    residual: &[f64],
    f_ext: &[f64],
) -> Result<(), AssemblyError> {
    let applied = f_ext
        .chunks_exact(3)
        .fold(nalgebra::Vector3::zeros(), |s, f| {
            s + nalgebra::Vector3::new(f[0].abs(), f[1].abs(), f[2].abs())
        })
        .norm();
    let pins = support
        .pins
        .iter()
        .map(|&(n, c)| residual[3 * n + c].abs())
        .fold(0.0, f64::max);
    if applied > 0.0 && pins > 1e-6 * applied {
        return Err(AssemblyError::InvalidModel {
            detail: format!(
                "the coupled support '{}' is not the only support: its pins carry {pins:.3e} N against {applied:.3e} N of load; remove the other prescribed displacements or clamp instead of coupling",
                support.name
            ),
        });
    }
    Ok(())
}
