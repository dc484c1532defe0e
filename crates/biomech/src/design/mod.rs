//! The design answer (issue 13): which prosthesis puts the docking micromotion in the seed's
//! band, holds the implant, keeps the lattice and screws safe and shields the bone least?
//!
//! A design file names a base study and the values to sweep — the prosthesis modulus (or
//! its porosity, through Gibson–Ashby), the flange thickness and material, and the screw
//! positions. Every combination is a study of its own ([`run_design_sweep`]), solved with
//! the frictional docking interface (bonded docking faces have no micromotion) in the five
//! load cases a design has to answer for:
//!
//! - walking with its peak torsion at the seed's partial (50 %) and at full weight-bearing:
//!   the micromotion and migration cases (torsion is what loads the docking faces in shear);
//! - walking, stair ascent and stair descent at full weight-bearing: the day of loading whose
//!   strain-energy stimulus gives the stress shielding ([`crate::daily`]).
//!
//! A design is **feasible** when the docking micromotion p95 in walking with torsion at full
//! weight-bearing lies in the seed's 50–100 µm band, every case's implant migration is below
//! the study's limit (2 mm), and the lattice, flange and screws pass their strength checks in
//! every case. Among the feasible designs the one with the least near-implant bone below the
//! lazy zone (daily stimulus) is named. The Pareto front of (distance of the p95 from the
//! band, near-implant shielding) over the safe, held designs is marked, and each design
//! variable's main effect on the micromotion is given so that, when no design reaches the
//! band, the report says which variable moves it most and by how much.
//!
//! Designs are independent: they run in parallel on the rayon pool (each study on one
//! thread), and each worker keeps an [`IntactCache`], so designs that change only the
//! prosthesis share one intact solve.

mod report;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use osteon_assembly::{Event, Observer, Silent};

use crate::checks::implant_safety;
use crate::error::BiomechError;
use crate::spec::{Activity, ActivityCase, FlangeMaterial, InterfaceModel};
use crate::study::{IntactCache, Study, StudyReport, run_study_cached};

pub use report::{design_markdown, design_svg, write_design_outputs};

/// The seed's "controlled micromotion" band a design aims for (µm; biomechanics.md §0): the
/// band of the study's information row.
pub const DESIGN_BAND_UM: [f64; 2] = crate::checks::SEED_BAND_UM;

/// The values a design sweep takes; an empty list keeps the base study's value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DesignSweep {
    /// Prosthesis moduli (MPa).
    pub modulus_mpa: Vec<f64>,
    /// Prosthesis porosities (0–1), each with its Gibson–Ashby modulus; not with
    /// `modulus_mpa`.
    pub porosity: Vec<f64>,
    /// Flange thicknesses (mm).
    pub flange_thickness_mm: Vec<f64>,
    /// Flange materials ("ti6al4v", "dense_tantalum", "porous_tantalum").
    pub flange_material: Vec<FlangeMaterial>,
    /// Screw positions: each entry is one layout, the distances (mm) of the screw axes from
    /// the docking face into each fragment (one proximal and one distal screw per distance).
    pub screw_offsets_mm: Vec<Vec<f64>>,
}

/// A design file: the base study and the sweep.
///
/// ```toml
/// study = "tibia_study.toml"   # relative to this file; default: the default study
/// mesh_size_mm = 4.0           # optional: the element size of every design
/// [sweep]
/// modulus_mpa = [3000, 14600, 30000]
/// flange_material = ["ti6al4v", "porous_tantalum"]
/// screw_offsets_mm = [[20], [12, 28]]
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DesignSpec {
    /// The base study file, relative to the design file; `None`: the default study.
    pub study: Option<PathBuf>,
    /// Element size near the implant (mm) for every design; `None`: the base study's.
    pub mesh_size_mm: Option<f64>,
    /// The values swept.
    pub sweep: DesignSweep,
}

impl DesignSpec {
    /// Parse a design file's text (`file` names it in errors, with the line).
    pub fn from_toml_str(text: &str, file: &str) -> Result<Self, BiomechError> {
        let spec: DesignSpec = crate::study_file::parse(text, file)?;
        spec.validate().map_err(|e| {
            let line = match &e {
                BiomechError::InvalidParameter { name, .. } => {
                    crate::study_file::key_line(text, name).unwrap_or(0)
                }
                _ => 0,
            };
            BiomechError::StudyFile {
                file: file.into(),
                line,
                message: e.to_string(),
            }
        })?;
        Ok(spec)
    }

    /// Read a design file and its base study (a relative `study` path is taken from the
    /// design file's folder).
    pub fn from_path(path: &Path) -> Result<(Self, Study), BiomechError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BiomechError::Io(osteon_io::IoError::os(path, e)))?;
        let mut spec = Self::from_toml_str(&text, &path.display().to_string())?;
        let base = match &mut spec.study {
            Some(p) => {
                if p.is_relative()
                    && let Some(dir) = path.parent()
                {
                    *p = dir.join(&*p);
                }
                Study::from_path(p)?
            }
            None => Study::default(),
        };
        Ok((spec, base))
    }

    /// Values in range, and modulus or porosity, not both.
    pub fn validate(&self) -> Result<(), BiomechError> {
        let s = &self.sweep;
        if !s.modulus_mpa.is_empty() && !s.porosity.is_empty() {
            return Err(BiomechError::invalid(
                "sweep.porosity",
                s.porosity[0],
                "either sweep.modulus_mpa or sweep.porosity, not both",
            ));
        }
        for &e in &s.modulus_mpa {
            if !(e > 0.0 && e.is_finite()) {
                return Err(BiomechError::invalid(
                    "sweep.modulus_mpa",
                    e,
                    "a modulus > 0 MPa",
                ));
            }
        }
        for &p in &s.porosity {
            if !(p > 0.0 && p < 1.0) {
                return Err(BiomechError::invalid(
                    "sweep.porosity",
                    p,
                    "0 < porosity < 1",
                ));
            }
        }
        for &t in &s.flange_thickness_mm {
            if !(t > 0.0 && t.is_finite()) {
                return Err(BiomechError::invalid(
                    "sweep.flange_thickness_mm",
                    t,
                    "a thickness > 0 mm",
                ));
            }
        }
        for layout in &s.screw_offsets_mm {
            if layout.is_empty() {
                return Err(BiomechError::invalid(
                    "sweep.screw_offsets_mm",
                    0.0,
                    "at least one screw distance per layout",
                ));
            }
        }
        if let Some(h) = self.mesh_size_mm
            && !(h > 0.0 && h.is_finite())
        {
            return Err(BiomechError::invalid(
                "mesh_size_mm",
                h,
                "an element size > 0 mm",
            ));
        }
        Ok(())
    }
}

/// One design: the values it takes (those of the base study where the sweep is silent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// Short label ("E 3000 MPa, flange ti6al4v 3 mm, screws [12, 28] mm").
    pub label: String,
    /// Prosthesis modulus (MPa), given or from the porosity.
    pub modulus_mpa: f64,
    /// Prosthesis porosity (0–1).
    pub porosity: f64,
    /// Flange thickness (mm).
    pub flange_thickness_mm: f64,
    /// Flange material.
    pub flange_material: FlangeMaterial,
    /// Screw distances from the docking face (mm).
    pub screw_offsets_mm: Vec<f64>,
}

/// What one design does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignResult {
    /// The design.
    pub design: Design,
    /// Docking micromotion p95 (µm) in walking with torsion at partial (50 %) and full
    /// weight-bearing.
    pub micromotion_p95_um: [f64; 2],
    /// Largest implant migration over the cases (mm).
    pub migration_max_mm: f64,
    /// Near-implant bone volume below the lazy zone under the daily stimulus (0–1).
    pub daily_near_below_lazy_zone: f64,
    /// Largest zone shielding 1 − S of the daily stimulus.
    pub daily_max_zone_shielding: f64,
    /// Largest judged porous-Ta stress over the cases (MPa): the larger of Deshpande–Fleck
    /// and von Mises averaged over a sphere at the hot spot, what the lattice-strength check
    /// judges (the implant safety checks, [`crate::metrics::JudgedLatticeStress`]).
    #[serde(default)]
    pub porous_ta_judged_mpa: f64,
    /// Largest porous-Ta peak stress over the cases (MPa; the same measure, pointwise): it
    /// sits at a contact or tie edge and grows with mesh refinement.
    pub porous_ta_peak_mpa: f64,
    /// Largest porous-Ta 99th-percentile stress over the cases (MPa; the same measure):
    /// mesh-converged, a quantile of the part rather than of its hot spot.
    #[serde(default)]
    pub porous_ta_p99_mpa: f64,
    /// Lattice, flange and screws pass their strength checks in every case.
    pub safe: [bool; 3],
    /// The p95 at full weight-bearing is in [`DESIGN_BAND_UM`].
    pub in_band: bool,
    /// In the band, migration below the limit, and safe.
    pub feasible: bool,
    /// On the Pareto front of (distance from the band, near-implant shielding) among the
    /// safe designs whose migration is below the limit.
    pub pareto: bool,
    /// Wall-clock seconds of its study.
    pub seconds: f64,
}

/// The main effect of one design variable on the micromotion: the spread of the mean p95
/// (full weight-bearing) over its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableEffect {
    /// The variable ("prosthesis modulus", "flange thickness", …).
    pub variable: String,
    /// (value, mean p95 µm) per value taken.
    pub levels: Vec<(String, f64)>,
    /// Largest minus smallest mean p95 (µm).
    pub spread_um: f64,
}

/// The result of a design sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignReport {
    /// The design file as read.
    pub spec: DesignSpec,
    /// The band aimed for (µm).
    pub band_um: [f64; 2],
    /// The migration limit (mm).
    pub migration_limit_mm: f64,
    /// Friction coefficient and stick stiffness (MPa/mm) of the docking faces.
    pub interface_mu_and_stick: [f64; 2],
    /// Element size (mm).
    pub mesh_size_mm: f64,
    /// One per design, in sweep order.
    pub results: Vec<DesignResult>,
    /// The feasible design with the least near-implant shielding, if any (index).
    pub recommended: Option<usize>,
    /// Each swept variable's main effect, largest first.
    pub effects: Vec<VariableEffect>,
    /// Intact solves computed and reused.
    pub intact_solves: [usize; 2],
    /// What the numbers rest on.
    pub notes: Vec<String>,
    /// Wall-clock seconds of the sweep.
    pub seconds: f64,
}

/// The designs of `spec` over `base`, in sweep order (modulus fastest, so that designs
/// sharing a mesh follow one another).
pub fn designs(spec: &DesignSpec, base: &Study) -> Vec<Design> {
    let s = &spec.sweep;
    let imp = &base.implant;
    let stiffness: Vec<(Option<f64>, f64)> = if !s.porosity.is_empty() {
        s.porosity.iter().map(|&p| (None, p)).collect()
    } else if !s.modulus_mpa.is_empty() {
        s.modulus_mpa
            .iter()
            .map(|&e| (Some(e), imp.porosity))
            .collect()
    } else {
        vec![(imp.modulus_mpa, imp.porosity)]
    };
    let or = |v: &Vec<f64>, d: f64| if v.is_empty() { vec![d] } else { v.clone() };
    let thickness = or(&s.flange_thickness_mm, imp.flange.thickness_mm);
    let materials = if s.flange_material.is_empty() {
        vec![imp.flange.material]
    } else {
        s.flange_material.clone()
    };
    let screws = if s.screw_offsets_mm.is_empty() {
        vec![imp.screws.offsets_mm.clone()]
    } else {
        s.screw_offsets_mm.clone()
    };
    let mut out = Vec::new();
    for offsets in &screws {
        for &material in &materials {
            for &t in &thickness {
                for &(e, p) in &stiffness {
                    let modulus = e.unwrap_or_else(|| {
                        osteon_material::PorousTantalum::from_porosity(p)
                            .map_or(f64::NAN, |m| m.modulus())
                    });
                    out.push(Design {
                        label: format!(
                            "E {modulus:.0} MPa{}, flange {} {t} mm, screws {offsets:?} mm",
                            if e.is_none() {
                                format!(" (porosity {p})")
                            } else {
                                String::new()
                            },
                            material_name(material),
                        ),
                        modulus_mpa: modulus,
                        porosity: p,
                        flange_thickness_mm: t,
                        flange_material: material,
                        screw_offsets_mm: offsets.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The study-file spelling of a flange material.
pub(crate) fn material_name(m: FlangeMaterial) -> &'static str {
    match m {
        FlangeMaterial::Ti6Al4V => "ti6al4v",
        FlangeMaterial::DenseTantalum => "dense_tantalum",
        FlangeMaterial::PorousTantalum => "porous_tantalum",
    }
}

/// The load cases every design is solved in (module documentation).
pub fn design_cases() -> Vec<ActivityCase> {
    let case = |activity, weight_bearing| ActivityCase {
        activity,
        weight_bearing,
    };
    vec![
        case(Activity::WalkingTorsion, 0.5),
        case(Activity::WalkingTorsion, 1.0),
        case(Activity::Walking, 1.0),
        case(Activity::StairAscent, 1.0),
        case(Activity::StairDescent, 1.0),
    ]
}

/// The study of `design` over `base` (frictional docking faces, the design cases, no
/// headline analyses, no VTU, one thread).
pub fn design_study(base: &Study, spec: &DesignSpec, design: &Design) -> Study {
    let mut study = base.clone();
    study.name = design.label.clone();
    if matches!(study.interface, InterfaceModel::Bonded) {
        study.interface = InterfaceModel::frictional(crate::spec::MU_TA_CORTICAL);
    }
    study.implant.porosity = design.porosity;
    study.implant.modulus_mpa = Some(design.modulus_mpa);
    study.implant.lattice = None;
    study.implant.flange.thickness_mm = design.flange_thickness_mm;
    study.implant.flange.material = design.flange_material;
    study.implant.screws.offsets_mm = design.screw_offsets_mm.clone();
    study.loads.fractions = Vec::new();
    study.loads.activities = design_cases();
    study.loads.extra_cases = Vec::new();
    study.metrics.headline_analyses = false;
    study.write_vtu = false;
    study.threads = Some(1);
    if let Some(h) = spec.mesh_size_mm {
        study.mesh.size_mm = h;
    }
    study
}

/// What the design's study says about it (feasibility and the Pareto flag are set later).
fn evaluate(
    design: Design,
    report: &StudyReport,
    seconds: f64,
) -> Result<DesignResult, BiomechError> {
    let p95 = |k: usize| {
        report
            .cases
            .get(k)
            .and_then(|c| c.metrics.micromotion.statistics())
            .map(|s| s.p95_um)
            .ok_or_else(|| {
                BiomechError::construction(format!(
                    "design '{}': no micromotion in load case {}",
                    design.label,
                    k + 1
                ))
            })
    };
    let micromotion_p95_um = [p95(0)?, p95(1)?];
    let migration_max_mm = report
        .cases
        .iter()
        .filter_map(|c| c.metrics.migration.largest().map(|f| f.magnitude_mm))
        .fold(0.0, f64::max);
    let daily = report.daily.as_ref().ok_or_else(|| {
        BiomechError::construction(format!(
            "design '{}': the daily loading was not computed",
            design.label
        ))
    })?;
    let mut safe = [true; 3];
    for c in &report.cases {
        let s = implant_safety(&c.metrics);
        safe = [safe[0] && s[0], safe[1] && s[1], safe[2] && s[2]];
    }
    let judged: Vec<_> = report
        .cases
        .iter()
        .map(|c| c.metrics.judged_lattice_stress())
        .collect();
    let largest = |f: fn(&crate::metrics::JudgedLatticeStress) -> f64| {
        judged.iter().map(f).fold(0.0, f64::max)
    };
    let porous_ta_judged_mpa = largest(|j| j.verdict_mpa());
    let porous_ta_peak_mpa = largest(|j| j.peak_mpa);
    let porous_ta_p99_mpa = largest(|j| j.p99_mpa);
    let limit = report.study.metrics.interface_displacement_limit_mm;
    let full = micromotion_p95_um[1];
    let in_band = (DESIGN_BAND_UM[0]..=DESIGN_BAND_UM[1]).contains(&full);
    Ok(DesignResult {
        design,
        micromotion_p95_um,
        migration_max_mm,
        daily_near_below_lazy_zone: daily.shielding.near_fraction_below_lazy_zone,
        daily_max_zone_shielding: daily.shielding.max_zone_shielding(),
        porous_ta_judged_mpa,
        porous_ta_peak_mpa,
        porous_ta_p99_mpa,
        safe,
        in_band,
        feasible: in_band && migration_max_mm < limit && safe.iter().all(|&s| s),
        pareto: false,
        seconds,
    })
}

/// Distance (µm) of a p95 from the band: 0 inside.
pub fn band_distance_um(p95: f64) -> f64 {
    (DESIGN_BAND_UM[0] - p95)
        .max(p95 - DESIGN_BAND_UM[1])
        .max(0.0)
}

/// Mark the Pareto front of (band distance, near-implant shielding), both minimised, among
/// the safe designs held below the migration limit.
fn mark_pareto(results: &mut [DesignResult], limit: f64) {
    let eligible: Vec<bool> = results
        .iter()
        .map(|r| r.migration_max_mm < limit && r.safe.iter().all(|&s| s))
        .collect();
    let key = |r: &DesignResult| {
        (
            band_distance_um(r.micromotion_p95_um[1]),
            r.daily_near_below_lazy_zone,
        )
    };
    let keys: Vec<(f64, f64)> = results.iter().map(key).collect();
    for i in 0..results.len() {
        let dominated = (0..results.len()).any(|j| {
            j != i
                && eligible[j]
                && keys[j].0 <= keys[i].0
                && keys[j].1 <= keys[i].1
                && (keys[j].0 < keys[i].0 || keys[j].1 < keys[i].1)
        });
        results[i].pareto = eligible[i] && !dominated;
    }
}

/// The main effect of each variable that takes more than one value, largest first.
fn main_effects(results: &[DesignResult]) -> Vec<VariableEffect> {
    type Key = fn(&Design) -> String;
    let variables: [(&str, Key); 4] = [
        ("prosthesis modulus", |d| {
            format!("{:.0} MPa", d.modulus_mpa)
        }),
        ("flange thickness", |d| {
            format!("{} mm", d.flange_thickness_mm)
        }),
        ("flange material", |d| {
            material_name(d.flange_material).to_string()
        }),
        ("screw positions", |d| {
            format!("{:?} mm", d.screw_offsets_mm)
        }),
    ];
    let mut out = Vec::new();
    for (name, key) in variables {
        let mut levels: Vec<(String, f64, usize)> = Vec::new();
        for r in results {
            let k = key(&r.design);
            match levels.iter_mut().find(|l| l.0 == k) {
                Some(l) => {
                    l.1 += r.micromotion_p95_um[1];
                    l.2 += 1;
                }
                None => levels.push((k, r.micromotion_p95_um[1], 1)),
            }
        }
        if levels.len() < 2 {
            continue;
        }
        let levels: Vec<(String, f64)> = levels
            .into_iter()
            .map(|(k, sum, n)| (k, sum / n as f64))
            .collect();
        let (lo, hi) = levels
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), l| {
                (lo.min(l.1), hi.max(l.1))
            });
        out.push(VariableEffect {
            variable: name.into(),
            levels,
            spread_um: hi - lo,
        });
    }
    out.sort_by(|a, b| b.spread_um.total_cmp(&a.spread_um));
    out
}

/// Run every design of `spec` over `base` in parallel on the current rayon pool; `observer`
/// hears one line per finished design with the time left.
pub fn run_design_sweep(
    spec: &DesignSpec,
    base: &Study,
    observer: &mut dyn Observer,
) -> Result<DesignReport, BiomechError> {
    spec.validate()?;
    let t0 = Instant::now();
    let list = designs(spec, base);
    let n = list.len();
    let progress = Mutex::new((observer, 0usize));
    let counts = Mutex::new([0usize; 2]);
    observer_stage(
        &progress,
        &format!("{n} designs, 5 frictional load cases each"),
    );
    // contiguous chunks, one per worker: neighbours share the bone mesh (modulus fastest),
    // so each worker's cache serves them one intact solve
    let chunk = n.div_ceil(rayon::current_num_threads().max(1)).max(1);
    let results: Vec<Result<DesignResult, BiomechError>> = list
        .into_par_iter()
        .with_min_len(chunk)
        .map_init(IntactCache::new, |cache, design| {
            let t = Instant::now();
            let study = design_study(base, spec, &design);
            let (h0, m0) = (cache.hits, cache.misses);
            let run = run_study_cached(&study, &mut Silent, Some(cache))?;
            if let Ok(mut c) = counts.lock() {
                c[0] += cache.misses - m0;
                c[1] += cache.hits - h0;
            }
            let r = evaluate(design, &run.report, t.elapsed().as_secs_f64())?;
            if let Ok(mut p) = progress.lock() {
                p.1 += 1;
                let done = p.1;
                let left = t0.elapsed().as_secs_f64() / done as f64 * (n - done) as f64;
                let line = format!(
                    "design {done}/{n} ({}): p95 {:.1} / {:.1} µm at 50 / 100 % BW, migration {:.3} mm, {:.1} s; about {:.0} s left",
                    r.design.label,
                    r.micromotion_p95_um[0],
                    r.micromotion_p95_um[1],
                    r.migration_max_mm,
                    r.seconds,
                    left
                );
                p.0.notify(&Event::Stage(&line));
            }
            Ok(r)
        })
        .collect();
    let mut results = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let probe = design_study(base, spec, &first_design(base, spec)?);
    let limit = probe.metrics.interface_displacement_limit_mm;
    mark_pareto(&mut results, limit);
    let recommended = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.feasible)
        .min_by(|a, b| {
            a.1.daily_near_below_lazy_zone
                .total_cmp(&b.1.daily_near_below_lazy_zone)
        })
        .map(|(i, _)| i);
    let effects = main_effects(&results);
    let mu = match probe.interface {
        InterfaceModel::Frictional { mu, .. } => mu,
        InterfaceModel::Bonded => f64::NAN,
    };
    let notes = report::notes(base, &probe);
    let intact_solves = counts.lock().map(|c| *c).unwrap_or_default();
    Ok(DesignReport {
        spec: spec.clone(),
        band_um: DESIGN_BAND_UM,
        migration_limit_mm: limit,
        interface_mu_and_stick: [mu, probe.interface.stick_stiffness().unwrap_or(f64::NAN)],
        mesh_size_mm: probe.mesh.size_mm,
        results,
        recommended,
        effects,
        intact_solves,
        notes,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// The first design of the sweep (for the settings every design shares).
fn first_design(base: &Study, spec: &DesignSpec) -> Result<Design, BiomechError> {
    designs(spec, base)
        .into_iter()
        .next()
        .ok_or_else(|| BiomechError::construction("the design sweep has no design"))
}

fn observer_stage(progress: &Mutex<(&mut dyn Observer, usize)>, line: &str) {
    if let Ok(mut p) = progress.lock() {
        p.0.notify(&Event::Stage(line));
    }
}
