//! Element quality: the Jacobian check that rejects inverted and degenerate elements.

use rayon::prelude::*;

use crate::error::MeshError;
use crate::geometry::{det3, jacobian};
use crate::mesh::Mesh;

/// Summary of the Jacobian check over a mesh.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityReport {
    /// Smallest scaled Jacobian over all elements: min det J / mean det J of the element at
    /// its corners and integration points (1 for an undistorted affine element, ≤ 0 inverted).
    pub min_scaled_jacobian: f64,
    /// Element id where the minimum occurs.
    pub worst_element: Option<i64>,
    /// Number of elements checked.
    pub n_elements: usize,
}

/// Relative det J below which an element counts as degenerate (flat or collapsed).
pub const DEGENERATE_TOLERANCE: f64 = 1e-8;

/// Check every element's Jacobian at its nodes and its stiffness integration points.
///
/// Returns an error naming the first bad element (by id) if any element has det J ≤ 0 or a
/// scaled Jacobian below [`DEGENERATE_TOLERANCE`] at one of those points; otherwise a report.
pub fn check_jacobians(mesh: &Mesh) -> Result<QualityReport, MeshError> {
    let results: Vec<(f64, i64, f64, [f64; 3])> = (0..mesh.n_elements())
        .into_par_iter()
        .map(|e| {
            let el = mesh.element(e);
            let x = mesh.element_coords(e);
            let xs = &x[..el.etype.n_nodes()];
            let points = el
                .etype
                .node_coords()
                .iter()
                .chain(el.etype.stiffness_rule().points.iter());
            let dets: Vec<([f64; 3], f64)> = points
                .map(|p| (*p, det3(&jacobian(&el.etype.shape(*p), xs))))
                .collect();
            let mean = dets.iter().map(|d| d.1).sum::<f64>() / dets.len() as f64;
            let (xi, dmin) =
                dets.iter().copied().fold(
                    ([0.0; 3], f64::INFINITY),
                    |a, b| if b.1 < a.1 { b } else { a },
                );
            let scaled = if mean > 0.0 {
                dmin / mean
            } else {
                f64::NEG_INFINITY
            };
            (scaled, el.id, dmin, xi)
        })
        .collect();
    let mut report = QualityReport {
        min_scaled_jacobian: f64::INFINITY,
        worst_element: None,
        n_elements: results.len(),
    };
    for &(scaled, id, det_j, xi) in &results {
        // NaN counts as bad too
        if scaled.is_nan() || scaled <= DEGENERATE_TOLERANCE || det_j.is_nan() || det_j <= 0.0 {
            return Err(MeshError::InvertedElement {
                id,
                det_j,
                relative: scaled,
                xi,
            });
        }
        if scaled < report.min_scaled_jacobian {
            report.min_scaled_jacobian = scaled;
            report.worst_element = Some(id);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ElementType;

    #[test]
    fn inverted_and_flat_elements_are_named() {
        let mut m = Mesh::new();
        for (i, x) in [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [1.0, 1.0, 0.0],
        ]
        .iter()
        .enumerate()
        {
            m.add_node(i as i64 + 1, *x).expect("fresh id");
        }
        m.add_element(ElementType::Tet4, 1, &[1, 2, 3, 4])
            .expect("valid");
        assert!(check_jacobians(&m).is_ok());
        m.add_element(ElementType::Tet4, 42, &[1, 3, 2, 4])
            .expect("valid ids");
        match check_jacobians(&m) {
            Err(MeshError::InvertedElement { id, det_j, .. }) => {
                assert_eq!(id, 42);
                assert!(det_j < 0.0);
            }
            other => panic!("expected inverted element 42, got {other:?}"),
        }
        let mut flat = Mesh::new();
        for (i, x) in [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
        ]
        .iter()
        .enumerate()
        {
            flat.add_node(i as i64 + 1, *x).expect("fresh id");
        }
        flat.add_element(ElementType::Tet4, 7, &[1, 2, 3, 4])
            .expect("valid ids");
        assert!(matches!(
            check_jacobians(&flat),
            Err(MeshError::InvertedElement { id: 7, .. })
        ));
    }
}
