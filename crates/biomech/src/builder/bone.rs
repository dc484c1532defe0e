//! The bone and the prosthesis body: the cortical ring swept over the whole length (its
//! elements between the docking faces become the prosthesis), the metaphyses' cancellous
//! O-grid cores and, with `fill_canal`, the prosthesis core over the defect.

use std::f64::consts::TAU;

use osteon_mesh::Mesh;
use osteon_mesh::generate::{StructuredSpec, structured_mesh};

use super::elements::{Proto, add_block, add_block_where, mean_z, merge_block};
use super::holes::{Layers, disk_blocks, in_patch, patch_blocks};
use super::ogrid::{OGRID_SQUARE, ogrid_blocks, station_map};
use super::stations::stations_between;
use super::{Layout, MERGE_TOLERANCE, Region};
use crate::error::BiomechError;
use crate::geometry::TibiaGeometry;
use crate::merge::NodeMerger;
use crate::spec::ImplantSpec;

/// The merged bone and prosthesis-body blocks.
pub(super) struct BoneBlocks {
    /// The elements, ring first, before numbering.
    pub protos: Vec<Proto>,
    /// The merged nodes: the intact model's nodes first, then the prosthesis core's.
    pub merger: NodeMerger,
    /// Nodes `0..n_intact_nodes` are the intact model's nodes.
    pub n_intact_nodes: usize,
    /// Elements of the cortical ring (the first `ring_elements` of `protos`).
    pub ring_elements: usize,
    /// Radial cells of the O-grid core blocks.
    pub core_radial: usize,
}

/// Steps 1–3 of the build: the cortical ring (with the drilled holes' patches and the
/// screw shafts in them), the cancellous cores and the prosthesis core, merged by
/// coincident nodes.
pub(super) fn bone_blocks(
    geometry: &TibiaGeometry,
    implant: &ImplantSpec,
    layout: &Layout,
) -> Result<BoneBlocks, BiomechError> {
    let etype = layout.etype;
    let h_far = layout.h_far;
    let m = layout.around / 4;
    let defect_z = layout.defect_z;
    let stations = &layout.stations;
    let mut protos: Vec<Proto> = Vec::new();
    let mut merger = NodeMerger::new(MERGE_TOLERANCE);

    // 1. cortical ring over the whole length, less the holes' patches
    let ring = cortical_ring(geometry, layout)?;
    let in_defect = |corners: &[[f64; 3]]| {
        let z = mean_z(corners);
        z > defect_z[0] && z < defect_z[1]
    };
    let (n_wall, around) = (layout.through_wall, layout.around);
    let kept = |e: usize| match &layout.holes {
        Some((holes, firsts)) => {
            let cell = [(e / n_wall) % around, e / (n_wall * around)];
            !in_patch(cell, &[0, around / 2], around, holes.k, firsts)
        }
        None => true,
    };
    let ring_elements = add_block_where(
        &ring,
        &mut merger,
        kept,
        |c| {
            if in_defect(c) {
                Region::Implant
            } else {
                Region::Cortical
            }
        },
        &mut protos,
    );

    // 1b. drilled holes: the patch blocks (cortex) and the disks in them (the screw shaft,
    // cortex in the intact model)
    if let Some((holes, _)) = &layout.holes {
        for (i, hole) in holes.holes.iter().enumerate() {
            for sign in [1.0, -1.0] {
                let layers = Layers::Cortex { geometry, sign };
                let wall = layout.through_wall;
                let half = holes.ring_half_angle;
                for block in patch_blocks(layers, hole, holes, half, holes.radial[0], wall, etype)?
                {
                    let map = merge_block(&block, &mut merger);
                    add_block(&block, &map, |_| Region::Cortical, &mut protos);
                }
                for block in disk_blocks(layers, hole, holes, wall, etype)? {
                    let map = merge_block(&block, &mut merger);
                    let start = protos.len();
                    add_block(&block, &map, |_| Region::Screw(i), &mut protos);
                    protos[start..]
                        .iter_mut()
                        .for_each(Proto::set_replacing_bone);
                }
            }
        }
    }

    // 2. cancellous cores of the metaphyses
    let max_inner = [0.0, geometry.length_mm]
        .iter()
        .map(|&z| geometry.inner_semi_axes(z))
        .fold(0.0f64, |acc, a| acc.max(a[0]).max(a[1]));
    let core_radial = ((1.0 - OGRID_SQUARE) * max_inner / h_far).round().max(1.0) as usize;
    let core = |lo: f64, hi: f64| -> Result<Vec<Mesh>, BiomechError> {
        let st = stations_between(stations, lo, hi);
        let g = geometry.clone();
        ogrid_blocks(m, core_radial, st.len() - 1, etype, move |d, p| {
            let z = station_map(&st, p);
            let i = g.inner_semi_axes(z);
            [i[0] * d[0], i[1] * d[1], z]
        })
    };
    if geometry.cancellous_metaphyses {
        for (lo, hi) in [
            (0.0, geometry.diaphysis_start()),
            (geometry.diaphysis_end(), geometry.length_mm),
        ] {
            for block in core(lo, hi)? {
                let map = merge_block(&block, &mut merger);
                add_block(&block, &map, |_| Region::Cancellous, &mut protos);
            }
        }
    }
    let n_intact_nodes = merger.len();

    // 3. prosthesis core (solid prosthesis)
    if implant.fill_canal {
        for block in core(defect_z[0], defect_z[1])? {
            let map = merge_block(&block, &mut merger);
            add_block(&block, &map, |_| Region::Implant, &mut protos);
        }
    }
    Ok(BoneBlocks {
        protos,
        merger,
        n_intact_nodes,
        ring_elements,
        core_radial,
    })
}

/// The cortical ring over the whole length: `through_wall` × `around` × the z stations,
/// between the inner and the outer elliptical surface of the flared shaft.
fn cortical_ring(geometry: &TibiaGeometry, layout: &Layout) -> Result<Mesh, BiomechError> {
    let g = geometry.clone();
    let st = layout.stations.clone();
    Ok(structured_mesh(
        &StructuredSpec {
            cells: [
                layout.through_wall,
                layout.around,
                layout.stations.len() - 1,
            ],
            element: layout.etype,
            periodic: [false, true, false],
            face_names: [["", ""], ["", ""], ["", ""]],
        },
        move |p| {
            let z = station_map(&st, p[2]);
            let (o, i) = (g.outer_semi_axes(z), g.inner_semi_axes(z));
            let a = i[0] + p[0] * (o[0] - i[0]);
            let b = i[1] + p[0] * (o[1] - i[1]);
            let t = TAU * p[1];
            [a * t.cos(), b * t.sin(), z]
        },
    )?)
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use osteon_mesh::Mesh;

    use super::super::{build_reconstruction, coarse};
    use crate::geometry::TibiaGeometry;
    use crate::spec::{DefectSpec, ImplantSpec};

    fn volume_of(mesh: &Mesh, elements: impl Iterator<Item = usize>) -> f64 {
        elements
            .map(|e| {
                osteon_mesh::geometry::element_volume(
                    mesh.element(e).etype,
                    &mesh.element_coords(e),
                )
            })
            .sum()
    }

    #[test]
    fn block_volumes_match_the_analytic_ellipse_areas() {
        let g = TibiaGeometry::default();
        let rec = build_reconstruction(
            &g,
            &DefectSpec::default(),
            &ImplantSpec {
                fill_canal: true,
                ..ImplantSpec::default()
            },
            &coarse(),
        )
        .expect("builds");
        assert!(rec.quality.min_scaled_jacobian > 0.2, "{:?}", rec.quality);
        let m = &rec.mesh;
        // prosthesis ring + core over the 63 mm defect: the full outer ellipse, π·14·12.5·63
        let implant = volume_of(m, m.element_set("IMPLANT").expect("set").iter().copied());
        let exact = PI * 14.0 * 12.5 * 63.0;
        assert!(
            (implant - exact).abs() / exact < 2e-4,
            "{implant} vs {exact}"
        );
        // cortical bone: ∫ π(a_o b_o − a_i b_i) dz over the bone outside the defect (flares are
        // linear in z, so integrate the quadratic area exactly with Simpson per flare)
        let simpson = |f: &dyn Fn(f64) -> f64, a: f64, b: f64| {
            (b - a) / 6.0 * (f(a) + 4.0 * f(0.5 * (a + b)) + f(b))
        };
        let ca = |z: f64| g.cortical_area(z);
        let cortical_exact = simpson(&ca, 0.0, 50.0)
            + ca(100.0) * (290.0 - 50.0 - 63.0)
            + simpson(&ca, 290.0, 360.0);
        // (drilled screw holes: their shafts, bone of the intact model, fill the rest)
        let cortical = volume_of(m, m.element_set("CORTICAL").expect("set").iter().copied())
            + volume_of(
                m,
                (rec.n_bone_elements..rec.n_intact_elements)
                    .filter(|&e| rec.regions[e] != crate::builder::Region::Implant),
            );
        assert!(
            (cortical - cortical_exact).abs() / cortical_exact < 5e-4,
            "{cortical} vs {cortical_exact}"
        );
        let na = |z: f64| g.canal_area(z);
        let cancellous_exact = simpson(&na, 0.0, 50.0) + simpson(&na, 290.0, 360.0);
        let cancellous = volume_of(m, m.element_set("CANCELLOUS").expect("set").iter().copied());
        assert!(
            (cancellous - cancellous_exact).abs() / cancellous_exact < 5e-4,
            "{cancellous} vs {cancellous_exact}"
        );
        // plateau: the full outer ellipse at the top, split in two equal halves
        let (med, lat) = (
            rec.surface_area("PLATEAU_MEDIAL").expect("surface"),
            rec.surface_area("PLATEAU_LATERAL").expect("surface"),
        );
        let top = PI * 37.5 * 25.0;
        assert!(((med + lat) - top).abs() / top < 2e-4 && (med - lat).abs() / top < 1e-9);
        // docking faces: the cortical ring area
        let dock = rec.surface_area("PROXIMAL_DOCKING").expect("surface");
        assert!((dock - g.cortical_area(180.0)).abs() / dock < 2e-4);
    }
}
