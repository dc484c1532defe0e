//! VTU/PVD output read back by a tiny XML reader: counts, offsets, VTK cell types, node
//! orders (mid-edge nodes at the midpoints of VTK's edges), every array decoded from ASCII
//! and from base64 (UInt64 header), atomic writes and clear errors.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use osteon_assembly::{LoadCase, Model, NodalLoad, SolveOptions, solve_linear_static, von_mises};
use osteon_io::IoError;
use osteon_io::vtu::{
    DataArray, VtuEncoding, VtuFields, vtk_cell_type, write_pvd, write_results, write_vtu,
};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::generate::{BoxSpec, box_mesh};
use osteon_mesh::{ElementType, Mesh};

/// One `<DataArray>` as read back.
#[derive(Debug)]
struct Array {
    /// Enclosing element: PointData, CellData, Points or Cells.
    section: String,
    attrs: BTreeMap<String, String>,
    values: Vec<f64>,
}

#[derive(Debug)]
struct Vtu {
    root: BTreeMap<String, String>,
    piece: BTreeMap<String, String>,
    arrays: Vec<Array>,
}

impl Vtu {
    fn array(&self, section: &str, name: &str) -> &Array {
        self.arrays
            .iter()
            .find(|a| a.section == section && a.attrs.get("Name").map(String::as_str) == Some(name))
            .unwrap_or_else(|| panic!("no {section} array {name}"))
    }

    fn names(&self, section: &str) -> Vec<&str> {
        self.arrays
            .iter()
            .filter(|a| a.section == section)
            .map(|a| a.attrs["Name"].as_str())
            .collect()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Attributes of a tag body such as `DataArray type="Float64" Name="x"`.
fn attributes(tag: &str) -> (String, BTreeMap<String, String>) {
    let tag = tag.trim_end_matches('/').trim();
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let mut attrs = BTreeMap::new();
    let mut rest = &tag[name_end..];
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 2..];
        let close = after.find('"').expect("closing quote");
        attrs.insert(key, unescape(&after[..close]));
        rest = &after[close + 1..];
    }
    (tag[..name_end].to_string(), attrs)
}

/// Decode a DataArray's text into numbers (ASCII or base64 with a UInt64 byte count).
fn decode(attrs: &BTreeMap<String, String>, text: &str, header_type: Option<&str>) -> Vec<f64> {
    match attrs["format"].as_str() {
        "ascii" => text
            .split_whitespace()
            .map(|t| t.parse::<f64>().unwrap_or_else(|_| panic!("number '{t}'")))
            .collect(),
        "binary" => {
            assert_eq!(header_type, Some("UInt64"));
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .expect("valid base64");
            let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
            let data = &bytes[8..];
            assert_eq!(data.len(), n, "header byte count");
            match attrs["type"].as_str() {
                "Float64" => data
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8")))
                    .collect(),
                "Int64" => data
                    .chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().expect("8")) as f64)
                    .collect(),
                "Int32" => data
                    .chunks_exact(4)
                    .map(|c| f64::from(i32::from_le_bytes(c.try_into().expect("4"))))
                    .collect(),
                "UInt8" => data.iter().map(|&b| f64::from(b)).collect(),
                other => panic!("type {other}"),
            }
        }
        other => panic!("format {other}"),
    }
}

fn parse_vtu(xml: &str) -> Vtu {
    assert!(xml.starts_with("<?xml"));
    let mut vtu = Vtu {
        root: BTreeMap::new(),
        piece: BTreeMap::new(),
        arrays: Vec::new(),
    };
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("tag end") + open;
        let body = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if body.starts_with('?') {
            continue;
        }
        if let Some(name) = body.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "balanced tags");
            continue;
        }
        let (name, attrs) = attributes(body);
        match name.as_str() {
            "VTKFile" => vtu.root = attrs.clone(),
            "Piece" => vtu.piece = attrs.clone(),
            "DataArray" => {
                let end = rest.find("</DataArray>").expect("closed DataArray");
                let values = decode(
                    &attrs,
                    &rest[..end],
                    vtu.root.get("header_type").map(String::as_str),
                );
                vtu.arrays.push(Array {
                    section: stack.last().cloned().unwrap_or_default(),
                    attrs: attrs.clone(),
                    values,
                });
                rest = &rest[end + "</DataArray>".len()..];
                continue;
            }
            _ => {}
        }
        if !body.ends_with('/') {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    vtu
}

/// VTK's mid-edge node edges (vtkQuadraticTetra, vtkQuadraticHexahedron).
const VTK_TETRA10_EDGES: [(usize, usize); 6] = [(0, 1), (1, 2), (2, 0), (0, 3), (1, 3), (2, 3)];
const VTK_HEXA20_EDGES: [(usize, usize); 12] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 0),
    (4, 5),
    (5, 6),
    (6, 7),
    (7, 4),
    (0, 4),
    (1, 5),
    (2, 6),
    (3, 7),
];

/// Check the cells as VTK will see them: mid-edge nodes at the midpoints of VTK's edges,
/// and positive orientation of the corners (VTK: the right-hand normal of the first face
/// points to the rest of the cell).
fn check_vtk_geometry(vtu: &Vtu) {
    let points: Vec<[f64; 3]> = vtu
        .array("Points", "Points")
        .values
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let conn = &vtu.array("Cells", "connectivity").values;
    let offsets = &vtu.array("Cells", "offsets").values;
    let types = &vtu.array("Cells", "types").values;
    let mut start = 0usize;
    for (c, (&end, &t)) in offsets.iter().zip(types).enumerate() {
        let end = end as usize;
        let nodes: Vec<[f64; 3]> = conn[start..end]
            .iter()
            .map(|&i| points[i as usize])
            .collect();
        let (corners, edges): (usize, &[(usize, usize)]) = match t as u8 {
            10 => (4, &[]),
            24 => (4, &VTK_TETRA10_EDGES),
            12 => (8, &[]),
            25 => (8, &VTK_HEXA20_EDGES),
            other => panic!("VTK type {other}"),
        };
        assert_eq!(nodes.len(), corners + edges.len(), "cell {c}");
        for (m, &(a, b)) in edges.iter().enumerate() {
            let (xa, xb, xm) = (nodes[a], nodes[b], nodes[corners + m]);
            assert!(
                (0..3).all(|k| (0.5 * (xa[k] + xb[k]) - xm[k]).abs() < 1e-12),
                "cell {c} edge {m}"
            );
        }
        let sub = |p: [f64; 3], q: [f64; 3]| [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
        let (a, b) = (sub(nodes[1], nodes[0]), sub(nodes[2], nodes[0]));
        let n = [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ];
        let apex = if corners == 4 { nodes[3] } else { nodes[4] };
        let d = sub(apex, nodes[0]);
        assert!(
            n[0] * d[0] + n[1] * d[1] + n[2] * d[2] > 0.0,
            "cell {c} orientation"
        );
        start = end;
    }
}

fn small_box(etype: ElementType) -> Mesh {
    box_mesh(&BoxSpec {
        origin: [1.0, -2.0, 0.5],
        size: [2.0, 1.0, 1.5],
        cells: [2, 1, 1],
        element: etype,
    })
    .expect("box")
}

fn full_fields(mesh: &Mesh) -> VtuFields {
    let u: Vec<[f64; 3]> = mesh
        .coords
        .iter()
        .map(|x| [1e-3 * x[0], -2e-7 * x[1], 1e12 * x[2]])
        .collect();
    let s: Vec<[f64; 6]> = mesh
        .coords
        .iter()
        .map(|x| [x[0], x[1], x[2], 0.1 * x[0], -0.2, 1.0 / 3.0])
        .collect();
    let r: Vec<[f64; 3]> = (0..mesh.n_nodes())
        .map(|i| [i as f64, 0.0, -(i as f64)])
        .collect();
    let material: Vec<i32> = (0..mesh.n_elements() as i32).map(|e| e % 2).collect();
    VtuFields::new()
        .with_displacement(u)
        .with_stress(s)
        .with_reaction(r)
        .with_material(material)
        .with_point_array(DataArray::float64(
            "temperature & <more>",
            1,
            mesh.coords.iter().map(|x| x[0] + x[1]).collect(),
        ))
        .with_cell_array(DataArray::int64("block", 1, vec![7; mesh.n_elements()]))
        .with_element_set_flags(["ALL"])
        .with_node_set_flags(["XMIN"])
}

#[test]
fn every_element_type_round_trips_in_ascii_and_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    for etype in ElementType::ALL {
        let mesh = small_box(etype);
        for encoding in [VtuEncoding::Ascii, VtuEncoding::Binary] {
            let fields = full_fields(&mesh).with_encoding(encoding);
            let path = dir.path().join(format!("{etype}_{encoding:?}.vtu"));
            write_vtu(&path, &mesh, &fields).expect("write");
            let xml = std::fs::read_to_string(&path).expect("read");
            let vtu = parse_vtu(&xml);
            let what = format!("{etype} {encoding:?}");
            assert_eq!(vtu.root["type"], "UnstructuredGrid");
            assert_eq!(vtu.root["byte_order"], "LittleEndian");
            assert_eq!(vtu.root["version"], "1.0");
            assert_eq!(vtu.piece["NumberOfPoints"], mesh.n_nodes().to_string());
            assert_eq!(vtu.piece["NumberOfCells"], mesh.n_elements().to_string());
            // geometry and topology
            let pts = &vtu.array("Points", "Points");
            assert_eq!(pts.attrs["type"], "Float64");
            assert_eq!(
                pts.values,
                mesh.coords.iter().flatten().copied().collect::<Vec<_>>(),
                "{what}"
            );
            let conn: Vec<f64> = mesh
                .elements()
                .flat_map(|e| e.nodes.iter().map(|&n| n as f64).collect::<Vec<_>>())
                .collect();
            assert_eq!(vtu.array("Cells", "connectivity").values, conn, "{what}");
            let n = etype.n_nodes() as f64;
            assert_eq!(
                vtu.array("Cells", "offsets").values,
                (1..=mesh.n_elements())
                    .map(|k| k as f64 * n)
                    .collect::<Vec<_>>()
            );
            let types = vtu.array("Cells", "types");
            assert_eq!(types.attrs["type"], "UInt8");
            assert!(
                types
                    .values
                    .iter()
                    .all(|&t| t == f64::from(vtk_cell_type(etype)))
            );
            check_vtk_geometry(&vtu);
            // point data: the contract arrays, in order, then the extras
            assert_eq!(
                vtu.names("PointData"),
                [
                    "node_id",
                    "displacement",
                    "stress",
                    "von_mises",
                    "reaction",
                    "XMIN",
                    "temperature & <more>"
                ]
            );
            let ids = vtu.array("PointData", "node_id");
            assert_eq!(ids.attrs["type"], "Int64");
            assert!(
                !ids.attrs.contains_key("NumberOfComponents"),
                "scalars use the default of 1 component"
            );
            assert_eq!(
                ids.values,
                mesh.node_ids.iter().map(|&i| i as f64).collect::<Vec<_>>()
            );
            let u = vtu.array("PointData", "displacement");
            assert_eq!(
                (
                    u.attrs["type"].as_str(),
                    u.attrs["NumberOfComponents"].as_str()
                ),
                ("Float64", "3")
            );
            assert_eq!(
                u.values,
                fields
                    .displacement
                    .as_ref()
                    .expect("u")
                    .iter()
                    .flatten()
                    .copied()
                    .collect::<Vec<_>>(),
                "{what}"
            );
            let s = vtu.array("PointData", "stress");
            assert_eq!(s.attrs["NumberOfComponents"], "6");
            assert_eq!(s.attrs["ComponentName3"], "XY");
            let stress = fields.stress.as_ref().expect("s");
            assert_eq!(
                s.values,
                stress.iter().flatten().copied().collect::<Vec<_>>(),
                "{what}"
            );
            assert_eq!(
                vtu.array("PointData", "von_mises").values,
                stress.iter().map(von_mises).collect::<Vec<_>>()
            );
            let xmin = mesh.node_set("XMIN").expect("XMIN");
            let flags = &vtu.array("PointData", "XMIN").values;
            assert!(
                (0..mesh.n_nodes()).all(|i| flags[i] == if xmin.contains(&i) { 1.0 } else { 0.0 })
            );
            // cell data
            assert_eq!(
                vtu.names("CellData"),
                ["element_id", "material", "ALL", "block"]
            );
            assert_eq!(
                vtu.array("CellData", "element_id").values,
                mesh.elements().map(|e| e.id as f64).collect::<Vec<_>>()
            );
            let material = vtu.array("CellData", "material");
            assert_eq!(material.attrs["type"], "Int32");
            assert_eq!(
                material.values,
                (0..mesh.n_elements())
                    .map(|e| (e % 2) as f64)
                    .collect::<Vec<_>>()
            );
            assert!(
                vtu.array("CellData", "ALL")
                    .values
                    .iter()
                    .all(|&f| f == 1.0)
            );
        }
    }
    // atomic writes leave no temporary files
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn gmsh_quadratic_meshes_come_out_in_vtk_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gmsh");
    for name in ["box_tet10_v41.msh", "box_hex20_v41_bin.msh"] {
        let msh = osteon_io::gmsh::read_msh(&fixtures.join(name)).expect("mesh");
        let path = dir.path().join("q.vtu");
        write_vtu(
            &path,
            &msh.mesh,
            &VtuFields::new().with_element_set_flags(["Bone"]),
        )
        .expect("write");
        let vtu = parse_vtu(&std::fs::read_to_string(&path).expect("read"));
        check_vtk_geometry(&vtu);
        assert_eq!(vtu.names("PointData"), ["node_id"]);
        assert_eq!(vtu.names("CellData"), ["element_id", "Bone"]);
    }
}

#[test]
fn bad_fields_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mesh = small_box(ElementType::Hex8);
    let path = dir.path().join("bad.vtu");
    let cases = [
        (
            VtuFields::new().with_displacement(vec![[0.0; 3]; 3]),
            "point array 'displacement' has 9 values",
        ),
        (
            VtuFields::new().with_material(vec![0; 99]),
            "cell array 'material' has 99 values",
        ),
        (
            VtuFields::new().with_point_array(DataArray::float64(
                "x",
                2,
                vec![0.0; mesh.n_nodes()],
            )),
            "expected 2 components",
        ),
        (
            VtuFields::new().with_cell_array(DataArray::int32("element_id", 1, vec![0; 2])),
            "two cell arrays are called 'element_id'",
        ),
        (
            VtuFields::new().with_element_set_flags(["NOPE"]),
            "no element set 'NOPE'",
        ),
        (
            VtuFields::new().with_node_set_flags(["NOPE"]),
            "no node set 'NOPE'",
        ),
    ];
    for (fields, needle) in cases {
        match write_vtu(&path, &mesh, &fields) {
            Err(IoError::Os { path: p, source }) => {
                assert_eq!(p, path);
                assert_eq!(source.kind(), std::io::ErrorKind::InvalidInput);
                assert!(
                    source.to_string().contains(needle),
                    "'{source}' should contain '{needle}'"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    // an unwritable place is an OS error naming the path
    let nowhere = dir.path().join("missing/sub/x.vtu");
    assert!(
        matches!(write_vtu(&nowhere, &mesh, &VtuFields::new()), Err(IoError::Os { path, .. }) if path == nowhere)
    );
}

#[test]
fn pvd_lists_the_steps() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run.pvd");
    write_pvd(&path, &[(0.5, "a&b_step1.vtu"), (1.0, "a&b_step2.vtu")]).expect("write");
    let xml = std::fs::read_to_string(&path).expect("read");
    assert!(xml.contains("type=\"Collection\""));
    let sets: Vec<BTreeMap<String, String>> = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<DataSet"))
        .map(|l| attributes(l.trim().trim_start_matches('<').trim_end_matches('>')).1)
        .collect();
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[0]["timestep"], "0.5");
    assert_eq!(sets[1]["file"], "a&b_step2.vtu");
    assert!(write_pvd(&path, &[(f64::NAN, "x.vtu")]).is_err());
}

#[test]
fn results_of_a_solve_follow_the_contract() {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [10.0, 1.0, 1.0],
        cells: [4, 1, 1],
        element: ElementType::Tet10,
    })
    .expect("box");
    let mut model = Model::new(mesh);
    let m = model.add_material(Material::new(
        "steel",
        IsotropicElastic::new(200_000.0, 0.3).expect("law").into(),
    ));
    model.add_section(
        "ALL",
        model.mesh.element_set("ALL").expect("ALL").to_vec(),
        m,
    );
    let xmin = model.mesh.node_set("XMIN").expect("XMIN").to_vec();
    model.fix(&xmin, &[0, 1, 2]);
    let xmax = model.mesh.node_set("XMAX").expect("XMAX").to_vec();
    for (name, f) in [("half", 50.0), ("full", 100.0)] {
        let mut case = LoadCase::new(name);
        case.nodal_loads.extend(xmax.iter().map(|&node| NodalLoad {
            node,
            component: 2,
            value: -f / xmax.len() as f64,
        }));
        model.load_cases.push(case);
    }
    let solution = solve_linear_static(
        &model,
        &SolveOptions {
            threads: 1,
            ..SolveOptions::default()
        },
    )
    .expect("solve");
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_results(
        dir.path(),
        "bar",
        &model,
        &solution.cases,
        VtuEncoding::Binary,
    )
    .expect("write");
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["bar.vtu", "bar_step1.vtu", "bar_step2.vtu", "bar.pvd"]
    );
    let main = std::fs::read(dir.path().join("bar.vtu")).expect("main");
    assert_eq!(
        main,
        std::fs::read(dir.path().join("bar_step2.vtu")).expect("step 2"),
        "the main file is the final state"
    );
    let vtu = parse_vtu(&String::from_utf8(main).expect("utf-8"));
    assert_eq!(
        vtu.names("PointData"),
        ["node_id", "displacement", "stress", "von_mises", "reaction"]
    );
    assert_eq!(vtu.names("CellData"), ["element_id", "material"]);
    assert!(
        vtu.array("CellData", "material")
            .values
            .iter()
            .all(|&m| m == 0.0)
    );
    let u = &vtu.array("PointData", "displacement").values;
    let u2: Vec<f64> = solution.cases[1]
        .displacement
        .iter()
        .flatten()
        .copied()
        .collect();
    assert_eq!(u, &u2);
    check_vtk_geometry(&vtu);
    // mesh-only output of the model
    let mesh_only = dir.path().join("mesh.vtu");
    write_vtu(
        &mesh_only,
        &model.mesh,
        &VtuFields::for_model(&model).with_encoding(VtuEncoding::Ascii),
    )
    .expect("write");
    let vtu = parse_vtu(&std::fs::read_to_string(&mesh_only).expect("read"));
    assert_eq!(vtu.names("PointData"), ["node_id"]);
    assert_eq!(vtu.names("CellData"), ["element_id", "material"]);
    assert!(!vtu.root.contains_key("header_type"));
}
