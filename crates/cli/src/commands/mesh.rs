//! `osteon mesh`: the structured generators, written as Abaqus/CalculiX decks.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use osteon_mesh::generate::{BoxSpec, TubeSpec, box_mesh, tube_mesh};
use osteon_mesh::{ElementType, Mesh, check_jacobians};

/// Generate a mesh and write it as an `.inp` deck (nodes, elements, node sets, element sets,
/// surfaces) with cortical bone assigned to all elements, ready for boundary conditions and steps.
#[derive(Debug, Args)]
pub struct MeshArgs {
    #[command(subcommand)]
    shape: Shape,
}

#[derive(Debug, Subcommand)]
enum Shape {
    /// Hollow circular cylinder along z (a tibia-like shaft). Sets: INNER, OUTER, Z0, Z1, ALL.
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
        /// Output deck.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Axis-aligned box from the origin. Sets: XMIN, XMAX, YMIN, YMAX, ZMIN, ZMAX, ALL.
    Box {
        /// Edge lengths x,y,z (mm).
        #[arg(long, value_delimiter = ',', num_args = 3, default_values_t = [100.0, 10.0, 10.0])]
        size: Vec<f64>,
        /// Cells along x,y,z.
        #[arg(long, value_delimiter = ',', num_args = 3, default_values_t = [20, 2, 2])]
        cells: Vec<usize>,
        /// Element type: C3D4, C3D10, C3D8, C3D20, C3D20R.
        #[arg(long, default_value = "C3D20")]
        element: String,
        /// Output deck.
        #[arg(short, long)]
        output: PathBuf,
    },
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
    let (mesh, output, what): (Mesh, &PathBuf, String) = match &args.shape {
        Shape::Tube {
            inner,
            outer,
            length,
            radial,
            around,
            axial,
            element,
            output,
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
                output,
                format!("tube R {inner}–{outer} mm, L {length} mm, {element}"),
            )
        }
        Shape::Box {
            size,
            cells,
            element,
            output,
        } => {
            let spec = BoxSpec {
                origin: [0.0; 3],
                size: [size[0], size[1], size[2]],
                cells: [cells[0], cells[1], cells[2]],
                element: element_type(element)?,
            };
            (
                box_mesh(&spec)?,
                output,
                format!("box {} × {} × {} mm, {element}", size[0], size[1], size[2]),
            )
        }
    };
    let quality = check_jacobians(&mesh)?;
    // A deck that reads and solves once steps are added: the mesh plus cortical bone on ALL.
    let mut model = osteon_assembly::Model::new(mesh);
    let bone = model.add_material(osteon_material::library::cortical_bone());
    let all = model.mesh.element_set("ALL")?.to_vec();
    model.add_section("ALL", all, bone);
    let heading =
        format!("osteon mesh: {what}; cortical bone (E 17000 MPa, nu 0.3) on all elements");
    osteon_io::deck_writer::write_model_inp(output, &model, &heading)
        .with_context(|| format!("writing {}", output.display()))?;
    let mesh = &model.mesh;
    if !quiet {
        println!(
            "wrote {}: {} nodes, {} elements ({what}), min scaled Jacobian {:.3}",
            output.display(),
            mesh.n_nodes(),
            mesh.n_elements(),
            quality.min_scaled_jacobian
        );
    }
    Ok(())
}
