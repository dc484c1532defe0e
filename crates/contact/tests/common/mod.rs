//! Shared helpers of the contact tests: two-body meshes, surfaces, materials, and the
//! CalculiX runner and `.dat` parser.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use osteon_assembly::{DirichletBc, LoadCase, Model, NodalLoad};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::{FaceRef, Mesh, Surface};

/// Faces of a named surface (empty when missing).
/// A copy of `model` with `pairs` as its contact pairs.
pub fn with_pairs(model: &Model, pairs: Vec<osteon_assembly::ContactPair>) -> Model {
    let mut model = model.clone();
    model.contact_pairs = pairs;
    model
}

pub fn faces(mesh: &Mesh, name: &str) -> Vec<FaceRef> {
    match mesh.surface(name) {
        Ok(Surface::Faces(f)) => f.clone(),
        _ => Vec::new(),
    }
}

/// `b` appended to `a`: node ids and element ids of `b` are shifted by `id_offset`.
/// Returns the mesh, the node-index offset and the element-index offset of `b`.
pub fn merge(a: &Mesh, b: &Mesh, id_offset: i64) -> (Mesh, usize, usize) {
    let mut mesh = a.clone();
    let node_offset = mesh.n_nodes();
    let element_offset = mesh.n_elements();
    for (i, x) in b.coords.iter().enumerate() {
        mesh.add_node(b.node_ids[i] + id_offset, *x)
            .expect("unique node id");
    }
    for el in b.elements() {
        let nodes: Vec<usize> = el.nodes.iter().map(|n| n + node_offset).collect();
        mesh.push_element(el.etype, el.id + id_offset, &nodes)
            .expect("valid element");
    }
    (mesh, node_offset, element_offset)
}

/// Faces of `b`'s surface `name` renumbered into the merged mesh.
pub fn shifted_faces(b: &Mesh, name: &str, element_offset: usize) -> Vec<FaceRef> {
    faces(b, name)
        .into_iter()
        .map(|f| FaceRef {
            element: f.element + element_offset,
            face: f.face,
        })
        .collect()
}

/// Node set of `b` renumbered into the merged mesh.
pub fn shifted_nodes(b: &Mesh, name: &str, node_offset: usize) -> Vec<usize> {
    b.node_set(name)
        .expect("node set")
        .iter()
        .map(|n| n + node_offset)
        .collect()
}

/// An isotropic material.
/// "axial + bending": `axial` (N, along z) and `lateral` (N, along x) split equally over `top`.
pub fn axial_and_lateral(top: &[usize], axial: f64, lateral: f64) -> LoadCase {
    let mut case = LoadCase::new("axial + bending");
    let n = top.len() as f64;
    for &node in top {
        case.nodal_loads.push(NodalLoad {
            node,
            component: 2,
            value: axial / n,
        });
        case.nodal_loads.push(NodalLoad {
            node,
            component: 0,
            value: lateral / n,
        });
    }
    case
}

pub fn isotropic(name: &str, e: f64, nu: f64) -> Material {
    Material::new(
        name,
        IsotropicElastic::new(e, nu)
            .expect("valid constants")
            .into(),
    )
}

/// Prescribe (x, y, z) = `value` on `nodes` (None: leave the component free).
pub fn prescribe(nodes: &[usize], value: [Option<f64>; 3]) -> Vec<DirichletBc> {
    let mut out = Vec::new();
    for &node in nodes {
        for (component, v) in value.iter().enumerate() {
            if let Some(v) = v {
                out.push(DirichletBc {
                    node,
                    component,
                    value: *v,
                });
            }
        }
    }
    out
}

/// Two sections: elements `0..split` get material `m0`, the rest `m1`.
pub fn two_sections(model: &mut Model, split: usize, m0: Material, m1: Material) {
    let a = model.add_material(m0);
    let b = model.add_material(m1);
    let n = model.mesh.n_elements();
    model.add_section("LOWER", (0..split).collect(), a);
    model.add_section("UPPER", (split..n).collect(), b);
}

/// `ccx` on PATH?
pub fn ccx_available() -> bool {
    Command::new("ccx").arg("-v").output().is_ok()
}

/// Run `ccx` on `deck` in a fresh temporary directory; returns the `.dat` text, or `None`
/// (with a printed notice) when `ccx` is not installed or fails.
pub fn run_ccx(deck: &str, stem: &str) -> Option<String> {
    if !ccx_available() {
        println!("NOTICE: ccx is not on PATH; CalculiX comparison skipped");
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join(format!("{stem}.inp"));
    std::fs::write(&path, deck).ok()?;
    let out = Command::new("ccx")
        .arg(stem)
        .current_dir(dir.path())
        .env("OMP_NUM_THREADS", "1")
        .output()
        .ok()?;
    let dat = std::fs::read_to_string(dir.path().join(format!("{stem}.dat"))).ok();
    let log = String::from_utf8_lossy(&out.stdout);
    if dat.is_none() || log.contains("*ERROR") {
        println!(
            "NOTICE: ccx failed on {stem}:\n{}",
            log.lines()
                .filter(|l| l.contains("ERROR"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        if let Ok(keep) = std::env::var("OSTEON_KEEP_CCX") {
            let _ = std::fs::copy(&path, Path::new(&keep).join(format!("{stem}.inp")));
        }
        return None;
    }
    dat
}

/// One table of a CalculiX `.dat` file: its title line, the time, and rows (first column an
/// integer: node id; then values).
#[derive(Clone, Debug)]
pub struct DatBlock {
    pub title: String,
    pub time: f64,
    pub rows: Vec<(i64, Vec<f64>)>,
}

/// Parse every table of a `.dat` file.
pub fn parse_dat(text: &str) -> Vec<DatBlock> {
    let mut blocks: Vec<DatBlock> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(pos) = t.find("time")
            && t.contains("for")
        {
            let time = t[pos + 4..].trim().parse::<f64>().unwrap_or(f64::NAN);
            blocks.push(DatBlock {
                title: t.to_string(),
                time,
                rows: Vec::new(),
            });
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(first) = tokens.first() else {
            continue;
        };
        // rows start with a node id; totals rows have values only (id 0)
        let (id, vals): (i64, Vec<f64>) = match first.parse::<i64>() {
            Ok(id) => (
                id,
                tokens[1..]
                    .iter()
                    .filter_map(|v| v.parse::<f64>().ok())
                    .collect(),
            ),
            Err(_) => match first.parse::<f64>() {
                Ok(_) => (
                    0,
                    tokens
                        .iter()
                        .filter_map(|v| v.parse::<f64>().ok())
                        .collect(),
                ),
                Err(_) => continue,
            },
        };
        if let Some(b) = blocks.last_mut() {
            b.rows.push((id, vals));
        }
    }
    blocks
}

/// The last table whose title contains `what` at time `time` (± 1e-9).
pub fn dat_table<'a>(blocks: &'a [DatBlock], what: &str, time: f64) -> Option<&'a DatBlock> {
    blocks
        .iter()
        .rev()
        .find(|b| b.title.contains(what) && (b.time - time).abs() < 1e-9)
}

/// Write the nodes and elements of `mesh` as CalculiX/Abaqus keywords (node and element ids
/// as in the mesh, one `*ELEMENT` block per type with ELSET=`EB<k>`).
pub fn deck_mesh(mesh: &Mesh) -> String {
    use std::fmt::Write;
    let mut s = String::from("*NODE, NSET=NALL\n");
    for (i, x) in mesh.coords.iter().enumerate() {
        let _ = writeln!(
            s,
            "{}, {:.12e}, {:.12e}, {:.12e}",
            mesh.node_ids[i], x[0], x[1], x[2]
        );
    }
    for (k, block) in mesh.blocks.iter().enumerate() {
        let _ = writeln!(
            s,
            "*ELEMENT, TYPE={}, ELSET=EB{k}",
            block.etype.abaqus_name()
        );
        for i in 0..block.len() {
            let ids: Vec<String> = block
                .nodes(i)
                .iter()
                .map(|&n| mesh.node_ids[n].to_string())
                .collect();
            let _ = writeln!(s, "{}, {}", block.ids[i], ids.join(", "));
        }
    }
    s
}

/// `*ELSET` of element indices.
pub fn deck_elset(mesh: &Mesh, name: &str, elements: &[usize]) -> String {
    let mut s = format!("*ELSET, ELSET={name}\n");
    for chunk in elements.chunks(8) {
        let ids: Vec<String> = chunk
            .iter()
            .map(|&e| mesh.element(e).id.to_string())
            .collect();
        s.push_str(&ids.join(", "));
        s.push('\n');
    }
    s
}

/// `*NSET` of node indices.
pub fn deck_nset(mesh: &Mesh, name: &str, nodes: &[usize]) -> String {
    let mut s = format!("*NSET, NSET={name}\n");
    for chunk in nodes.chunks(8) {
        let ids: Vec<String> = chunk
            .iter()
            .map(|&n| mesh.node_ids[n].to_string())
            .collect();
        s.push_str(&ids.join(", "));
        s.push('\n');
    }
    s
}

/// `*SURFACE, TYPE=ELEMENT` of faces.
pub fn deck_surface(mesh: &Mesh, name: &str, faces: &[FaceRef]) -> String {
    let mut s = format!("*SURFACE, NAME={name}, TYPE=ELEMENT\n");
    for f in faces {
        s.push_str(&format!(
            "{}, S{}\n",
            mesh.element(f.element).id,
            f.face + 1
        ));
    }
    s
}

/// Write `mesh` (Hex8 and Tet4 cells) with point data as an ASCII VTU file for ParaView
/// (the io crate owns the production writer; this one serves the tests' maps).
/// `fields`: (name, components, values node by node).
pub fn write_vtu(
    path: &Path,
    mesh: &Mesh,
    fields: &[(&str, usize, Vec<f64>)],
) -> std::io::Result<()> {
    use std::fmt::Write;
    let mut s = String::new();
    let n_cells = mesh.n_elements();
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\"?>\n<VTKFile type=\"UnstructuredGrid\" version=\"0.1\" byte_order=\"LittleEndian\">\n<UnstructuredGrid>"
    );
    let _ = writeln!(
        s,
        "<Piece NumberOfPoints=\"{}\" NumberOfCells=\"{n_cells}\">",
        mesh.n_nodes()
    );
    s += "<PointData>\n";
    for (name, comps, values) in fields {
        let _ = writeln!(
            s,
            "<DataArray type=\"Float64\" Name=\"{name}\" NumberOfComponents=\"{comps}\" format=\"ascii\">"
        );
        for v in values {
            let _ = write!(s, "{v:e} ");
        }
        s += "\n</DataArray>\n";
    }
    s += "</PointData>\n<Points>\n<DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">\n";
    for x in &mesh.coords {
        let _ = writeln!(s, "{} {} {}", x[0], x[1], x[2]);
    }
    s += "</DataArray>\n</Points>\n<Cells>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n";
    let mut offsets = Vec::new();
    let mut types = Vec::new();
    let mut total = 0;
    for el in mesh.elements() {
        for n in el.nodes {
            let _ = write!(s, "{n} ");
        }
        s.push('\n');
        total += el.nodes.len();
        offsets.push(total);
        types.push(if el.nodes.len() == 8 { 12 } else { 10 });
    }
    s += "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n";
    for o in offsets {
        let _ = write!(s, "{o} ");
    }
    s += "\n</DataArray>\n<DataArray type=\"UInt8\" Name=\"types\" format=\"ascii\">\n";
    for t in types {
        let _ = write!(s, "{t} ");
    }
    s += "\n</DataArray>\n</Cells>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n";
    std::fs::write(path, s)
}

/// `*EQUATION` cards of `equations` (node indices → ids, components 0..3 → DOF 1..3), four
/// terms per line as CalculiX reads them; coefficients in fixed notation with 15 decimals
/// (|c| ≤ 1 for ties), so that a field stays within the 20 characters CalculiX reads.
pub fn deck_equations(mesh: &Mesh, equations: &[osteon_assembly::Equation]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for eq in equations {
        let _ = writeln!(s, "*EQUATION\n{}", eq.terms.len());
        for chunk in eq.terms.chunks(4) {
            let terms: Vec<String> = chunk
                .iter()
                .map(|&(n, c, coef)| format!("{}, {}, {coef:.15}", mesh.node_ids[n], c + 1))
                .collect();
            let _ = writeln!(s, "{}", terms.join(", "));
        }
    }
    s
}

/// `*CLOAD` lines of the nodal loads of `case` (node indices → ids, components → DOF 1..3);
/// 13 significant digits, so that a field stays within the 20 characters CalculiX reads.
pub fn deck_cloads(mesh: &Mesh, case: &LoadCase) -> String {
    use std::fmt::Write;
    let mut s = String::from("*CLOAD\n");
    for l in &case.nodal_loads {
        let _ = writeln!(
            s,
            "{}, {}, {:.12e}",
            mesh.node_ids[l.node],
            l.component + 1,
            l.value
        );
    }
    s
}

/// Σ a v / Σ a: the mean of nodal values `v` weighted by the nodes' areas `a`.
pub fn area_mean(a: &[f64], v: &[f64]) -> f64 {
    a.iter().zip(v).map(|(a, v)| a * v).sum::<f64>() / a.iter().sum::<f64>()
}

/// The largest of nonnegative values `v` (0 for none).
pub fn largest(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// The largest nodal |ours − ccx| relative to the largest CalculiX value.
pub fn largest_nodal_difference(ours: &[f64], ccx: &[f64]) -> f64 {
    ours.iter()
        .zip(ccx)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        / largest(ccx)
}
