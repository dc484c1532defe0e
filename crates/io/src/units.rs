//! Unit plausibility: warnings for models whose numbers do not fit osteon's mm–N–MPa–t
//! system.
//!
//! osteon has no unit field: a deck written in metres and pascals (E = 1.7e10, coordinates
//! 0.3) solves without complaint and gives displacements in the wrong unit. These checks
//! catch the usual slips — SI (m, N, Pa, kg/m³), g/cm³ densities, gravity in m/s² — by
//! comparing each number with the range that any engineering material or any bone-sized
//! model can have. They are warnings, not errors: a micro-model smaller than 1 mm is
//! possible, it is merely unusual.
//!
//! | quantity | plausible in mm–N–MPa–t | warned when |
//! |---|---|---|
//! | Young's modulus (each axis) | 10⁻³ MPa (gels) … 1.2·10⁶ MPa (diamond) | > 10⁶ MPa or < 10⁻³ MPa |
//! | density | 10⁻¹² t/mm³ (foams) … 2.3·10⁻⁸ t/mm³ (osmium) | > 10⁻⁶ t/mm³ or < 10⁻¹³ t/mm³ |
//! | model size (largest bounding-box edge) | 1 mm … 10 m | < 1 mm or > 10⁴ mm |
//! | gravity | 9 810 mm/s² | 1 ≤ \|g\| ≤ 100 (m/s²) |
//! | pressure | ≤ 10⁴ MPa (10 GPa) | > 10⁴ MPa |
//!
//! ```
//! use osteon_assembly::Model;
//! use osteon_io::units::{Subject, check_units};
//! use osteon_material::{Elastic, IsotropicElastic, Material};
//! use osteon_mesh::generate::{BoxSpec, box_mesh};
//! use osteon_mesh::ElementType;
//!
//! // a 0.3 × 0.03 × 0.03 box of "bone" with E in Pa: a model written in SI units
//! let mesh = box_mesh(&BoxSpec {
//!     origin: [0.0; 3],
//!     size: [0.3, 0.03, 0.03],
//!     cells: [4, 1, 1],
//!     element: ElementType::Hex8,
//! })?;
//! let mut model = Model::new(mesh);
//! let si = Elastic::Isotropic(IsotropicElastic::new(1.7e10, 0.3)?);
//! model.add_material(Material::new("BONE", si));
//! let warnings = check_units(&model);
//! assert!(warnings.iter().any(|w| w.subject == Subject::Material(0)));
//! assert!(warnings.iter().any(|w| w.subject == Subject::Geometry));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use osteon_assembly::Model;
use osteon_material::Material;

/// Largest plausible Young's modulus (MPa): above that of diamond (≈ 1.05–1.2·10⁶ MPa).
pub const MAX_MODULUS_MPA: f64 = 1.0e6;
/// Smallest plausible Young's modulus (MPa): softer than any hydrogel or soft tissue.
pub const MIN_MODULUS_MPA: f64 = 1.0e-3;
/// Largest plausible density (t/mm³): 40 × osmium (2.26·10⁻⁸ t/mm³).
pub const MAX_DENSITY: f64 = 1.0e-6;
/// Smallest plausible density (t/mm³): 0.1 kg/m³, below any solid foam.
pub const MIN_DENSITY: f64 = 1.0e-13;
/// Smallest plausible model size (mm, largest bounding-box edge).
pub const MIN_SIZE_MM: f64 = 1.0;
/// Largest plausible model size (mm, largest bounding-box edge): 10 m.
pub const MAX_SIZE_MM: f64 = 1.0e4;
/// Largest plausible pressure (MPa): 10 GPa.
pub const MAX_PRESSURE_MPA: f64 = 1.0e4;

/// What a unit warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// `model.materials[i]`.
    Material(usize),
    /// The mesh as a whole (its size).
    Geometry,
    /// `model.load_cases[i]`.
    LoadCase(usize),
}

/// One implausible number and the unit system it suggests.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitWarning {
    /// What the warning is about.
    pub subject: Subject,
    /// The number, the plausible range and the likely unit system, in words.
    pub message: String,
}

/// Check materials, model size and loads of `model` against the mm–N–MPa–t ranges in the
/// module docs. Empty when everything is plausible.
pub fn check_units(model: &Model) -> Vec<UnitWarning> {
    let mut out = Vec::new();
    for (i, material) in model.materials.iter().enumerate() {
        for message in material_messages(material) {
            out.push(UnitWarning {
                subject: Subject::Material(i),
                message,
            });
        }
    }
    if model.mesh.n_nodes() > 0 {
        let (lo, hi) = model.mesh.bounding_box();
        let size = (0..3).map(|k| hi[k] - lo[k]).fold(0.0, f64::max);
        if size < MIN_SIZE_MM {
            out.push(UnitWarning {
                subject: Subject::Geometry,
                message: format!("the model is only {size:.3e} mm across (largest bounding-box edge): osteon works in mm — were the coordinates written in metres?"),
            });
        } else if size > MAX_SIZE_MM {
            out.push(UnitWarning {
                subject: Subject::Geometry,
                message: format!("the model is {size:.3e} mm across (largest bounding-box edge), more than 10 m: osteon works in mm — were the coordinates written in µm?"),
            });
        }
    }
    for (i, case) in model.load_cases.iter().enumerate() {
        let subject = Subject::LoadCase(i);
        for g in &case.gravity {
            let magnitude = g.acceleration.iter().map(|a| a * a).sum::<f64>().sqrt();
            if (1.0..=100.0).contains(&magnitude) {
                out.push(UnitWarning {
                    subject,
                    message: format!("gravity |g| = {magnitude} mm/s² looks like m/s²: in mm–N–MPa–t, g = 9810 mm/s²"),
                });
            }
        }
        let peak = case
            .pressures
            .iter()
            .map(|p| p.pressure.abs())
            .chain(
                case.tractions
                    .iter()
                    .flat_map(|t| t.traction.iter().map(|v| v.abs())),
            )
            .fold(0.0, f64::max);
        if peak > MAX_PRESSURE_MPA {
            out.push(UnitWarning {
                subject,
                message: format!("a surface load of {peak:.3e} MPa exceeds 10 GPa: were pressures written in Pa (1 MPa = 10⁶ Pa)?"),
            });
        }
    }
    out
}

/// The unit warnings of one material (moduli along the axes from the compliance, density).
fn material_messages(material: &Material) -> Vec<String> {
    let mut out = Vec::new();
    let moduli: Vec<f64> = match material.compliance() {
        Ok(s) => (0..3).map(|k| 1.0 / s[k][k]).collect(),
        Err(_) => {
            let d = material.stiffness();
            (0..3).map(|k| d[k][k]).collect()
        }
    };
    let e_max = moduli.iter().copied().fold(f64::MIN, f64::max);
    let e_min = moduli.iter().copied().fold(f64::MAX, f64::min);
    if e_max > MAX_MODULUS_MPA {
        out.push(format!(
            "material {}: Young's modulus {e_max:.3e} MPa is stiffer than diamond (about 1.1e6 MPa): the deck looks like SI units (Pa, and then m for lengths); osteon works in mm, N, MPa ({e_max:.3e} Pa = {:.4} MPa)",
            material.name,
            e_max * 1e-6
        ));
    } else if e_min < MIN_MODULUS_MPA {
        out.push(format!(
            "material {}: Young's modulus {e_min:.3e} MPa is softer than any tissue (about 1e-3 MPa): were the moduli written in GPa or kPa scaled wrongly? osteon works in MPa",
            material.name
        ));
    }
    if let Some(rho) = material.density {
        if rho > MAX_DENSITY {
            out.push(format!(
                "material {}: density {rho:.3e} t/mm³ is denser than any solid (osmium 2.26e-8 t/mm³): kg/m³ or g/cm³? In mm–N–MPa, density is in t/mm³ (1000 kg/m³ = 1e-9 t/mm³)",
                material.name
            ));
        } else if rho < MIN_DENSITY {
            out.push(format!(
                "material {}: density {rho:.3e} t/mm³ is lighter than any solid foam: density is in t/mm³ (1000 kg/m³ = 1e-9 t/mm³)",
                material.name
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_assembly::{Gravity, LoadCase, PressureLoad};
    use osteon_material::{Elastic, IsotropicElastic};
    use osteon_mesh::generate::{BoxSpec, box_mesh};
    use osteon_mesh::{ElementType, FaceRef};

    fn model(size: f64, e: f64, density: Option<f64>) -> Model {
        let mesh = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [size, size / 10.0, size / 10.0],
            cells: [2, 1, 1],
            element: ElementType::Hex8,
        })
        .expect("box");
        let mut m = Model::new(mesh);
        let iso = IsotropicElastic::new(e, 0.3).expect("valid constants");
        let mut bone = Material::new("BONE", Elastic::Isotropic(iso));
        bone.density = density;
        m.add_material(bone);
        m
    }

    /// A load case with gravity `g` (mm/s², along −z) and `pressure` (MPa) on one face.
    fn gravity_and_pressure(name: &str, g: f64, pressure: f64) -> LoadCase {
        let mut case = LoadCase::new(name);
        case.gravity.push(Gravity {
            elements: None,
            acceleration: [0.0, 0.0, -g],
        });
        case.pressures.push(PressureLoad {
            face: FaceRef {
                element: 0,
                face: 0,
            },
            pressure,
        });
        case
    }

    #[test]
    fn a_bone_model_in_mm_n_mpa_is_plausible() {
        let mut m = model(300.0, 17_000.0, Some(1.9e-9));
        m.load_cases.push(gravity_and_pressure("walk", 9810.0, 2.0));
        assert_eq!(check_units(&m), Vec::new());
    }

    #[test]
    fn an_si_model_is_named_as_such() {
        let m = model(0.3, 1.7e10, Some(1900.0));
        let w = check_units(&m);
        let subjects: Vec<Subject> = w.iter().map(|w| w.subject).collect();
        assert_eq!(
            subjects,
            vec![
                Subject::Material(0),
                Subject::Material(0),
                Subject::Geometry
            ]
        );
        assert!(w[0].message.contains("SI units"));
        assert!(w[0].message.contains("17000.0000 MPa"));
        assert!(w[1].message.contains("kg/m³"));
        assert!(w[2].message.contains("metres"));
    }

    #[test]
    fn gravity_in_m_per_s2_and_pressure_in_pa_are_flagged() {
        let mut m = model(300.0, 17_000.0, None);
        m.load_cases.push(gravity_and_pressure("si", 9.81, 2.0e6));
        let w = check_units(&m);
        assert_eq!(w.len(), 2);
        assert!(w.iter().all(|w| w.subject == Subject::LoadCase(0)));
        assert!(w[0].message.contains("9810"));
        assert!(w[1].message.contains("Pa"));
    }
}
