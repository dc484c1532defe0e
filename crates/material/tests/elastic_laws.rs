//! Elastic laws against closed forms written out in the tests (Lamé form, compliance from
//! the definitions of E, ν, G), not against what the code computed.

// Index loops mirror the matrix formulas (D[i][j]) and read better than iterators here.
#![allow(clippy::needless_range_loop)]

use osteon_material::voigt::{identity, inverse_spd, mat_mul, mat_vec};
use osteon_material::{
    AnisotropicElastic, Elastic, ElasticLaw, IsotropicElastic, Material, MaterialError,
    OrthotropicElastic, TransverselyIsotropicElastic, Voigt6x6, check_positive_definite, library,
};

/// Textbook Lamé stiffness: λ+2μ on the normal diagonal, λ off it, μ on the shear
/// diagonal (engineering shear).
fn lame_stiffness(e: f64, nu: f64) -> Voigt6x6 {
    let lambda = e * nu / ((1.0 + nu) * (1.0 - 2.0 * nu));
    let mu = e / (2.0 * (1.0 + nu));
    let mut d = [[0.0; 6]; 6];
    for i in 0..3 {
        for j in 0..3 {
            d[i][j] = lambda;
        }
        d[i][i] = lambda + 2.0 * mu;
    }
    for i in 3..6 {
        d[i][i] = mu;
    }
    d
}

/// Orthotropic compliance (1/MPa) from the definitions, Abaqus ν_ij, our Voigt order
/// (xx, yy, zz, xy, yz, xz): slot 3 = 1/G12, slot 4 = 1/G23, slot 5 = 1/G13.
#[allow(clippy::too_many_arguments)]
fn hand_compliance(
    e1: f64,
    e2: f64,
    e3: f64,
    nu12: f64,
    nu13: f64,
    nu23: f64,
    g12: f64,
    g13: f64,
    g23: f64,
) -> Voigt6x6 {
    let mut s = [[0.0; 6]; 6];
    s[0][0] = 1.0 / e1;
    s[1][1] = 1.0 / e2;
    s[2][2] = 1.0 / e3;
    // ε_j = −ν_ij σ_i / E_i → S[j][i] = −ν_ij / E_i (and symmetric).
    s[1][0] = -nu12 / e1;
    s[0][1] = s[1][0];
    s[2][0] = -nu13 / e1;
    s[0][2] = s[2][0];
    s[2][1] = -nu23 / e2;
    s[1][2] = s[2][1];
    s[3][3] = 1.0 / g12;
    s[4][4] = 1.0 / g23;
    s[5][5] = 1.0 / g13;
    s
}

fn assert_matrix_close(a: &Voigt6x6, b: &Voigt6x6, abs_tol: f64, what: &str) {
    for i in 0..6 {
        for j in 0..6 {
            assert!(
                (a[i][j] - b[i][j]).abs() <= abs_tol,
                "{what}: entry ({i},{j}): {} vs {} (tol {abs_tol})",
                a[i][j],
                b[i][j]
            );
        }
    }
}

fn assert_identity(p: &Voigt6x6, tol: f64, what: &str) {
    assert_matrix_close(p, &identity(), tol, what);
}

fn ashman() -> OrthotropicElastic {
    OrthotropicElastic::new(
        [12000.0, 13400.0, 20000.0],
        [0.376, 0.222, 0.235],
        [4530.0, 5610.0, 6230.0],
    )
    .unwrap()
}

#[test]
fn isotropic_matches_lame_form() {
    for (e, nu) in [
        (17000.0, 0.3),
        (400.0, 0.3),
        (186000.0, 0.34),
        (1.0, -0.5),
        (5.0, 0.49),
    ] {
        let law = IsotropicElastic::new(e, nu).unwrap();
        let expected = lame_stiffness(e, nu);
        assert_matrix_close(&law.stiffness(), &expected, 1e-12 * e, "isotropic D");
        assert_matrix_close(
            &ElasticLaw::stiffness(&law),
            &expected,
            1e-12 * e,
            "trait D",
        );
    }
    // Spot values for cortical bone: λ = 17000·0.3/(1.3·0.4), μ = 17000/2.6.
    let d = IsotropicElastic::new(17000.0, 0.3).unwrap().stiffness();
    let lambda = 17000.0 * 0.3 / (1.3 * 0.4);
    let mu = 17000.0 / 2.6;
    assert!((d[0][0] - (lambda + 2.0 * mu)).abs() < 1e-9);
    assert!((d[1][2] - lambda).abs() < 1e-9);
    for i in 3..6 {
        assert!((d[i][i] - mu).abs() < 1e-9);
    }
    assert_eq!(d[0][3], 0.0);
}

#[test]
fn stiffness_times_compliance_is_identity_for_every_law() {
    // Isotropic: closed-form S.
    let iso = IsotropicElastic::new(17000.0, 0.3).unwrap();
    let s_iso = hand_compliance(
        17000.0,
        17000.0,
        17000.0,
        0.3,
        0.3,
        0.3,
        17000.0 / 2.6,
        17000.0 / 2.6,
        17000.0 / 2.6,
    );
    assert_identity(&mat_mul(&iso.stiffness(), &s_iso), 1e-12, "isotropic D·S");

    // Transversely isotropic: G12 = E_p/(2(1+ν_p)).
    let ti = TransverselyIsotropicElastic::new(11500.0, 17000.0, 0.58, 0.31, 3300.0).unwrap();
    let g12 = 11500.0 / (2.0 * 1.58);
    let s_ti = hand_compliance(
        11500.0, 11500.0, 17000.0, 0.58, 0.31, 0.31, g12, 3300.0, 3300.0,
    );
    assert_identity(&mat_mul(&ti.stiffness(), &s_ti), 1e-12, "TI D·S");

    // Orthotropic (Ashman 1984).
    let ortho = ashman();
    let s_ortho = hand_compliance(
        12000.0, 13400.0, 20000.0, 0.376, 0.222, 0.235, 4530.0, 5610.0, 6230.0,
    );
    assert_identity(&mat_mul(&ortho.stiffness(), &s_ortho), 1e-12, "ortho D·S");

    // Anisotropic: D = inverse of a hand compliance with a coupling term, S from the code.
    let mut s_aniso = s_ortho;
    s_aniso[0][3] = 1e-6;
    s_aniso[3][0] = 1e-6;
    let d_aniso = inverse_spd(&s_aniso).unwrap();
    let aniso = AnisotropicElastic::new(d_aniso).unwrap();
    let s_code = aniso.compliance().unwrap();
    assert_identity(&mat_mul(&aniso.stiffness(), &s_code), 1e-12, "aniso D·S");
    assert_matrix_close(&s_code, &s_aniso, 1e-15, "aniso S round trip");

    // Every law through the Elastic enum and every library material: D·S = I, and the
    // code's compliance equals the hand one for the engineering-constant laws.
    let cases: Vec<(Elastic, Option<Voigt6x6>)> = vec![
        (Elastic::Isotropic(iso), Some(s_iso)),
        (Elastic::TransverselyIsotropic(ti), Some(s_ti)),
        (Elastic::Orthotropic(ortho), Some(s_ortho)),
        (Elastic::Anisotropic(aniso), Some(s_aniso)),
    ];
    for (law, hand) in cases {
        let s = law.compliance().unwrap();
        assert_identity(&mat_mul(&law.stiffness(), &s), 1e-12, &law.describe());
        if let Some(h) = hand {
            assert_matrix_close(&s, &h, 1e-15, &law.describe());
        }
    }
    for m in library::all() {
        let s = m.compliance().unwrap();
        assert_identity(&mat_mul(&m.stiffness(), &s), 1e-12, &m.name);
    }
}

#[test]
fn orthotropic_with_isotropic_constants_reproduces_isotropic() {
    for (e, nu) in [(17000.0, 0.3), (400.0, 0.2), (186000.0, 0.34)] {
        let g = e / (2.0 * (1.0 + nu));
        let ortho = OrthotropicElastic::new([e; 3], [nu; 3], [g; 3]).unwrap();
        assert_matrix_close(
            &ortho.stiffness(),
            &lame_stiffness(e, nu),
            1e-12 * e,
            "ortho → iso",
        );
        let ti = TransverselyIsotropicElastic::new(e, e, nu, nu, g).unwrap();
        assert_matrix_close(
            &ti.stiffness(),
            &lame_stiffness(e, nu),
            1e-12 * e,
            "TI → iso",
        );
    }
}

#[test]
fn transversely_isotropic_equals_orthotropic_with_derived_g12() {
    let ti = TransverselyIsotropicElastic::new(11500.0, 17000.0, 0.58, 0.31, 3300.0).unwrap();
    let g12 = 11500.0 / (2.0 * (1.0 + 0.58));
    assert!((ti.g_p() - g12).abs() < 1e-12);
    assert!((ti.nu_tp() - 0.31 * 17000.0 / 11500.0).abs() < 1e-15);
    let ortho = OrthotropicElastic::new(
        [11500.0, 11500.0, 17000.0],
        [0.58, 0.31, 0.31],
        [g12, 3300.0, 3300.0],
    )
    .unwrap();
    assert_matrix_close(&ti.stiffness(), &ortho.stiffness(), 1e-9, "TI vs ortho");
    // In-plane isotropy: D11 = D22, D13 = D23, and (D11 − D12)/2 = G12.
    let d = ti.stiffness();
    assert!((d[0][0] - d[1][1]).abs() < 1e-9);
    assert!((d[0][2] - d[1][2]).abs() < 1e-9);
    assert!(((d[0][0] - d[0][1]) / 2.0 - g12).abs() < 1e-9);
}

#[test]
fn uniaxial_stress_gives_abaqus_poisson_strains() {
    let law = ashman();
    let sigma1 = 10.0; // MPa
    let sigma = [sigma1, 0.0, 0.0, 0.0, 0.0, 0.0];
    let expected = [
        sigma1 / 12000.0,
        -0.376 * sigma1 / 12000.0, // ε2 = −ν12 σ1 / E1
        -0.222 * sigma1 / 12000.0, // ε3 = −ν13 σ1 / E1
        0.0,
        0.0,
        0.0,
    ];
    // Through the closed-form compliance, and through the numerical inverse of D.
    let s_closed = Elastic::Orthotropic(law.clone()).compliance().unwrap();
    let s_inverse = inverse_spd(&law.stiffness()).unwrap();
    for s in [s_closed, s_inverse] {
        let eps = mat_vec(&s, &sigma);
        for k in 0..6 {
            assert!(
                (eps[k] - expected[k]).abs() < 1e-15,
                "ε[{k}] = {} vs {}",
                eps[k],
                expected[k]
            );
        }
    }
    // And back: D ε = σ.
    let back = mat_vec(&law.stiffness(), &expected);
    for k in 0..6 {
        assert!((back[k] - sigma[k]).abs() < 1e-10, "σ[{k}] = {}", back[k]);
    }
    // Uniaxial σ3: ε1 = −ν31 σ3 / E3 = −ν13 σ3 / E1 (symmetry), ε2 = −ν23 σ3 / E2.
    let eps = mat_vec(&law.compliance(), &[0.0, 0.0, sigma1, 0.0, 0.0, 0.0]);
    assert!((eps[0] + 0.222 * sigma1 / 12000.0).abs() < 1e-15);
    assert!((eps[1] + 0.235 * sigma1 / 13400.0).abs() < 1e-15);
    assert!((eps[2] - sigma1 / 20000.0).abs() < 1e-15);
    // Pure shear in each plane picks the right G: γ_xy = τ/G12, γ_yz = τ/G23, γ_xz = τ/G13.
    let s = law.compliance();
    assert_eq!(
        mat_vec(&s, &[0.0, 0.0, 0.0, 1.0, 0.0, 0.0])[3],
        1.0 / 4530.0
    );
    assert_eq!(
        mat_vec(&s, &[0.0, 0.0, 0.0, 0.0, 1.0, 0.0])[4],
        1.0 / 6230.0
    );
    assert_eq!(
        mat_vec(&s, &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0])[5],
        1.0 / 5610.0
    );
}

#[test]
fn abaqus_engineering_constants_order() {
    let law = OrthotropicElastic::from_abaqus_engineering_constants([
        1.0e4, 2.0e4, 3.0e4, 0.1, 0.2, 0.3, 4.0e3, 5.0e3, 6.0e3,
    ])
    .unwrap();
    assert_eq!(
        (law.e1, law.e2, law.e3, law.nu12, law.nu13, law.nu23),
        (1.0e4, 2.0e4, 3.0e4, 0.1, 0.2, 0.3)
    );
    assert_eq!((law.g12, law.g13, law.g23), (4.0e3, 5.0e3, 6.0e3));
    let d = law.stiffness();
    assert_eq!(d[3][3], 4.0e3); // xy ← G12
    assert_eq!(d[4][4], 6.0e3); // yz ← G23
    assert_eq!(d[5][5], 5.0e3); // xz ← G13
    assert_eq!(
        law.to_abaqus_engineering_constants(),
        [1.0e4, 2.0e4, 3.0e4, 0.1, 0.2, 0.3, 4.0e3, 5.0e3, 6.0e3]
    );
}

#[test]
fn abaqus_orthotropic_maps_shear_terms_into_voigt_order() {
    // D1111, D1122, D2222, D1133, D2233, D3333, D1212, D1313, D2323 (MPa), distinct.
    let c = [
        20000.0, 8000.0, 21000.0, 7000.0, 7500.0, 25000.0, 4500.0, 5600.0, 6200.0,
    ];
    let law = AnisotropicElastic::from_abaqus_orthotropic(c).unwrap();
    let d = law.d;
    assert_eq!(d[0][0], 20000.0);
    assert_eq!(d[1][1], 21000.0);
    assert_eq!(d[2][2], 25000.0);
    assert_eq!((d[0][1], d[1][0]), (8000.0, 8000.0));
    assert_eq!((d[0][2], d[2][0]), (7000.0, 7000.0));
    assert_eq!((d[1][2], d[2][1]), (7500.0, 7500.0));
    assert_eq!(d[3][3], 4500.0, "D1212 → xy (3,3)");
    assert_eq!(d[4][4], 6200.0, "D2323 → yz (4,4)");
    assert_eq!(d[5][5], 5600.0, "D1313 → xz (5,5)");
    for i in 0..6 {
        for j in 0..6 {
            if i != j && (i >= 3 || j >= 3) {
                assert_eq!(d[i][j], 0.0, "({i},{j})");
            }
        }
    }
    // An orthotropic law written as an Abaqus ORTHOTROPIC D-matrix round-trips.
    let ortho = ashman();
    let od = ortho.stiffness();
    let from_abaqus = AnisotropicElastic::from_abaqus_orthotropic([
        od[0][0], od[0][1], od[1][1], od[0][2], od[1][2], od[2][2], 4530.0, 5610.0, 6230.0,
    ])
    .unwrap();
    assert_eq!(from_abaqus.d, od);
}

#[test]
fn abaqus_anisotropic_order() {
    // Abaqus ANISOTROPIC lower triangle by columns of 11,22,33,12,13,23; put k+1 at the
    // k-th position on a diagonally dominant matrix so it is positive definite.
    let mut c = [0.0; 21];
    for (k, x) in c.iter_mut().enumerate() {
        *x = (k + 1) as f64;
    }
    // Diagonal positions in that list: D1111=0, D2222=2, D3333=5, D1212=9, D1313=14,
    // D2323=20.
    for k in [0, 2, 5, 9, 14, 20] {
        c[k] = 1000.0 + k as f64;
    }
    let d = AnisotropicElastic::from_abaqus_anisotropic(c).unwrap().d;
    assert_eq!(d[0][0], 1000.0); // D1111
    assert_eq!(d[0][1], 2.0); // D1122
    assert_eq!(d[0][2], 4.0); // D1133
    assert_eq!(d[1][2], 5.0); // D2233
    assert_eq!(d[0][3], 7.0); // D1112 → (xx, xy)
    assert_eq!(d[3][3], 1009.0); // D1212 → xy
    assert_eq!(d[0][5], 11.0); // D1113 → (xx, xz)
    assert_eq!(d[3][5], 14.0); // D1213 → (xy, xz)
    assert_eq!(d[5][5], 1014.0); // D1313 → xz
    assert_eq!(d[0][4], 16.0); // D1123 → (xx, yz)
    assert_eq!(d[3][4], 19.0); // D1223 → (xy, yz)
    assert_eq!(d[5][4], 20.0); // D1323 → (xz, yz)
    assert_eq!(d[4][4], 1020.0); // D2323 → yz
}

#[test]
fn anisotropic_rejects_asymmetric_and_indefinite() {
    let mut d = lame_stiffness(1000.0, 0.3);
    d[0][4] = 1.0;
    match AnisotropicElastic::new(d) {
        Err(MaterialError::NotSymmetric { row, col, .. }) => assert_eq!((row, col), (0, 4)),
        other => panic!("expected NotSymmetric, got {other:?}"),
    }
    // Within 1e-9 relative: accepted and symmetrised.
    let mut d = lame_stiffness(1000.0, 0.3);
    d[0][1] += 1e-7;
    let law = AnisotropicElastic::new(d).unwrap();
    assert_eq!(law.d[0][1], law.d[1][0]);
    assert!(law.is_symmetric());
    // Indefinite: negative shear.
    let mut d = lame_stiffness(1000.0, 0.3);
    d[5][5] = -1.0;
    let err = AnisotropicElastic::new(d).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("anisotropic elastic"), "{msg}");
    assert!(msg.contains("pivot 5 (xz)"), "{msg}");
}

#[test]
fn isotropic_nu_half_is_not_positive_definite() {
    let err = IsotropicElastic::new(17000.0, 0.5).unwrap_err();
    assert!(matches!(err, MaterialError::NotPositiveDefinite { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("isotropic elastic (E = 17000 MPa, nu = 0.5)"),
        "{msg}"
    );
    assert!(IsotropicElastic::new(17000.0, -1.0).is_err());
    assert!(IsotropicElastic::new(17000.0, 0.7).is_err());
    assert!(matches!(
        IsotropicElastic::new(0.0, 0.3),
        Err(MaterialError::InvalidParameter { name: "E", .. })
    ));
    assert!(IsotropicElastic::new(f64::NAN, 0.3).is_err());
    assert!(IsotropicElastic::new(1.0, f64::NAN).is_err());
}

#[test]
fn orthotropic_inadmissible_poisson_ratios_are_errors() {
    // ν12 = 1.5 with E1 = E2: 1 − ν12ν21 < 0.
    let err = OrthotropicElastic::new([1000.0; 3], [1.5, 0.3, 0.3], [400.0; 3]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, MaterialError::NotPositiveDefinite { .. }));
    assert!(msg.contains("orthotropic elastic"), "{msg}");
    assert!(msg.contains("nu12 = 1.5"), "{msg}");
    assert!(msg.contains("pivot 1 (yy)"), "{msg}");
    // All ν = 0.5 with equal E: 1/Υ = 1 − 3/4 − 2/8 = 0 → singular.
    assert!(OrthotropicElastic::new([1000.0; 3], [0.5; 3], [400.0; 3]).is_err());
    // ν13 just above √(E1/E3).
    assert!(
        OrthotropicElastic::new([1000.0, 1000.0, 4000.0], [0.0, 0.51, 0.0], [400.0; 3]).is_err()
    );
    assert!(
        OrthotropicElastic::new([1000.0, 1000.0, 4000.0], [0.0, 0.49, 0.0], [400.0; 3]).is_ok()
    );
    // Non-positive moduli.
    assert!(matches!(
        OrthotropicElastic::new([1000.0, -1.0, 1000.0], [0.3; 3], [400.0; 3]),
        Err(MaterialError::InvalidParameter { name: "E2", .. })
    ));
    assert!(matches!(
        OrthotropicElastic::new([1000.0; 3], [0.3; 3], [400.0, 400.0, 0.0]),
        Err(MaterialError::InvalidParameter { name: "G23", .. })
    ));
    // Transversely isotropic: ν_p = 1.2 and an inadmissible ν_pt.
    let err = TransverselyIsotropicElastic::new(1000.0, 1000.0, 1.2, 0.3, 400.0).unwrap_err();
    assert!(err.to_string().contains("transversely isotropic"), "{err}");
    let err = TransverselyIsotropicElastic::new(1000.0, 1000.0, 0.3, 0.9, 400.0).unwrap_err();
    assert!(err.to_string().contains("transversely isotropic"), "{err}");
}

#[test]
fn material_errors_name_the_material() {
    let mut law = ashman();
    law.nu12 = 1.5; // edited after construction
    let m = Material::new("broken_femur", Elastic::Orthotropic(law));
    let err = m.validate().unwrap_err();
    assert!(err.to_string().contains("broken_femur"), "{err}");
    let err = m.compliance().unwrap_err();
    assert!(err.to_string().contains("broken_femur"), "{err}");
    let mut d = lame_stiffness(1000.0, 0.3);
    d[2][2] = 0.0;
    let err = check_positive_definite("my_material", &d).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("my_material") && msg.contains("pivot 2 (zz)"),
        "{msg}"
    );
    let bad_density = library::cortical_bone().with_density(-1.0);
    assert!(bad_density.validate().is_err());
}

#[test]
fn laws_are_object_safe_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Box<dyn ElasticLaw>>();
    assert_send_sync::<Material>();
    let laws: Vec<Box<dyn ElasticLaw>> = vec![
        Box::new(IsotropicElastic::new(400.0, 0.3).unwrap()),
        Box::new(ashman()),
        Box::new(library::ti6al4v()),
        Box::new(library::porous_tantalum_seed().elastic),
    ];
    for law in &laws {
        check_positive_definite("boxed", &law.stiffness()).unwrap();
    }
}
