//! # osteon
//!
//! Finite-element biomechanics with verified small-strain linear elasticity: tibial shafts,
//! porous-tantalum reconstructions, bone and implant materials. Units are mm, N and MPa
//! throughout.
//!
//! This umbrella crate re-exports the building blocks under short names, so one dependency
//! gives the whole pipeline:
//!
//! | module | crate | what it holds |
//! |---|---|---|
//! | [`mesh`] | `osteon-mesh` | nodes, elements, named sets and surfaces; reference elements; box and tube generators |
//! | [`material`] | `osteon-material` | isotropic, transversely isotropic, orthotropic and porous laws; a library of bone and implant materials |
//! | [`assembly`] | `osteon-assembly` | the [`Model`](assembly::Model), DOF map, sparsity pattern, element kernels, parallel assembly, the linear static pipeline |
//! | [`solver`] | `osteon-solver` | sparse Cholesky (faer, METIS or AMD ordering) and Jacobi-preconditioned CG behind one [`LinearSolver`](solver::LinearSolver) trait |
//! | [`io`] | `osteon-io` | Abaqus/CalculiX `.inp` decks, Gmsh `.msh`, VTU/PVD for ParaView, atomic file writes |
//! | [`contact`] | `osteon-contact` | node-to-surface Coulomb contact (penalty + augmented Lagrangian), micromotion |
//! | [`imaging`] | `osteon-imaging` | from the patient's CT to the model: DICOM and NIfTI volumes, segmentation, STL surface, voxel mesh, CT-based material mapping |
//! | [`lattice`] | `osteon-lattice` | porous-lattice unit cells (diamond, octet, gyroid): voxel geometry, porosity, pore size, inverse design, periodic micro-FE homogenisation |
//! | [`biomech`] | `osteon-biomech` | the tibial-defect reconstruction study: parametric tibia, porous-tantalum prosthesis, screws, load cases, comparison with the intact bone |
//!
//! A study reads as *setup → assemble → analyse → factorise → solve → recover*, each phase a
//! public function and each timed. [`assembly::solve_linear_static`] runs them all; drive
//! them yourself with [`assembly::ElasticOperator`], [`assembly::ConstrainedSystem`], a
//! [`solver::LinearSolver`] and [`assembly::solve_case`] when you need to look between the
//! phases. The contact analysis ([`contact::solve_contact`]) builds on the same constrained
//! system and returns the same [`assembly::StepSolution`] per step. Progress of any long run
//! goes to one [`assembly::Observer`]; the libraries run on the rayon pool they are called in
//! and never build one.
//!
//! Three front-end pipelines live here, shared by the command line and the Python package:
//! [`run`] reads a model file and solves every step as `osteon solve` does, [`ct`] turns a
//! CT into a model as `osteon ct` does, and [`is_numerical_failure`] tells a numerical
//! failure (exit status 3, `osteon.NumericalError`) from an input error (exit status 2,
//! `osteon.InputError`).
//!
//! [`prelude`] holds the types almost every program uses. The runnable examples tell the
//! story end to end:
//!
//! ```text
//! cargo run --release --example cantilever        # first program: a clamped beam vs beam theory
//! cargo run --release --example tube_benchmark    # the tibia-like tube benchmark, phase by phase
//! cargo run --release --example tibia_load_cases  # the tibial study at 50 % and 100 % body weight
//! cargo run --release --example porosity_sweep    # implant modulus × defect length trade-off
//! cargo run --release --example mesh_convergence  # the study's metrics under mesh refinement
//! ```
//!
//! ## A complete program
//!
//! A 10 × 1 × 1 mm steel bar, held at x = 0, pulled with 100 N at x = 10:
//!
//! ```
//! use osteon::prelude::*;
//!
//! let mesh = box_mesh(&BoxSpec { origin: [0.0; 3], size: [10.0, 1.0, 1.0], cells: [4, 1, 1], element: ElementType::Hex8 })?;
//! let mut model = Model::new(mesh);
//! let steel = model.add_material(Material::new("steel", IsotropicElastic::new(200_000.0, 0.3)?.into()));
//! model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), steel);
//! // x = 0 held axially; one corner fully and one more node in y stop the rigid-body modes
//! let xmin = model.mesh.node_set("XMIN")?.to_vec();
//! model.fix(&xmin, &[0]);
//! let origin = model.mesh.nodes_where(|x| x == [0.0, 0.0, 0.0]);
//! let y_hold = model.mesh.nodes_where(|x| x == [0.0, 0.0, 1.0]);
//! model.fix(&origin, &[1, 2]);
//! model.fix(&y_hold, &[1]);
//! let xmax = model.mesh.node_set("XMAX")?.to_vec();
//! let mut pull = LoadCase::new("pull");
//! for &node in &xmax {
//!     pull.nodal_loads.push(NodalLoad { node, component: 0, value: 100.0 / xmax.len() as f64 });
//! }
//! model.load_cases.push(pull);
//!
//! let solution = solve_linear_static(&model, &SolveOptions { threads: 1, ..SolveOptions::default() })?;
//! let elongation = solution.cases[0].displacement[xmax[0]][0]; // mm
//! assert!((elongation - 100.0 * 10.0 / 200_000.0).abs() < 1e-12); // F L / (E A)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

//!
//! ## A porous-tantalum block under pressure
//!
//! A 10 mm cube of 72 %-porous tantalum (Gibson–Ashby modulus, see
//! [`material::PorousTantalum`]) stands on rollers on its base and carries 5 MPa on its top
//! face; the shortening is σ L / E, the lateral strain −ν σ / E:
//!
//! ```
//! use osteon::prelude::*;
//!
//! let mesh = box_mesh(&BoxSpec { origin: [0.0; 3], size: [10.0; 3], cells: [2, 2, 2], element: ElementType::Hex20 })?;
//! let mut model = Model::new(mesh);
//! let tantalum = PorousTantalum::from_porosity(0.72)?; // E = 186 000 · 0.28² = 14 582 MPa
//! let implant = model.add_material(tantalum.to_material("porous Ta"));
//! model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), implant);
//! // rollers: the base held in z, the faces x = 0 and y = 0 in x and y (symmetry planes)
//! let base = model.mesh.node_set("ZMIN")?.to_vec();
//! let x0 = model.mesh.node_set("XMIN")?.to_vec();
//! let y0 = model.mesh.node_set("YMIN")?.to_vec();
//! model.fix(&base, &[2]);
//! model.fix(&x0, &[0]);
//! model.fix(&y0, &[1]);
//! let mut press = LoadCase::new("5 MPa on top");
//! for &face in model.mesh.surface_faces("ZMAX")? {
//!     press.pressures.push(PressureLoad { face, pressure: 5.0 });
//! }
//! model.load_cases.push(press);
//!
//! let solution = solve_linear_static(&model, &SolveOptions { threads: 1, ..SolveOptions::default() })?;
//! let top_corner = model.mesh.nodes_where(|x| x == [10.0, 10.0, 10.0])[0];
//! let u = solution.cases[0].displacement[top_corner]; // mm
//! let e = tantalum.modulus();
//! assert!((u[2] + 5.0 * 10.0 / e).abs() < 1e-10); // σ L / E
//! assert!((u[0] - tantalum.nu * 5.0 * 10.0 / e).abs() < 1e-10); // ν σ L / E
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use osteon_assembly as assembly;
pub use osteon_biomech as biomech;
pub use osteon_contact as contact;
pub use osteon_imaging as imaging;
pub use osteon_io as io;
pub use osteon_lattice as lattice;
pub use osteon_material as material;
pub use osteon_mesh as mesh;
pub use osteon_solver as solver;

pub mod ct;
mod failure;
pub mod run;

pub use failure::is_numerical_failure;

/// The types most programs use: `use osteon::prelude::*;`.
pub mod prelude {
    pub use osteon_assembly::{
        AssemblyError, ConsoleLog, ConstrainedSystem, ContactPair, DirichletBc, ElasticOperator,
        Gravity, LoadCase, Model, NodalLoad, PhaseTimings, PressureLoad, Silent, SolveOptions,
        SolverChoice, StaticSolution, StepSolution, TractionLoad, solve_case, solve_linear_static,
    };
    pub use osteon_biomech::{OutputOptions, Study, run_study, write_study_outputs};
    pub use osteon_contact::{ContactOptions, ContactProblem, solve_contact};
    pub use osteon_io::gmsh::{read_msh_model, read_toml_model};
    pub use osteon_io::inp::read_inp;
    pub use osteon_material::{
        Elastic, IsotropicElastic, Material, MaterialError, PorousTantalum,
        TransverselyIsotropicElastic, library,
    };
    pub use osteon_mesh::generate::{BoxSpec, TubeSpec, box_mesh, tube_mesh};
    pub use osteon_mesh::{ElementType, FaceRef, Mesh, MeshError, Surface};
    pub use osteon_solver::{
        CgOptions, CholeskyOptions, CholeskySolver, ConjugateGradient, LinearSolver, Ordering,
        SolverError,
    };
}
