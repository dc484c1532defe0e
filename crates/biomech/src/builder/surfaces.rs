//! The surfaces on planes: the plateau halves, the distal end and the bone-side docking
//! faces, as face surfaces and node sets.

use osteon_mesh::{FaceRef, Mesh, Surface};

use super::elements::mean_z;
use super::{Layout, Region};
use crate::error::BiomechError;
use crate::geometry::TibiaGeometry;

/// Geometric tolerance for "on the plane z = z0" and "on the surface" tests (mm).
const ON_TOLERANCE: f64 = 1e-7;

/// Step 7 of the build: the faces of the intact model's elements on the plateau (split at
/// x = 0 into PLATEAU_MEDIAL and PLATEAU_LATERAL), on the distal end (DISTAL_END) and, for
/// cortical bone, on the docking planes (DISTAL_DOCKING, PROXIMAL_DOCKING), as surfaces and
/// node sets; an error when one is empty.
pub(super) fn plane_surfaces(
    mesh: &mut Mesh,
    regions: &[Region],
    geometry: &TibiaGeometry,
    layout: &Layout,
    n_bone_elements: usize,
    n_intact_elements: usize,
) -> Result<(), BiomechError> {
    let (etype, defect_z) = (layout.etype, layout.defect_z);
    let mut plateau = (Vec::new(), Vec::new());
    let mut distal_end = Vec::new();
    let mut docking = (Vec::new(), Vec::new()); // (distal, proximal)
    for (e, &el_region) in regions.iter().enumerate().take(n_intact_elements) {
        let el = mesh.element(e);
        let zc = mean_z(
            &el.nodes[..8]
                .iter()
                .map(|&n| mesh.coords[n])
                .collect::<Vec<_>>(),
        );
        for f in 0..6 {
            let nodes = etype.face_nodes(f).unwrap_or_default();
            let zs: Vec<f64> = nodes.iter().map(|&l| mesh.coords[el.nodes[l]][2]).collect();
            let on = |z0: f64| zs.iter().all(|&z| (z - z0).abs() < ON_TOLERANCE);
            let face = FaceRef {
                element: e,
                face: f as u8,
            };
            if on(geometry.length_mm) {
                let xc = nodes
                    .iter()
                    .map(|&l| mesh.coords[el.nodes[l]][0])
                    .sum::<f64>()
                    / nodes.len() as f64;
                if xc < 0.0 {
                    plateau.0.push(face)
                } else {
                    plateau.1.push(face)
                }
            }
            if on(0.0) {
                distal_end.push(face);
            }
            if e < n_bone_elements && el_region == Region::Cortical {
                if on(defect_z[0]) && zc < defect_z[0] {
                    docking.0.push(face);
                }
                if on(defect_z[1]) && zc > defect_z[1] {
                    docking.1.push(face);
                }
            }
        }
    }
    for (name, faces) in [
        ("PLATEAU_MEDIAL", plateau.0),
        ("PLATEAU_LATERAL", plateau.1),
        ("DISTAL_END", distal_end),
        ("DISTAL_DOCKING", docking.0),
        ("PROXIMAL_DOCKING", docking.1),
    ] {
        if faces.is_empty() {
            return Err(BiomechError::construction(format!(
                "no element faces found for surface {name}"
            )));
        }
        let nodes = mesh.surface_nodes(&Surface::Faces(faces.clone()));
        mesh.set_node_set(name, nodes);
        mesh.surfaces
            .insert(name.to_string(), Surface::Faces(faces));
    }
    Ok(())
}
