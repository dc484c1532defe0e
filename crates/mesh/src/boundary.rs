//! The boundary of a mesh: the element faces that no other element shares.

use std::collections::HashMap;

use crate::{FaceRef, Mesh};

/// The sorted corner nodes of face `f` of element `e`: the key that matches a face to the
/// face of a neighbour (mid-side nodes left out).
pub fn face_corner_key(mesh: &Mesh, e: usize, f: usize) -> Vec<usize> {
    let el = mesh.element(e);
    let corners = el.etype.face_type().n_corners();
    let mut key: Vec<usize> = el
        .etype
        .face_nodes(f)
        .unwrap_or_default()
        .iter()
        .take(corners)
        .map(|&l| el.nodes[l])
        .collect();
    key.sort_unstable();
    key
}

/// The faces of elements `0..n` (clamped to the mesh) that belong to one of them only,
/// matched by their sorted corner nodes, in element and face order. Mid-side nodes are not
/// compared, so a face shared by a linear and a quadratic element on the same corners is
/// interior.
pub fn boundary_faces(mesh: &Mesh, n: usize) -> Vec<FaceRef> {
    let mut count: HashMap<Vec<usize>, (usize, FaceRef)> = HashMap::new();
    for e in 0..n.min(mesh.n_elements()) {
        for f in 0..mesh.element(e).etype.n_faces() {
            let face = FaceRef {
                element: e,
                face: f as u8,
            };
            count
                .entry(face_corner_key(mesh, e, f))
                .or_insert((0, face))
                .0 += 1;
        }
    }
    let mut faces: Vec<FaceRef> = count
        .into_values()
        .filter(|(c, _)| *c == 1)
        .map(|(_, f)| f)
        .collect();
    faces.sort_unstable_by_key(|f| (f.element, f.face));
    faces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ElementType;
    use crate::generate::{StructuredSpec, structured_mesh};

    /// A 2 × 3 × 4 block of bricks has 2(2·3 + 3·4 + 2·4) = 52 boundary faces, and the
    /// tetrahedra of the same block (six per cell) twice as many triangles.
    #[test]
    fn a_block_has_the_faces_of_its_six_sides() {
        for (etype, per_cell_face) in [(ElementType::Hex8, 1), (ElementType::Tet4, 2)] {
            let m = structured_mesh(
                &StructuredSpec {
                    cells: [2, 3, 4],
                    element: etype,
                    periodic: [false; 3],
                    face_names: [["", ""], ["", ""], ["", ""]],
                },
                |p| [2.0 * p[0], 3.0 * p[1], 4.0 * p[2]],
            )
            .expect("block");
            assert_eq!(boundary_faces(&m, m.n_elements()).len(), 52 * per_cell_face);
        }
    }
}
