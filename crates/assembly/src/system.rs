//! The constrained system of one set of prescribed DOFs: the reduced stiffness Tᵀ K T in a
//! serial sparse matrix, on top of the [`Constraints`] that form the right-hand side and
//! recover the solution (MFEM's `FormLinearSystem` / `RecoverFEMSolution` pair).
//!
//! - **form**: the reduced stiffness Tᵀ K T ([`ConstrainedSystem::assemble`]) and right-hand
//!   side Tᵀ (f − K g) ([`ConstrainedSystem::form_rhs`]);
//! - **recover**: u = T x + g, reactions, recovered strain and stress
//!   ([`ConstrainedSystem::step_solution`]);
//! - **explain**: a singular factorisation as the node and direction that is not held
//!   ([`ConstrainedSystem::explain`]).
//!
//! The linear analysis and the contact analysis both build on it; contact adds the
//! slave–master couplings to the pattern ([`ConstrainedSystem::setup_with_couplings`]).

use osteon_solver::{SolverError, SymmetricCsr};

use crate::assemble::{assemble_stiffness, refill_stiffness};
use crate::constraints::Constraints;
use crate::dofs::DofMap;
use crate::error::AssemblyError;
use crate::model::DirichletBc;
use crate::operator::ElasticOperator;
use crate::pattern::SparsityPattern;
use crate::rigid_body::check_rigid_body_modes;
use crate::slots::ElementSlots;
use crate::solution::StepSolution;

/// Size of an assembled system.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SystemStats {
    /// Free unknowns.
    pub n_free: usize,
    /// Stored entries of the upper triangle.
    pub nnz_upper: usize,
    /// Element colours of the parallel assembly.
    pub n_colors: usize,
    /// Nonzeros of the Cholesky factor (0 for CG).
    pub nnz_factor: usize,
    /// Bytes of the factor values (0 for CG).
    pub factor_bytes: usize,
}

/// Constraints, sparsity pattern and reduced stiffness Tᵀ K T of one constraint set.
#[derive(Debug)]
pub struct ConstrainedSystem {
    constraints: Constraints,
    pattern: SparsityPattern,
    matrix: SymmetricCsr,
    /// Assemblies into this system so far.
    assemblies: usize,
    /// Where each element entry lands; built at the second assembly (a refill).
    slots: Option<ElementSlots>,
}

impl ConstrainedSystem {
    /// Setup: DOF map for `boundary` and the model's equations, the rigid-body check, the
    /// element pattern and its colouring. The matrix is allocated, not assembled.
    ///
    /// # Errors
    /// Constraint conflicts, [`AssemblyError::RigidBodyMode`] when the supports leave the
    /// model free to move as a rigid body.
    pub fn setup(
        op: &ElasticOperator<'_>,
        boundary: &[DirichletBc],
    ) -> Result<Self, AssemblyError> {
        let constraints = Constraints::setup(op, boundary)?;
        let (pattern, matrix) = SparsityPattern::build(&op.model().mesh, constraints.dofs())?;
        Ok(Self {
            constraints,
            pattern,
            matrix,
            assemblies: 0,
            slots: None,
        })
    }

    /// Setup with extra couplings: `couplings(dofs)` lists groups of free unknowns that
    /// must share matrix entries besides the elements' (e.g. a contact slave node with its
    /// master face). The whole-model rigid-body check is skipped, since couplings may hold
    /// what the supports alone leave free; a free part is then found by the factorisation.
    ///
    /// # Errors
    /// Constraint conflicts, or an unknown in `couplings` that does not exist.
    pub fn setup_with_couplings(
        op: &ElasticOperator<'_>,
        boundary: &[DirichletBc],
        couplings: impl FnOnce(&DofMap) -> Vec<Vec<usize>>,
    ) -> Result<Self, AssemblyError> {
        let model = op.model();
        let dofs = DofMap::new(&model.mesh, boundary, &model.equations)?;
        let groups = couplings(&dofs);
        if groups.is_empty() {
            check_rigid_body_modes(&model.mesh, &dofs, &model.equations)?;
        }
        let (pattern, matrix) = SparsityPattern::build_with_couplings(&model.mesh, &dofs, &groups)?;
        Ok(Self {
            constraints: Constraints::from_dofs(dofs, boundary),
            pattern,
            matrix,
            assemblies: 0,
            slots: None,
        })
    }

    /// Assembly: fill the reduced stiffness Tᵀ K T (N/mm) into the pattern, for the
    /// materials of `op` (an operator of the same mesh; its materials may differ from the
    /// last assembly's).
    ///
    /// The first assembly finds each element entry's place by merging; a second one (a
    /// refill: other materials, a design variant) builds the [`ElementSlots`] map and it and
    /// every later one scatter through it ([`refill_stiffness`]).
    pub fn assemble(&mut self, op: &ElasticOperator<'_>) -> Result<(), AssemblyError> {
        let (mesh, dofs) = (op.mesh(), self.constraints.dofs());
        let (materials, d) = (op.element_materials(), op.stiffnesses());
        if self.assemblies == 0 {
            assemble_stiffness(mesh, dofs, &self.pattern, materials, d, &mut self.matrix)?;
        } else {
            let slots = match self.slots.take() {
                Some(slots) => slots,
                None => ElementSlots::build(&self.pattern, &self.matrix)?,
            };
            let filled = refill_stiffness(
                mesh,
                dofs,
                &self.pattern,
                &slots,
                materials,
                d,
                &mut self.matrix,
            );
            self.slots = Some(slots);
            filled?;
        }
        self.assemblies += 1;
        Ok(())
    }

    /// The element → slot map, once a refill has built it.
    pub fn slot_map(&self) -> Option<&ElementSlots> {
        self.slots.as_ref()
    }

    /// The constraints: right-hand side and recovery without the matrix.
    pub fn constraints(&self) -> &Constraints {
        &self.constraints
    }

    /// The DOF map.
    pub fn dofs(&self) -> &DofMap {
        self.constraints.dofs()
    }

    /// The element pattern and colours.
    pub fn pattern(&self) -> &SparsityPattern {
        &self.pattern
    }

    /// The reduced stiffness (upper triangle, N/mm).
    pub fn matrix(&self) -> &SymmetricCsr {
        &self.matrix
    }

    /// Whether this system serves `boundary` (the same constrained DOFs; values may differ).
    pub fn serves(&self, boundary: &[DirichletBc]) -> bool {
        self.constraints.serves(boundary)
    }

    /// Size of the system (factor entries are the solver's to fill in).
    pub fn stats(&self) -> SystemStats {
        SystemStats {
            n_free: self.dofs().n_free(),
            nnz_upper: self.matrix.nnz_stored(),
            n_colors: self.pattern.colors().len(),
            ..SystemStats::default()
        }
    }

    /// [`Constraints::prescribed`].
    ///
    /// # Errors
    /// As [`Constraints::prescribed`].
    pub fn prescribed(&self, boundary: &[DirichletBc]) -> Result<Vec<f64>, AssemblyError> {
        self.constraints.prescribed(boundary)
    }

    /// [`Constraints::lifting`].
    ///
    /// # Errors
    /// As [`Constraints::lifting`].
    pub fn lifting(&self, op: &ElasticOperator<'_>, g: &[f64]) -> Result<Vec<f64>, AssemblyError> {
        self.constraints.lifting(op, g)
    }

    /// [`Constraints::form_rhs`].
    ///
    /// # Errors
    /// As [`Constraints::form_rhs`].
    pub fn form_rhs(
        &self,
        op: &ElasticOperator<'_>,
        f_ext: &[f64],
        g: &[f64],
    ) -> Result<Vec<f64>, AssemblyError> {
        self.constraints.form_rhs(op, f_ext, g)
    }

    /// [`Constraints::expand`].
    pub fn expand(&self, x: &[f64], g: &[f64]) -> Vec<f64> {
        self.constraints.expand(x, g)
    }

    /// [`Constraints::explain`].
    pub fn explain(&self, op: &ElasticOperator<'_>, err: SolverError) -> AssemblyError {
        self.constraints.explain(op, err)
    }

    /// [`Constraints::step_solution`].
    ///
    /// # Errors
    /// As [`Constraints::step_solution`].
    pub fn step_solution(
        &self,
        op: &ElasticOperator<'_>,
        name: &str,
        u: &[f64],
        f_ext: &[f64],
        f_support: Option<&[f64]>,
        f_other: Option<&[f64]>,
    ) -> Result<StepSolution, AssemblyError> {
        self.constraints
            .step_solution(op, name, u, f_ext, f_support, f_other)
    }
}
