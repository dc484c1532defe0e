//! The elastic operator of a model: the mesh, each element's material and the materials'
//! stiffness matrices, validated once and shared by every stage that needs K — assembly,
//! loads, lifting of prescribed displacements, reactions and stress recovery.

use osteon_material::Voigt6x6;
use osteon_mesh::Mesh;

use crate::assemble::element_materials;
use crate::error::AssemblyError;
use crate::forces::internal_forces;
use crate::loads::external_forces;
use crate::model::{LoadCase, Model};
use crate::recovery::{RecoveredFields, recover_fields};

/// A model's linear-elastic operator u ↦ K u, with what builds it.
///
/// ```
/// use osteon_assembly::{ElasticOperator, Model};
/// use osteon_material::{IsotropicElastic, Material};
/// use osteon_mesh::{ElementType, generate::{BoxSpec, box_mesh}};
/// let mesh = box_mesh(&BoxSpec { origin: [0.0; 3], size: [1.0; 3], cells: [1, 1, 1], element: ElementType::Hex8 })?;
/// let mut model = Model::new(mesh);
/// let m = model.add_material(Material::new("bone", IsotropicElastic::new(17_000.0, 0.3)?.into()));
/// model.add_section("ALL", vec![0], m);
/// let op = ElasticOperator::new(&model)?;
/// // a rigid translation stores no force: K u = 0
/// let u: Vec<f64> = (0..3 * model.mesh.n_nodes()).map(|r| if r % 3 == 0 { 0.1 } else { 0.0 }).collect();
/// assert!(op.internal_forces(&u)?.iter().all(|f| f.abs() < 1e-9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ElasticOperator<'m> {
    model: &'m Model,
    materials: Vec<usize>,
    d: Vec<Voigt6x6>,
}

impl<'m> ElasticOperator<'m> {
    /// Validate the sections and materials of `model` and compute every material's D.
    ///
    /// # Errors
    /// [`AssemblyError::MissingSection`], [`AssemblyError::DuplicateSection`],
    /// [`AssemblyError::InvalidModel`] (a section naming a missing material or element) and
    /// [`AssemblyError::Material`] (invalid constants).
    pub fn new(model: &'m Model) -> Result<Self, AssemblyError> {
        let materials = element_materials(model)?;
        let d = material_stiffnesses(model)?;
        Ok(Self {
            model,
            materials,
            d,
        })
    }

    /// The model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The mesh (mm).
    pub fn mesh(&self) -> &'m Mesh {
        &self.model.mesh
    }

    /// Material index of every element.
    pub fn element_materials(&self) -> &[usize] {
        &self.materials
    }

    /// Stiffness matrix D of every material (MPa), indexed like [`Model::materials`].
    pub fn stiffnesses(&self) -> &[Voigt6x6] {
        &self.d
    }

    /// Consistent nodal forces of `case` on raw DOFs (N).
    pub fn external_forces(&self, case: &LoadCase) -> Result<Vec<f64>, AssemblyError> {
        external_forces(self.model, case, &self.materials)
    }

    /// The loads of `case` on raw DOFs (N): the applied forces and, with a coupled support
    /// ([`crate::Model::coupled_support`]), its reaction — nodal forces on its nodes that
    /// balance the applied forces in force and moment.
    pub fn case_loads(&self, case: &LoadCase) -> Result<CaseLoads, AssemblyError> {
        let applied = self.external_forces(case)?;
        let support = self
            .model
            .coupled_support
            .as_ref()
            .map(|s| s.reaction_forces(&self.model.mesh.coords, &applied))
            .transpose()?;
        Ok(CaseLoads { applied, support })
    }

    /// The model's coupled support, if any.
    pub fn coupled_support(&self) -> Option<&crate::CoupledSupport> {
        self.model.coupled_support.as_ref()
    }

    /// K u on raw DOFs (N) for raw displacements `u` (mm).
    pub fn internal_forces(&self, u: &[f64]) -> Result<Vec<f64>, AssemblyError> {
        internal_forces(&self.model.mesh, &self.materials, &self.d, u)
    }

    /// Strain, stress and strain-energy density of raw displacements `u` (mm).
    pub fn recover(&self, u: &[f64]) -> Result<RecoveredFields, AssemblyError> {
        recover_fields(&self.model.mesh, &self.materials, &self.d, u)
    }
}

/// Material stiffness matrices of the model (MPa), validated.
pub fn material_stiffnesses(model: &Model) -> Result<Vec<Voigt6x6>, AssemblyError> {
    model
        .materials
        .iter()
        .map(|m| {
            m.validate()?;
            Ok(m.stiffness())
        })
        .collect()
}

/// The loads of one case on raw DOFs (N), from [`ElasticOperator::case_loads`].
#[derive(Clone, Debug, PartialEq)]
pub struct CaseLoads {
    /// The applied forces (N).
    pub applied: Vec<f64>,
    /// The coupled support's reaction to them (N); `None` without a coupled support.
    pub support: Option<Vec<f64>>,
}

impl CaseLoads {
    /// The forces the solve balances (N): applied plus the support's reaction.
    pub fn total(&self) -> Vec<f64> {
        match &self.support {
            Some(s) => self.applied.iter().zip(s).map(|(a, b)| a + b).collect(),
            None => self.applied.clone(),
        }
    }
}
