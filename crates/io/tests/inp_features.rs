//! Smaller forms of the deck syntax, each on a tiny in-memory deck.

use std::path::Path;

use approx::assert_relative_eq;
use osteon_io::IoError;
use osteon_io::inp::{Deck, read_inp_bytes, read_inp_str};
use osteon_material::Elastic;
use osteon_mesh::{ElementType, Surface};

/// A unit cube of one C3D8 (nodes 1-8) with a material and section; `extra` is appended.
fn cube(extra: &str) -> String {
    format!(
        "*NODE\n1,0,0,0\n2,1,0,0\n3,1,1,0\n4,0,1,0\n5,0,0,1\n6,1,0,1\n7,1,1,1\n8,0,1,1\n\
         *ELEMENT, TYPE=C3D8, ELSET=CUBE\n1, 1,2,3,4,5,6,7,8\n\
         *MATERIAL, NAME=M\n*ELASTIC\n1000, 0.3\n*SOLID SECTION, ELSET=CUBE, MATERIAL=M\n{extra}"
    )
}

fn read(text: &str) -> Deck {
    read_inp_str(text, Path::new("deck.inp")).unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str) -> (usize, String) {
    match read_inp_str(text, Path::new("deck.inp")) {
        Err(IoError::Parse { line, message, .. }) => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn keywords_parameters_and_set_names_are_case_insensitive() {
    let deck = read(&cube(
        "*nset, nset=Left\n1, 4, 5, 8\n*Boundary\nleft, 1, 3\n*step, name=Pull\n*static\n*cload\n7, 1, 1.\n*end step\n",
    ));
    assert!(deck.model.mesh.node_sets.contains_key("LEFT"));
    assert_eq!(deck.model.boundary.len(), 12);
    assert_eq!(deck.steps[0].name, "Pull");
    assert_eq!(deck.constrained_sets, ["LEFT"]);
}

#[test]
fn a_keyword_line_ending_with_a_comma_continues_with_parameters() {
    let deck = read(&cube("*NSET,\n  NSET=TOP, GENERATE\n5, 8\n"));
    assert_eq!(deck.model.mesh.node_sets.get("TOP").map(Vec::len), Some(4));
}

#[test]
fn crlf_line_endings_and_latin1_comments_are_fine() {
    let text = cube("").replace('\n', "\r\n");
    let mut bytes = b"** Temperatur 37\xB0C\r\n*HEADING\r\nProbe \xB0\r\n".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    let deck = read_inp_bytes(&bytes, Path::new("latin1.inp")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(deck.model.mesh.n_nodes(), 8);
    // *HEADING is accepted silently; the one warning: no *STEP
    assert_eq!(deck.warnings.len(), 1, "{:?}", deck.warnings);
    assert!(deck.warnings[0].message.contains("no *STEP"));
}

#[test]
fn sets_are_extended_generated_and_built_from_element_sets() {
    let deck = read(&cube(
        "*NSET, NSET=A\n1, 2\n*NSET, NSET=a\n3\n*NSET, NSET=GEN, GENERATE\n2, 12, 2\n*NSET, NSET=OF_CUBE, ELSET=CUBE\n\
         *ELSET, ELSET=E2, GENERATE\n1, 1\n*NSET, NSET=BOTH\nA, GEN, 7\n",
    ));
    let sets = &deck.model.mesh.node_sets;
    assert_eq!(sets.get("A").map(Vec::len), Some(3));
    assert_eq!(sets.get("GEN").map(Vec::len), Some(4)); // 2, 4, 6, 8; 10 and 12 do not exist
    assert_eq!(sets.get("OF_CUBE").map(Vec::len), Some(8));
    assert_eq!(sets.get("BOTH").map(Vec::len), Some(7)); // 1, 2, 3 + 2, 4, 6, 8 + 7
    assert_eq!(
        deck.model.mesh.element_sets.get("E2").map(Vec::len),
        Some(1)
    );
    assert!(
        deck.warnings
            .iter()
            .any(|w| w.message.contains("2 ids") && w.line == 21),
        "{:?}",
        deck.warnings
    );
}

#[test]
fn cylindrical_node_coordinates_are_converted() {
    let deck = read(
        "*NODE, SYSTEM=C\n1, 2., 90., 3.\n*NODE, NSET=R\n2, 1., 2., 3.\n3, 0, 0, 0\n4, 1, 0, 0\n\
         *ELEMENT, TYPE=C3D4, ELSET=E\n1, 1, 2, 3, 4\n*MATERIAL, NAME=M\n*ELASTIC\n1., 0.\n*SOLID SECTION, ELSET=E, MATERIAL=M\n",
    );
    let x = deck.model.mesh.coords[0];
    assert!(x[0].abs() < 1e-15);
    assert_relative_eq!(x[1], 2.0);
    assert_relative_eq!(x[2], 3.0);
    assert_eq!(deck.model.mesh.coords[1], [1.0, 2.0, 3.0]);
}

#[test]
fn a_deck_without_elements_is_refused_and_without_steps_is_warned() {
    let (line, message) = error("*NODE, SYSTEM=C\n1, 2., 90., 3.\n");
    assert_eq!(line, 0);
    assert!(message.contains("no elements"));
    let deck = read(&cube(""));
    assert!(deck.model.load_cases.is_empty());
    assert!(deck.warnings.iter().any(|w| w.message.contains("no *STEP")));
}

#[test]
fn c3d20_records_may_span_three_lines() {
    let nodes: String = (1..=20)
        .map(|i| format!("{i}, {}, {}, {}\n", i % 3, (i / 3) % 3, i / 9))
        .collect();
    let deck = read(&format!(
        "*NODE\n{nodes}*ELEMENT, TYPE=C3D20, ELSET=E\n7, 1, 2, 3, 4, 5, 6, 7,\n8, 9, 10, 11, 12, 13, 14,\n15, 16, 17, 18, 19, 20\n\
         *MATERIAL, NAME=M\n*ELASTIC\n1000, 0.3\n*SOLID SECTION, ELSET=E, MATERIAL=M\n"
    ));
    let el = deck.model.mesh.element(0);
    assert_eq!(
        (el.id, el.etype, el.nodes.len()),
        (7, ElementType::Hex20, 20)
    );
    assert_eq!(el.nodes[19], 19);
}

#[test]
fn named_boundary_types_and_rotations() {
    let deck = read(&cube(
        "*NSET, NSET=X0\n1, 4, 5, 8\n*BOUNDARY\nX0, XSYMM\n1, PINNED\n2, ENCASTRE\n4, ZASYMM\n3, 4, 6\n*STEP\n*STATIC\n*CLOAD\n7, 3, 1.\n*END STEP\n",
    ));
    let b = &deck.model.boundary;
    let mut comps: Vec<(i64, usize)> = b
        .iter()
        .map(|c| (deck.model.mesh.node_ids[c.node], c.component))
        .collect();
    comps.sort_unstable();
    assert_eq!(
        comps,
        [
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 0),
            (2, 1),
            (2, 2),
            (4, 0),
            (4, 1),
            (5, 0),
            (8, 0)
        ]
    );
    assert!(
        deck.warnings
            .iter()
            .any(|w| w.message.contains("rotational") && w.line == 23)
    );
}

#[test]
fn model_level_conditions_stay_in_the_model_and_steps_override_them() {
    let deck = read(&cube(
        "*NSET, NSET=X0\n1, 4, 5, 8\n*BOUNDARY\nX0, 1, 3\n*STEP\n*STATIC\n*BOUNDARY\n2, 1, 1, 0.01\n1, 1, 1, 0.02\n*END STEP\n\
         *STEP\n*STATIC\n*END STEP\n",
    ));
    let m = &deck.model;
    assert_eq!(m.boundary.len(), 12);
    assert_eq!(m.load_cases[0].boundary.len(), 2);
    assert_eq!(
        m.load_cases[1].boundary, m.load_cases[0].boundary,
        "step BCs persist"
    );
    // the model-level u_x = 0 at node 1 is overridden by the step's 0.02
    let solution = osteon_assembly::solve_linear_static(
        &deck.model,
        &osteon_assembly::SolveOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_relative_eq!(solution.cases[0].displacement[0][0], 0.02);
    assert_relative_eq!(solution.cases[0].displacement[1][0], 0.01);
}

#[test]
fn gravity_on_a_subset_dsload_and_node_surfaces() {
    let two = "*NODE\n1,0,0,0\n2,1,0,0\n3,1,1,0\n4,0,1,0\n5,0,0,1\n6,1,0,1\n7,1,1,1\n8,0,1,1\n9,2,0,0\n10,2,1,0\n11,2,0,1\n12,2,1,1\n\
        *ELEMENT, TYPE=C3D8\n1, 1,2,3,4,5,6,7,8\n2, 2,9,10,3,6,11,12,7\n*ELSET, ELSET=ALL\n1, 2\n*ELSET, ELSET=LEFT\n1\n\
        *MATERIAL, NAME=M\n*ELASTIC\n1000, 0.3\n*DENSITY\n1e-9\n*SOLID SECTION, ELSET=ALL, MATERIAL=M\n\
        *SURFACE, NAME=END\n2, S4\n*NSET, NSET=N\n9, 10\n*SURFACE, NAME=NS, TYPE=NODE\nN, 1.0\n11\n\
        *STEP\n*STATIC\n*DLOAD\nLEFT, GRAV, 9810, 1, 0, 0\n, GRAV, 10, 0, 0, -1\n*DSLOAD\nEND, P, 3.5\n*END STEP\n";
    let deck = read(two);
    let case = &deck.model.load_cases[0];
    assert_eq!(case.gravity.len(), 2);
    let whole = case
        .gravity
        .iter()
        .find(|g| g.elements.is_none())
        .map(|g| g.acceleration);
    assert_eq!(whole, Some([0.0, 0.0, -10.0]));
    let left = case.gravity.iter().find(|g| g.elements.is_some());
    assert_eq!(left.and_then(|g| g.elements.clone()), Some(vec![0]));
    assert_eq!(case.pressures.len(), 1);
    assert_eq!(
        (
            case.pressures[0].face.element,
            case.pressures[0].face.face,
            case.pressures[0].pressure
        ),
        (1, 3, 3.5)
    );
    assert!(matches!(deck.model.mesh.surfaces.get("NS"), Some(Surface::Nodes(n)) if n.len() == 3));
}

#[test]
fn anisotropic_constants_and_orientations() {
    let c21 = "*ELASTIC, TYPE=ANISOTROPIC\n2000, 500, 2000, 500, 500, 2000, 0, 0,\n0, 750, 0, 0, 0, 0, 750, 0,\n0, 0, 0, 0, 750\n";
    let deck = read(&cube("").replace("*ELASTIC\n1000, 0.3\n", c21));
    match &deck.model.materials[0].elastic {
        Elastic::Anisotropic(a) => assert_eq!((a.d[0][1], a.d[3][3]), (500.0, 750.0)),
        other => panic!("{other:?}"),
    }
    let iso = read(&cube("").replace("MATERIAL=M\n", "MATERIAL=M, ORIENTATION=ORI\n"));
    assert!(
        iso.warnings
            .iter()
            .any(|w| w.message.contains("ORIENTATION=ORI ignored"))
    );
    let (line, message) = error(
        &cube("")
            .replace("*ELASTIC\n1000, 0.3\n", c21)
            .replace("MATERIAL=M\n", "MATERIAL=M, ORIENTATION=ORI\n"),
    );
    assert_eq!(line, 17);
    assert!(message.contains("ORIENTATION"));
}

#[test]
fn unknown_parameters_and_steps_without_procedure_are_warned() {
    let deck = read(&cube(
        "*BOUNDARY, FANCY=YES\n1, 1, 3\n*STEP\n*CLOAD, AMPLITUDE=RAMP\n7, 1, 1.\n*END STEP\n",
    ));
    let messages: Vec<&str> = deck.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("parameter FANCY of *BOUNDARY")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("AMPLITUDE")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("no procedure")),
        "{messages:?}"
    );
    assert_eq!(deck.steps[0].procedure, None);
}

#[test]
fn tie_with_a_node_surface_slave_and_untied_nodes_warned() {
    // a second cube 0.5 mm above the first, its bottom nodes on a node surface: too far
    let deck = read(&cube(
        "*NODE\n11,0,0,1.5\n12,1,0,1.5\n13,1,1,1.5\n14,0,1,1.5\n15,0,0,2.5\n16,1,0,2.5\n17,1,1,2.5\n18,0,1,2.5\n\
         *ELEMENT, TYPE=C3D8, ELSET=UP\n2, 11,12,13,14,15,16,17,18\n*SOLID SECTION, ELSET=UP, MATERIAL=M\n\
         *SURFACE, NAME=TOPFACE\nCUBE, S2\n*NSET, NSET=UPB\n11, 12, 13, 14\n*SURFACE, NAME=UPS, TYPE=NODE\nUPB\n\
         *TIE, NAME=gap, POSITION TOLERANCE=0.1\nUPS, TOPFACE\n",
    ));
    let (name, report) = &deck.tie_reports[0];
    assert_eq!(name, "gap");
    assert_eq!((report.tied, report.too_far.len()), (0, 4));
    assert!(deck.model.equations.is_empty());
    let w = deck
        .warnings
        .iter()
        .find(|w| w.message.contains("NOT tied"));
    assert!(
        w.is_some_and(|w| w.line == 35 && w.message.contains("4 of 4")),
        "{:?}",
        deck.warnings
    );
}

/// `*TIE, ADJUST=YES` (the default, as in CalculiX) moves the slave nodes within the
/// tolerance onto the master surface; `ADJUST=NO` leaves them where they are; any other
/// value is refused with its line.
#[test]
fn tie_adjust_moves_the_slave_nodes_onto_the_master_surface() {
    // a second cube 0.05 mm above the first: within the 0.1 mm tolerance
    let upper = |adjust: &str| {
        format!(
            "*NODE\n11,0,0,1.05\n12,1,0,1.05\n13,1,1,1.05\n14,0,1,1.05\n15,0,0,2.05\n16,1,0,2.05\n17,1,1,2.05\n18,0,1,2.05\n\
             *ELEMENT, TYPE=C3D8, ELSET=UP\n2, 11,12,13,14,15,16,17,18\n*SOLID SECTION, ELSET=UP, MATERIAL=M\n\
             *SURFACE, NAME=TOPFACE\nCUBE, S2\n*NSET, NSET=UPB\n11, 12, 13, 14\n*SURFACE, NAME=UPS, TYPE=NODE\nUPB\n\
             *TIE, NAME=glue, POSITION TOLERANCE=0.1{adjust}\nUPS, TOPFACE\n"
        )
    };
    let z_of = |deck: &Deck, id: i64| {
        let n = deck.model.mesh.node_index(id).expect("node");
        deck.model.mesh.coords[n][2]
    };
    let adjusted = read(&cube(&upper("")));
    assert_eq!(adjusted.tie_reports[0].1.tied, 4);
    for id in 11..=14 {
        assert!(
            (z_of(&adjusted, id) - 1.0).abs() < 1e-12,
            "node {id} on the master face"
        );
    }
    assert!(
        (z_of(&adjusted, 15) - 2.05).abs() < 1e-12,
        "only the slave nodes move"
    );
    let kept = read(&cube(&upper(", ADJUST=NO")));
    assert_eq!(kept.tie_reports[0].1.tied, 4);
    for id in 11..=14 {
        assert!((z_of(&kept, id) - 1.05).abs() < 1e-12);
    }
    let (_, message) = error(&cube(&upper(", ADJUST=MAYBE")));
    assert!(message.contains("ADJUST must be YES or NO"), "{message}");
}
