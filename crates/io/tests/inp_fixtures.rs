//! The `.inp` fixtures of `tests/fixtures/inp`: model contents for every keyword and element
//! type, and closed-form checks of solved decks (bar F L / (E A), tied bar, orthotropic
//! compliance, cantilever, pressure and gravity).

use std::path::{Path, PathBuf};

use approx::assert_relative_eq;
use osteon_assembly::{SolveOptions, StaticSolution, solve_linear_static};
use osteon_io::IoError;
use osteon_io::inp::{Deck, read_inp};
use osteon_material::{Elastic, Material};
use osteon_mesh::{ElementType, Surface};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inp")
        .join(name)
}

fn read(name: &str) -> Deck {
    match read_inp(&fixture(name)) {
        Ok(deck) => deck,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn solve(deck: &Deck) -> StaticSolution {
    match solve_linear_static(
        &deck.model,
        &SolveOptions {
            threads: 1,
            ..SolveOptions::default()
        },
    ) {
        Ok(s) => s,
        Err(e) => panic!("solve: {e}"),
    }
}

fn node(deck: &Deck, id: i64) -> usize {
    deck.model
        .mesh
        .node_index(id)
        .unwrap_or_else(|| panic!("node {id}"))
}

fn set<'a>(deck: &'a Deck, name: &str) -> &'a [usize] {
    deck.model
        .mesh
        .node_sets
        .get(name)
        .map_or_else(|| panic!("node set {name}"), Vec::as_slice)
}

fn warnings_with(deck: &Deck, text: &str) -> Vec<usize> {
    deck.warnings
        .iter()
        .filter(|w| w.message.contains(text))
        .map(|w| w.line)
        .collect()
}

#[test]
fn cantilever_c3d20r_reads_continued_records_and_bends_like_a_beam() {
    let deck = read("cantilever_c3d20r.inp");
    let mesh = &deck.model.mesh;
    assert_eq!(mesh.n_elements(), 40);
    assert_eq!(mesh.blocks.len(), 1);
    assert_eq!(mesh.blocks[0].etype, ElementType::Hex20R);
    // serendipity grid 21 x 5 x 5 without face and cell centres
    assert_eq!(
        mesh.n_nodes(),
        11 * 3 * 3 + 10 * 3 * 3 + 11 * 2 * 3 + 11 * 3 * 2
    );
    assert_eq!(mesh.element(0).id, 10);
    assert_eq!(mesh.element(39).id, 400);
    assert_eq!(mesh.node_ids[0], 101);
    assert_eq!(mesh.node_ids[1], 104);
    assert_eq!(
        mesh.node_ids[mesh.n_nodes() - 1],
        101 + 3 * (mesh.n_nodes() as i64 - 1)
    );
    assert_eq!(set(&deck, "TIP").len(), 21);
    assert_eq!(set(&deck, "NALL").len(), mesh.n_nodes());
    assert_eq!(deck.model.boundary.len(), 3 * set(&deck, "FIXED").len());
    assert_eq!(deck.constrained_sets, ["FIXED"]);
    assert_eq!(deck.steps.len(), 1);
    assert_eq!(deck.steps[0].name, "Tip shear");
    assert_eq!(deck.steps[0].procedure.as_deref(), Some("STATIC"));
    let case = &deck.model.load_cases[0];
    assert_eq!(case.name, "Tip shear");
    assert_eq!(case.nodal_loads.len(), 21);
    let total: f64 = case.nodal_loads.iter().map(|l| l.value).sum();
    assert_relative_eq!(total, -1.0, epsilon = 1e-14);
    assert_eq!(deck.model.materials[0].name, "Polymer");
    // *HEADING, *NODE PRINT and *EL PRINT are output requests: no warning
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);

    // Timoshenko: P L³ / (3 E I) + P L / (κ G A), κ = 5/6
    let solution = solve(&deck);
    let (e, nu, l, a, i): (f64, f64, f64, f64, f64) = (1000.0, 0.3, 10.0, 1.0, 1.0 / 12.0);
    let g = e / (2.0 * (1.0 + nu));
    let expected = l.powi(3) / (3.0 * e * i) + l / (5.0 / 6.0 * g * a);
    let tip = set(&deck, "TIP");
    let w = tip
        .iter()
        .map(|&n| solution.cases[0].displacement[n][2])
        .sum::<f64>()
        / tip.len() as f64;
    assert_relative_eq!(-w, expected, max_relative = 0.02);
    let reaction = solution.cases[0].reaction_sum(set(&deck, "FIXED"));
    assert_relative_eq!(reaction[2], 1.0, epsilon = 1e-9);
}

#[test]
fn c3d10_block_pressure_on_face_s2_and_gravity() {
    let deck = read("block_c3d10.inp");
    let mesh = &deck.model.mesh;
    assert_eq!(mesh.n_elements(), 12);
    assert_eq!(mesh.blocks[0].etype, ElementType::Tet10);
    assert_eq!(deck.model.materials[0].density, Some(7.85e-9));
    assert_eq!(deck.model.load_cases.len(), 2);
    let pressure = &deck.model.load_cases[0];
    let top = mesh.element_sets.get("TOP").map_or(0, Vec::len);
    assert_eq!(top, 2);
    assert_eq!(pressure.pressures.len(), 2);
    assert!(
        pressure
            .pressures
            .iter()
            .all(|p| p.face.face == 1 && p.pressure == 10.0)
    );
    assert!(pressure.gravity.is_empty());
    // step 2: OP=NEW removed the pressure; GRAV on a set covering the model → all elements
    let gravity = &deck.model.load_cases[1];
    assert!(gravity.pressures.is_empty());
    assert_eq!(gravity.gravity.len(), 1);
    assert_eq!(gravity.gravity[0].elements, None);
    assert_eq!(gravity.gravity[0].acceleration, [0.0, 0.0, -9810.0]);

    let solution = solve(&deck);
    // uniaxial compression: u_z(top) = -p L / E exactly (quadratic tets, consistent loads)
    let (p, l, e) = (10.0, 20.0, 10000.0);
    for &n in set(&deck, "ZTOP") {
        assert_relative_eq!(
            solution.cases[0].displacement[n][2],
            -p * l / e,
            max_relative = 1e-9
        );
    }
    let stress = &solution.cases[0].fields;
    assert!(!stress.nodal_stress.is_empty());
    for s in &stress.nodal_stress {
        assert_relative_eq!(s[2], -p, epsilon = 1e-8);
    }
    // gravity: the supports carry the weight ρ g V
    let weight = 7.85e-9 * 9810.0 * 10.0 * 10.0 * 20.0;
    let r = solution.cases[1].reaction_sum(set(&deck, "Z0"));
    assert_relative_eq!(r[2], weight, max_relative = 1e-9);
}

#[test]
fn c3d8_equations_connect_two_cubes_exactly() {
    let deck = read("equation_c3d8.inp");
    let m = &deck.model;
    assert_eq!(m.mesh.n_elements(), 2);
    assert_eq!(m.mesh.element_index(205), Some(1));
    assert_eq!(m.equations.len(), 12);
    // the node-set equation pairs B_FACE and A_FACE in ascending id order
    let pairs: Vec<(i64, i64)> = m.equations[8..]
        .iter()
        .map(|eq| {
            (
                m.mesh.node_ids[eq.terms[0].0],
                m.mesh.node_ids[eq.terms[1].0],
            )
        })
        .collect();
    assert_eq!(pairs, [(11, 2), (14, 3), (15, 6), (18, 7)]);
    assert!(
        m.equations[8..]
            .iter()
            .all(|eq| eq.terms[0].1 == 2 && eq.terms[0].2 == 1.0 && eq.terms[1].2 == -1.0)
    );
    assert_eq!(
        m.equations[4].terms,
        vec![(node(&deck, 11), 1, 2.0), (node(&deck, 2), 1, -2.0)]
    );
    assert_eq!(m.sections.len(), 1);
    assert_eq!(m.sections[0].elements, [0, 1]);

    let solution = solve(&deck);
    let u = &solution.cases[0].displacement;
    for &n in set(&deck, "LOADED") {
        assert_relative_eq!(
            u[n][0],
            100.0 * 20.0 / (1000.0 * 100.0),
            max_relative = 1e-9
        );
    }
    // lateral contraction −ν σ / E · 10 mm at y = 10
    assert_relative_eq!(
        u[node(&deck, 17)][1],
        -0.3 * 1.0 / 1000.0 * 10.0,
        max_relative = 1e-9
    );
    assert_relative_eq!(
        u[node(&deck, 14)][0],
        u[node(&deck, 3)][0],
        max_relative = 1e-12
    );
}

#[test]
fn steps_carry_loads_over_with_op_mod_and_op_new() {
    let deck = read("two_steps.inp");
    let m = &deck.model;
    let names: Vec<&str> = deck.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["One", "Two", "Three", "Four"]);
    assert_eq!(
        deck.steps.iter().map(|s| s.load_case).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    // step Three removed the model-level conditions: each case carries its full list
    assert!(m.boundary.is_empty());
    let loads = |c: usize| -> Vec<(i64, usize, f64)> {
        let mut v: Vec<_> = m.load_cases[c]
            .nodal_loads
            .iter()
            .map(|l| (m.mesh.node_ids[l.node], l.component, l.value))
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        v
    };
    let bcs = |c: usize| -> Vec<(i64, usize, f64)> {
        let mut v: Vec<_> = m.load_cases[c]
            .boundary
            .iter()
            .map(|b| (m.mesh.node_ids[b.node], b.component, b.value))
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        v
    };
    assert_eq!(
        loads(0),
        [(2, 0, 10.0), (3, 0, 10.0), (6, 0, 10.0), (7, 0, 10.0)]
    );
    assert_eq!(
        loads(1),
        [
            (2, 0, 20.0),
            (3, 0, 20.0),
            (6, 0, 20.0),
            (7, 0, 20.0),
            (7, 2, 5.0)
        ]
    );
    assert_eq!(loads(2), [(3, 1, 7.0), (6, 0, 1.0)]);
    assert_eq!(loads(3), loads(2));
    let x0: Vec<(i64, usize, f64)> = [1, 4, 5, 8]
        .iter()
        .flat_map(|&n| (0..3).map(move |c| (n, c, 0.0)))
        .collect();
    let mut with_node2 = x0.clone();
    with_node2.push((2, 1, 0.001));
    with_node2.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    assert_eq!(bcs(0), with_node2);
    assert_eq!(bcs(1), with_node2);
    assert_eq!(bcs(2), x0);
    assert_eq!(bcs(3), x0);
    // all four cases solve (two constraint sets)
    let solution = solve(&deck);
    assert_relative_eq!(
        solution.cases[1].reaction_sum(set(&deck, "X0"))[0],
        -80.0,
        max_relative = 1e-9
    );
    assert_relative_eq!(
        solution.cases[2].total_reaction()[1],
        -7.0,
        max_relative = 1e-9
    );
}

#[test]
fn tie_between_non_matching_meshes_transmits_uniform_tension_exactly() {
    // interface 2 x 2 (master) against 4 x 4 (slave): hanging nodes on edges and faces.
    // Node-to-surface tie equations pass this patch test when the slave interface refines
    // the master one; see the 3 x 3 variant below for the general case.
    let deck = read("tie_boxes.inp");
    let m = &deck.model;
    assert_eq!(m.mesh.n_elements(), 8 + 32);
    assert!(matches!(m.mesh.surfaces.get("MASTER"), Some(Surface::Faces(f)) if f.len() == 4));
    assert!(matches!(m.mesh.surfaces.get("SLAVE"), Some(Surface::Faces(f)) if f.len() == 16));
    assert_eq!(deck.tie_reports.len(), 1);
    let (name, report) = &deck.tie_reports[0];
    assert_eq!(name, "Glue");
    assert_eq!(report.tied, 25);
    assert!(report.too_far.is_empty());
    assert_eq!(report.tolerance, 0.01);
    assert_eq!(m.equations.len(), 3 * 25);
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
    assert_eq!(deck.constrained_sets, ["X0", "Y0", "Z0"]);

    let solution = solve(&deck);
    let (p, e, nu) = (5.0, 110000.0, 0.34);
    let u = &solution.cases[0].displacement;
    for &n in set(&deck, "XEND") {
        assert_relative_eq!(u[n][0], p * 20.0 / e, max_relative = 1e-9);
    }
    for (un, x) in u.iter().zip(&m.mesh.coords) {
        assert_relative_eq!(un[0], p * x[0] / e, epsilon = 1e-12);
        assert_relative_eq!(un[1], -nu * p * x[1] / e, epsilon = 1e-12);
    }
    for s in &solution.cases[0].fields.nodal_stress {
        assert_relative_eq!(s[0], p, epsilon = 1e-8);
        assert!(s[1].abs() < 1e-8 && s[3].abs() < 1e-8);
    }
    let r = solution.cases[0].total_reaction();
    assert_relative_eq!(r[0], -500.0, max_relative = 1e-12);
}

#[test]
fn tie_with_a_slave_interface_not_nested_in_the_master_is_close() {
    // 2 x 2 master against 3 x 3 slave: node-to-surface equations transfer the slave nodal
    // forces with the master shape functions, which is not the master's consistent load
    // (1-D: a master end node gets 5/18 instead of 1/4), so the answer is close, not exact.
    let deck = read("tie_boxes_3x3.inp");
    assert_eq!(deck.tie_reports[0].1.tied, 16);
    assert_eq!(deck.model.equations.len(), 3 * 16);
    let solution = solve(&deck);
    let (p, e) = (5.0, 110000.0);
    for &n in set(&deck, "XEND") {
        assert_relative_eq!(
            solution.cases[0].displacement[n][0],
            p * 20.0 / e,
            max_relative = 0.01
        );
    }
    assert_relative_eq!(
        solution.cases[0].reaction_sum(set(&deck, "X0"))[0],
        -500.0,
        max_relative = 1e-12
    );
}

#[test]
fn orthotropic_and_engineering_constants_follow_the_abaqus_conventions() {
    let deck = read("materials.inp");
    let m = &deck.model;
    let names: Vec<&str> = m.materials.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["Cortical", "DMATRIX", "TANTALUM"]);
    assert!(matches!(m.materials[0].elastic, Elastic::Orthotropic(_)));
    assert!(matches!(m.materials[1].elastic, Elastic::Anisotropic(_)));
    assert!(matches!(m.materials[2].elastic, Elastic::Isotropic(_)));
    assert_eq!(m.materials[2].density, Some(16.6e-9));
    // the section defined before its material resolves to it
    assert_eq!(m.sections[0].material, 0);
    assert_eq!(m.sections[0].name, "ENG");
    assert_eq!(m.sections[1].material, 1);
    assert_eq!(m.sections[2].material, 2);
    // *PLASTIC skipped, the temperature after E, ν ignored — both warned
    assert_eq!(warnings_with(&deck, "*PLASTIC").len(), 1);
    assert_eq!(warnings_with(&deck, "temperature").len(), 1);

    let solution = solve(&deck);
    let u = &solution.cases[0].displacement;
    // cube k: x from 20 k to 20 k + 10; strain = S[:, 0] σ with σ = 1 MPa
    for (k, material) in m.materials.iter().enumerate() {
        let s = Material::compliance(material).expect("compliance");
        let corner = node(&deck, 20 * k as i64 + 7); // (x0 + 10, 10, 10)
        assert_relative_eq!(u[corner][0], s[0][0] * 10.0, max_relative = 1e-9);
        assert_relative_eq!(u[corner][1], s[1][0] * 10.0, max_relative = 1e-9);
        assert_relative_eq!(u[corner][2], s[2][0] * 10.0, max_relative = 1e-9);
    }
    // Abaqus ν12: ε_yy = −ν12 σ / E1
    let corner = node(&deck, 7);
    assert_relative_eq!(u[corner][0], 10.0 / 12000.0, max_relative = 1e-9);
    assert_relative_eq!(u[corner][1], -0.376 / 12000.0 * 10.0, max_relative = 1e-9);
    assert_relative_eq!(u[corner][2], -0.222 / 12000.0 * 10.0, max_relative = 1e-9);
}

#[test]
fn include_files_are_read_relative_to_the_deck() {
    let deck = read("include_main.inp");
    let m = &deck.model;
    assert_eq!(deck.files.len(), 3);
    assert!(deck.files[1].ends_with("include/bar_nodes.inp"));
    assert!(deck.files[2].ends_with("include/bar_material.inp"));
    assert_eq!(m.mesh.n_nodes(), 20);
    assert_eq!(set(&deck, "NALL").len(), 20);
    assert_eq!(m.mesh.blocks[0].etype, ElementType::Hex20);
    assert_eq!(m.materials[0].name, "Ta");
    let solution = solve(&deck);
    for &n in set(&deck, "END_CORNERS")
        .iter()
        .chain(set(&deck, "END_MIDS"))
    {
        assert_relative_eq!(
            solution.cases[0].displacement[n][0],
            0.001,
            max_relative = 1e-9
        );
    }
}

#[test]
fn an_error_in_an_included_file_names_that_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("parts")).expect("mkdir");
    std::fs::write(
        dir.path().join("parts/nodes.inp"),
        "1, 0, 0, 0\n2, 1, 0, 0\n3, 0, one, 0\n",
    )
    .expect("write");
    let main = dir.path().join("main.inp");
    std::fs::write(&main, "** main\n*NODE\n*INCLUDE, INPUT=parts/nodes.inp\n").expect("write");
    match read_inp(&main) {
        Err(IoError::Parse {
            file,
            line,
            message,
        }) => {
            assert!(file.ends_with("parts/nodes.inp"), "{}", file.display());
            assert_eq!(line, 3);
            assert!(message.contains("'one'"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    // a missing include is an error at the *INCLUDE line of the including file
    std::fs::write(&main, "** main\n*NODE\n*INCLUDE, INPUT=parts/missing.inp\n").expect("write");
    match read_inp(&main) {
        Err(IoError::Parse {
            file,
            line,
            message,
        }) => {
            assert!(file.ends_with("main.inp"));
            assert_eq!(line, 3);
            assert!(message.contains("missing.inp"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    // an include cycle is refused
    std::fs::write(&main, "*NODE\n1, 0, 0, 0\n*INCLUDE, INPUT=main.inp\n").expect("write");
    assert!(
        matches!(read_inp(&main), Err(IoError::Parse { line: 3, ref message, .. }) if message.contains("cycle"))
    );
    // a longer cycle names its chain and the file that starts it, at the line that closes it
    let (a, b) = (dir.path().join("a.inp"), dir.path().join("b.inp"));
    std::fs::write(&main, "*INCLUDE, INPUT=a.inp\n").expect("write");
    std::fs::write(&a, "** part a\n*INCLUDE, INPUT=b.inp\n").expect("write");
    std::fs::write(&b, "** part b\n**\n*INCLUDE, INPUT=a.inp\n").expect("write");
    match read_inp(&main) {
        Err(IoError::Parse {
            file,
            line,
            message,
        }) => {
            assert!(
                file.ends_with("b.inp") && line == 3,
                "{}:{line}",
                file.display()
            );
            assert!(message.contains("a.inp → b.inp → a.inp"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

/// Generated decks nest includes deeply: 100 levels are read, 101 are refused with a
/// message that says so (not a stack overflow).
#[test]
fn includes_nest_a_hundred_levels_deep() {
    let dir = tempfile::tempdir().expect("tmp");
    let write_chain = |levels: usize| {
        for k in 0..levels {
            let text = if k + 1 < levels {
                format!("** level {k}\n*INCLUDE, INPUT=level{}.inp\n", k + 1)
            } else {
                "*NODE\n1, 0., 0., 0.\n2, 1., 0., 0.\n3, 0., 1., 0.\n4, 0., 0., 1.\n\
                 *ELEMENT, TYPE=C3D4, ELSET=ALL\n1, 1, 2, 3, 4\n"
                    .to_string()
            };
            std::fs::write(dir.path().join(format!("level{k}.inp")), text).expect("write");
        }
    };
    write_chain(101); // the root and 100 nested includes
    let mesh = osteon_io::inp::read_inp_mesh(&dir.path().join("level0.inp"));
    assert!(mesh.is_ok_and(|m| m.n_nodes() == 4));
    write_chain(102);
    match osteon_io::inp::read_inp_mesh(&dir.path().join("level0.inp")) {
        Err(IoError::Parse { message, .. }) => {
            assert!(message.contains("nested deeper than 100"), "{message}")
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn output_requests_are_silent_and_unsupported_keywords_warned_once_each() {
    let deck = read("skipped_keywords.inp");
    let w: Vec<(usize, &str)> = deck
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    // *HEADING, *PREPRINT, *NODE FILE, *NODE PRINT, *EL FILE, *OUTPUT, *NODE OUTPUT and
    // *EL PRINT (lines 1, 3, 11, 34, 36, 38, 39, 41) are output requests: no warning
    let expect = [
        // lines 15-20: contact, read into the model's contact pairs (tests/inp_contact.rs)
        (25, "NLGEOM"),
        (28, "rotational dofs 4-6"),
        (31, "FOLLOWER"),
        (33, "moment"),
        (
            44,
            "*AMPLITUDE is not supported and was skipped with its data line",
        ),
        (46, "*MY OWN KEYWORD is not supported"),
    ];
    assert_eq!(w.len(), expect.len(), "{w:#?}");
    for ((line, message), (want_line, want)) in w.iter().zip(expect) {
        assert_eq!(*line, want_line, "{message}");
        assert!(
            message.contains(want),
            "line {line}: '{message}' should mention '{want}'"
        );
    }
    let shown = deck.warnings[4].to_string();
    assert!(
        shown.contains("skipped_keywords.inp:44: warning: keyword *AMPLITUDE"),
        "{shown}"
    );
    // the rotations were dropped, the displacements kept
    let case = &deck.model.load_cases[0];
    assert_eq!(case.boundary.len(), 3 + 2 + 1);
    assert_eq!(case.nodal_loads.len(), 1);
    assert!(
        matches!(deck.model.mesh.surfaces.get("BOTTOM"), Some(Surface::Faces(f)) if f.len() == 1)
    );
    // the pair is model data; the linear solver refuses a model with pairs, so the
    // equilibrium check below solves the model without it
    assert_eq!(deck.model.contact_pairs.len(), 1);
    assert!(matches!(
        solve_linear_static(&deck.model, &SolveOptions::default()),
        Err(osteon_assembly::AssemblyError::InvalidModel { .. })
    ));
    let mut linear = deck.clone();
    linear.model.contact_pairs.clear();
    let solution = solve(&linear);
    assert_relative_eq!(
        solution.cases[0].total_reaction()[2],
        1.0,
        max_relative = 1e-9
    );
}
