//! A deck that holds only a mesh (as Mimics/3-matic or `osteon mesh` export it, before
//! materials are assigned) reads with `read_inp_mesh`; `read_inp` asks for sections.

use osteon_io::IoError;
use osteon_io::deck_writer::write_mesh_inp;
use osteon_io::inp::{read_inp, read_inp_mesh};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

#[test]
fn a_mesh_only_deck_reads_as_a_mesh_but_not_as_a_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mesh.inp");
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [4.0, 2.0, 1.0],
        cells: [2, 1, 1],
        element: ElementType::Tet10,
    })
    .expect("box");
    write_mesh_inp(&path, &mesh, "mesh only").expect("write");
    let read = read_inp_mesh(&path).expect("mesh-only read");
    assert_eq!(read.n_nodes(), mesh.n_nodes());
    assert_eq!(read.n_elements(), mesh.n_elements());
    assert_eq!(
        read.node_set("XMIN").map(<[usize]>::len).ok(),
        mesh.node_set("XMIN").map(<[usize]>::len).ok()
    );
    assert!((read.volume() - 8.0).abs() < 1e-12);
    match read_inp(&path) {
        Err(IoError::Parse { message, .. }) => {
            assert!(message.contains("has no section"), "{message}")
        }
        other => panic!("expected the missing-section error, got {other:?}"),
    }
    // syntax errors still carry their line
    std::fs::write(&path, "*NODE\n1, 0., 0., zero\n").expect("write");
    match read_inp_mesh(&path) {
        Err(IoError::Parse { line, .. }) => assert_eq!(line, 2),
        other => panic!("expected a parse error at line 2, got {other:?}"),
    }
}
