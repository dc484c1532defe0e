//! Taubin λ/μ smoothing of a closed triangle surface: removes the voxel staircase of the
//! marching-tetrahedra surface without shrinking it.
//!
//! One pass moves every vertex by `λ·Δv` and then by `μ·Δv` (with Δv recomputed), where Δv
//! is the umbrella Laplacian, the mean of the vertex's edge neighbours minus the vertex.
//! Plain Laplacian smoothing (μ = 0) is a low-pass filter that also shrinks the surface at
//! every pass; with a negative μ, |μ| slightly larger than λ, the pair of steps passes the low
//! surface frequencies (k < k_PB = 1/λ + 1/μ) nearly unchanged and damps the high ones, so
//! the shape and its volume stay while the voxel-scale facets go (G. Taubin 1995, "A signal
//! processing approach to fair surface design", SIGGRAPH '95, pp. 351–358). The defaults,
//! λ = 0.5 and μ = −0.53 (k_PB ≈ 0.11), are of the paper's range; 20 passes (`docs/imaging.md
//! §7`) flatten the staircase of a 0.5–1 mm voxel grid, measured on a voxelised sphere
//! (this module's tests) and on the tibia phantom.
//!
//! The connectivity is unchanged: a closed, oriented surface stays closed and oriented.
//! Units: those of the vertices (mm).

use crate::error::ImagingError;
use crate::surface::TriangleMesh;

/// Parameters of [`taubin_smooth`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaubinOptions {
    /// The shrinking step λ, in (0, 1). Default 0.5.
    pub lambda: f64,
    /// The inflating step μ, below −λ (so that the pass band 1/λ + 1/μ is > 0). Default −0.53.
    pub mu: f64,
    /// Number of λ/μ pairs. Default 20.
    pub passes: usize,
}

impl Default for TaubinOptions {
    fn default() -> Self {
        Self {
            lambda: 0.5,
            mu: -0.53,
            passes: 20,
        }
    }
}

impl TaubinOptions {
    /// Check λ ∈ (0, 1) and μ < −λ (both finite).
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] naming the parameter out of range.
    pub fn validate(&self) -> Result<(), ImagingError> {
        if !(self.lambda.is_finite() && self.lambda > 0.0 && self.lambda < 1.0) {
            return Err(ImagingError::invalid(
                "Taubin λ",
                self.lambda,
                "finite, 0 < λ < 1",
            ));
        }
        if !(self.mu.is_finite() && self.mu < -self.lambda && self.mu > -1.0) {
            return Err(ImagingError::invalid(
                "Taubin μ",
                self.mu,
                format!("finite, −1 < μ < −λ = {}", -self.lambda),
            ));
        }
        Ok(())
    }
}

/// The edge neighbours of every vertex (sorted, without duplicates).
pub(crate) fn vertex_neighbours(mesh: &TriangleMesh) -> Vec<Vec<u32>> {
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); mesh.vertices.len()];
    for t in &mesh.triangles {
        for e in 0..3 {
            let (a, b) = (t[e], t[(e + 1) % 3]);
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
    }
    for n in &mut adj {
        n.sort_unstable();
        n.dedup();
    }
    adj
}

/// One umbrella step `v ← v + factor · (mean(neighbours) − v)` on every vertex at once.
pub(crate) fn umbrella_step(vertices: &mut [[f64; 3]], adj: &[Vec<u32>], factor: f64) {
    let old = vertices.to_vec();
    for (v, (x, n)) in vertices.iter_mut().zip(old.iter().zip(adj)) {
        if n.is_empty() {
            continue;
        }
        let mut mean = [0.0; 3];
        for &q in n {
            for c in 0..3 {
                mean[c] += old[q as usize][c];
            }
        }
        for c in 0..3 {
            v[c] = x[c] + factor * (mean[c] / n.len() as f64 - x[c]);
        }
    }
}

/// Taubin λ/μ smoothing of `mesh` (see the module docs); same triangles, moved vertices.
///
/// # Errors
/// [`ImagingError::InvalidParameter`] for λ or μ out of range ([`TaubinOptions::validate`]).
pub fn taubin_smooth(
    mesh: &TriangleMesh,
    opts: &TaubinOptions,
) -> Result<TriangleMesh, ImagingError> {
    opts.validate()?;
    let adj = vertex_neighbours(mesh);
    let mut out = mesh.clone();
    for _ in 0..opts.passes {
        umbrella_step(&mut out.vertices, &adj, opts.lambda);
        umbrella_step(&mut out.vertices, &adj, opts.mu);
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::segment::Segmentation;
    use crate::surface::bone_surface;
    use crate::volume::{Volume, Voxels};

    /// The marching-tetrahedra surface of a sphere of radius `r` voxels (1 mm voxels),
    /// centred on a voxel corner so that the voxelisation is symmetric.
    pub(crate) fn voxel_sphere(r: f64) -> TriangleMesh {
        let n = (2.0 * r).ceil() as usize + 4;
        let c = (n as f64 - 1.0) / 2.0;
        let mut labels = vec![0u8; n * n * n];
        for k in 0..n {
            for j in 0..n {
                for i in 0..n {
                    let d = [i, j, k].map(|x| x as f64 - c);
                    if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= r * r {
                        labels[i + n * (j + n * k)] = 1;
                    }
                }
            }
        }
        let ct = Volume::new([n; 3], [1.0; 3], [-c; 3], Voxels::I16(vec![0; n * n * n])).unwrap();
        let seg = Segmentation {
            dims: [n; 3],
            labels,
        };
        bone_surface(&ct, &seg).unwrap()
    }

    /// Mean |‖x‖ − r| over the vertices (mm).
    pub(crate) fn mean_radius_error(s: &TriangleMesh, r: f64) -> f64 {
        s.vertices
            .iter()
            .map(|v| ((v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt() - r).abs())
            .sum::<f64>()
            / s.vertices.len() as f64
    }

    #[test]
    fn smoothing_a_voxel_sphere_approaches_the_sphere_and_keeps_its_volume() {
        let r = 10.0;
        let raw = voxel_sphere(r);
        let smooth = taubin_smooth(&raw, &TaubinOptions::default()).unwrap();
        let exact = 4.0 / 3.0 * std::f64::consts::PI * r * r * r;
        let (e0, e1) = (mean_radius_error(&raw, r), mean_radius_error(&smooth, r));
        let (v0, v1) = (raw.enclosed_volume(), smooth.enclosed_volume());
        println!(
            "sphere r = {r} voxels: mean radius error {e0:.3} → {e1:.3} mm; volume {:+.2} % → {:+.2} % of 4/3 π r³",
            100.0 * (v0 - exact) / exact,
            100.0 * (v1 - exact) / exact
        );
        assert!(smooth.is_closed_and_oriented());
        assert!(e1 < 0.75 * e0, "{e0} → {e1}");
        assert!(((v1 - exact) / exact).abs() < 0.01);
        // plain Laplacian smoothing (μ = 0) would shrink it: Taubin's μ step is what holds it
        let mut laplace = raw.clone();
        let adj = vertex_neighbours(&raw);
        for _ in 0..2 * TaubinOptions::default().passes {
            umbrella_step(&mut laplace.vertices, &adj, 0.5);
        }
        assert!(laplace.enclosed_volume() < v1 - 0.01 * exact);
    }

    #[test]
    fn out_of_range_parameters_are_refused() {
        let raw = voxel_sphere(3.0);
        for (lambda, mu) in [(0.0, -0.5), (0.5, -0.4), (1.2, -1.3), (f64::NAN, -0.5)] {
            let o = TaubinOptions {
                lambda,
                mu,
                passes: 1,
            };
            assert!(taubin_smooth(&raw, &o).is_err(), "{lambda} {mu}");
        }
    }
}
