//! The frictional bone–implant interface end to end on a coarse mesh: real micromotion,
//! growing with the load, equilibrium, and the bonded study of the same geometry still
//! reporting micromotion as "not applicable".

use std::time::Instant;

use osteon_assembly::Silent;
use osteon_biomech::metrics::{MicromotionMetric, Status};
use osteon_biomech::{
    InterfaceModel, MeshSpec, Study, build_reconstruction, frictional, run_study,
};

fn coarse_study(interface: InterfaceModel) -> Study {
    Study {
        mesh: MeshSpec {
            size_mm: 6.0,
            far_factor: 2.0,
            ..MeshSpec::default()
        },
        threads: Some(2),
        interface,
        ..Study::default()
    }
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
                // both docking faces, whose areas add up to the whole
                assert_eq!(motion.interfaces.len(), 2);
                let parts: f64 = motion.interfaces.iter().map(|i| i.area_mm2).sum();
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
}
