//! Decks that would once have solved to a wrong answer with exit 0: misspelled keywords,
//! steps that load nothing, a pressure given to a surface with `*DLOAD`, and models written
//! in other units. Each is an error naming the line, or a warning naming the likely unit
//! system.

use std::path::Path;

use osteon_io::IoError;
use osteon_io::inp::{Deck, read_inp_str};

/// A bar of two C3D8 bricks (x from 0 to 2 mm), clamped at x = 0, with a surface END on the
/// x = 2 face; `step` follows.
fn bar(e: &str, scale: f64, step: &str) -> String {
    let n = |id: usize, x: f64, y: f64, z: f64| {
        format!("{id}, {}, {}, {}\n", x * scale, y * scale, z * scale)
    };
    let mut s = String::from("*HEADING\nbar\n*NODE, NSET=ALL\n");
    let mut id = 1;
    for i in 0..3 {
        for (y, z) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
            s += &n(id, i as f64, y, z);
            id += 1;
        }
    }
    s +=
        "*ELEMENT, TYPE=C3D8, ELSET=BAR\n1, 1, 5, 6, 2, 4, 8, 7, 3\n2, 5, 9, 10, 6, 8, 12, 11, 7\n";
    s += "*NSET, NSET=X0\n1, 2, 3, 4\n*ELSET, ELSET=LAST\n2\n*SURFACE, NAME=END\nLAST, S4\n";
    s += &format!(
        "*MATERIAL, NAME=BONE\n*ELASTIC\n{e}, 0.3\n*SOLID SECTION, ELSET=BAR, MATERIAL=BONE\n"
    );
    s += "*BOUNDARY\nX0, 1, 3\n";
    s += step;
    s
}

fn read(text: &str) -> Result<Deck, IoError> {
    read_inp_str(text, Path::new("bar.inp"))
}

fn parse_error(text: &str) -> (usize, String) {
    match read(text) {
        Err(IoError::Parse { line, message, .. }) => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("'{needle}' not in the deck"))
}

const PULL: &str = "*STEP, NAME=PULL\n*STATIC\n*DSLOAD\nEND, P, -1.0\n*END STEP\n";

#[test]
fn the_reference_deck_reads_without_a_single_warning() {
    let deck = read(&bar("17000", 1.0, PULL)).expect("deck");
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
    assert_eq!(deck.model.load_cases[0].pressures.len(), 1);
}

#[test]
fn a_misspelled_load_keyword_is_an_error_that_names_the_keyword() {
    let text = bar("17000", 1.0, &PULL.replace("*DSLOAD", "*DSLAOD"));
    let (line, message) = parse_error(&text);
    assert_eq!(line, line_of(&text, "*DSLAOD"));
    assert!(message.contains("did you mean *DSLOAD?"), "{message}");

    let text = bar(
        "17000",
        1.0,
        "*STEP\n*STATIC\n*DLAOD\nLAST, P4, -1.0\n*END STEP\n",
    );
    let (line, message) = parse_error(&text);
    assert_eq!(line, line_of(&text, "*DLAOD"));
    assert!(message.contains("did you mean *DLOAD?"), "{message}");

    let text = bar("17000", 1.0, PULL).replace("*BOUNDARY", "*BOUNDRY");
    let (line, message) = parse_error(&text);
    assert_eq!(line, line_of(&text, "*BOUNDRY"));
    assert!(message.contains("did you mean *BOUNDARY?"), "{message}");
}

#[test]
fn a_step_that_loads_nothing_is_an_error_naming_the_step() {
    // the load card is gone: the step would solve to zero displacement everywhere
    let text = bar("17000", 1.0, "*STEP, NAME=PULL\n*STATIC\n*END STEP\n");
    let (line, message) = parse_error(&text);
    assert_eq!(line, line_of(&text, "*STEP"));
    assert!(
        message.contains("step 'PULL' applies no load and no non-zero prescribed displacement"),
        "{message}"
    );
    // a zero load is no load either
    let text = bar("17000", 1.0, &PULL.replace("-1.0", "0."));
    assert!(parse_error(&text).1.contains("'PULL'"));
    // a prescribed displacement is a load
    let moved = "*STEP, NAME=STRETCH\n*STATIC\n*BOUNDARY\n9, 1, 1, 0.01\n*END STEP\n";
    assert!(read(&bar("17000", 1.0, moved)).is_ok());
}

#[test]
fn a_pressure_on_a_surface_through_dload_points_to_dsload() {
    let text = bar(
        "17000",
        1.0,
        "*STEP\n*STATIC\n*DLOAD\nEND, P, -1.0\n*END STEP\n",
    );
    let (line, message) = parse_error(&text);
    assert_eq!(line, line_of(&text, "END, P"));
    assert!(
        message.contains("is a surface") && message.contains("*DSLOAD"),
        "{message}"
    );
    // an unknown load label names *DSLOAD too
    let text = bar(
        "17000",
        1.0,
        "*STEP\n*STATIC\n*DLOAD\nLAST, Z1, -1.0\n*END STEP\n",
    );
    assert!(parse_error(&text).1.contains("*DSLOAD"));
}

#[test]
fn a_deck_in_metres_and_pascals_is_warned_about_with_the_likely_units() {
    // the same bar in SI: 2 mm → 0.002 m, 17 000 MPa → 1.7e10 Pa
    let text = bar("1.7e10", 1e-3, &PULL.replace("-1.0", "-1.0e6"));
    let deck = read(&text).expect("an SI deck still reads");
    let shown: Vec<String> = deck.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 3, "{shown:#?}");
    let material_line = line_of(&text, "*MATERIAL");
    assert!(
        shown[0].starts_with(&format!("bar.inp:{material_line}: warning: material BONE"))
            && shown[0].contains("SI units"),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].starts_with("bar.inp: warning: the model is only") && shown[1].contains("metres"),
        "{}",
        shown[1]
    );
    let step_line = line_of(&text, "*STEP");
    assert!(
        shown[2].starts_with(&format!("bar.inp:{step_line}: warning: step 'PULL'"))
            && shown[2].contains("Pa"),
        "{}",
        shown[2]
    );
}
