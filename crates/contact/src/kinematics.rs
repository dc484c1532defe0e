//! Small-sliding kinematics of a slave node against its fixed master point.
//!
//! With the projection point ξ̄ and the normal n fixed at pairing (small sliding), the
//! relative displacement of the slave node against the master point,
//!
//! Δ = u_s − Σ_a N_a(ξ̄) u_a,
//!
//! is linear in the nodal displacements, Δ = B u with B = [I, −N₁ I, …, −N_m I], and so are
//! the normal gap and the tangential relative displacement (the micromotion):
//!
//! g_N = g₀ + n·Δ  (mm, negative = penetration),  g_T = (I − n⊗n) Δ  (mm).

use nalgebra::Vector3;

use crate::pairing::{ContactNode, MAX_FACE_NODES};

/// Gap and relative tangential displacement of one slave node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kinematics {
    /// Normal gap g_N (mm; negative: penetration).
    pub gap: f64,
    /// Tangential relative displacement g_T of the slave node against the master (mm).
    pub tangential: [f64; 3],
}

/// Δ = u_s − Σ N_a u_a for raw displacements `u` (3 per node, mm).
pub fn relative_displacement(node: &ContactNode, u: &[f64]) -> [f64; 3] {
    let s = node.slave;
    let mut d = [u[3 * s], u[3 * s + 1], u[3 * s + 2]];
    for a in 0..node.n_master {
        let m = node.master_nodes[a];
        for k in 0..3 {
            d[k] -= node.shape[a] * u[3 * m + k];
        }
    }
    d
}

/// Gap and tangential displacement for raw displacements `u`, with the initial gap `gap0`
/// (the node's g₀, possibly ramped).
pub fn kinematics(node: &ContactNode, u: &[f64], gap0: f64) -> Kinematics {
    let d = Vector3::from(relative_displacement(node, u));
    let n = Vector3::from(node.normal);
    let dn = d.dot(&n);
    Kinematics {
        gap: gap0 + dn,
        tangential: (d - n * dn).into(),
    }
}

/// The nodes of B and their weights: the slave node with +1, the master nodes with −N_a.
/// Returns the count (1 + master nodes).
pub fn b_weights(node: &ContactNode, out: &mut [(usize, f64); MAX_FACE_NODES + 1]) -> usize {
    out[0] = (node.slave, 1.0);
    for a in 0..node.n_master {
        out[a + 1] = (node.master_nodes[a], -node.shape[a]);
    }
    node.n_master + 1
}
