//! The malformed-deck corpus: mutations of one good deck, each of which must be refused
//! with `IoError::Parse` at the right line with a message naming the problem — and no
//! input, however broken (every truncation, random byte damage), may panic.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use osteon_io::IoError;
use osteon_io::inp::{Deck, read_inp_bytes};

/// The good deck; line numbers below refer to it.
const BASE: &str = "\
** base deck of the malformed corpus
*NODE, NSET=NALL
1, 0., 0., 0.
2, 1., 0., 0.
3, 1., 1., 0.
4, 0., 1., 0.
5, 0., 0., 1.
6, 1., 0., 1.
7, 1., 1., 1.
8, 0., 1., 1.
9, 2., 0., 0.
*ELEMENT, TYPE=C3D8, ELSET=CUBE
1, 1, 2, 3, 4, 5, 6, 7, 8
*ELEMENT, TYPE=C3D4, ELSET=TET
2, 2, 9, 3, 6
*ELSET, ELSET=ALL
CUBE, TET
*NSET, NSET=X0
1, 4, 5, 8
*NSET, NSET=GEN, GENERATE
1, 9, 2
*SURFACE, NAME=TOP
CUBE, S2
*MATERIAL, NAME=STEEL
*ELASTIC
210000., 0.3
*DENSITY
7.85e-9
*SOLID SECTION, ELSET=ALL, MATERIAL=STEEL
*EQUATION
2
9, 3, 1.0, 6, 3, -1.0
*BOUNDARY
X0, 1, 3
*STEP
*STATIC
*CLOAD
7, 1, 10.0
*DLOAD
CUBE, P2, 1.0
ALL, GRAV, 9810., 0., 0., -1.
*DSLOAD
TOP, P, 2.0
*END STEP
";

fn lines() -> Vec<String> {
    BASE.lines().map(str::to_string).collect()
}

fn join(lines: &[String]) -> Vec<u8> {
    let mut s = lines.join("\n");
    s.push('\n');
    s.into_bytes()
}

/// Replace 1-based line `n`.
fn replace(n: usize, with: &str) -> Vec<u8> {
    let mut l = lines();
    l[n - 1] = with.to_string();
    join(&l)
}

/// The base deck with several 1-based lines replaced (each by one or more lines).
fn replace_many(with: &[(usize, &str)]) -> Vec<u8> {
    let mut l = lines();
    for &(n, text) in with {
        l[n - 1] = text.to_string();
    }
    join(&l)
}

/// Insert `text` (one or more lines) after 1-based line `n`.
fn insert_after(n: usize, text: &str) -> Vec<u8> {
    let mut l = lines();
    for (k, line) in text.lines().enumerate() {
        l.insert(n + k, line.to_string());
    }
    join(&l)
}

/// Delete 1-based lines `first..=last`.
fn delete(first: usize, last: usize) -> Vec<u8> {
    let mut l = lines();
    l.drain(first - 1..last);
    join(&l)
}

/// The first `n` lines.
fn truncate(n: usize) -> Vec<u8> {
    join(&lines()[..n])
}

fn virtual_path(dir: &Path) -> PathBuf {
    dir.join("corpus.inp")
}

/// Read without letting a panic escape: a panic is a test failure with the input shown.
fn read_guarded(bytes: &[u8], path: &Path) -> Result<Deck, IoError> {
    match catch_unwind(AssertUnwindSafe(|| read_inp_bytes(bytes, path))) {
        Ok(result) => result,
        Err(_) => panic!(
            "the reader panicked on:\n{}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

struct Case {
    name: &'static str,
    deck: Vec<u8>,
    line: usize,
    needle: &'static str,
}

fn case(name: &'static str, deck: Vec<u8>, line: usize, needle: &'static str) -> Case {
    Case {
        name,
        deck,
        line,
        needle,
    }
}

fn corpus() -> Vec<Case> {
    let mut v = vec![
        // whole-file problems
        case("empty file", Vec::new(), 0, "empty"),
        case(
            "only comments",
            b"** nothing here\n**\n".to_vec(),
            0,
            "empty",
        ),
        case("only blank lines", b"\n  \n\t\n".to_vec(), 0, "empty"),
        case(
            "binary garbage with NUL",
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x02\x00>\x00".to_vec(),
            1,
            "binary",
        ),
        case(
            "invalid UTF-8 without NUL",
            vec![0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, b'\n', 0xF0, 0x90],
            1,
            "UTF-8",
        ),
        case(
            "invalid UTF-8 in a node line",
            {
                let mut l = join(&lines()[..4]);
                l.extend_from_slice(b"3, 1.\xff, 1., 0.\n");
                l
            },
            5,
            "UTF-8",
        ),
        case(
            "data line before any keyword",
            insert_after(0, "1, 2, 3"),
            1,
            "before any keyword",
        ),
        case(
            "huge garbage line",
            ["x".repeat(100_000), "\n".to_string()]
                .concat()
                .into_bytes(),
            1,
            "before any keyword",
        ),
        case("lone asterisk", replace(30, "*"), 30, "keyword"),
        case(
            "parameter given twice",
            replace(2, "*NODE, NSET=A, nset=B"),
            2,
            "twice",
        ),
        case(
            "unknown node system",
            replace(2, "*NODE, SYSTEM=Q"),
            2,
            "SYSTEM=Q",
        ),
        // nodes
        case(
            "duplicate node id",
            replace(4, "1, 1., 0., 0."),
            4,
            "duplicate node id 1",
        ),
        case(
            "non-numeric coordinate",
            replace(5, "3, 1., abc, 0."),
            5,
            "'abc'",
        ),
        case("NaN coordinate", replace(6, "4, nan, 1., 0."), 6, "finite"),
        case(
            "infinite coordinate",
            replace(7, "5, 0., 0., inf"),
            7,
            "finite",
        ),
        case(
            "overflowing coordinate",
            replace(8, "6, 1e999, 0., 1."),
            8,
            "finite",
        ),
        case(
            "non-integer node id",
            replace(9, "7.5, 1., 1., 1."),
            9,
            "integer",
        ),
        case(
            "negative node id",
            replace(10, "-8, 0., 1., 1."),
            10,
            "positive",
        ),
        case(
            "node without coordinates",
            replace(11, "9"),
            11,
            "no coordinates",
        ),
        // elements
        case(
            "unknown element type",
            replace(12, "*ELEMENT, TYPE=C3D8R, ELSET=CUBE"),
            12,
            "C3D8R",
        ),
        case(
            "shell element type",
            replace(12, "*ELEMENT, TYPE=S4R, ELSET=CUBE"),
            12,
            "unsupported element type 'S4R'",
        ),
        case(
            "element without TYPE",
            replace(12, "*ELEMENT, ELSET=CUBE"),
            12,
            "TYPE=",
        ),
        case(
            "too few nodes",
            replace(13, "1, 1, 2, 3, 4, 5, 6, 7"),
            13,
            "7 of the 8",
        ),
        case(
            "too many nodes",
            replace(15, "2, 2, 9, 3, 6, 7"),
            15,
            "5 nodes",
        ),
        case(
            "undefined node in element",
            replace(13, "1, 1, 2, 3, 4, 5, 6, 7, 99"),
            13,
            "node 99",
        ),
        case(
            "duplicate element id",
            replace(15, "1, 2, 9, 3, 6"),
            15,
            "duplicate element id 1",
        ),
        case(
            "empty field in element",
            replace(13, "1, 1, , 3, 4, 5, 6, 7, 8"),
            13,
            "empty",
        ),
        case(
            "record cut off by a keyword",
            replace(13, "1, 1, 2, 3, 4, 5, 6, 7,"),
            13,
            "cut off",
        ),
        case(
            "non-numeric node in element",
            replace(15, "2, 2, 9, three, 6"),
            15,
            "'three'",
        ),
        // sets and surfaces
        case(
            "undefined element set in a set",
            replace(17, "CUBE, TETS"),
            17,
            "TETS",
        ),
        case(
            "undefined node in a node set",
            replace(19, "1, 4, 5, 88"),
            19,
            "node 88",
        ),
        case(
            "GENERATE last below first",
            replace(21, "9, 1"),
            21,
            "below",
        ),
        case("GENERATE non-numeric", replace(21, "1, x"), 21, "'x'"),
        case(
            "GENERATE absurd range",
            replace(21, "1, 1000000000000"),
            21,
            "range",
        ),
        case(
            "face label out of range",
            replace(23, "CUBE, S7"),
            23,
            "S1..S6",
        ),
        case("tet has no face S5", replace(23, "TET, S5"), 23, "S1..S4"),
        case("surface line without face", replace(23, "CUBE"), 23, "face"),
        case(
            "tie on an undefined surface",
            insert_after(23, "*TIE, NAME=T\nTOP, NOPE"),
            25,
            "NOPE",
        ),
        case(
            "tie master is a node surface",
            insert_after(
                23,
                "*SURFACE, NAME=NS, TYPE=NODE\nX0\n*TIE, NAME=T\nTOP, NS",
            ),
            27,
            "node surface",
        ),
        case(
            "*TRANSFORM",
            insert_after(19, "*TRANSFORM, NSET=X0\n1., 0., 0., 0., 1., 0."),
            20,
            "TRANSFORM",
        ),
        // materials and sections
        case(
            "material without elastic constants",
            delete(25, 26),
            24,
            "no elastic constants",
        ),
        case(
            "data line after *MATERIAL",
            replace(25, "** forgot *ELASTIC"),
            26,
            "unexpected data line after *MATERIAL",
        ),
        case(
            "non-numeric modulus",
            replace(26, "210000., abc"),
            26,
            "'abc'",
        ),
        case("NaN modulus", replace(26, "nan, 0.3"), 26, "finite"),
        case(
            "missing Poisson ratio",
            replace(26, "210000."),
            26,
            "only 1 of 2",
        ),
        case(
            "Poisson ratio 0.6",
            replace(26, "210000., 0.6"),
            26,
            "STEEL",
        ),
        case(
            "second elastic record",
            insert_after(26, "200000., 0.3"),
            27,
            "second data record",
        ),
        case(
            "unknown elastic type",
            replace(25, "*ELASTIC, TYPE=HYPER"),
            25,
            "TYPE=HYPER",
        ),
        case("negative density", replace(28, "-1."), 28, "> 0"),
        case("non-numeric density", replace(28, "heavy"), 28, "'heavy'"),
        case(
            "duplicate material",
            insert_after(28, "*MATERIAL, NAME=steel\n*ELASTIC\n1000., 0.1"),
            29,
            "already defined",
        ),
        case(
            "*ELASTIC outside a material",
            insert_after(19, "*ELASTIC\n1000., 0.2"),
            20,
            "must follow a *MATERIAL",
        ),
        case(
            "section on a missing set",
            replace(29, "*SOLID SECTION, ELSET=NOPE, MATERIAL=STEEL"),
            29,
            "NOPE",
        ),
        case(
            "section with a missing material",
            replace(29, "*SOLID SECTION, ELSET=ALL, MATERIAL=GOLD"),
            29,
            "GOLD",
        ),
        case(
            "unbalanced quote in a material name",
            replace(24, "*MATERIAL, NAME=\"STEEL"),
            24,
            "unbalanced double quote",
        ),
        case(
            "element without a section",
            replace(29, "*SOLID SECTION, ELSET=CUBE, MATERIAL=STEEL"),
            15,
            "element 2 (C3D4) has no section",
        ),
        case(
            "element in two sections",
            insert_after(29, "*SOLID SECTION, ELSET=TET, MATERIAL=STEEL"),
            30,
            "already in the section",
        ),
        // equations
        case(
            "equation with fewer terms than declared",
            replace(31, "3"),
            32,
            "declared 3 terms",
        ),
        case(
            "equation header with two values",
            replace(31, "2, 3"),
            31,
            "number of terms",
        ),
        case(
            "equation on a rotation",
            replace(32, "9, 4, 1.0, 6, 3, -1.0"),
            32,
            "rotations",
        ),
        case(
            "equation with a partial term",
            replace(32, "9, 3, 1.0, 6, 3"),
            32,
            "whole number of terms",
        ),
        case(
            "equation on an undefined node",
            replace(32, "99, 3, 1.0, 6, 3, -1.0"),
            32,
            "node 99",
        ),
        case(
            "equation with a zero first coefficient",
            replace(32, "9, 3, 0.0, 6, 3, -1.0"),
            32,
            "first coefficient",
        ),
        // boundary conditions
        case(
            "boundary on an undefined set",
            replace(34, "X1, 1, 3"),
            34,
            "'X1'",
        ),
        case("boundary dof 7", replace(34, "X0, 1, 7"), 34, "dofs 1 to 7"),
        case(
            "boundary first above last",
            replace(34, "X0, 3, 1"),
            34,
            "dofs 3 to 1",
        ),
        case(
            "boundary non-numeric value",
            replace(34, "X0, 1, 3, abc"),
            34,
            "'abc'",
        ),
        case(
            "boundary with five values",
            replace(34, "X0, 1, 3, 0., 5"),
            34,
            "5 values",
        ),
        // steps
        case("missing *END STEP", delete(44, 44), 35, "no *END STEP"),
        case(
            "*END STEP without *STEP",
            insert_after(34, "*END STEP"),
            35,
            "without a *STEP",
        ),
        case(
            "*STEP inside a step",
            insert_after(36, "*STEP"),
            37,
            "no *END STEP",
        ),
        case(
            "*CLOAD outside a step",
            insert_after(34, "*CLOAD\n7, 1, 10.0"),
            35,
            "step data",
        ),
        case(
            "*CLOAD after the last step",
            insert_after(44, "*CLOAD\n7, 2, 1."),
            45,
            "step data",
        ),
        case(
            "*BOUNDARY after the last step",
            insert_after(44, "*BOUNDARY\nX0, 1"),
            45,
            "*BOUNDARY after a step",
        ),
        case(
            "model data inside a step",
            insert_after(36, "*NODE\n10, 5., 5., 5."),
            37,
            "model data",
        ),
        case(
            "unsupported procedure",
            replace(36, "*FREQUENCY"),
            36,
            "FREQUENCY",
        ),
        case(
            "unknown OP",
            replace(37, "*CLOAD, OP=REPLACE"),
            37,
            "OP=REPLACE",
        ),
        // loads
        case(
            "load on an undefined node",
            replace(38, "77, 1, 10.0"),
            38,
            "node 77",
        ),
        case("load on dof 0", replace(38, "7, 0, 10.0"), 38, "dof 0"),
        case("NaN load", replace(38, "7, 1, NaN"), 38, "finite"),
        case("load without a value", replace(38, "7, 1"), 38, "2 values"),
        case(
            "pressure P without a face",
            replace(40, "CUBE, P, 1.0"),
            40,
            "shell",
        ),
        case("pressure P7", replace(40, "CUBE, P7, 1.0"), 40, "P7"),
        case(
            "pressure on a tet face S5",
            replace(40, "TET, P5, 1.0"),
            40,
            "S1..S4",
        ),
        case(
            "body force BX",
            replace(40, "CUBE, BX, 1.0"),
            40,
            "'BX' is not supported",
        ),
        case(
            "GRAV with too few values",
            replace(41, "ALL, GRAV, 9810."),
            41,
            "GRAV takes 4 values",
        ),
        case(
            "GRAV with a zero direction",
            replace(41, "ALL, GRAV, 9810., 0., 0., 0."),
            41,
            "zero",
        ),
        case("GRAV without a density", delete(27, 28), 39, "no *DENSITY"),
        case(
            "pressure on an undefined surface",
            replace(43, "BOTTOM, P, 2.0"),
            43,
            "BOTTOM",
        ),
        // includes
        case(
            "missing include",
            insert_after(1, "*INCLUDE, INPUT=does_not_exist.inp"),
            2,
            "does_not_exist.inp",
        ),
        case(
            "include without INPUT",
            insert_after(1, "*INCLUDE"),
            2,
            "INPUT=",
        ),
        // records continued over several lines: the error names the line of the offending
        // value, not the first line of the record
        case(
            "undefined node on the second line of an element record",
            replace(13, "1, 1, 2, 3, 4,\n5, 6, 99, 8"),
            14,
            "refers to node 99",
        ),
        case(
            "undefined node on the first line of a continued element record",
            replace(13, "1, 1, 2, 99, 4,\n5, 6, 7, 8"),
            13,
            "refers to node 99",
        ),
        case(
            "undefined node on the third line of an element record",
            replace(13, "1, 1, 2,\n3, 4, 5,\n6, 77, 8"),
            15,
            "refers to node 77",
        ),
        case(
            "non-numeric node on the second line of an element record",
            replace(13, "1, 1, 2, 3, 4,\n5, 6, x7, 8"),
            14,
            "'x7'",
        ),
        case(
            "too many nodes on the second line of an element record",
            replace(13, "1, 1, 2, 3, 4,\n5, 6, 7, 8, 9"),
            14,
            "9 nodes",
        ),
        case(
            "duplicate element id of a continued record is at its id",
            replace(15, "1, 2,\n9, 3, 6"),
            15,
            "duplicate element id 1",
        ),
        case(
            "bad dof on the second term line of an equation",
            replace(32, "9, 3, 1.0,\n6, 7, -1.0"),
            33,
            "dof 7",
        ),
        case(
            "undefined node on the second term line of an equation",
            replace(32, "9, 3, 1.0,\n66, 3, -1.0"),
            33,
            "66",
        ),
        case(
            "bad coefficient on the third term line of an equation",
            replace_many(&[(31, "3"), (32, "9, 3, 1.0,\n6, 3, -1.0,\n6, 2, 1.x")]),
            34,
            "'1.x'",
        ),
        case(
            "node sets of different sizes in an equation, the second on its own line",
            replace_many(&[(31, "3"), (32, "X0, 3, 1.0,\nGEN, 3, -1.0,\n9, 1, 0.5")]),
            33,
            "same number of nodes: this term's set has 5",
        ),
        case(
            "first engineering constant out of range, record over two lines",
            replace_many(&[
                (25, "*ELASTIC, TYPE=ENGINEERING CONSTANTS"),
                (26, "-1000., 1000., 1000., 0.3, 0.3, 0.3, 400., 400.,\n400."),
            ]),
            26,
            "E1",
        ),
        case(
            "last engineering constant out of range, on the second line of the record",
            replace_many(&[
                (25, "*ELASTIC, TYPE=ENGINEERING CONSTANTS"),
                (26, "1000., 1000., 1000., 0.3, 0.3, 0.3, 400., 400.,\n-400."),
            ]),
            27,
            "G23",
        ),
        // truncation in the middle of an element record, at the end of the file
        case(
            "truncated element record",
            [truncate(12), b"1, 1, 2, 3, 4".to_vec()].concat(),
            13,
            "4 of the 8",
        ),
        case(
            "truncated node line",
            [truncate(10), b"9, 2., ".to_vec()].concat(),
            0,
            "no elements",
        ),
    ];
    // truncation at every line inside the step: the step is never closed
    for n in 35..=43 {
        v.push(case(
            "truncated inside the step",
            truncate(n),
            35,
            "no *END STEP",
        ));
    }
    v
}

#[test]
fn the_base_deck_is_good() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deck =
        read_guarded(BASE.as_bytes(), &virtual_path(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let m = &deck.model;
    assert_eq!((m.mesh.n_nodes(), m.mesh.n_elements()), (9, 2));
    assert_eq!(m.mesh.node_sets.get("GEN").map(Vec::len), Some(5));
    assert_eq!(m.equations.len(), 1);
    assert_eq!(m.boundary.len(), 12);
    let case = &m.load_cases[0];
    assert_eq!(
        (
            case.nodal_loads.len(),
            case.pressures.len(),
            case.gravity.len()
        ),
        (1, 2, 1)
    );
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
}

#[test]
fn every_malformed_deck_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = virtual_path(dir.path());
    let corpus = corpus();
    assert!(corpus.len() >= 40, "{} cases", corpus.len());
    let mut failures = Vec::new();
    for c in &corpus {
        match read_guarded(&c.deck, &path) {
            Err(e @ IoError::Parse { .. }) => {
                let IoError::Parse { line, message, .. } = &e else {
                    continue;
                };
                let shown = e.to_string();
                if *line != c.line
                    || !shown.contains(&format!(":{}: ", c.line))
                    || !message.contains(c.needle)
                {
                    failures.push(format!(
                        "{}: expected line {} and '{}', got: {shown}",
                        c.name, c.line, c.needle
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: expected a parse error, got {e}", c.name)),
            Ok(_) => failures.push(format!("{}: accepted", c.name)),
        }
    }
    if std::env::var_os("SHOW_CORPUS").is_some() {
        for c in &corpus {
            if let Err(e) = read_guarded(&c.deck, &path) {
                eprintln!("{:45} {e}", c.name);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
}

#[test]
fn no_prefix_of_the_deck_panics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = virtual_path(dir.path());
    let bytes = BASE.as_bytes();
    for cut in 0..=bytes.len() {
        let prefix = &bytes[..cut];
        let n_lines = prefix.split(|&b| b == b'\n').count();
        if let Err(IoError::Parse { line, .. }) = read_guarded(prefix, &path) {
            assert!(
                line <= n_lines,
                "cut at {cut}: error line {line} beyond the {n_lines} lines"
            );
        }
    }
}

#[test]
fn random_damage_never_panics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = virtual_path(dir.path());
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"0123456789,.-+eE*SPNCLOADGRAV \n\t\"=\xff\x00";
    for _ in 0..3000 {
        let mut bytes = BASE.as_bytes().to_vec();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % bytes.len().max(1);
            match next() % 4 {
                0 => bytes[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                _ => {
                    let len = (next() as usize % 40).min(bytes.len() - at);
                    let chunk = bytes[at..at + len].to_vec();
                    bytes.splice(at..at, chunk);
                }
            }
        }
        let n_lines = bytes.split(|&b| b == b'\n').count();
        if let Err(IoError::Parse { line, .. }) = read_guarded(&bytes, &path) {
            assert!(line <= n_lines);
        }
    }
}
