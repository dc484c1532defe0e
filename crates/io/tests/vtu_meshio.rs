//! VTU files checked by an independent reader: `tests/check_vtu.py` reads them with meshio
//! (skipped, with a notice, where `python3 -c "import meshio"` fails; CI installs meshio).

use std::path::{Path, PathBuf};
use std::process::Command;

use osteon_io::vtu::{VtuEncoding, VtuFields, write_vtu};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

fn meshio_available() -> bool {
    Command::new("python3")
        .args(["-c", "import meshio"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn meshio_reads_what_we_write() {
    if !meshio_available() {
        eprintln!(
            "SKIPPED vtu_meshio: python3 with meshio not found (pip install meshio to run this check)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut expected = Vec::new();
    for etype in ElementType::ALL {
        let mesh = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [3.0, 2.0, 1.0],
            cells: [3, 2, 1],
            element: etype,
        })
        .expect("box");
        for encoding in [VtuEncoding::Ascii, VtuEncoding::Binary] {
            let u: Vec<[f64; 3]> = mesh
                .coords
                .iter()
                .map(|x| [0.01 * x[0], 0.0, -0.02 * x[2]])
                .collect();
            let s: Vec<[f64; 6]> = mesh
                .coords
                .iter()
                .map(|x| [x[0], 2.0, -x[2], 0.5, 0.0, x[1]])
                .collect();
            let full = VtuFields::new()
                .with_displacement(u.clone())
                .with_stress(s)
                .with_reaction(vec![[1.0, 0.0, 0.0]; mesh.n_nodes()])
                .with_material(vec![0; mesh.n_elements()])
                .with_encoding(encoding);
            let path = dir.path().join(format!("{etype}_{encoding:?}.vtu"));
            write_vtu(&path, &mesh, &full).expect("write");
            files.push(path);
            expected.push((
                etype,
                mesh.n_nodes(),
                mesh.n_elements(),
                Some(u.iter().flatten().sum::<f64>()),
            ));
            let bare = dir.path().join(format!("{etype}_{encoding:?}_mesh.vtu"));
            write_vtu(&bare, &mesh, &VtuFields::new().with_encoding(encoding)).expect("write");
            files.push(bare);
            expected.push((etype, mesh.n_nodes(), mesh.n_elements(), None));
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_vtu.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--straight-edges")
        .args(&files)
        .output()
        .expect("run python3");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "check_vtu.py failed:\n{stderr}");
    let summaries: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("JSON from check_vtu.py");
    assert_eq!(summaries.len(), files.len());
    for (summary, (etype, n_points, n_cells, u_sum)) in summaries.iter().zip(expected) {
        let meshio_type = match etype {
            ElementType::Tet4 => "tetra",
            ElementType::Tet10 => "tetra10",
            ElementType::Hex8 => "hexahedron",
            ElementType::Hex20 | ElementType::Hex20R => "hexahedron20",
        };
        assert_eq!(summary["points"], n_points, "{summary}");
        assert_eq!(summary["cells"][meshio_type], n_cells, "{summary}");
        match u_sum {
            Some(sum) => {
                assert_eq!(
                    summary["point_data"]["stress"],
                    serde_json::json!([n_points, 6])
                );
                assert_eq!(
                    summary["point_data"]["von_mises"],
                    serde_json::json!([n_points])
                );
                let got = summary["sums"]["displacement"].as_f64().expect("sum");
                assert!(
                    (got - sum).abs() < 1e-12 * (1.0 + sum.abs()),
                    "{got} vs {sum}"
                );
                assert!(summary["cell_data"]["material"].is_array());
            }
            None => assert_eq!(
                summary["point_data"].as_object().map(|o| o.len()),
                Some(1),
                "{summary}"
            ),
        }
    }
}
