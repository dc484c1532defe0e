//! A force and a moment given at a reference point, spread over a set of nodes as nodal
//! forces with exactly that resultant — Abaqus' `*COUPLING` / `*DISTRIBUTING` load
//! transfer, the way a joint load (e.g. the knee contact force and moments of an
//! instrumented implant) is put on the surface of a bone without stiffening it.
//!
//! With node weights wᵢ (tributary areas, or 1), centroid c = Σ wᵢ xᵢ / W, arms rᵢ = xᵢ − c
//! and the weighted polar tensor T = Σ wᵢ (|rᵢ|² I − rᵢ rᵢᵀ), the moment about the centroid
//! is M_c = M + (x_ref − c) × F and each node receives
//!
//! fᵢ = wᵢ (F / W + ω × rᵢ),  ω = T⁻¹ M_c,
//!
//! so that Σ fᵢ = F (the arms have zero weighted mean) and Σ rᵢ × fᵢ = T ω = M_c: force and
//! moment about any point are reproduced to round-off. The force is shared in proportion to
//! the weights and the moment by a linear (rigid-rotation-like) distribution — the classic
//! distributing-coupling weighting. T is singular when the nodes are collinear (no moment
//! about their line can be carried); such a set is refused, naming it, whenever the wrench
//! has a moment about the centroid.

use nalgebra::{Matrix3, Vector3};

use crate::error::AssemblyError;
use crate::model::NodalLoad;

/// A force (N) and a moment (N·mm) at a reference point (mm).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Wrench {
    /// Force (N).
    pub force: [f64; 3],
    /// Moment about `point` (N·mm).
    pub moment: [f64; 3],
    /// Where the moment is taken (mm).
    pub point: [f64; 3],
}

impl Wrench {
    /// The moment of this wrench about `q` (N·mm): M + (p − q) × F.
    pub fn moment_about(&self, q: [f64; 3]) -> [f64; 3] {
        let arm = Vector3::from(self.point) - Vector3::from(q);
        (Vector3::from(self.moment) + arm.cross(&Vector3::from(self.force))).into()
    }
}

/// Nodal forces on `nodes` (indices into `coords`, mm) with weights `weights` (> 0; one per
/// node) whose resultant is `wrench` (module documentation). `name` names the node set in
/// errors.
///
/// # Errors
/// [`AssemblyError::InvalidModel`] for an empty set, a node index out of range, weights that
/// are not positive and finite or not one per node, and a set whose nodes are collinear
/// while the wrench has a moment to carry (T singular).
pub fn distribute_wrench(
    name: &str,
    coords: &[[f64; 3]],
    nodes: &[usize],
    weights: &[f64],
    wrench: &Wrench,
) -> Result<Vec<NodalLoad>, AssemblyError> {
    let invalid = |detail: String| AssemblyError::InvalidModel {
        detail: format!("distributing the load over '{name}': {detail}"),
    };
    if nodes.is_empty() {
        return Err(invalid("the node set is empty".into()));
    }
    if weights.len() != nodes.len() {
        return Err(invalid(format!(
            "{} weights for {} nodes",
            weights.len(),
            nodes.len()
        )));
    }
    if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(invalid(format!("weight {w}: expected positive and finite")));
    }
    let mut x = Vec::with_capacity(nodes.len());
    for &n in nodes {
        let p = coords
            .get(n)
            .ok_or_else(|| invalid(format!("node index {n} does not exist")))?;
        x.push(Vector3::from(*p));
    }
    let (c, t, total) = polar_tensor(&x, weights);
    let m_c = Vector3::from(wrench.moment_about(c.into()));
    let omega = if m_c.norm() == 0.0 {
        Vector3::zeros()
    } else {
        match solve_polar(&t, &m_c) {
            Some(omega) => omega,
            None => {
                return Err(invalid(
                    "the nodes are collinear (or coincide), so they cannot carry a moment; use a set that spans an area".into(),
                ));
            }
        }
    };
    let f = Vector3::from(wrench.force) / total;
    let mut loads = Vec::with_capacity(3 * nodes.len());
    for ((&node, p), &w) in nodes.iter().zip(&x).zip(weights) {
        let fi = (f + omega.cross(&(p - c))) * w;
        for (component, &value) in fi.iter().enumerate() {
            if value != 0.0 {
                loads.push(NodalLoad {
                    node,
                    component,
                    value,
                });
            }
        }
    }
    Ok(loads)
}

/// The weighted centroid Σ wᵢ xᵢ / Σ wᵢ (mm) of the nodes `nodes` (indices into `coords`,
/// mm) with weights `weights` (tributary areas, or 1): the one definition the couplings, the
/// coupled support and the study's plateau centre use.
pub fn weighted_centroid(coords: &[[f64; 3]], nodes: &[usize], weights: &[f64]) -> [f64; 3] {
    let x: Vec<Vector3<f64>> = nodes.iter().map(|&n| Vector3::from(coords[n])).collect();
    centroid(&x, weights).into()
}

/// Σ wᵢ xᵢ / Σ wᵢ.
fn centroid(x: &[Vector3<f64>], weights: &[f64]) -> Vector3<f64> {
    let total: f64 = weights.iter().sum();
    x.iter()
        .zip(weights)
        .fold(Vector3::zeros(), |acc, (p, w)| acc + p * *w)
        / total
}

/// Weighted centroid c (mm), polar tensor T = Σ wᵢ (|rᵢ|² I − rᵢ rᵢᵀ) (mm² × weight) about
/// it, and the total weight.
pub(crate) fn polar_tensor(
    x: &[Vector3<f64>],
    weights: &[f64],
) -> (Vector3<f64>, Matrix3<f64>, f64) {
    let total: f64 = weights.iter().sum();
    let c = centroid(x, weights);
    let mut t = Matrix3::zeros();
    for (p, &w) in x.iter().zip(weights) {
        let r = p - c;
        t += (Matrix3::identity() * r.norm_squared() - r * r.transpose()) * w;
    }
    (c, t, total)
}

/// T⁻¹ b for the polar tensor T (symmetric positive semi-definite); `None` when T is
/// singular to 10⁻¹² relative (collinear or coincident points).
pub(crate) fn solve_polar(t: &Matrix3<f64>, b: &Vector3<f64>) -> Option<Vector3<f64>> {
    let scale = t.trace();
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    let ch = (t / scale).cholesky()?;
    ch.l_dirty()
        .diagonal()
        .iter()
        .all(|v| *v > 1e-6)
        .then(|| ch.solve(b) / scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resultant force and moment about `q` of nodal loads.
    fn resultant(coords: &[[f64; 3]], loads: &[NodalLoad], q: [f64; 3]) -> ([f64; 3], [f64; 3]) {
        let (mut f, mut m) = (Vector3::zeros(), Vector3::zeros());
        for l in loads {
            let mut v = Vector3::zeros();
            v[l.component] = l.value;
            f += v;
            m += (Vector3::from(coords[l.node]) - Vector3::from(q)).cross(&v);
        }
        (f.into(), m.into())
    }

    fn close(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
        (Vector3::from(a) - Vector3::from(b)).norm() <= tol * Vector3::from(b).norm().max(1.0)
    }

    #[test]
    fn the_resultant_is_the_prescribed_wrench() {
        // two plateau-like patches of uneven nodes and weights, a knee-like wrench
        let coords: Vec<[f64; 3]> = (0..40)
            .map(|i| {
                let a = 0.37 * i as f64;
                let side = if i % 2 == 0 { -20.0 } else { 18.0 };
                [side + 9.0 * a.cos(), 6.0 * a.sin(), 0.3 * (i % 3) as f64]
            })
            .collect();
        let nodes: Vec<usize> = (0..40).collect();
        let weights: Vec<f64> = (0..40).map(|i| 1.0 + 0.1 * (i % 7) as f64).collect();
        let wrench = Wrench {
            force: [-120.0, 85.0, -2400.0],
            moment: [15_000.0, -40_000.0, 9_000.0],
            point: [2.0, -3.0, 30.0],
        };
        let loads = distribute_wrench("plateau", &coords, &nodes, &weights, &wrench)
            .expect("spans an area");
        for q in [[0.0; 3], wrench.point, [100.0, -50.0, 7.0]] {
            let (f, m) = resultant(&coords, &loads, q);
            assert!(close(f, wrench.force, 1e-12), "{f:?}");
            assert!(
                close(m, wrench.moment_about(q), 1e-12),
                "{m:?} vs {:?}",
                wrench.moment_about(q)
            );
        }
    }

    #[test]
    fn a_force_through_the_centroid_is_shared_by_weight() {
        let coords = [
            [0.0, 0.0, 0.0],
            [2.0, 0.0, 0.0],
            [0.0, 2.0, 0.0],
            [2.0, 2.0, 0.0],
        ];
        let wrench = Wrench {
            force: [0.0, 0.0, -100.0],
            moment: [0.0; 3],
            point: [1.0, 1.0, 5.0],
        };
        let loads =
            distribute_wrench("square", &coords, &[0, 1, 2, 3], &[1.0; 4], &wrench).expect("valid");
        assert_eq!(loads.len(), 4);
        assert!(
            loads
                .iter()
                .all(|l| l.component == 2 && (l.value + 25.0).abs() < 1e-12)
        );
    }

    #[test]
    fn collinear_nodes_cannot_carry_a_moment_and_bad_input_is_named() {
        let coords = [[0.0; 3], [1.0, 0.0, 0.0], [2.0, 0.0, 0.0]];
        let twist = Wrench {
            moment: [10.0, 0.0, 0.0],
            ..Wrench::default()
        };
        let err = distribute_wrench("line", &coords, &[0, 1, 2], &[1.0; 3], &twist)
            .expect_err("collinear");
        assert!(err.to_string().contains("'line'") && err.to_string().contains("collinear"));
        // a force through the centroid needs no rotation: collinear nodes are fine
        let push = Wrench {
            force: [0.0, 3.0, 0.0],
            moment: [0.0; 3],
            point: [1.0, 0.0, 0.0],
        };
        assert!(distribute_wrench("line", &coords, &[0, 1, 2], &[1.0; 3], &push).is_ok());
        assert!(distribute_wrench("none", &coords, &[], &[], &push).is_err());
        assert!(distribute_wrench("bad", &coords, &[0, 7], &[1.0; 2], &push).is_err());
        assert!(distribute_wrench("bad", &coords, &[0, 1], &[1.0, -1.0], &push).is_err());
    }
}
