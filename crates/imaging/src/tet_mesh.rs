//! Sets and shape measures of a tetrahedral mesh of the segmented bone, named as the voxel
//! mesh names them ([`crate::voxel_mesh`]) so that a deck of either kind is driven alike.
//!
//! Element sets `CORTICAL`, `CANCELLOUS`, `MARROW` (those present, from the regions the
//! mapping gives, [`crate::tet_mapping`]) and `ALL`; node sets `DISTAL` and `PROXIMAL`: the
//! nodes within half a voxel of the two ends of the bone along its long axis (the grid axis of
//! the largest bone extent), `PROXIMAL` being the end with the larger world z (superior in
//! LPS). Half a voxel is the depth of the voxel mesh's end node layer below the last bone
//! voxel centre; the ends of a smoothed surface are flat where the bone or the region of
//! interest ends in a slice, and rounded by less than that at their rims.

use osteon_mesh::{ElementType, Mesh};

use crate::error::ImagingError;
use crate::segment::{Region, Segmentation, long_axis};
use crate::volume::{Volume, cross, dot};

/// Name the element sets by region and the end node sets of `mesh` (see the module docs);
/// returns the long axis (grid axis 0, 1 or 2).
///
/// # Errors
/// [`ImagingError::InvalidParameter`] when `regions` does not have one entry per element or
/// `seg` is not on the grid of `ct`; [`ImagingError::EmptySegmentation`] for an empty mesh.
pub fn name_tet_sets(
    mesh: &mut Mesh,
    regions: &[Region],
    ct: &Volume,
    seg: &Segmentation,
) -> Result<usize, ImagingError> {
    if regions.len() != mesh.n_elements() {
        return Err(ImagingError::invalid(
            "element regions",
            regions.len(),
            format!("one per element ({})", mesh.n_elements()),
        ));
    }
    if seg.dims != ct.dims {
        return Err(ImagingError::invalid(
            "segmentation grid",
            format!("{:?}", seg.dims),
            format!("the CT grid {:?}", ct.dims),
        ));
    }
    if mesh.n_nodes() == 0 || mesh.n_elements() == 0 {
        return Err(ImagingError::EmptySegmentation(
            "the tetrahedral mesh has no element".into(),
        ));
    }
    for r in Region::ALL {
        let set: Vec<usize> = (0..regions.len()).filter(|&e| regions[e] == r).collect();
        if !set.is_empty() {
            mesh.set_element_set(r.name().to_ascii_uppercase(), set);
        }
    }
    mesh.set_element_set("ALL", (0..regions.len()).collect());
    let axis = long_axis(&seg.labels, ct);
    let dir = ct.direction[axis];
    let s: Vec<f64> = mesh.coords.iter().map(|&x| dot(x, dir)).collect();
    let lo = s.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tol = 0.5 * ct.spacing[axis];
    let first: Vec<usize> = (0..s.len()).filter(|&n| s[n] <= lo + tol).collect();
    let last: Vec<usize> = (0..s.len()).filter(|&n| s[n] >= hi - tol).collect();
    let mean_z = |nodes: &[usize]| {
        nodes.iter().map(|&n| mesh.coords[n][2]).sum::<f64>() / nodes.len().max(1) as f64
    };
    let (distal, proximal) = if mean_z(&last) >= mean_z(&first) {
        (first, last)
    } else {
        (last, first)
    };
    mesh.set_node_set("DISTAL", distal);
    mesh.set_node_set("PROXIMAL", proximal);
    Ok(axis)
}

/// Smallest and largest dihedral angle (degrees) over the tetrahedra of `mesh`, from their
/// corner nodes; `None` when it has none.
pub fn dihedral_angle_range(mesh: &Mesh) -> Option<(f64, f64)> {
    let mut range: Option<(f64, f64)> = None;
    for el in mesh.elements() {
        if !matches!(el.etype, ElementType::Tet4 | ElementType::Tet10) {
            continue;
        }
        let p = [0, 1, 2, 3].map(|q| mesh.coords[el.nodes[q]]);
        let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
        // outward-or-inward face normals; the angle at edge (a, b) is π minus the angle between
        // the normals of the two faces that share it, with both normals pointing outward
        let face_normal = |skip: usize| {
            let f: Vec<usize> = (0..4).filter(|&q| q != skip).collect();
            let n = cross(sub(p[f[1]], p[f[0]]), sub(p[f[2]], p[f[0]]));
            // point away from the skipped (opposite) corner
            if dot(n, sub(p[skip], p[f[0]])) > 0.0 {
                n.map(|x| -x)
            } else {
                n
            }
        };
        let normals = [0, 1, 2, 3].map(face_normal);
        for a in 0..4 {
            for b in a + 1..4 {
                let (na, nb) = (normals[a], normals[b]);
                let c = dot(na, nb) / (dot(na, na) * dot(nb, nb)).sqrt();
                let angle = 180.0 - c.clamp(-1.0, 1.0).acos().to_degrees();
                let angle = if angle.is_finite() { angle } else { 0.0 };
                range = Some(match range {
                    None => (angle, angle),
                    Some((lo, hi)) => (lo.min(angle), hi.max(angle)),
                });
            }
        }
    }
    range
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_tetrahedron_has_arccos_one_third() {
        let mut m = Mesh::new();
        let s = 1.0 / 2f64.sqrt();
        for (i, x) in [
            [1.0, 0.0, -s],
            [-1.0, 0.0, -s],
            [0.0, 1.0, s],
            [0.0, -1.0, s],
        ]
        .into_iter()
        .enumerate()
        {
            m.add_node(i as i64 + 1, x).unwrap();
        }
        m.push_element(ElementType::Tet4, 1, &[0, 1, 2, 3]).unwrap();
        let (lo, hi) = dihedral_angle_range(&m).unwrap();
        let exact = (1.0f64 / 3.0).acos().to_degrees(); // 70.53°
        assert!(
            (lo - exact).abs() < 1e-9 && (hi - exact).abs() < 1e-9,
            "{lo} {hi}"
        );
    }
}
