//! Malformed `.msh` input must give `file:line: what was expected` (or the byte offset in
//! binary data), never a panic: empty files, wrong versions, truncation at every byte,
//! wrong counts, bad and non-finite numbers, unknown or unsupported element types,
//! undefined nodes, and binary garbage.

mod common;

use std::path::Path;

use osteon_io::IoError;
use osteon_io::gmsh::{MshMesh, parse_msh};

fn parse(text: &[u8]) -> Result<MshMesh, IoError> {
    parse_msh(text, Path::new("bad.msh"))
}

/// The error's line and message, or a panic if it parsed.
fn error(text: &[u8]) -> (usize, String) {
    common::parse_error(
        parse(text),
        Path::new("bad.msh"),
        &String::from_utf8_lossy(text),
    )
}

fn expect_error(text: &str, line: usize, needle: &str) {
    let (l, message) = error(text.as_bytes());
    assert!(
        message.contains(needle),
        "message '{message}' should contain '{needle}'"
    );
    assert_eq!(l, line, "line of '{message}'");
}

/// One unit tetrahedron in MSH 4.1 ASCII, line numbers in the comments of the tests.
const TET41: &str = "$MeshFormat
4.1 0 8
$EndMeshFormat
$Nodes
1 4 1 4
3 1 0 4
1
2
3
4
0 0 0
1 0 0
0 1 0
0 0 1
$EndNodes
$Elements
1 1 1 1
3 1 4 1
1 1 2 3 4
$EndElements
";

/// Replace 1-based line `n` of `TET41`.
fn with_line(n: usize, text: &str) -> String {
    common::replace_line(TET41, n, text)
}

#[test]
fn the_reference_file_reads() {
    let msh = parse(TET41.as_bytes()).expect("valid");
    assert_eq!(msh.mesh.n_elements(), 1);
    assert!((msh.mesh.volume() - 1.0 / 6.0).abs() < 1e-15);
    assert!(msh.warnings.is_empty());
    // sections the reader does not use are skipped with a warning; so are empty groups
    let extra = TET41.replace(
        "$Nodes",
        "$Comments\nmade by hand\n$EndComments\n$PhysicalNames\n1\n2 9 \"Unused\"\n$EndPhysicalNames\n$Nodes",
    );
    let msh = parse(extra.as_bytes()).expect("valid");
    assert_eq!(
        msh.warnings,
        [
            "line 4: skipped section $Comments",
            "physical group 'Unused' (dimension 2, tag 9) has no elements in the file"
        ]
    );
}

#[test]
fn empty_and_foreign_files() {
    for empty in ["", "\n\n  \n"] {
        let (line, message) = error(empty.as_bytes());
        assert_eq!(line, 0);
        assert!(message.contains("empty file"), "{message}");
    }
    expect_error(
        "solid cube\nfacet normal 0 0 1\n",
        1,
        "expected $MeshFormat",
    );
    expect_error(
        "$MeshFormat\n4.0 0 8\n$EndMeshFormat\n",
        2,
        "MSH version 4.0 is not supported",
    );
    expect_error(
        "$MeshFormat\n3 0 8\n$EndMeshFormat\n",
        2,
        "expected 4.1 or 2.2",
    );
    expect_error(
        "$MeshFormat\n2.2 1 8\n$EndMeshFormat\n",
        2,
        "binary MSH 2.2 is not supported",
    );
    expect_error(
        "$MeshFormat\n4.1 7 8\n$EndMeshFormat\n",
        2,
        "expected 0 (ASCII) or 1 (binary)",
    );
    expect_error(
        "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n",
        0,
        "no $Nodes section",
    );
    expect_error(
        "$MeshFormat\n4.1 0 8\n$EndMeshFormat\nhello\n",
        4,
        "expected a section header",
    );
}

#[test]
fn bad_numbers_name_their_line() {
    expect_error(
        &with_line(13, "0 1 abc"),
        13,
        "expected a node's z, found 'abc'",
    );
    expect_error(&with_line(13, "0 nan 0"), 13, "a finite number");
    expect_error(&with_line(13, "0 inf 0"), 13, "a finite number");
    expect_error(&with_line(8, "-2"), 8, "expected a node tag");
    expect_error(
        &with_line(19, "1 1 2 3 x"),
        19,
        "expected a node tag of an element, found 'x'",
    );
    expect_error(&with_line(6, "3 1 7 4"), 6, "parametric flag 7");
    expect_error(&with_line(6, "5 1 0 4"), 6, "expected 0, 1, 2 or 3");
}

#[test]
fn wrong_counts_are_caught() {
    // header announces 5 nodes, the blocks hold 4
    expect_error(
        &with_line(5, "1 5 1 5"),
        5,
        "announces 5 nodes but its blocks hold 4",
    );
    // a block announces more nodes than there are lines: a coordinate is read as a tag
    expect_error(&with_line(6, "3 1 0 5"), 11, "unexpected");
    // an element with a node too few or too many
    expect_error(
        &with_line(19, "1 1 2 3"),
        19,
        "unexpected end of line: expected a node tag of an element",
    );
    expect_error(
        &with_line(19, "1 1 2 3 4 5"),
        19,
        "unexpected '5' after the 4 nodes of a 4-node tetrahedron",
    );
    // more element blocks announced than present
    expect_error(&with_line(17, "2 1 1 1"), 20, "found '$EndElements'");
    // absurd counts fail before allocating
    expect_error(
        &with_line(5, "1 99999999999999 1 4"),
        5,
        "more than the rest of the file can hold",
    );
    expect_error(
        &with_line(18, "3 1 4 18446744073709551615"),
        18,
        "more than the rest of the file can hold",
    );
}

#[test]
fn bad_elements_and_references() {
    expect_error(
        &with_line(19, "1 1 2 3 9"),
        19,
        "refers to node 9, which is not defined",
    );
    expect_error(&with_line(9, "2"), 9, "node 2 is defined twice");
    // a prism is a 3-D element osteon does not support
    let prism = TET41
        .replace(
            "1 4 1 4\n3 1 0 4\n1\n2\n3\n4\n",
            "1 6 1 6\n3 1 0 6\n1\n2\n3\n4\n5\n6\n",
        )
        .replace("0 0 1\n$EndNodes", "0 0 1\n1 0 1\n0 1 1\n$EndNodes")
        .replace("3 1 4 1\n1 1 2 3 4", "3 1 6 1\n1 1 2 3 4 5 6");
    let (line, message) = error(prism.as_bytes());
    assert_eq!(line, 23);
    assert!(
        message.contains("6-node prism (Gmsh type 6)")
            && message.contains("17 (20-node hexahedron)"),
        "{message}"
    );
    expect_error(
        &with_line(18, "3 1 999 1"),
        18,
        "unknown Gmsh element type 999",
    );
    expect_error(
        &with_line(18, "2 1 4 1"),
        18,
        "has dimension 3, but the block is on an entity of dimension 2",
    );
    // only a triangle: no volume
    let surface_only = with_line(18, "2 1 2 1").replace("1 1 2 3 4\n", "1 1 2 3\n");
    expect_error(&surface_only, 0, "no 3-D elements");
    // a triangle in a physical group that is no face of the tetrahedron (node 5 is off it)
    let off_face = TET41
        .replace(
            "$Nodes",
            "$Entities\n0 0 1 0\n1 0 0 0 1 0 0 1 5 0\n$EndEntities\n$Nodes",
        )
        .replace(
            "1 4 1 4\n3 1 0 4\n1\n2\n3\n4\n",
            "1 5 1 5\n3 1 0 5\n1\n2\n3\n4\n5\n",
        )
        .replace("0 0 1\n$EndNodes", "0 0 1\n1 1 1\n$EndNodes")
        .replace(
            "1 1 1 1\n3 1 4 1\n1 1 2 3 4",
            "2 2 1 2\n3 1 4 1\n1 1 2 3 4\n2 1 2 1\n2 1 2 5",
        );
    expect_error(
        &off_face,
        27,
        "element 2 (3-node triangle) of physical group 'physical_2d_5' is not a face of any 3-D element",
    );
    // the same triangle on a face of the tetrahedron is a surface
    let on_face = off_face.replace("2 1 2 5\n", "2 1 2 4\n");
    let msh = parse(on_face.as_bytes()).expect("valid");
    assert!(msh.mesh.surface("physical_2d_5").is_ok());
    assert_eq!(msh.mesh.n_nodes(), 5, "nodes outside the elements are kept");
}

#[test]
fn msh22_errors_name_their_line() {
    let v22 = "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n4\n1 0 0 0\n2 1 0 0\n3 0 1 0\n4 0 0 1\n$EndNodes\n$Elements\n1\n1 4 2 0 1 1 2 3 4\n$EndElements\n";
    assert!(parse(v22.as_bytes()).is_ok());
    expect_error(
        &v22.replace("3 0 1 0", "3 0 1"),
        8,
        "unexpected end of line: expected the node's z",
    );
    expect_error(
        &v22.replace("$Nodes\n4", "$Nodes\n5"),
        10,
        "expected a node tag, found '$EndNodes'",
    );
    expect_error(
        &v22.replace("$Nodes\n4", "$Nodes\n3"),
        9,
        "expected $EndNodes, found '4'",
    );
    expect_error(
        &v22.replace("1 4 2 0 1 1 2 3 4", "1 6 2 0 1 1 2 3 4 1 2"),
        13,
        "6-node prism",
    );
    expect_error(
        &v22.replace("1 4 2 0 1 1 2 3 4", "1 4 2 0 1 1 2 3"),
        13,
        "unexpected end of line",
    );
    expect_error(
        &v22.replace("1 4 2 0 1 1 2 3 4", "1 77 2 0 1 1 2 3 4"),
        13,
        "unknown Gmsh element type 77",
    );
    expect_error(
        &v22.replace("$PhysicalNames", "").replace(
            "$Nodes",
            "$PhysicalNames\n1\n3 1 Bone\n$EndPhysicalNames\n$Nodes",
        ),
        6,
        "in double quotes",
    );
    expect_error(
        &v22.replace(
            "$Nodes",
            "$PhysicalNames\n1\n3 1 \"Bone\n$EndPhysicalNames\n$Nodes",
        ),
        6,
        "unterminated",
    );
}

/// Build a binary MSH 4.1 file with one element of Gmsh type `code`.
fn binary_msh(coords: &[[f64; 3]], code: i32) -> Vec<u8> {
    let mut b = b"$MeshFormat\n4.1 1 8\n".to_vec();
    b.extend_from_slice(&1i32.to_le_bytes());
    b.extend_from_slice(b"\n$EndMeshFormat\n$Nodes\n");
    let n = coords.len() as u64;
    for v in [1u64, n, 1, n] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    for v in [3i32, 1, 0] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&n.to_le_bytes());
    for tag in 1..=n {
        b.extend_from_slice(&tag.to_le_bytes());
    }
    for x in coords {
        for v in x {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    b.extend_from_slice(b"\n$EndNodes\n$Elements\n");
    for v in [1u64, 1, 1, 1] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    for v in [3i32, 1, code] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&1u64.to_le_bytes());
    b.extend_from_slice(&7u64.to_le_bytes());
    for tag in 1..=n {
        b.extend_from_slice(&tag.to_le_bytes());
    }
    b.extend_from_slice(b"\n$EndElements\n");
    b
}

const UNIT_TET: [[f64; 3]; 4] = [
    [0.0, 0.0, 0.0],
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
];

#[test]
fn binary_errors_give_section_line_and_byte_offset() {
    let good = binary_msh(&UNIT_TET, 4);
    let msh = parse(&good).expect("valid binary");
    assert_eq!(msh.mesh.element(0).id, 7);
    // a NaN coordinate
    let mut coords = UNIT_TET;
    coords[2][1] = f64::NAN;
    let (line, message) = error(&binary_msh(&coords, 4));
    assert_eq!(
        line, 5,
        "the $Nodes header line (the endianness marker ends line 3)"
    );
    assert!(
        message.contains("a finite number")
            && message.contains("byte offset")
            && message.contains("$Nodes"),
        "{message}"
    );
    // an unknown element type
    let (line, message) = error(&binary_msh(&UNIT_TET, 123));
    assert!(
        message.contains("unknown Gmsh element type 123") && message.contains("$Elements"),
        "{message}"
    );
    assert!(line > 4);
    // big-endian marker
    let mut swapped = good.clone();
    let at = b"$MeshFormat\n4.1 1 8\n".len();
    swapped[at..at + 4].copy_from_slice(&1i32.to_be_bytes());
    let (_, message) = error(&swapped);
    assert!(message.contains("endianness marker"), "{message}");
    // unsupported size_t
    let (_, message) = error(
        &String::from_utf8_lossy(&good)
            .replacen("4.1 1 8", "4.1 1 2", 1)
            .into_bytes(),
    );
    assert!(message.contains("data size 2"), "{message}");
}

/// Truncating a valid file anywhere before its last `$EndElements` is an error, never a panic.
#[test]
fn truncation_at_every_byte_is_an_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gmsh");
    let mut files: Vec<(String, Vec<u8>)> = [
        "box_hex8_v41.msh",
        "box_hex20_v41_bin.msh",
        "box_tet4_v22.msh",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(dir.join(n)).expect("fixture")))
    .collect();
    files.push(("tet41".into(), TET41.as_bytes().to_vec()));
    files.push(("binary tet".into(), binary_msh(&UNIT_TET, 4)));
    for (name, data) in &files {
        assert!(parse(data).is_ok(), "{name}");
        let end = data
            .windows(12)
            .rposition(|w| w == b"$EndElements")
            .expect("has $EndElements")
            + 12;
        for cut in 0..end {
            assert!(parse(&data[..cut]).is_err(), "{name} cut at {cut} parsed");
        }
    }
}

/// A tiny deterministic generator for the fuzz-style tests.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn garbage_and_bit_flips_never_panic() {
    let mut rng = Lcg(42);
    // binary garbage after a valid binary header, and with no header at all
    for len in [0usize, 1, 7, 64, 1000] {
        let garbage: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let mut with_header = b"$MeshFormat\n4.1 1 8\n".to_vec();
        with_header.extend_from_slice(&1i32.to_le_bytes());
        with_header.extend_from_slice(b"\n$EndMeshFormat\n$Nodes\n");
        with_header.extend_from_slice(&garbage);
        assert!(parse(&with_header).is_err());
        let _ = parse(&garbage);
    }
    // random byte changes in valid files: any result but a panic
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gmsh");
    for name in [
        "box_hex20_v41_bin.msh",
        "box_hex8_v41.msh",
        "box_tet4_v22.msh",
        "box_tet4_v41_bin.msh",
    ] {
        let data = std::fs::read(dir.join(name)).expect("fixture");
        for _ in 0..300 {
            let mut bad = data.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % bad.len();
                bad[at] = rng.next() as u8;
            }
            let _ = parse(&bad);
        }
    }
}
