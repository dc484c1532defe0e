//! `osteon mesh`: the structured generators, written as Abaqus/CalculiX decks.
//!
//! By default the deck is complete and solvable: cortical bone on every element, one end
//! face clamped (`--fix`) and one step with a pressure on the other end face
//! (`--pressure` on `--load-surface`). `--mesh-only` writes the mesh alone (nodes,
//! elements, sets, surfaces) and prints a wrapper deck that `*INCLUDE`s it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use osteon_assembly::{LoadCase, Model, PressureLoad};
use osteon_mesh::generate::{BoxSpec, TubeSpec, box_mesh, tube_mesh};
use osteon_mesh::{ElementType, Mesh, check_jacobians};

/// Generate a mesh and write it as an `.inp` deck: by default complete (cortical bone, one
/// end clamped, a pressure step on the other end), with `--mesh-only` the mesh alone.
#[derive(Debug, Args)]
pub struct MeshArgs {
    #[command(subcommand)]
    shape: Shape,
}

/// Supports and load of the written deck.
#[derive(Debug, Args)]
struct DeckOptions {
    /// Node set clamped in x, y and z (default: Z0 for a tube, XMIN for a box).
    #[arg(long)]
    fix: Option<String>,
    /// Surface that carries the pressure (default: Z1 for a tube, XMAX for a box).
    #[arg(long)]
    load_surface: Option<String>,
    /// Pressure on the load surface (MPa; positive pushes into the face).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pressure: f64,
    /// Write only the mesh (nodes, elements, sets, surfaces) and print a wrapper deck that
    /// includes it and adds material, supports and the step.
    #[arg(long)]
    mesh_only: bool,
    /// Output deck.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Shape {
    /// Hollow circular cylinder along z (a tibia-like shaft). Sets and surfaces: INNER,
    /// OUTER, Z0, Z1; element set ALL.
    Tube {
        /// Inner radius (mm).
        #[arg(long, default_value_t = 7.0)]
        inner: f64,
        /// Outer radius (mm).
        #[arg(long, default_value_t = 13.0)]
        outer: f64,
        /// Length along z (mm).
        #[arg(long, default_value_t = 300.0)]
        length: f64,
        /// Cells through the wall.
        #[arg(long, default_value_t = 2)]
        radial: usize,
        /// Cells around the circumference.
        #[arg(long, default_value_t = 24)]
        around: usize,
        /// Cells along the axis.
        #[arg(long, default_value_t = 60)]
        axial: usize,
        /// Element type: C3D4, C3D10, C3D8, C3D20, C3D20R.
        #[arg(long, default_value = "C3D10")]
        element: String,
        #[command(flatten)]
        deck: DeckOptions,
    },
    /// Axis-aligned box from the origin. Sets and surfaces: XMIN, XMAX, YMIN, YMAX, ZMIN,
    /// ZMAX; element set ALL.
    Box {
        /// Edge lengths x,y,z (mm), e.g. --size 100,10,10.
        #[arg(long, value_delimiter = ',', default_values_t = [100.0, 10.0, 10.0])]
        size: Vec<f64>,
        /// Cells along x,y,z, e.g. --cells 20,2,2.
        #[arg(long, value_delimiter = ',', default_values_t = [20, 2, 2])]
        cells: Vec<usize>,
        /// Element type: C3D4, C3D10, C3D8, C3D20, C3D20R.
        #[arg(long, default_value = "C3D20")]
        element: String,
        #[command(flatten)]
        deck: DeckOptions,
    },
}

fn join<T: ToString>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn element_type(name: &str) -> Result<ElementType> {
    match ElementType::from_abaqus(name) {
        Some(t) => Ok(t),
        None => {
            bail!("unknown element type '{name}': expected one of C3D4, C3D10, C3D8, C3D20, C3D20R")
        }
    }
}

/// Run `osteon mesh`.
pub fn run(args: &MeshArgs, quiet: bool) -> Result<()> {
    let (mesh, deck, what, (fix, load)) = match &args.shape {
        Shape::Tube {
            inner,
            outer,
            length,
            radial,
            around,
            axial,
            element,
            deck,
        } => {
            let spec = TubeSpec {
                inner_radius: *inner,
                outer_radius: *outer,
                length: *length,
                cells_radial: *radial,
                cells_around: *around,
                cells_axial: *axial,
                element: element_type(element)?,
            };
            (
                tube_mesh(&spec)?,
                deck,
                format!("tube R {inner}–{outer} mm, L {length} mm, {element}"),
                ("Z0", "Z1"),
            )
        }
        Shape::Box {
            size,
            cells,
            element,
            deck,
        } => {
            let (&[sx, sy, sz], &[cx, cy, cz]) = (size.as_slice(), cells.as_slice()) else {
                bail!(
                    "--size and --cells take three values each, x,y,z (e.g. --size 100,10,10 --cells 20,2,2); got --size {} --cells {}",
                    join(size),
                    join(cells)
                );
            };
            let spec = BoxSpec {
                origin: [0.0; 3],
                size: [sx, sy, sz],
                cells: [cx, cy, cz],
                element: element_type(element)?,
            };
            (
                box_mesh(&spec)?,
                deck,
                format!("box {sx} × {sy} × {sz} mm, {element}"),
                ("XMIN", "XMAX"),
            )
        }
    };
    let quality = check_jacobians(&mesh)?;
    let output = &deck.output;
    let fix = deck.fix.as_deref().unwrap_or(fix).to_ascii_uppercase();
    let load = deck
        .load_surface
        .as_deref()
        .unwrap_or(load)
        .to_ascii_uppercase();
    let counts = format!(
        "{} nodes, {} elements ({what}), min scaled Jacobian {:.3}",
        mesh.n_nodes(),
        mesh.n_elements(),
        quality.min_scaled_jacobian
    );
    if deck.mesh_only {
        osteon_io::deck_writer::write_mesh_inp(output, &mesh, &format!("osteon mesh: {what}"))
            .with_context(|| format!("writing {}", output.display()))?;
        if !quiet {
            eprintln!("wrote {}: {counts}", output.display());
        }
        print!("{}", wrapper_template(output, &fix, &load, deck.pressure));
        return Ok(());
    }
    let model = loaded_model(mesh, &fix, &load, deck.pressure)?;
    let heading = format!(
        "osteon mesh: {what}; cortical bone (E 17000 MPa, nu 0.3) on all elements; {fix} clamped; {} MPa on {load}",
        deck.pressure
    );
    osteon_io::deck_writer::write_model_inp(output, &model, &heading)
        .with_context(|| format!("writing {}", output.display()))?;
    if !quiet {
        println!(
            "wrote {}: {counts}; {fix} clamped, {} MPa on {load}; solve with: osteon solve {} -o out/",
            output.display(),
            deck.pressure,
            output.display()
        );
    }
    Ok(())
}

/// The mesh with cortical bone on every element, node set `fix` clamped and one step with
/// `pressure` (MPa) on the faces of surface `load`.
fn loaded_model(mesh: Mesh, fix: &str, load: &str, pressure: f64) -> Result<Model> {
    let clamped = mesh
        .node_set(fix)
        .with_context(|| format!("--fix {fix}: not a node set of this mesh"))?
        .to_vec();
    let faces = mesh
        .surface_faces(load)
        .with_context(|| {
            format!("--load-surface {load}: not an element-face surface of this mesh")
        })?
        .to_vec();
    if pressure == 0.0 || !pressure.is_finite() {
        bail!("--pressure {pressure}: the step needs a finite, non-zero pressure (MPa)");
    }
    let mut model = Model::new(mesh);
    let bone = model.add_material(osteon_material::library::cortical_bone());
    let all = model.mesh.element_set("ALL")?.to_vec();
    model.add_section("ALL", all, bone);
    model.fix(&clamped, &[0, 1, 2]);
    let mut case = LoadCase::new(format!("{pressure} MPa on {load}"));
    case.pressures = faces
        .into_iter()
        .map(|face| PressureLoad { face, pressure })
        .collect();
    model.load_cases.push(case);
    Ok(model)
}

/// A deck that includes the mesh-only file `mesh` and adds material, supports and a step.
fn wrapper_template(mesh: &Path, fix: &str, load: &str, pressure: f64) -> String {
    let file = mesh.file_name().map_or_else(
        || mesh.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    format!(
        "** wrapper deck for {file}: save it next to {file} (e.g. as model.inp), edit, then run\n\
         **   osteon solve model.inp -o out/\n\
         *INCLUDE, INPUT={file}\n\
         ** cortical bone (mm, N, MPa): E = 17000 MPa, nu = 0.3\n\
         *MATERIAL, NAME=BONE\n\
         *ELASTIC\n\
         17000., 0.3\n\
         *SOLID SECTION, ELSET=ALL, MATERIAL=BONE\n\
         ** clamp node set {fix} in x, y, z (DOFs 1 to 3)\n\
         *BOUNDARY\n\
         {fix}, 1, 3\n\
         *STEP\n\
         *STATIC\n\
         ** pressure on the faces of surface {load} (MPa, positive pushes into the face)\n\
         *DSLOAD\n\
         {load}, P, {pressure}\n\
         *END STEP\n"
    )
}
