//! The contact constitutive law at one slave node: normal pressure (penalty, optionally
//! augmented) and Coulomb friction by return mapping, with the tangent used by Newton.
//!
//! **Normal** (Simo & Laursen 1992; Wriggers 2006 §10.3): with the augmented-Lagrangian
//! multiplier λ_N (MPa, zero for a pure penalty), the trial pressure is
//! p* = λ_N − k_N g_N; the node is *closed* when p* ≥ 0 (a node exactly touching, g_N = 0,
//! counts as closed with zero pressure so that a body resting on another is held from the
//! first iteration) and p = ⟨p*⟩.
//!
//! **Tangential** (Wriggers 2006 §5.2, §10.4; Laursen 2002 §5): with s the irreversible slip
//! accumulated up to the last converged increment, the trial traction is
//! t* = k_T (g_T − s) and the slip function φ = |t*| − μ p.
//! - φ ≤ 0: **stick**, t = t*, s unchanged;
//! - φ > 0: **slip**, return map t = μ p t*/|t*|, s ← s + (φ / k_T) t*/|t*|.
//!
//! **Tangent** per unit area (dt/dΔ, dp/dΔ assembled as D in f = A Bᵀ(−p n + t)):
//! - normal: k_N n⊗n;
//! - stick: k_T (I − n⊗n);
//! - slip, consistent: μ p k_T/|t*| (I − n⊗n − t̂⊗t̂) − μ k_N t̂⊗n.
//!
//! The last term is the only non-symmetric one. [`Response::tangent`] holds the symmetric
//! part, which goes into the Cholesky-factorised Newton matrix; [`Response::coupling`] holds
//! −μ k_N t̂, applied matrix-free by the GMRES solve of the consistent system
//! ([`crate::SlipTangent::Consistent`]) or dropped ([`crate::SlipTangent::Symmetric`]). A small
//! stiffness α k_T t̂⊗t̂ (α = [`SLIP_REGULARIZATION`]) is kept along the sliding direction: it
//! makes a purely sliding body (no other support) solvable, converging at a rate of about
//! α k_T A / K per iteration, instead of producing a singular matrix.
//!
//! Frictionless contact (μ = 0): a closed node is reported as slipping (free sliding) and
//! gets no tangential stiffness.

pub use osteon_assembly::contact::ContactStatus;

use nalgebra::Vector3;

use crate::kinematics::Kinematics;

/// Stiffness kept along the sliding direction of a slipping node, as a fraction of k_T.
pub const SLIP_REGULARIZATION: f64 = 1e-4;

/// History of a slave node, committed at the end of each converged increment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct History {
    /// Irreversible slip s (mm, in the tangent plane).
    pub slip: [f64; 3],
    /// Augmented-Lagrangian pressure multiplier λ_N (MPa).
    pub multiplier: f64,
    /// Status at the end of the increment.
    pub status: ContactStatus,
}

/// Parameters of the law at one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LawParameters {
    /// Unit normal n.
    pub normal: [f64; 3],
    /// Normal penalty k_N (MPa/mm).
    pub k_normal: f64,
    /// Stick stiffness k_T (MPa/mm).
    pub k_tangent: f64,
    /// Friction coefficient μ.
    pub mu: f64,
    /// Gap (mm) up to which an untouched node already counts as closed (a round-off margin).
    pub touch_tolerance: f64,
}

/// The response of the law at one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Response {
    /// Status.
    pub status: ContactStatus,
    /// Contact pressure p ≥ 0 (MPa).
    pub pressure: f64,
    /// Tangential traction t (MPa), in the direction of the slave node's relative motion
    /// (the friction force on the slave node is −A t).
    pub shear: [f64; 3],
    /// Updated irreversible slip (mm).
    pub slip: [f64; 3],
    /// Tangent per unit area (MPa/mm), symmetric, in global axes.
    pub tangent: [[f64; 3]; 3],
    /// The dropped non-symmetric part of the slip tangent is `coupling ⊗ n` (MPa/mm), with
    /// coupling = −μ k_N t̂; zero unless slipping with μ > 0.
    pub coupling: [f64; 3],
}

/// Evaluate the law for the kinematics `kin` and the history `history` of the last converged
/// increment.
pub fn evaluate(law: &LawParameters, kin: &Kinematics, history: &History) -> Response {
    let n = Vector3::from(law.normal);
    let trial_pressure = history.multiplier - law.k_normal * kin.gap;
    let mut r = Response {
        status: ContactStatus::Open,
        pressure: 0.0,
        shear: [0.0; 3],
        slip: kin.tangential,
        tangent: [[0.0; 3]; 3],
        coupling: [0.0; 3],
    };
    if trial_pressure < -law.k_normal * law.touch_tolerance {
        // open: the stick reference follows the node, so that a node that closes again
        // starts sticking where it touches
        return r;
    }
    let p = trial_pressure.max(0.0);
    r.pressure = p;
    for i in 0..3 {
        for j in 0..3 {
            r.tangent[i][j] = law.k_normal * n[i] * n[j];
        }
    }
    if law.mu == 0.0 {
        // frictionless: free sliding, no tangential stiffness
        r.status = ContactStatus::Slip;
        return r;
    }
    let projector = |i: usize, j: usize| f64::from(u8::from(i == j)) - n[i] * n[j];
    let slip = Vector3::from(history.slip);
    let trial = (Vector3::from(kin.tangential) - slip) * law.k_tangent;
    let trial_norm = trial.norm();
    let limit = law.mu * p;
    if trial_norm <= limit {
        r.status = ContactStatus::Stick;
        r.shear = trial.into();
        r.slip = history.slip;
        for i in 0..3 {
            for j in 0..3 {
                r.tangent[i][j] += law.k_tangent * projector(i, j);
            }
        }
        return r;
    }
    r.status = ContactStatus::Slip;
    // t*/|t*| as t* · (1/|t*|), the rounding the CalculiX comparisons were made with
    let dir = trial * (1.0 / trial_norm);
    // remove any normal component left by round-off
    let dir = dir - n * dir.dot(&n);
    r.shear = (dir * limit).into();
    r.slip = (slip + dir * ((trial_norm - limit) / law.k_tangent)).into();
    r.coupling = (dir * (-law.mu * law.k_normal)).into();
    let ratio = limit / trial_norm;
    for i in 0..3 {
        for j in 0..3 {
            r.tangent[i][j] += law.k_tangent
                * (ratio * (projector(i, j) - dir[i] * dir[j])
                    + SLIP_REGULARIZATION * dir[i] * dir[j]);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law(mu: f64) -> LawParameters {
        LawParameters {
            normal: [0.0, 0.0, 1.0],
            k_normal: 1000.0,
            k_tangent: 500.0,
            mu,
            touch_tolerance: 0.0,
        }
    }

    #[test]
    fn open_closed_stick_and_slip() {
        let h = History::default();
        // open
        let r = evaluate(
            &law(0.3),
            &Kinematics {
                gap: 0.01,
                tangential: [0.001, 0.0, 0.0],
            },
            &h,
        );
        assert_eq!(r.status, ContactStatus::Open);
        assert_eq!(r.pressure, 0.0);
        // touching exactly: closed with zero pressure, sticking, stiff
        let r = evaluate(
            &law(0.3),
            &Kinematics {
                gap: 0.0,
                tangential: [0.0; 3],
            },
            &h,
        );
        assert_eq!(r.status, ContactStatus::Stick);
        assert!(r.tangent[2][2] == 1000.0 && r.tangent[0][0] == 500.0);
        // stick: |t*| = 500 × 1e-4 = 0.05 ≤ 0.3 × 10
        let r = evaluate(
            &law(0.3),
            &Kinematics {
                gap: -0.01,
                tangential: [1e-4, 0.0, 0.0],
            },
            &h,
        );
        assert_eq!(r.status, ContactStatus::Stick);
        assert!((r.pressure - 10.0).abs() < 1e-12 && (r.shear[0] - 0.05).abs() < 1e-15);
        // slip: |t*| = 500 × 0.1 = 50 > 3
        let r = evaluate(
            &law(0.3),
            &Kinematics {
                gap: -0.01,
                tangential: [0.06, 0.08, 0.0],
            },
            &h,
        );
        assert_eq!(r.status, ContactStatus::Slip);
        assert!((Vector3::from(r.shear).norm() - 3.0).abs() < 1e-12);
        assert!((r.shear[0] / r.shear[1] - 0.75).abs() < 1e-12);
        // after the return map the trial from the new slip is exactly on the cone
        let t_after = ((Vector3::new(0.06, 0.08, 0.0) - Vector3::from(r.slip)) * 500.0).norm();
        assert!((t_after - 3.0).abs() < 1e-12);
        // symmetric tangent
        for i in 0..3 {
            for j in 0..3 {
                assert!((r.tangent[i][j] - r.tangent[j][i]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn augmented_multiplier_shifts_the_pressure() {
        let h = History {
            multiplier: 5.0,
            ..Default::default()
        };
        let r = evaluate(
            &law(0.0),
            &Kinematics {
                gap: 0.001,
                tangential: [0.0; 3],
            },
            &h,
        );
        assert_eq!(r.status, ContactStatus::Slip); // frictionless: free sliding
        assert!(r.tangent[0][0] == 0.0 && r.tangent[2][2] == 1000.0);
        assert!((r.pressure - 4.0).abs() < 1e-12);
        assert!(Vector3::from(r.shear).norm() == 0.0);
    }

    #[test]
    fn slip_tangent_matches_finite_differences_in_the_symmetric_part() {
        // the tangential block of the consistent tangent at fixed gap is what we keep
        let l = law(0.5);
        let h = History {
            slip: [0.01, 0.0, 0.0],
            ..Default::default()
        };
        let k0 = Kinematics {
            gap: -0.02,
            tangential: [0.05, 0.03, 0.0],
        };
        let r0 = evaluate(&l, &k0, &h);
        assert_eq!(r0.status, ContactStatus::Slip);
        let eps = 1e-8;
        for j in 0..2 {
            let mut k1 = k0;
            k1.tangential[j] += eps;
            let r1 = evaluate(&l, &k1, &h);
            for i in 0..2 {
                let fd = (r1.shear[i] - r0.shear[i]) / eps;
                let dir = Vector3::from(r0.shear).normalize();
                let kept = r0.tangent[i][j] - SLIP_REGULARIZATION * l.k_tangent * dir[i] * dir[j];
                assert!(
                    (fd - kept).abs() < 1e-4 * l.k_tangent,
                    "({i},{j}): {fd} vs {kept}"
                );
            }
        }
    }
}
