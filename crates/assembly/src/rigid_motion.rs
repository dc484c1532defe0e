//! The small rigid-body motion that best fits a displacement field on a set of points: a
//! translation of a reference point and a rotation vector, by weighted least squares —
//! what radiostereometric analysis (RSA) reports for an implant against its host bone, and
//! how implant migration is taken from a finite-element solution.
//!
//! Minimising Σ wᵢ |t + ω × rᵢ − uᵢ|² with rᵢ = xᵢ − c about the weighted centroid c
//! decouples (Σ wᵢ rᵢ = 0): t = Σ wᵢ uᵢ / W, and T ω = Σ wᵢ rᵢ × uᵢ with the polar tensor
//! T = Σ wᵢ (|rᵢ|² I − rᵢ rᵢᵀ). A rigid motion is recovered exactly; what is left is the
//! deformation of the set ([`RigidMotion::rms_residual`]). Small rotations (|ω| ≪ 1 rad),
//! as in linear elasticity.

use nalgebra::Vector3;

use crate::coupling::{polar_tensor, solve_polar};
use crate::error::AssemblyError;

/// A small rigid-body motion: u(x) = translation + rotation × (x − point).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RigidMotion {
    /// Reference point (mm): the weighted centroid of the fitted points.
    pub point: [f64; 3],
    /// Displacement of the reference point (mm).
    pub translation: [f64; 3],
    /// Rotation vector (rad; small).
    pub rotation: [f64; 3],
    /// Root-mean-square (by weight) of the part of the displacements no rigid motion
    /// explains (mm): the deformation of the set.
    pub rms_residual: f64,
}

impl RigidMotion {
    /// The least-squares rigid motion of the displacements `u` (mm) at `points` (mm), with
    /// optional positive weights (e.g. tributary areas; `None`: equal).
    ///
    /// # Errors
    /// [`AssemblyError::InvalidModel`] for no points, lengths that differ, weights that are
    /// not positive and finite, or points that are collinear (the rotation about their line
    /// is not determined).
    pub fn fit(
        points: &[[f64; 3]],
        u: &[[f64; 3]],
        weights: Option<&[f64]>,
    ) -> Result<Self, AssemblyError> {
        let invalid = |detail: String| AssemblyError::InvalidModel {
            detail: format!("rigid-motion fit: {detail}"),
        };
        if points.is_empty() || points.len() != u.len() {
            return Err(invalid(format!(
                "{} points and {} displacements",
                points.len(),
                u.len()
            )));
        }
        let ones = vec![1.0; points.len()];
        let w = weights.unwrap_or(&ones);
        if w.len() != points.len() || w.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(invalid(
                "expected one positive, finite weight per point".into(),
            ));
        }
        let x: Vec<Vector3<f64>> = points.iter().map(|p| Vector3::from(*p)).collect();
        let (c, t, total) = polar_tensor(&x, w);
        let mut mean = Vector3::zeros();
        let mut moment = Vector3::zeros();
        for ((p, ui), &wi) in x.iter().zip(u).zip(w) {
            let ui = Vector3::from(*ui);
            mean += ui * wi;
            moment += (p - c).cross(&ui) * wi;
        }
        let translation = mean / total;
        let rotation = solve_polar(&t, &moment).ok_or_else(|| {
            invalid(
                "the points are collinear, so a rotation about their line is undetermined".into(),
            )
        })?;
        let mut residual = 0.0;
        for ((p, ui), &wi) in x.iter().zip(u).zip(w) {
            let fitted = translation + rotation.cross(&(p - c));
            residual += wi * (Vector3::from(*ui) - fitted).norm_squared();
        }
        Ok(Self {
            point: c.into(),
            translation: translation.into(),
            rotation: rotation.into(),
            rms_residual: (residual / total).sqrt(),
        })
    }

    /// The displacement this motion gives at `x` (mm).
    pub fn displacement_at(&self, x: [f64; 3]) -> [f64; 3] {
        let r = Vector3::from(x) - Vector3::from(self.point);
        (Vector3::from(self.translation) + Vector3::from(self.rotation).cross(&r)).into()
    }

    /// The motion of `self` relative to `other` (both small): translation at `self.point`
    /// and rotation differences. The residual is `self`'s.
    pub fn relative_to(&self, other: &RigidMotion) -> RigidMotion {
        let base = Vector3::from(other.displacement_at(self.point));
        RigidMotion {
            point: self.point,
            translation: (Vector3::from(self.translation) - base).into(),
            rotation: (Vector3::from(self.rotation) - Vector3::from(other.rotation)).into(),
            rms_residual: self.rms_residual,
        }
    }

    /// |rotation| in degrees.
    pub fn rotation_degrees(&self) -> f64 {
        Vector3::from(self.rotation).norm().to_degrees()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud() -> Vec<[f64; 3]> {
        (0..30)
            .map(|i| {
                let a = 0.7 * i as f64;
                [10.0 * a.cos(), 8.0 * a.sin(), 0.5 * (i % 4) as f64 + 100.0]
            })
            .collect()
    }

    #[test]
    fn a_rigid_motion_is_recovered_to_round_off() {
        let truth = RigidMotion {
            point: [1.0, -2.0, 101.0],
            translation: [0.05, -0.02, -0.3],
            rotation: [0.001, -0.002, 0.0035],
            rms_residual: 0.0,
        };
        let x = cloud();
        let u: Vec<[f64; 3]> = x.iter().map(|p| truth.displacement_at(*p)).collect();
        let weights: Vec<f64> = (0..30).map(|i| 1.0 + (i % 5) as f64).collect();
        let fit = RigidMotion::fit(&x, &u, Some(&weights)).expect("spans a volume");
        for p in &x {
            let (a, b) = (fit.displacement_at(*p), truth.displacement_at(*p));
            for k in 0..3 {
                assert!((a[k] - b[k]).abs() < 1e-12, "{a:?} {b:?}");
            }
        }
        for k in 0..3 {
            assert!((fit.rotation[k] - truth.rotation[k]).abs() < 1e-12);
        }
        assert!(fit.rms_residual < 1e-12);
        // relative to itself: nothing; relative to a translated copy: the translation
        assert_eq!(fit.relative_to(&fit).rotation_degrees(), 0.0);
        let moved = RigidMotion {
            translation: [
                fit.translation[0] + 0.1,
                fit.translation[1],
                fit.translation[2],
            ],
            ..fit
        };
        let rel = moved.relative_to(&fit);
        assert!((rel.translation[0] - 0.1).abs() < 1e-12 && rel.translation[1].abs() < 1e-12);
    }

    #[test]
    fn deformation_is_left_in_the_residual_and_bad_sets_are_refused() {
        // a uniform stretch along z about the centroid moves the centroid by nothing
        let x = cloud();
        let zc = x.iter().map(|p| p[2]).sum::<f64>() / x.len() as f64;
        let u: Vec<[f64; 3]> = x.iter().map(|p| [0.0, 0.0, 0.01 * (p[2] - zc)]).collect();
        let fit = RigidMotion::fit(&x, &u, None).expect("valid");
        assert!(Vector3::from(fit.translation).norm() < 1e-12);
        assert!(fit.rms_residual > 1e-3);
        let line = [[0.0; 3], [1.0, 0.0, 0.0], [2.0, 0.0, 0.0]];
        assert!(RigidMotion::fit(&line, &[[0.0; 3]; 3], None).is_err());
        assert!(RigidMotion::fit(&[], &[], None).is_err());
        assert!(RigidMotion::fit(&x, &u[..3], None).is_err());
    }
}
