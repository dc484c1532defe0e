//! The TOML model description that goes beside a `.msh` mesh: materials, which physical
//! group gets which material, supports, and load steps. Groups are Gmsh physical groups by
//! name (see the [parent module](super) for what each dimension becomes).
//!
//! Units: mm, N, MPa, t/mm³, mm/s².
//!
//! ```toml
//! mesh = "box.msh"            # optional: the mesh, relative to this file (read_toml_model)
//! hex20 = "C3D20R"            # optional: 20-node bricks as C3D20 (default, 3×3×3 Gauss)
//!                             #           or C3D20R (2×2×2 reduced integration)
//!
//! [[material]]
//! name = "bone"
//! E = 17000.0                 # Young's modulus (MPa)  } isotropic, or instead:
//! nu = 0.3                    # Poisson's ratio (-)    }
//! # engineering_constants = [E1, E2, E3, nu12, nu13, nu23, G12, G13, G23]  (MPa, -, MPa; Abaqus order)
//! density = 1.9e-9            # optional (t/mm³), needed for gravity
//!
//! [[section]]
//! group = "Bone"              # a 3-D physical group; omit it to cover every element
//! material = "bone"           # that no other section covers
//!
//! [[boundary]]                # holds in every step
//! group = "Distal"            # a physical group of any dimension: its nodes
//! dofs = [1, 2, 3]            # 1 = x, 2 = y, 3 = z
//! value = 0.0                 # prescribed displacement (mm), default 0
//!
//! [[step]]                    # one load case each, solved in order
//! name = "stance"             # default "step<N>"
//!
//! [[step.boundary]]           # like [[boundary]], for this step only
//! group = "Plateau"
//! dofs = [1, 2]
//!
//! [[step.cload]]              # concentrated forces on the group's nodes
//! group = "Plateau"
//! dof = 3
//! total = -700.0              # N, split equally over the nodes; or per_node = ... (N each)
//!
//! [[step.pressure]]           # on the faces of a 2-D physical group
//! group = "Plateau"
//! p = 1.0                     # MPa, positive pushes into the faces
//!
//! [[step.traction]]           # force per area on the faces of a 2-D group, global axes
//! group = "Plateau"
//! t = [0.0, 0.0, -0.5]        # MPa
//!
//! [[step.gravity]]            # body force ρ a (materials need a density)
//! acceleration = [0.0, 0.0, -9810.0]  # mm/s²
//! group = "Bone"              # optional 3-D group; default every element
//! ```
//!
//! An equal split of `total` is the consistent load only for linear faces with equal
//! areas per node; for a uniform load on a surface prefer `pressure` or `traction`.
//!
//! Errors name the TOML file and line (syntax, unknown keys, wrong types, unknown groups or
//! materials, invalid constants); a model whose elements are not all covered by exactly one
//! section is reported as [`IoError::Model`].

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use osteon_assembly::{
    DirichletBc, Gravity, LoadCase, Model, NodalLoad, PressureLoad, TractionLoad, element_materials,
};
use osteon_material::{Elastic, IsotropicElastic, Material, OrthotropicElastic};
use osteon_mesh::{ElementType, Surface};

use super::{MshMesh, read_msh};
use crate::error::IoError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Description {
    mesh: Option<Spanned<String>>,
    hex20: Option<Spanned<String>>,
    #[serde(default)]
    material: Vec<Spanned<MaterialSpec>>,
    #[serde(default)]
    section: Vec<Spanned<SectionSpec>>,
    #[serde(default)]
    boundary: Vec<Spanned<BoundarySpec>>,
    #[serde(default)]
    step: Vec<Spanned<StepSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MaterialSpec {
    name: Spanned<String>,
    #[serde(rename = "E")]
    e: Option<f64>,
    nu: Option<f64>,
    engineering_constants: Option<[f64; 9]>,
    density: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionSpec {
    group: Option<Spanned<String>>,
    material: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoundarySpec {
    group: Spanned<String>,
    dofs: Spanned<Vec<i64>>,
    #[serde(default)]
    value: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    name: Option<String>,
    #[serde(default)]
    boundary: Vec<Spanned<BoundarySpec>>,
    #[serde(default)]
    cload: Vec<Spanned<CloadSpec>>,
    #[serde(default)]
    pressure: Vec<Spanned<PressureSpec>>,
    #[serde(default)]
    traction: Vec<Spanned<TractionSpec>>,
    #[serde(default)]
    gravity: Vec<Spanned<GravitySpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloadSpec {
    group: Spanned<String>,
    dof: Spanned<i64>,
    total: Option<f64>,
    per_node: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PressureSpec {
    group: Spanned<String>,
    p: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TractionSpec {
    group: Spanned<String>,
    t: [f64; 3],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GravitySpec {
    group: Option<Spanned<String>>,
    acceleration: [f64; 3],
}

/// Read a `.msh` mesh and the TOML description beside it into a model (schema above).
/// A `mesh` key in the TOML is ignored: `msh_path` is the mesh.
pub fn read_msh_model(msh_path: &Path, toml_path: &Path) -> Result<Model, IoError> {
    let text = std::fs::read_to_string(toml_path).map_err(|e| IoError::os(toml_path, e))?;
    let msh = read_msh(msh_path)?;
    build_model(msh, &text, toml_path)
}

/// Read a TOML description whose `mesh` key names the `.msh` file (relative to the TOML's
/// folder) and build the model.
pub fn read_toml_model(toml_path: &Path) -> Result<Model, IoError> {
    let text = std::fs::read_to_string(toml_path).map_err(|e| IoError::os(toml_path, e))?;
    let ctx = Context {
        text: &text,
        file: toml_path,
    };
    let desc = ctx.parse()?;
    let mesh = desc.mesh.as_ref().ok_or_else(|| {
        IoError::parse(
            toml_path,
            1,
            "missing key 'mesh': expected the .msh file, e.g. mesh = \"tibia.msh\"",
        )
    })?;
    let dir = toml_path.parent().unwrap_or(Path::new("."));
    let msh_path: PathBuf = dir.join(mesh.get_ref());
    let msh = read_msh(&msh_path)?;
    ctx.build(msh, desc)
}

/// Build a model from a mesh and the text of its TOML description (`toml_path` names the
/// text in messages).
pub fn build_model(msh: MshMesh, toml_text: &str, toml_path: &Path) -> Result<Model, IoError> {
    let ctx = Context {
        text: toml_text,
        file: toml_path,
    };
    let desc = ctx.parse()?;
    ctx.build(msh, desc)
}

struct Context<'a> {
    text: &'a str,
    file: &'a Path,
}

/// Where a group may be used.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// Any dimension (node set).
    Nodes,
    /// A 3-D group (element set).
    Elements,
    /// A 2-D group (surface).
    Faces,
}

impl Context<'_> {
    fn line(&self, span: Range<usize>) -> usize {
        1 + self.text.as_bytes()[..span.start.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> IoError {
        IoError::parse(self.file, self.line(span), message)
    }

    fn parse(&self) -> Result<Description, IoError> {
        toml::from_str(self.text).map_err(|e| {
            let line = e.span().map_or(0, |s| self.line(s));
            IoError::parse(
                self.file,
                line,
                format!("TOML model description: {}", e.message().trim_end()),
            )
        })
    }

    /// The members of a group, checked for the dimension the use needs.
    fn group_nodes<'m>(
        &self,
        msh: &'m MshMesh,
        group: &Spanned<String>,
        need: Need,
        what: &str,
    ) -> Result<&'m [usize], IoError> {
        let name = group.get_ref();
        let mesh = &msh.mesh;
        let found = match need {
            Need::Nodes => mesh.node_sets.get(name).map(Vec::as_slice),
            Need::Elements => mesh.element_sets.get(name).map(Vec::as_slice),
            Need::Faces => None,
        };
        found.ok_or_else(|| self.unknown_group(msh, group, need, what))
    }

    fn unknown_group(
        &self,
        msh: &MshMesh,
        group: &Spanned<String>,
        need: Need,
        what: &str,
    ) -> IoError {
        let name = group.get_ref();
        let (dim, kind) = match need {
            Need::Nodes => (None, "a physical group"),
            Need::Elements => (Some(3), "a 3-D physical group"),
            Need::Faces => (Some(2), "a 2-D physical group"),
        };
        let dims: Vec<u8> = msh.groups_named(name).map(|g| g.dim).collect();
        let list = |d: u8| {
            msh.group_names(d)
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let available = match dim {
            Some(d) if msh.group_names(d).is_empty() => format!("the mesh has no {d}-D groups"),
            Some(d) => format!("the mesh's {d}-D groups are: {}", list(d)),
            None if msh.groups.is_empty() => "the mesh has no physical groups".to_string(),
            None => (0..=3u8)
                .filter(|&d| !msh.group_names(d).is_empty())
                .map(|d| format!("{d}-D: {}", list(d)))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let message = if dims.is_empty() {
            format!("unknown physical group '{name}' in {what}: expected {kind} ({available})")
        } else {
            format!(
                "physical group '{name}' in {what} has dimension {}: expected {kind} ({available})",
                dims.iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        };
        self.error(group.span(), message)
    }

    fn dof(&self, dof: i64, span: Range<usize>) -> Result<usize, IoError> {
        match dof {
            1..=3 => Ok(dof as usize - 1),
            _ => Err(self.error(span, format!("dof {dof}: expected 1 (x), 2 (y) or 3 (z)"))),
        }
    }

    fn finite(&self, value: f64, span: Range<usize>, what: &str) -> Result<f64, IoError> {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(self.error(span, format!("{what} = {value}: expected a finite number")))
        }
    }

    fn boundary(
        &self,
        msh: &MshMesh,
        spec: &Spanned<BoundarySpec>,
        what: &str,
        out: &mut Vec<DirichletBc>,
    ) -> Result<(), IoError> {
        let b = spec.get_ref();
        let nodes = self.group_nodes(msh, &b.group, Need::Nodes, what)?;
        let value = self.finite(b.value, spec.span(), "value")?;
        if b.dofs.get_ref().is_empty() {
            return Err(self.error(
                b.dofs.span(),
                "empty dofs: expected a list such as [1, 2, 3]",
            ));
        }
        for &dof in b.dofs.get_ref() {
            let component = self.dof(dof, b.dofs.span())?;
            out.extend(nodes.iter().map(|&node| DirichletBc {
                node,
                component,
                value,
            }));
        }
        Ok(())
    }

    fn faces<'m>(
        &self,
        msh: &'m MshMesh,
        group: &Spanned<String>,
        what: &str,
    ) -> Result<&'m [osteon_mesh::FaceRef], IoError> {
        match msh.mesh.surfaces.get(group.get_ref()) {
            Some(Surface::Faces(faces)) => Ok(faces),
            _ => Err(self.unknown_group(msh, group, Need::Faces, what)),
        }
    }

    /// Stages: materials → sections → supports → steps → the mesh (with the Hex20
    /// integration choice) → every element has a material.
    fn build(&self, msh: MshMesh, desc: Description) -> Result<Model, IoError> {
        let mut model = Model::default();
        for spec in &desc.material {
            let material = self.material(spec, &model.materials)?;
            model.add_material(material);
        }
        for (name, elements, material) in self.sections(&msh, &desc.section, &model.materials)? {
            model.add_section(name, elements, material);
        }
        for spec in &desc.boundary {
            self.boundary(&msh, spec, "[[boundary]]", &mut model.boundary)?;
        }
        for (k, spec) in desc.step.iter().enumerate() {
            model.load_cases.push(self.step(&msh, spec.get_ref(), k)?);
        }
        let mut mesh = msh.mesh;
        if let Some(h) = &desc.hex20 {
            self.set_hex20(&mut mesh, h)?;
        }
        model.mesh = mesh;
        element_materials(&model).map_err(|source| IoError::Model {
            file: self.file.to_path_buf(),
            source,
        })?;
        Ok(model)
    }

    /// One `[[material]]`, its name not among `defined`.
    fn material(
        &self,
        spec: &Spanned<MaterialSpec>,
        defined: &[Material],
    ) -> Result<Material, IoError> {
        let m = spec.get_ref();
        let name = m.name.get_ref();
        if defined.iter().any(|d| &d.name == name) {
            return Err(self.error(m.name.span(), format!("material '{name}' is defined twice")));
        }
        let elastic = match (m.e, m.nu, m.engineering_constants) {
            (Some(e), Some(nu), None) => IsotropicElastic::new(e, nu).map(Elastic::Isotropic),
            (None, None, Some(c)) => OrthotropicElastic::from_abaqus_engineering_constants(c).map(Elastic::Orthotropic),
            _ => {
                return Err(self.error(
                    spec.span(),
                    format!(
                        "material '{name}': expected either E and nu (isotropic) or engineering_constants = \
                         [E1, E2, E3, nu12, nu13, nu23, G12, G13, G23], not both or neither"
                    ),
                ));
            }
        }
        .map_err(|e| self.error(spec.span(), format!("material '{name}': {e}")))?;
        let mut material = Material::new(name.clone(), elastic);
        if let Some(rho) = m.density {
            material = material.with_density(rho);
        }
        material
            .validate()
            .map_err(|e| self.error(spec.span(), format!("material '{name}': {e}")))?;
        Ok(material)
    }

    /// The index of the material called `name`.
    fn material_index(
        &self,
        materials: &[Material],
        name: &Spanned<String>,
    ) -> Result<usize, IoError> {
        materials
            .iter()
            .position(|m| &m.name == name.get_ref())
            .ok_or_else(|| {
                let known: Vec<String> =
                    materials.iter().map(|m| format!("'{}'", m.name)).collect();
                self.error(
                    name.span(),
                    format!(
                        "unknown material '{}': expected one of the [[material]] names ({})",
                        name.get_ref(),
                        known.join(", ")
                    ),
                )
            })
    }

    /// The sections (name, elements, material index): named groups first, then at most
    /// one catch-all over the elements no named section covers.
    fn sections(
        &self,
        msh: &MshMesh,
        specs: &[Spanned<SectionSpec>],
        materials: &[Material],
    ) -> Result<Vec<(String, Vec<usize>, usize)>, IoError> {
        let mut covered = vec![false; msh.mesh.n_elements()];
        let mut sections = Vec::new();
        let mut catch_all: Option<&Spanned<SectionSpec>> = None;
        for spec in specs {
            let s = spec.get_ref();
            let material = self.material_index(materials, &s.material)?;
            match &s.group {
                Some(group) => {
                    let elements = self
                        .group_nodes(msh, group, Need::Elements, "[[section]]")?
                        .to_vec();
                    for &e in &elements {
                        covered[e] = true;
                    }
                    sections.push((group.get_ref().clone(), elements, material));
                }
                None => {
                    if let Some(first) = catch_all {
                        return Err(self.error(
                            spec.span(),
                            format!(
                                "a second [[section]] without group (the first is on line {}): only one section may cover the remaining elements",
                                self.line(first.span())
                            ),
                        ));
                    }
                    catch_all = Some(spec);
                }
            }
        }
        if let Some(spec) = catch_all {
            let material = self.material_index(materials, &spec.get_ref().material)?;
            let rest: Vec<usize> = (0..covered.len()).filter(|&e| !covered[e]).collect();
            sections.push(("ALL".to_string(), rest, material));
        }
        Ok(sections)
    }

    /// The `k`-th `[[step]]` as a load case.
    fn step(&self, msh: &MshMesh, step: &StepSpec, k: usize) -> Result<LoadCase, IoError> {
        let mut case = LoadCase::new(
            step.name
                .clone()
                .unwrap_or_else(|| format!("step{}", k + 1)),
        );
        for spec in &step.boundary {
            self.boundary(msh, spec, "[[step.boundary]]", &mut case.boundary)?;
        }
        for spec in &step.cload {
            let c = spec.get_ref();
            let nodes = self.group_nodes(msh, &c.group, Need::Nodes, "[[step.cload]]")?;
            let component = self.dof(*c.dof.get_ref(), c.dof.span())?;
            let value = match (c.total, c.per_node) {
                (Some(total), None) => {
                    self.finite(total, spec.span(), "total")? / nodes.len().max(1) as f64
                }
                (None, Some(each)) => self.finite(each, spec.span(), "per_node")?,
                _ => {
                    return Err(self.error(
                        spec.span(),
                        "[[step.cload]]: expected either total (N, split equally over the nodes) or per_node (N), not both or neither",
                    ));
                }
            };
            case.nodal_loads.extend(nodes.iter().map(|&node| NodalLoad {
                node,
                component,
                value,
            }));
        }
        for spec in &step.pressure {
            let p = spec.get_ref();
            let pressure = self.finite(p.p, spec.span(), "p")?;
            let faces = self.faces(msh, &p.group, "[[step.pressure]]")?;
            case.pressures
                .extend(faces.iter().map(|&face| PressureLoad { face, pressure }));
        }
        for spec in &step.traction {
            let t = spec.get_ref();
            for v in t.t {
                self.finite(v, spec.span(), "t")?;
            }
            let faces = self.faces(msh, &t.group, "[[step.traction]]")?;
            case.tractions
                .extend(faces.iter().map(|&face| TractionLoad {
                    face,
                    traction: t.t,
                }));
        }
        for spec in &step.gravity {
            let g = spec.get_ref();
            for v in g.acceleration {
                self.finite(v, spec.span(), "acceleration")?;
            }
            let elements = match &g.group {
                Some(group) => Some(
                    self.group_nodes(msh, group, Need::Elements, "[[step.gravity]]")?
                        .to_vec(),
                ),
                None => None,
            };
            case.gravity.push(Gravity {
                elements,
                acceleration: g.acceleration,
            });
        }
        Ok(case)
    }

    /// `hex20 = "C3D20" | "C3D20R"`: the integration of the 20-node hexahedra.
    fn set_hex20(&self, mesh: &mut osteon_mesh::Mesh, h: &Spanned<String>) -> Result<(), IoError> {
        let etype = match h.get_ref().to_ascii_uppercase().as_str() {
            "C3D20" => ElementType::Hex20,
            "C3D20R" => ElementType::Hex20R,
            other => {
                return Err(self.error(
                    h.span(),
                    format!("hex20 = '{other}': expected \"C3D20\" or \"C3D20R\""),
                ));
            }
        };
        for block in &mut mesh.blocks {
            if matches!(block.etype, ElementType::Hex20 | ElementType::Hex20R) {
                block.etype = etype;
            }
        }
        Ok(())
    }
}
