//! The decks of the CalculiX cross-check (`ccx_crosscheck.rs`), shared with the PETSc
//! backend's test (`petsc.rs`): every element type and every keyword of the first set, each
//! written here (mesh by osteon's generators and deck writer, keywords by hand).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use osteon_io::deck_writer::write_mesh_inp;
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, TubeSpec, box_mesh, tube_mesh};

pub const PRINT: &str = "*NODE PRINT, NSET=NALL\nU\n*EL PRINT, ELSET=EALL\nS\n";

/// A deck: a name, the mesh text and the model text after it.
pub struct Deck {
    /// File stem.
    pub name: &'static str,
    /// The mesh part of the deck.
    pub mesh: String,
    /// Materials, sections, boundary conditions and steps after the mesh.
    pub model: String,
    /// Write the mesh to a separate file pulled in with `*INCLUDE`.
    pub include: bool,
    /// Relative tolerances (displacement, stress) when the formulations differ on purpose.
    pub tolerance: Option<(f64, f64)>,
}

impl Deck {
    /// Writes the deck as `dir/<name>.inp` (and its mesh as `dir/<name>_mesh.inp` when it is
    /// included) and returns the deck's path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, String> {
        let main = dir.join(format!("{}.inp", self.name));
        let text = if self.include {
            let mesh_file = format!("{}_mesh.inp", self.name);
            std::fs::write(dir.join(&mesh_file), &self.mesh).map_err(|e| e.to_string())?;
            format!("*INCLUDE, INPUT={mesh_file}\n{}", self.model)
        } else {
            format!("{}{}", self.mesh, self.model)
        };
        std::fs::write(&main, text).map_err(|e| e.to_string())?;
        Ok(main)
    }
}

/// Two bars in series, [0, 4] and [4, 10] × [0, 2]²: part A (ids as generated) coarse, part B
/// (ids + 10000) refining it at the interface, so the meshes do not match there. Sets
/// A_XMIN, A_XMAX (surface), B_XMIN (node surface), B_XMAX.
pub fn tied_bars(dir: &Path, element: ElementType) -> String {
    let a = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [4.0, 2.0, 2.0],
        cells: [2, 2, 2],
        element,
    })
    .expect("box");
    let b = box_mesh(&BoxSpec {
        origin: [4.0, 0.0, 0.0],
        size: [6.0, 2.0, 2.0],
        cells: [3, 4, 4],
        element,
    })
    .expect("box");
    let mut m = osteon_mesh::Mesh::new();
    for (part, prefix, offset) in [(&a, "A_", 0i64), (&b, "B_", 10_000)] {
        let n0 = m.n_nodes();
        let e0 = m.n_elements();
        for (i, x) in part.coords.iter().enumerate() {
            m.add_node(part.node_ids[i] + offset, *x).expect("fresh id");
        }
        for el in part.elements() {
            let nodes: Vec<usize> = el.nodes.iter().map(|n| n + n0).collect();
            m.push_element(el.etype, el.id + offset, &nodes)
                .expect("fresh id");
        }
        for name in ["XMIN", "XMAX"] {
            let nodes: Vec<usize> = part
                .node_set(name)
                .expect("set")
                .iter()
                .map(|n| n + n0)
                .collect();
            m.set_node_set(format!("{prefix}{name}"), nodes);
            if let Ok(osteon_mesh::Surface::Faces(f)) = part.surface(name) {
                let faces = f
                    .iter()
                    .map(|f| osteon_mesh::FaceRef {
                        element: f.element + e0,
                        face: f.face,
                    })
                    .collect();
                m.surfaces.insert(
                    format!("{prefix}{name}"),
                    osteon_mesh::Surface::Faces(faces),
                );
            }
        }
    }
    let slave: Vec<usize> = m.node_set("B_XMIN").expect("set").to_vec();
    m.surfaces
        .insert("B_XMIN".into(), osteon_mesh::Surface::Nodes(slave));
    mesh_text(dir, &m)
}

pub fn mesh_text(dir: &Path, mesh: &osteon_mesh::Mesh) -> String {
    let p = dir.join("mesh_tmp.inp");
    write_mesh_inp(&p, mesh, "generated").expect("write mesh");
    let text = std::fs::read_to_string(&p).expect("read mesh");
    let _ = std::fs::remove_file(&p);
    text
}

pub fn boxed(dir: &Path, size: [f64; 3], cells: [usize; 3], element: ElementType) -> String {
    mesh_text(
        dir,
        &box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size,
            cells,
            element,
        })
        .expect("box"),
    )
}

pub fn tube(dir: &Path, element: ElementType) -> String {
    let spec = TubeSpec {
        inner_radius: 7.0,
        outer_radius: 13.0,
        length: 40.0,
        cells_radial: 2,
        cells_around: 12,
        cells_axial: 4,
        element,
    };
    mesh_text(dir, &tube_mesh(&spec).expect("tube"))
}

pub fn material(name: &str) -> String {
    format!(
        "*MATERIAL, NAME={name}\n*ELASTIC\n17000., 0.3\n*DENSITY\n1.9e-9\n*SOLID SECTION, ELSET=EALL, MATERIAL={name}\n"
    )
}

/// Element-face pressure lines `id, Pn, p` for a surface of the generated mesh.
pub fn dload_on_surface(mesh_text: &str, surface: &str, p: f64) -> String {
    let mut out = String::from("*DLOAD\n");
    let mut inside = false;
    for line in mesh_text.lines() {
        if line.starts_with('*') {
            inside = line
                .to_ascii_uppercase()
                .starts_with(&format!("*SURFACE, NAME={surface},"));
            continue;
        }
        if inside {
            let mut f = line.split(',').map(str::trim);
            if let (Some(id), Some(face)) = (f.next(), f.next()) {
                let _ = writeln!(out, "{id}, P{}, {p}", &face[1..]);
            }
        }
    }
    out
}

pub fn decks(dir: &Path) -> Vec<Deck> {
    let mut v = Vec::new();
    // 1. C3D4 bar: set boundary (dof ranges), set CLOAD
    v.push(Deck {
        name: "c3d4_bar",
        mesh: boxed(dir, [20.0, 4.0, 4.0], [5, 2, 2], ElementType::Tet4),
        model: format!("{}*BOUNDARY\nXMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nXMAX, 1, 10.\nXMAX, 3, -2.\n{PRINT}*END STEP\n", material("BONE")),
        include: false,
        tolerance: None,
    });
    // 2. C3D10 cantilever under a flat-face pressure
    let m = boxed(dir, [40.0, 5.0, 5.0], [8, 2, 2], ElementType::Tet10);
    let dl = dload_on_surface(&m, "YMAX", 0.5);
    v.push(Deck {
        name: "c3d10_pressure",
        model: format!(
            "{}*BOUNDARY\nXMIN, 1, 3, 0.\n*STEP\n*STATIC\n{dl}{PRINT}*END STEP\n",
            material("BONE")
        ),
        mesh: m,
        include: false,
        tolerance: None,
    });
    // 3. C3D8 column under its own weight (GRAV on an element set)
    v.push(Deck {
        name: "c3d8_gravity",
        mesh: boxed(dir, [5.0, 5.0, 50.0], [2, 2, 10], ElementType::Hex8),
        model: format!("{}*BOUNDARY\nZMIN, 1, 3\n*STEP\n*STATIC\n*DLOAD\nEALL, GRAV, 9810., 0., 0., -1.\n{PRINT}*END STEP\n", material("BONE")),
        include: false,
        tolerance: None,
    });
    // 4. C3D20 cantilever, tip shear (element records continued over two lines)
    v.push(Deck {
        name: "c3d20_cantilever",
        mesh: boxed(dir, [50.0, 5.0, 10.0], [6, 1, 2], ElementType::Hex20),
        model: format!(
            "{}*BOUNDARY\nXMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nXMAX, 2, 1.5\n{PRINT}*END STEP\n",
            material("BONE")
        ),
        include: true,
        tolerance: None,
    });
    // 5. C3D20R cantilever, same load, via *INCLUDE
    v.push(Deck {
        name: "c3d20r_cantilever",
        mesh: boxed(dir, [50.0, 5.0, 10.0], [6, 1, 2], ElementType::Hex20R),
        model: format!(
            "{}*BOUNDARY\nXMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nXMAX, 3, -1.5\n{PRINT}*END STEP\n",
            material("BONE")
        ),
        include: true,
        tolerance: None,
    });
    // 6–7. internal pressure on curved quadratic faces of a tube (C3D10, C3D20). CalculiX
    // integrates loads on 6-node triangular faces with 3 points (exact for degree 2, i.e. for
    // flat faces: deck 2 agrees to 1e-7), while osteon uses a degree-6 rule because on a
    // curved face N_a·|∂x/∂s × ∂x/∂t| is of degree 4. osteon's resultant is exact to round-off
    // (crates/assembly/tests/loads.rs); the 3-point rule's error shows as ~1e-3 here, so this
    // deck is compared at 5e-3. On 8-node quadrilateral faces both use 3 × 3 points and agree.
    for (name, t, tolerance) in [
        (
            "tube_c3d10_pressure",
            ElementType::Tet10,
            Some((5e-3, 5e-3)),
        ),
        ("tube_c3d20_pressure", ElementType::Hex20, None),
    ] {
        let m = tube(dir, t);
        let dl = dload_on_surface(&m, "INNER", 2.0);
        v.push(Deck {
            name,
            model: format!(
                "{}*BOUNDARY\nZ0, 1, 3\n*STEP\n*STATIC\n{dl}{PRINT}*END STEP\n",
                material("BONE")
            ),
            mesh: m,
            include: false,
            tolerance,
        });
    }
    // 8. two steps: OP=MOD keeps loads, OP=NEW replaces them; a step boundary change
    v.push(Deck {
        name: "two_steps",
        mesh: boxed(dir, [30.0, 3.0, 3.0], [6, 1, 1], ElementType::Hex8),
        model: format!(
            "{}*BOUNDARY\nXMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nXMAX, 1, 5.\n{PRINT}*END STEP\n*STEP\n*STATIC\n*CLOAD\nXMAX, 2, 0.5\n{PRINT}*END STEP\n*STEP\n*STATIC\n*CLOAD, OP=NEW\nXMAX, 3, -1.\n{PRINT}*END STEP\n",
            material("BONE")
        ),
        include: false,
        tolerance: None,
    });
    // 9. *EQUATION: the two ends' x-displacements of a corner pair are tied 1:1, plus an explicit 3-term equation
    v.push(Deck {
        name: "equation",
        mesh: boxed(dir, [10.0, 2.0, 2.0], [5, 1, 1], ElementType::Hex8),
        model: format!(
            "{}*BOUNDARY\nXMIN, 1, 3\n*EQUATION\n2\n12, 2, 1., 11, 2, -1.\n3\n24, 3, 1., 23, 3, -0.5, 22, 3, -0.5\n*STEP\n*STATIC\n*CLOAD\nXMAX, 2, 1.\nXMAX, 3, 1.\n{PRINT}*END STEP\n",
            material("BONE")
        ),
        include: false,
        tolerance: None,
    });
    // 10. engineering constants (transversely isotropic cortical bone, Reilly & Burstein 1975) and NSET/ELSET GENERATE
    v.push(Deck {
        name: "engineering_constants",
        mesh: boxed(dir, [10.0, 10.0, 30.0], [2, 2, 6], ElementType::Tet10),
        model: "*MATERIAL, NAME=CORTEX\n*ELASTIC, TYPE=ENGINEERING CONSTANTS\n11500., 11500., 17000., 0.58, 0.31, 0.31, 3600., 3300.,\n3300.\n*ELSET, ELSET=FIRST, GENERATE\n1, 72, 1\n*ELSET, ELSET=REST, GENERATE\n73, 144\n*SOLID SECTION, ELSET=FIRST, MATERIAL=CORTEX\n*SOLID SECTION, ELSET=REST, MATERIAL=CORTEX\n*BOUNDARY\nZMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nZMAX, 3, -20.\nZMAX, 1, 2.\n".to_string() + PRINT + "*END STEP\n",
        include: false,
        tolerance: None,
    });
    // 11. orthotropic D-matrix (Abaqus order D1111, D1122, D2222, D1133, D2233, D3333, D1212, D1313, D2323)
    v.push(Deck {
        name: "orthotropic_d",
        mesh: boxed(dir, [10.0, 10.0, 20.0], [2, 2, 4], ElementType::Hex20R),
        model: "*MATERIAL, NAME=ORTHO\n*ELASTIC, TYPE=ORTHOTROPIC\n20000., 8000., 15000., 7000., 6000., 25000., 4000., 5000.,\n4500.\n*SOLID SECTION, ELSET=EALL, MATERIAL=ORTHO\n*BOUNDARY\nZMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nZMAX, 1, 3.\nZMAX, 2, -2.\nZMAX, 3, -10.\n".to_string() + PRINT + "*END STEP\n",
        include: false,
        tolerance: None,
    });
    // 12. prescribed non-zero displacement (first, last, value) inside a step
    v.push(Deck {
        name: "prescribed_displacement",
        mesh: boxed(dir, [20.0, 4.0, 4.0], [4, 2, 2], ElementType::Tet10),
        model: format!("{}*BOUNDARY\nXMIN, 1, 3\n*STEP\n*STATIC\n*BOUNDARY\nXMAX, 1, 1, 0.02\nXMAX, 2, 2, -0.01\n{PRINT}*END STEP\n", material("BONE")),
        include: false,
        tolerance: None,
    });
    // 13–14. *TIE between non-matching meshes (node-to-surface), pulled in tension
    for (name, t) in [
        ("tie_c3d8", ElementType::Hex8),
        ("tie_c3d10", ElementType::Tet10),
    ] {
        v.push(Deck {
            name,
            mesh: tied_bars(dir, t),
            model: format!(
                "{}*TIE, NAME=GLUE, POSITION TOLERANCE=0.01\nB_XMIN, A_XMAX\n*BOUNDARY\nA_XMIN, 1, 3\n*STEP\n*STATIC\n*CLOAD\nB_XMAX, 1, 4.\nB_XMAX, 2, 0.2\n{PRINT}*END STEP\n",
                material("BONE")
            ),
            include: false,
            tolerance: None,
        });
    }
    v
}
