//! The model: mesh + materials + sections + constraints + load cases + contact pairs. Plain data, built by a
//! reader, a generator or by hand; everything downstream reads it.

use osteon_material::Material;
use osteon_mesh::{FaceRef, Mesh};

use crate::contact::{ContactPair, IncrementControl};
use crate::error::AssemblyError;
use crate::support::CoupledSupport;

/// Displacement component, 0 = x, 1 = y, 2 = z (Abaqus DOF 1, 2, 3).
pub type Component = usize;

/// Assigns a material to a set of elements (Abaqus `*SOLID SECTION`).
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Global element indices.
    pub elements: Vec<usize>,
    /// Index into [`Model::materials`].
    pub material: usize,
    /// Name of the element set it came from (for reports and VTU labels).
    pub name: String,
}

/// Prescribed displacement u_{node, component} = value (mm) (Abaqus `*BOUNDARY`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DirichletBc {
    /// Node index.
    pub node: usize,
    /// Component 0..3.
    pub component: Component,
    /// Prescribed displacement (mm).
    pub value: f64,
}

/// Concentrated force on a node (N) (Abaqus `*CLOAD`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodalLoad {
    /// Node index.
    pub node: usize,
    /// Component 0..3.
    pub component: Component,
    /// Force (N).
    pub value: f64,
}

/// Uniform pressure on an element face (MPa); positive pushes *into* the face, i.e. acts
/// against the outward normal (Abaqus `*DLOAD ..., Pn`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PressureLoad {
    /// The loaded face.
    pub face: FaceRef,
    /// Pressure (MPa).
    pub pressure: f64,
}

/// Uniform surface traction on an element face: force per area (MPa) in global axes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TractionLoad {
    /// The loaded face.
    pub face: FaceRef,
    /// Traction vector (MPa).
    pub traction: [f64; 3],
}

/// Linear multi-point constraint Σ_i c_i u_{node_i, comp_i} = 0 (Abaqus `*EQUATION`): the
/// first term's DOF is the dependent one and is eliminated, u_0 = −Σ_{i>0} (c_i/c_0) u_i
/// (u in mm; the coefficients are dimensionless). Equations may name DOFs that earlier ones
/// eliminate, including each other's first DOF: they are resolved together as in CalculiX
/// (see [`crate::DofMap::new`]); terms with coefficient 0 are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Equation {
    /// Terms (node index, component, coefficient); the first is eliminated.
    pub terms: Vec<(usize, Component, f64)>,
}

/// Acceleration field for body loads: f = ρ a per unit volume (ρ in t/mm³, a in mm/s²,
/// f in N/mm³). Gravity along −z with g = 9810 mm/s² is `Gravity { elements: None, acceleration: [0, 0, -9810] }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gravity {
    /// Elements loaded (None: all).
    pub elements: Option<Vec<usize>>,
    /// Acceleration vector (mm/s²).
    pub acceleration: [f64; 3],
}

/// One load case (an Abaqus linear `*STEP`): loads and the prescribed displacements that
/// hold in it, in addition to [`Model::boundary`] (a case entry for the same DOF overrides it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadCase {
    /// Name for reports.
    pub name: String,
    /// Extra or overriding prescribed displacements.
    pub boundary: Vec<DirichletBc>,
    /// Concentrated forces.
    pub nodal_loads: Vec<NodalLoad>,
    /// Face pressures.
    pub pressures: Vec<PressureLoad>,
    /// Face tractions.
    pub tractions: Vec<TractionLoad>,
    /// Body loads.
    pub gravity: Vec<Gravity>,
    /// Load increments of a nonlinear (contact) step (`*STATIC` data line); a linear step is
    /// solved in one go and ignores it.
    pub increments: IncrementControl,
}

impl LoadCase {
    /// An empty load case with a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Whether the case applies anything: a non-zero force, pressure, traction or
    /// acceleration, or a non-zero prescribed displacement of its own. A linear case that
    /// applies nothing (and whose model-level prescribed displacements are all zero) has the
    /// zero solution — usually a misspelled or forgotten load card.
    pub fn applies_anything(&self) -> bool {
        self.boundary.iter().any(|b| b.value != 0.0)
            || self.nodal_loads.iter().any(|l| l.value != 0.0)
            || self.pressures.iter().any(|p| p.pressure != 0.0)
            || self
                .tractions
                .iter()
                .any(|t| t.traction.iter().any(|&v| v != 0.0))
            || self
                .gravity
                .iter()
                .any(|g| g.acceleration.iter().any(|&v| v != 0.0))
    }
}

/// A linear-elastic finite-element model.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// The mesh (mm).
    pub mesh: Mesh,
    /// Materials, referenced by index from sections.
    pub materials: Vec<Material>,
    /// Element set → material. Every element must be in exactly one section.
    pub sections: Vec<Section>,
    /// Prescribed displacements common to all load cases.
    pub boundary: Vec<DirichletBc>,
    /// Multi-point constraints common to all load cases.
    pub equations: Vec<Equation>,
    /// Load cases, solved in order.
    pub load_cases: Vec<LoadCase>,
    /// Node-to-surface contact pairs (`*CONTACT PAIR`); a model with pairs is solved by the
    /// contact solver (osteon-contact), the linear solver ignores them.
    pub contact_pairs: Vec<ContactPair>,
    /// A node set held by a distributing coupling to a fixed reference point (at most one:
    /// a second would make the support statically indeterminate); set it with
    /// [`Model::couple_support`]. Both analyses apply it. It must be the model's only
    /// support: prescribed displacements elsewhere would load its pins, which the analyses
    /// refuse ([`crate::ConstrainedSystem::step_solution`]).
    pub coupled_support: Option<CoupledSupport>,
}

impl Model {
    /// A model of `mesh` with nothing else yet.
    pub fn new(mesh: Mesh) -> Self {
        Self {
            mesh,
            ..Self::default()
        }
    }

    /// Add a material; returns its index.
    pub fn add_material(&mut self, material: Material) -> usize {
        self.materials.push(material);
        self.materials.len() - 1
    }

    /// Assign `material` to `elements` under the section name `name`.
    pub fn add_section(&mut self, name: impl Into<String>, elements: Vec<usize>, material: usize) {
        self.sections.push(Section {
            elements,
            material,
            name: name.into(),
        });
    }

    /// The prescribed displacements that hold in `case`: the model's, then the case's own
    /// (a later entry for the same DOF overrides an earlier one).
    pub fn boundary_of(&self, case: &LoadCase) -> Vec<DirichletBc> {
        self.boundary
            .iter()
            .chain(&case.boundary)
            .copied()
            .collect()
    }

    /// Hold `support`'s nodes by its distributing coupling: fix its six pins and keep it for
    /// the analyses (module documentation of [`crate::CoupledSupport`]).
    ///
    /// # Errors
    /// [`AssemblyError::InvalidModel`] when the model already has a coupled support.
    pub fn couple_support(&mut self, support: CoupledSupport) -> Result<(), AssemblyError> {
        if let Some(old) = &self.coupled_support {
            return Err(AssemblyError::InvalidModel {
                detail: format!(
                    "a second coupled support ('{}' after '{}') would make the support statically indeterminate",
                    support.name, old.name
                ),
            });
        }
        for &(node, component) in &support.pins {
            self.boundary.push(DirichletBc {
                node,
                component,
                value: 0.0,
            });
        }
        self.coupled_support = Some(support);
        Ok(())
    }

    /// Fix components `components` of every node in `nodes` at zero.
    pub fn fix(&mut self, nodes: &[usize], components: &[Component]) {
        for &node in nodes {
            for &component in components {
                self.boundary.push(DirichletBc {
                    node,
                    component,
                    value: 0.0,
                });
            }
        }
    }
}
