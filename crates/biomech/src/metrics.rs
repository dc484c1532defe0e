//! The biomechanical metrics of DESIGN.md §5, per load case, from the implanted solution and
//! the intact reference solved under the same load.
//!
//! - **Interface displacement**: |u| (mm) at the bone nodes of each interface (proximal and
//!   distal docking faces, flange footprint, screw holes), max and mean; target max < 2 mm
//!   (seed, biomechanics.md §0). The intact bone's |u| at the same nodes is given alongside.
//! - **Micromotion**: with a bonded interface the relative motion is zero by construction, so
//!   the metric is [`Micromotion::NotApplicable`], never 0.
//! - **Stress shielding** per bone zone: S = Σ SED_impl·V / Σ SED_intact·V over the zone's
//!   integration points, shielding = 1 − S; the volume fraction of bone whose pointwise S is
//!   below the lazy zone, S < 1 − s (s = 0.75, Huiskes 1987, unverified; biomechanics.md §7);
//!   von Mises ratio 1 − σ̄vm_impl/σ̄vm_intact as the second view.
//! - **Implant safety**: peak and 99th-percentile (volume-weighted) von Mises stress at the
//!   integration points of the porous Ta vs 20 MPa (static) and 10 MPa (10⁶ cycles) (seed,
//!   biomechanics.md §0, §9); screws vs the Ti-6Al-4V yield 795 MPa (ASTM F136, §8, §9).
//! - **Bone strain**: peak and 99th-percentile |principal strain| (µε) vs 3000 µε (Frost
//!   mechanostat, biomechanics.md §9); principal stresses vs 193 MPa compression and 133 MPa
//!   tension (Reilly & Burstein 1975, unverified transcription, §3.1, §9).
//!
//! Integration-point values are used throughout (no nodal smoothing), so peaks are the
//! largest values at Gauss points.

use serde::{Deserialize, Serialize};

use osteon_assembly::{StepSolution, von_mises};
use osteon_material::library;

use crate::builder::{Reconstruction, Region};
use crate::spec::{FlangeMaterial, InterfaceModel, MetricSpec};

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

/// Micromotion at the bone–implant interface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Micromotion {
    /// Not defined for this interface model (bonded: zero relative motion by construction).
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// Tangential slip statistics over the interface of a frictional study (µm), weighted
    /// by area (samples at the face quadrature points of the prosthesis end faces).
    Computed {
        /// Largest slip (µm).
        max_um: f64,
        /// Mean slip (µm).
        mean_um: f64,
        /// 95th percentile (µm).
        p95_um: f64,
        /// Area fractions with slip below 28, 50, 100 and 150 µm.
        area_fraction_below: [f64; 4],
        /// Area fraction per slip bin, for the histogram plot.
        #[serde(default)]
        histogram: SlipHistogram,
    },
}

/// Slip histogram: area fraction of the interface per bin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SlipHistogram {
    /// Bin edges (µm), ascending, one more than bins.
    pub bin_edges_um: Vec<f64>,
    /// Interface area fraction in each bin (sums to 1).
    pub area_fraction: Vec<f64>,
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

impl Micromotion {
    /// Statistics of the tangential slip at interface points: `samples` are (slip in µm,
    /// area in mm²). Max, area-weighted mean and 95th percentile, the area
    /// fractions below 28/50/100/150 µm (Pilliar 1986, seed band, Jasty 1997;
    /// biomechanics.md §6) and a 10 µm-bin histogram (bins widened to keep ≤ 40 of them).
    /// This is what the frictional interface reports.
    pub fn from_slip(samples: &[(f64, f64)]) -> Micromotion {
        let total: f64 = samples
            .iter()
            .map(|s| s.1)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let max = samples.iter().map(|s| s.0).fold(0.0f64, f64::max);
        let mean = samples.iter().map(|s| s.0 * s.1).sum::<f64>() / total;
        let mut sorted: Vec<(f64, f64)> = samples.to_vec();
        let p95 = weighted_quantile(&mut sorted, 0.95);
        let below = [28.0, 50.0, 100.0, 150.0]
            .map(|t| samples.iter().filter(|s| s.0 < t).map(|s| s.1).sum::<f64>() / total);
        let mut width = 10.0;
        while max / width > 40.0 {
            width *= 2.0;
        }
        let bins = ((max / width).floor() as usize + 1).max(1);
        let edges: Vec<f64> = (0..=bins).map(|k| k as f64 * width).collect();
        let mut frac = vec![0.0; bins];
        for &(v, a) in samples {
            frac[((v / width).floor() as usize).min(bins - 1)] += a / total;
        }
        Micromotion::Computed {
            max_um: max,
            mean_um: mean,
            p95_um: p95,
            area_fraction_below: below,
            histogram: SlipHistogram {
                bin_edges_um: edges,
                area_fraction: frac,
            },
        }
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
    /// Force balance of the implanted model.
    pub equilibrium: Equilibrium,
    /// Force balance of the intact model.
    pub intact_equilibrium: Equilibrium,
    /// Per interface.
    pub interfaces: Vec<InterfaceDisplacement>,
    /// Largest |u| of the prosthesis body (mm).
    pub implant_max_displacement_mm: f64,
    /// Largest |u| anywhere, implanted and intact (mm).
    pub max_displacement_mm: [f64; 2],
    /// Micromotion.
    pub micromotion: Micromotion,
    /// Stress shielding.
    pub shielding: StressShielding,
    /// Porous tantalum (body, and the flange when it is porous Ta).
    pub porous_tantalum: StressStat,
    /// The flange when it is not porous Ta.
    pub flange: Option<StressStat>,
    /// The screws.
    pub screws: Option<StressStat>,
    /// Bone.
    pub bone: BoneStrain,
    /// Von Mises and SED along the shaft, implanted vs intact.
    #[serde(default)]
    pub shaft_profile: ShaftProfile,
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

/// Eigenvalues of a symmetric 3×3 matrix, ascending (trigonometric method for the cubic).
pub fn symmetric_eigenvalues(m: [[f64; 3]; 3]) -> [f64; 3] {
    let p1 = m[0][1].powi(2) + m[0][2].powi(2) + m[1][2].powi(2);
    let q = (m[0][0] + m[1][1] + m[2][2]) / 3.0;
    if p1 <= 1e-30 * (m[0][0].abs() + m[1][1].abs() + m[2][2].abs()).powi(2) {
        let mut d = [m[0][0], m[1][1], m[2][2]];
        d.sort_by(f64::total_cmp);
        return d;
    }
    let p2 = (m[0][0] - q).powi(2) + (m[1][1] - q).powi(2) + (m[2][2] - q).powi(2) + 2.0 * p1;
    let p = (p2 / 6.0).sqrt();
    let b: [[f64; 3]; 3] = std::array::from_fn(|i| {
        std::array::from_fn(|j| (m[i][j] - if i == j { q } else { 0.0 }) / p)
    });
    let det_b = osteon_mesh::geometry::det3(&b);
    let r = (det_b / 2.0).clamp(-1.0, 1.0);
    let phi = r.acos() / 3.0;
    let e1 = q + 2.0 * p * phi.cos();
    let e3 = q + 2.0 * p * (phi + 2.0 * std::f64::consts::PI / 3.0).cos();
    let e2 = 3.0 * q - e1 - e3;
    [e3, e2, e1]
}

/// Principal values of a Voigt tensor (xx, yy, zz, xy, yz, xz); `engineering_shear` halves
/// the shear terms (strains).
pub fn principal_values(v: &[f64; 6], engineering_shear: bool) -> [f64; 3] {
    let f = if engineering_shear { 0.5 } else { 1.0 };
    symmetric_eigenvalues([
        [v[0], f * v[3], f * v[5]],
        [f * v[3], v[1], f * v[4]],
        [f * v[5], f * v[4], v[2]],
    ])
}

/// Volume-weighted quantile q ∈ [0, 1] of (value, volume) pairs.
pub fn weighted_quantile(values: &mut [(f64, f64)], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = values.iter().map(|v| v.1).sum();
    let mut acc = 0.0;
    for &(v, w) in values.iter() {
        acc += w;
        if acc >= q * total {
            return v;
        }
    }
    values[values.len() - 1].0
}

fn norm(u: [f64; 3]) -> f64 {
    (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt()
}

fn equilibrium(case: &StepSolution) -> Equilibrium {
    let r = case.total_reaction();
    let f = case.applied_total;
    let err = norm([f[0] + r[0], f[1] + r[1], f[2] + r[2]]) / norm(f).max(f64::MIN_POSITIVE);
    Equilibrium {
        applied_n: f,
        reaction_n: r,
        relative_error: err,
    }
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
    /// (fraction of BW, medial share, load in N).
    pub load: (f64, f64, f64),
    /// Frictional interface: (slip in µm, area in mm²) at every face quadrature point
    /// of the contact solution; `None` for a bonded interface.
    pub slip: Option<&'a [(f64, f64)]>,
}

fn stress_stat(
    part: &str,
    case: &StepSolution,
    elements: impl Iterator<Item = usize>,
) -> Option<StressStat> {
    let f = &case.fields;
    let mut values = Vec::new();
    let mut peak = (f64::NEG_INFINITY, [0.0; 3]);
    for e in elements {
        for p in f.points_of(e) {
            let vm = von_mises(&f.point_stress[p]);
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

/// Compute every metric of one load case.
pub fn case_metrics(inp: &MetricInputs<'_>) -> CaseMetrics {
    let rec = inp.rec;
    let (imp, int) = (inp.implanted, inp.intact);
    // interface displacement
    let interfaces = rec
        .interfaces
        .iter()
        .map(|set| {
            let stats = |u: &[[f64; 3]]| {
                let v: Vec<f64> = set.nodes.iter().map(|&n| norm(u[n])).collect();
                let max = v.iter().copied().fold(0.0, f64::max);
                (max, v.iter().sum::<f64>() / v.len().max(1) as f64)
            };
            let (max, mean) = stats(&imp.displacement);
            let (imax, imean) = stats(&int.displacement);
            InterfaceDisplacement {
                name: set.name.clone(),
                n_nodes: set.nodes.len(),
                max_mm: max,
                mean_mm: mean,
                intact_max_mm: imax,
                intact_mean_mm: imean,
            }
        })
        .collect();
    let mut implant_nodes = vec![false; rec.mesh.n_nodes()];
    for (e, r) in rec.regions.iter().enumerate() {
        if *r == Region::Implant {
            for &n in rec.mesh.element(e).nodes {
                implant_nodes[n] = true;
            }
        }
    }
    let implant_max = (0..rec.mesh.n_nodes())
        .filter(|&n| implant_nodes[n])
        .map(|n| norm(imp.displacement[n]))
        .fold(0.0, f64::max);

    let micromotion = match inp.interface {
        InterfaceModel::Bonded => Micromotion::NotApplicable {
            reason: "not applicable (bonded): a bonded interface has zero relative motion by construction; micromotion needs the frictional interface (osteon-contact)".into(),
        },
        InterfaceModel::Frictional { .. } => match inp.slip {
            Some(samples) if !samples.is_empty() => Micromotion::from_slip(samples),
            _ => Micromotion::NotApplicable {
                reason: "frictional interface without contact results".into(),
            },
        },
    };

    // stress shielding
    let s = inp.spec.lazy_zone_s;
    let edges = &inp.spec.band_edges_mm;
    let names = zone_names(rec, edges);
    let mut acc = vec![[0.0f64; 6]; names.len()]; // volume, sed_imp·V, sed_int·V, V below, vm_imp·V, vm_int·V
    let mut near = [0.0f64; 2];
    let mut all = [0.0f64; 2];
    let (fi, fa) = (&imp.fields, &int.fields);
    let span = rec.flange_z.unwrap_or(rec.defect_z);
    let mut strain_values = Vec::new();
    let (mut shaft_values, mut intact_shaft_values) = (Vec::new(), Vec::new());
    let mut bone_peak = (0.0f64, [0.0; 3]);
    let (mut max_t, mut max_c, mut max_vm) = (0.0f64, 0.0f64, 0.0f64);
    let mut intact_peak = 0.0f64;
    let mut shaft_peak = (0.0f64, [0.0; 3]);
    let mut intact_shaft_peak = 0.0f64;
    let shaft = rec.diaphysis_z;
    for e in 0..rec.n_bone_elements {
        let (ri, ra) = (fi.points_of(e), fa.points_of(e));
        for (p, q) in ri.zip(ra) {
            let v = fi.point_volume[p];
            let z = fi.point_position[p][2];
            let (si, sa) = (fi.point_sed(p), fa.point_sed(q));
            let zone = zone_of(rec, edges, z);
            let (vmi, vma) = (
                von_mises(&fi.point_stress[p]),
                von_mises(&fa.point_stress[q]),
            );
            let a = &mut acc[zone];
            a[0] += v;
            a[1] += si * v;
            a[2] += sa * v;
            let below = sa > 0.0 && si / sa < 1.0 - s;
            if below {
                a[3] += v;
            }
            a[4] += vmi * v;
            a[5] += vma * v;
            all[0] += v;
            if below {
                all[1] += v;
            }
            if z >= span[0] && z <= span[1] {
                near[0] += v;
                if below {
                    near[1] += v;
                }
            }
            let eps = principal_values(&fi.point_strain[p], true);
            let mag = eps[0].abs().max(eps[2].abs()) * 1e6;
            strain_values.push((mag, v));
            if mag > bone_peak.0 {
                bone_peak = (mag, fi.point_position[p]);
            }
            let eps_a = principal_values(&fa.point_strain[q], true);
            let mag_a = eps_a[0].abs().max(eps_a[2].abs()) * 1e6;
            intact_peak = intact_peak.max(mag_a);
            if z >= shaft[0] && z <= shaft[1] {
                if mag > shaft_peak.0 {
                    shaft_peak = (mag, fi.point_position[p]);
                }
                intact_shaft_peak = intact_shaft_peak.max(mag_a);
                shaft_values.push((mag, v));
                intact_shaft_values.push((mag_a, v));
            }
            let sig = principal_values(&fi.point_stress[p], false);
            max_t = max_t.max(sig[2]);
            max_c = max_c.max(-sig[0]);
            max_vm = max_vm.max(vmi);
        }
    }
    let zones = names
        .into_iter()
        .zip(&acc)
        .filter(|(_, a)| a[0] > 0.0)
        .map(|((name, range), a)| {
            let ratio = if a[2] > 0.0 { a[1] / a[2] } else { f64::NAN };
            let vm_ratio = if a[5] > 0.0 { a[4] / a[5] } else { f64::NAN };
            ZoneShielding {
                name,
                z_range_mm: range,
                volume_mm3: a[0],
                sed_implanted: a[1] / a[0],
                sed_intact: a[2] / a[0],
                ratio,
                shielding: 1.0 - ratio,
                fraction_below_lazy_zone: a[3] / a[0],
                von_mises_shielding: 1.0 - vm_ratio,
            }
        })
        .collect();
    let shielding = StressShielding {
        lazy_zone_s: s,
        zones,
        bone_fraction_below_lazy_zone: all[1] / all[0].max(f64::MIN_POSITIVE),
        near_fraction_below_lazy_zone: near[1] / near[0].max(f64::MIN_POSITIVE),
    };

    // implant safety
    let porous_flange = inp.flange_material == FlangeMaterial::PorousTantalum;
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
    let porous_tantalum =
        stress_stat(porous_label, imp, porous_elems.into_iter()).unwrap_or(StressStat {
            part: porous_label.into(),
            peak_mpa: 0.0,
            p99_mpa: 0.0,
            mean_mpa: 0.0,
            peak_at_mm: [0.0; 3],
        });
    let flange_label = match inp.flange_material {
        FlangeMaterial::DenseTantalum => "flange (dense Ta)",
        FlangeMaterial::Ti6Al4V => "flange (Ti-6Al-4V)",
        FlangeMaterial::PorousTantalum => "flange",
    };
    let flange = if porous_flange {
        None
    } else {
        stress_stat(
            flange_label,
            imp,
            elems(&|r| r == Region::Flange).into_iter(),
        )
    };
    let screws = stress_stat(
        "screws (Ti-6Al-4V)",
        imp,
        elems(&|r| matches!(r, Region::Screw(_))).into_iter(),
    );

    let p99 = weighted_quantile(&mut strain_values, 0.99);
    let shaft_profile = shaft_profile(rec, imp, int, inp.spec.profile_band_mm);
    CaseMetrics {
        name: imp.name.clone(),
        load_n: inp.load.2,
        bw_fraction: inp.load.0,
        medial_share: inp.load.1,
        equilibrium: equilibrium(imp),
        intact_equilibrium: equilibrium(int),
        interfaces,
        implant_max_displacement_mm: implant_max,
        max_displacement_mm: [imp.max_displacement(), int.max_displacement()],
        micromotion,
        shielding,
        porous_tantalum,
        flange,
        screws,
        bone: BoneStrain {
            peak_microstrain: bone_peak.0,
            p99_microstrain: p99,
            peak_at_mm: bone_peak.1,
            intact_peak_microstrain: intact_peak,
            max_tensile_stress_mpa: max_t,
            max_compressive_stress_mpa: max_c,
            peak_von_mises_mpa: max_vm,
            shaft_peak_microstrain: shaft_peak.0,
            shaft_peak_at_mm: shaft_peak.1,
            shaft_p99_microstrain: weighted_quantile(&mut shaft_values, 0.99),
            intact_shaft_p99_microstrain: weighted_quantile(&mut intact_shaft_values, 0.99),
            intact_shaft_peak_microstrain: intact_shaft_peak,
        },
        shaft_profile,
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

/// The pass/fail rows of one case against the clinical targets.
pub fn checks(m: &CaseMetrics, spec: &MetricSpec) -> Vec<Check> {
    let pf = |ok: bool| if ok { Status::Pass } else { Status::Fail };
    let worst = m
        .interfaces
        .iter()
        .max_by(|a, b| a.max_mm.total_cmp(&b.max_mm));
    let mut rows = Vec::new();
    if let Some(w) = worst {
        rows.push(Check {
            criterion: format!(
                "interface displacement, max |u| at bone interface nodes ({})",
                w.name
            ),
            value: format!("{:.4} mm", w.max_mm),
            target: format!("< {} mm", spec.interface_displacement_limit_mm),
            status: pf(w.max_mm < spec.interface_displacement_limit_mm),
            source: "seed (biomechanics.md §0)".into(),
        });
    }
    rows.push(Check {
        criterion: "micromotion, peak slip in the 50–100 µm band".into(),
        value: match &m.micromotion {
            Micromotion::NotApplicable { .. } => "not applicable (bonded)".into(),
            Micromotion::Computed { max_um, .. } => format_um(*max_um),
        },
        target: "50–100 µm".into(),
        status: match &m.micromotion {
            Micromotion::NotApplicable { .. } => Status::NotApplicable,
            Micromotion::Computed { max_um, .. } => pf((50.0..=100.0).contains(max_um)),
        },
        source: "seed (biomechanics.md §0); Jasty 1997 40/150 µm (§6)".into(),
    });
    let ta = &m.porous_tantalum;
    rows.push(Check {
        criterion: format!("{}: peak von Mises vs static strength", ta.part),
        value: format!("{:.2} MPa (p99 {:.2})", ta.peak_mpa, ta.p99_mpa),
        target: format!("< {} MPa", library::POROUS_TA_STATIC_STRENGTH_MPA),
        status: pf(ta.peak_mpa < library::POROUS_TA_STATIC_STRENGTH_MPA),
        source: "seed specimen tests (biomechanics.md §0, §9)".into(),
    });
    rows.push(Check {
        criterion: format!("{}: peak von Mises vs fatigue limit (10⁶ cycles)", ta.part),
        value: format!("{:.2} MPa (p99 {:.2})", ta.peak_mpa, ta.p99_mpa),
        target: format!("< {} MPa", library::POROUS_TA_FATIGUE_STRENGTH_MPA),
        status: pf(ta.peak_mpa < library::POROUS_TA_FATIGUE_STRENGTH_MPA),
        source: "seed specimen tests (biomechanics.md §0, §9)".into(),
    });
    if let Some(f) = &m.flange {
        let ti = f.part.contains("Ti");
        rows.push(Check {
            criterion: format!("{}: peak von Mises", f.part),
            value: format!("{:.2} MPa (p99 {:.2})", f.peak_mpa, f.p99_mpa),
            target: if ti {
                format!("< {} MPa", library::TI6AL4V_YIELD_MPA)
            } else {
                "no strength in biomechanics.md".into()
            },
            status: if ti {
                pf(f.peak_mpa < library::TI6AL4V_YIELD_MPA)
            } else {
                Status::Info
            },
            source: if ti {
                "ASTM F136 (biomechanics.md §8, §9)".into()
            } else {
                "—".into()
            },
        });
    }
    if let Some(sc) = &m.screws {
        rows.push(Check {
            criterion: format!("{}: peak von Mises vs yield", sc.part),
            value: format!(
                "{:.1} MPa (FoS {:.1})",
                sc.peak_mpa,
                library::TI6AL4V_YIELD_MPA / sc.peak_mpa.max(f64::MIN_POSITIVE)
            ),
            target: format!("< {} MPa (FoS ≥ 2 recommended)", library::TI6AL4V_YIELD_MPA),
            status: pf(sc.peak_mpa < library::TI6AL4V_YIELD_MPA),
            source: "ASTM F136 (biomechanics.md §8, §9)".into(),
        });
    }
    rows.push(Check {
        criterion: "bone: peak |principal strain| (anywhere; diaphysis)".into(),
        value: format!(
            "{:.0} µε at z = {:.0} mm (p99 {:.0}; intact {:.0}); diaphysis {:.0} µε (intact {:.0})",
            m.bone.peak_microstrain,
            m.bone.peak_at_mm[2],
            m.bone.p99_microstrain,
            m.bone.intact_peak_microstrain,
            m.bone.shaft_peak_microstrain,
            m.bone.intact_shaft_peak_microstrain
        ),
        target: format!("< {} µε", spec.bone_strain_limit_microstrain),
        status: pf(m.bone.peak_microstrain < spec.bone_strain_limit_microstrain),
        source: "Frost mechanostat (biomechanics.md §9)".into(),
    });
    rows.push(Check {
        criterion: "bone: principal stresses vs cortical strength".into(),
        value: format!(
            "{:.1} MPa tension, {:.1} MPa compression",
            m.bone.max_tensile_stress_mpa, m.bone.max_compressive_stress_mpa
        ),
        target: format!(
            "< {} MPa tension, < {} MPa compression",
            library::CORTICAL_TENSILE_STRENGTH_MPA,
            library::CORTICAL_COMPRESSIVE_STRENGTH_MPA
        ),
        status: pf(
            m.bone.max_tensile_stress_mpa < library::CORTICAL_TENSILE_STRENGTH_MPA
                && m.bone.max_compressive_stress_mpa < library::CORTICAL_COMPRESSIVE_STRENGTH_MPA,
        ),
        source: "Reilly & Burstein 1975, unverified (biomechanics.md §3.1, §9)".into(),
    });
    rows.push(Check {
        criterion: format!(
            "bone volume below the lazy zone (S < {:.2}), within the flange span / all bone",
            1.0 - m.shielding.lazy_zone_s
        ),
        value: format!(
            "{:.1} % / {:.1} %",
            100.0 * m.shielding.near_fraction_below_lazy_zone,
            100.0 * m.shielding.bone_fraction_below_lazy_zone
        ),
        target: "no clinical target (resorption predicted below)".into(),
        status: Status::Info,
        source: "Huiskes 1987, s = 0.75 unverified (biomechanics.md §7)".into(),
    });
    rows
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
    };
    let (fi, fa) = (&implanted.fields, &intact.fields);
    for e in 0..n {
        let (mut v, mut si, mut zsum) = (0.0, 0.0, 0.0);
        for p in fi.points_of(e) {
            let w = fi.point_volume[p];
            v += w;
            si += fi.point_sed(p) * w;
            zsum += fi.point_position[p][2] * w;
            let eps = principal_values(&fi.point_strain[p], true);
            out.max_abs_principal_microstrain[e] =
                out.max_abs_principal_microstrain[e].max(eps[0].abs().max(eps[2].abs()) * 1e6);
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
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvalues_of_known_matrices() {
        let e = symmetric_eigenvalues([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]]);
        assert!(
            (e[0] - 1.0).abs() < 1e-12 && (e[1] - 3.0).abs() < 1e-12 && (e[2] - 5.0).abs() < 1e-12,
            "{e:?}"
        );
        let d = symmetric_eigenvalues([[-1.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 2.0]]);
        assert_eq!(d, [-1.0, 2.0, 4.0]);
        // uniaxial strain with Poisson contraction, and pure shear γ = 2e-3 → ±1e-3
        let p = principal_values(&[0.0, 0.0, 0.0, 2e-3, 0.0, 0.0], true);
        assert!((p[0] + 1e-3).abs() < 1e-15 && p[1].abs() < 1e-15 && (p[2] - 1e-3).abs() < 1e-15);
        // trace and determinant preserved for a full matrix
        let m = [[3.0, -1.0, 0.5], [-1.0, 2.0, 0.25], [0.5, 0.25, -4.0]];
        let e = symmetric_eigenvalues(m);
        assert!((e.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((e[0] * e[1] * e[2] - osteon_mesh::geometry::det3(&m)).abs() < 1e-10);
    }

    #[test]
    fn weighted_quantiles() {
        let mut v = vec![(3.0, 1.0), (1.0, 1.0), (2.0, 1.0), (10.0, 0.001)];
        assert_eq!(weighted_quantile(&mut v, 0.5), 2.0);
        assert_eq!(weighted_quantile(&mut v, 0.99), 3.0);
        assert_eq!(weighted_quantile(&mut v, 1.0), 10.0);
        assert_eq!(weighted_quantile(&mut [], 0.5), 0.0);
    }
}
