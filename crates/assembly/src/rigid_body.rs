//! Before factorising: do the constraints stop every rigid-body motion of the model?
//!
//! The six rigid modes (translations, and rotations about the centroid scaled by the model
//! size so all are of order 1) are restricted to the prescribed DOFs and to the equation
//! residuals; the null space of that small 6-column matrix is exactly the set of rigid
//! motions the constraints allow. A non-empty null space is reported in words ("rotation
//! about z"), which is far more useful than a zero pivot somewhere in the factor. A part of
//! the mesh that floats free on its own is caught later by the factorisation's pivot check.

use osteon_mesh::Mesh;
use osteon_solver::rigid_body_mode_row;

use crate::dofs::{DofMap, DofState};
use crate::error::{AssemblyError, axis_name};
use crate::model::Equation;

/// Eigenvalue (of the 6×6 Gram matrix of unit-scaled modes) below which a mode counts as free.
const NULL_TOLERANCE: f64 = 1e-10;

/// Check that the prescribed DOFs of `dofs` and the `equations` leave no rigid-body mode free.
pub fn check_rigid_body_modes(
    mesh: &Mesh,
    dofs: &DofMap,
    equations: &[Equation],
) -> Result<(), AssemblyError> {
    if mesh.n_nodes() == 0 {
        return Ok(());
    }
    let (lo, hi) = mesh.bounding_box();
    let c: [f64; 3] = std::array::from_fn(|k| 0.5 * (lo[k] + hi[k]));
    let size = (0..3)
        .map(|k| (hi[k] - lo[k]).powi(2))
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    let mode = |node: usize, comp: usize| -> [f64; 6] {
        let r: [f64; 3] = std::array::from_fn(|k| (mesh.coords[node][k] - c[k]) / size);
        rigid_body_mode_row(r, comp)
    };
    let mut gram = [[0.0; 6]; 6];
    let mut add_row = |row: [f64; 6]| {
        for i in 0..6 {
            for j in 0..6 {
                gram[i][j] += row[i] * row[j];
            }
        }
    };
    for r in 0..dofs.n_raw() {
        if dofs.state(r) == DofState::Prescribed {
            add_row(mode(r / 3, r % 3));
        }
    }
    for eq in equations {
        let scale = eq.terms.iter().map(|t| t.2.abs()).fold(0.0, f64::max);
        if scale > 0.0 {
            let mut row = [0.0; 6];
            for &(node, comp, a) in &eq.terms {
                let m = mode(node, comp);
                for k in 0..6 {
                    row[k] += a / scale * m[k];
                }
            }
            add_row(row);
        }
    }
    let (values, vectors) = jacobi_eigen(gram);
    let free: Vec<usize> = (0..6).filter(|&k| values[k] < NULL_TOLERANCE).collect();
    if free.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = free
        .iter()
        .map(|&k| describe(&std::array::from_fn(|i| vectors[i][k]), c))
        .collect();
    Err(AssemblyError::RigidBodyMode {
        mode: names.join("; "),
    })
}

fn describe(v: &[f64; 6], c: [f64; 3]) -> String {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let parts: Vec<String> = (0..6)
        .filter(|&k| v[k].abs() > 0.2 * norm)
        .map(|k| {
            if k < 3 {
                format!("translation in {}", axis_name(k))
            } else {
                format!(
                    "rotation about {} (axis through ({:.4}, {:.4}, {:.4}) mm)",
                    axis_name(k - 3),
                    c[0],
                    c[1],
                    c[2]
                )
            }
        })
        .collect();
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("a combination of {}", parts.join(" and "))
    }
}

/// Eigenvalues and eigenvectors (columns) of a symmetric 6×6 matrix by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: [[f64; 6]; 6]) -> ([f64; 6], [[f64; 6]; 6]) {
    let mut v = [[0.0; 6]; 6];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..6)
            .flat_map(|i| (0..6).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..6 {
            for q in (p + 1)..6 {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let cs = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * cs;
                for k in 0..6 {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = cs * akp - sn * akq;
                    a[k][q] = sn * akp + cs * akq;
                }
                for k in 0..6 {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = cs * apk - sn * aqk;
                    a[q][k] = sn * apk + cs * aqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = cs * vp - sn * vq;
                    row[q] = sn * vp + cs * vq;
                }
            }
        }
    }
    (std::array::from_fn(|i| a[i][i]), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let mut a = [[0.0; 6]; 6];
        for i in 0..6 {
            for j in 0..6 {
                a[i][j] = 1.0 / (1.0 + i as f64 + j as f64);
            }
        }
        let (l, v) = jacobi_eigen(a);
        for k in 0..6 {
            for i in 0..6 {
                let av: f64 = (0..6).map(|j| a[i][j] * v[j][k]).sum();
                assert!((av - l[k] * v[i][k]).abs() < 1e-12);
            }
        }
    }
}
