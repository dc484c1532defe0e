//! Geometry checks against closed forms.

use osteon_lattice::{CellKind, LatticeError, VoxelCell, design};

#[test]
fn gyroid_level_above_its_maximum_is_fully_solid() {
    // |sin x cos y + sin y cos z + sin z cos x| ≤ 3/2 everywhere.
    let c = VoxelCell::sample(CellKind::Gyroid, 1.5001, 16, 1.0, [0.0; 3]).unwrap();
    assert_eq!(c.porosity(), 0.0);
    assert_eq!(c.pore_size_um(), Err(LatticeError::NoPores));
}

#[test]
fn zero_strut_radius_is_all_pore() {
    let c = VoxelCell::sample(CellKind::Diamond, 0.0, 8, 1.0, [0.0; 3]).unwrap();
    assert_eq!(c.porosity(), 1.0);
}

#[test]
fn spherical_hole_pore_size_is_its_diameter() {
    // A solid 1 mm cell with a spherical hole of radius R = 10 voxels about a voxel centre:
    // the largest inscribed sphere has diameter 2R to within one voxel.
    let n = 40;
    let r = 10.0;
    let mut solid = vec![true; n * n * n];
    for k in 0..n {
        for j in 0..n {
            for i in 0..n {
                let d2 = [i, j, k]
                    .iter()
                    .map(|&m| (m as f64 - 20.0).powi(2))
                    .sum::<f64>();
                if d2.sqrt() < r {
                    solid[i + n * (j + n * k)] = false;
                }
            }
        }
    }
    let cell = VoxelCell::from_mask(n, 1.0, solid).unwrap();
    let voxel_um = 1000.0 / n as f64;
    let pore = cell.pore_size_um().unwrap();
    assert!(
        (pore - 2.0 * r * voxel_um).abs() <= voxel_um,
        "pore {pore} µm"
    );
}

#[test]
fn thin_diamond_struts_match_cylinder_volume() {
    // 16 bonds of length √3/4 per cell: solid fraction ≈ 16·π r²·√3/4 for thin struts
    // less the overlaps where four struts meet, O(r³) per node, about 5 % at r/L = 0.09.
    // r = 0.04 cell, 80 voxels per edge (r = 3.2 voxels).
    let r: f64 = 0.04;
    let c = VoxelCell::sample(CellKind::Diamond, r, 80, 1.0, [0.0; 3]).unwrap();
    let expected = 16.0 * std::f64::consts::PI * r * r * 3f64.sqrt() / 4.0;
    let rel = (c.solid_fraction() - expected).abs() / expected;
    assert!(rel < 0.10, "solid {} vs {expected}", c.solid_fraction());
}

#[test]
fn inverse_hits_porosity_and_pore_size() {
    for kind in [CellKind::Diamond, CellKind::Octet, CellKind::Gyroid] {
        let d = design(kind, 0.72, 515.0, 32).unwrap();
        assert!(
            (d.porosity - 0.72).abs() < 0.005,
            "{kind}: porosity {}",
            d.porosity
        );
        assert!(
            (d.pore_size_um - 515.0).abs() < 1e-6 * 515.0,
            "{kind}: {}",
            d.pore_size_um
        );
    }
}

#[test]
fn origin_shift_keeps_porosity() {
    // A shift by whole voxels permutes the voxels of a periodic cell.
    let a = VoxelCell::sample(CellKind::Octet, 0.08, 24, 1.0, [0.0; 3]).unwrap();
    let b = VoxelCell::sample(CellKind::Octet, 0.08, 24, 1.0, [0.25, 0.5, 0.125]).unwrap();
    assert!((a.porosity() - b.porosity()).abs() < 1e-12);
}
