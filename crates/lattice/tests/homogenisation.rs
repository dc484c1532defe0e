//! Periodic micro-FE homogenisation against closed forms: the solid cell, the laminate's
//! Voigt and Reuss bounds, symmetry, the choice of origin, voxel-resolution convergence and
//! the Gibson–Ashby scaling exponents of bending- and stretch-dominated cells.

use osteon_lattice::{
    CellKind, EffectiveConstants, HomogeniseOptions, LatticeError, PhaseCell, VoxelCell,
    homogenise, keep_largest_component, parameter_for_porosity_shifted, porosity_sweep,
};
use osteon_material::IsotropicElastic;

const OPTIONS: HomogeniseOptions = HomogeniseOptions { threads: 0 };

fn tantalum() -> IsotropicElastic {
    IsotropicElastic::new(186_000.0, 0.34).unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn solid_cell_returns_the_solid_stiffness_to_round_off() {
    let d = tantalum().stiffness();
    let cell = PhaseCell {
        resolution: 4,
        cell_size_mm: 0.8,
        phase: vec![1; 64],
    };
    let h = homogenise(&cell, &[d], OPTIONS).unwrap();
    for i in 0..6 {
        for j in 0..6 {
            assert!(
                (h.stiffness_mpa[i][j] - d[i][j]).abs() < 1e-10 * d[0][0],
                "C[{i}][{j}] = {} vs {}",
                h.stiffness_mpa[i][j],
                d[i][j]
            );
        }
    }
    // a uniform strain loads a uniform solid uniformly: concentration 1 everywhere
    for c in &h.concentration {
        assert!((c.peak - 1.0).abs() < 1e-10 && (c.mean - 1.0).abs() < 1e-10);
    }
}

/// Layers normal to z: 2 of 5 voxel layers of material 1, 3 of material 2.
fn laminate(nu: f64) -> (PhaseCell, IsotropicElastic, IsotropicElastic, f64) {
    let n = 5;
    let phase = (0..n * n * n)
        .map(|v| if v / (n * n) < 2 { 1 } else { 2 })
        .collect();
    let cell = PhaseCell {
        resolution: n,
        cell_size_mm: 1.0,
        phase,
    };
    let a = IsotropicElastic::new(110_000.0, nu).unwrap();
    let b = IsotropicElastic::new(17_000.0, nu).unwrap();
    (cell, a, b, 0.4)
}

#[test]
fn laminate_shear_moduli_are_the_voigt_and_reuss_averages() {
    let (cell, a, b, f) = laminate(0.3);
    let h = homogenise(&cell, &[a.stiffness(), b.stiffness()], OPTIONS).unwrap();
    let c = EffectiveConstants::from_stiffness(&h.stiffness_mpa).unwrap();
    let (ga, gb) = (a.shear_modulus(), b.shear_modulus());
    let voigt = f * ga + (1.0 - f) * gb;
    let reuss = 1.0 / (f / ga + (1.0 - f) / gb);
    let [gxy, gyz, gxz] = c.shear_modulus_mpa;
    assert!(rel(gxy, voigt) < 1e-12, "G_xy {gxy} vs Voigt {voigt}");
    assert!(rel(gyz, reuss) < 1e-12, "G_yz {gyz} vs Reuss {reuss}");
    assert!(rel(gxz, reuss) < 1e-12, "G_xz {gxz} vs Reuss {reuss}");
}

#[test]
fn laminate_young_moduli_are_the_voigt_and_reuss_averages_without_poisson_coupling() {
    // With ν = 0 the layers do not constrain each other's lateral strain, so the in-plane
    // modulus is the Voigt and the through-thickness one the Reuss average, exactly.
    let (cell, a, b, f) = laminate(0.0);
    let h = homogenise(&cell, &[a.stiffness(), b.stiffness()], OPTIONS).unwrap();
    let c = EffectiveConstants::from_stiffness(&h.stiffness_mpa).unwrap();
    let voigt = f * a.e + (1.0 - f) * b.e;
    let reuss = 1.0 / (f / a.e + (1.0 - f) / b.e);
    let [ex, ey, ez] = c.youngs_modulus_mpa;
    assert!(
        rel(ex, voigt) < 1e-12 && rel(ey, voigt) < 1e-12,
        "{ex} {ey} vs {voigt}"
    );
    assert!(rel(ez, reuss) < 1e-12, "{ez} vs {reuss}");
    assert!(h.asymmetry < 1e-12);
}

fn diamond_at(resolution: usize, shift: [f64; 3]) -> PhaseCell {
    let p = parameter_for_porosity_shifted(CellKind::Diamond, 0.72, resolution, shift).unwrap();
    let v = VoxelCell::sample(CellKind::Diamond, p, resolution, 1.0, shift).unwrap();
    let mut cell = PhaseCell::from_cell(&v);
    keep_largest_component(resolution, &mut cell.phase);
    cell
}

#[test]
fn diamond_tensor_is_symmetric_cubic_and_independent_of_the_origin() {
    let solid = tantalum();
    let a = homogenise(&diamond_at(40, [0.0; 3]), &[solid.stiffness()], OPTIONS).unwrap();
    let b = homogenise(
        &diamond_at(40, [0.37, 0.21, 0.13]),
        &[solid.stiffness()],
        OPTIONS,
    )
    .unwrap();
    assert!(a.asymmetry < 1e-12, "asymmetry {}", a.asymmetry);
    assert!(a.residual < 1e-10, "residual {}", a.residual);
    let (ca, cb) = (
        EffectiveConstants::from_stiffness(&a.stiffness_mpa).unwrap(),
        EffectiveConstants::from_stiffness(&b.stiffness_mpa).unwrap(),
    );
    // cubic symmetry of the diamond cell: the three axes agree (voxel staircase aside)
    let e = ca.youngs_modulus_mpa;
    assert!(rel(e[0], e[2]) < 0.01 && rel(e[1], e[2]) < 0.01, "{e:?}");
    // another cell of the same periodic lattice (origin shifted off the grid)
    let (ea, eb) = (ca.mean_youngs_modulus_mpa(), cb.mean_youngs_modulus_mpa());
    assert!(rel(eb, ea) < 0.01, "E {ea} vs shifted {eb}");
    let (ga, gb) = (ca.shear_modulus_mpa[0], cb.shear_modulus_mpa[0]);
    assert!(rel(gb, ga) < 0.01, "G {ga} vs shifted {gb}");
}

#[test]
fn diamond_modulus_converges_with_voxel_resolution() {
    let solid = tantalum();
    let e: Vec<f64> = [32, 48, 64]
        .iter()
        .map(|&n| {
            let h = homogenise(&diamond_at(n, [0.0; 3]), &[solid.stiffness()], OPTIONS).unwrap();
            EffectiveConstants::from_stiffness(&h.stiffness_mpa)
                .unwrap()
                .mean_youngs_modulus_mpa()
        })
        .collect();
    // voxel bricks are stiff in bending: the modulus falls as the struts are resolved
    assert!(e[0] > e[1] && e[1] > e[2], "{e:?}");
    assert!(rel(e[1], e[2]) < 0.03, "48 → 64 voxels: {e:?}");
}

#[test]
fn scaling_exponents_of_bending_and_stretch_dominated_cells() {
    // Gibson & Ashby (1997): bending-dominated struts E/E_s ∝ (ρ/ρ_s)²; Deshpande, Ashby &
    // Fleck (2001): the stretch-dominated octet truss ∝ ρ/ρ_s — both in the dilute limit,
    // so the fit uses porosities 85–93 %.
    let solid = tantalum();
    let porosities = [0.85, 0.90, 0.93];
    let (_, diamond) = porosity_sweep(CellKind::Diamond, &porosities, 48, &solid, OPTIONS).unwrap();
    let (_, octet) = porosity_sweep(CellKind::Octet, &porosities, 48, &solid, OPTIONS).unwrap();
    assert!((diamond.n - 2.0).abs() < 0.3, "diamond n = {}", diamond.n);
    assert!((octet.n - 1.0).abs() < 0.3, "octet n = {}", octet.n);
    assert!(octet.relative_modulus(0.1) > 2.0 * diamond.relative_modulus(0.1));
}

#[test]
fn loose_island_is_removed_and_a_non_spanning_solid_is_refused() {
    let n = 6;
    let d = tantalum().stiffness();
    // a slab z < 2 spans x and y but not z, plus one voxel floating in the pore
    let mut phase: Vec<u8> = (0..n * n * n).map(|v| u8::from(v / (n * n) < 2)).collect();
    phase[2 + n * (2 + n * 4)] = 1;
    let cell = PhaseCell {
        resolution: n,
        cell_size_mm: 1.0,
        phase: phase.clone(),
    };
    assert!(matches!(
        homogenise(&cell, &[d], OPTIONS),
        Err(LatticeError::Solver(_))
    ));
    assert_eq!(keep_largest_component(n, &mut phase), 1);
    let cell = PhaseCell { phase, ..cell };
    assert!(matches!(
        homogenise(&cell, &[d], OPTIONS),
        Err(LatticeError::NotSpanning)
    ));
}
