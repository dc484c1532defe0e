//! Reading real Gmsh meshes (tests/fixtures/gmsh, made by make_fixtures.py): the same box in
//! three formats, quadratic node orders checked by position, physical groups as sets and
//! surfaces, orientation, and small hand-written files for MSH 2.2 quirks.

use std::path::{Path, PathBuf};

use osteon_io::gmsh::{MshFormat, MshMesh, parse_msh, read_msh};
use osteon_mesh::{ElementType, Mesh, Surface, check_jacobians};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gmsh")
        .join(name)
}

fn read(name: &str) -> MshMesh {
    match read_msh(&fixture(name)) {
        Ok(m) => m,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Box 10 × 2 × 2 mm.
const BOX_VOLUME: f64 = 40.0;

fn faces(mesh: &Mesh, name: &str) -> Vec<osteon_mesh::FaceRef> {
    match mesh.surface(name) {
        Ok(Surface::Faces(f)) => f.clone(),
        other => panic!("surface {name}: {other:?}"),
    }
}

/// Area of a surface: sum over its faces of the corner polygon area (flat faces).
fn surface_area(mesh: &Mesh, name: &str) -> f64 {
    faces(mesh, name)
        .iter()
        .map(|&f| {
            let el = mesh.element(f.element);
            let local = el.etype.face_nodes(f.face as usize).expect("face");
            let nc = el.etype.face_type().n_corners();
            let x: Vec<[f64; 3]> = local[..nc]
                .iter()
                .map(|&l| mesh.coords[el.nodes[l]])
                .collect();
            let mut area = [0.0; 3];
            for i in 1..nc - 1 {
                let a = [x[i][0] - x[0][0], x[i][1] - x[0][1], x[i][2] - x[0][2]];
                let b = [
                    x[i + 1][0] - x[0][0],
                    x[i + 1][1] - x[0][1],
                    x[i + 1][2] - x[0][2],
                ];
                area[0] += 0.5 * (a[1] * b[2] - a[2] * b[1]);
                area[1] += 0.5 * (a[2] * b[0] - a[0] * b[2]);
                area[2] += 0.5 * (a[0] * b[1] - a[1] * b[0]);
            }
            (area[0] * area[0] + area[1] * area[1] + area[2] * area[2]).sqrt()
        })
        .sum()
}

fn check_box(msh: &MshMesh, etype: ElementType) {
    let mesh = &msh.mesh;
    assert!(
        mesh.blocks.iter().all(|b| b.etype == etype),
        "{:?}",
        mesh.blocks.iter().map(|b| b.etype).collect::<Vec<_>>()
    );
    assert!(
        (mesh.volume() - BOX_VOLUME).abs() < 1e-9 * BOX_VOLUME,
        "volume {}",
        mesh.volume()
    );
    let quality = check_jacobians(mesh).expect("every element positively oriented");
    assert!(quality.min_scaled_jacobian > 0.05);
    // groups → sets
    assert_eq!(
        mesh.element_set("Bone").expect("3-D group").len(),
        mesh.n_elements()
    );
    for (name, axis, value) in [("Distal", 0, 0.0), ("Plateau", 0, 10.0), ("Side", 1, 0.0)] {
        let nodes = mesh.node_set(name).expect("node set");
        assert!(!nodes.is_empty());
        assert!(
            nodes
                .iter()
                .all(|&n| (mesh.coords[n][axis] - value).abs() < 1e-12),
            "{name}"
        );
        // every mesh node on that plane is in the set
        let on_plane = mesh.nodes_where(|x| (x[axis] - value).abs() < 1e-12);
        assert_eq!(nodes, on_plane.as_slice(), "{name}");
        // the surface covers the whole face of the box, and its face nodes are the node set
        let area = surface_area(mesh, name);
        let expected = if axis == 0 { 4.0 } else { 20.0 };
        assert!((area - expected).abs() < 1e-9, "{name}: area {area}");
        let surface = mesh.surface(name).expect("surface");
        assert_eq!(mesh.surface_nodes(surface), nodes.to_vec(), "{name}");
    }
    let edge = mesh.node_set("Edge").expect("1-D group");
    assert!(
        edge.iter()
            .all(|&n| mesh.coords[n][1].abs() < 1e-12 && mesh.coords[n][2].abs() < 1e-12)
    );
    assert!(edge.len() >= 2);
    let corner = mesh.node_set("Corner").expect("0-D group");
    assert_eq!(corner.len(), 1);
    assert_eq!(mesh.coords[corner[0]], [0.0, 0.0, 0.0]);
    assert!(mesh.surface("Edge").is_err() && mesh.element_set("Distal").is_err());
    let names: Vec<(u8, &str)> = msh
        .groups
        .iter()
        .map(|g| (g.dim, g.name.as_str()))
        .collect();
    for want in [
        (0, "Corner"),
        (1, "Edge"),
        (2, "Distal"),
        (2, "Plateau"),
        (2, "Side"),
        (3, "Bone"),
    ] {
        assert!(names.contains(&want), "{want:?} in {names:?}");
    }
    assert_eq!(msh.group_names(2), vec!["Distal", "Plateau", "Side"]);
}

/// Every mid-edge node of a straight-edged element lies halfway between the corners of
/// its Abaqus edge.
fn check_mid_nodes(mesh: &Mesh) {
    for el in mesh.elements() {
        let r = el.etype.node_coords();
        for m in el.etype.n_corners()..el.etype.n_nodes() {
            let (a, b) = (0..el.etype.n_corners())
                .flat_map(|a| (a + 1..el.etype.n_corners()).map(move |b| (a, b)))
                .find(|&(a, b)| (0..3).all(|k| (0.5 * (r[a][k] + r[b][k]) - r[m][k]).abs() < 1e-12))
                .expect("reference mid-edge node");
            let (xa, xb, xm) = (
                mesh.coords[el.nodes[a]],
                mesh.coords[el.nodes[b]],
                mesh.coords[el.nodes[m]],
            );
            for k in 0..3 {
                assert!(
                    (0.5 * (xa[k] + xb[k]) - xm[k]).abs() < 1e-9,
                    "element {} node {m}",
                    el.id
                );
            }
        }
    }
}

#[test]
fn the_same_box_reads_the_same_from_all_three_formats() {
    let ascii = read("box_tet4_v41.msh");
    let binary = read("box_tet4_v41_bin.msh");
    let v22 = read("box_tet4_v22.msh");
    assert_eq!(ascii.format, MshFormat::V41Ascii);
    assert_eq!(binary.format, MshFormat::V41Binary);
    assert_eq!(v22.format, MshFormat::V22Ascii);
    check_box(&ascii, ElementType::Tet4);
    assert!(ascii.mesh.n_elements() > 50);
    for other in [&binary, &v22] {
        assert_eq!(other.mesh.node_ids, ascii.mesh.node_ids);
        // MSH 2.2 ASCII is written with 16 significant digits, MSH 4.1 with 17
        for (a, b) in other.mesh.coords.iter().zip(&ascii.mesh.coords) {
            assert!(
                (0..3).all(|k| (a[k] - b[k]).abs() < 1e-13),
                "{a:?} vs {b:?}"
            );
        }
        assert_eq!(other.mesh.blocks, ascii.mesh.blocks);
        assert_eq!(other.mesh.node_sets, ascii.mesh.node_sets);
        assert_eq!(other.mesh.element_sets, ascii.mesh.element_sets);
        assert_eq!(other.mesh.surfaces, ascii.mesh.surfaces);
        assert_eq!(other.groups, ascii.groups);
    }
}

#[test]
fn quadratic_tetrahedra_are_reordered_to_c3d10() {
    let msh = read("box_tet10_v41.msh");
    check_box(&msh, ElementType::Tet10);
    check_mid_nodes(&msh.mesh);
    let linear = read("box_tet4_v41.msh");
    assert_eq!(msh.mesh.n_elements(), linear.mesh.n_elements());
}

#[test]
fn hexahedra_linear_and_serendipity_in_binary_and_v22() {
    let hex8 = read("box_hex8_v41.msh");
    check_box(&hex8, ElementType::Hex8);
    assert_eq!(hex8.mesh.n_elements(), 5);
    for name in ["box_hex20_v41_bin.msh", "box_hex20_v22.msh"] {
        let hex20 = read(name);
        check_box(&hex20, ElementType::Hex20);
        check_mid_nodes(&hex20.mesh);
        assert_eq!(hex20.mesh.n_elements(), 5);
        // 6 cross-sections × (4 corners + 4 mid-edge nodes) + 5 cells × 4 axial mid-edge nodes
        assert_eq!(hex20.mesh.n_nodes(), 6 * 8 + 5 * 4);
    }
    let a = read("box_hex20_v41_bin.msh");
    let b = read("box_hex20_v22.msh");
    assert_eq!(a.mesh.blocks, b.mesh.blocks);
    assert_eq!(a.mesh.surfaces, b.mesh.surfaces);
}

#[test]
fn two_volumes_give_two_element_sets_and_a_one_sided_interface() {
    let msh = read("two_blocks_tet4_v41.msh");
    let mesh = &msh.mesh;
    check_jacobians(mesh).expect("orientation");
    let bone = mesh.element_set("Bone").expect("Bone");
    let implant = mesh.element_set("Implant").expect("Implant");
    assert_eq!(bone.len() + implant.len(), mesh.n_elements());
    let centre_x = |e: usize| {
        mesh.element(e)
            .nodes
            .iter()
            .map(|&n| mesh.coords[n][0])
            .sum::<f64>()
            / 4.0
    };
    assert!(bone.iter().all(|&e| centre_x(e) < 5.0));
    assert!(implant.iter().all(|&e| centre_x(e) > 5.0));
    // the interface is internal: each triangle is a face of two tets; the reader picks one
    // side per triangle, and the whole interface area is there exactly once
    let interface = faces(mesh, "Interface");
    assert!((surface_area(mesh, "Interface") - 4.0).abs() < 1e-9);
    let mut keys: Vec<Vec<usize>> = interface
        .iter()
        .map(|&f| {
            let mut n = mesh.face_nodes(f).expect("face");
            n.sort_unstable();
            n
        })
        .collect();
    let before = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), before, "no triangle twice");
    assert!(
        mesh.node_set("Interface")
            .expect("nodes")
            .iter()
            .all(|&n| (mesh.coords[n][0] - 5.0).abs() < 1e-12)
    );
}

/// One unit tetrahedron and its faces, as MSH 2.2 with an element in two physical groups.
const V22_TWO_GROUPS: &str = "$MeshFormat
2.2 0 8
$EndMeshFormat
$PhysicalNames
3
2 5 \"Bottom\"
3 1 \"A\"
3 2 \"B\"
$EndPhysicalNames
$Nodes
4
10 0 0 0
20 1 0 0
30 0 1 0
40 0 0 1
$EndNodes
$Elements
4
1 2 2 5 7 10 30 20
2 2 2 7 7 10 20 40
7 4 2 1 3 10 20 30 40
8 4 2 2 3 10 20 30 40
$EndElements
";

#[test]
fn msh22_duplicates_per_physical_group_become_one_element() {
    let msh = parse_msh(V22_TWO_GROUPS.as_bytes(), Path::new("two_groups.msh")).expect("valid");
    let mesh = &msh.mesh;
    assert_eq!(mesh.n_elements(), 1);
    assert_eq!(mesh.element(0).id, 7);
    assert_eq!(mesh.element_set("A").expect("A"), &[0]);
    assert_eq!(mesh.element_set("B").expect("B"), &[0]);
    // unnamed 2-D physical 7 keeps a generated name; "Bottom" is the z = 0 face (S1)
    match mesh.surface("Bottom") {
        Ok(Surface::Faces(f)) => assert_eq!(
            f,
            &[osteon_mesh::FaceRef {
                element: 0,
                face: 0
            }]
        ),
        other => panic!("{other:?}"),
    }
    assert!(mesh.surface("physical_2d_7").is_ok());
    assert_eq!(mesh.node_set("physical_2d_7").expect("nodes").len(), 3);
    assert!((mesh.volume() - 1.0 / 6.0).abs() < 1e-15);
    assert!(
        msh.groups
            .iter()
            .any(|g| g.name == "A" && g.n_elements == 1)
    );
}

/// The Gmsh reference 20-node hexahedron (Gmsh node order) as one MSH 4.1 element, and
/// the Gmsh reference 10-node tetrahedron: after reading, each node must sit at the Abaqus
/// reference position of its new index.
#[test]
fn reference_elements_land_on_abaqus_reference_coordinates() {
    // Gmsh manual: hexahedron20 nodes 0..7 corners as Abaqus; mid-edge nodes 8..19 on
    // edges (0,1) (0,3) (0,4) (1,2) (1,5) (2,3) (2,6) (3,7) (4,5) (4,7) (5,6) (6,7).
    let corners: [[f64; 3]; 8] = [
        [-1.0, -1.0, -1.0],
        [1.0, -1.0, -1.0],
        [1.0, 1.0, -1.0],
        [-1.0, 1.0, -1.0],
        [-1.0, -1.0, 1.0],
        [1.0, -1.0, 1.0],
        [1.0, 1.0, 1.0],
        [-1.0, 1.0, 1.0],
    ];
    let edges = [
        (0, 1),
        (0, 3),
        (0, 4),
        (1, 2),
        (1, 5),
        (2, 3),
        (2, 6),
        (3, 7),
        (4, 5),
        (4, 7),
        (5, 6),
        (6, 7),
    ];
    let mut hex: Vec<[f64; 3]> = corners.to_vec();
    hex.extend(edges.iter().map(|&(a, b): &(usize, usize)| {
        std::array::from_fn(|k| 0.5 * (corners[a][k] + corners[b][k]))
    }));
    let tet_corners: [[f64; 3]; 4] = [
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ];
    let tet_edges = [(0, 1), (1, 2), (2, 0), (0, 3), (2, 3), (1, 3)];
    let mut tet: Vec<[f64; 3]> = tet_corners.to_vec();
    tet.extend(tet_edges.iter().map(|&(a, b): &(usize, usize)| {
        std::array::from_fn(|k| 0.5 * (tet_corners[a][k] + tet_corners[b][k]))
    }));
    for (code, etype, x) in [
        (17, ElementType::Hex20, &hex),
        (11, ElementType::Tet10, &tet),
    ] {
        let n = x.len();
        let mut text =
            format!("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Nodes\n1 {n} 1 {n}\n3 1 0 {n}\n");
        for i in 1..=n {
            text += &format!("{}\n", 100 + i);
        }
        for p in x {
            text += &format!("{} {} {}\n", p[0], p[1], p[2]);
        }
        text += &format!("$EndNodes\n$Elements\n1 1 1 1\n3 1 {code} 1\n9");
        for i in 1..=n {
            text += &format!(" {}", 100 + i);
        }
        text += "\n$EndElements\n";
        let msh = parse_msh(text.as_bytes(), Path::new("reference.msh")).expect("valid");
        let el = msh.mesh.element(0);
        assert_eq!(el.etype, etype);
        assert_eq!(el.id, 9);
        for (a, &node) in el.nodes.iter().enumerate() {
            assert_eq!(
                msh.mesh.coords[node],
                etype.node_coords()[a],
                "{etype} node {a}"
            );
        }
        check_jacobians(&msh.mesh).expect("positive");
    }
}
