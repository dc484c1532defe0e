//! The load and support surfaces of a CT bone mesh, named as a study's patient mesh wants
//! them: `PLATEAU_MEDIAL` and `PLATEAU_LATERAL` (the proximal end face, split at its mean
//! x) and `DISTAL_END` (the distal end face).

use osteon_mesh::{FaceRef, Mesh, Surface, boundary_faces};

use crate::error::ImagingError;

/// How many faces each end surface got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndSurfaceCounts {
    /// Faces of `PLATEAU_MEDIAL`.
    pub medial: usize,
    /// Faces of `PLATEAU_LATERAL`.
    pub lateral: usize,
    /// Faces of `DISTAL_END`.
    pub distal: usize,
}

/// Add the face surfaces `PLATEAU_MEDIAL`, `PLATEAU_LATERAL` and `DISTAL_END` to a mesh
/// with the node sets `PROXIMAL` and `DISTAL` (the end node layers of
/// [`crate::mesh_voxels`] and [`crate::name_tet_sets`]): the boundary faces whose corner
/// nodes all lie in `PROXIMAL` form the plateau, split at the mean x of their centres —
/// the lateral half at larger x when `lateral_sign` is +1 (in the LPS frame a left tibia),
/// at smaller x when −1 (a right tibia) — and those with every corner in `DISTAL` the
/// distal end.
///
/// # Errors
/// [`ImagingError::Mesh`] without the node sets, [`ImagingError::EmptySegmentation`] when
/// an end has no boundary face (e.g. a smoothed tetrahedral end with no face flat within
/// the node set's tolerance).
pub fn add_end_surfaces(
    mesh: &mut Mesh,
    lateral_sign: f64,
) -> Result<EndSurfaceCounts, ImagingError> {
    let boundary = boundary_faces(mesh, mesh.n_elements());
    let on = |set: &str| -> Result<Vec<FaceRef>, ImagingError> {
        let mut in_set = vec![false; mesh.n_nodes()];
        for &n in mesh.node_set(set)? {
            in_set[n] = true;
        }
        Ok(boundary
            .iter()
            .copied()
            .filter(|&f| {
                let corners = mesh.element(f.element).etype.face_type().n_corners();
                mesh.face_nodes(f)
                    .is_ok_and(|nodes| nodes.iter().take(corners).all(|&n| in_set[n]))
            })
            .collect())
    };
    let (proximal, distal) = (on("PROXIMAL")?, on("DISTAL")?);
    if proximal.is_empty() || distal.is_empty() {
        return Err(ImagingError::EmptySegmentation(format!(
            "no boundary face lies on the {} end node layer, so the bone has no load or support surface there",
            if proximal.is_empty() {
                "proximal"
            } else {
                "distal"
            }
        )));
    }
    let centre_x = |f: &FaceRef| -> f64 {
        let nodes = mesh.face_nodes(*f).unwrap_or_default();
        nodes.iter().map(|&n| mesh.coords[n][0]).sum::<f64>() / nodes.len().max(1) as f64
    };
    let mid = proximal.iter().map(centre_x).sum::<f64>() / proximal.len() as f64;
    let (lateral, medial): (Vec<FaceRef>, Vec<FaceRef>) = proximal
        .iter()
        .partition(|f| lateral_sign * (centre_x(f) - mid) >= 0.0);
    let counts = EndSurfaceCounts {
        medial: medial.len(),
        lateral: lateral.len(),
        distal: distal.len(),
    };
    mesh.surfaces
        .insert("PLATEAU_MEDIAL".into(), Surface::Faces(medial));
    mesh.surfaces
        .insert("PLATEAU_LATERAL".into(), Surface::Faces(lateral));
    mesh.surfaces
        .insert("DISTAL_END".into(), Surface::Faces(distal));
    Ok(counts)
}
