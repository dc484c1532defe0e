//! The frictional bone–implant interface end to end on a coarse mesh: real micromotion,
//! growing with the load, equilibrium, and the bonded study of the same geometry still
//! reporting micromotion as "not applicable".

use std::time::Instant;

use osteon_assembly::Silent;
use osteon_biomech::metrics::{MicromotionMetric, Status};
use osteon_biomech::{
    InterfaceModel, MeshSpec, Study, build_reconstruction, frictional, migration, run_study,
};

/// The coarse study with the seed's two cases only and no headline analyses.
fn coarse_study(interface: InterfaceModel) -> Study {
    let mut study = Study {
        mesh: MeshSpec {
            size_mm: 6.0,
            far_factor: 2.0,
            ..MeshSpec::default()
        },
        threads: Some(2),
        interface,
        ..Study::default()
    };
    study.loads.activities = Vec::new();
    study.metrics.headline_analyses = false;
    study
}

/// The coarse study with one case: walking with its peak torsion at full weight-bearing, the
/// case that loads the interface in shear.
fn walking_torsion_study(interface: InterfaceModel) -> Study {
    let mut study = coarse_study(interface);
    study.loads.fractions = Vec::new();
    study.loads.activities = vec![osteon_biomech::ActivityCase {
        activity: osteon_biomech::Activity::WalkingTorsion,
        weight_bearing: 1.0,
    }];
    study
}

/// The split gives the prosthesis its own nodes at the docking faces and both pairs faces.
#[test]
fn the_split_duplicates_the_docking_nodes() {
    let study = coarse_study(InterfaceModel::frictional(0.74));
    let rec = build_reconstruction(&study.geometry, &study.defect, &study.implant, &study.mesh)
        .expect("builds");
    let split = frictional::split_docking_interface(&rec, osteon_contact::Friction::coulomb(0.74))
        .expect("splits");
    let docking: usize = ["DISTAL_DOCKING", "PROXIMAL_DOCKING"]
        .iter()
        .map(|s| rec.mesh.node_set(s).expect("set").len())
        .sum();
    assert_eq!(split.copies.len(), docking);
    let m = &split.reconstruction.mesh;
    assert_eq!(m.n_nodes(), rec.mesh.n_nodes() + docking);
    for &(a, c) in &split.copies {
        assert_eq!(m.coords[a], m.coords[c]);
    }
    // no element has both a bone original and its copy; bone keeps its connectivity
    for e in 0..rec.n_bone_elements {
        assert_eq!(m.element(e).nodes, rec.mesh.element(e).nodes);
    }
    assert_eq!(split.pairs.len(), 2);
    assert!(
        split
            .pairs
            .iter()
            .all(|p| !p.slave_faces.is_empty() && p.slave_faces.len() == p.master_faces.len())
    );
}

#[test]
fn frictional_study_reports_real_micromotion() {
    let t = Instant::now();
    let run = run_study(&coarse_study(InterfaceModel::frictional(0.74)), &mut Silent)
        .expect("frictional study runs");
    let seconds = t.elapsed().as_secs_f64();
    let r = &run.report;
    assert_eq!(r.cases.len(), 2);
    let mut peaks = Vec::new();
    for case in &r.cases {
        let m = &case.metrics;
        eprintln!(
            "{}: equilibrium {:.2e} (applied {:?} N)",
            m.name, m.equilibrium.relative_error, m.equilibrium.applied_n
        );
        assert!(
            m.equilibrium.relative_error < 1e-6,
            "{}: reactions vs load {:?}",
            m.name,
            m.equilibrium
        );
        match &m.micromotion {
            MicromotionMetric::Computed(motion) => {
                let s = &motion.all;
                let (max_um, mean_um, p95_um) = (s.max_um, s.mean_um, s.p95_um);
                eprintln!(
                    "{}: micromotion max {max_um:.4} µm, mean {mean_um:.4} µm, p95 {p95_um:.4} µm, area per band {:?}, stick/slip/open {:?}",
                    m.name,
                    s.bands.as_array(),
                    s.status
                );
                for v in [max_um, mean_um, p95_um] {
                    assert!(v.is_finite() && v > 0.0, "{}: {v}", m.name);
                }
                assert!(mean_um <= max_um && p95_um <= max_um);
                // the bands and the histogram partition the interface area
                let bands: f64 = s.bands.as_array().iter().sum();
                assert!((bands - 1.0).abs() < 1e-9, "{bands}");
                let total: f64 = s.histogram.area_fraction.iter().sum();
                assert!((total - 1.0).abs() < 1e-9, "{total}");
                // both docking faces, whose areas add up to the whole the checks judge, and
                // the flange–bone pair (the default frictional flange) reported beside them
                assert_eq!(motion.interfaces.len(), 3);
                assert!(
                    motion
                        .interfaces
                        .iter()
                        .any(|i| i.interface == "flange–bone")
                );
                let parts: f64 = motion
                    .interfaces
                    .iter()
                    .filter(|i| osteon_biomech::frictional::is_docking_pair(&i.interface))
                    .map(|i| i.area_mm2)
                    .sum();
                assert!((parts - s.area_mm2).abs() < 1e-9 * s.area_mm2);
                peaks.push((max_um, mean_um));
            }
            other => panic!("{}: expected computed micromotion, got {other:?}", m.name),
        }
        let check = case
            .checks
            .iter()
            .find(|c| c.criterion.to_lowercase().contains("micromotion"))
            .expect("a micromotion check");
        assert_ne!(check.status, Status::NotApplicable);
        assert!(m.interfaces.iter().all(|i| i.max_mm.is_finite()));
    }
    assert!(
        peaks[1].0 >= peaks[0].0 && peaks[1].1 >= peaks[0].1,
        "100 % BW micromotion must not be below 50 % BW: {peaks:?}"
    );
    assert_eq!(r.contact.len(), 2);
    // a sticking, closed interface is linear: micromotion doubles from 50 % to 100 % BW
    if r.contact.iter().all(|c| c.contact_stick_slip[2] == 0) {
        let ratio = peaks[1].0 / peaks[0].0;
        assert!((ratio - 2.0).abs() < 0.02, "all stick, ratio {ratio}");
    }
    eprintln!("frictional coarse study: {seconds:.1} s; {:?}", r.contact);
    // migration is computed, and far below the seed's 2 mm
    for case in &r.cases {
        let f = case
            .metrics
            .migration
            .largest()
            .expect("migration computed");
        eprintln!("{}: migration {f:?}", case.metrics.name);
        assert!(f.magnitude_mm.is_finite() && f.magnitude_mm < 2.0);
    }
    // the VTU carries the prosthesis-minus-bone displacement of the docking pairs, equal
    // on both nodes of a pair
    let mut run = run;
    let dir = tempfile::tempdir().expect("temp dir");
    osteon_biomech::write_study_outputs(
        &mut run,
        dir.path(),
        &osteon_biomech::OutputOptions::from_study(&coarse_study(InterfaceModel::frictional(0.74))),
    )
    .expect("writes");
    let vtu = std::fs::read_to_string(dir.path().join("implanted_case2.vtu")).expect("vtu");
    assert!(vtu.contains("Name=\"interface_relative_displacement\""));
    let docking: usize = ["DISTAL_DOCKING", "PROXIMAL_DOCKING"]
        .iter()
        .map(|s| run.reconstruction.mesh.node_set(s).expect("set").len())
        .sum();
    assert_eq!(run.docking_copies.len(), docking);

    // the bonded study of the same geometry: micromotion not applicable
    let bonded = run_study(&coarse_study(InterfaceModel::Bonded), &mut Silent).expect("runs");
    for case in &bonded.report.cases {
        match &case.metrics.micromotion {
            MicromotionMetric::NotApplicable { reason } => {
                assert!(reason.contains("not applicable"))
            }
            other => panic!("bonded micromotion must be not applicable, got {other:?}"),
        }
    }
    assert!(bonded.report.contact.is_empty());
    assert!(bonded.docking_copies.is_empty());
}

/// Migration recovers a known rigid motion of the prosthesis relative to each fragment: the
/// bone is given one small rigid motion, the prosthesis' docking-face copies another, and
/// the reported translation (at the prosthesis face centroid) and rotation are their
/// difference to round-off; the same field with the copies moving with the bone gives zero.
#[test]
fn migration_recovers_a_known_rigid_motion() {
    use nalgebra::Vector3;
    let study = coarse_study(InterfaceModel::frictional(0.74));
    let rec = build_reconstruction(&study.geometry, &study.defect, &study.implant, &study.mesh)
        .expect("builds");
    let split = frictional::split_docking_interface(&rec, osteon_contact::Friction::coulomb(0.74))
        .expect("splits");
    let mesh = &split.reconstruction.mesh;
    let rigid = |t: [f64; 3], theta: [f64; 3], x: [f64; 3]| -> [f64; 3] {
        (Vector3::from(t) + Vector3::from(theta).cross(&Vector3::from(x))).into()
    };
    let (t_bone, th_bone) = ([0.02, -0.05, -0.3], [1e-3, -4e-4, 2e-3]);
    let (t_imp, th_imp) = ([0.07, 0.01, -0.9], [-5e-4, 6e-4, 8e-3]);
    let is_copy: std::collections::HashSet<usize> = split.copies.iter().map(|c| c.1).collect();
    let field = |copies_move: bool| osteon_assembly::StepSolution {
        displacement: mesh
            .coords
            .iter()
            .enumerate()
            .map(|(n, &x)| {
                if copies_move && is_copy.contains(&n) {
                    rigid(t_imp, th_imp, x)
                } else {
                    rigid(t_bone, th_bone, x)
                }
            })
            .collect(),
        ..osteon_assembly::StepSolution::default()
    };
    let moved = migration::implant_migration(&split.reconstruction, &split.copies, &field(true))
        .expect("migration");
    assert_eq!(moved.len(), 2);
    for (m, set) in moved.iter().zip(["PROXIMAL_DOCKING", "DISTAL_DOCKING"]) {
        let nodes = mesh.node_set(set).expect("set");
        let c = nodes
            .iter()
            .fold(Vector3::zeros(), |s, &n| s + Vector3::from(mesh.coords[n]))
            / nodes.len() as f64;
        let expected = Vector3::from(rigid(t_imp, th_imp, c.into()))
            - Vector3::from(rigid(t_bone, th_bone, c.into()));
        for k in 0..3 {
            assert!((m.translation_mm[k] - expected[k]).abs() < 1e-8, "{m:?}");
            let dtheta = (th_imp[k] - th_bone[k]).to_degrees();
            assert!((m.rotation_vector_deg[k] - dtheta).abs() < 1e-8, "{m:?}");
        }
        // the prosthesis moved down relative to both: into the distal fragment, away from
        // the proximal one
        let towards = if set == "PROXIMAL_DOCKING" { 1.0 } else { -1.0 };
        assert!((m.subsidence_mm - towards * expected[2]).abs() < 1e-12);
    }
    let still = migration::implant_migration(&split.reconstruction, &split.copies, &field(false))
        .expect("migration");
    for m in &still {
        assert!(m.magnitude_mm < 1e-12 && m.rotation_deg < 1e-10, "{m:?}");
    }
}

/// An initial clearance at the docking faces (the seed's early radiographs): at the same
/// load the prosthesis moves more against the bone than when the faces start touching, the
/// faces open or stay open where the gap is not closed, and a gap beyond the accepted range
/// is an error naming its key.
#[test]
fn an_initial_docking_gap_raises_micromotion() {
    let run = |gap: Option<f64>| {
        let mut study = coarse_study(InterfaceModel::Frictional {
            mu: 0.74,
            stick_stiffness_mpa_per_mm: None,
            initial_gap_mm: gap,
            bonded_fraction: None,
            flange: None,
        });
        study.loads.fractions = vec![1.0];
        let r = run_study(&study, &mut Silent).expect("study runs").report;
        let m = &r.cases[0].metrics;
        assert!(m.equilibrium.relative_error < 1e-6, "{:?}", m.equilibrium);
        match &m.micromotion {
            MicromotionMetric::Computed(motion) => motion.all.clone(),
            other => panic!("expected computed micromotion, got {other:?}"),
        }
    };
    let touching = run(None);
    let gap = run(Some(0.2));
    eprintln!(
        "touching: p95 {:.3} µm, max {:.3} µm, open {:.3}; gap 0.2 mm: p95 {:.3} µm, max {:.3} µm, open {:.3}",
        touching.p95_um,
        touching.max_um,
        touching.status.open,
        gap.p95_um,
        gap.max_um,
        gap.status.open
    );
    assert!(gap.p95_um > touching.p95_um && gap.max_um > touching.max_um);
    assert!(gap.status.open > touching.status.open);

    let err = osteon_biomech::Study::from_toml_str(
        "interface = { model = \"frictional\", mu = 0.74, initial_gap_mm = 2.0 }\n",
        "g.toml",
    )
    .expect_err("gap too large");
    assert!(
        err.to_string()
            .starts_with("g.toml:1: invalid study parameter interface.initial_gap_mm = 2"),
        "{err}"
    );
}

/// The headline analyses of a frictional study re-run the headline case with the interface
/// inputs changed one at a time: a softer stick raises the micromotion, a larger initial gap
/// raises it further, a higher μ slips less; the table is in the report.
#[test]
fn interface_sensitivity_of_the_headline_case() {
    let mut study = walking_torsion_study(InterfaceModel::frictional(0.74));
    study.metrics.headline_analyses = true;
    let r = run_study(&study, &mut Silent).expect("study runs").report;
    let h = r.headline.as_ref().expect("headline");
    let s = h
        .interface_sensitivity
        .as_ref()
        .expect("frictional sensitivity");
    let p95 = |label: &str| {
        s.variants
            .iter()
            .find(|v| v.label == label)
            .unwrap_or_else(|| panic!("no variant {label}: {s:?}"))
            .p95_um
    };
    for v in &s.variants {
        eprintln!("{v:?}");
    }
    assert_eq!(s.variants[0].label, "as chosen");
    assert!(p95("k_T × 0.1") > p95("as chosen") && p95("as chosen") > p95("k_T × 10"));
    assert!(p95("gap 0.5 mm") > p95("gap 0.2 mm") && p95("gap 0.2 mm") > p95("as chosen"));
    // the "as chosen" row is the study's own headline case (taken from it, not solved again)
    let own = r
        .cases
        .iter()
        .find(|c| c.metrics.name == h.case)
        .and_then(|c| c.metrics.micromotion.statistics())
        .expect("the headline case's micromotion");
    assert_eq!(
        (own.p95_um, own.max_um),
        (p95("as chosen"), s.variants[0].max_um)
    );
    let slip = |label: &str| {
        s.variants
            .iter()
            .find(|v| v.label == label)
            .expect("variant")
            .stick_slip_open[1]
    };
    assert!(slip("μ = 0.94") <= slip("μ = 0.54"));
    // the flange rows change only the flange–bone pair: a flange that slides more easily
    // cannot hold the prosthesis tighter (with the screws bonded in their holes, they hold
    // the flange, and its friction changes the docking p95 by well under 1 % here)
    let flange: Vec<_> = s
        .variants
        .iter()
        .filter(|v| v.pair == osteon_biomech::interface_sensitivity::VariedPair::Flange)
        .collect();
    assert_eq!(flange.len(), 3, "{flange:?}");
    let softest = flange
        .iter()
        .find(|v| {
            v.mu == osteon_biomech::interface_sensitivity::FLANGE_LOW_MU
                && v.stick_stiffness_mpa_per_mm < 0.2 * s.variants[0].stick_stiffness_mpa_per_mm
        })
        .expect("μ and k_T both lowered");
    assert!(softest.p95_um >= p95("as chosen") * (1.0 - 1e-9));
    // the measured elastic slip δ = 50–400 µm: the default is its stiff end, so the soft end
    // moves more (k_T falls 8-fold)
    let range = s.measured_slip_range().expect("both ends of δ run");
    assert_eq!(range.stiff_p95_um, p95("as chosen"));
    assert_eq!(range.soft_p95_um, p95("δ = 400 µm (k_T = μ·1 MPa/δ)"));
    assert!(range.soft_p95_um > range.stiff_p95_um);
    // the verdict row of the headline case carries the range; when the micromotion follows
    // k_T it is info, never PASS or FAIL
    let row = r.cases[0]
        .checks
        .iter()
        .find(|c| c.criterion.contains("tissue"))
        .expect("tissue verdict");
    eprintln!("{row:?}");
    assert!(row.value.contains("δ = 50–400 µm"), "{}", row.value);
    if s.reflects_stick_stiffness() {
        assert_eq!(row.status, Status::Info);
    }
    let md = osteon_biomech::report::markdown(&r);
    assert!(md.contains("**Interface sensitivity**") && md.contains("| k_T × 10 |"));
    // the screw model: the study's (drilled) and the simplified one side by side, each with
    // its micromotion, migration and stresses
    let screws = h.screw_model.as_ref().expect("screw-model comparison");
    let models: Vec<_> = screws.rows.iter().map(|r| r.model).collect();
    assert_eq!(
        models,
        vec![
            osteon_biomech::ScrewModel::Drilled,
            osteon_biomech::ScrewModel::Embedded
        ]
    );
    assert_eq!(
        screws.rows[0].micromotion_p95_max_um.map(|m| m[0]),
        Some(p95("as chosen"))
    );
    assert!(screws.rows.iter().all(|r| {
        r.micromotion_p95_max_um.is_some()
            && r.migration_max_mm.is_some()
            && r.screw_von_mises_mpa.is_some_and(|s| s[0] > 0.0)
    }));
    assert!(md.contains("**Screw model**") && md.contains("| embedded (simplified) |"));
    assert!(md.contains("Stick-stiffness ratio"));

    // torsion under an axial preload: the compressed docking faces' friction joins the
    // flange, so the construct twists less than without the preload, and no more than when
    // the faces are bonded (the same unit torque on the bonded construct, linear)
    let c = &h.construct;
    let preloaded = c
        .preloaded_torsional_nm_per_deg
        .expect("frictional: preloaded torsion computed");
    let mut bonded = study.clone();
    bonded.interface = InterfaceModel::Bonded;
    let setup = osteon_biomech::build_study(&bonded, &mut Silent).expect("bonded setup");
    let options = osteon_assembly::SolveOptions {
        threads: 2,
        ..osteon_assembly::SolveOptions::default()
    };
    let bw = bonded.loads.body_weight_n();
    let b = osteon_biomech::construct::construct_stiffness(&setup, bw, &options, &mut Silent)
        .expect("bonded construct");
    eprintln!(
        "torsional stiffness (N·m/°): frictional {:.3}, preloaded {preloaded:.3}, bonded {:.3}",
        c.torsional_nm_per_deg, b.torsional_nm_per_deg
    );
    assert!(b.preloaded_torsional_nm_per_deg.is_none());
    assert!(preloaded > 1.01 * c.torsional_nm_per_deg);
    assert!(preloaded < b.torsional_nm_per_deg);
    assert!(md.contains("axial preload (N·m/°)"));

    // the judged lattice stress: a mean over a sphere cannot exceed the largest value in it
    let j = r.cases[0].metrics.judged_lattice_stress();
    let mean = j.averaged.expect("porous Ta present: sphere mean computed");
    assert!(mean.value <= j.peak_mpa && mean.value > 0.0, "{j:?}");
    assert_eq!(mean.radius_mm, study.metrics.lattice_averaging_radius_mm);
    let sigma_m = r.cases[0]
        .metrics
        .porous_tantalum_averaged
        .as_ref()
        .and_then(|l| l.mean_stress_mpa);
    assert!(sigma_m.is_some_and(f64::is_finite), "{sigma_m:?}");
}

/// Design trends of the frictional construct in walking with torsion: a softer prosthesis
/// moves more against the bone, and more screws (in drilled holes) hold it tighter.
#[test]
fn a_softer_prosthesis_moves_more_against_the_bone() {
    let p95 = |modulus: f64, offsets: Vec<f64>| {
        let mut study = walking_torsion_study(InterfaceModel::frictional(0.74));
        study.implant.modulus_mpa = Some(modulus);
        study.implant.screws.offsets_mm = offsets;
        let r = run_study(&study, &mut Silent).expect("study runs").report;
        r.cases[0]
            .metrics
            .micromotion
            .statistics()
            .expect("frictional")
            .p95_um
    };
    let (soft, stiff) = (
        p95(3000.0, vec![12.0, 28.0]),
        p95(30000.0, vec![12.0, 28.0]),
    );
    let (one, three) = (p95(3000.0, vec![20.0]), p95(3000.0, vec![8.0, 20.0, 32.0]));
    eprintln!(
        "micromotion p95: E 3 GPa {soft:.2} µm, 30 GPa {stiff:.2} µm; screws per fragment 1: {one:.2}, 2: {soft:.2}, 3: {three:.2} µm"
    );
    assert!(soft > stiff, "soft {soft} stiff {stiff}");
    assert!(
        one > soft && soft > three,
        "1: {one}, 2: {soft}, 3: {three}"
    );
}

/// After ingrowth (interface state c): a bonded fraction of the docking area, the rest
/// frictional. At fraction 0 the interface is the all-frictional one exactly; as the bonded
/// share grows the frictional remainder moves less, towards the bonded construct's zero.
#[test]
fn a_bonded_fraction_tends_from_frictional_to_bonded() {
    let run = |fraction: Option<f64>| {
        let study = walking_torsion_study(InterfaceModel::Frictional {
            mu: 0.74,
            stick_stiffness_mpa_per_mm: None,
            initial_gap_mm: None,
            bonded_fraction: fraction,
            flange: None,
        });
        let r = run_study(&study, &mut Silent).expect("study runs").report;
        let m = &r.cases[0].metrics;
        assert!(m.equilibrium.relative_error < 1e-6, "{:?}", m.equilibrium);
        m.micromotion.statistics().expect("frictional").clone()
    };
    let all = run(None);
    let zero = run(Some(0.0));
    assert_eq!(all.p95_um, zero.p95_um);
    let p95: Vec<f64> = [0.35, 0.7, 0.95]
        .iter()
        .map(|&f| run(Some(f)).p95_um)
        .collect();
    eprintln!(
        "micromotion p95: bonded 0 → {:.2} µm; 0.35 → {:.2}; 0.7 → {:.2}; 0.95 → {:.2}",
        all.p95_um, p95[0], p95[1], p95[2]
    );
    assert!(all.p95_um > p95[0] && p95[0] > p95[1] && p95[1] > p95[2]);
    assert!(p95[2] < 0.5 * all.p95_um);
    // a fully bonded interface is the bonded model, not a fraction of 1
    let err = osteon_biomech::Study::from_toml_str(
        "interface = { model = \"frictional\", mu = 0.74, bonded_fraction = 1.0 }\n",
        "b.toml",
    )
    .expect_err("fraction 1");
    assert!(
        err.to_string()
            .contains("interface.bonded_fraction = 1: 0 ≤ fraction < 1"),
        "{err}"
    );
}

/// The bonded fraction grows in whole 5 mm patches, so the pattern is the same at every
/// mesh size: the bonded share of the docking area is close to the one asked for, and the
/// 3 mm and 2 mm meshes bond the same patches (the nodes they keep bonded lie in the same
/// places).
#[test]
fn bonded_patches_are_set_in_millimetres() {
    use osteon_biomech::frictional::{BONDED_PATCH_MM, SplitOptions, split_docking_interface_with};
    let patches = |size: f64| {
        let mut study = coarse_study(InterfaceModel::frictional(0.74));
        study.mesh.size_mm = size;
        let rec = build_reconstruction(&study.geometry, &study.defect, &study.implant, &study.mesh)
            .expect("builds");
        let split = split_docking_interface_with(
            &rec,
            osteon_contact::Friction::coulomb(0.74),
            &SplitOptions {
                bonded_fraction: 0.35,
                ..SplitOptions::default()
            },
        )
        .expect("splits");
        let copied: std::collections::HashSet<usize> =
            split.copies.iter().map(|&(a, _)| a).collect();
        let z_mid = 0.5 * (rec.defect_z[0] + rec.defect_z[1]);
        let mut keys = std::collections::BTreeSet::new();
        for set in ["DISTAL_DOCKING", "PROXIMAL_DOCKING"] {
            for &a in rec.mesh.node_set(set).expect("set") {
                if !copied.contains(&a) {
                    let x = rec.mesh.coords[a];
                    let cell = |v: f64| (v / BONDED_PATCH_MM).floor() as i64;
                    keys.insert((cell(x[0]), cell(x[1]), x[2] > z_mid));
                }
            }
        }
        (split.bonded_area_fraction, keys)
    };
    let (f3, k3) = patches(3.0);
    let (f2, k2) = patches(2.0);
    let common = k3.intersection(&k2).count() as f64;
    let union = k3.union(&k2).count() as f64;
    eprintln!(
        "bonded area asked 35 %: {:.1} % (3 mm), {:.1} % (2 mm); {} / {} patches, {} common",
        100.0 * f3,
        100.0 * f2,
        k3.len(),
        k2.len(),
        common
    );
    assert!(
        (f3 - 0.35).abs() < 0.05 && (f2 - 0.35).abs() < 0.05,
        "{f3} {f2}"
    );
    assert!(common / union > 0.85, "{k3:?} vs {k2:?}");
}

/// The flange in frictional contact with the bone (the default) instead of tied (issue 13): the screws
/// hold it, the construct still balances, the flange–bone interface is a third contact pair
/// with its own micromotion, and the prosthesis moves more against the bone than with the
/// flange tied over its whole face.
#[test]
fn a_frictional_flange_unlocks_the_construct() {
    let run = |flange: Option<osteon_biomech::FlangeContact>| {
        let study = walking_torsion_study(InterfaceModel::Frictional {
            mu: 0.74,
            stick_stiffness_mpa_per_mm: None,
            initial_gap_mm: None,
            bonded_fraction: None,
            flange,
        });
        let r = run_study(&study, &mut Silent).expect("study runs").report;
        let m = &r.cases[0].metrics;
        assert!(m.equilibrium.relative_error < 1e-6, "{:?}", m.equilibrium);
        match &m.micromotion {
            MicromotionMetric::Computed(motion) => motion.clone(),
            other => panic!("expected computed micromotion, got {other:?}"),
        }
    };
    let tied = run(Some(osteon_biomech::FlangeContact::Tied));
    // no `flange` given: the frictional flange, the default
    assert!(InterfaceModel::frictional(0.74).flange_frictional());
    let free = run(Some(osteon_biomech::FlangeContact::Frictional));
    let docking = |m: &osteon_contact::Micromotion| {
        m.interfaces
            .iter()
            .filter(|i| i.interface.contains("docking"))
            .map(|i| i.p95_um)
            .fold(0.0, f64::max)
    };
    assert_eq!(tied.interfaces.len(), 2);
    assert_eq!(free.interfaces.len(), 3);
    let flange = free
        .interfaces
        .iter()
        .find(|i| i.interface == "flange–bone")
        .expect("flange pair");
    eprintln!(
        "docking p95: flange tied {:.2} µm, frictional {:.2} µm; flange–bone p95 {:.2} µm, stick/slip/open {:?}",
        docking(&tied),
        docking(&free),
        flange.p95_um,
        flange.status
    );
    assert!(docking(&free) > docking(&tied));
    assert!(flange.area_mm2 > 0.0 && flange.p95_um > 0.0);
    // what the checks judge is the docking faces alone: the flange pair is not in it
    let docking_area: f64 = free
        .interfaces
        .iter()
        .filter(|i| i.interface.contains("docking"))
        .map(|i| i.area_mm2)
        .sum();
    assert_eq!(
        free.all.interface,
        osteon_biomech::frictional::DOCKING_GROUP
    );
    assert!((free.all.area_mm2 - docking_area).abs() < 1e-9 * docking_area);
    assert!(free.all.p95_um <= docking(&free) + 1e-9);
}

/// The study's contact analysis (all cases in one analysis, each from the unloaded state)
/// gives the displacements of independent analyses, one per case; and its Newton run on the
/// contact unknowns alone (the interiors factorised once, the Schur complement on the
/// contact unknowns updated, the interior substituted once per case) gives those of full
/// factorisations of the whole Newton matrix, with sticking and slipping nodes (the seed's
/// cases and walking with torsion): the shared analysis exactly, the condensed interface
/// path to 1e-8 relative (measured 2e-10 to 7e-10). What is left is the Newton's stopping
/// rule, not the factorisation: where a few slipping nodes make the residual fall only
/// linearly, each run stops once its correction is below 1e-8 of the largest displacement
/// (`ContactOptions::correction_tolerance`), so two runs may stop a correction apart.
#[test]
fn interface_updates_and_shared_cases_reproduce_independent_full_solves() {
    use osteon_contact::{ContactOptions, ContactProblem, TangentFactorisation, solve_contact};
    let mut study = coarse_study(InterfaceModel::frictional(0.74));
    study.loads.activities = walking_torsion_study(InterfaceModel::frictional(0.74))
        .loads
        .activities;
    let setup = osteon_biomech::build_study(&study, &mut Silent).expect("builds");
    let model = &setup.implanted_model;
    assert_eq!(model.load_cases.len(), 3);
    let run = |steps: Vec<osteon_assembly::LoadCase>, factorisation, shared: bool| {
        let problem = ContactProblem {
            model,
            steps,
            options: ContactOptions {
                factorisation,
                steps_from_unloaded: shared,
                recover: false,
                threads: 2,
                ..ContactOptions::default()
            },
        };
        solve_contact(&problem).expect("converges")
    };
    let t = Instant::now();
    let updated = run(
        model.load_cases.clone(),
        TangentFactorisation::InterfaceUpdate,
        true,
    );
    let updated_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let full = run(model.load_cases.clone(), TangentFactorisation::Full, true);
    let full_s = t.elapsed().as_secs_f64();
    let independent: Vec<_> = model
        .load_cases
        .iter()
        .map(|c| run(vec![c.clone()], TangentFactorisation::Full, false))
        .collect();
    eprintln!(
        "interface updates: {updated_s:.2} s {:?}\nfull factorisations: {full_s:.2} s {:?}",
        updated.timings, full.timings
    );
    assert_eq!(
        updated.timings.factorisations,
        updated.timings.interface_updates + 1
    );
    assert_eq!(full.timings.interface_updates, 0);
    // every Newton solve of the interface path on the contact unknowns alone
    assert_eq!(updated.timings.condensed_solves, updated.timings.solves);
    assert_eq!(full.timings.condensed_solves, 0);
    let slipping: usize = updated
        .steps
        .iter()
        .map(|s| s.contact.as_ref().expect("contact").counts().2)
        .sum();
    assert!(slipping > 0, "some nodes slip");
    let relative = |a: &osteon_assembly::StepSolution, b: &osteon_assembly::StepSolution| {
        let scale = a
            .displacement
            .iter()
            .flatten()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let difference = a.max_displacement_difference(b).expect("same mesh");
        difference / scale
    };
    for (k, case) in model.load_cases.iter().enumerate() {
        let single = &independent[k].steps[0];
        let (shared, interface) = (
            relative(&full.steps[k], single),
            relative(&updated.steps[k], &full.steps[k]),
        );
        eprintln!(
            "{}: shared vs independent {shared:.2e}, interface vs full {interface:.2e}",
            case.name
        );
        assert!(shared <= 1e-8 && interface <= 1e-8, "{}", case.name);
        assert_eq!(
            full.steps[k].contact.as_ref().expect("contact").counts(),
            updated.steps[k].contact.as_ref().expect("contact").counts()
        );
    }
}

/// The seed's full weight-bearing case is twice the partial one, and the frictional problem
/// from the unloaded state with no initial gap is positively homogeneous in the load: the
/// study scales the first case's solution instead of iterating, and that equals a direct
/// solve of the full case to the Newton tolerance (each run stops once its correction is below
/// 1e-8 of the largest displacement, so two runs may end two such corrections apart).
#[test]
fn a_proportional_case_is_scaled_and_matches_its_direct_solve() {
    let study = coarse_study(InterfaceModel::frictional(0.74));
    let both = run_study(&study, &mut Silent).expect("both cases");
    let summary = &both.report.contact;
    assert_eq!(summary[0].scaled_from, None);
    assert!(summary[0].solves > 0);
    let (base, factor) = summary[1].scaled_from.clone().expect("scaled");
    assert_eq!(base, both.report.contact[0].case);
    assert!((factor - 2.0).abs() < 1e-12, "{factor}");
    assert_eq!(summary[1].solves, 0);
    let mut alone = study.clone();
    alone.loads.fractions = vec![1.0];
    let direct = run_study(&alone, &mut Silent).expect("full case alone");
    assert!(direct.report.contact[0].scaled_from.is_none());
    let (a, b) = (&both.implanted.cases[1], &direct.implanted.cases[0]);
    let scale = b.max_displacement();
    let worst = a.max_displacement_difference(b).expect("same mesh");
    assert!(
        worst <= 2e-8 * scale,
        "scaled vs direct: {:.2e} relative",
        worst / scale
    );
    // the same contact statuses and micromotion
    let (sa, sb) = (&summary[1], &direct.report.contact[0]);
    assert_eq!(sa.contact_stick_slip, sb.contact_stick_slip);
    let (ma, mb) = (p95_um(&both.report, 1), p95_um(&direct.report, 0));
    assert!((ma - mb).abs() <= 1e-6 * mb, "{ma} vs {mb}");
}

/// With an initial docking gap the problem is not homogeneous (the faces touch only once the
/// load has closed the gap): proportional cases are then solved, not scaled, and the full
/// case's micromotion is not twice the partial one's.
#[test]
fn a_gap_makes_every_case_solved() {
    let mut study = coarse_study(InterfaceModel::Frictional {
        mu: 0.74,
        stick_stiffness_mpa_per_mm: None,
        initial_gap_mm: Some(0.02),
        bonded_fraction: None,
        flange: None,
    });
    study.loads.fractions = vec![0.5, 1.0];
    let r = run_study(&study, &mut Silent).expect("study runs").report;
    assert!(
        r.contact
            .iter()
            .all(|c| c.scaled_from.is_none() && c.solves > 0)
    );
    let p95 = |i: usize| p95_um(&r, i);
    assert!(
        (p95(1) - 2.0 * p95(0)).abs() > 1e-6 * p95(1),
        "{} {}",
        p95(0),
        p95(1)
    );
}

/// The docking micromotion p95 (µm) of case `i` of a frictional report.
fn p95_um(r: &osteon_biomech::StudyReport, i: usize) -> f64 {
    r.cases[i]
        .metrics
        .micromotion
        .statistics()
        .map(|s| s.p95_um)
        .expect("micromotion")
}
