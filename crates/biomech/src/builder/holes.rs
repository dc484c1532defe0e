//! Drilled screw holes ([`crate::ScrewModel::Drilled`]): each screw fills a hole through the
//! flange, the near cortex and the far cortex, meshed so that the hole walls conform to the
//! screw.
//!
//! # The patch around a hole
//!
//! In the structured grids of the cortical ring (wall × angle × z) and the flange
//! (thickness × angle × z), the cells within `k` cells of a screw axis in angle and in z
//! form a patch. The patch is not meshed as a grid; four blocks fill it instead, each
//! between one side of the patch and a quarter of the hole circle (2k cells along both),
//! and an O-grid disk (2k cells per quarter) fills the circle:
//!
//! ```text
//!   +-----------+        side nodes: the grid's own (angle, z) nodes, so the blocks
//!   |'.  N    .'|        conform to the surrounding cells; circle nodes at equal angles,
//!   |  +-----+  |        shared with the disk; each point of a block is the straight
//!   |W |disk | E|        blend, in the (y, z) plane, of its circle and side points, put
//!   |  +-----+  |        back on the layer (wall fraction or flange depth) it belongs to
//!   |.'  S    '.|
//!   +-----------+
//! ```
//!
//! In the intact reference model the disks in the two cortices are cortical bone (the
//! mesh is only refined there); in the implanted model they are the screw's shaft. A third
//! disk crosses the canal between the endosteal faces of the two, and a fourth, in the
//! flange's patch, is the locking head. All four share their nodes with each other and
//! with the hole walls: the head is locked in the flange and the thread bonded to both
//! cortices; across the canal the screw touches nothing.
//!
//! # Sizes
//!
//! The patch half-angle α = k·Δθ is the smallest multiple of the ring's cell angle Δθ whose
//! patch is 1.5 screw radii wide at the endosteal surface (y = b_i sin α ≥ 1.5 r, engineering
//! choice: a ligament of half a radius between the hole and the patch side); its half-length
//! in z is the patch half-width at the endosteal surface (at least 1.5 r too). The patch's
//! z planes are stations of the bone mesh, kept as its cells where a finer zone overlaps
//! (a docking face's band).
//! The flange's patch spans its whole width (2k cells across it, the patch blocks' outer
//! sides on its edges), which needs a flange at least 1.5 core diameters wide. The screw and
//! its hole have the screw's core diameter (the thread root; the thread and the bone it cuts
//! are not resolved).

use std::f64::consts::{FRAC_PI_2, TAU};

use osteon_mesh::{ElementType, Mesh};

use super::Fragment;
use super::ogrid::{OGRID_SQUARE, ogrid_blocks, oriented_block};
use super::screws::screw_axes;
use crate::error::BiomechError;
use crate::geometry::TibiaGeometry;
use crate::spec::ImplantSpec;

/// Patch half-width over screw radius at the endosteal surface, and the flange patch's
/// least half-width over screw radius (engineering choice, module documentation).
const LIGAMENT: f64 = 1.5;

/// Largest patch half-angle in the ring (rad, 50°): wider patches leave the wall's cells
/// beside them too distorted.
const MAX_HALF_ANGLE: f64 = 0.8727;

/// The hole of one screw: its axis and its patch's half-length in z.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Hole {
    /// Fragment of the screw.
    pub fragment: Fragment,
    /// z of the screw axis (mm).
    pub z: f64,
    /// Half-length of the patch in z (mm); its cells are `z_half / k` long.
    pub z_half: f64,
}

impl Hole {
    /// The z planes of the patch: 2k + 1 planes, `z_half / k` apart (mm).
    pub fn planes(&self, k: usize) -> Vec<f64> {
        (0..=2 * k)
            .map(|i| self.z + self.z_half * (i as f64 / k as f64 - 1.0))
            .collect()
    }
}

/// The drilled holes and the cell counts every patch shares.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct HoleLayout {
    /// The holes, sorted by z (the screws' order).
    pub holes: Vec<Hole>,
    /// Screw radius (mm).
    pub radius: f64,
    /// Cells per half side of every patch (the circle has 8k cells).
    pub k: usize,
    /// Patch half-angle in the ring (rad), k times its cell angle.
    pub ring_half_angle: f64,
    /// Patch half-angle in the flange (rad): the flange's own.
    pub flange_half_angle: f64,
    /// Cells from the hole circle to the patch side, in the cortex and in the flange.
    pub radial: [usize; 2],
    /// Radial cells of the disks' outer blocks.
    pub disk_radial: usize,
}

impl HoleLayout {
    /// The holes of `implant`'s screws in the ring of `around` cells; the flange lies on
    /// the ellipse `dia` (mm); radial cells of about `h_interface` (mm, the interface element
    /// size). `None` unless the screws are drilled.
    pub fn new(
        geometry: &TibiaGeometry,
        implant: &ImplantSpec,
        defect_z: [f64; 2],
        around: usize,
        dia: [f64; 2],
        h_interface: f64,
    ) -> Result<Option<HoleLayout>, BiomechError> {
        let screws = &implant.screws;
        if !(screws.enabled
            && implant.flange.enabled
            && screws.model == crate::spec::ScrewModel::Drilled)
            || screws.offsets_mm.is_empty()
        {
            return Ok(None);
        }
        let r = screws.shaft_radius_mm();
        let axes = screw_axes(implant, defect_z);
        let cell = TAU / around as f64;
        let mut k = 1;
        for &(_, z) in &axes {
            let b_i = geometry.inner_semi_axes(z)[1];
            if LIGAMENT * r >= b_i {
                return Err(drilled_error(format!(
                    "a screw of {} mm core diameter at z = {z:.1} mm is too wide for the canal (endosteal semi-axis {b_i:.1} mm)",
                    screws.core_diameter_mm
                )));
            }
            let alpha = (LIGAMENT * r / b_i).asin();
            k = k.max(((alpha / cell) - 1e-9).ceil() as usize);
        }
        let ring_half_angle = k as f64 * cell;
        if ring_half_angle > MAX_HALF_ANGLE {
            return Err(drilled_error(format!(
                "the hole patch would span ±{:.0}° of the cortex ({k} of {around} cells either side); use more cells around (mesh.cells_around or a smaller mesh.size_mm) or a thinner screw",
                ring_half_angle.to_degrees()
            )));
        }
        let holes: Vec<Hole> = axes
            .iter()
            .map(|&(fragment, z)| Hole {
                fragment,
                z,
                z_half: geometry.inner_semi_axes(z)[1] * ring_half_angle.sin(),
            })
            .collect();
        // flange: the patch is its whole width
        if 0.5 * implant.flange.width_mm < LIGAMENT * r {
            return Err(drilled_error(format!(
                "the flange ({} mm wide) is too narrow for a {} mm hole: it needs at least {:.1} mm",
                implant.flange.width_mm,
                screws.core_diameter_mm,
                2.0 * LIGAMENT * r
            )));
        }
        let flange_half_angle =
            super::flange::flange_half_angle(dia[0], dia[1], implant.flange.width_mm);
        // radial cells, in cells of the interface size: in the cortex the mean of the patch's
        // half-width at mid-wall and its half-length, less the radius; in the flange the
        // smaller of the two less the radius (its inner nodes are contact slaves, each one
        // three more interface unknowns, so the flange's patch stays coarse)
        let z_half = holes.iter().map(|x| x.z_half).fold(f64::INFINITY, f64::min);
        let mid_wall = holes
            .iter()
            .map(|x| {
                let (i, o) = (geometry.inner_semi_axes(x.z), geometry.outer_semi_axes(x.z));
                0.5 * (i[1] + o[1]) * ring_half_angle.sin()
            })
            .fold(f64::INFINITY, f64::min);
        let flange_y = dia[1] * flange_half_angle.sin();
        let radial = [0.5 * (mid_wall + z_half), flange_y.min(z_half)]
            .map(|y| ((y - r) / h_interface).round().max(1.0) as usize);
        let disk_radial = ((1.0 - OGRID_SQUARE) * r / h_interface).round().max(1.0) as usize;
        Ok(Some(HoleLayout {
            holes,
            radius: r,
            k,
            ring_half_angle,
            flange_half_angle,
            radial,
            disk_radial,
        }))
    }

    /// Check that every patch lies in the diaphysis (no cancellous core in the canal),
    /// under the flange (`flange_z`), at least `margin` (mm) from the docking planes
    /// `defect_z` (so that bone is drilled and a cell lies between) and clear of the other
    /// patches.
    pub fn validate(
        &self,
        geometry: &TibiaGeometry,
        flange_z: [f64; 2],
        defect_z: [f64; 2],
        margin: f64,
    ) -> Result<(), BiomechError> {
        let span = |x: &Hole| [x.z - x.z_half, x.z + x.z_half];
        for (i, hole) in self.holes.iter().enumerate() {
            let [lo, hi] = span(hole);
            let what = format!(
                "the hole patch of the screw at z = {:.1} mm spans z = {lo:.1}–{hi:.1} mm",
                hole.z
            );
            if lo < geometry.diaphysis_start() || hi > geometry.diaphysis_end() {
                return Err(drilled_error(format!(
                    "{what}, outside the diaphysis ({:.1}–{:.1} mm)",
                    geometry.diaphysis_start(),
                    geometry.diaphysis_end()
                )));
            }
            if lo <= flange_z[0] || hi >= flange_z[1] {
                return Err(drilled_error(format!(
                    "{what}, beyond the flange ({:.1}–{:.1} mm)",
                    flange_z[0], flange_z[1]
                )));
            }
            if let Some(z) = defect_z
                .iter()
                .find(|&&z| lo < z + margin && hi > z - margin)
            {
                return Err(drilled_error(format!(
                    "{what}, within {margin:.1} mm of the docking plane z = {z:.1} mm: the screw must be further from the docking face"
                )));
            }
            if let Some(other) = self.holes[i + 1..]
                .iter()
                .find(|o| span(o)[0] < hi && span(o)[1] > lo)
            {
                return Err(drilled_error(format!(
                    "{what}, overlapping the patch of the screw at z = {:.1} mm",
                    other.z
                )));
            }
        }
        Ok(())
    }

    /// Index of the first cell of each hole's patch along `planes` (the z planes of a
    /// structured block); an error when a patch's planes are not consecutive planes there.
    pub fn first_cells(&self, planes: &[f64]) -> Result<Vec<usize>, BiomechError> {
        self.holes
            .iter()
            .map(|hole| {
                let want = hole.planes(self.k);
                let start = planes
                    .iter()
                    .position(|&z| (z - want[0]).abs() < 1e-9)
                    .filter(|&i| {
                        planes.len() >= i + want.len()
                            && want
                                .iter()
                                .zip(&planes[i..])
                                .all(|(a, b)| (a - b).abs() < 1e-9)
                    });
                start.ok_or_else(|| {
                    BiomechError::construction(format!(
                        "the z stations do not hold the hole patch of the screw at z = {:.1} mm (planes {want:?})",
                        hole.z
                    ))
                })
            })
            .collect()
    }
}

/// An error of the drilled-hole layout that names the simplified alternative.
fn drilled_error(message: String) -> BiomechError {
    BiomechError::construction(format!(
        "drilled screw holes: {message} (implant.screws.model = \"embedded\" places the screws without holes)"
    ))
}

/// The layered surfaces a patch is meshed on: the cortical wall (wall fraction w from the
/// endosteal, w = 0, to the periosteal surface, w = 1; `sign` +1 for the near, lateral
/// cortex at +x, −1 for the far one) or the flange (depth fraction w from its inner face on
/// the periosteum to its outer face). A layer point is given by its angle α, the ellipse
/// parameter with y increasing in α, or by its y.
#[derive(Clone, Copy)]
pub(super) enum Layers<'a> {
    /// A cortex.
    Cortex {
        /// The tibia.
        geometry: &'a TibiaGeometry,
        /// +1 near (lateral) cortex, −1 far.
        sign: f64,
    },
    /// The flange on the periosteal surface at +x.
    Flange {
        /// The tibia.
        geometry: &'a TibiaGeometry,
        /// Flange thickness (mm).
        thickness: f64,
    },
}

impl Layers<'_> {
    /// The point of layer `w` at angle `alpha` (rad) and height `z` (mm).
    pub fn at_angle(&self, alpha: f64, w: f64, z: f64) -> [f64; 3] {
        match *self {
            Layers::Cortex { geometry, sign } => {
                let (i, o) = (geometry.inner_semi_axes(z), geometry.outer_semi_axes(z));
                let a = i[0] + w * (o[0] - i[0]);
                let b = i[1] + w * (o[1] - i[1]);
                [sign * a * alpha.cos(), b * alpha.sin(), z]
            }
            Layers::Flange {
                geometry,
                thickness,
            } => flange_point(geometry.outer_semi_axes(z), alpha, w * thickness, z),
        }
    }

    /// The point of layer `w` with ordinate `y` at height `z` (mm); y beyond the layer's
    /// extent gives its edge.
    pub fn at_y(&self, y: f64, w: f64, z: f64) -> [f64; 3] {
        if let Layers::Cortex { geometry, .. } = *self {
            let (i, o) = (geometry.inner_semi_axes(z), geometry.outer_semi_axes(z));
            let b = i[1] + w * (o[1] - i[1]);
            return self.at_angle((y / b).clamp(-1.0, 1.0).asin(), w, z);
        }
        // the flange's layers are offset ellipses: y grows with α on (−π/2, π/2)
        let (mut lo, mut hi) = (-FRAC_PI_2, FRAC_PI_2);
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            if self.at_angle(mid, w, z)[1] < y {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.at_angle(0.5 * (lo + hi), w, z)
    }
}

/// The point at depth `offset` (mm) along the outward normal of the ellipse with semi-axes
/// `o` (mm) at parameter `alpha`, at height `z`.
pub(super) fn flange_point(o: [f64; 2], alpha: f64, offset: f64, z: f64) -> [f64; 3] {
    let (s, c) = alpha.sin_cos();
    let n = [c / o[0], s / o[1]];
    let nn = n[0].hypot(n[1]);
    [
        o[0] * c + offset * n[0] / nn,
        o[1] * s + offset * n[1] / nn,
        z,
    ]
}

/// The four blocks between the patch of `hole` (half-angle `half_angle`, rad) and its
/// circle on `layers`, `radial` cells from circle to side, `k` cells per half side,
/// `through` cells across the layers. Block b = 0, 1, 2, 3 faces +y, +z, −y, −z.
pub(super) fn patch_blocks(
    layers: Layers<'_>,
    hole: &Hole,
    layout: &HoleLayout,
    half_angle: f64,
    radial: usize,
    through: usize,
    etype: ElementType,
) -> Result<Vec<Mesh>, BiomechError> {
    let (r, z0, zh) = (layout.radius, hole.z, hole.z_half);
    (0..4)
        .map(|b| {
            let map = move |p: [f64; 3]| {
                let (s, t, w) = (p[0], p[1], p[2]);
                let phi = (b as f64 + t - 0.5) * FRAC_PI_2;
                let circle = [r * phi.cos(), z0 + r * phi.sin()];
                let (alpha, z) = match b {
                    0 => (half_angle, z0 + zh * (2.0 * t - 1.0)),
                    1 => (half_angle * (1.0 - 2.0 * t), z0 + zh),
                    2 => (-half_angle, z0 + zh * (1.0 - 2.0 * t)),
                    _ => (half_angle * (2.0 * t - 1.0), z0 - zh),
                };
                let side = layers.at_angle(alpha, w, z);
                let y = (1.0 - s) * circle[0] + s * side[1];
                let z = (1.0 - s) * circle[1] + s * side[2];
                layers.at_y(y, w, z)
            };
            oriented_block([radial, 2 * layout.k, through], etype, map)
        })
        .collect()
}

/// The five O-grid blocks of the hole's disk (2k cells per quarter) on `layers`, across
/// `through` cells of them.
pub(super) fn disk_blocks(
    layers: Layers<'_>,
    hole: &Hole,
    layout: &HoleLayout,
    through: usize,
    etype: ElementType,
) -> Result<Vec<Mesh>, BiomechError> {
    let (r, z0) = (layout.radius, hole.z);
    disk(layout, through, etype, move |d, w| {
        layers.at_y(r * d[0], w, z0 + r * d[1])
    })
}

/// The five O-grid blocks of the screw's shaft across the canal, from the far cortex's
/// endosteal surface to the near one's, `cells` long.
pub(super) fn canal_blocks(
    geometry: &TibiaGeometry,
    hole: &Hole,
    layout: &HoleLayout,
    cells: usize,
    etype: ElementType,
) -> Result<Vec<Mesh>, BiomechError> {
    let (r, z0) = (layout.radius, hole.z);
    let near = Layers::Cortex {
        geometry,
        sign: 1.0,
    };
    let far = Layers::Cortex {
        geometry,
        sign: -1.0,
    };
    disk(layout, cells, etype, move |d, p| {
        let (y, z) = (r * d[0], z0 + r * d[1]);
        let (a, b) = (far.at_y(y, 0.0, z), near.at_y(y, 0.0, z));
        [a[0] + p * (b[0] - a[0]), y, z]
    })
}

/// The O-grid disk with 2k cells per quarter and the layout's radial cells, swept over
/// `axial` cells by `map(unit-disk point, axial parameter)`.
fn disk(
    layout: &HoleLayout,
    axial: usize,
    etype: ElementType,
    map: impl Fn([f64; 2], f64) -> [f64; 3] + Copy,
) -> Result<Vec<Mesh>, BiomechError> {
    ogrid_blocks(2 * layout.k, layout.disk_radial, axial, etype, map)
}

/// Whether the cell `(angle index, z index)` of a structured block lies in a patch: its
/// angle index within `k` of `centre` (cyclic over `n` when `periodic`) and its z index in
/// `first..first + 2k` for one of the `first` cells.
pub(super) fn in_patch(
    cell: [usize; 2],
    centres: &[usize],
    n: usize,
    k: usize,
    firsts: &[usize],
) -> bool {
    let [j, l] = cell;
    let in_angle = centres.iter().any(|&c| (j + n + k - c) % n < 2 * k);
    in_angle && firsts.iter().any(|&f| l >= f && l < f + 2 * k)
}

#[cfg(test)]
mod tests {
    use super::super::{Region, build_reconstruction, coarse};
    use super::*;
    use crate::spec::{DefectSpec, ScrewModel};
    use osteon_mesh::geometry::element_volume;

    fn volume(mesh: &Mesh, elements: impl Iterator<Item = usize>) -> f64 {
        elements
            .map(|e| element_volume(mesh.element(e).etype, &mesh.element_coords(e)))
            .sum()
    }

    /// The volume (mm³) a cylinder of radius `r` along x removes from one cortex of the
    /// elliptical tube with outer and inner semi-axes `o`, `i` (mm): the wall's thickness
    /// along x, a_o √(1 − y²/b_o²) − a_i √(1 − y²/b_i²), over the disk (y = r sin φ).
    fn drilled_volume(r: f64, o: [f64; 2], i: [f64; 2]) -> f64 {
        let n = 4000;
        let dphi = std::f64::consts::PI / n as f64;
        (0..n)
            .map(|j| {
                let phi = -FRAC_PI_2 + (j as f64 + 0.5) * dphi;
                let y = r * phi.sin();
                let t = o[0] * (1.0 - (y / o[1]).powi(2)).sqrt()
                    - i[0] * (1.0 - (y / i[1]).powi(2)).sqrt();
                2.0 * r * r * phi.cos().powi(2) * t * dphi
            })
            .sum()
    }

    #[test]
    fn drilled_holes_remove_the_screw_volume_and_conform() {
        let g = TibiaGeometry::default();
        let drilled_spec = ImplantSpec::default();
        assert_eq!(drilled_spec.screws.model, ScrewModel::Drilled);
        let mut embedded_spec = ImplantSpec::default();
        embedded_spec.screws.model = ScrewModel::Embedded;
        let build = |implant: &ImplantSpec| {
            build_reconstruction(&g, &DefectSpec::default(), implant, &coarse()).expect("builds")
        };
        let (drilled, embedded) = (build(&drilled_spec), build(&embedded_spec));
        assert!(
            drilled.quality.min_scaled_jacobian > 0.2,
            "{:?}",
            drilled.quality
        );
        let m = &drilled.mesh;
        // the shafts in the cortices (bone of the intact model) fill exactly the holes
        let shafts = volume(
            m,
            (drilled.n_bone_elements..drilled.n_intact_elements)
                .filter(|&e| matches!(drilled.regions[e], Region::Screw(_))),
        );
        let (o, i) = (g.outer_semi_axes(140.0), g.inner_semi_axes(140.0));
        // the default screw: 4.4 mm core diameter
        let r = drilled_spec.screws.shaft_radius_mm();
        assert_eq!(r, 2.2);
        let exact = 2.0 * 4.0 * drilled_volume(r, o, i);
        assert!((shafts - exact).abs() < 1e-4 * exact, "{shafts} vs {exact}");
        // the cortex lost them: the intact models (holes filled with cortex) agree, and the
        // drilled cortex is the embedded model's less the holes, both to the quadratic
        // surfaces' discretisation (the patches facet the ellipses differently from the ring)
        let cortex = |r: &super::super::Reconstruction| {
            volume(
                &r.mesh,
                r.mesh.element_set("CORTICAL").expect("set").iter().copied(),
            )
        };
        let intact = |r: &super::super::Reconstruction| volume(&r.mesh, 0..r.n_intact_elements);
        let (a, b) = (intact(&drilled), intact(&embedded));
        assert!((a - b).abs() < 1e-4 * b, "{a} vs {b}");
        let lost = cortex(&embedded) - cortex(&drilled);
        assert!((lost - exact).abs() < 1e-2 * exact, "{lost} vs {exact}");
        // conforming: the intact models (holes filled) have the same outer surface to the
        // faceting (5e-5 here), so no face inside the drilled one is left unmatched (a hole
        // wall alone, 2π·2.2·5 ≈ 69 mm², would add twice its area)
        let surface = |r: &super::super::Reconstruction| {
            let intact = r.intact_mesh().expect("intact");
            let faces = osteon_mesh::boundary_faces(&intact, intact.n_elements());
            super::super::faces_area(&intact, &faces)
        };
        let (a, b) = (surface(&drilled), surface(&embedded));
        assert!((a - b).abs() < 1e-4 * b, "{a} vs {b}");
        // each screw shares its faces with the hole walls: of its surface only the two
        // ends and the part across the canal are on the boundary of the implanted mesh
        let boundary = osteon_mesh::boundary_faces(m, m.n_elements());
        let n = 4000;
        let canal: f64 = (0..n)
            .map(|j| {
                let phi = std::f64::consts::TAU * (j as f64 + 0.5) / n as f64;
                2.0 * i[0] * (1.0 - (r * phi.cos() / i[1]).powi(2)).sqrt() * r
            })
            .sum::<f64>()
            * std::f64::consts::TAU
            / n as f64;
        let ends = 2.0 * std::f64::consts::PI * r * r;
        for k in 0..4 {
            let faces: Vec<_> = boundary
                .iter()
                .copied()
                .filter(|f| drilled.regions[f.element] == Region::Screw(k))
                .collect();
            let area = super::super::faces_area(m, &faces);
            assert!(
                area > canal + ends && area < canal + 1.05 * ends,
                "screw {k}: {area} mm² free, canal {canal}, ends {ends}"
            );
        }
    }

    #[test]
    fn screws_that_cannot_be_drilled_are_refused_with_the_alternative_named() {
        let g = TibiaGeometry::default();
        let build = |f: &dyn Fn(&mut ImplantSpec)| {
            let mut implant = ImplantSpec::default();
            f(&mut implant);
            build_reconstruction(&g, &DefectSpec::default(), &implant, &coarse())
        };
        // a core wider than the thread
        let e = build(&|i| i.screws.core_diameter_mm = 5.5).expect_err("refused");
        assert!(e.to_string().contains("core_diameter_mm"), "{e}");
        // a screw so close to the docking plane that its patch would reach it
        let e = build(&|i| i.screws.offsets_mm = vec![4.0, 28.0]).expect_err("refused");
        assert!(
            e.to_string().contains("docking plane") && e.to_string().contains("\"embedded\""),
            "{e}"
        );
        // the embedded screws take the same layout
        build(&|i| {
            i.screws.offsets_mm = vec![4.0, 28.0];
            i.screws.model = ScrewModel::Embedded;
        })
        .expect("embedded screws need no patch");
    }

    #[test]
    fn layer_points_by_angle_and_by_y_agree() {
        let g = TibiaGeometry::default();
        for layers in [
            Layers::Cortex {
                geometry: &g,
                sign: -1.0,
            },
            Layers::Flange {
                geometry: &g,
                thickness: 3.0,
            },
        ] {
            for (alpha, w) in [(0.3, 0.0), (-0.5, 0.7), (0.1, 1.0)] {
                let p = layers.at_angle(alpha, w, 140.0);
                let q = layers.at_y(p[1], w, 140.0);
                assert!((0..3).all(|i| (p[i] - q[i]).abs() < 1e-12), "{p:?} {q:?}");
            }
        }
        // the flange's inner layer is the periosteal ellipse
        let f = Layers::Flange {
            geometry: &g,
            thickness: 3.0,
        }
        .at_angle(0.2, 0.0, 140.0);
        let c = Layers::Cortex {
            geometry: &g,
            sign: 1.0,
        }
        .at_angle(0.2, 1.0, 140.0);
        assert!((0..3).all(|i| (f[i] - c[i]).abs() < 1e-12));
    }

    #[test]
    fn patch_cells_wrap_around_the_angle() {
        // 32 cells around, k = 3: the near patch is cells 29, 30, 31, 0, 1, 2
        let near: Vec<usize> = (0..32)
            .filter(|&j| in_patch([j, 5], &[0], 32, 3, &[4]))
            .collect();
        assert_eq!(near, vec![0, 1, 2, 29, 30, 31]);
        let far: Vec<usize> = (0..32)
            .filter(|&j| in_patch([j, 4], &[16], 32, 3, &[4]))
            .collect();
        assert_eq!(far, (13..19).collect::<Vec<_>>());
        assert!(!in_patch([0, 10], &[0], 32, 3, &[4]));
    }
}
