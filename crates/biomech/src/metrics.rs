//! The biomechanical metrics of DESIGN.md §5, per load case, from the implanted solution and
//! the intact reference solved under the same load.
//!
//! - **Interface displacement**: |u| (mm) at the bone nodes of each interface (proximal and
//!   distal docking faces, flange footprint, screw holes), max and mean; target max < 2 mm
//!   (seed, biomechanics.md §0). The intact bone's |u| at the same nodes is given alongside.
//! - **Micromotion**: with a bonded interface the relative motion is zero by construction, so
//!   the metric is [`MicromotionMetric::NotApplicable`], never 0.
//! - **Stress shielding** per bone zone: S = Σ SED_impl·V / Σ SED_intact·V over the zone's
//!   integration points, shielding = 1 − S; the volume fraction of bone whose pointwise S is
//!   below the lazy zone, S < 1 − s (s = 0.75, Huiskes 1987, unverified; biomechanics.md §7);
//!   von Mises ratio 1 − σ̄vm_impl/σ̄vm_intact as the second view.
//! - **Implant safety**: the porous Ta's judged stress (the larger of Deshpande–Fleck and von
//!   Mises) averaged over a sphere at its hot spot ([`crate::critical_distance`]), with its
//!   peak and volume 99th percentile, vs 20 MPa (static) and 10 MPa (10⁶ cycles) (seed,
//!   biomechanics.md §0, §9); a Ti-6Al-4V flange vs its yield and its notched fatigue
//!   strength; screws vs the Ti-6Al-4V yield 795 MPa (ASTM F136, §8, §9).
//! - **Bone strain**: peak and 99th-percentile |principal strain| (µε) vs 3000 µε (Frost
//!   mechanostat, biomechanics.md §9); principal stresses vs 193 MPa compression and 133 MPa
//!   tension (Reilly & Burstein 1975, unverified transcription, §3.1, §9).
//!
//! Integration-point values are used throughout (no nodal smoothing), so peaks are the
//! largest values at Gauss points.

use nalgebra::Vector3;
use serde::{Deserialize, Serialize};

use osteon_assembly::contact::{Micromotion, MotionStatistics};
use osteon_assembly::{StepSolution, von_mises, weighted_quantile};
use osteon_material::voigt::principal_values;

pub use crate::checks::checks;

use crate::builder::{Reconstruction, Region};
use crate::critical_distance::{Sample, SphereAverage, largest_sphere_average, sphere_average_at};
use crate::error::BiomechError;
use crate::flange_net_section::{HoleGeometry, HoleNetSection, flange_hole_sections};
use crate::implant_strength::{ScrewEntry, deshpande_fleck, screw_entries};
use crate::load_sharing::{LoadSharing, load_sharing};
use crate::mechanostat::{MechanostatBands, StrainDistribution};
use crate::migration::{Migration, implant_migration};
use crate::spec::{FlangeMaterial, InterfaceModel, MetricSpec, StudyLoadCase};

/// Displacement at one interface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterfaceDisplacement {
    /// Interface name.
    pub name: String,
    /// Bone nodes on it.
    pub n_nodes: usize,
    /// Largest |u| (mm).
    pub max_mm: f64,
    /// Mean |u| (mm).
    pub mean_mm: f64,
    /// Largest |u| of the intact bone at the same nodes (mm).
    pub intact_max_mm: f64,
    /// Mean |u| of the intact bone at the same nodes (mm).
    pub intact_mean_mm: f64,
}

/// Implant migration, as the study reports it: the prosthesis' rigid motion relative to each
/// fragment ([`crate::migration`]), or why it does not apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MigrationMetric {
    /// Not defined for this interface model (bonded: the docking faces share their nodes,
    /// so the migration is zero by construction).
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// Computed at each docking face.
    Computed {
        /// One per docking face.
        faces: Vec<Migration>,
    },
}

impl MigrationMetric {
    /// The face with the largest migration, if computed.
    pub fn largest(&self) -> Option<&Migration> {
        match self {
            MigrationMetric::NotApplicable { .. } => None,
            MigrationMetric::Computed { faces } => faces
                .iter()
                .max_by(|a, b| a.magnitude_mm.total_cmp(&b.magnitude_mm)),
        }
    }
}

/// Micromotion at the bone–implant interface, as the study reports it: the one definition
/// of osteon ([`Micromotion`], the same numbers `osteon solve` gives for a contact deck), or
/// why it does not apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MicromotionMetric {
    /// Not defined for this interface model (bonded: zero relative motion by construction).
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// The tangential and normal motion of the prosthesis end faces against the bone,
    /// relative to the unloaded state (per docking face and over both).
    Computed(Box<Micromotion>),
}

impl MicromotionMetric {
    /// The statistics over all interfaces, when computed.
    pub fn statistics(&self) -> Option<&MotionStatistics> {
        match self {
            MicromotionMetric::NotApplicable { .. } => None,
            MicromotionMetric::Computed(m) => Some(&m.all),
        }
    }
}

/// A micromotion value (µm) with three significant digits below 10 µm ("0.0253 µm",
/// "4.12 µm") and one decimal above ("63.4 µm").
pub fn format_um(v: f64) -> String {
    if v >= 10.0 || v == 0.0 || !v.is_finite() {
        format!("{v:.1} µm")
    } else {
        let digits = (2 - v.log10().floor() as i32).max(1) as usize;
        format!("{v:.digits$} µm")
    }
}

/// Cross-section means of the bone along z, in bands of `band_mm` whose edges include the
/// distal docking plane: the von Mises and SED "along the shaft" of the report's plot.
/// `None` where a band holds no such material (the implanted bone in the defect).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShaftProfile {
    /// Band height (mm).
    pub band_mm: f64,
    /// Band centres (mm).
    pub z_mm: Vec<f64>,
    /// Volume-mean von Mises stress of the implanted model's bone (MPa).
    pub von_mises_implanted: Vec<Option<f64>>,
    /// Volume-mean von Mises stress of the intact bone (MPa).
    pub von_mises_intact: Vec<Option<f64>>,
    /// Volume-mean von Mises stress of the porous-Ta prosthesis body (MPa).
    pub von_mises_prosthesis: Vec<Option<f64>>,
    /// Volume-mean SED of the implanted model's bone (mJ/mm³).
    pub sed_implanted: Vec<Option<f64>>,
    /// Volume-mean SED of the intact bone (mJ/mm³).
    pub sed_intact: Vec<Option<f64>>,
    /// Volume-mean SED of the prosthesis body (mJ/mm³).
    pub sed_prosthesis: Vec<Option<f64>>,
}

/// Stress shielding in one bone zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoneShielding {
    /// Zone name.
    pub name: String,
    /// z range covered (mm).
    pub z_range_mm: [f64; 2],
    /// Bone volume of the zone (mm³).
    pub volume_mm3: f64,
    /// Mean SED, implanted (mJ/mm³ = MPa).
    pub sed_implanted: f64,
    /// Mean SED, intact (mJ/mm³ = MPa).
    pub sed_intact: f64,
    /// S = SED_implanted / SED_intact.
    pub ratio: f64,
    /// 1 − S.
    pub shielding: f64,
    /// Volume fraction of the zone with pointwise S < 1 − s.
    pub fraction_below_lazy_zone: f64,
    /// 1 − mean σvm implanted / mean σvm intact.
    pub von_mises_shielding: f64,
}

/// Stress shielding over the bone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressShielding {
    /// Lazy-zone half-width s.
    pub lazy_zone_s: f64,
    /// Per zone, distal to proximal.
    pub zones: Vec<ZoneShielding>,
    /// Volume fraction of all bone with S < 1 − s.
    pub bone_fraction_below_lazy_zone: f64,
    /// Volume fraction of the bone within the flange span (docking face ± overlap) with
    /// S < 1 − s.
    pub near_fraction_below_lazy_zone: f64,
}

impl StressShielding {
    /// The largest zone shielding 1 − S (−∞ without zones).
    pub fn max_zone_shielding(&self) -> f64 {
        self.zones
            .iter()
            .map(|z| z.shielding)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// Von Mises statistics of one part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressStat {
    /// Part name.
    pub part: String,
    /// Largest integration-point von Mises stress (MPa).
    pub peak_mpa: f64,
    /// Volume-weighted 99th percentile (MPa): the mesh-converged headline value; the peak
    /// sits at a stress singularity (re-entrant corner, embedded screw tip) and grows with
    /// refinement.
    pub p99_mpa: f64,
    /// Volume-weighted mean (MPa).
    pub mean_mpa: f64,
    /// Position of the peak (mm).
    pub peak_at_mm: [f64; 3],
}

/// Bone strain and stress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoneStrain {
    /// Largest |principal strain| (µε).
    pub peak_microstrain: f64,
    /// Volume-weighted 99th percentile of |principal strain| (µε).
    pub p99_microstrain: f64,
    /// Position of the peak (mm).
    pub peak_at_mm: [f64; 3],
    /// The intact bone's largest |principal strain| (µε).
    pub intact_peak_microstrain: f64,
    /// Largest tensile principal stress (MPa).
    pub max_tensile_stress_mpa: f64,
    /// Largest compressive principal stress magnitude (MPa).
    pub max_compressive_stress_mpa: f64,
    /// Largest von Mises stress in bone (MPa).
    pub peak_von_mises_mpa: f64,
    /// Largest |principal strain| in the diaphysis, i.e. away from the load introduction at
    /// the plateau and the distal fixation (µε).
    pub shaft_peak_microstrain: f64,
    /// Position of the diaphyseal peak (mm).
    pub shaft_peak_at_mm: [f64; 3],
    /// Volume-weighted 99th percentile of |principal strain| in the diaphysis (µε): the
    /// mesh-converged diaphyseal value (the peak sits at an embedded screw tip).
    pub shaft_p99_microstrain: f64,
    /// The same for the intact bone (µε).
    pub intact_shaft_p99_microstrain: f64,
    /// The intact bone's largest |principal strain| in the diaphysis (µε).
    pub intact_shaft_peak_microstrain: f64,
    /// The diaphysis' |principal strain| (µε) averaged over a sphere at its hot spot, at
    /// the judged radius ([`crate::MetricSpec::bone_averaging_radius_mm`]) and at 0.6 and
    /// 1.6 times it ([`crate::critical_distance`]): implanted; `None` without diaphysis
    /// points or in reports written before it existed.
    #[serde(default)]
    pub shaft_averaged: Option<StrainAverage>,
    /// The same for the intact bone.
    #[serde(default)]
    pub intact_shaft_averaged: Option<StrainAverage>,
    /// Volume fractions in the mechanostat bands, reconstructed and intact.
    #[serde(default)]
    pub bands: StrainDistribution,
}

/// Force balance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Equilibrium {
    /// Sum of applied forces (N).
    pub applied_n: [f64; 3],
    /// Sum of reactions (N).
    pub reaction_n: [f64; 3],
    /// |applied + reaction| / |applied|.
    pub relative_error: f64,
    /// Moment of the applied loads about the origin (N·mm).
    #[serde(default)]
    pub applied_moment_nmm: [f64; 3],
    /// |applied moment + reaction moment| / (|applied force| × the model's size), the
    /// moment balance about the origin (–); the size is the diagonal of the bounding box of
    /// the mesh (mm).
    #[serde(default)]
    pub moment_relative_error: f64,
}

/// All metrics of one load case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseMetrics {
    /// Case name.
    pub name: String,
    /// Axial load (N).
    pub load_n: f64,
    /// Load as a fraction of body weight.
    pub bw_fraction: f64,
    /// Medial share of the load.
    pub medial_share: f64,
    /// Shear at the knee (N), (Fx, Fy) in the knee frame.
    #[serde(default)]
    pub knee_shear_n: [f64; 2],
    /// Moment at the plateau centre (N·mm) on top of that of the medial/lateral split.
    #[serde(default)]
    pub knee_moment_nmm: [f64; 3],
    /// Where the load comes from.
    #[serde(default)]
    pub load_source: String,
    /// Force balance of the implanted model.
    pub equilibrium: Equilibrium,
    /// Force balance of the intact model.
    pub intact_equilibrium: Equilibrium,
    /// Bone displacement |u| at the bone nodes of each interface, relative to the ankle
    /// support: whole-bone deformation, not implant migration.
    pub interfaces: Vec<InterfaceDisplacement>,
    /// Implant migration relative to each fragment (the seed's < 2 mm criterion).
    #[serde(default = "migration_not_recorded")]
    pub migration: MigrationMetric,
    /// Largest |u| of the prosthesis body (mm).
    pub implant_max_displacement_mm: f64,
    /// Largest |u| anywhere, implanted and intact (mm).
    pub max_displacement_mm: [f64; 2],
    /// Micromotion.
    pub micromotion: MicromotionMetric,
    /// Stress shielding.
    pub shielding: StressShielding,
    /// Porous tantalum (body, and the flange when it is porous Ta): von Mises.
    pub porous_tantalum: StressStat,
    /// The same elements' multiaxial (Deshpande–Fleck) equivalent stress, the one judged
    /// against the lattice strengths; `None` in reports written before it existed.
    #[serde(default)]
    pub porous_tantalum_multiaxial: Option<StressStat>,
    /// The judged lattice stress averaged over a sphere at its hot spot (the stress the
    /// lattice checks judge); `None` without porous-Ta elements and in reports written
    /// before it existed.
    #[serde(default)]
    pub porous_tantalum_averaged: Option<LatticeAverage>,
    /// Each screw's stresses where it enters the near cortex.
    #[serde(default)]
    pub screw_entry: Vec<ScrewEntry>,
    /// The flange when it is not porous Ta.
    pub flange: Option<StressStat>,
    /// The flange's material (decides the target of the flange check).
    #[serde(default = "default_flange_material")]
    pub flange_material: FlangeMaterial,
    /// W/(W − d) through the flange's screw holes ([`crate::ImplantSpec::flange_net_section_factor`]):
    /// the flange model has no open hole (a drilled screw's locked head fills its hole), so
    /// the flange fatigue check holds the model's gross stress times it against the notched
    /// strength; `None` without screws and in reports written before it existed.
    #[serde(default)]
    pub flange_net_section_factor: Option<f64>,
    /// The flange's nominal stress in the net section through each screw hole, from section
    /// forces (the stress the flange fatigue check judges); empty without screws through a
    /// flange, on models without element layers (imported meshes) and in reports written
    /// before it existed.
    #[serde(default)]
    pub flange_holes: Vec<HoleNetSection>,
    /// The screws.
    pub screws: Option<StressStat>,
    /// Bone.
    pub bone: BoneStrain,
    /// Von Mises and SED along the shaft, implanted vs intact.
    #[serde(default)]
    pub shaft_profile: ShaftProfile,
    /// Load sharing between prosthesis and flange at mid-defect; `None` when no element
    /// layer spans mid-defect in every part.
    #[serde(default)]
    pub load_sharing: Option<LoadSharing>,
}

/// The porous-Ta stress the lattice strength checks judge, in one case (MPa): the larger of
/// the Deshpande–Fleck and the von Mises stress ([`judged_lattice_stress`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JudgedLatticeStress {
    /// Largest integration-point value: singular at a contact or tie edge, grows with the mesh.
    pub peak_mpa: f64,
    /// The larger of the two measures' volume 99th percentiles.
    pub p99_mpa: f64,
    /// The mean over a sphere at the hot spot, on which the checks judge; `None` in reports
    /// written before it existed (they are judged on the peak).
    pub averaged: Option<SphereAverage>,
}

impl JudgedLatticeStress {
    /// The value the checks compare with the lattice strengths (MPa): the sphere mean, or the
    /// peak where it is missing.
    pub fn verdict_mpa(&self) -> f64 {
        self.averaged.map_or(self.peak_mpa, |a| a.value)
    }
}

impl CaseMetrics {
    /// The judged porous-Ta stress of this case: one accessor for the checks, the design
    /// sweep and the daily table.
    pub fn judged_lattice_stress(&self) -> JudgedLatticeStress {
        let vm = &self.porous_tantalum;
        let (peak, p99) = match &self.porous_tantalum_multiaxial {
            Some(m) => (m.peak_mpa.max(vm.peak_mpa), m.p99_mpa.max(vm.p99_mpa)),
            None => (vm.peak_mpa, vm.p99_mpa),
        };
        JudgedLatticeStress {
            peak_mpa: peak,
            p99_mpa: p99,
            averaged: self.porous_tantalum_averaged.as_ref().map(|a| a.judged),
        }
    }
}

fn migration_not_recorded() -> MigrationMetric {
    MigrationMetric::NotApplicable {
        reason: "not recorded (report written before migration was computed)".into(),
    }
}

fn default_flange_material() -> FlangeMaterial {
    FlangeMaterial::PorousTantalum
}

/// Outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Meets the target.
    Pass,
    /// Misses the target.
    Fail,
    /// The metric does not apply (e.g. micromotion with a bonded interface).
    NotApplicable,
    /// Reported without a target.
    Info,
}

impl Status {
    /// "PASS", "FAIL", "n/a", "info".
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotApplicable => "n/a",
            Status::Info => "info",
        }
    }
}

/// One row of the pass/fail table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What is checked.
    pub criterion: String,
    /// The value, formatted with its unit ("0.123 mm", "not applicable (bonded)").
    pub value: String,
    /// The target, formatted with its unit.
    pub target: String,
    /// Outcome.
    pub status: Status,
    /// Source of the target.
    pub source: String,
}

fn norm(u: [f64; 3]) -> f64 {
    Vector3::from(u).norm()
}

fn equilibrium(case: &StepSolution, size_mm: f64) -> Equilibrium {
    let r = case.total_reaction();
    let f = case.applied_total;
    let scale = norm(f).max(f64::MIN_POSITIVE);
    let err = norm([f[0] + r[0], f[1] + r[1], f[2] + r[2]]) / scale;
    let (m, mr) = (case.applied_moment, case.reaction_moment);
    Equilibrium {
        applied_n: f,
        reaction_n: r,
        relative_error: err,
        applied_moment_nmm: m,
        moment_relative_error: norm([m[0] + mr[0], m[1] + mr[1], m[2] + mr[2]])
            / (scale * size_mm.max(f64::MIN_POSITIVE)),
    }
}

/// Diagonal of the bounding box of `coords` (mm).
fn model_size(coords: &[[f64; 3]]) -> f64 {
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for x in coords {
        for k in 0..3 {
            lo[k] = lo[k].min(x[k]);
            hi[k] = hi[k].max(x[k]);
        }
    }
    norm(std::array::from_fn(|k| (hi[k] - lo[k]).max(0.0)))
}

/// Zone of a bone point at height z: its index in the zone list of [`zone_names`].
fn zone_of(rec: &Reconstruction, edges: &[f64], z: f64) -> usize {
    let nb = edges.len(); // bands per side incl. the "shaft beyond" band
    // layout: 0 distal metaphysis, 1..=nb distal bands (far → near), nb+1..=2nb proximal bands (near → far), 2nb+1 proximal metaphysis
    if z < rec.diaphysis_z[0] {
        return 0;
    }
    if z > rec.diaphysis_z[1] {
        return 2 * nb + 1;
    }
    let band = |d: f64| edges.iter().rposition(|&e| d >= e).unwrap_or(0);
    if z <= rec.defect_z[0] {
        let b = band(rec.defect_z[0] - z);
        nb - b
    } else {
        let b = band(z - rec.defect_z[1]);
        nb + 1 + b
    }
}

/// Names and nominal z ranges of the zones, distal to proximal.
fn zone_names(rec: &Reconstruction, edges: &[f64]) -> Vec<(String, [f64; 2])> {
    let [d0, d1] = rec.diaphysis_z;
    let nb = edges.len();
    let label = |b: usize| {
        if b + 1 < nb {
            format!("{:.0}–{:.0} mm", edges[b], edges[b + 1])
        } else {
            format!("> {:.0} mm", edges[b])
        }
    };
    let mut out = vec![("distal metaphysis".to_string(), [rec.bone_z[0], d0])];
    for b in (0..nb).rev() {
        let hi = rec.defect_z[0] - edges[b];
        let lo = if b + 1 < nb {
            rec.defect_z[0] - edges[b + 1]
        } else {
            d0
        };
        out.push((format!("distal {}", label(b)), [lo.max(d0), hi]));
    }
    for b in 0..nb {
        let lo = rec.defect_z[1] + edges[b];
        let hi = if b + 1 < nb {
            rec.defect_z[1] + edges[b + 1]
        } else {
            d1
        };
        out.push((format!("proximal {}", label(b)), [lo, hi.min(d1)]));
    }
    out.push(("proximal metaphysis".to_string(), [d1, rec.bone_z[1]]));
    out
}

/// Inputs shared by the metric functions.
pub struct MetricInputs<'a> {
    /// The reconstruction.
    pub rec: &'a Reconstruction,
    /// Implanted solution of the case.
    pub implanted: &'a StepSolution,
    /// Intact solution of the case.
    pub intact: &'a StepSolution,
    /// Settings.
    pub spec: &'a MetricSpec,
    /// Interface model.
    pub interface: &'a InterfaceModel,
    /// Flange material.
    pub flange_material: FlangeMaterial,
    /// W/(W − d) through the flange's screw holes, `None` without screws
    /// ([`crate::ImplantSpec::flange_net_section_factor`]).
    pub flange_net_section_factor: Option<f64>,
    /// The hole through the flange at each screw, `None` without flange or screws
    /// ([`crate::ImplantSpec::flange_hole_geometry`]).
    pub flange_hole: Option<HoleGeometry>,
    /// The load case: name, fraction of body weight, medial share, load (N).
    pub load: &'a StudyLoadCase,
    /// Frictional interface: the micromotion of the load case's contact solution
    /// (relative to the unloaded state); `None` for a bonded interface.
    pub micromotion: Option<&'a Micromotion>,
    /// Frictional interface: (bone docking node, prosthesis copy) of the split docking
    /// faces; empty for a bonded interface.
    pub copies: &'a [(usize, usize)],
}

/// Von Mises statistics of `elements` in `case`.
fn stress_stat(
    part: &str,
    case: &StepSolution,
    elements: impl Iterator<Item = usize>,
) -> Option<StressStat> {
    stress_stat_of(part, case, elements, von_mises)
}

/// Statistics of the stress measure `measure` (MPa) of `elements` in `case`.
fn stress_stat_of(
    part: &str,
    case: &StepSolution,
    elements: impl Iterator<Item = usize>,
    measure: fn(&[f64; 6]) -> f64,
) -> Option<StressStat> {
    let f = &case.fields;
    let mut values = Vec::new();
    let mut peak = (f64::NEG_INFINITY, [0.0; 3]);
    for e in elements {
        for p in f.points_of(e) {
            let vm = measure(&f.point_stress[p]);
            values.push((vm, f.point_volume[p]));
            if vm > peak.0 {
                peak = (vm, f.point_position[p]);
            }
        }
    }
    if values.is_empty() {
        return None;
    }
    let volume: f64 = values.iter().map(|v| v.1).sum();
    let mean = values.iter().map(|v| v.0 * v.1).sum::<f64>() / volume.max(f64::MIN_POSITIVE);
    let p99 = weighted_quantile(&mut values, 0.99);
    Some(StressStat {
        part: part.into(),
        peak_mpa: peak.0,
        p99_mpa: p99,
        mean_mpa: mean,
        peak_at_mm: peak.1,
    })
}

/// Largest |principal strain| of a Voigt strain (engineering shear), in µε.
pub fn max_abs_principal_microstrain(strain: &[f64; 6]) -> f64 {
    let eps = principal_values(strain, true);
    eps[0].abs().max(eps[2].abs()) * 1e6
}

/// The integration points of the bone elements, as (implanted point, intact point) pairs:
/// both models share the bone elements and their points, in the same order.
pub(crate) fn bone_point_pairs<'a>(
    rec: &Reconstruction,
    implanted: &'a StepSolution,
    intact: &'a StepSolution,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let (fi, fa) = (&implanted.fields, &intact.fields);
    (0..rec.n_bone_elements).flat_map(move |e| fi.points_of(e).zip(fa.points_of(e)))
}

/// Compute every metric of one load case: one function per metric family
/// ([`interface_displacements`], [`implant_max_displacement`], [`micromotion`],
/// [`stress_shielding`], [`implant_safety`], [`bone_strain`], [`shaft_profile`]).
pub fn case_metrics(inp: &MetricInputs<'_>) -> Result<CaseMetrics, BiomechError> {
    let (rec, imp, int) = (inp.rec, inp.implanted, inp.intact);
    let safety = implant_safety(
        rec,
        imp,
        inp.flange_material,
        inp.spec.lattice_averaging_radius_mm,
    );
    let migration = match inp.interface {
        InterfaceModel::Bonded => MigrationMetric::NotApplicable {
            reason: "not evaluated: the bonded model assumes full ingrowth, the docking faces share their nodes"
                .into(),
        },
        InterfaceModel::Frictional { .. } => MigrationMetric::Computed {
            faces: implant_migration(rec, inp.copies, imp)?,
        },
    };
    Ok(CaseMetrics {
        name: inp.load.name.clone(),
        load_n: inp.load.load_n,
        bw_fraction: inp.load.bw_fraction,
        medial_share: inp.load.medial_share,
        knee_shear_n: inp.load.shear_n,
        knee_moment_nmm: inp.load.moment_nmm,
        load_source: inp.load.source.clone(),
        equilibrium: equilibrium(imp, model_size(&rec.mesh.coords)),
        intact_equilibrium: equilibrium(int, model_size(&rec.mesh.coords)),
        interfaces: interface_displacements(rec, imp, int),
        migration,
        implant_max_displacement_mm: implant_max_displacement(rec, imp),
        max_displacement_mm: [imp.max_displacement(), int.max_displacement()],
        micromotion: micromotion(inp.interface, inp.micromotion),
        shielding: stress_shielding(rec, imp, int, inp.spec),
        porous_tantalum: safety.porous_tantalum,
        porous_tantalum_multiaxial: Some(safety.porous_tantalum_multiaxial),
        porous_tantalum_averaged: safety.porous_tantalum_averaged,
        screw_entry: screw_entries(rec, imp),
        flange: safety.flange,
        flange_material: inp.flange_material,
        flange_net_section_factor: inp.flange_net_section_factor,
        flange_holes: inp
            .flange_hole
            .map(|hole| flange_hole_sections(rec, imp, hole))
            .unwrap_or_default(),
        screws: safety.screws,
        bone: bone_strain(rec, imp, int, inp.spec.bone_averaging_radius_mm),
        shaft_profile: shaft_profile(rec, imp, int, inp.spec.profile_band_mm),
        load_sharing: load_sharing(rec, imp),
    })
}

/// |u| (mm) at the bone nodes of each interface, implanted and intact: max and mean.
pub fn interface_displacements(
    rec: &Reconstruction,
    implanted: &StepSolution,
    intact: &StepSolution,
) -> Vec<InterfaceDisplacement> {
    rec.interfaces
        .iter()
        .map(|set| {
            let stats = |u: &[[f64; 3]]| {
                let v: Vec<f64> = set.nodes.iter().map(|&n| norm(u[n])).collect();
                let max = v.iter().copied().fold(0.0, f64::max);
                (max, v.iter().sum::<f64>() / v.len().max(1) as f64)
            };
            let (max, mean) = stats(&implanted.displacement);
            let (imax, imean) = stats(&intact.displacement);
            InterfaceDisplacement {
                name: set.name.clone(),
                n_nodes: set.nodes.len(),
                max_mm: max,
                mean_mm: mean,
                intact_max_mm: imax,
                intact_mean_mm: imean,
            }
        })
        .collect()
}

/// Largest |u| (mm) of the nodes of the prosthesis body.
pub fn implant_max_displacement(rec: &Reconstruction, implanted: &StepSolution) -> f64 {
    let mut implant_nodes = vec![false; rec.mesh.n_nodes()];
    for (e, r) in rec.regions.iter().enumerate() {
        if *r == Region::Implant {
            for &n in rec.mesh.element(e).nodes {
                implant_nodes[n] = true;
            }
        }
    }
    (0..rec.mesh.n_nodes())
        .filter(|&n| implant_nodes[n])
        .map(|n| norm(implanted.displacement[n]))
        .fold(0.0, f64::max)
}

/// Micromotion of the interface: not applicable when bonded; the contact solution's
/// [`Micromotion`] for a frictional interface.
pub fn micromotion(
    interface: &InterfaceModel,
    computed: Option<&Micromotion>,
) -> MicromotionMetric {
    match interface {
        InterfaceModel::Bonded => MicromotionMetric::NotApplicable {
            reason: "not applicable (bonded): a bonded interface has zero relative motion by construction; micromotion needs the frictional interface (osteon-contact)".into(),
        },
        InterfaceModel::Frictional { .. } => match computed {
            Some(m) if m.all.area_mm2 > 0.0 => MicromotionMetric::Computed(Box::new(m.clone())),
            _ => MicromotionMetric::NotApplicable {
                reason: "frictional interface without contact results".into(),
            },
        },
    }
}

/// Volume integrals of one bone zone (or of all bone) over its integration points.
#[derive(Clone, Copy, Debug, Default)]
struct ZoneSums {
    /// Σ V (mm³).
    volume: f64,
    /// Σ SED_implanted·V (mJ).
    sed_implanted: f64,
    /// Σ SED_intact·V (mJ).
    sed_intact: f64,
    /// Σ V where the pointwise S < 1 − s (mm³).
    volume_below: f64,
    /// Σ σvm_implanted·V (MPa·mm³).
    von_mises_implanted: f64,
    /// Σ σvm_intact·V (MPa·mm³).
    von_mises_intact: f64,
}

/// Bone volume and the part of it below the lazy zone (mm³).
#[derive(Clone, Copy, Debug, Default)]
struct VolumeBelow {
    volume: f64,
    below: f64,
}

impl VolumeBelow {
    fn add(&mut self, v: f64, below: bool) {
        self.volume += v;
        if below {
            self.below += v;
        }
    }

    fn fraction(&self) -> f64 {
        self.below / self.volume.max(f64::MIN_POSITIVE)
    }
}

impl ZoneSums {
    fn shielding(&self, name: String, range: [f64; 2]) -> ZoneShielding {
        let ratio = if self.sed_intact > 0.0 {
            self.sed_implanted / self.sed_intact
        } else {
            f64::NAN
        };
        let vm_ratio = if self.von_mises_intact > 0.0 {
            self.von_mises_implanted / self.von_mises_intact
        } else {
            f64::NAN
        };
        ZoneShielding {
            name,
            z_range_mm: range,
            volume_mm3: self.volume,
            sed_implanted: self.sed_implanted / self.volume,
            sed_intact: self.sed_intact / self.volume,
            ratio,
            shielding: 1.0 - ratio,
            fraction_below_lazy_zone: self.volume_below / self.volume,
            von_mises_shielding: 1.0 - vm_ratio,
        }
    }
}

/// Stress shielding per bone zone (SED and von Mises ratios, volume below the lazy zone),
/// over the bone's integration points; see the module documentation.
pub fn stress_shielding(
    rec: &Reconstruction,
    implanted: &StepSolution,
    intact: &StepSolution,
    spec: &MetricSpec,
) -> StressShielding {
    let (fi, fa) = (&implanted.fields, &intact.fields);
    let samples = bone_point_pairs(rec, implanted, intact).map(|(p, q)| ShieldingSample {
        volume: fi.point_volume[p],
        z: fi.point_position[p][2],
        sed_implanted: fi.point_sed(p),
        sed_intact: fa.point_sed(q),
        von_mises_implanted: von_mises(&fi.point_stress[p]),
        von_mises_intact: von_mises(&fa.point_stress[q]),
    });
    shielding_of(rec, spec, samples)
}

/// One bone integration point for the stress-shielding sums: its volume (mm³), z (mm), SED
/// (MPa, or any stimulus in the same unit for both models) and von Mises stress (MPa),
/// reconstructed and intact.
pub(crate) struct ShieldingSample {
    pub volume: f64,
    pub z: f64,
    pub sed_implanted: f64,
    pub sed_intact: f64,
    pub von_mises_implanted: f64,
    pub von_mises_intact: f64,
}

/// The stress shielding per zone and the volumes below the lazy zone of `samples`.
pub(crate) fn shielding_of(
    rec: &Reconstruction,
    spec: &MetricSpec,
    samples: impl Iterator<Item = ShieldingSample>,
) -> StressShielding {
    let s = spec.lazy_zone_s;
    let edges = &spec.band_edges_mm;
    let names = zone_names(rec, edges);
    let mut zones = vec![ZoneSums::default(); names.len()];
    let (mut near, mut all) = (VolumeBelow::default(), VolumeBelow::default());
    let span = rec.flange_z.unwrap_or(rec.defect_z);
    for x in samples {
        let (v, z, si, sa) = (x.volume, x.z, x.sed_implanted, x.sed_intact);
        let below = sa > 0.0 && si / sa < 1.0 - s;
        let a = &mut zones[zone_of(rec, edges, z)];
        a.volume += v;
        a.sed_implanted += si * v;
        a.sed_intact += sa * v;
        if below {
            a.volume_below += v;
        }
        a.von_mises_implanted += x.von_mises_implanted * v;
        a.von_mises_intact += x.von_mises_intact * v;
        all.add(v, below);
        if z >= span[0] && z <= span[1] {
            near.add(v, below);
        }
    }
    StressShielding {
        lazy_zone_s: s,
        zones: names
            .into_iter()
            .zip(&zones)
            .filter(|(_, a)| a.volume > 0.0)
            .map(|((name, range), a)| a.shielding(name, range))
            .collect(),
        bone_fraction_below_lazy_zone: all.fraction(),
        near_fraction_below_lazy_zone: near.fraction(),
    }
}

/// Von Mises statistics of the implant parts of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct ImplantSafety {
    /// Porous tantalum: the body, and the flange when it is porous Ta.
    pub porous_tantalum: StressStat,
    /// The same elements' Deshpande–Fleck equivalent stress ([`crate::implant_strength`]).
    pub porous_tantalum_multiaxial: StressStat,
    /// The judged lattice stress averaged over spheres ([`crate::critical_distance`]);
    /// `None` without porous-Ta elements.
    pub porous_tantalum_averaged: Option<LatticeAverage>,
    /// The flange when it is not porous Ta.
    pub flange: Option<StressStat>,
    /// The screws.
    pub screws: Option<StressStat>,
}

/// The porous-Ta stress the strength checks judge, at one integration point: the larger of
/// the Deshpande–Fleck equivalent stress and von Mises (MPa). In pure shear von Mises is the
/// larger, under pressure Deshpande–Fleck (biomechanics.md §9).
pub fn judged_lattice_stress(stress: &[f64; 6]) -> f64 {
    deshpande_fleck(stress).max(von_mises(stress))
}

/// The judged lattice stress ([`judged_lattice_stress`]) averaged over a sphere at its
/// hot spot: the volume method of the theory of critical distances
/// ([`crate::critical_distance`], biomechanics.md §9), at the judged radius and, for the
/// sensitivity the report shows, at 0.6 and 1.6 times it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatticeAverage {
    /// At the judged radius ([`MetricSpec::lattice_averaging_radius_mm`]); MPa.
    pub judged: SphereAverage,
    /// At 0.6 and 1.6 times the judged radius; MPa.
    pub sensitivity: Vec<SphereAverage>,
    /// The mean hydrostatic stress σm = tr σ / 3 over the judged sphere (MPa; negative:
    /// compression). The seed's strengths are probably compressive tests, and lattices are
    /// weaker in tension–tension fatigue, so a tensile hot spot is flagged; `None` in
    /// reports written before it existed.
    #[serde(default)]
    pub mean_stress_mpa: Option<f64>,
}

/// The largest sphere averages of the judged lattice stress of `elements` at `radius_mm`
/// and at 0.6 and 1.6 times it; `None` without elements.
fn lattice_average(
    case: &StepSolution,
    elements: &[usize],
    radius_mm: f64,
) -> Option<LatticeAverage> {
    let f = &case.fields;
    let samples: Vec<Sample> = elements
        .iter()
        .flat_map(|&e| f.points_of(e))
        .map(|p| Sample {
            position_mm: f.point_position[p],
            volume_mm3: f.point_volume[p],
            value: judged_lattice_stress(&f.point_stress[p]),
        })
        .collect();
    let judged = largest_sphere_average(&samples, radius_mm)?;
    let sensitivity = [0.6, 1.6]
        .iter()
        .filter_map(|k| largest_sphere_average(&samples, k * radius_mm))
        .collect();
    let hydrostatic: Vec<Sample> = elements
        .iter()
        .flat_map(|&e| f.points_of(e))
        .map(|p| {
            let s = &f.point_stress[p];
            Sample {
                position_mm: f.point_position[p],
                volume_mm3: f.point_volume[p],
                value: (s[0] + s[1] + s[2]) / 3.0,
            }
        })
        .collect();
    let mean_stress_mpa = sphere_average_at(&hydrostatic, judged.at_mm, radius_mm);
    Some(LatticeAverage {
        judged,
        sensitivity,
        mean_stress_mpa,
    })
}

/// Von Mises statistics (peak, volume-weighted p99 and mean, MPa) of the porous-Ta
/// prosthesis, the flange and the screws.
pub fn implant_safety(
    rec: &Reconstruction,
    implanted: &StepSolution,
    flange_material: FlangeMaterial,
    lattice_radius_mm: f64,
) -> ImplantSafety {
    let porous_flange = flange_material == FlangeMaterial::PorousTantalum;
    let elems = |pick: &dyn Fn(Region) -> bool| -> Vec<usize> {
        (0..rec.regions.len())
            .filter(|&e| pick(rec.regions[e]))
            .collect()
    };
    let porous_elems = elems(&|r| r == Region::Implant || (porous_flange && r == Region::Flange));
    let porous_label = if porous_flange {
        "porous Ta (body + flange)"
    } else {
        "porous Ta (body)"
    };
    let empty = |part: &str| StressStat {
        part: part.into(),
        peak_mpa: 0.0,
        p99_mpa: 0.0,
        mean_mpa: 0.0,
        peak_at_mm: [0.0; 3],
    };
    let porous_tantalum = stress_stat(porous_label, implanted, porous_elems.iter().copied())
        .unwrap_or_else(|| empty(porous_label));
    let multiaxial_label = format!("{porous_label}, Deshpande–Fleck equivalent stress");
    let porous_tantalum_multiaxial = stress_stat_of(
        &multiaxial_label,
        implanted,
        porous_elems.iter().copied(),
        deshpande_fleck,
    )
    .unwrap_or_else(|| empty(&multiaxial_label));
    let porous_tantalum_averaged = lattice_average(implanted, &porous_elems, lattice_radius_mm);
    let flange = if porous_flange {
        None
    } else {
        stress_stat(
            flange_material.part_label(),
            implanted,
            elems(&|r| r == Region::Flange).into_iter(),
        )
    };
    let screws = stress_stat(
        "screws (Ti-6Al-4V)",
        implanted,
        elems(&|r| matches!(r, Region::Screw(_))).into_iter(),
    );
    ImplantSafety {
        porous_tantalum,
        porous_tantalum_multiaxial,
        porous_tantalum_averaged,
        flange,
        screws,
    }
}

/// A largest value and where it is (mm).
#[derive(Clone, Copy, Debug)]
struct Peak {
    value: f64,
    at_mm: [f64; 3],
}

impl Peak {
    const ZERO: Peak = Peak {
        value: 0.0,
        at_mm: [0.0; 3],
    };

    fn offer(&mut self, value: f64, at_mm: [f64; 3]) {
        if value > self.value {
            *self = Peak { value, at_mm };
        }
    }
}

/// Bone strain (|principal strain| in µε: peaks, volume-weighted p99, anywhere and in the
/// diaphysis, implanted and intact) and bone stress (principal, von Mises; MPa).
pub fn bone_strain(
    rec: &Reconstruction,
    implanted: &StepSolution,
    intact: &StepSolution,
    averaging_radius_mm: f64,
) -> BoneStrain {
    let (fi, fa) = (&implanted.fields, &intact.fields);
    let shaft = rec.diaphysis_z;
    let (mut strain_values, mut intact_values) = (Vec::new(), Vec::new());
    let (mut shaft_values, mut intact_shaft_values) = (Vec::new(), Vec::new());
    let (mut peak, mut shaft_peak) = (Peak::ZERO, Peak::ZERO);
    let (mut intact_peak, mut intact_shaft_peak) = (0.0f64, 0.0f64);
    let (mut max_t, mut max_c, mut max_vm) = (0.0f64, 0.0f64, 0.0f64);
    let (mut shaft_samples, mut intact_shaft_samples) = (Vec::new(), Vec::new());
    for (p, q) in bone_point_pairs(rec, implanted, intact) {
        let v = fi.point_volume[p];
        let z = fi.point_position[p][2];
        let mag = max_abs_principal_microstrain(&fi.point_strain[p]);
        strain_values.push((mag, v));
        peak.offer(mag, fi.point_position[p]);
        let mag_a = max_abs_principal_microstrain(&fa.point_strain[q]);
        intact_peak = intact_peak.max(mag_a);
        intact_values.push((mag_a, fa.point_volume[q]));
        if z >= shaft[0] && z <= shaft[1] {
            shaft_peak.offer(mag, fi.point_position[p]);
            intact_shaft_peak = intact_shaft_peak.max(mag_a);
            shaft_values.push((mag, v));
            intact_shaft_values.push((mag_a, fa.point_volume[q]));
            shaft_samples.push(Sample {
                position_mm: fi.point_position[p],
                volume_mm3: v,
                value: mag,
            });
            intact_shaft_samples.push(Sample {
                position_mm: fa.point_position[q],
                volume_mm3: fa.point_volume[q],
                value: mag_a,
            });
        }
        let sig = principal_values(&fi.point_stress[p], false);
        max_t = max_t.max(sig[2]);
        max_c = max_c.max(-sig[0]);
        max_vm = max_vm.max(von_mises(&fi.point_stress[p]));
    }
    let bands = StrainDistribution {
        implanted: MechanostatBands::of(&strain_values),
        intact: MechanostatBands::of(&intact_values),
        diaphysis_implanted: MechanostatBands::of(&shaft_values),
        diaphysis_intact: MechanostatBands::of(&intact_shaft_values),
    };
    BoneStrain {
        bands,
        peak_microstrain: peak.value,
        p99_microstrain: weighted_quantile(&mut strain_values, 0.99),
        peak_at_mm: peak.at_mm,
        intact_peak_microstrain: intact_peak,
        max_tensile_stress_mpa: max_t,
        max_compressive_stress_mpa: max_c,
        peak_von_mises_mpa: max_vm,
        shaft_peak_microstrain: shaft_peak.value,
        shaft_peak_at_mm: shaft_peak.at_mm,
        shaft_p99_microstrain: weighted_quantile(&mut shaft_values, 0.99),
        intact_shaft_p99_microstrain: weighted_quantile(&mut intact_shaft_values, 0.99),
        intact_shaft_peak_microstrain: intact_shaft_peak,
        shaft_averaged: StrainAverage::of(&shaft_samples, averaging_radius_mm),
        intact_shaft_averaged: StrainAverage::of(&intact_shaft_samples, averaging_radius_mm),
    }
}

impl BoneStrain {
    /// The diaphysis strain the mechanostat check judges (µε): the sphere mean at the judged
    /// radius, or the peak in reports written before it existed.
    pub fn judged_shaft_microstrain(&self) -> f64 {
        self.shaft_averaged
            .as_ref()
            .map_or(self.shaft_peak_microstrain, |a| a.judged.value)
    }
}

/// A strain field averaged over spheres at its hot spot: the judged radius and the
/// sensitivity radii (µε).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrainAverage {
    /// At the judged radius.
    pub judged: SphereAverage,
    /// At 0.6 and 1.6 times it.
    pub sensitivity: Vec<SphereAverage>,
}

impl StrainAverage {
    /// The largest sphere means of `samples` at `radius_mm` and at 0.6 and 1.6 times it.
    fn of(samples: &[Sample], radius_mm: f64) -> Option<Self> {
        Some(Self {
            judged: largest_sphere_average(samples, radius_mm)?,
            sensitivity: [0.6, 1.6]
                .iter()
                .filter_map(|k| largest_sphere_average(samples, k * radius_mm))
                .collect(),
        })
    }

    /// The mean at the smallest radius (0.6 × the judged one when computed).
    pub fn smallest(&self) -> &SphereAverage {
        self.sensitivity
            .iter()
            .chain(std::iter::once(&self.judged))
            .min_by(|a, b| a.radius_mm.total_cmp(&b.radius_mm))
            .unwrap_or(&self.judged)
    }
}

/// Band means of von Mises stress and SED along z (see [`ShaftProfile`]).
pub fn shaft_profile(
    rec: &Reconstruction,
    implanted: &StepSolution,
    intact: &StepSolution,
    band_mm: f64,
) -> ShaftProfile {
    let w = if band_mm > 0.0 && band_mm.is_finite() {
        band_mm
    } else {
        5.0
    };
    let origin = rec.defect_z[0];
    let k0 = ((rec.bone_z[0] - origin) / w).floor() as i64;
    let k1 = ((rec.bone_z[1] - origin) / w).ceil() as i64;
    let nb = (k1 - k0).max(1) as usize;
    let band = |z: f64| (((z - origin) / w).floor() as i64 - k0).clamp(0, nb as i64 - 1) as usize;
    // per band: volume, vm·V, sed·V
    let accumulate = |case: &StepSolution, elements: &mut dyn Iterator<Item = usize>| {
        let f = &case.fields;
        let mut acc = vec![[0.0f64; 3]; nb];
        for e in elements {
            for p in f.points_of(e) {
                let v = f.point_volume[p];
                let a = &mut acc[band(f.point_position[p][2])];
                a[0] += v;
                a[1] += von_mises(&f.point_stress[p]) * v;
                a[2] += f.point_sed(p) * v;
            }
        }
        acc
    };
    let imp_bone = accumulate(implanted, &mut (0..rec.n_bone_elements));
    let int_bone = accumulate(intact, &mut (0..rec.n_intact_elements));
    let prosthesis = accumulate(
        implanted,
        &mut (0..rec.regions.len()).filter(|&e| rec.regions[e] == Region::Implant),
    );
    let mean = |acc: &[[f64; 3]], k: usize| -> Vec<Option<f64>> {
        acc.iter()
            .map(|a| (a[0] > 0.0).then(|| a[k] / a[0]))
            .collect()
    };
    ShaftProfile {
        band_mm: w,
        z_mm: (0..nb)
            .map(|b| origin + (k0 + b as i64) as f64 * w + 0.5 * w)
            .collect(),
        von_mises_implanted: mean(&imp_bone, 1),
        von_mises_intact: mean(&int_bone, 1),
        von_mises_prosthesis: mean(&prosthesis, 1),
        sed_implanted: mean(&imp_bone, 2),
        sed_intact: mean(&int_bone, 2),
        sed_prosthesis: mean(&prosthesis, 2),
    }
}

/// Per-element metric fields for visualisation (VTU cell arrays), over the implanted mesh.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElementFields {
    /// Bone elements: S = Σ SED_impl·V / Σ SED_intact·V over the element's points; NaN
    /// elsewhere (not defined: implant, flange and screws have no intact counterpart).
    pub sed_ratio: Vec<f64>,
    /// Bone elements: 1 when S < 1 − s (resorption predicted), else 0; −1 elsewhere.
    pub below_lazy_zone: Vec<i32>,
    /// Bone elements: zone index (distal metaphysis = 0, …, distal to proximal); −1 elsewhere.
    pub zone: Vec<i32>,
    /// Name of each zone index (`zone_labels[k]` for `zone == k`), distal to proximal.
    pub zone_labels: Vec<String>,
    /// Volume-mean strain-energy density, implanted (mJ/mm³ = MPa).
    pub sed: Vec<f64>,
    /// Largest |principal strain| over the element's points, implanted (µε).
    pub max_abs_principal_microstrain: Vec<f64>,
    /// Largest von Mises stress over the element's points, implanted (MPa).
    pub max_von_mises: Vec<f64>,
    /// Bone elements: the mechanostat band of the element's largest |principal strain|
    /// (0 disuse … 4 fracture, [`MechanostatBands::band_of`]); −1 elsewhere.
    pub strain_band: Vec<i32>,
}

/// Element-level fields of one case: every implanted element, intact values only for
/// the bone elements (which both models share).
pub fn element_fields(
    rec: &Reconstruction,
    implanted: &StepSolution,
    intact: &StepSolution,
    spec: &MetricSpec,
) -> ElementFields {
    let n = rec.mesh.n_elements();
    let mut out = ElementFields {
        sed_ratio: vec![f64::NAN; n],
        below_lazy_zone: vec![-1; n],
        zone: vec![-1; n],
        zone_labels: zone_names(rec, &spec.band_edges_mm)
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
        sed: vec![0.0; n],
        max_abs_principal_microstrain: vec![0.0; n],
        max_von_mises: vec![0.0; n],
        strain_band: vec![-1; n],
    };
    let (fi, fa) = (&implanted.fields, &intact.fields);
    for e in 0..n {
        let (mut v, mut si, mut zsum) = (0.0, 0.0, 0.0);
        for p in fi.points_of(e) {
            let w = fi.point_volume[p];
            v += w;
            si += fi.point_sed(p) * w;
            zsum += fi.point_position[p][2] * w;
            out.max_abs_principal_microstrain[e] = out.max_abs_principal_microstrain[e]
                .max(max_abs_principal_microstrain(&fi.point_strain[p]));
            out.max_von_mises[e] = out.max_von_mises[e].max(von_mises(&fi.point_stress[p]));
        }
        out.sed[e] = si / v.max(f64::MIN_POSITIVE);
        if e < rec.n_bone_elements {
            let sa: f64 = fa
                .points_of(e)
                .map(|q| fa.point_sed(q) * fa.point_volume[q])
                .sum();
            let s = if sa > 0.0 { si / sa } else { 1.0 };
            out.sed_ratio[e] = s;
            out.below_lazy_zone[e] = i32::from(s < 1.0 - spec.lazy_zone_s);
            out.zone[e] = zone_of(rec, &spec.band_edges_mm, zsum / v.max(f64::MIN_POSITIVE)) as i32;
            out.strain_band[e] =
                MechanostatBands::band_of(out.max_abs_principal_microstrain[e]) as i32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_abs_principal_strain_of_pure_shear_and_uniaxial_strain() {
        // engineering shear γ_xy = 2e-3 → principal strains ±1e-3 → 1000 µε
        let shear = max_abs_principal_microstrain(&[0.0, 0.0, 0.0, 2e-3, 0.0, 0.0]);
        assert!((shear - 1000.0).abs() < 1e-9, "{shear}");
        // compression −3e-3 with Poisson expansion 0.9e-3: the compressive value wins
        let axial = max_abs_principal_microstrain(&[0.9e-3, 0.9e-3, -3e-3, 0.0, 0.0, 0.0]);
        assert!((axial - 3000.0).abs() < 1e-9, "{axial}");
    }
}
