//! The design sweep (issue 13): each design is the study it names, a softer prosthesis moves
//! more, the main effect is the spread of the means, and no design on the Pareto front is
//! dominated.

use osteon_assembly::Silent;
use osteon_biomech::design::{
    DesignSpec, DesignSweep, band_distance_um, design_markdown, design_study, designs,
    run_design_sweep,
};
use osteon_biomech::{InterfaceModel, MeshSpec, Study, run_study};

/// The coarse tibia (6 mm), frictional docking faces and flange (the default); the sweep
/// sets the cases. One of the two designs below made the contact Newton cycle before it cut
/// back steps that do not lower the residual (crates/contact/src/newton.rs).
fn coarse_base() -> Study {
    Study {
        mesh: MeshSpec {
            size_mm: 6.0,
            far_factor: 2.0,
            ..MeshSpec::default()
        },
        interface: InterfaceModel::frictional(0.74),
        ..Study::default()
    }
}

#[test]
fn a_modulus_sweep_names_its_designs_and_their_trade_off() {
    let base = coarse_base();
    let spec = DesignSpec {
        sweep: DesignSweep {
            modulus_mpa: vec![3000.0, 30000.0],
            ..DesignSweep::default()
        },
        ..DesignSpec::default()
    };
    let r = run_design_sweep(&spec, &base, &mut Silent).expect("sweep runs");
    assert_eq!(r.results.len(), 2);
    let (soft, stiff) = (&r.results[0], &r.results[1]);
    eprintln!("{}", design_markdown(&r));
    // a softer prosthesis moves more against the bone, at both weight-bearings
    assert!(soft.micromotion_p95_um[1] > stiff.micromotion_p95_um[1]);
    assert!(soft.micromotion_p95_um[0] > stiff.micromotion_p95_um[0]);
    // more load, more motion
    assert!(soft.micromotion_p95_um[1] > soft.micromotion_p95_um[0]);
    // the design's numbers are those of the study it names, run on its own
    let design = &designs(&spec, &base)[1];
    let direct = run_study(&design_study(&base, &spec, design), &mut Silent)
        .expect("study runs")
        .report;
    let p95 = direct.cases[1]
        .metrics
        .micromotion
        .statistics()
        .expect("frictional")
        .p95_um;
    assert!((p95 - stiff.micromotion_p95_um[1]).abs() <= 1e-9 * p95);
    let daily = direct.daily.as_ref().expect("daily loading");
    assert_eq!(
        daily.shielding.near_fraction_below_lazy_zone,
        stiff.daily_near_below_lazy_zone
    );
    // one variable: its main effect is the difference of the two designs
    assert_eq!(r.effects.len(), 1);
    let diff = (soft.micromotion_p95_um[1] - stiff.micromotion_p95_um[1]).abs();
    assert!((r.effects[0].spread_um - diff).abs() < 1e-9 * diff);
    // no design on the Pareto front is dominated by a safe, held design
    for a in r.results.iter().filter(|d| d.pareto) {
        for b in r
            .results
            .iter()
            .filter(|d| d.safe.iter().all(|&s| s) && d.migration_max_mm < r.migration_limit_mm)
        {
            let better = band_distance_um(b.micromotion_p95_um[1])
                <= band_distance_um(a.micromotion_p95_um[1])
                && b.daily_near_below_lazy_zone <= a.daily_near_below_lazy_zone
                && (band_distance_um(b.micromotion_p95_um[1])
                    < band_distance_um(a.micromotion_p95_um[1])
                    || b.daily_near_below_lazy_zone < a.daily_near_below_lazy_zone);
            assert!(
                !better,
                "{} dominated by {}",
                a.design.label, b.design.label
            );
        }
    }
    // feasible means in the band, held and safe
    for d in &r.results {
        let in_band = (50.0..=100.0).contains(&d.micromotion_p95_um[1]);
        assert_eq!(d.in_band, in_band);
        assert_eq!(
            d.feasible,
            in_band && d.migration_max_mm < 2.0 && d.safe.iter().all(|&s| s)
        );
    }
}

#[test]
fn a_bad_design_file_names_the_line() {
    let err =
        DesignSpec::from_toml_str("[sweep]\nmodulus = [1.0]\n", "d.toml").expect_err("unknown key");
    let text = err.to_string();
    assert!(text.contains("d.toml:2"), "{text}");
    let err = DesignSpec::from_toml_str(
        "[sweep]\nmodulus_mpa = [1000.0]\nporosity = [0.7]\n",
        "d.toml",
    )
    .expect_err("both");
    assert!(err.to_string().contains("not both"), "{err}");
    let err = DesignSpec::from_toml_str(
        "# a sweep\n[sweep]\nflange_thickness_mm = [3.0, -1.0]\n",
        "d.toml",
    )
    .expect_err("negative thickness");
    assert!(err.to_string().contains("d.toml:3"), "{err}");
}
