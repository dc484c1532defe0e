//! From the built reconstruction to solvable [`Model`]s: materials, sections, the distal
//! fixation and the plateau load cases, for the implanted model and the intact reference.

use serde::{Deserialize, Serialize};

use osteon_assembly::{LoadCase, Model, PressureLoad, Section, Wrench, distribute_wrench};
use osteon_material::{Material, PorousTantalum, library};
use osteon_mesh::{FaceRef, Mesh};

use crate::builder::{Reconstruction, Region, faces_area};
use crate::error::BiomechError;
use crate::spec::{FlangeMaterial, ImplantSpec, LoadSpec};

/// The materials of a study (each from `osteon_material::library`, sources there).
#[derive(Clone, Debug, PartialEq)]
pub struct StudyMaterials {
    /// Cortical bone: E = 17000 MPa, ν = 0.3 (Reilly & Burstein 1975, biomechanics.md §3.1).
    pub cortical: Material,
    /// Cancellous bone: E = 400 MPa, ν = 0.3 (engineering pick, biomechanics.md §3.2).
    pub cancellous: Material,
    /// Porous tantalum of the prosthesis body (biomechanics.md §4).
    pub implant: Material,
    /// The flange material.
    pub flange: Material,
    /// Ti-6Al-4V: E = 110000 MPa, ν = 0.34 (biomechanics.md §8).
    pub screw: Material,
    /// The porous-Ta description (porosity, modulus source).
    pub porous: PorousTantalum,
}

/// Summary of a material for reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialSummary {
    /// Role ("cortical bone", ...).
    pub role: String,
    /// Material name.
    pub name: String,
    /// Young's modulus (MPa).
    pub e_mpa: f64,
    /// Poisson's ratio.
    pub nu: f64,
    /// Where the numbers come from.
    pub source: String,
}

impl StudyMaterials {
    /// Materials for an implant spec: porous Ta from the porosity (Gibson–Ashby) or the given
    /// modulus.
    pub fn new(implant: &ImplantSpec) -> Result<Self, BiomechError> {
        let porous = match implant.modulus_mpa {
            Some(e) => PorousTantalum::with_measured_modulus(implant.porosity, e)?,
            None => PorousTantalum::from_porosity(implant.porosity)?,
        };
        let body = porous.to_material("porous_tantalum");
        let flange = match implant.flange.material {
            FlangeMaterial::PorousTantalum => porous.to_material("porous_tantalum_flange"),
            FlangeMaterial::DenseTantalum => library::dense_tantalum(),
            FlangeMaterial::Ti6Al4V => library::ti6al4v(),
        };
        let m = Self {
            cortical: library::cortical_bone(),
            cancellous: library::cancellous_bone(),
            implant: body,
            flange,
            screw: library::ti6al4v(),
            porous,
        };
        for mat in [&m.cortical, &m.cancellous, &m.implant, &m.flange, &m.screw] {
            mat.validate()?;
        }
        Ok(m)
    }

    /// Isotropic (E, ν) of a material, if isotropic.
    fn e_nu(m: &Material) -> (f64, f64) {
        match &m.elastic {
            osteon_material::Elastic::Isotropic(iso) => (iso.e, iso.nu),
            _ => (f64::NAN, f64::NAN),
        }
    }

    /// A table of the materials for reports.
    pub fn summary(&self, flange: FlangeMaterial) -> Vec<MaterialSummary> {
        let porous_source = match self.porous.measured_modulus {
            Some(_) => format!(
                "porosity {:.0} %, modulus given directly (study file); ν 0.3 (unverified), biomechanics.md §4",
                100.0 * self.porous.porosity
            ),
            None => format!(
                "porosity {:.0} %, Gibson–Ashby E = 186000·(1 − p)² MPa (C = 1 unverified; an ideal upper estimate, measured SLM lattices 1300–5720 MPa), ν 0.3 (unverified), biomechanics.md §4",
                100.0 * self.porous.porosity
            ),
        };
        let flange_source = match flange {
            FlangeMaterial::PorousTantalum => {
                format!("same porous Ta as the body (printed with it): {porous_source}")
            }
            FlangeMaterial::DenseTantalum => {
                "dense Ta, E 186000 MPa (SCRT 2019), ν 0.34 (unverified), biomechanics.md §4".into()
            }
            FlangeMaterial::Ti6Al4V => "Ti-6Al-4V, biomechanics.md §8".into(),
        };
        let rows = [
            (
                "cortical bone",
                &self.cortical,
                "Reilly & Burstein 1975, biomechanics.md §3.1".to_string(),
            ),
            (
                "cancellous bone",
                &self.cancellous,
                "engineering pick within 10–3000 MPa, biomechanics.md §3.2".to_string(),
            ),
            ("prosthesis body", &self.implant, porous_source),
            ("flange", &self.flange, flange_source),
            (
                "screws",
                &self.screw,
                "Ti-6Al-4V ELI, MatWeb / ASTM F136, biomechanics.md §8".to_string(),
            ),
        ];
        rows.into_iter()
            .map(|(role, m, source)| {
                let (e, nu) = Self::e_nu(m);
                MaterialSummary {
                    role: role.into(),
                    name: m.name.clone(),
                    e_mpa: e,
                    nu,
                    source,
                }
            })
            .collect()
    }
}

/// Picks the elements of one section by region.
type RegionFilter = fn(Region) -> bool;

/// Sections: one per region present.
fn add_sections(model: &mut Model, regions: &[Region], materials: &StudyMaterials) {
    let groups: [(&str, &Material, RegionFilter); 5] = [
        ("CORTICAL", &materials.cortical, |r| r == Region::Cortical),
        ("CANCELLOUS", &materials.cancellous, |r| {
            r == Region::Cancellous
        }),
        ("IMPLANT", &materials.implant, |r| r == Region::Implant),
        ("FLANGE", &materials.flange, |r| r == Region::Flange),
        ("SCREWS", &materials.screw, |r| {
            matches!(r, Region::Screw(_))
        }),
    ];
    for (name, material, pick) in groups {
        let elements: Vec<usize> = (0..regions.len()).filter(|&e| pick(regions[e])).collect();
        if !elements.is_empty() {
            let m = model.add_material(material.clone());
            model.sections.push(Section {
                elements,
                material: m,
                name: name.into(),
            });
        }
    }
}

/// Nodes held by the distal fixation: the distal end face, or every node with
/// z ≤ `distal_fixation_mm` when that is positive (biomechanics.md §5).
pub fn fixed_nodes(mesh: &Mesh, loads: &LoadSpec) -> Result<Vec<usize>, BiomechError> {
    if loads.distal_fixation_mm > 0.0 {
        let limit = loads.distal_fixation_mm + 1e-9;
        let mut used = vec![false; mesh.n_nodes()];
        for e in mesh.element_set("BONE")? {
            for &n in mesh.element(*e).nodes {
                used[n] = true;
            }
        }
        Ok((0..mesh.n_nodes())
            .filter(|&n| used[n] && mesh.coords[n][2] <= limit)
            .collect())
    } else {
        Ok(mesh.node_set("DISTAL_END")?.to_vec())
    }
}

fn faces(mesh: &Mesh, name: &str) -> Result<Vec<FaceRef>, BiomechError> {
    Ok(mesh.surface_faces(name)?.to_vec())
}

/// The plateau load cases: axial compression `fraction` × BW, `medial_share` of it as a
/// uniform pressure on the medial half of the plateau (x < 0) and the rest on the lateral
/// half (biomechanics.md §5); a case's shear and moment (about the plateau centre, the
/// area-weighted centroid of the plateau nodes) as nodal forces on the plateau nodes by a
/// distributing coupling, with the exact resultant ([`distribute_wrench`]; the knee frame of
/// [`crate::spec::StudyLoadCase`]).
pub fn plateau_load_cases(mesh: &Mesh, loads: &LoadSpec) -> Result<Vec<LoadCase>, BiomechError> {
    let medial = faces(mesh, "PLATEAU_MEDIAL")?;
    let lateral = faces(mesh, "PLATEAU_LATERAL")?;
    let (a_m, a_l) = (faces_area(mesh, &medial), faces_area(mesh, &lateral));
    let (nodes, weights) = plateau_nodes(mesh, &[medial.as_slice(), &lateral].concat())?;
    let centre = weighted_centroid(mesh, &nodes, &weights);
    let mut cases = Vec::new();
    for c in loads.cases() {
        let (force, share) = (c.load_n, c.medial_share);
        let mut case = LoadCase::new(c.name.clone());
        for (list, p) in [
            (&medial, share * force / a_m),
            (&lateral, (1.0 - share) * force / a_l),
        ] {
            if p != 0.0 {
                case.pressures
                    .extend(list.iter().map(|&face| PressureLoad { face, pressure: p }));
            }
        }
        if c.shear_n != [0.0; 2] || c.moment_nmm != [0.0; 3] {
            let wrench = Wrench {
                force: [c.shear_n[0], c.shear_n[1], 0.0],
                moment: c.moment_nmm,
                point: centre,
            };
            case.nodal_loads.extend(distribute_wrench(
                "the tibial plateau",
                &mesh.coords,
                &nodes,
                &weights,
                &wrench,
            )?);
        }
        cases.push(case);
    }
    Ok(cases)
}

/// The nodes of `faces` with weights: each face's area shared equally by its nodes (mm²).
fn plateau_nodes(mesh: &Mesh, faces: &[FaceRef]) -> Result<(Vec<usize>, Vec<f64>), BiomechError> {
    let mut weight = std::collections::BTreeMap::new();
    for &f in faces {
        let area = faces_area(mesh, &[f]);
        let face_nodes = mesh.face_nodes(f)?;
        let share = area / face_nodes.len() as f64;
        for a in face_nodes {
            *weight.entry(a).or_insert(0.0) += share;
        }
    }
    Ok(weight.into_iter().unzip())
}

/// Σ wᵢ xᵢ / Σ wᵢ (mm).
fn weighted_centroid(mesh: &Mesh, nodes: &[usize], weights: &[f64]) -> [f64; 3] {
    let total: f64 = weights.iter().sum();
    nodes
        .iter()
        .zip(weights)
        .fold(nalgebra::Vector3::zeros(), |c, (&n, &w)| {
            c + nalgebra::Vector3::from(mesh.coords[n]) * (w / total)
        })
        .into()
}

impl Reconstruction {
    /// The implanted model: prosthesis, flange, screws, tie and embedding equations, the
    /// distal fixation and the plateau load cases.
    pub fn implanted_model(
        &self,
        materials: &StudyMaterials,
        loads: &LoadSpec,
    ) -> Result<Model, BiomechError> {
        let mut model = Model::new(self.mesh.clone());
        add_sections(&mut model, &self.regions, materials);
        model.equations = self.equations.clone();
        let fixed = fixed_nodes(&model.mesh, loads)?;
        model.fix(&fixed, &[0, 1, 2]);
        model.load_cases = plateau_load_cases(&model.mesh, loads)?;
        Ok(model)
    }

    /// The intact reference: the same bone mesh with the defect ring as cortical bone, no
    /// prosthesis, flange or screws, the same fixation and loads.
    pub fn intact_model(
        &self,
        materials: &StudyMaterials,
        loads: &LoadSpec,
    ) -> Result<Model, BiomechError> {
        let mut model = Model::new(self.intact_mesh()?);
        add_sections(&mut model, &self.intact_regions(), materials);
        let fixed = fixed_nodes(&model.mesh, loads)?;
        model.fix(&fixed, &[0, 1, 2]);
        model.load_cases = plateau_load_cases(&model.mesh, loads)?;
        Ok(model)
    }
}
