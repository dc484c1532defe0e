//! What a `[patient_ct]` study's report says about its geometry and its bone: the notes and
//! the bone rows of the materials table.

use super::PatientCtSpec;
use crate::builder::{Reconstruction, Region};
use crate::model::{CT_BONE_POISSON, MaterialSummary};

/// The geometry note of a CT study.
pub(crate) fn geometry_note(spec: &PatientCtSpec) -> String {
    format!(
        "Geometry: voxel mesh of the CT {} (osteon-imaging, as osteon ct: {}; element edge {}; {} bricks with the voxel staircase as surface): the periosteal envelope, the canal filled, marrow elements counted as cancellous bone. The elements whose centroid lies between the defect's two cutting planes are the porous-Ta prosthesis, which fills the envelope there and meets the bone at the docking faces as the interface note says; the plateau load acts on the proximal end face split at its mean x (lateral at {}), the support on the distal end face; the knee loads (x lateral, y anterior, z proximal, a right knee) are mapped into the CT's LPS frame (lateral ±x, anterior −y; a left tibia's frame is the mirror image, as left knees are mirrored onto the right in the load data; the load-sharing moments are in the CT's frame); the flange (C3D20) follows the lateral voxel surface, its inner nodes on its steps' top faces (in frictional contact as the interface note says, or tied with interface.flange = \"tied\"), and the screws (C3D20, embedded) follow their trajectories (planned, or the parametric placement through the flange's centre line to the middle of the far cortex; docs/imaging.md §10); diaphysis for the shielding zones: {}.",
        spec.image.display(),
        match &spec.labels {
            Some(l) => format!("label map {} ({})", l.display(), spec.label_map),
            None => format!(
                "thresholds bone {} HU, cortical {} HU, cancellous {} HU, canal filled slice by slice",
                spec.bone_hu,
                spec.cortical_hu.unwrap_or(spec.bone_hu),
                spec.cancellous_hu
            ),
        },
        spec.element_size_mm
            .map_or("one voxel".to_string(), |h| format!(
                "{h} mm rounded to whole voxels"
            )),
        if spec.quadratic { "C3D20" } else { "C3D8" },
        spec.lateral,
        match spec.diaphysis_mm {
            Some(d) => format!("{:.1}–{:.1} mm (study file)", d[0], d[1]),
            None =>
                "the surrogate's proportions of the bone length (50/360 distal, 70/360 proximal)"
                    .into(),
        }
    )
}

/// The calibration and law in words.
fn mapping_words(spec: &PatientCtSpec) -> String {
    let [slope, intercept] = spec.calibration.unwrap_or([0.0008, 0.0]);
    let law = spec
        .mapping()
        .map_or_else(|_| spec.law.clone(), |m| m.law.describe());
    format!(
        "calibration ρ_QCT = {intercept} + {slope}·HU g/cm³ (then Schileo 2008 ash and apparent density), law {law}, floor {} MPa{}",
        spec.floor_mpa,
        match spec.marrow_modulus_mpa {
            Some(m) => format!(", marrow {m} MPa"),
            None => String::new(),
        }
    )
}

/// Smallest, mean and largest of the CT moduli of the elements of `rec`'s intact model in
/// `pick`'s regions (MPa); `None` without such elements or without CT moduli.
fn range(rec: &Reconstruction, pick: fn(Region) -> bool) -> Option<[f64; 3]> {
    let moduli = rec.bone_moduli_mpa.as_ref()?;
    let regions = rec.intact_regions();
    let values: Vec<f64> = (0..regions.len().min(moduli.len()))
        .filter(|&e| pick(regions[e]))
        .map(|e| moduli[e])
        .collect();
    if values.is_empty() {
        return None;
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some([min, values.iter().sum::<f64>() / values.len() as f64, max])
}

/// The bone note of a CT study: CT-mapped (law, calibration, modulus range) or homogeneous.
pub(crate) fn bone_note(spec: &PatientCtSpec, rec: &Reconstruction) -> String {
    match range(rec, Region::is_bone) {
        Some([min, mean, max]) => format!(
            "Bone: CT-mapped, one isotropic modulus per element (ν {CT_BONE_POISSON}), the mean of its voxels' moduli ({}; docs/imaging.md §2–§4): {min:.0}–{max:.0} MPa, mean {mean:.0} MPa. The intact model gives every element, the defect's included, the same modulus. The [bone] cortex law and the cortical/cancellous materials are not used.",
            mapping_words(spec)
        ),
        None => "Bone: homogeneous (patient_ct.homogeneous_bone = true): the [bone] cortical and cancellous materials on the CT's cortical and cancellous elements, the marrow elements as cancellous; the CT numbers set only the regions.".into(),
    }
}

/// Replace the cortical and cancellous rows of `rows` by the CT-mapped ones (when `rec`
/// carries CT moduli).
pub(crate) fn bone_material_rows(
    spec: &PatientCtSpec,
    rec: &Reconstruction,
    rows: &mut [MaterialSummary],
) {
    for row in rows.iter_mut() {
        let pick: fn(Region) -> bool = match row.role.as_str() {
            "cortical bone" => |r| r == Region::Cortical,
            "cancellous bone" => |r| r == Region::Cancellous,
            _ => continue,
        };
        if let Some([min, mean, max]) = range(rec, pick) {
            row.name = "CT-mapped bone".into();
            row.e_axial_mpa = mean;
            row.constants = format!(
                "isotropic per element: E {min:.0}–{max:.0} MPa (mean {mean:.0}), ν {CT_BONE_POISSON}"
            );
            row.source = format!("CT {}: {}", spec.image.display(), mapping_words(spec));
        }
    }
}
