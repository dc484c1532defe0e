//! Closest-point projection onto element faces and a bucket grid to find candidate faces
//! quickly — the geometric core of tie constraints and node-to-surface contact.

use std::collections::HashMap;

use crate::mesh::{FaceRef, Mesh};
use crate::reference::FaceType;

/// Where a point projects onto a face.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceProjection {
    /// The face.
    pub face: FaceRef,
    /// Natural coordinates (s, t) of the closest point, clamped to the face.
    pub st: [f64; 2],
    /// The closest point (mm).
    pub point: [f64; 3],
    /// Distance from the query point (mm).
    pub distance: f64,
}

/// Natural coordinates are accepted as "on the face" within this margin (then clamped).
const INSIDE_MARGIN: f64 = 1e-6;

/// Project `p` onto the face with type `ft` and node coordinates `xf` by Gauss–Newton on
/// |x(s, t) − p|², clamping to the face's natural domain. Returns (s, t), the point and the
/// distance.
pub fn project_to_face(ft: FaceType, xf: &[[f64; 3]], p: [f64; 3]) -> ([f64; 2], [f64; 3], f64) {
    let mut st = if ft.is_triangle() {
        [1.0 / 3.0, 1.0 / 3.0]
    } else {
        [0.0, 0.0]
    };
    let eval = |st: [f64; 2]| {
        let sh = ft.shape(st);
        let mut x = [0.0; 3];
        let mut xs = [0.0; 3];
        let mut xt = [0.0; 3];
        for a in 0..ft.n_nodes() {
            for k in 0..3 {
                x[k] += sh.n[a] * xf[a][k];
                xs[k] += sh.dn[a][0] * xf[a][k];
                xt[k] += sh.dn[a][1] * xf[a][k];
            }
        }
        (x, xs, xt)
    };
    for _ in 0..30 {
        let (x, xs, xt) = eval(st);
        let r: [f64; 3] = std::array::from_fn(|k| x[k] - p[k]);
        let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        let (g0, g1) = (dot(r, xs), dot(r, xt));
        let (h00, h01, h11) = (dot(xs, xs), dot(xs, xt), dot(xt, xt));
        let det = h00 * h11 - h01 * h01;
        if det.abs() < 1e-300 {
            break;
        }
        let ds = (h11 * g0 - h01 * g1) / det;
        let dt = (h00 * g1 - h01 * g0) / det;
        st = clamp(ft, [st[0] - ds, st[1] - dt]);
        if ds.abs() + dt.abs() < 1e-13 {
            break;
        }
    }
    let (x, _, _) = eval(st);
    let d = ((x[0] - p[0]).powi(2) + (x[1] - p[1]).powi(2) + (x[2] - p[2]).powi(2)).sqrt();
    (st, x, d)
}

fn clamp(ft: FaceType, st: [f64; 2]) -> [f64; 2] {
    if ft.is_triangle() {
        let s = st[0].max(0.0);
        let t = st[1].max(0.0);
        let sum = s + t;
        if sum > 1.0 + INSIDE_MARGIN {
            [s / sum, t / sum]
        } else {
            [s, t]
        }
    } else {
        [st[0].clamp(-1.0, 1.0), st[1].clamp(-1.0, 1.0)]
    }
}

/// A uniform bucket grid over the bounding boxes of a set of faces, to find the faces near a
/// point without testing them all.
#[derive(Clone, Debug)]
pub struct FaceLocator {
    faces: Vec<FaceRef>,
    nodes: Vec<Vec<usize>>,
    cell: f64,
    origin: [f64; 3],
    buckets: HashMap<[i64; 3], Vec<usize>>,
}

impl FaceLocator {
    /// Index `faces` of `mesh`; `reach` (mm) enlarges every face box (the search radius).
    /// Faces that do not exist are skipped.
    pub fn new(mesh: &Mesh, faces: &[FaceRef], reach: f64) -> Self {
        let mut boxes = Vec::with_capacity(faces.len());
        let mut kept = Vec::with_capacity(faces.len());
        let mut nodes = Vec::with_capacity(faces.len());
        let mut size_sum = 0.0;
        for &f in faces {
            let Ok(fnodes) = mesh.face_nodes(f) else {
                continue;
            };
            let mut lo = [f64::INFINITY; 3];
            let mut hi = [f64::NEG_INFINITY; 3];
            for &n in &fnodes {
                for k in 0..3 {
                    lo[k] = lo[k].min(mesh.coords[n][k] - reach);
                    hi[k] = hi[k].max(mesh.coords[n][k] + reach);
                }
            }
            size_sum += (0..3).map(|k| hi[k] - lo[k]).fold(0.0, f64::max);
            boxes.push((lo, hi));
            kept.push(f);
            nodes.push(fnodes);
        }
        let cell = if kept.is_empty() {
            1.0
        } else {
            (size_sum / kept.len() as f64).max(1e-9)
        };
        let origin = boxes.iter().fold([f64::INFINITY; 3], |o, b| {
            std::array::from_fn(|k| o[k].min(b.0[k]))
        });
        let origin = if kept.is_empty() { [0.0; 3] } else { origin };
        let mut buckets: HashMap<[i64; 3], Vec<usize>> = HashMap::new();
        for (i, (lo, hi)) in boxes.iter().enumerate() {
            let a: [i64; 3] = std::array::from_fn(|k| ((lo[k] - origin[k]) / cell).floor() as i64);
            let b: [i64; 3] = std::array::from_fn(|k| ((hi[k] - origin[k]) / cell).floor() as i64);
            for x in a[0]..=b[0] {
                for y in a[1]..=b[1] {
                    for z in a[2]..=b[2] {
                        buckets.entry([x, y, z]).or_default().push(i);
                    }
                }
            }
        }
        Self {
            faces: kept,
            nodes,
            cell,
            origin,
            buckets,
        }
    }

    /// Number of indexed faces.
    pub fn len(&self) -> usize {
        self.faces.len()
    }

    /// True if no face is indexed.
    pub fn is_empty(&self) -> bool {
        self.faces.is_empty()
    }

    /// Node indices of indexed face `i`.
    pub fn face_nodes(&self, i: usize) -> &[usize] {
        &self.nodes[i]
    }

    /// The closest projection of `p` onto the indexed faces whose (enlarged) boxes contain
    /// `p`; `None` if there is none. `skip(node)` excludes faces that contain such a node
    /// (a slave node never ties to a face it belongs to).
    pub fn closest(
        &self,
        mesh: &Mesh,
        p: [f64; 3],
        skip: impl Fn(usize) -> bool,
    ) -> Option<FaceProjection> {
        let key: [i64; 3] =
            std::array::from_fn(|k| ((p[k] - self.origin[k]) / self.cell).floor() as i64);
        let candidates = self.buckets.get(&key)?;
        let mut best: Option<FaceProjection> = None;
        for &i in candidates {
            if self.nodes[i].iter().any(|&n| skip(n)) {
                continue;
            }
            let face = self.faces[i];
            let ft = mesh.element(face.element).etype.face_type();
            let mut xf = [[0.0; 3]; 8];
            for (a, &n) in self.nodes[i].iter().enumerate() {
                xf[a] = mesh.coords[n];
            }
            let (st, point, distance) = project_to_face(ft, &xf[..ft.n_nodes()], p);
            if best.is_none_or(|b| distance < b.distance) {
                best = Some(FaceProjection {
                    face,
                    st,
                    point,
                    distance,
                });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_onto_flat_and_curved_faces() {
        let quad = [
            [0.0, 0.0, 0.0],
            [2.0, 0.0, 0.0],
            [2.0, 2.0, 0.0],
            [0.0, 2.0, 0.0],
        ];
        let (st, x, d) = project_to_face(FaceType::Quad4, &quad, [0.5, 1.5, 0.3]);
        assert!((st[0] + 0.5).abs() < 1e-12 && (st[1] - 0.5).abs() < 1e-12);
        assert!((x[0] - 0.5).abs() < 1e-12 && (d - 0.3).abs() < 1e-12);
        // a curved Tri6: corners on the unit circle arc in the xy plane, lifted mid nodes
        let r = 10.0f64;
        let a = |t: f64| [r * t.cos(), r * t.sin(), 0.0];
        let tri = [
            a(0.0),
            [r * 0.3f64.cos(), r * 0.3f64.sin(), 5.0],
            [r, 0.0, 5.0],
            a(0.15),
            [r * 0.15f64.cos(), r * 0.15f64.sin(), 5.0],
            [r, 0.0, 2.5],
        ];
        let p = [2.0 * r, 0.0, 2.5];
        let (_, x, d) = project_to_face(FaceType::Tri6, &tri, p);
        assert!((d - (p[0] - x[0]).hypot(x[1]).hypot(p[2] - x[2])).abs() < 1e-12);
        // outside point clamps to the edge
        let (st, _, _) = project_to_face(FaceType::Quad4, &quad, [5.0, 1.0, 0.0]);
        assert!((st[0] - 1.0).abs() < 1e-12);
    }
}
