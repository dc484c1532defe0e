//! The JSON run summary of a solved model: counts, timings, peak memory, per-case maxima,
//! reaction sums per constrained node set, equilibrium, strain energy; written atomically
//! and read back unchanged.

use std::path::Path;

use osteon_assembly::{
    LoadCase, Model, NodalLoad, PhaseTimings, SolveOptions, StaticSolution, solve_linear_static,
};
use osteon_io::IoError;
use osteon_io::summary::{PhaseSeconds, RunSummary, read_summary, write_summary};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

/// A 10 × 1 × 1 mm steel cantilever (C3D20), clamped at x = 0, with 50 N and 100 N down at x = 10.
fn cantilever() -> (Model, StaticSolution) {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [10.0, 1.0, 1.0],
        cells: [5, 1, 1],
        element: ElementType::Hex20,
    })
    .expect("box");
    let mut model = Model::new(mesh);
    let steel = model.add_material(Material::new(
        "steel",
        IsotropicElastic::new(200_000.0, 0.3).expect("law").into(),
    ));
    model.add_section(
        "ALL",
        model.mesh.element_set("ALL").expect("ALL").to_vec(),
        steel,
    );
    let xmin = model.mesh.node_set("XMIN").expect("XMIN").to_vec();
    model.fix(&xmin, &[0, 1, 2]);
    let xmax = model.mesh.node_set("XMAX").expect("XMAX").to_vec();
    for (name, force) in [("half", 50.0), ("full", 100.0)] {
        let mut case = LoadCase::new(name);
        case.nodal_loads.extend(xmax.iter().map(|&node| NodalLoad {
            node,
            component: 2,
            value: -force / xmax.len() as f64,
        }));
        model.load_cases.push(case);
    }
    let solution = solve_linear_static(
        &model,
        &SolveOptions {
            threads: 2,
            ..SolveOptions::default()
        },
    )
    .expect("solve");
    (model, solution)
}

#[test]
fn a_solved_cantilever_is_summarised() {
    let (model, solution) = cantilever();
    let mut summary =
        RunSummary::new(Path::new("cantilever.inp"), &model, &solution).expect("summary");
    assert_eq!(summary.input_file, "cantilever.inp");
    let c = &summary.counts;
    assert_eq!(
        (c.nodes, c.elements, c.materials, c.sections, c.load_cases),
        (model.mesh.n_nodes(), 5, 1, 1, 2)
    );
    assert_eq!(c.elements_by_type.get("C3D20"), Some(&5));
    assert_eq!(c.dofs_total, 3 * model.mesh.n_nodes());
    let fixed = model.mesh.node_set("XMIN").expect("XMIN").len();
    assert_eq!(c.dofs_free, 3 * (model.mesh.n_nodes() - fixed));
    assert!(c.nnz_upper > c.dofs_free && c.nnz_factor >= c.nnz_upper);
    // timings
    let p = &summary.phase_seconds;
    assert!(p.solver.factorise >= 0.0 && p.read == 0.0);
    summary.set_io_seconds(0.25, 0.5);
    let p = &summary.phase_seconds;
    let s = &p.solver;
    let sum =
        p.read + s.setup + s.assemble + s.analyse + s.factorise + s.solve + s.recover + p.write;
    assert!((p.total - sum).abs() < 1e-12 && p.total >= 0.75);
    if cfg!(target_os = "linux") {
        assert!(summary.peak_memory_bytes.is_some_and(|b| b > 1 << 20));
    }
    // per case
    assert_eq!(summary.cases.len(), 2);
    for (k, (cs, case)) in summary.cases.iter().zip(&solution.cases).enumerate() {
        let force = [50.0, 100.0][k];
        assert_eq!(cs.name, case.name);
        assert!((cs.max_displacement_mm - case.max_displacement()).abs() < 1e-15);
        let at = model
            .mesh
            .node_index(cs.max_displacement_node_id.expect("node"))
            .expect("index");
        assert!(
            (model.mesh.coords[at][0] - 10.0).abs() < 1e-12,
            "largest deflection at the free end"
        );
        assert_eq!(
            cs.reaction_sums_n.keys().collect::<Vec<_>>(),
            ["XMIN"],
            "only the clamped set"
        );
        let r = cs.reaction_sums_n["XMIN"];
        assert!((r[2] - force).abs() < 1e-8 && r[0].abs() < 1e-8, "{r:?}");
        assert!((cs.applied_load_total_n[2] + force).abs() < 1e-12);
        assert!(cs.equilibrium_error_n < 1e-8, "{}", cs.equilibrium_error_n);
        // the tip load −F e_z at x = 10 mm has the moment (0, 10 F, 0) N·mm about the
        // origin (the beam's y-centre is 0.5 mm: x × f = (−y F, 10 F, 0) summed), which the
        // clamp's reactions balance
        assert!((cs.applied_moment_nmm[1] - 10.0 * force).abs() < 1e-9 * force);
        assert!(
            cs.moment_equilibrium_error_nmm < 1e-8 * 10.0 * force,
            "{}",
            cs.moment_equilibrium_error_nmm
        );
        assert!(cs.solver.relative_residual < 1e-10 && cs.solver.iterations == 0);
        let vm = cs.max_von_mises_mpa.expect("stress recovered");
        // beam bending at the root: σ = M c / I = F L (h/2) / (h⁴/12) = 6 F L / h³, nodal values near it
        let beam = 6.0 * force * 10.0;
        assert!(vm > 0.5 * beam && vm < 2.0 * beam, "{vm} vs {beam}");
        // strain energy = ½ f·u for loads by forces on a clamped body
        let work: f64 = model.load_cases[k]
            .nodal_loads
            .iter()
            .map(|l| 0.5 * l.value * case.displacement[l.node][l.component])
            .sum();
        let energy = cs.strain_energy_nmm.expect("energy");
        assert!((energy - work).abs() < 1e-9 * work, "{energy} vs {work}");
    }
    assert!(summary.cases[1].max_displacement_mm > 1.99 * summary.cases[0].max_displacement_mm);
}

#[test]
fn the_json_is_pretty_atomic_and_reads_back() {
    let (model, solution) = cantilever();
    let mut summary =
        RunSummary::new(Path::new("cantilever.inp"), &model, &solution).expect("summary");
    summary
        .warnings
        .push("line 3: skipped keyword *HEADING".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cantilever.json");
    write_summary(&path, &summary).expect("write");
    let text = std::fs::read_to_string(&path).expect("read");
    for key in [
        "\"max_displacement_mm\"",
        "\"phase_seconds\"",
        "\"peak_memory_bytes\"",
        "\"reaction_sums_n\"",
        "\"relative_residual\"",
        "\"dofs_free\"",
        "\"elements_by_type\"",
    ] {
        assert!(text.contains(key), "{key}");
    }
    assert!(text.lines().count() > 40, "pretty-printed");
    let back = read_summary(&path).expect("read back");
    assert_eq!(back, summary);
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["cases"][1]["name"], "full");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "no temporary files left"
    );
    // a broken file names its line
    std::fs::write(
        &path,
        "{\n  \"osteon_version\": \"0.1.0\",\n  \"input_file\": 3\n}\n",
    )
    .expect("write");
    match read_summary(&path) {
        Err(IoError::Parse { line, message, .. }) => {
            assert_eq!(line, 3);
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// The phase times are one flat JSON object, in the order the phases run, whether the solver's
/// phases are held apart (`PhaseSeconds::solver`, an `osteon_assembly::PhaseTimings`) or not;
/// a summary written in that layout reads back to the same values.
#[test]
fn phase_seconds_are_one_flat_object_in_phase_order() {
    let timings = PhaseTimings {
        setup: 1.0,
        assemble: 2.0,
        analyse: 3.0,
        factorise: 4.0,
        solve: 5.0,
        recover: 6.0,
    };
    let mut phases = PhaseSeconds::from_timings(&timings);
    assert_eq!(phases.total, 21.0);
    phases.read = 0.5;
    phases.write = 7.25;
    phases.update_total();
    assert_eq!(phases.total, 28.75);
    let layout = r#"{"read":0.5,"setup":1.0,"assemble":2.0,"analyse":3.0,"factorise":4.0,"solve":5.0,"recover":6.0,"write":7.25,"total":28.75}"#;
    assert_eq!(serde_json::to_string(&phases).expect("JSON"), layout);
    let back: PhaseSeconds = serde_json::from_str(layout).expect("read back");
    assert_eq!(back, phases);
    // integers where a writer dropped the fraction read as the same seconds
    let whole: PhaseSeconds = serde_json::from_str(
        r#"{"read":0,"setup":1,"assemble":2,"analyse":3,"factorise":4,"solve":5,"recover":6,"write":7,"total":28}"#,
    )
    .expect("integers");
    assert_eq!((whole.solver.factorise, whole.write), (4.0, 7.0));

    // and in a whole summary, pretty-printed, the keys come in that order
    let (model, solution) = cantilever();
    let mut summary =
        RunSummary::new(Path::new("cantilever.inp"), &model, &solution).expect("summary");
    summary.set_io_seconds(0.25, 0.5);
    let text = serde_json::to_string_pretty(&summary).expect("JSON");
    let start = text.find("\"phase_seconds\"").expect("phase_seconds");
    let end = start + text[start..].find('}').expect("object end");
    let keys: Vec<&str> = text[start..end]
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next())
        .collect();
    assert_eq!(
        keys,
        [
            "read",
            "setup",
            "assemble",
            "analyse",
            "factorise",
            "solve",
            "recover",
            "write",
            "total"
        ]
    );
    let back: RunSummary = serde_json::from_str(&text).expect("read back");
    assert_eq!(back.phase_seconds, summary.phase_seconds);
}

#[test]
fn gmsh_groups_that_are_held_get_reaction_sums() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gmsh");
    let toml = "[[material]]\nname = \"m\"\nE = 1000.0\nnu = 0.0\n[[section]]\nmaterial = \"m\"\n\
                [[boundary]]\ngroup = \"Distal\"\ndofs = [1, 2, 3]\n[[step]]\nname = \"pull\"\n\
                [[step.pressure]]\ngroup = \"Plateau\"\np = -25.0\n";
    let msh = osteon_io::gmsh::read_msh(&fixtures.join("box_tet4_v41.msh")).expect("mesh");
    let model = osteon_io::gmsh::build_model(msh, toml, Path::new("bar.toml")).expect("model");
    let solution = solve_linear_static(&model, &SolveOptions::default()).expect("solve");
    let summary = RunSummary::new(Path::new("bar.msh"), &model, &solution).expect("summary");
    let sums = &summary.cases[0].reaction_sums_n;
    assert_eq!(sums.keys().collect::<Vec<_>>(), ["Corner", "Distal"]);
    assert!((sums["Distal"][0] + 100.0).abs() < 1e-8);
    assert!((summary.cases[0].max_displacement_mm - 0.25).abs() < 1e-9);
    assert_eq!(
        summary.counts.elements_by_type.get("C3D4"),
        Some(&model.mesh.n_elements())
    );
}
