//! Property tests: the `.inp` deck reader and the Gmsh `.msh` reader return `Ok` or a typed
//! [`IoError`] for any input — arbitrary bytes, lines built from each format's vocabulary
//! with numbers and garbage, and random mutations (deleted, inserted, replaced bytes) of the
//! real fixture files — and never panic. A parse error in the deck names a line of the file.

use std::path::Path;

use osteon_io::IoError;
use osteon_io::gmsh::parse_msh;
use osteon_io::inp::{read_inp, read_inp_bytes, read_inp_mesh};
use proptest::prelude::*;
use proptest::test_runner::Config;

const CASES: u32 = 192;

fn config() -> Config {
    // Regressions are kept as plain #[test]s (proptest's regression files need a lib.rs
    // or main.rs next to the test, which integration tests do not have).
    Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    }
}

fn fixture(kind: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The reader's answer must be Ok or an error that names the deck (or an included file, or
/// a path that could not be read) and, for a parse error in the deck itself, a line that
/// exists in it (0: the deck as a whole).
fn check_deck_result<T>(result: Result<T, IoError>, deck: &Path, bytes: &[u8]) {
    if let Err(e @ IoError::Parse { file, line, .. }) = &result
        && file == deck
    {
        let lines = bytes.split(|&b| b == b'\n').count();
        assert!(
            *line <= lines,
            "error at line {line} of a deck of {lines} lines: {e}"
        );
    }
}

/// Reads `bytes` as a deck three ways: from memory, from a file (so `*INCLUDE`s of itself
/// and of missing files are exercised), and as a mesh only.
fn read_deck_every_way(dir: &Path, bytes: &[u8]) {
    let deck = dir.join("deck.inp");
    check_deck_result(read_inp_bytes(bytes, &deck), &deck, bytes);
    std::fs::write(&deck, bytes).unwrap_or_else(|e| panic!("{e}"));
    check_deck_result(read_inp(&deck), &deck, bytes);
    check_deck_result(read_inp_mesh(&deck), &deck, bytes);
}

/// A random mutation of `seed`: bytes deleted, inserted or replaced at a few positions.
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len().max(1);
    let edit = (
        0..len,
        0usize..3,
        0usize..24,
        prop::collection::vec(any::<u8>(), 0..12),
    );
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = seed.clone();
        for (at, kind, span, insert) in edits {
            let at = at.min(bytes.len());
            let end = (at + span).min(bytes.len());
            match kind {
                0 => {
                    bytes.drain(at..end);
                }
                1 => {
                    bytes.splice(at..at, insert);
                }
                _ => {
                    bytes.splice(at..end, insert);
                }
            }
        }
        bytes
    })
}

/// Numbers as they appear (and fail to appear) in decks and meshes.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0i64..12).prop_map(|v| v.to_string()),
        2 => (-3i64..40).prop_map(|v| v.to_string()),
        2 => any::<f64>().prop_map(|v| format!("{v:e}")),
        1 => (-1e3f64..1e3).prop_map(|v| v.to_string()),
        1 => Just(String::new()),
        1 => prop::sample::select(vec![
            "1.5D3", ".5", "1.", "-0", "nan", "NaN", "inf", "-inf", "1e999", "1e-999",
            "99999999999999999999", "-9223372036854775808", "9223372036854775807",
            "4294967296", "0x10", "1,5", "+", "-", "e", "1e", "D",
        ])
        .prop_map(str::to_string),
    ]
}

fn garbage() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "[*$,= \t\"]{1,6}",
        prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ]
}

const DECK_KEYWORDS: &[&str] = &[
    "*NODE",
    "*NODE, NSET=N1",
    "*NODE, NSET=NALL, SYSTEM=C",
    "*NODE, SYSTEM=S",
    "*ELEMENT, TYPE=C3D4",
    "*ELEMENT, TYPE=C3D4, ELSET=E1",
    "*ELEMENT, TYPE=C3D8, ELSET=E2",
    "*ELEMENT, TYPE=C3D10, ELSET=E1",
    "*ELEMENT, TYPE=C3D20R",
    "*ELEMENT, TYPE=C3D20, ELSET=EALL",
    "*ELEMENT, TYPE=S4R",
    "*ELEMENT",
    "*NSET, NSET=N1",
    "*NSET, NSET=N2, GENERATE",
    "*NSET, NSET=N3, ELSET=E1",
    "*ELSET, ELSET=E1",
    "*ELSET, ELSET=E2, GENERATE",
    "*ELSET, ELSET=EALL",
    "*SURFACE, NAME=S1",
    "*SURFACE, NAME=S1, TYPE=ELEMENT",
    "*SURFACE, NAME=S2, TYPE=NODE",
    "*MATERIAL, NAME=M",
    "*MATERIAL, NAME=M2",
    "*ELASTIC",
    "*ELASTIC, TYPE=ISOTROPIC",
    "*ELASTIC, TYPE=ENGINEERING CONSTANTS",
    "*ELASTIC, TYPE=ORTHOTROPIC",
    "*ELASTIC, TYPE=ANISOTROPIC",
    "*DENSITY",
    "*SOLID SECTION, ELSET=E1, MATERIAL=M",
    "*SOLID SECTION, ELSET=EALL, MATERIAL=M2",
    "*SOLID SECTION, ELSET=E2, MATERIAL=M, ORIENTATION=OR",
    "*EQUATION",
    "*TIE, NAME=T",
    "*TIE, NAME=T, POSITION TOLERANCE=0.5",
    "*BOUNDARY",
    "*BOUNDARY, OP=NEW",
    "*CLOAD",
    "*CLOAD, OP=NEW",
    "*DLOAD",
    "*DLOAD, OP=NEW",
    "*DSLOAD",
    "*STEP",
    "*STEP, NAME=LOAD",
    "*STATIC",
    "*STATIC, DIRECT",
    "*END STEP",
    "*SURFACE INTERACTION, NAME=I",
    "*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD",
    "*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR",
    "*FRICTION",
    "*CONTACT PAIR, INTERACTION=I",
    "*CONTACT PAIR, INTERACTION=I, TYPE=NODE TO SURFACE, ADJUST=0.1",
    "*CONTACT PAIR, INTERACTION=I, ADJUST=N1",
    "*INCLUDE, INPUT=deck.inp",
    "*INCLUDE, INPUT=missing.inp",
    "*INCLUDE",
    "*HEADING",
    "*NODE PRINT, NSET=NALL",
    "*PLASTIC",
    "*AMPLITUDE, NAME=A",
    "*DLAOD",
    "*BOUNDRY",
    "*FREQUENCY",
    "*SYSTEM",
    "*TRANSFORM, NSET=N1",
    "*",
    "**",
    "** a comment",
    "*,",
    "*NODE,",
    "*ELEMENT, TYPE=C3D4,",
    "NSET=N1",
    "*MATERIAL",
    "*MATERIAL, NAME=",
    "*ELASTIC, TYPE=",
];

const DECK_WORDS: &[&str] = &[
    "N1", "N2", "N3", "E1", "E2", "EALL", "NALL", "S1", "S2", "M", "M2", "I", "ENCASTRE", "PINNED",
    "XSYMM", "YSYMM", "ZSYMM", "XASYMM", "P", "P1", "P2", "P3", "P4", "P5", "P6", "GRAV", "S1",
    "S3", "S6", "SPOS", "SNEG", "T",
];

fn deck_data_line() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        6 => number(),
        2 => prop::sample::select(DECK_WORDS).prop_map(str::to_string),
        1 => garbage(),
    ];
    let sep = prop::sample::select(&[", ", ",", " ", "\t", ",,", ", "][..]);
    prop::collection::vec((field, sep), 0..18).prop_map(|fields| {
        let mut line = String::new();
        for (f, s) in fields {
            line.push_str(&f);
            line.push_str(s);
        }
        line
    })
}

fn deck_text() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        3 => prop::sample::select(DECK_KEYWORDS).prop_map(str::to_string),
        6 => deck_data_line(),
        1 => garbage(),
    ];
    (
        prop::collection::vec(line, 0..48),
        prop::sample::select(&["\n", "\r\n", "\r"][..]),
    )
        .prop_map(|(lines, eol)| {
            let mut text = lines.join(eol);
            text.push_str(eol);
            text.into_bytes()
        })
}

const MSH_LINES: &[&str] = &[
    "$MeshFormat",
    "4.1 0 8",
    "2.2 0 8",
    "4.1 1 8",
    "4.1 1 4",
    "4.0 0 8",
    "3 0 8",
    "$EndMeshFormat",
    "$PhysicalNames",
    "$EndPhysicalNames",
    "$Entities",
    "$EndEntities",
    "$Nodes",
    "$EndNodes",
    "$Elements",
    "$EndElements",
    "$NodeData",
    "$EndNodeData",
    "$Comments",
    "$EndComments",
    "$PartitionedEntities",
    "$",
    "$End",
    "2 5 \"Bottom\"",
    "3 1 \"A\"",
    "3 2 \"B b\"",
    "3 3 \"unterminated",
    "1 4 1 4",
    "3 1 0 4",
    "1 1 1 1",
    "3 1 4 1",
    "3 1 11 1",
    "3 1 5 1",
    "3 1 17 1",
    "2 1 2 1",
    "1 1 2 3 4",
    "1 4 2 1 3 1 2 3 4",
    "0 0 0",
    "1 0 0",
    "0 1 0",
    "0 0 1",
];

fn msh_text() -> impl Strategy<Value = Vec<u8>> {
    let data = prop::collection::vec(number(), 0..12).prop_map(|v| v.join(" "));
    let line = prop_oneof![
        4 => prop::sample::select(MSH_LINES).prop_map(str::to_string),
        4 => data,
        1 => garbage(),
    ];
    let header = prop::sample::select(&["4.1 0 8", "2.2 0 8", "4.1 1 8"][..]);
    (
        header,
        prop::collection::vec(line, 0..48),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<bool>(),
    )
        .prop_map(|(header, lines, tail, with_tail)| {
            let mut text = format!("$MeshFormat\n{header}\n$EndMeshFormat\n").into_bytes();
            text.extend_from_slice(lines.join("\n").as_bytes());
            text.push(b'\n');
            if with_tail {
                // binary payloads follow a section header in MSH 4.1 binary
                text.extend_from_slice(&tail);
            }
            text
        })
}

fn msh_fixtures() -> Vec<Vec<u8>> {
    [
        "box_tet4_v41.msh",
        "box_tet4_v22.msh",
        "box_hex20_v22.msh",
        "box_hex8_v41.msh",
        "box_hex20_v41_bin.msh",
        "two_blocks_tet4_v41.msh",
    ]
    .iter()
    .map(|n| fixture("gmsh", n))
    .collect()
}

fn inp_fixtures() -> Vec<Vec<u8>> {
    [
        "two_steps.inp",
        "materials.inp",
        "equation_c3d8.inp",
        "block_c3d10.inp",
        "skipped_keywords.inp",
        "tie_boxes.inp",
    ]
    .iter()
    .map(|n| fixture("inp", n))
    .collect()
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn read_msh(bytes: &[u8]) {
    // Ok or a typed error; a panic fails the property
    let _ = parse_msh(bytes, Path::new("fuzz.msh"));
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn deck_reader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        read_deck_every_way(dir().path(), &bytes);
    }

    #[test]
    fn deck_reader_survives_vocabulary_lines(bytes in deck_text()) {
        read_deck_every_way(dir().path(), &bytes);
    }

    #[test]
    fn deck_reader_survives_mutated_fixtures(
        bytes in prop::sample::select(inp_fixtures()).prop_flat_map(mutated)
    ) {
        // the fixtures' *INCLUDEs name files next to them: read from the fixture folder's
        // copy in a temporary directory, so the include of a missing file is an Os error
        read_deck_every_way(dir().path(), &bytes);
    }

    #[test]
    fn msh_reader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        read_msh(&bytes);
    }

    #[test]
    fn msh_reader_survives_vocabulary_lines(bytes in msh_text()) {
        read_msh(&bytes);
    }

    #[test]
    fn msh_reader_survives_mutated_fixtures(
        bytes in prop::sample::select(msh_fixtures()).prop_flat_map(mutated)
    ) {
        read_msh(&bytes);
    }
}
