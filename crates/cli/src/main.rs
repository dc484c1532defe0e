//! `osteon`: solve Abaqus/CalculiX decks and Gmsh models, inspect them, generate meshes.
//!
//! ```text
//! osteon solve model.inp -o out/          # → out/model.vtu, out/model.json (+ per-step VTU and .pvd)
//! osteon info model.inp                   # counts, sets, materials, steps, memory estimate
//! osteon mesh tube --element C3D10 -o tube.inp
//! osteon study examples/tibia_study.toml -o out/  # → report.md/json, SVG plots, VTU per load case
//! osteon design examples/design_sweep.toml -o out/  # → design.md/json/svg, the best design
//! osteon ct ct_series/ -o out/            # CT → out/bone.inp, out/bone.vtu, out/bone.stl
//! ```
//! Exit status: 0 success, 2 input error (file:line and what was expected), 3 numerical
//! failure (unconstrained rigid-body mode, singular part, inverted element).

mod commands;
mod exit;
mod progress;
mod threads;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "osteon",
    version,
    about = "Finite-element biomechanics: linear elastic solves of Abaqus/CalculiX decks and Gmsh meshes"
)]
struct Cli {
    /// Print nothing but results (no progress, no phase table).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve every step of a deck (.inp) or a Gmsh model (.msh + --model TOML) and write VTU/JSON results.
    Solve(commands::solve::SolveArgs),
    /// Describe a model: counts, sets, materials, steps, warnings and the memory a direct solve needs.
    Info(commands::info::InfoArgs),
    /// Generate a structured mesh (tube or box) and write it as a deck.
    Mesh(commands::mesh::MeshArgs),
    /// Run a tibial reconstruction study (STUDY.toml): report, plots, VTU, metric table with pass/fail.
    Study(commands::study::StudyArgs),
    /// From a CT (DICOM series or NIfTI) to a model: segmentation, STL surface, C3D8 voxel mesh, modulus per element.
    Ct(commands::ct::CtArgs),
    /// Sweep prosthesis designs (modulus, flange, screws) and name the one with micromotion in the seed's band and the least shielding.
    Design(commands::design::DesignArgs),
    /// Homogenise a porous lattice unit cell (diamond, octet, gyroid): effective 6 × 6 stiffness, moduli, fitted law.
    Lattice(commands::lattice::LatticeArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Solve(args) => commands::solve::run(args, cli.quiet),
        Command::Info(args) => commands::info::run(args),
        Command::Mesh(args) => commands::mesh::run(args, cli.quiet),
        Command::Study(args) => commands::study::run(args, cli.quiet),
        Command::Ct(args) => commands::ct::run(args, cli.quiet),
        Command::Design(args) => commands::design::run(args, cli.quiet),
        Command::Lattice(args) => commands::lattice::run(args, cli.quiet),
    };
    if let Err(err) = result {
        eprintln!("error: {}", exit::message(&err));
        std::process::exit(exit::code_for(&err));
    }
}
