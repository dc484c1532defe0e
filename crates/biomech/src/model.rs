//! From the built reconstruction to solvable [`Model`]s: materials, sections, the distal
//! fixation and the plateau load cases, for the implanted model and the intact reference.

use serde::{Deserialize, Serialize};

use osteon_assembly::{
    CoupledSupport, LoadCase, Model, PressureLoad, Section, Wrench, distribute_wrench,
    weighted_centroid,
};
use osteon_material::{Material, PorousTantalum, library};
use osteon_mesh::{FaceRef, Mesh};

use crate::builder::{Reconstruction, Region, faces_area};
use crate::error::BiomechError;
use crate::spec::{
    BoneSpec, CortexModel, DistalSupport, FlangeMaterial, ImplantSpec, LatticeSpec, LoadSpec,
};

/// The materials of a study (each from `osteon_material::library`, sources there).
#[derive(Clone, Debug, PartialEq)]
pub struct StudyMaterials {
    /// Cortical bone (Reilly & Burstein 1975, biomechanics.md §3.1): transversely isotropic
    /// about z by default, or isotropic E = 17000 MPa, ν = 0.3 ([`CortexModel`]).
    pub cortical: Material,
    /// Cancellous bone: E = 400 MPa, ν = 0.3 (engineering pick, biomechanics.md §3.2).
    pub cancellous: Material,
    /// Porous tantalum of the prosthesis body (biomechanics.md §4).
    pub implant: Material,
    /// The flange material.
    pub flange: Material,
    /// Ti-6Al-4V: E = 110000 MPa, ν = 0.34 (biomechanics.md §8).
    pub screw: Material,
    /// The porous-Ta description (porosity, modulus source). With a lattice its modulus is
    /// the lattice's E_z.
    pub porous: PorousTantalum,
    /// The computed lattice, when `implant.lattice` is given.
    pub lattice: Option<LatticeMaterial>,
}

/// A lattice prosthesis homogenised by voxel micro-FE (`osteon-lattice`, docs/lattice.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatticeMaterial {
    /// Cell architecture.
    pub cell: String,
    /// Porosity of the solved cell (1).
    pub porosity: f64,
    /// Pore size of the design (µm).
    pub pore_size_um: f64,
    /// Cell edge (mm).
    pub cell_size_mm: f64,
    /// Voxels per cell edge.
    pub resolution: usize,
    /// [E_x, E_y, E_z] (MPa).
    pub youngs_modulus_mpa: [f64; 3],
    /// [G_xy, G_yz, G_xz] (MPa).
    pub shear_modulus_mpa: [f64; 3],
    /// Zener-type anisotropy, xy plane (1).
    pub zener: f64,
    /// 99th-percentile strut von Mises stress per unit axial (z) macroscopic stress (1).
    pub stress_concentration_axial_p99: f64,
}

impl LatticeMaterial {
    /// Designs and homogenises `spec` with struts of dense tantalum; returns the summary and
    /// the orthotropic material (cell axes = the study's x, y, z).
    pub fn compute(spec: &LatticeSpec) -> Result<(Self, Material), BiomechError> {
        let kind = spec.kind()?;
        let solid =
            osteon_material::IsotropicElastic::new(library::DENSE_TA_E_MPA, library::DENSE_TA_NU)?;
        let d = osteon_lattice::design(kind, spec.porosity, spec.pore_size_um, spec.resolution)?;
        let r = osteon_lattice::analyse_design(
            d,
            &solid,
            osteon_lattice::HomogeniseOptions { threads: 0 },
        )?;
        let material = r
            .constants
            .orthotropic_material(&format!("porous_tantalum_{kind}_lattice"))?
            .with_density(library::DENSE_TA_DENSITY_T_PER_MM3 * (1.0 - r.porosity));
        Ok((
            Self {
                cell: kind.to_string(),
                porosity: r.porosity,
                pore_size_um: r.design.pore_size_um,
                cell_size_mm: r.design.cell_size_mm,
                resolution: r.cell.resolution,
                youngs_modulus_mpa: r.constants.youngs_modulus_mpa,
                shear_modulus_mpa: r.constants.shear_modulus_mpa,
                zener: r.constants.zener[0],
                stress_concentration_axial_p99: r.homogenised.concentration[2].p99,
            },
            material,
        ))
    }
}

/// Summary of a material for reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialSummary {
    /// Role ("cortical bone", ...).
    pub role: String,
    /// Material name.
    pub name: String,
    /// Young's modulus along the tibial axis z (MPa), 1/S₃₃ of the compliance.
    pub e_axial_mpa: f64,
    /// The elastic constants in words ("isotropic: E 17000 MPa, ν 0.3", …).
    pub constants: String,
    /// Where the numbers come from.
    pub source: String,
}

impl StudyMaterials {
    /// Materials for a bone and an implant spec: the cortex law of `bone`, porous Ta from the
    /// porosity (Gibson–Ashby), the given modulus, or the homogenised lattice of
    /// `implant.lattice` (orthotropic; a porous flange gets the same material).
    pub fn new(bone: &BoneSpec, implant: &ImplantSpec) -> Result<Self, BiomechError> {
        let (porous, body, lattice) = match &implant.lattice {
            Some(spec) => {
                spec.validate(implant.modulus_mpa)?;
                let (summary, material) = LatticeMaterial::compute(spec)?;
                let porous = PorousTantalum::with_measured_modulus(
                    summary.porosity,
                    summary.youngs_modulus_mpa[2],
                )?;
                (porous, material, Some(summary))
            }
            None => {
                let porous = match implant.modulus_mpa {
                    Some(e) => PorousTantalum::with_measured_modulus(implant.porosity, e)?,
                    None => PorousTantalum::from_porosity(implant.porosity)?,
                };
                let body = porous.to_material("porous_tantalum");
                (porous, body, None)
            }
        };
        let flange = match implant.flange.material {
            FlangeMaterial::PorousTantalum => {
                let mut m = body.clone();
                m.name = "porous_tantalum_flange".into();
                m
            }
            FlangeMaterial::DenseTantalum => library::dense_tantalum(),
            FlangeMaterial::Ti6Al4V => library::ti6al4v(),
        };
        let m = Self {
            cortical: match bone.cortex {
                CortexModel::TransverselyIsotropic => {
                    library::cortical_bone_transversely_isotropic()
                }
                CortexModel::Isotropic => library::cortical_bone(),
            },
            cancellous: library::cancellous_bone(),
            implant: body,
            flange,
            screw: library::ti6al4v(),
            porous,
            lattice,
        };
        for mat in [&m.cortical, &m.cancellous, &m.implant, &m.flange, &m.screw] {
            mat.validate()?;
        }
        Ok(m)
    }

    /// The elastic constants of `m` in words, with the tibial axis as z: moduli in whole MPa,
    /// Poisson ratios to three decimals (a report, not a deck: no binary-float tails).
    fn constants(m: &Material) -> String {
        use osteon_material::Elastic;
        let r = |v: f64| format!("{}", (v * 1000.0).round() / 1000.0);
        match &m.elastic {
            Elastic::Isotropic(i) => format!("isotropic: E {:.0} MPa, ν {}", i.e, r(i.nu)),
            Elastic::TransverselyIsotropic(t) => format!(
                "transversely isotropic about z: E_z {:.0} MPa, E_x = E_y {:.0} MPa, G_xz = G_yz {:.0} MPa, ν_xy {}, ν_xz = ν_yz {}",
                t.e_t,
                t.e_p,
                t.g_t,
                r(t.nu_p),
                r(t.nu_pt)
            ),
            Elastic::Orthotropic(o) => format!(
                "orthotropic (x, y, z): E {:.0} / {:.0} / {:.0} MPa, G_xy {:.0} / G_xz {:.0} / G_yz {:.0} MPa, ν_xy {} / ν_xz {} / ν_yz {}",
                o.e1,
                o.e2,
                o.e3,
                o.g12,
                o.g13,
                o.g23,
                r(o.nu12),
                r(o.nu13),
                r(o.nu23)
            ),
            Elastic::Anisotropic(_) => "anisotropic (6 × 6 stiffness)".into(),
        }
    }

    /// The name of material `name` (a deck identifier such as `ti6al4v`) as a report says it.
    fn display_name(name: &str) -> String {
        match name {
            "ti6al4v" => "Ti-6Al-4V".into(),
            "porous_tantalum_flange" => "porous tantalum (as the body)".into(),
            other => other.replace('_', " "),
        }
    }

    /// A table of the materials for reports.
    pub fn summary(&self, flange: FlangeMaterial) -> Vec<MaterialSummary> {
        let porous_source = match (&self.lattice, self.porous.measured_modulus) {
            (Some(l), _) => format!(
                "{} lattice, porosity {:.1} %, pore size {:.0} µm, cell {:.3} mm: voxel micro-FE of the unit cell ({}³ voxels, dense-Ta struts E 186000 MPa, ν 0.34), orthotropic in the cell axes, G_xy {:.0} MPa, Zener anisotropy {:.2}; docs/lattice.md",
                l.cell,
                100.0 * l.porosity,
                l.pore_size_um,
                l.cell_size_mm,
                l.resolution,
                l.shear_modulus_mpa[0],
                l.zener
            ),
            (None, Some(_)) => format!(
                "porosity {:.0} %, modulus given directly (study file); ν 0.3 (unverified), biomechanics.md §4",
                100.0 * self.porous.porosity
            ),
            (None, None) => format!(
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
                "Reilly & Burstein 1975 (unverified transcription), biomechanics.md §3.1"
                    .to_string(),
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
            .map(|(role, m, source)| MaterialSummary {
                role: role.into(),
                name: Self::display_name(&m.name),
                e_axial_mpa: m.compliance().map_or(f64::NAN, |c| 1.0 / c[2][2]),
                constants: Self::constants(m),
                source,
            })
            .collect()
    }
}

/// Picks the elements of one section by region.
type RegionFilter = fn(Region) -> bool;

/// Poisson's ratio of CT-mapped bone ([`Reconstruction::bone_moduli_mpa`]): 0.3, that of the
/// library's isotropic cortical and cancellous bone (biomechanics.md §3.1–§3.2) and of
/// `osteon ct`'s decks.
pub const CT_BONE_POISSON: f64 = library::CORTICAL_NU;

/// Sections: one per region present; with CT-mapped `moduli` (MPa, indexed by element) the
/// bone elements get isotropic materials of their own moduli instead (one material per
/// distinct modulus, sections `CT_BONE_<k>`), the other regions theirs.
fn add_sections(
    model: &mut Model,
    regions: &[Region],
    materials: &StudyMaterials,
    moduli: Option<&[f64]>,
) -> Result<(), BiomechError> {
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
        let elements: Vec<usize> = (0..regions.len())
            .filter(|&e| pick(regions[e]) && !(moduli.is_some() && regions[e].is_bone()))
            .collect();
        if !elements.is_empty() {
            let m = model.add_material(material.clone());
            model.sections.push(Section {
                elements,
                material: m,
                name: name.into(),
            });
        }
    }
    if let Some(moduli) = moduli {
        let mut by_modulus: std::collections::BTreeMap<u64, Vec<usize>> = Default::default();
        for e in (0..regions.len()).filter(|&e| regions[e].is_bone()) {
            let modulus = *moduli.get(e).ok_or_else(|| {
                BiomechError::construction(format!(
                    "{} CT-mapped moduli for bone element {e}",
                    moduli.len()
                ))
            })?;
            by_modulus.entry(modulus.to_bits()).or_default().push(e);
        }
        for (k, (bits, elements)) in by_modulus.into_iter().enumerate() {
            let e = f64::from_bits(bits);
            let material = Material::new(
                format!("ct_bone_{k}"),
                osteon_material::Elastic::Isotropic(osteon_material::IsotropicElastic::new(
                    e,
                    CT_BONE_POISSON,
                )?),
            );
            let m = model.add_material(material);
            model.sections.push(Section {
                elements,
                material: m,
                name: format!("CT_BONE_{k}"),
            });
        }
    }
    Ok(())
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

/// Hold the support nodes ([`fixed_nodes`]) as `loads.support` says: clamp them, or couple
/// them to a fixed reference point at their centroid (the ankle) by a distributing coupling
/// ([`CoupledSupport`]). The coupling weights are the nodes' shares of the DISTAL_END face
/// areas when the support is that surface (the reaction then acts as a uniform joint
/// pressure would), else 1 (a node-based coupling, for `distal_fixation_mm` > 0 or a patient
/// mesh with a node set only).
pub fn apply_support(model: &mut Model, loads: &LoadSpec) -> Result<(), BiomechError> {
    let nodes = fixed_nodes(&model.mesh, loads)?;
    match loads.support {
        DistalSupport::Clamped => model.fix(&nodes, &[0, 1, 2]),
        DistalSupport::AnkleCoupling => {
            let face_weights = match model.mesh.surface_faces("DISTAL_END") {
                Ok(f) if loads.distal_fixation_mm == 0.0 && !f.is_empty() => {
                    Some(plateau_nodes(&model.mesh, f)?)
                }
                _ => None,
            };
            let (nodes, weights) = match face_weights {
                Some((n, w)) if n == nodes => (n, w),
                _ => {
                    let w = vec![1.0; nodes.len()];
                    (nodes, w)
                }
            };
            let support = CoupledSupport::new(
                "the distal support nodes",
                &model.mesh.coords,
                &nodes,
                &weights,
            )?;
            model.couple_support(support)?;
        }
    }
    Ok(())
}

fn faces(mesh: &Mesh, name: &str) -> Result<Vec<FaceRef>, BiomechError> {
    Ok(mesh.surface_faces(name)?.to_vec())
}

/// The knee frame of the load data (x lateral, y anterior, z proximal: a right knee,
/// [`crate::spec::StudyLoadCase`]) in the mesh's frame: the world vectors of its three
/// axes. The parametric tibia and an imported mesh are built in it (identity); a CT is in
/// the DICOM patient frame LPS (+x the patient's left, +y posterior, +z superior), where
/// the lateral axis is ±x and the anterior one −y ([`KneeFrame::lps`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KneeFrame {
    /// The lateral direction (unit vector, mesh frame).
    pub lateral: [f64; 3],
    /// The anterior direction.
    pub anterior: [f64; 3],
    /// The proximal direction.
    pub proximal: [f64; 3],
}

impl Default for KneeFrame {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl KneeFrame {
    /// The mesh is built in the knee frame (the parametric tibia, an imported mesh).
    pub const IDENTITY: Self = Self {
        lateral: [1.0, 0.0, 0.0],
        anterior: [0.0, 1.0, 0.0],
        proximal: [0.0, 0.0, 1.0],
    };

    /// A tibia in the LPS frame with its lateral side towards +x (`lateral_sign` = +1, a
    /// left tibia) or −x (−1, a right tibia): anterior −y, proximal +z. For a left tibia
    /// the frame is the mirror image of the right knee's, as the in-vivo data of left knees
    /// are mirrored onto the right (docs/biomechanics.md §5.2): forces map by the axes,
    /// moments (axial vectors) by the axes and the mirror's sign.
    pub fn lps(lateral_sign: f64) -> Self {
        Self {
            lateral: [lateral_sign.signum(), 0.0, 0.0],
            anterior: [0.0, -1.0, 0.0],
            proximal: [0.0, 0.0, 1.0],
        }
    }

    /// A force (any unit) from knee to mesh components.
    pub fn force(&self, f: [f64; 3]) -> [f64; 3] {
        std::array::from_fn(|i| {
            f[0] * self.lateral[i] + f[1] * self.anterior[i] + f[2] * self.proximal[i]
        })
    }

    /// A moment from knee to mesh components: as a force, times the determinant of the
    /// axes (−1 for a mirrored frame).
    pub fn moment(&self, m: [f64; 3]) -> [f64; 3] {
        let [a, b, c] = [self.lateral, self.anterior, self.proximal];
        let det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            + a[2] * (b[0] * c[1] - b[1] * c[0]);
        self.force(m).map(|v| det * v)
    }
}

/// The plateau load cases: axial compression `fraction` × BW, `medial_share` of it as a
/// uniform pressure on the medial half of the plateau (x < 0) and the rest on the lateral
/// half (biomechanics.md §5); a case's shear and moment (about the plateau centre, the
/// area-weighted centroid of the plateau nodes) as nodal forces on the plateau nodes by a
/// distributing coupling, with the exact resultant ([`distribute_wrench`]; the knee frame of
/// [`crate::spec::StudyLoadCase`], placed in the mesh's frame by `knee`).
pub fn plateau_load_cases(
    mesh: &Mesh,
    loads: &LoadSpec,
    knee: &KneeFrame,
) -> Result<Vec<LoadCase>, BiomechError> {
    let medial = faces(mesh, "PLATEAU_MEDIAL")?;
    let lateral = faces(mesh, "PLATEAU_LATERAL")?;
    let (a_m, a_l) = (faces_area(mesh, &medial), faces_area(mesh, &lateral));
    let Plateau {
        nodes,
        weights,
        centre,
    } = plateau(mesh)?;
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
                force: knee.force([c.shear_n[0], c.shear_n[1], 0.0]),
                moment: knee.moment(c.moment_nmm),
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

/// The plateau nodes (medial and lateral faces) with their area weights and their weighted
/// centroid, where the knee load is applied.
pub(crate) struct Plateau {
    /// Node indices.
    pub nodes: Vec<usize>,
    /// Each node's share of the plateau face areas (mm²).
    pub weights: Vec<f64>,
    /// The weighted centroid, the plateau centre (mm).
    pub centre: [f64; 3],
}

/// The plateau of `mesh` (surfaces PLATEAU_MEDIAL and PLATEAU_LATERAL).
pub(crate) fn plateau(mesh: &Mesh) -> Result<Plateau, BiomechError> {
    let medial = faces(mesh, "PLATEAU_MEDIAL")?;
    let lateral = faces(mesh, "PLATEAU_LATERAL")?;
    let (nodes, weights) = plateau_nodes(mesh, &[medial.as_slice(), &lateral].concat())?;
    let centre = weighted_centroid(&mesh.coords, &nodes, &weights);
    Ok(Plateau {
        nodes,
        weights,
        centre,
    })
}

/// A load case of a force (N) and a moment (N·mm) at the plateau centre, spread over the
/// plateau nodes by the distributing coupling (the construct-stiffness unit cases).
pub(crate) fn plateau_wrench_case(
    mesh: &Mesh,
    name: &str,
    force: [f64; 3],
    moment: [f64; 3],
) -> Result<LoadCase, BiomechError> {
    let p = plateau(mesh)?;
    let mut case = LoadCase::new(name);
    case.nodal_loads = distribute_wrench(
        "the tibial plateau",
        &mesh.coords,
        &p.nodes,
        &p.weights,
        &Wrench {
            force,
            moment,
            point: p.centre,
        },
    )?;
    Ok(case)
}

/// The nodes of `faces` with weights: each face's area shared equally by its nodes (mm²),
/// sorted by node.
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

impl Reconstruction {
    /// The implanted model: prosthesis, flange, screws, tie and embedding equations, the
    /// distal fixation and the plateau load cases.
    pub fn implanted_model(
        &self,
        materials: &StudyMaterials,
        loads: &LoadSpec,
    ) -> Result<Model, BiomechError> {
        let mut model = Model::new(self.mesh.clone());
        add_sections(
            &mut model,
            &self.regions,
            materials,
            self.bone_moduli_mpa.as_deref(),
        )?;
        model.equations = self.equations.clone();
        apply_support(&mut model, loads)?;
        model.load_cases = plateau_load_cases(&model.mesh, loads, &self.knee_frame)?;
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
        add_sections(
            &mut model,
            &self.intact_regions(),
            materials,
            self.bone_moduli_mpa.as_deref(),
        )?;
        apply_support(&mut model, loads)?;
        model.load_cases = plateau_load_cases(&model.mesh, loads, &self.knee_frame)?;
        Ok(model)
    }
}

#[cfg(test)]
mod knee_frame_tests {
    use super::KneeFrame;

    fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    }

    /// A moment is the moment of a force: mapping r and F to the mesh frame and taking
    /// r × F there gives the mapped moment, for the mirrored (left) and the rotated (right)
    /// LPS frames alike; the lateral, anterior and proximal axes land on ±x, −y, +z.
    #[test]
    fn moments_map_as_the_moments_of_the_mapped_forces() {
        let (r, f) = ([3.0, -7.0, 11.0], [-2.0, 5.0, 13.0]);
        for sign in [1.0, -1.0] {
            let k = KneeFrame::lps(sign);
            let expected = cross(k.force(r), k.force(f));
            let got = k.moment(cross(r, f));
            for i in 0..3 {
                assert!(
                    (got[i] - expected[i]).abs() < 1e-12,
                    "{sign}: {got:?} vs {expected:?}"
                );
            }
            assert_eq!(k.force([1.0, 0.0, 0.0]), [sign, 0.0, 0.0]);
            assert_eq!(k.force([0.0, 1.0, 0.0]), [0.0, -1.0, 0.0]);
            assert_eq!(k.force([0.0, 0.0, 1.0]), [0.0, 0.0, 1.0]);
        }
        assert_eq!(KneeFrame::IDENTITY.moment(r), r);
    }
}
