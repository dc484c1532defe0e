//! Test matrices shared by the integration tests and the example.
#![allow(dead_code)]

use osteon_solver::SymmetricCsr;

/// A small deterministic generator (splitmix64), so tests need no `rand`.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A 1-D chain of `n` unknowns joined by springs `k_i` (unknown i to i+1), with an optional
/// ground spring at unknown 0. Without it the chain floats: the matrix is singular.
pub fn spring_chain(stiffness: &[f64], ground: Option<f64>) -> SymmetricCsr {
    let n = stiffness.len() + 1;
    let mut t = Vec::new();
    for (i, &k) in stiffness.iter().enumerate() {
        t.push((i, i, k));
        t.push((i + 1, i + 1, k));
        t.push((i, i + 1, -k));
    }
    if let Some(k) = ground {
        t.push((0, 0, k));
    }
    SymmetricCsr::from_triplets(n, &t).unwrap()
}

/// Random sparse SPD matrix `Bᵀ B + shift · I` with `B` an `m × n` sparse matrix holding
/// `per_row` random entries per row.
pub fn random_spd(n: usize, m: usize, per_row: usize, shift: f64, seed: u64) -> SymmetricCsr {
    let mut rng = Rng::new(seed);
    let rows: Vec<Vec<(usize, f64)>> = (0..m)
        .map(|_| {
            (0..per_row)
                .map(|_| (rng.below(n), 2.0 * rng.uniform() - 1.0))
                .collect()
        })
        .collect();
    let mut t = Vec::new();
    for row in &rows {
        for &(i, bi) in row {
            for &(j, bj) in row {
                // Each unordered pair of distinct columns passes `i < j` once, which is
                // the single stored (upper) copy of (Bᵀ B)_ij.
                if i <= j {
                    t.push((i, j, bi * bj));
                }
            }
        }
    }
    for i in 0..n {
        t.push((i, i, shift));
    }
    SymmetricCsr::from_triplets(n, &t).unwrap()
}

/// Which directions of the base (z = 0) points are held by ground springs.
#[derive(Clone, Copy, Debug)]
pub struct Support {
    pub x: bool,
    pub y: bool,
    pub z: bool,
}

pub const FULL_SUPPORT: Support = Support {
    x: true,
    y: true,
    z: true,
};

/// An elasticity-like matrix on an `nx × ny × nz` grid of points with 3 unknowns per point
/// (unknown `3 p + c`, point `p = x + nx (y + ny z)`): every pair of points in a 27-point
/// neighbourhood is joined by a block `w (a I + b d dᵀ)` (d the unit direction, a isotropic
/// and b axial stiffness, w a random factor in [1, 2)), like a lattice of springs. The base
/// points are held by ground springs in the `support` directions; without support in some
/// direction the matrix has the matching rigid translation as a null vector.
pub fn elastic_grid(nx: usize, ny: usize, nz: usize, support: Support, seed: u64) -> SymmetricCsr {
    let mut rng = Rng::new(seed);
    let point = |x: usize, y: usize, z: usize| x + nx * (y + ny * z);
    let (a, b) = (0.2, 1.0);
    let mut t: Vec<(usize, usize, f64)> = Vec::with_capacity(nx * ny * nz * 13 * 9 * 2);
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                let p = point(x, y, z);
                for dz in -1i64..=1 {
                    for dy in -1i64..=1 {
                        for dx in -1i64..=1 {
                            let (qx, qy, qz) = (x as i64 + dx, y as i64 + dy, z as i64 + dz);
                            if qx < 0
                                || qy < 0
                                || qz < 0
                                || qx >= nx as i64
                                || qy >= ny as i64
                                || qz >= nz as i64
                            {
                                continue;
                            }
                            let q = point(qx as usize, qy as usize, qz as usize);
                            if q <= p {
                                continue;
                            }
                            let len2 = (dx * dx + dy * dy + dz * dz) as f64;
                            let d = [dx as f64, dy as f64, dz as f64].map(|c| c / len2.sqrt());
                            let w = (1.0 + rng.uniform()) / len2;
                            for i in 0..3 {
                                for j in 0..3 {
                                    let m = w * (if i == j { a } else { 0.0 } + b * d[i] * d[j]);
                                    if i <= j {
                                        t.push((3 * p + i, 3 * p + j, m));
                                        t.push((3 * q + i, 3 * q + j, m));
                                    }
                                    t.push((3 * p + i, 3 * q + j, -m));
                                }
                            }
                        }
                    }
                }
                if z == 0 {
                    for (c, on) in [support.x, support.y, support.z].into_iter().enumerate() {
                        if on {
                            t.push((3 * p + c, 3 * p + c, 2.0));
                        }
                    }
                }
            }
        }
    }
    SymmetricCsr::from_triplets(3 * nx * ny * nz, &t).unwrap()
}

/// 2-D 5-point Laplacian plus a small shift (SPD), `nx × ny` unknowns.
pub fn laplacian_2d(nx: usize, ny: usize) -> SymmetricCsr {
    let id = |x: usize, y: usize| x + nx * y;
    let mut t = Vec::new();
    for y in 0..ny {
        for x in 0..nx {
            t.push((id(x, y), id(x, y), 4.0 + 1e-3));
            if x + 1 < nx {
                t.push((id(x, y), id(x + 1, y), -1.0));
            }
            if y + 1 < ny {
                t.push((id(x, y), id(x, y + 1), -1.0));
            }
        }
    }
    SymmetricCsr::from_triplets(nx * ny, &t).unwrap()
}

/// `||A x - b|| / ||b||`, computed independently of the solvers (sequential product).
pub fn relative_residual(a: &SymmetricCsr, x: &[f64], b: &[f64]) -> f64 {
    let mut ax = vec![0.0; a.n()];
    a.mul_vec_with_threads(x, &mut ax, 1);
    let r: f64 = ax.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum();
    let bn: f64 = b.iter().map(|v| v * v).sum();
    (r / bn).sqrt()
}

/// A right-hand side with every entry non-zero.
pub fn rhs(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| 1.0 + rng.uniform()).collect()
}
