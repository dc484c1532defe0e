//! Validation of the mesh, flange and screw inputs of the parametric builder (the defect is
//! validated by [`super::defect_planes`]).

use crate::error::BiomechError;
use crate::spec::{FlangeSpec, ImplantSpec, MeshSpec};

/// Check the flange dimensions when the flange is enabled: positive thickness, width and
/// overlap.
pub(super) fn validate_flange(flange: &FlangeSpec) -> Result<(), BiomechError> {
    if flange.enabled {
        for (name, v) in [
            ("implant.flange.thickness_mm", flange.thickness_mm),
            ("implant.flange.width_mm", flange.width_mm),
            ("implant.flange.overlap_mm", flange.overlap_mm),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(BiomechError::invalid(name, v, "a positive length in mm"));
            }
        }
    }
    Ok(())
}

/// Check the screws when any are placed: they need the flange, a positive diameter, and
/// each must lie within its fragment under the flange.
pub(super) fn validate_screws(implant: &ImplantSpec) -> Result<(), BiomechError> {
    let flange = &implant.flange;
    let screws = &implant.screws;
    if screws.enabled && !screws.offsets_mm.is_empty() {
        if !flange.enabled {
            return Err(BiomechError::invalid(
                "implant.screws.enabled",
                1.0,
                "screws need the flange (their heads are locked in it): enable implant.flange or disable the screws",
            ));
        }
        if !(screws.diameter_mm > 0.0 && screws.diameter_mm.is_finite()) {
            return Err(BiomechError::invalid(
                "implant.screws.diameter_mm",
                screws.diameter_mm,
                "a positive diameter in mm",
            ));
        }
        if !(screws.core_diameter_mm > 0.0 && screws.core_diameter_mm <= screws.diameter_mm) {
            return Err(BiomechError::invalid(
                "implant.screws.core_diameter_mm",
                screws.core_diameter_mm,
                format!(
                    "a positive core diameter in mm, at most the nominal {} mm",
                    screws.diameter_mm
                ),
            ));
        }
        for &off in &screws.offsets_mm {
            if !(off - 0.5 * screws.diameter_mm > 0.0
                && off + 0.5 * screws.diameter_mm < flange.overlap_mm)
            {
                return Err(BiomechError::invalid(
                    "implant.screws.offsets_mm",
                    off,
                    format!(
                        "each screw must lie within its fragment under the flange: radius < offset < {} mm − radius",
                        flange.overlap_mm
                    ),
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn validate_mesh_spec(spec: &MeshSpec) -> Result<(), BiomechError> {
    if !(spec.size_mm > 0.0 && spec.size_mm.is_finite()) {
        return Err(BiomechError::invalid(
            "mesh.size_mm",
            spec.size_mm,
            "a positive element size in mm",
        ));
    }
    if spec.size_mm < 0.2 {
        return Err(BiomechError::invalid(
            "mesh.size_mm",
            spec.size_mm,
            "≥ 0.2 mm (finer meshes exceed one machine)",
        ));
    }
    if !(spec.far_factor >= 1.0 && spec.far_factor.is_finite()) {
        return Err(BiomechError::invalid(
            "mesh.far_factor",
            spec.far_factor,
            "≥ 1",
        ));
    }
    if let Some(n) = spec.cells_around
        && n < 8
    {
        return Err(BiomechError::invalid("mesh.cells_around", n as f64, "≥ 8"));
    }
    if let Some(h) = spec.interface_size_mm
        && !(h >= 0.2 && h.is_finite())
    {
        return Err(BiomechError::invalid(
            "mesh.interface_size_mm",
            h,
            "an element size ≥ 0.2 mm",
        ));
    }
    Ok(())
}
