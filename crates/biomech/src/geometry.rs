//! The parametric tibia surrogate of biomechanics.md §2: a hollow elliptical cortical shaft
//! whose cross-section flares linearly towards both ends, with cancellous bone filling the
//! flared metaphyses.
//!
//! Axes (biomechanics.md §1): z is the tibial long axis, z = 0 the distal end (plafond),
//! z = `length_mm` the proximal end (plateau); x is medial–lateral with **+x lateral**
//! (the side of the fixation flange), y is anterior–posterior. Lengths in mm.
//!
//! The surrogate is an engineering choice of biomechanics.md §2: outer semi-axes
//! 14 × 12.5 mm, wall 5 mm, length 360 mm, flaring linearly over the proximal 70 mm to
//! 75 × 50 mm and over the distal 50 mm to 50 × 40 mm. We read the first number of each
//! pair as medial–lateral (x) and the second as anterior–posterior (y), consistently for the
//! diaphysis and both ends, and the end sizes as *full widths* (the plateau is 70–80 mm wide
//! and the distal tibia 45–55 mm, biomechanics.md §2, unverified textbook ranges; semi-axes
//! of 75 × 50 mm would make a 150 mm plateau). biomechanics.md §2 also quotes mid-shaft
//! outer widths of ~25–30 mm AP × 20–25 mm ML (unverified), i.e. AP slightly larger than ML;
//! swap `diaphysis_outer_semi_axes_mm` if you prefer that reading. The wall stays 5 mm in
//! the metaphyses by default (the only wall thickness biomechanics.md gives; §2 says the
//! metaphyseal cortex is "thin", without a number): override `proximal_wall_mm` and
//! `distal_wall_mm`.

use serde::{Deserialize, Serialize};

use crate::error::BiomechError;

/// Dimensions of the parametric tibia (mm). Every field has a default from
/// biomechanics.md §2; a TOML table may override any subset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TibiaGeometry {
    /// Length along z (mm); 360 (biomechanics.md §2 surrogate; male tibiae 350–400 mm,
    /// unverified).
    pub length_mm: f64,
    /// Outer semi-axes of the diaphysis [x (ML), y (AP)] (mm); [14, 12.5]
    /// (biomechanics.md §2 surrogate).
    pub diaphysis_outer_semi_axes_mm: [f64; 2],
    /// Cortical wall thickness of the diaphysis (mm); 5 (biomechanics.md §2 surrogate;
    /// cortex 4–7 mm, unverified).
    pub diaphysis_wall_mm: f64,
    /// Length of the proximal flare (mm); 70 (biomechanics.md §2 surrogate).
    pub proximal_flare_length_mm: f64,
    /// Full outer widths at the proximal end [x (ML), y (AP)] (mm); [75, 50]
    /// (biomechanics.md §2 surrogate; plateau width 70–80 mm, unverified).
    pub proximal_outer_width_mm: [f64; 2],
    /// Cortical wall thickness at the proximal end (mm), linear over the flare; 5 (the
    /// surrogate's wall, biomechanics.md §2).
    pub proximal_wall_mm: f64,
    /// Length of the distal flare (mm); 50 (biomechanics.md §2 surrogate).
    pub distal_flare_length_mm: f64,
    /// Full outer widths at the distal end [x (ML), y (AP)] (mm); [50, 40]
    /// (biomechanics.md §2 surrogate; distal width 45–55 mm, unverified).
    pub distal_outer_width_mm: [f64; 2],
    /// Cortical wall thickness at the distal end (mm), linear over the flare; 5 (the
    /// surrogate's wall, biomechanics.md §2).
    pub distal_wall_mm: f64,
    /// Fill the medullary canal of both flares (metaphyses) with cancellous bone; true
    /// (biomechanics.md §2).
    pub cancellous_metaphyses: bool,
}

impl Default for TibiaGeometry {
    fn default() -> Self {
        Self {
            length_mm: 360.0,
            diaphysis_outer_semi_axes_mm: [14.0, 12.5],
            diaphysis_wall_mm: 5.0,
            proximal_flare_length_mm: 70.0,
            proximal_outer_width_mm: [75.0, 50.0],
            proximal_wall_mm: 5.0,
            distal_flare_length_mm: 50.0,
            distal_outer_width_mm: [50.0, 40.0],
            distal_wall_mm: 5.0,
            cancellous_metaphyses: true,
        }
    }
}

impl TibiaGeometry {
    /// Check that the dimensions describe a tibia: positive lengths, flares that fit,
    /// walls thinner than the bone everywhere.
    pub fn validate(&self) -> Result<(), BiomechError> {
        let positive = [
            ("geometry.length_mm", self.length_mm),
            (
                "geometry.diaphysis_outer_semi_axes_mm[0]",
                self.diaphysis_outer_semi_axes_mm[0],
            ),
            (
                "geometry.diaphysis_outer_semi_axes_mm[1]",
                self.diaphysis_outer_semi_axes_mm[1],
            ),
            ("geometry.diaphysis_wall_mm", self.diaphysis_wall_mm),
            (
                "geometry.proximal_flare_length_mm",
                self.proximal_flare_length_mm,
            ),
            (
                "geometry.proximal_outer_width_mm[0]",
                self.proximal_outer_width_mm[0],
            ),
            (
                "geometry.proximal_outer_width_mm[1]",
                self.proximal_outer_width_mm[1],
            ),
            ("geometry.proximal_wall_mm", self.proximal_wall_mm),
            (
                "geometry.distal_flare_length_mm",
                self.distal_flare_length_mm,
            ),
            (
                "geometry.distal_outer_width_mm[0]",
                self.distal_outer_width_mm[0],
            ),
            (
                "geometry.distal_outer_width_mm[1]",
                self.distal_outer_width_mm[1],
            ),
            ("geometry.distal_wall_mm", self.distal_wall_mm),
        ];
        for (name, v) in positive {
            if !(v > 0.0 && v.is_finite()) {
                return Err(BiomechError::invalid(name, v, "a positive length in mm"));
            }
        }
        if self.proximal_flare_length_mm + self.distal_flare_length_mm >= self.length_mm {
            return Err(BiomechError::invalid(
                "geometry.proximal_flare_length_mm",
                self.proximal_flare_length_mm,
                "proximal + distal flare lengths must be shorter than the bone",
            ));
        }
        const END_WALLS: &str =
            "the end walls must be thinner than the smaller outer semi-axis there";
        for (z, expected) in [
            (0.0, END_WALLS),
            (
                self.diaphysis_start(),
                "the diaphyseal wall must be thinner than the smaller outer semi-axis",
            ),
            (self.length_mm, END_WALLS),
        ] {
            let inner = self.inner_semi_axes(z);
            if !(inner[0] > 0.0 && inner[1] > 0.0) {
                return Err(BiomechError::invalid(
                    "geometry wall thickness",
                    self.wall(z),
                    expected,
                ));
            }
        }
        Ok(())
    }

    /// z where the distal flare ends and the diaphysis begins (mm).
    pub fn diaphysis_start(&self) -> f64 {
        self.distal_flare_length_mm
    }

    /// z where the diaphysis ends and the proximal flare begins (mm).
    pub fn diaphysis_end(&self) -> f64 {
        self.length_mm - self.proximal_flare_length_mm
    }

    /// Weight of the end value at z: 0 in the diaphysis, rising linearly to 1 at either end;
    /// returns (weight, end semi-axes, end wall).
    fn flare(&self, z: f64) -> (f64, [f64; 2], f64) {
        let z = z.clamp(0.0, self.length_mm);
        if z < self.diaphysis_start() {
            let w = (self.diaphysis_start() - z) / self.distal_flare_length_mm;
            (
                w,
                [
                    0.5 * self.distal_outer_width_mm[0],
                    0.5 * self.distal_outer_width_mm[1],
                ],
                self.distal_wall_mm,
            )
        } else if z > self.diaphysis_end() {
            let w = (z - self.diaphysis_end()) / self.proximal_flare_length_mm;
            (
                w,
                [
                    0.5 * self.proximal_outer_width_mm[0],
                    0.5 * self.proximal_outer_width_mm[1],
                ],
                self.proximal_wall_mm,
            )
        } else {
            (
                0.0,
                self.diaphysis_outer_semi_axes_mm,
                self.diaphysis_wall_mm,
            )
        }
    }

    /// Outer (periosteal) semi-axes [x, y] at height z (mm).
    pub fn outer_semi_axes(&self, z: f64) -> [f64; 2] {
        let (w, end, _) = self.flare(z);
        let d = self.diaphysis_outer_semi_axes_mm;
        [d[0] + w * (end[0] - d[0]), d[1] + w * (end[1] - d[1])]
    }

    /// Cortical wall thickness at height z (mm).
    pub fn wall(&self, z: f64) -> f64 {
        let (w, _, end_wall) = self.flare(z);
        self.diaphysis_wall_mm + w * (end_wall - self.diaphysis_wall_mm)
    }

    /// Inner (endosteal) semi-axes [x, y] at height z (mm): outer semi-axes minus the wall.
    pub fn inner_semi_axes(&self, z: f64) -> [f64; 2] {
        let o = self.outer_semi_axes(z);
        let t = self.wall(z);
        [o[0] - t, o[1] - t]
    }

    /// True where the canal holds cancellous bone (inside either flare, when enabled).
    pub fn is_metaphysis(&self, z: f64) -> bool {
        self.cancellous_metaphyses && (z < self.diaphysis_start() || z > self.diaphysis_end())
    }

    /// Cortical cross-section area at z (mm²): π (a_o b_o − a_i b_i).
    pub fn cortical_area(&self, z: f64) -> f64 {
        let o = self.outer_semi_axes(z);
        let i = self.inner_semi_axes(z);
        std::f64::consts::PI * (o[0] * o[1] - i[0] * i[1])
    }

    /// Canal cross-section area at z (mm²): π a_i b_i.
    pub fn canal_area(&self, z: f64) -> f64 {
        let i = self.inner_semi_axes(z);
        std::f64::consts::PI * i[0] * i[1]
    }
}

/// Arc length (mm) of the ellipse (a cos θ, b sin θ) between θ0 and θ1 (rad), by composite
/// Simpson's rule with 200 panels (relative error far below 1e-8 for these shapes).
pub fn ellipse_arc_length(a: f64, b: f64, theta0: f64, theta1: f64) -> f64 {
    let n = 200;
    let h = (theta1 - theta0) / n as f64;
    let f = |t: f64| (a * a * t.sin().powi(2) + b * b * t.cos().powi(2)).sqrt();
    let mut s = f(theta0) + f(theta1);
    for k in 1..n {
        s += if k % 2 == 1 { 4.0 } else { 2.0 } * f(theta0 + k as f64 * h);
    }
    s * h / 3.0
}

/// Perimeter of an ellipse with semi-axes a, b (mm).
pub fn ellipse_perimeter(a: f64, b: f64) -> f64 {
    ellipse_arc_length(a, b, 0.0, std::f64::consts::TAU)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_reproduce_the_analytic_sanity_check_of_biomechanics_md() {
        let g = TibiaGeometry::default();
        g.validate().expect("defaults are valid");
        // biomechanics.md §2: cortical area π(14·12.5 − 9·7.5) = 337.7 mm²
        assert!((g.cortical_area(180.0) - 337.7).abs() < 0.05);
        assert_eq!(g.outer_semi_axes(0.0), [25.0, 20.0]);
        assert_eq!(g.outer_semi_axes(360.0), [37.5, 25.0]);
        assert_eq!(g.outer_semi_axes(100.0), [14.0, 12.5]);
        // linear flare: half-way through the proximal 70 mm
        let mid = g.outer_semi_axes(325.0);
        assert!((mid[0] - 25.75).abs() < 1e-12 && (mid[1] - 18.75).abs() < 1e-12);
        assert!(g.is_metaphysis(10.0) && g.is_metaphysis(300.0) && !g.is_metaphysis(180.0));
    }

    #[test]
    fn arc_length_of_a_circle_and_invalid_geometry() {
        assert!((ellipse_perimeter(3.0, 3.0) - 6.0 * std::f64::consts::PI).abs() < 1e-10);
        // Ramanujan's approximation for 14 × 12.5
        let (a, b) = (14.0f64, 12.5f64);
        let ram = std::f64::consts::PI * (3.0 * (a + b) - ((3.0 * a + b) * (a + 3.0 * b)).sqrt());
        assert!((ellipse_perimeter(a, b) - ram).abs() < 1e-6);
        let g = TibiaGeometry {
            diaphysis_wall_mm: 13.0,
            ..TibiaGeometry::default()
        };
        assert!(g.validate().is_err());
    }
}
