//! Contact keywords of the deck reader: `*SURFACE INTERACTION`, `*SURFACE BEHAVIOR`,
//! `*FRICTION`, `*CONTACT PAIR`, and the `*STATIC` increment control of contact steps;
//! errors with file:line; the example deck read into the model (solved in
//! crates/contact/tests/deck.rs: the reader does not depend on the contact solver).

use std::path::Path;

use osteon_assembly::contact::{Friction, IncrementControl, InitialGap, NormalBehaviour};
use osteon_io::IoError;
use osteon_io::inp::{Deck, read_inp, read_inp_str};

/// Two unit C3D8 cubes, the upper (element 2) resting on the lower (element 1), the lower
/// fixed at its base; `model` goes between the surfaces and the `*BOUNDARY`, `steps` after.
fn cubes(model: &str, steps: &str) -> String {
    format!(
        "*NODE, NSET=NLOW
1, 0, 0, 0
2, 1, 0, 0
3, 1, 1, 0
4, 0, 1, 0
5, 0, 0, 1
6, 1, 0, 1
7, 1, 1, 1
8, 0, 1, 1
*NODE, NSET=NUP
11, 0, 0, 1
12, 1, 0, 1
13, 1, 1, 1
14, 0, 1, 1
15, 0, 0, 2
16, 1, 0, 2
17, 1, 1, 2
18, 0, 1, 2
*ELEMENT, TYPE=C3D8, ELSET=LOW
1, 1, 2, 3, 4, 5, 6, 7, 8
*ELEMENT, TYPE=C3D8, ELSET=UP
2, 11, 12, 13, 14, 15, 16, 17, 18
*NSET, NSET=BASE
1, 2, 3, 4
*NSET, NSET=TOP
15, 16, 17, 18
*NSET, NSET=UPBOTTOM
11, 12, 13, 14
*SURFACE, NAME=SUP, TYPE=ELEMENT
UP, S1
*SURFACE, NAME=SLOW
LOW, S2
*SURFACE, NAME=NUPB, TYPE=NODE
UPBOTTOM
*MATERIAL, NAME=BONE
*ELASTIC
17000., 0.3
*SOLID SECTION, ELSET=LOW, MATERIAL=BONE
*SOLID SECTION, ELSET=UP, MATERIAL=BONE
{model}*BOUNDARY
BASE, 1, 3
{steps}"
    )
}

const PRESS: &str = "*STEP
*STATIC
0.5, 1., 0.1, 0.5
*BOUNDARY
TOP, 1, 2, 0.
TOP, 3, 3, -0.001
*END STEP
";

fn read(text: &str) -> Result<Deck, IoError> {
    read_inp_str(text, Path::new("contact.inp"))
}

/// The message of a parse error at `line`, or a panic.
fn error_at(text: &str, line: usize) -> String {
    match read(text) {
        Err(IoError::Parse {
            line: l, message, ..
        }) => {
            assert_eq!(l, line, "error at line {l}, expected {line}: {message}");
            println!("contact.inp:{l}: {message}");
            message
        }
        Err(other) => panic!("expected a parse error, got {other}"),
        Ok(_) => panic!("expected a parse error at line {line}"),
    }
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no line with {needle}"))
}

#[test]
fn the_example_deck_is_read_into_contact_pairs_and_increments() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/decks/contact_block.inp");
    let deck = read_inp(&path).expect("example deck");
    assert!(deck.has_contact());
    assert_eq!(deck.model.contact_pairs.len(), 1);
    let pair = &deck.model.contact_pairs[0];
    assert_eq!(pair.name, "SBLOCK-SFOUND");
    assert_eq!((pair.slave_faces.len(), pair.master_faces.len()), (9, 16));
    assert_eq!(
        pair.interaction.normal,
        NormalBehaviour::Linear { stiffness: 1e5 }
    );
    assert_eq!(
        pair.interaction.friction,
        Some(Friction {
            mu: 0.4,
            stick_slope: Some(2e4)
        })
    );
    assert_eq!(pair.initial_gap, InitialGap::Geometric);
    assert_eq!(deck.steps.len(), 2);
    assert_eq!(
        deck.steps[0].increments,
        Some(IncrementControl::from_static(1.0, 1.0, 0.0, 0.0))
    );
    let slide = deck.steps[1].increments.expect("increments");
    assert!((slide.initial - 0.25).abs() < 1e-15);
    assert!((slide.minimum - 0.01).abs() < 1e-15);
    assert!((slide.maximum - 0.25).abs() < 1e-15);
    // σ∞ = 0.001 MPa of the LINEAR law is accepted, not used, and too small to warn about
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
    assert!(
        !deck
            .warnings
            .iter()
            .any(|w| w.message.contains("FRICTION") || w.message.contains("CONTACT PAIR"))
    );
    let cases = &deck.model.load_cases;
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1].increments, slide);
}

#[test]
fn a_small_deck_carries_its_pairs_and_increments_in_the_model() {
    // fixtures/inp/contact_cubes.inp is `cubes` with a ROUGH pair and PRESS (also solved by
    // crates/contact/tests/deck.rs)
    let text = cubes(
        "*SURFACE INTERACTION, NAME=ROUGH\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD\n*FRICTION\n0.5\n*CONTACT PAIR, INTERACTION=rough, TYPE=NODE TO SURFACE\nSUP, SLOW\n",
        PRESS,
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inp/contact_cubes.inp");
    let fixture = read_inp(&path).expect("fixture");
    let deck = read(&text).expect("deck");
    assert_eq!(fixture.model.contact_pairs, deck.model.contact_pairs);
    assert_eq!(fixture.model.load_cases, deck.model.load_cases);
    let pair = &deck.model.contact_pairs[0];
    assert_eq!(pair.interaction.normal, NormalBehaviour::default());
    assert_eq!(pair.interaction.friction, Some(Friction::coulomb(0.5)));
    let c = deck.steps[0].increments.expect("increments");
    assert_eq!(c, IncrementControl::from_static(0.5, 1.0, 0.1, 0.5));
    assert_eq!(deck.model.load_cases.len(), 1);
    assert_eq!(deck.model.load_cases[0].increments, c);
}

#[test]
fn a_node_slave_surface_keeps_its_nodes_with_the_faces_around_them_and_adjust_sets_the_gap() {
    // no *SURFACE BEHAVIOR: hard; no *FRICTION: frictionless; interaction defined after the pair
    let text = cubes(
        "*CONTACT PAIR, INTERACTION=SMOOTH, ADJUST=0.01\nNUPB, SLOW\n*SURFACE INTERACTION, NAME=SMOOTH\n",
        PRESS,
    );
    let deck = read(&text).expect("deck");
    let pair = &deck.model.contact_pairs[0];
    // CalculiX's rule: the nodes' areas come from every exterior face that touches them —
    // the bottom S1 of the upper cube and its four sides, not the top S2
    let faces: Vec<(i64, u8)> = pair
        .slave_faces
        .iter()
        .map(|f| (deck.model.mesh.element(f.element).id, f.face))
        .collect();
    assert_eq!(faces, vec![(2, 0), (2, 2), (2, 3), (2, 4), (2, 5)]);
    let ids: Vec<i64> = pair
        .slave_nodes
        .as_ref()
        .expect("a node surface")
        .iter()
        .map(|&n| deck.model.mesh.node_ids[n])
        .collect();
    assert_eq!(ids, vec![11, 12, 13, 14]);
    assert_eq!(pair.interaction.friction, None);
    assert_eq!(pair.initial_gap, InitialGap::Adjust { tolerance: 0.01 });
}

#[test]
fn friction_zero_is_frictionless_and_linear_takes_the_slope() {
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*FRICTION\n0.\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n2.5e4\n*CONTACT PAIR, INTERACTION=I\nSUP, SLOW\n",
        PRESS,
    );
    let deck = read(&text).expect("deck");
    let i = deck.model.contact_pairs[0].interaction;
    assert_eq!(i.friction, None);
    assert_eq!(i.normal, NormalBehaviour::Linear { stiffness: 2.5e4 });
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
    // a tension at large clearance that matters (1 MPa) is named, since osteon has none
    let text = text.replace("LINEAR\n2.5e4\n", "LINEAR\n2.5e4, 1.0\n");
    let deck = read(&text).expect("deck");
    assert!(deck.warnings.iter().any(|w| w.message.contains("σ∞ = 1")));
}

#[test]
fn contact_errors_name_the_line_and_what_was_expected() {
    let pair =
        "*SURFACE INTERACTION, NAME=I\n*FRICTION\n0.3\n*CONTACT PAIR, INTERACTION=I\nSUP, SLOW\n";

    // undefined interaction: at the *CONTACT PAIR line
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*CONTACT PAIR, INTERACTION=OTHER\nSUP, SLOW\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "INTERACTION=OTHER"));
    assert!(
        m.contains("'OTHER' is not defined") && m.contains("defined: I"),
        "{m}"
    );

    // undefined surface: at the data line
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*CONTACT PAIR, INTERACTION=I\nSUP, NOWHERE\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "SUP, NOWHERE"));
    assert!(m.contains("master surface 'NOWHERE' is not defined"), "{m}");

    // master as a node surface
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*CONTACT PAIR, INTERACTION=I\nSUP, NUPB\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "SUP, NUPB"));
    assert!(
        m.contains("node surface") && m.contains("element faces"),
        "{m}"
    );

    // bad μ: negative, and not a number
    let text = cubes("*SURFACE INTERACTION, NAME=I\n*FRICTION\n-0.2\n", PRESS);
    let m = error_at(&text, line_of(&text, "-0.2"));
    assert!(m.contains("μ = -0.2 is negative"), "{m}");
    let text = cubes("*SURFACE INTERACTION, NAME=I\n*FRICTION\nrough\n", PRESS);
    let m = error_at(&text, line_of(&text, "rough"));
    assert!(
        m.contains("friction coefficient") && m.contains("'rough'"),
        "{m}"
    );
    let text = cubes("*SURFACE INTERACTION, NAME=I\n*FRICTION\n", PRESS);
    let m = error_at(&text, line_of(&text, "*FRICTION"));
    assert!(m.contains("needs a data line"), "{m}");

    // *FRICTION outside an interaction
    let text = cubes("*FRICTION\n0.3\n", PRESS);
    let m = error_at(&text, line_of(&text, "*FRICTION"));
    assert!(m.contains("must follow a *SURFACE INTERACTION"), "{m}");

    // surface-to-surface: refused, naming the alternative
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*CONTACT PAIR, INTERACTION=I, TYPE=SURFACE TO SURFACE\nSUP, SLOW\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "TYPE=SURFACE TO SURFACE"));
    assert!(m.contains("TYPE=NODE TO SURFACE"), "{m}");

    // unsupported and incomplete normal laws
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=EXPONENTIAL\n1e-3, 10.\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "EXPONENTIAL"));
    assert!(m.contains("HARD or LINEAR"), "{m}");
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n*CONTACT PAIR, INTERACTION=I\nSUP, SLOW\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "=LINEAR"));
    assert!(m.contains("slope K"), "{m}");
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n-5.\n",
        PRESS,
    );
    let m = error_at(&text, line_of(&text, "-5."));
    assert!(m.contains("positive"), "{m}");

    // a contact pair is model data
    let steps = "*STEP\n*STATIC\n*CONTACT PAIR, INTERACTION=I\nSUP, SLOW\n*END STEP\n";
    let text = cubes("*SURFACE INTERACTION, NAME=I\n", steps);
    let m = error_at(&text, line_of(&text, "*CONTACT PAIR"));
    assert!(m.contains("model data"), "{m}");

    // a bad *STATIC line is an error in a contact deck ...
    let bad_static = "*STEP\n*STATIC\n0.1, one\n*END STEP\n";
    let text = cubes(pair, bad_static);
    let m = error_at(&text, line_of(&text, "0.1, one"));
    assert!(
        m.contains("step time") && m.contains("expected: initial increment"),
        "{m}"
    );
    let text = cubes(pair, "*STEP\n*STATIC\n2., 1.\n*END STEP\n");
    let m = error_at(&text, line_of(&text, "2., 1."));
    assert!(m.contains("longer than the step time"), "{m}");
    // ... and ignored, as before, in a linear one
    let text = cubes(
        "",
        "*STEP\n*STATIC\n0.1, one\n*BOUNDARY\nTOP, 3, 3, -0.001\n*END STEP\n",
    );
    let deck = read(&text).expect("linear deck");
    assert!(!deck.has_contact() && deck.steps[0].increments.is_none());
}

#[test]
fn static_direct_fixes_the_increment_and_other_contact_keywords_are_warned() {
    let text = cubes(
        "*SURFACE INTERACTION, NAME=I\n*CONTACT PAIR, INTERACTION=I\nSUP, SLOW\n*CONTACT\n*CONTACT INCLUSIONS, ALL EXTERIOR\n",
        "*STEP\n*STATIC, DIRECT\n0.2, 1.\n*END STEP\n",
    );
    let deck = read(&text).expect("deck");
    assert_eq!(
        deck.steps[0].increments,
        Some(IncrementControl {
            initial: 0.2,
            minimum: 0.2,
            maximum: 0.2
        })
    );
    let w: Vec<&str> = deck.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("*CONTACT is not supported") && w[0].contains("*CONTACT PAIR"));
    assert!(w[1].contains("*CONTACT INCLUSIONS"));
}
