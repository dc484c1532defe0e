//! The flange's nominal stress in the net section through each screw hole, from section
//! forces: the stress a notched-specimen fatigue strength is quoted against.
//!
//! **Why.** The flange's pointwise peak stress sits on singular edges (the tie or contact
//! rim, a bonded head's rim) and grows with the mesh, and a notched fatigue datum (Kt 3.1)
//! already holds the hole's concentration: it is compared with the *nominal* stress of the
//! net section, not with a finite-element peak (Peterson's convention; biomechanics.md §9).
//!
//! **How.** On each side of a hole, the flange layer next to it (an element layer [z_a, z_b]
//! of the plain plate) gives the section resultants by the slab identity of
//! [`crate::load_sharing`]: force N (axial), shear forces V, the first moment of the axial
//! stress m = (1/h)∫ σ_zz (r − c) dV about the section centroid c, and the torque T about it.
//! Area A, centroid c and the second-moment tensor I of the gross section come from the same
//! integration points. The moments are carried from the layer's middle to the hole's centre
//! plane by beam equilibrium, dm/dz = V. The hole removes a strip of width d (the screw's
//! nominal, threaded diameter) across the thickness t around the screw axis at
//! mid-thickness; the net section has A_n = A − d t, centroid c_n, second moments I_n
//! (parallel-axis theorem). Beam theory on the net section gives the axial stress
//! σ(r) = N/A_n + g · (r − c_n), g = I_n⁻¹ m_n, m_n = m + N (c − c_n), which carries exactly
//! N and m_n; the axial nominal stress is the largest |σ| on the hole's edge (its four
//! corners where the faces meet the bore).
//!
//! The shear nominal stress is the mean shear |V|/A_n plus the torsion of the two ligaments
//! beside the hole, each b × t with b = A_n / (2t), carrying half the torque:
//! τ = (T/2) / (α b t²), α(b/t) from the torsion of rectangular bars (Timoshenko & Goodier,
//! Theory of Elasticity, 3rd ed., §109: 0.208 at b/t = 1 to 1/3 for a thin strip). T is
//! taken about the centroid plus e |V|, e = 2 |c − r_hole|: on the curved flange the shear
//! centre lies outside the arc while the centroid lies inside it, at about 1.6 times the
//! centroid's depth for circular arcs, so this bounds the torque about the shear centre. The
//! two parts combine as √(σ² + 3τ²) (von Mises on nominal stresses, Shigley's convention with
//! the same fatigue notch factor in both modes).
//!
//! Of the two sides, the larger governs: the locked head passes part of the force to the
//! screw across the hole — the difference of the two sides' forces, reported as the
//! screw's load — and the side that carries more is the bypass load at its worst.
//!
//! Closed forms it reproduces (tests below): a uniform stress σ₀ over a strip of width W
//! with a centred hole gives σ₀ W / (W − d); through-thickness bending with extreme-fibre
//! stress σ_b gives σ_b W / (W − d) (both Peterson's net-section nominal stresses); the
//! torsion coefficient at its tabulated points.

use nalgebra::{Matrix2, Vector2};
use serde::{Deserialize, Serialize};

use osteon_assembly::StepSolution;

use crate::builder::{Reconstruction, Region};

/// The hole through the flange: the screw's nominal (threaded) diameter and the flange
/// thickness (mm).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoleGeometry {
    /// Hole diameter (mm): the screw's nominal diameter, the threaded hole of a locking plate.
    pub diameter_mm: f64,
    /// Flange thickness (mm).
    pub thickness_mm: f64,
}

/// The net-section nominal stress at one screw hole of the flange in one load case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoleNetSection {
    /// The screw (index in the reconstruction's screws).
    pub screw: usize,
    /// Height of the screw axis (mm).
    pub z_mm: f64,
    /// The flange layer whose section forces govern (mm): the side with the larger stress.
    pub slab_mm: [f64; 2],
    /// Axial force N through the flange there (N; + tension).
    pub axial_force_n: f64,
    /// Gross and net section areas (mm²).
    pub area_mm2: [f64; 2],
    /// Largest |axial stress| on the hole's edge from N and the bending moments (MPa).
    pub axial_mpa: f64,
    /// Nominal shear: mean transverse shear plus the ligaments' torsion (MPa).
    pub shear_mpa: f64,
    /// √(σ² + 3 τ²) of the two (MPa): the value held against the notched strength.
    pub equivalent_mpa: f64,
    /// The load the screw takes out of the flange at this hole: |ΔN, ΔV| between the two
    /// sides' section forces (N); `None` when only one side has a plain layer.
    #[serde(default)]
    pub screw_load_n: Option<f64>,
}

/// Section integrals of one slab of one part: every quantity is (1/h) ∫_slab … dV, i.e. per
/// unit length of the slab, which for a prismatic layer is the section's own value.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SlabSection {
    /// Area (mm²).
    pub area: f64,
    /// Centroid (x, y) (mm).
    pub centroid: [f64; 2],
    /// Second-moment tensor about the centroid, ∫ (r − c)(r − c)ᵀ dA (mm⁴), row-major 2 × 2.
    pub inertia: [f64; 4],
    /// Axial force ∫ σ_zz dA (N).
    pub axial: f64,
    /// First moment of the axial stress about the centroid, ∫ σ_zz (r − c) dA (N·mm).
    pub moment: [f64; 2],
    /// Shear forces ∫ σ_xz dA, ∫ σ_yz dA (N).
    pub shear: [f64; 2],
    /// Torque about the centroid, ∫ ((x − c_x) σ_yz − (y − c_y) σ_xz) dA (N·mm).
    pub torque: f64,
}

impl SlabSection {
    /// The section of the integration points `(position (mm), volume (mm³), Voigt stress
    /// (MPa): xx, yy, zz, xy, yz, xz)` of a slab of height `h` (mm); `None` without volume.
    pub fn from_points(
        points: impl Iterator<Item = ([f64; 3], f64, [f64; 6])> + Clone,
        h: f64,
    ) -> Option<Self> {
        let (mut vol, mut first) = (0.0, Vector2::zeros());
        for (x, v, _) in points.clone() {
            vol += v;
            first += v * Vector2::new(x[0], x[1]);
        }
        if vol <= 0.0 || h <= 0.0 {
            return None;
        }
        let c = first / vol;
        let mut s = Self {
            area: vol / h,
            centroid: [c.x, c.y],
            ..Self::default()
        };
        let mut inertia = Matrix2::zeros();
        for (x, v, sig) in points {
            let r = Vector2::new(x[0], x[1]) - c;
            let w = v / h;
            inertia += w * r * r.transpose();
            s.axial += w * sig[2];
            s.moment[0] += w * sig[2] * r.x;
            s.moment[1] += w * sig[2] * r.y;
            s.shear[0] += w * sig[5];
            s.shear[1] += w * sig[4];
            s.torque += w * (r.x * sig[4] - r.y * sig[5]);
        }
        s.inertia = [
            inertia[(0, 0)],
            inertia[(0, 1)],
            inertia[(1, 0)],
            inertia[(1, 1)],
        ];
        Some(s)
    }

    /// Nominal stresses at a hole of `hole` geometry centred at `center` (x, y; mm) whose
    /// bore runs along `normal` (the thickness direction in the section plane, a unit
    /// vector): (largest |axial stress| on the hole's edge, nominal shear) in MPa, and the
    /// net area (mm²); `None` when the hole takes the whole section.
    pub fn net_stress_at_hole(
        &self,
        hole: HoleGeometry,
        center: [f64; 2],
        normal: [f64; 2],
    ) -> Option<(f64, f64, f64)> {
        let (d, t) = (hole.diameter_mm, hole.thickness_mm);
        let n = Vector2::from(normal).normalize();
        let s = Vector2::new(-n.y, n.x); // across the width
        let (c, rs) = (Vector2::from(self.centroid), Vector2::from(center));
        let a_h = d * t;
        let a_n = self.area - a_h;
        if a_n <= 1e-9 * self.area {
            return None;
        }
        let c_n = (self.area * c - a_h * rs) / a_n;
        let gross = Matrix2::from_row_slice(&self.inertia);
        let hole_own =
            (t * d.powi(3) / 12.0) * s * s.transpose() + (d * t.powi(3) / 12.0) * n * n.transpose();
        let (dc, dh) = (c - c_n, rs - c_n);
        let i_n = gross + self.area * dc * dc.transpose() - hole_own - a_h * dh * dh.transpose();
        let m_n = Vector2::from(self.moment) + self.axial * dc;
        let g = i_n.try_inverse()? * m_n;
        let axial = [-1.0, 1.0]
            .iter()
            .flat_map(|&a| [-1.0, 1.0].map(|b| rs + 0.5 * a * d * s + 0.5 * b * t * n))
            .map(|p| (self.axial / a_n + g.dot(&(p - c_n))).abs())
            .fold(0.0, f64::max);
        // the two ligaments beside the hole, each b × t, carry half the torque about the
        // shear centre, bounded by the torque about the centroid plus e |V|
        let v = Vector2::from(self.shear).norm();
        let torque = self.torque.abs() + 2.0 * (c - rs).norm() * v;
        let b = a_n / (2.0 * t);
        let (long, short) = (b.max(t), b.min(t));
        let torsion = 0.5 * torque / (rectangle_torsion_alpha(long / short) * long * short * short);
        let shear = v / a_n + torsion;
        Some((axial, shear, a_n))
    }
}

impl SlabSection {
    /// The same section `dz` (mm) further along z: the first moment of the axial stress
    /// carried by beam equilibrium, dm/dz = V (no load on the flange in between).
    pub fn shifted(&self, dz: f64) -> Self {
        Self {
            moment: [
                self.moment[0] + dz * self.shear[0],
                self.moment[1] + dz * self.shear[1],
            ],
            ..*self
        }
    }
}

/// α of a rectangular bar b × t (b ≥ t) in torsion, τ_max = T / (α b t²): Timoshenko &
/// Goodier, Theory of Elasticity (3rd ed., §109, table of k₂), interpolated linearly in
/// b/t; beyond b/t = 10, α = (1 − 0.63 t/b)/3, which tends to 1/3 for a thin strip (0.1 %
/// from the table at 10).
pub fn rectangle_torsion_alpha(b_over_t: f64) -> f64 {
    const TABLE: [(f64, f64); 9] = [
        (1.0, 0.208),
        (1.5, 0.231),
        (2.0, 0.246),
        (2.5, 0.258),
        (3.0, 0.267),
        (4.0, 0.282),
        (5.0, 0.291),
        (6.0, 0.299),
        (10.0, 0.312),
    ];
    let r = b_over_t.max(1.0);
    if r > 10.0 {
        return (1.0 - 0.63 / r) / 3.0;
    }
    TABLE
        .windows(2)
        .find(|w| r <= w[1].0)
        .map_or(TABLE[8].1, |w| {
            let f = (r - w[0].0) / (w[1].0 - w[0].0);
            w[0].1 + f * (w[1].1 - w[0].1)
        })
}

/// The net-section nominal stress at every screw hole through the flange in `step`: one
/// entry per screw whose hole has a plain element layer of the flange on at least one side
/// (a layer whose elements all span the same [z_a, z_b]; none on an unstructured flange).
pub fn flange_hole_sections(
    rec: &Reconstruction,
    step: &StepSolution,
    hole: HoleGeometry,
) -> Vec<HoleNetSection> {
    const TOL: f64 = 1e-6;
    let f = &step.fields;
    // the flange's prismatic elements (every node on its bottom, middle or top plane; not
    // the curved blocks around a drilled hole) with their z ranges
    let flange: Vec<(usize, f64, f64)> = (0..rec.mesh.n_elements())
        .filter(|&e| rec.regions[e] == Region::Flange)
        .filter_map(|e| {
            let zs: Vec<f64> = rec
                .mesh
                .element(e)
                .nodes
                .iter()
                .map(|&n| rec.mesh.coords[n][2])
                .collect();
            let (lo, hi) = zs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &z| {
                    (lo.min(z), hi.max(z))
                });
            let mid = 0.5 * (lo + hi);
            zs.iter()
                .all(|z| [lo, mid, hi].iter().any(|p| (z - p).abs() < TOL))
                .then_some((e, lo, hi))
        })
        .collect();
    // the element layer of the flange ending at (below) or starting at (above) `z`: every
    // flange element with that end, all sharing one other end
    let layer = |z: f64, below: bool| -> Option<([f64; 2], Vec<usize>)> {
        let edge = flange
            .iter()
            .filter_map(|&(_, lo, hi)| {
                if below {
                    (hi <= z + TOL).then_some(hi)
                } else {
                    (lo >= z - TOL).then_some(lo)
                }
            })
            .fold(None, |best: Option<f64>, v| {
                Some(best.map_or(v, |b| if below { b.max(v) } else { b.min(v) }))
            })?;
        let members: Vec<&(usize, f64, f64)> = flange
            .iter()
            .filter(|&&(_, lo, hi)| ((if below { hi } else { lo }) - edge).abs() < TOL)
            .collect();
        let other = if below { members[0].1 } else { members[0].2 };
        let plain = members
            .iter()
            .all(|&&(_, lo, hi)| ((if below { lo } else { hi }) - other).abs() < TOL);
        let slab = if below { [other, edge] } else { [edge, other] };
        (plain && slab[1] > slab[0]).then(|| (slab, members.iter().map(|m| m.0).collect()))
    };
    let mut out = Vec::new();
    for (i, screw) in rec.screws.iter().enumerate() {
        let axis: [f64; 3] = std::array::from_fn(|k| screw.tip_mm[k] - screw.head_mm[k]);
        let len = axis[0].hypot(axis[1]);
        if len <= 0.0 {
            continue;
        }
        let dir = [axis[0] / len, axis[1] / len];
        // the bore's mid-thickness point: half a thickness out from where the axis meets bone
        let center = [
            screw.bone_entry_mm[0] - 0.5 * hole.thickness_mm * dir[0],
            screw.bone_entry_mm[1] - 0.5 * hole.thickness_mm * dir[1],
        ];
        let r = 0.5 * hole.diameter_mm;
        let mut best: Option<HoleNetSection> = None;
        let mut forces = Vec::with_capacity(2);
        let sides = [layer(screw.z_mm - r, true), layer(screw.z_mm + r, false)];
        for ([za, zb], elements) in sides.into_iter().flatten() {
            let points = elements.iter().flat_map(|&e| {
                f.points_of(e)
                    .map(|p| (f.point_position[p], f.point_volume[p], f.point_stress[p]))
            });
            let Some(layer) = SlabSection::from_points(points, zb - za) else {
                continue;
            };
            forces.push([layer.axial, layer.shear[0], layer.shear[1]]);
            // the moments at the hole's centre plane
            let section = layer.shifted(screw.z_mm - 0.5 * (za + zb));
            let Some((axial, shear, net)) = section.net_stress_at_hole(hole, center, dir) else {
                continue;
            };
            let equivalent = (axial * axial + 3.0 * shear * shear).sqrt();
            if best.as_ref().is_none_or(|b| equivalent > b.equivalent_mpa) {
                best = Some(HoleNetSection {
                    screw: i,
                    z_mm: screw.z_mm,
                    slab_mm: [za, zb],
                    axial_force_n: section.axial,
                    area_mm2: [section.area, net],
                    axial_mpa: axial,
                    shear_mpa: shear,
                    equivalent_mpa: equivalent,
                    screw_load_n: None,
                });
            }
        }
        if let (Some(b), [f0, f1]) = (best.as_mut(), forces.as_slice()) {
            let d: [f64; 3] = std::array::from_fn(|k| f1[k] - f0[k]);
            b.screw_load_n = Some(d.iter().map(|v| v * v).sum::<f64>().sqrt());
        }
        out.extend(best);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two-point Gauss samples of a W × t strip (x across the thickness, y across the width,
    /// centred at the origin), 8 × 8 cells, in a slab of height h, with stress `sigma(x, y)`.
    fn strip(
        w: f64,
        t: f64,
        h: f64,
        sigma: impl Fn(f64, f64) -> [f64; 6],
    ) -> Vec<([f64; 3], f64, [f64; 6])> {
        let g = 0.5 / 3f64.sqrt();
        let (nx, ny) = (8, 8);
        let (dx, dy) = (t / nx as f64, w / ny as f64);
        let mut pts = Vec::new();
        for i in 0..nx {
            for j in 0..ny {
                for a in [-g, g] {
                    for b in [-g, g] {
                        let x = -0.5 * t + (i as f64 + 0.5 + a) * dx;
                        let y = -0.5 * w + (j as f64 + 0.5 + b) * dy;
                        pts.push(([x, y, 0.0], 0.25 * dx * dy * h, sigma(x, y)));
                    }
                }
            }
        }
        pts
    }

    const HOLE: HoleGeometry = HoleGeometry {
        diameter_mm: 5.0,
        thickness_mm: 4.0,
    };

    /// Uniform tension: the gross section and Peterson's net-section stress σ₀ W / (W − d).
    #[test]
    fn uniform_tension_gives_the_net_area_stress() {
        let (w, t, h, s0) = (16.0, 4.0, 1.5, 30.0);
        let pts = strip(w, t, h, |_, _| [0.0, 0.0, s0, 0.0, 0.0, 0.0]);
        let s = SlabSection::from_points(pts.iter().copied(), h).expect("section");
        assert!((s.area - w * t).abs() < 1e-12 * w * t);
        assert!((s.axial - s0 * w * t).abs() < 1e-10 * s0 * w * t);
        assert!((s.inertia[0] - w * t.powi(3) / 12.0).abs() < 1e-10 * w * t.powi(3));
        assert!((s.inertia[3] - t * w.powi(3) / 12.0).abs() < 1e-10 * t * w.powi(3));
        let (axial, shear, net) = s
            .net_stress_at_hole(HOLE, [0.0, 0.0], [1.0, 0.0])
            .expect("net");
        assert!((net - (w - 5.0) * t).abs() < 1e-10 * w * t);
        assert!((axial - s0 * w / (w - 5.0)).abs() < 1e-10 * s0, "{axial}");
        assert!(shear.abs() < 1e-12);
    }

    /// Through-thickness bending σ = σ_b x / (t/2): the net-section bending stress
    /// 6 M / ((W − d) t²) = σ_b W / (W − d) at the faces.
    #[test]
    fn through_thickness_bending_gives_the_net_section_modulus_stress() {
        let (w, t, h, sb) = (16.0, 4.0, 1.5, 50.0);
        let pts = strip(w, t, h, |x, _| {
            [0.0, 0.0, sb * x / (0.5 * t), 0.0, 0.0, 0.0]
        });
        let s = SlabSection::from_points(pts.iter().copied(), h).expect("section");
        // the moment is σ_b Z = σ_b W t² / 6
        assert!((s.moment[0] - sb * w * t * t / 6.0).abs() < 1e-10 * sb * w * t * t);
        let (axial, _, _) = s
            .net_stress_at_hole(HOLE, [0.0, 0.0], [1.0, 0.0])
            .expect("net");
        assert!((axial - sb * w / (w - 5.0)).abs() < 1e-10 * sb, "{axial}");
    }

    /// Tension with a hole off the centre line by e: the net section is eccentric and the
    /// beam formula on it (rectangle minus rectangle, by hand) gives the edge stress.
    #[test]
    fn an_eccentric_hole_adds_the_net_sections_bending() {
        let (w, t, h, s0, e) = (16.0, 4.0, 1.5, 30.0, 3.0);
        let d = HOLE.diameter_mm;
        let pts = strip(w, t, h, |_, _| [0.0, 0.0, s0, 0.0, 0.0, 0.0]);
        let s = SlabSection::from_points(pts.iter().copied(), h).expect("section");
        let (axial, _, net) = s
            .net_stress_at_hole(HOLE, [0.0, e], [1.0, 0.0])
            .expect("net");
        // by hand, along y: net area, centroid, second moment about it
        let (n, a, ah) = (s0 * w * t, w * t, d * t);
        let an = a - ah;
        let yc = -ah * e / an;
        let iy =
            t * w.powi(3) / 12.0 + a * yc * yc - (t * d.powi(3) / 12.0 + ah * (e - yc).powi(2));
        let m = n * (0.0 - yc); // first moment of σ about the net centroid
        let edge = |y: f64| (n / an + m / iy * (y - yc)).abs();
        let expected = edge(e - 0.5 * d).max(edge(e + 0.5 * d));
        assert!((net - an).abs() < 1e-10 * a);
        assert!(
            (axial - expected).abs() < 1e-10 * s0,
            "{axial} vs {expected}"
        );
        assert!(axial > s0 * w / (w - d)); // the eccentric net section bends
    }

    /// Shear: a uniform σ_xz gives the mean shear V / A_n; a torque adds T t / J_n.
    #[test]
    fn shear_and_torsion_are_nominal() {
        let (w, t, h, tau) = (16.0, 4.0, 1.5, 5.0);
        let pts = strip(w, t, h, |_, _| [0.0, 0.0, 0.0, 0.0, 0.0, tau]);
        let s = SlabSection::from_points(pts.iter().copied(), h).expect("section");
        let (_, shear, net) = s
            .net_stress_at_hole(HOLE, [0.0, 0.0], [1.0, 0.0])
            .expect("net");
        assert!((shear - tau * w * t / net).abs() < 1e-10 * tau);
        // σ_yz = 2 τ₀ x / t (the long sides' half of a thin strip's torsion): T = τ₀ W t² / 6,
        // carried by the two 5.5 × 4 mm ligaments beside the centred hole, half each
        let pts = strip(w, t, h, |x, _| [0.0, 0.0, 0.0, 0.0, 2.0 * tau * x / t, 0.0]);
        let s = SlabSection::from_points(pts.iter().copied(), h).expect("section");
        assert!((s.torque - tau * w * t * t / 6.0).abs() < 1e-10 * tau * w * t * t);
        let (_, shear, _) = s
            .net_stress_at_hole(HOLE, [0.0, 0.0], [1.0, 0.0])
            .expect("net");
        let alpha = 0.208 + 0.75 * (0.231 - 0.208); // b/t = 5.5 / 4 = 1.375
        let expected = 0.5 * s.torque / (alpha * 5.5 * t * t);
        assert!(
            (shear - expected).abs() < 1e-10 * expected,
            "{shear} vs {expected}"
        );
    }
}

#[cfg(test)]
mod torsion_tests {
    use super::*;

    /// The coefficient at Timoshenko & Goodier's tabulated points, between them, and its thin
    /// strip limit.
    #[test]
    fn the_torsion_coefficient_follows_the_table() {
        for (r, a) in [
            (1.0, 0.208),
            (2.0, 0.246),
            (3.0, 0.267),
            (6.0, 0.299),
            (10.0, 0.312),
        ] {
            assert!(
                (rectangle_torsion_alpha(r) - a).abs() < 1e-3 * a + 1e-12,
                "{r}"
            );
        }
        assert!((rectangle_torsion_alpha(1.25) - 0.2195).abs() < 1e-12);
        assert!((rectangle_torsion_alpha(1e6) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(rectangle_torsion_alpha(0.5), 0.208); // t ≥ b: the roles swap, clamped
    }

    /// Moving a section along z changes its bending moment by V dz and nothing else.
    #[test]
    fn a_shifted_section_carries_the_shear_forces_moment() {
        let s = SlabSection {
            area: 50.0,
            moment: [10.0, -20.0],
            shear: [100.0, 300.0],
            torque: 7.0,
            ..SlabSection::default()
        };
        let m = s.shifted(5.0);
        assert_eq!(m.moment, [510.0, 1480.0]);
        assert_eq!((m.shear, m.torque, m.area), (s.shear, s.torque, s.area));
    }
}
