//! Porous tantalum (Gibson–Ashby) and the named material library, against the numbers of
//! biomechanics.md written out by hand.

// Index loops mirror the matrix formulas (D[i][j]) and read better than iterators here.
#![allow(clippy::needless_range_loop)]

use osteon_material::library::{self, POROUS_TA_MODULUS_SWEEP_MPA};
use osteon_material::{
    Elastic, GibsonAshby, IsotropicElastic, MaterialError, OrthotropicElastic, PorousTantalum,
};

#[test]
fn gibson_ashby_seed_design_is_14_6_gpa_in_clinical_range() {
    let ta = PorousTantalum::from_porosity(0.72).unwrap();
    // 186000 MPa · 0.28² = 14582.4 MPa (biomechanics.md §4, derived).
    let e = ta.modulus();
    assert!((e - 14582.4).abs() < 1e-9, "E = {e}");
    // Inside the seed's "design E 10–30 GPa" (biomechanics.md §0) ...
    assert!((10_000.0..=30_000.0).contains(&e));
    // ... but far above the measured SLM lattices, 1.30–5.72 GPa (IJB 2023, §4): the
    // documented conflict.
    assert!(e > 5720.0);
    assert!((ta.relative_density() - 0.28).abs() < 1e-15);
    match ta.to_elastic() {
        Elastic::Isotropic(IsotropicElastic { e: ee, nu }) => {
            assert_eq!(ee, e);
            assert_eq!(nu, 0.3);
        }
        other => panic!("expected isotropic, got {other:?}"),
    }
    // Density 0.28 · 16.6e-9 t/mm³ (derived).
    assert!((ta.density() - 0.28 * 16.6e-9).abs() < 1e-24);
    // The library's seed material is the same.
    let m = library::porous_tantalum_seed();
    assert!((m.stiffness()[3][3] - 14582.4 / 2.6).abs() < 1e-9);
    assert_eq!(m.density, Some(ta.density()));
}

#[test]
fn gibson_ashby_relation() {
    let ga = GibsonAshby::default();
    assert_eq!((ga.c, ga.n), (1.0, 2.0));
    assert_eq!(ga.relative_modulus(1.0).unwrap(), 1.0);
    assert_eq!(ga.relative_modulus(0.0).unwrap(), 0.0);
    assert!((ga.relative_modulus(0.5).unwrap() - 0.25).abs() < 1e-15);
    let ga3 = GibsonAshby::new(0.5, 3.0).unwrap();
    assert!((ga3.relative_modulus(0.2).unwrap() - 0.5 * 0.008).abs() < 1e-15);
    assert!(ga.relative_modulus(1.1).is_err());
    assert!(ga.relative_modulus(-0.1).is_err());
    assert!(ga.relative_modulus(f64::NAN).is_err());
    assert!(GibsonAshby::new(0.0, 2.0).is_err());
    assert!(GibsonAshby::new(1.0, f64::INFINITY).is_err());
    // Scaling law used by PorousTantalum.
    let mut ta = PorousTantalum::from_porosity(0.8).unwrap();
    ta.scaling = ga3;
    assert!((ta.modulus() - 0.5 * 186000.0 * 0.2_f64.powi(3)).abs() < 1e-9);
}

#[test]
fn measured_modulus_overrides_scaling() {
    let ta = PorousTantalum::with_measured_modulus(0.72, 3000.0).unwrap();
    assert_eq!(ta.modulus(), 3000.0);
    assert_eq!(ta.porosity, 0.72);
    match ta.to_elastic() {
        Elastic::Isotropic(law) => assert_eq!(law.e, 3000.0),
        other => panic!("expected isotropic, got {other:?}"),
    }
    assert!(PorousTantalum::with_measured_modulus(0.72, 0.0).is_err());
    assert!(PorousTantalum::with_measured_modulus(0.72, f64::NAN).is_err());
    assert!(PorousTantalum::with_measured_modulus(1.0, 3000.0).is_err());
}

#[test]
fn porosity_out_of_range_is_error() {
    for p in [0.0, 1.0, -0.2, 1.5, f64::NAN] {
        assert!(
            matches!(
                PorousTantalum::from_porosity(p),
                Err(MaterialError::InvalidParameter {
                    name: "porosity",
                    ..
                })
            ),
            "p = {p}"
        );
    }
}

#[test]
fn library_values_match_reference() {
    let iso = |m: &osteon_material::Material| match &m.elastic {
        Elastic::Isotropic(law) => (law.e, law.nu),
        other => panic!("{}: expected isotropic, got {other:?}", m.name),
    };
    assert_eq!(iso(&library::cortical_bone()), (17000.0, 0.3));
    assert_eq!(library::cortical_bone().density, None);
    assert_eq!(iso(&library::cancellous_bone()), (400.0, 0.3));
    assert_eq!(iso(&library::dense_tantalum()), (186000.0, 0.34));
    assert_eq!(library::dense_tantalum().density, Some(16.6e-9));
    assert_eq!(iso(&library::ti6al4v()), (110000.0, 0.34));
    assert_eq!(library::ti6al4v().density, Some(4.43e-9));
    assert_eq!(library::TI6AL4V_YIELD_MPA, 795.0);
    assert_eq!(library::POROUS_TA_STATIC_STRENGTH_MPA, 20.0);
    assert_eq!(library::POROUS_TA_FATIGUE_STRENGTH_MPA, 10.0);
    assert_eq!(library::POROUS_TA_FATIGUE_CYCLES, 1e6);
    assert_eq!(
        POROUS_TA_MODULUS_SWEEP_MPA,
        [1300.0, 3000.0, 10000.0, 14600.0, 30000.0]
    );
    // Every library material is admissible and named after its function.
    let names: Vec<String> = library::all().into_iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            "cortical_bone",
            "cortical_bone_transversely_isotropic",
            "cortical_bone_orthotropic_ashman1984",
            "cancellous_bone",
            "dense_tantalum",
            "porous_tantalum_seed",
            "ti6al4v"
        ]
    );
    for m in library::all() {
        m.validate().unwrap_or_else(|e| panic!("{}: {e}", m.name));
    }
}

#[test]
fn cortical_transversely_isotropic_transcription() {
    let m = library::cortical_bone_transversely_isotropic();
    let Elastic::Orthotropic(law) = &m.elastic else {
        panic!("expected orthotropic (G12 is not E1/(2(1+ν12)))");
    };
    assert_eq!(
        law,
        &OrthotropicElastic {
            e1: 11500.0,
            e2: 11500.0,
            e3: 17000.0,
            nu12: 0.58,
            nu13: 0.31,
            nu23: 0.31,
            g12: 3600.0,
            g13: 3300.0,
            g23: 3300.0,
        }
    );
    // Isotropy of the 1-2 plane would need G12 = 11500 / (2 · 1.58) = 3639.24 MPa.
    let g12_iso: f64 = 11500.0 / 3.16;
    assert!((g12_iso - 3639.2405).abs() < 1e-4);
    assert!((law.g12 - g12_iso).abs() > 30.0);
    // Positive definite with the Abaqus reading of ν13:
    // ν21 = 0.58, ν31 = ν32 = 0.31·17000/11500;
    // 1 − ν12ν21 − ν23ν32 − ν31ν13 − 2ν21ν32ν13 = 0.21469 > 0.
    let nu31: f64 = 0.31 * 17000.0 / 11500.0;
    let det = 1.0 - 0.58 * 0.58 - 2.0 * 0.31 * nu31 - 2.0 * 0.58 * nu31 * 0.31;
    assert!((det - 0.214_687_652_2).abs() < 1e-9, "{det}");
    assert!((law.determinant_factor() - det).abs() < 1e-14);
    m.validate().unwrap();
}

#[test]
fn ashman_orthotropic_is_positive_definite() {
    let m = library::cortical_bone_orthotropic_ashman1984();
    m.validate().unwrap();
    let d = m.stiffness();
    assert_eq!((d[3][3], d[4][4], d[5][5]), (4530.0, 6230.0, 5610.0));
}
