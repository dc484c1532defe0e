//! The files of a finished study, written where the caller chooses:
//! [`write_study_outputs`] writes the VTU files, the SVG plots, `report.json` and
//! `report.md` of a [`StudyRun`] into a folder.
//!
//! VTU output of a study (through `osteon_io::vtu`): one file per load case for the implanted
//! model and for the intact reference, and a PVD collection of each.
//!
//! Implanted files carry, besides the standard arrays of DESIGN.md §4 (`node_id`,
//! `displacement`, `stress`, `von_mises`, `reaction`, `element_id`, `material`):
//!
//! | where | name | type | meaning |
//! |---|---|---|---|
//! | cell | `region` | Int32 | 0 cortical, 1 cancellous, 2 prosthesis, 3 flange, 4 screw |
//! | cell | `screw` | Int32 | screw number (1-based), 0 elsewhere |
//! | cell | `CORTICAL`, `CANCELLOUS`, `IMPLANT`, `FLANGE`, `SCREWS` | Int32 | 0/1 set flags |
//! | cell | `sed_ratio` | Float64 | S = SED_implanted / SED_intact of bone elements, NaN elsewhere (not defined) |
//! | cell | `below_lazy_zone` | Int32 | 1 where S < 1 − s (resorption predicted), 0 bone, −1 elsewhere |
//! | cell | `shielding_zone` | Int32 | zone index along the bone (0 distal metaphysis …), −1 elsewhere |
//! | cell | `sed` | Float64 | mean strain-energy density (mJ/mm³) |
//! | cell | `max_abs_principal_strain` | Float64 | largest |principal strain| at the element's points (µε) |
//! | cell | `max_von_mises` | Float64 | largest von Mises stress at the element's points (MPa) |
//! | point | `displacement_magnitude` | Float64 | |u| (mm) |
//! | point | interface node sets (`PROXIMAL_DOCKING`, `DISTAL_DOCKING`, `FLANGE_BONE`, `SCREW_HOLES`) | Int32 | 0/1 |
//!
//!
//! The codes of the categorical arrays are also in each file's `FieldData`, one Int32 array
//! per code named `<array>=<meaning>` (`region=prosthesis` = 2, `shielding_zone=distal 0–20
//! mm` = 1, `below_lazy_zone=not bone` = −1, …): ParaView shows them in the Information panel.
//!
//! Intact files carry the standard arrays, `region`, `sed`, `max_abs_principal_strain` and the
//! docking-face flags.

use std::path::{Path, PathBuf};
use std::time::Instant;

use nalgebra::Vector3;
use osteon_assembly::{Model, StaticSolution, StepSolution};
use osteon_io::vtu::{DataArray, VtuFields, write_pvd, write_vtu};

use crate::builder::{Reconstruction, Region};
use crate::error::BiomechError;
use crate::mechanostat::MechanostatBands;
use crate::metrics::{element_fields, max_abs_principal_microstrain};
use crate::spec::MetricSpec;
use crate::study::{Study, StudyRun};

/// What [`write_study_outputs`] writes besides `report.json`, `report.md` and the plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// One VTU file per load case for the implanted and the intact model, and their PVD
    /// collections; true.
    pub vtu: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        Self { vtu: true }
    }
}

impl OutputOptions {
    /// The study file's choice ([`Study::write_vtu`]).
    pub fn from_study(study: &Study) -> Self {
        Self {
            vtu: study.write_vtu,
        }
    }
}

/// Write a finished study into `dir` (created if missing): the VTU files and PVD
/// collections (when `options.vtu`), the SVG plots, then `report.json` and `report.md`.
/// Records in `run.report` what was written (`files`, `plots`) and the time it took
/// (`timings.write_s`, added to `timings.total_s`); the report files carry the total up to
/// the report itself and `write_s` = 0, as the report cannot time its own writing.
pub fn write_study_outputs(
    run: &mut StudyRun,
    dir: &Path,
    options: &OutputOptions,
) -> Result<(), BiomechError> {
    let t = Instant::now();
    let run_s = run.report.timings.total_s;
    if options.vtu {
        let files = write_study_vtu(
            dir,
            &run.reconstruction,
            [&run.implanted_model, &run.intact_model],
            [&run.implanted, &run.intact],
            &run.report.study.metrics,
            &run.docking_copies,
        )?;
        run.report.files = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
    }
    run.report.plots = crate::plots::write_study_plots(&run.report, dir)?;
    run.report.timings.total_s = run_s + t.elapsed().as_secs_f64();
    crate::report::write_report(&run.report, dir)?;
    run.report.timings.write_s = t.elapsed().as_secs_f64();
    run.report.timings.total_s = run_s + run.report.timings.write_s;
    Ok(())
}

/// The codes of the `region` cell array and their meaning.
const REGION_LEGEND: [(i32, &str); 5] = [
    (0, "cortical bone"),
    (1, "cancellous bone"),
    (2, "prosthesis"),
    (3, "flange"),
    (4, "screw"),
];

/// The codes of the `below_lazy_zone` cell array and their meaning.
const LAZY_ZONE_LEGEND: [(i32, &str); 3] = [
    (-1, "not bone"),
    (0, "bone within or above the lazy zone"),
    (1, "bone below the lazy zone (resorption predicted)"),
];

fn region_code(r: Region) -> i32 {
    match r {
        Region::Cortical => 0,
        Region::Cancellous => 1,
        Region::Implant => 2,
        Region::Flange => 3,
        Region::Screw(_) => 4,
    }
}

fn magnitude(u: &[[f64; 3]]) -> Vec<f64> {
    u.iter().map(|v| Vector3::from(*v).norm()).collect()
}

/// Per-element mean SED and largest |principal strain| (µε) of a solution.
fn basic_element_fields(case: &StepSolution, n: usize) -> (Vec<f64>, Vec<f64>) {
    let f = &case.fields;
    let mut sed = vec![0.0; n];
    let mut eps = vec![0.0f64; n];
    for e in 0..n {
        let (mut v, mut s) = (0.0, 0.0);
        for p in f.points_of(e) {
            v += f.point_volume[p];
            s += f.point_sed(p) * f.point_volume[p];
            eps[e] = eps[e].max(max_abs_principal_microstrain(&f.point_strain[p]));
        }
        sed[e] = s / v.max(f64::MIN_POSITIVE);
    }
    (sed, eps)
}

/// Write `implanted_case<k>.vtu` and `intact_case<k>.vtu` for every load case and the PVD
/// collections `implanted.pvd`, `intact.pvd` into `dir`; returns the file names written.
/// `copies` are the (bone node, prosthesis copy) pairs of split docking faces (a frictional
/// interface; empty when bonded): their relative displacement becomes the point array
/// `interface_relative_displacement`.
pub fn write_study_vtu(
    dir: &Path,
    rec: &Reconstruction,
    models: [&Model; 2],
    solutions: [&StaticSolution; 2],
    spec: &MetricSpec,
    copies: &[(usize, usize)],
) -> Result<Vec<PathBuf>, BiomechError> {
    std::fs::create_dir_all(dir).map_err(|e| BiomechError::Io(osteon_io::IoError::os(dir, e)))?;
    let [implanted_model, intact_model] = models;
    let [implanted, intact] = solutions;
    let labels = CellLabels::of(rec);
    let mut written = Vec::new();
    let mut entries = (Vec::new(), Vec::new());
    for (k, (imp, int)) in implanted.cases.iter().zip(&intact.cases).enumerate() {
        let mut fields = implanted_fields(rec, &labels, implanted_model, imp, int, spec);
        if !copies.is_empty() {
            fields = fields.with_point_array(DataArray::float64(
                "interface_relative_displacement",
                3,
                relative_displacement(copies, imp),
            ));
        }
        let name = format!("implanted_case{}.vtu", k + 1);
        write_vtu(&dir.join(&name), &implanted_model.mesh, &fields)?;
        written.push(dir.join(&name));
        entries.0.push(((k + 1) as f64, name));

        let fields = intact_fields(rec, intact_model, int);
        let name = format!("intact_case{}.vtu", k + 1);
        write_vtu(&dir.join(&name), &intact_model.mesh, &fields)?;
        written.push(dir.join(&name));
        entries.1.push(((k + 1) as f64, name));
    }
    for (name, list) in [("implanted.pvd", &entries.0), ("intact.pvd", &entries.1)] {
        write_pvd(&dir.join(name), list)?;
        written.push(dir.join(name));
    }
    Ok(written)
}

/// u_prosthesis − u_bone (mm) at both nodes of each split docking pair, zero elsewhere
/// (flattened, 3 per node).
fn relative_displacement(copies: &[(usize, usize)], step: &StepSolution) -> Vec<f64> {
    let mut out = vec![0.0; 3 * step.displacement.len()];
    for &(bone, copy) in copies {
        for k in 0..3 {
            let d = step.displacement[copy][k] - step.displacement[bone][k];
            out[3 * bone + k] = d;
            out[3 * copy + k] = d;
        }
    }
    out
}

/// The case-independent cell labels of the implanted mesh.
struct CellLabels {
    /// Interface node sets present.
    interface_sets: Vec<String>,
    /// Region code per element.
    regions: Vec<i32>,
    /// Screw number (1-based) per element, 0 elsewhere.
    screw: Vec<i32>,
    /// Element sets present and not empty.
    sets: Vec<&'static str>,
}

impl CellLabels {
    fn of(rec: &Reconstruction) -> Self {
        Self {
            interface_sets: rec.interfaces.iter().map(|i| i.set.clone()).collect(),
            regions: rec.regions.iter().map(|&r| region_code(r)).collect(),
            screw: rec
                .regions
                .iter()
                .map(|&r| {
                    if let Region::Screw(k) = r {
                        k as i32 + 1
                    } else {
                        0
                    }
                })
                .collect(),
            sets: ["CORTICAL", "CANCELLOUS", "IMPLANT", "FLANGE", "SCREWS"]
                .into_iter()
                .filter(|s| rec.mesh.element_sets.get(*s).is_some_and(|v| !v.is_empty()))
                .collect(),
        }
    }
}

/// The arrays of one implanted case (see the module documentation).
fn implanted_fields(
    rec: &Reconstruction,
    labels: &CellLabels,
    model: &Model,
    imp: &StepSolution,
    int: &StepSolution,
    spec: &MetricSpec,
) -> VtuFields {
    let ef = element_fields(rec, imp, int, spec);
    let zone_legend: Vec<(i32, String)> = std::iter::once((-1, "not bone".to_string()))
        .chain(
            ef.zone_labels
                .iter()
                .enumerate()
                .map(|(k, name)| (k as i32, name.clone())),
        )
        .collect();
    VtuFields::from_solution(model, imp)
        .with_cell_array(DataArray::int32("region", 1, labels.regions.clone()))
        .with_cell_array(DataArray::int32("screw", 1, labels.screw.clone()))
        .with_cell_array(DataArray::float64("sed_ratio", 1, ef.sed_ratio))
        .with_cell_array(DataArray::int32("below_lazy_zone", 1, ef.below_lazy_zone))
        .with_cell_array(DataArray::int32("shielding_zone", 1, ef.zone))
        .with_cell_array(DataArray::float64("sed", 1, ef.sed))
        .with_cell_array(DataArray::float64(
            "max_abs_principal_strain",
            1,
            ef.max_abs_principal_microstrain,
        ))
        .with_cell_array(DataArray::float64("max_von_mises", 1, ef.max_von_mises))
        .with_cell_array(DataArray::int32("strain_band", 1, ef.strain_band))
        .with_point_array(DataArray::float64(
            "displacement_magnitude",
            1,
            magnitude(&imp.displacement),
        ))
        .with_element_set_flags(labels.sets.iter().copied())
        .with_node_set_flags(labels.interface_sets.iter().cloned())
        .with_legend("region", REGION_LEGEND)
        .with_legend("below_lazy_zone", LAZY_ZONE_LEGEND)
        .with_legend("shielding_zone", zone_legend)
        .with_legend("strain_band", strain_band_legend())
}

/// Codes of the `strain_band` array: −1 not bone, then the mechanostat bands.
fn strain_band_legend() -> Vec<(i32, String)> {
    std::iter::once((-1, "not bone".to_string()))
        .chain(
            MechanostatBands::LABELS
                .iter()
                .enumerate()
                .map(|(k, l)| (k as i32, l.to_string())),
        )
        .collect()
}

/// The arrays of one intact case: the standard ones, `region`, `sed`,
/// `max_abs_principal_strain`, `displacement_magnitude` and the docking-face flags.
fn intact_fields(rec: &Reconstruction, model: &Model, int: &StepSolution) -> VtuFields {
    let (sed, eps) = basic_element_fields(int, model.mesh.n_elements());
    let intact_regions: Vec<i32> = rec
        .intact_regions()
        .iter()
        .map(|&r| region_code(r))
        .collect();
    VtuFields::from_solution(model, int)
        .with_cell_array(DataArray::int32("region", 1, intact_regions))
        .with_legend("region", REGION_LEGEND)
        .with_cell_array(DataArray::float64("sed", 1, sed))
        .with_cell_array(DataArray::float64("max_abs_principal_strain", 1, eps))
        .with_point_array(DataArray::float64(
            "displacement_magnitude",
            1,
            magnitude(&int.displacement),
        ))
        .with_node_set_flags(["PROXIMAL_DOCKING", "DISTAL_DOCKING"])
}
