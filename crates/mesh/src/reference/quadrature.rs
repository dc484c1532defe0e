//! Quadrature rules on the reference domains.
//!
//! - Gauss–Legendre on [−1, 1] (any order, nodes by Newton iteration on P_n);
//! - tensor-product Gauss rules on the hexahedron [−1, 1]³ and the quadrilateral [−1, 1]²;
//! - the classic 1- and 4-point tetrahedron rules (exact for degree 1 and 2);
//! - collapsed ("Duffy") Gauss rules on the unit tetrahedron and triangle, exact for
//!   polynomials of degree 2n − 3 (tet) and 2n − 2 (triangle), used for loads, error norms
//!   and any integrand that needs more accuracy than the stiffness rule.

/// A quadrature rule: points in natural coordinates and weights (summing to the reference
/// measure: 1/6 for the tetrahedron, 8 for the hexahedron, 1/2 for the triangle, 4 for the
/// quadrilateral, 2 for the line).
#[derive(Clone, Debug, PartialEq)]
pub struct QuadratureRule {
    /// Natural coordinates (ξ, η, ζ); unused trailing components are zero.
    pub points: Vec<[f64; 3]>,
    /// Weights, one per point.
    pub weights: Vec<f64>,
}

impl QuadratureRule {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// True if the rule has no points.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Iterate over (point, weight).
    pub fn iter(&self) -> impl Iterator<Item = (&[f64; 3], f64)> + '_ {
        self.points.iter().zip(self.weights.iter().copied())
    }
}

/// Gauss–Legendre nodes and weights on [−1, 1] with `n ≥ 1` points, exact for polynomials of
/// degree 2n − 1. Nodes are the roots of the Legendre polynomial P_n, found by Newton
/// iteration from the Chebyshev-like guess cos(π(i − 1/4)/(n + 1/2)) (Abramowitz & Stegun 25.4.29).
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let n = n.max(1);
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            // Legendre recurrence: P_k = ((2k − 1) z P_{k−1} − (k − 1) P_{k−2}) / k
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            let pn = if n == 1 { z } else { p1 };
            let pnm1 = if n == 1 { 1.0 } else { p0 };
            dp = n as f64 * (z * pn - pnm1) / (z * z - 1.0);
            let dz = pn / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                break;
            }
        }
        if n == 1 {
            x[0] = 0.0;
            w[0] = 2.0;
            break;
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        let wi = 2.0 / ((1.0 - z * z) * dp * dp);
        w[i] = wi;
        w[n - 1 - i] = wi;
    }
    (x, w)
}

/// Tensor Gauss rule with `n` points per direction on the hexahedron [−1, 1]³.
/// Point order: ξ fastest, then η, then ζ.
pub fn hex_gauss(n: usize) -> QuadratureRule {
    let (x, w) = gauss_legendre(n);
    let mut points = Vec::with_capacity(x.len().pow(3));
    let mut weights = Vec::with_capacity(x.len().pow(3));
    for k in 0..x.len() {
        for j in 0..x.len() {
            for i in 0..x.len() {
                points.push([x[i], x[j], x[k]]);
                weights.push(w[i] * w[j] * w[k]);
            }
        }
    }
    QuadratureRule { points, weights }
}

/// Tensor Gauss rule with `n` points per direction on the quadrilateral [−1, 1]².
pub fn quad_gauss(n: usize) -> QuadratureRule {
    let (x, w) = gauss_legendre(n);
    let mut points = Vec::new();
    let mut weights = Vec::new();
    for j in 0..x.len() {
        for i in 0..x.len() {
            points.push([x[i], x[j], 0.0]);
            weights.push(w[i] * w[j]);
        }
    }
    QuadratureRule { points, weights }
}

/// Collapsed Gauss rule with `n` points per direction on the unit tetrahedron
/// (Duffy map ξ = u, η = v(1 − u), ζ = w(1 − u)(1 − v), Jacobian (1 − u)²(1 − v), u, v, w ∈ [0, 1]).
/// Exact for polynomials of total degree 2n − 3.
pub fn tet_collapsed(n: usize) -> QuadratureRule {
    let (x, w) = gauss_legendre(n);
    let mut points = Vec::new();
    let mut weights = Vec::new();
    for a in 0..x.len() {
        let u = 0.5 * (x[a] + 1.0);
        for b in 0..x.len() {
            let v = 0.5 * (x[b] + 1.0);
            for c in 0..x.len() {
                let s = 0.5 * (x[c] + 1.0);
                points.push([u, v * (1.0 - u), s * (1.0 - u) * (1.0 - v)]);
                weights.push(w[a] * w[b] * w[c] * 0.125 * (1.0 - u) * (1.0 - u) * (1.0 - v));
            }
        }
    }
    QuadratureRule { points, weights }
}

/// Collapsed Gauss rule with `n` points per direction on the unit triangle
/// (ξ = u, η = v(1 − u), Jacobian 1 − u). Exact for total degree 2n − 2.
pub fn tri_collapsed(n: usize) -> QuadratureRule {
    let (x, w) = gauss_legendre(n);
    let mut points = Vec::new();
    let mut weights = Vec::new();
    for a in 0..x.len() {
        let u = 0.5 * (x[a] + 1.0);
        for b in 0..x.len() {
            let v = 0.5 * (x[b] + 1.0);
            points.push([u, v * (1.0 - u), 0.0]);
            weights.push(w[a] * w[b] * 0.25 * (1.0 - u));
        }
    }
    QuadratureRule { points, weights }
}

/// The 1-point centroid rule on the unit tetrahedron (exact for degree 1; C3D4).
pub(crate) fn tet_1point() -> QuadratureRule {
    QuadratureRule {
        points: vec![[0.25; 3]],
        weights: vec![1.0 / 6.0],
    }
}

/// The 4-point rule on the unit tetrahedron, exact for degree 2 (C3D10 stiffness).
/// a = (5 + 3√5)/20, b = (5 − √5)/20, weight 1/24 each.
pub(crate) fn tet_4point() -> QuadratureRule {
    let a = (5.0 + 3.0 * 5f64.sqrt()) / 20.0;
    let b = (5.0 - 5f64.sqrt()) / 20.0;
    QuadratureRule {
        // The point nearest node k comes k-th (node 1 at the origin takes (b, b, b)).
        points: vec![[b, b, b], [a, b, b], [b, a, b], [b, b, a]],
        weights: vec![1.0 / 24.0; 4],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monomial_tet(p: i32, q: i32, r: i32) -> f64 {
        // ∫ ξ^p η^q ζ^r over the unit tet = p! q! r! / (p + q + r + 3)!
        let f = |k: i32| (1..=k).map(f64::from).product::<f64>();
        f(p) * f(q) * f(r) / f(p + q + r + 3)
    }

    #[test]
    fn gauss_legendre_integrates_degree_2n_minus_1() {
        for n in 1..=8 {
            let (x, w) = gauss_legendre(n);
            for deg in 0..(2 * n) {
                let num: f64 = x
                    .iter()
                    .zip(&w)
                    .map(|(xi, wi)| wi * xi.powi(deg as i32))
                    .sum();
                let exact = if deg % 2 == 1 {
                    0.0
                } else {
                    2.0 / (deg as f64 + 1.0)
                };
                assert!(
                    (num - exact).abs() < 1e-14,
                    "n={n} deg={deg}: {num} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn tet_rules_are_exact_to_their_degree() {
        let rules = [(tet_1point(), 1), (tet_4point(), 2), (tet_collapsed(4), 5)];
        for (rule, degree) in rules {
            for p in 0..=degree {
                for q in 0..=(degree - p) {
                    for r in 0..=(degree - p - q) {
                        let num: f64 = rule
                            .iter()
                            .map(|(x, w)| w * x[0].powi(p) * x[1].powi(q) * x[2].powi(r))
                            .sum();
                        let exact = monomial_tet(p, q, r);
                        assert!((num - exact).abs() < 1e-15, "{p}{q}{r}: {num} vs {exact}");
                    }
                }
            }
        }
    }

    #[test]
    fn triangle_and_quad_rules() {
        let tri = tri_collapsed(3);
        // ∫ ξ^p η^q over the unit triangle = p! q! / (p + q + 2)!
        let f = |k: i32| (1..=k).map(f64::from).product::<f64>();
        for p in 0..=4 {
            for q in 0..=(4 - p) {
                let num: f64 = tri
                    .iter()
                    .map(|(x, w)| w * x[0].powi(p) * x[1].powi(q))
                    .sum();
                assert!((num - f(p) * f(q) / f(p + q + 2)).abs() < 1e-15);
            }
        }
        let quad = quad_gauss(2);
        let num: f64 = quad
            .iter()
            .map(|(x, w)| w * x[0].powi(2) * x[1].powi(2))
            .sum();
        assert!((num - 4.0 / 9.0).abs() < 1e-15);
        assert!((hex_gauss(3).weights.iter().sum::<f64>() - 8.0).abs() < 1e-13);
    }
}
