//! Structured meshes of mapped unit cubes.

use crate::error::MeshError;
use crate::mesh::{FaceRef, Mesh, Surface};
use crate::reference::ElementType;

/// A structured mesh of the unit cube [0, 1]³ mapped to physical space.
#[derive(Clone, Debug)]
pub struct StructuredSpec {
    /// Cells along each parametric direction (≥ 1).
    pub cells: [usize; 3],
    /// Element type; tetrahedra are six per cell (Kuhn split).
    pub element: ElementType,
    /// Parametric directions that wrap around (the last layer of cells joins the first),
    /// e.g. the circumferential direction of a full tube.
    pub periodic: [bool; 3],
    /// Names of the node sets *and* element-face surfaces on the parametric faces
    /// `[[lo₀, hi₀], [lo₁, hi₁], [lo₂, hi₂]]`; ignored for periodic directions.
    pub face_names: [[&'static str; 2]; 3],
}

/// Parameters of [`box_mesh`]: an axis-aligned box from `origin` with edge lengths `size` (mm).
#[derive(Clone, Debug)]
pub struct BoxSpec {
    /// Lower corner (mm).
    pub origin: [f64; 3],
    /// Edge lengths along x, y, z (mm).
    pub size: [f64; 3],
    /// Cells along x, y, z.
    pub cells: [usize; 3],
    /// Element type.
    pub element: ElementType,
}

/// Parameters of [`tube_mesh`]: a hollow circular cylinder along z from z = 0 to z = length.
#[derive(Clone, Debug)]
pub struct TubeSpec {
    /// Inner radius (mm), > 0.
    pub inner_radius: f64,
    /// Outer radius (mm), > inner radius.
    pub outer_radius: f64,
    /// Length along z (mm).
    pub length: f64,
    /// Cells through the wall.
    pub cells_radial: usize,
    /// Cells around the circumference (≥ 3).
    pub cells_around: usize,
    /// Cells along the axis.
    pub cells_axial: usize,
    /// Element type.
    pub element: ElementType,
}

/// An axis-aligned box. Node sets and surfaces `XMIN`, `XMAX`, `YMIN`, `YMAX`, `ZMIN`, `ZMAX`;
/// element set `ALL`.
///
/// ```
/// use osteon_mesh::{ElementType, generate::{BoxSpec, box_mesh}};
/// let mesh = box_mesh(&BoxSpec { origin: [0.0; 3], size: [10.0, 2.0, 1.0], cells: [5, 1, 1], element: ElementType::Hex20 })?;
/// assert_eq!(mesh.n_elements(), 5);
/// assert!((mesh.volume() - 20.0).abs() < 1e-12);
/// # Ok::<(), osteon_mesh::MeshError>(())
/// ```
pub fn box_mesh(spec: &BoxSpec) -> Result<Mesh, MeshError> {
    for (k, name) in ["size x", "size y", "size z"].iter().enumerate() {
        if !(spec.size[k] > 0.0 && spec.size[k].is_finite()) {
            return Err(MeshError::InvalidParameter {
                name,
                value: spec.size[k],
                expected: "a positive length in mm",
            });
        }
    }
    let (o, s) = (spec.origin, spec.size);
    structured_mesh(
        &StructuredSpec {
            cells: spec.cells,
            element: spec.element,
            periodic: [false; 3],
            face_names: [["XMIN", "XMAX"], ["YMIN", "YMAX"], ["ZMIN", "ZMAX"]],
        },
        |p| [o[0] + s[0] * p[0], o[1] + s[1] * p[1], o[2] + s[2] * p[2]],
    )
}

/// A hollow circular cylinder (a tibia-like shaft) along z. Parametric directions are
/// (radius, angle, z); nodes — mid-edge nodes included — lie on the exact circles.
/// Node sets and surfaces `INNER`, `OUTER`, `Z0` (z = 0), `Z1` (z = length); element set `ALL`.
pub fn tube_mesh(spec: &TubeSpec) -> Result<Mesh, MeshError> {
    if spec.inner_radius.is_nan() || spec.inner_radius <= 0.0 {
        return Err(MeshError::InvalidParameter {
            name: "inner_radius",
            value: spec.inner_radius,
            expected: "> 0 mm",
        });
    }
    if spec.outer_radius.is_nan()
        || spec.outer_radius <= spec.inner_radius
        || !spec.outer_radius.is_finite()
    {
        return Err(MeshError::InvalidParameter {
            name: "outer_radius",
            value: spec.outer_radius,
            expected: "> inner_radius",
        });
    }
    if !spec.length.is_finite() || spec.length <= 0.0 {
        return Err(MeshError::InvalidParameter {
            name: "length",
            value: spec.length,
            expected: "> 0 mm",
        });
    }
    if spec.cells_around < 3 {
        return Err(MeshError::InvalidParameter {
            name: "cells_around",
            value: spec.cells_around as f64,
            expected: ">= 3",
        });
    }
    let (ri, ro, len) = (spec.inner_radius, spec.outer_radius, spec.length);
    structured_mesh(
        &StructuredSpec {
            cells: [spec.cells_radial, spec.cells_around, spec.cells_axial],
            element: spec.element,
            periodic: [false, true, false],
            face_names: [["INNER", "OUTER"], ["", ""], ["Z0", "Z1"]],
        },
        |p| {
            let r = ri + (ro - ri) * p[0];
            let t = std::f64::consts::TAU * p[1];
            [r * t.cos(), r * t.sin(), len * p[2]]
        },
    )
}

/// Kuhn split of the unit cube into six tetrahedra: the path 000 → e_a → e_a + e_b → 111
/// for each permutation (a, b, c). Neighbouring cells split their shared faces identically.
const KUHN: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];
/// Tet10 mid-edge nodes as pairs of corners (Abaqus order).
const TET_EDGES: [(usize, usize); 6] = [(0, 1), (1, 2), (2, 0), (0, 3), (1, 3), (2, 3)];

/// Build a structured mesh of [0, 1]³ mapped by `map` (parametric → physical, mm). The map
/// must preserve orientation (positive Jacobian); the Jacobian check is the caller's choice
/// ([`crate::check_jacobians`]). Node and element ids start at 1.
pub fn structured_mesh(
    spec: &StructuredSpec,
    map: impl Fn([f64; 3]) -> [f64; 3],
) -> Result<Mesh, MeshError> {
    for (k, name) in ["cells[0]", "cells[1]", "cells[2]"].iter().enumerate() {
        if spec.cells[k] == 0 || spec.cells[k] > 100_000 {
            return Err(MeshError::InvalidParameter {
                name,
                value: spec.cells[k] as f64,
                expected: "1..=100000 cells",
            });
        }
    }
    let n = spec.cells;
    // fine lattice: 2 points per cell and direction, + 1 unless periodic
    let fine: [usize; 3] = std::array::from_fn(|k| 2 * n[k] + usize::from(!spec.periodic[k]));
    let flat = |p: [usize; 3]| -> usize {
        let w: [usize; 3] = std::array::from_fn(|k| {
            if spec.periodic[k] {
                p[k] % fine[k]
            } else {
                p[k]
            }
        });
        (w[2] * fine[1] + w[1]) * fine[0] + w[0]
    };
    let etype = spec.element;
    // element connectivity in fine-lattice offsets
    let mut local: Vec<Vec<[usize; 3]>> = Vec::new();
    if etype.is_tet() {
        for perm in KUHN {
            let mut c = [[0usize; 3]; 4];
            for step in 0..3 {
                c[step + 1] = c[step];
                c[step + 1][perm[step]] = 2;
            }
            // orientation in parametric space (the map keeps it)
            let d: [[f64; 3]; 3] = std::array::from_fn(|i| {
                std::array::from_fn(|k| c[i + 1][k] as f64 - c[0][k] as f64)
            });
            if crate::geometry::det3(&d) < 0.0 {
                c.swap(1, 2);
            }
            let mut nodes = c.to_vec();
            if etype == ElementType::Tet10 {
                for (a, b) in TET_EDGES {
                    nodes.push(std::array::from_fn(|k| (c[a][k] + c[b][k]) / 2));
                }
            }
            local.push(nodes);
        }
    } else {
        local.push(
            etype
                .node_coords()
                .iter()
                .map(|xi| std::array::from_fn(|k| (xi[k] + 1.0) as usize))
                .collect(),
        );
    }
    let mut conn: Vec<usize> = Vec::new();
    for ck in 0..n[2] {
        for cj in 0..n[1] {
            for ci in 0..n[0] {
                for nodes in &local {
                    for off in nodes {
                        conn.push(flat([2 * ci + off[0], 2 * cj + off[1], 2 * ck + off[2]]));
                    }
                }
            }
        }
    }
    // number the used lattice points in lattice order
    let total = fine[0] * fine[1] * fine[2];
    let mut index = vec![usize::MAX; total];
    for &f in &conn {
        index[f] = 0;
    }
    let mut mesh = Mesh::new();
    for f in 0..total {
        if index[f] == 0 {
            let p = [
                f % fine[0],
                (f / fine[0]) % fine[1],
                f / (fine[0] * fine[1]),
            ];
            let denom: [f64; 3] = std::array::from_fn(|k| 2.0 * n[k] as f64);
            let x = map(std::array::from_fn(|k| p[k] as f64 / denom[k]));
            index[f] = mesh.add_node(mesh.n_nodes() as i64 + 1, x)?;
        }
    }
    let npe = etype.n_nodes();
    let mut buf = vec![0usize; npe];
    for (e, chunk) in conn.chunks(npe).enumerate() {
        for (b, &f) in buf.iter_mut().zip(chunk) {
            *b = index[f];
        }
        mesh.push_element(etype, e as i64 + 1, &buf)?;
    }
    mesh.set_element_set("ALL", (0..mesh.n_elements()).collect());
    // boundary sets: lattice coordinate of each node
    let mut lattice = vec![[0usize; 3]; mesh.n_nodes()];
    for f in 0..total {
        if index[f] != usize::MAX {
            lattice[index[f]] = [
                f % fine[0],
                (f / fine[0]) % fine[1],
                f / (fine[0] * fine[1]),
            ];
        }
    }
    for d in 0..3 {
        if spec.periodic[d] {
            continue;
        }
        for (side, target) in [(0usize, 0usize), (1, fine[d] - 1)] {
            let name = spec.face_names[d][side];
            if name.is_empty() {
                continue;
            }
            let nodes: Vec<usize> = (0..mesh.n_nodes())
                .filter(|&i| lattice[i][d] == target)
                .collect();
            let mut faces = Vec::new();
            for el in mesh.elements() {
                for f in 0..etype.n_faces() {
                    let fn_ = etype.face_nodes(f).unwrap_or_default();
                    if fn_.iter().all(|&l| lattice[el.nodes[l]][d] == target) {
                        faces.push(FaceRef {
                            element: el.index,
                            face: f as u8,
                        });
                    }
                }
            }
            mesh.set_node_set(name, nodes);
            mesh.surfaces
                .insert(name.to_string(), Surface::Faces(faces));
        }
    }
    Ok(mesh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_jacobians;

    #[test]
    fn box_meshes_of_every_type_fill_the_box_with_valid_elements() {
        for t in ElementType::ALL {
            let m = box_mesh(&BoxSpec {
                origin: [1.0, -2.0, 0.5],
                size: [3.0, 2.0, 1.5],
                cells: [3, 2, 2],
                element: t,
            })
            .expect("valid spec");
            assert!((m.volume() - 9.0).abs() < 1e-12, "{t}");
            assert!(check_jacobians(&m).is_ok());
            let per_cell = if t.is_tet() { 6 } else { 1 };
            assert_eq!(m.n_elements(), 12 * per_cell);
            // every lattice point used: corner grid (4×3×3) for linear, fine grid for Hex20 minus face/body centres
            let expected_nodes = match t {
                ElementType::Tet4 | ElementType::Hex8 => 4 * 3 * 3,
                ElementType::Tet10 => 7 * 5 * 5,
                _ => 7 * 5 * 5 - (3 * 2 * 2) - (3 * 2 * 3 + 3 * 3 * 2 + 4 * 2 * 2),
            };
            assert_eq!(m.n_nodes(), expected_nodes, "{t}");
            // the surface XMAX covers the face area 2 × 1.5
            let Ok(Surface::Faces(faces)) = m.surface("XMAX") else {
                panic!("XMAX missing")
            };
            let area: f64 = faces
                .iter()
                .map(|f| {
                    let x = m.element_coords(f.element);
                    t.face_type()
                        .load_rule()
                        .iter()
                        .map(|(st, w)| {
                            let (_, a) = crate::geometry::outward_area_vector(
                                t,
                                f.face as usize,
                                &x,
                                [st[0], st[1]],
                            )
                            .unwrap_or_default();
                            assert!(a[0] > 0.0);
                            w * nalgebra::Vector3::from(a).norm()
                        })
                        .sum::<f64>()
                })
                .sum();
            assert!((area - 3.0).abs() < 1e-12, "{t}: {area}");
            assert!(
                m.node_set("XMIN")
                    .expect("XMIN")
                    .iter()
                    .all(|&i| (m.coords[i][0] - 1.0).abs() < 1e-14)
            );
        }
    }

    #[test]
    fn tube_quadratic_nodes_lie_on_circles_and_volume_converges() {
        let exact = std::f64::consts::PI * (169.0 - 49.0) * 30.0;
        for t in [ElementType::Tet10, ElementType::Hex20] {
            let mut errors = Vec::new();
            for around in [12, 24] {
                let spec = TubeSpec {
                    inner_radius: 7.0,
                    outer_radius: 13.0,
                    length: 30.0,
                    cells_radial: 1,
                    cells_around: around,
                    cells_axial: 3,
                    element: t,
                };
                let m = tube_mesh(&spec).expect("valid");
                assert!(check_jacobians(&m).is_ok());
                for &i in m.node_set("OUTER").expect("OUTER") {
                    let r = m.coords[i][0].hypot(m.coords[i][1]);
                    assert!((r - 13.0).abs() < 1e-12);
                }
                assert_eq!(
                    m.node_set("Z0").expect("Z0").len(),
                    m.node_set("Z1").expect("Z1").len()
                );
                errors.push(((m.volume() - exact) / exact).abs());
            }
            // parabolic arcs: the area error falls as h⁴ (a linear-edge mesh would give h²)
            let rate = (errors[0] / errors[1]).log2();
            assert!(
                errors[0] < 5e-4 && rate > 3.7,
                "{t}: errors {errors:?}, rate {rate}"
            );
        }
        assert!(
            tube_mesh(&TubeSpec {
                inner_radius: 5.0,
                outer_radius: 4.0,
                length: 1.0,
                cells_radial: 1,
                cells_around: 8,
                cells_axial: 1,
                element: ElementType::Hex8
            })
            .is_err()
        );
    }
}
