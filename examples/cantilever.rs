//! # Your first osteon program: a clamped cantilever against beam theory
//!
//! A steel bar, 100 mm long with a 10 × 10 mm square section, is clamped at x = 0 and
//! carries a 500 N shear force at its free end x = 100, pointing down (−z). We compute its
//! deflection with quadratic hexahedra (Hex20) on three meshes, each twice as fine as the
//! one before, and compare the tip deflection with Timoshenko beam theory. Then we check
//! that the wall holds the beam: the reactions must balance the applied force and moment.
//!
//! ```text
//!        z
//!        ↑       10 × 10 mm section, E = 200 000 MPa, ν = 0.3
//!   ///|‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾|
//!   ///|                                          |  ↓ P = 500 N, as a uniform shear
//!   ///|__________________________________________|     traction on the end face
//!   ///  x = 0                              x = L = 100 mm  → x
//! ```
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example cantilever
//! ```
//!
//! It runs in about a second and a half and prints:
//!
//! ```text
//! beam theory: bending P L³/(3 E I) = 1.0000 mm, shear P L/(κ G A) = 0.0077 mm (κ = 0.850)
//!              Timoshenko tip deflection δ = 1.0076 mm
//!
//! cells        elements     DOF   tip deflection (mm)   vs Euler–Bernoulli   vs Timoshenko
//! 10 × 2 × 2         40     900                0.9926               -0.74 %         -1.50 %
//! 20 × 4 × 4        320    5400                0.9982               -0.18 %         -0.93 %
//! 40 × 8 × 8       2560   36720                1.0000               +0.00 %         -0.76 %
//! ```
//!
//! followed by the reactions at the wall of the finest mesh. The FE deflection converges
//! to within 1 % of Timoshenko's δ, a little *below* it: the clamp holds every node of
//! x = 0 fixed, which also stops the cross-section from contracting (Poisson) and warping
//! there, so the FE beam is slightly stiffer than the beam of the theory. The reactions
//! balance the 500 N and the 50 000 N·mm wall moment to round-off.
//!
//! ## The steps
//!
//! 1. mesh — a structured box of Hex20 with named node sets and surfaces;
//! 2. material — an isotropic elastic law, assigned to all elements by a section;
//! 3. boundary conditions — every displacement component of the x = 0 nodes is zero;
//! 4. loads — a uniform shear traction on the end face, so the force sums to P;
//! 5. solve — `solve_linear_static` runs setup, assembly, factorisation and solve;
//! 6. compare — the tip deflection against beam theory, the reactions against the loads.

use osteon::prelude::*;

// The problem data. osteon works in mm, N and MPa (= N/mm²) throughout.
const LENGTH: f64 = 100.0; // mm, along x
const WIDTH: f64 = 10.0; // mm, along y
const HEIGHT: f64 = 10.0; // mm, along z (the bending direction)
const YOUNG: f64 = 200_000.0; // MPa, steel
const POISSON: f64 = 0.3;
const FORCE: f64 = 500.0; // N, at the free end, along −z
const AREA: f64 = WIDTH * HEIGHT; // mm², of the cross-section

/// The finite-element answer for one mesh.
struct CantileverRun {
    cells: [usize; 3],
    elements: usize,
    dofs: usize,
    /// Vertical deflection of the centre of the end face (mm, positive down).
    tip_deflection: f64,
    solution: StaticSolution,
    model: Model,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Beam theory first, so we know what to expect.
    //
    // Euler–Bernoulli: a cantilever with an end force P deflects δ_b = P L³ / (3 E I),
    // I = b h³ / 12 the second moment of area of the section.
    // Timoshenko adds the shear deformation δ_s = P L / (κ G A), with G = E / (2 (1 + ν)) the
    // shear modulus, A = b h the area and κ the shear coefficient; for a rectangle
    // κ = 10 (1 + ν) / (12 + 11 ν) (Cowper 1966).
    let inertia = WIDTH * HEIGHT.powi(3) / 12.0; // mm⁴
    let shear_modulus = YOUNG / (2.0 * (1.0 + POISSON)); // MPa
    let kappa = 10.0 * (1.0 + POISSON) / (12.0 + 11.0 * POISSON);
    let bending = FORCE * LENGTH.powi(3) / (3.0 * YOUNG * inertia);
    let shear = FORCE * LENGTH / (kappa * shear_modulus * AREA);
    let timoshenko = bending + shear;
    println!(
        "beam theory: bending P L³/(3 E I) = {bending:.4} mm, shear P L/(κ G A) = {shear:.4} mm (κ = {kappa:.3})"
    );
    println!("             Timoshenko tip deflection δ = {timoshenko:.4} mm");
    println!();

    // Solve on three meshes, each with twice as many cells in every direction as the last.
    println!(
        "cells        elements     DOF   tip deflection (mm)   vs Euler–Bernoulli   vs Timoshenko"
    );
    let mut finest = None;
    for cells in [[10, 2, 2], [20, 4, 4], [40, 8, 8]] {
        let result = solve_cantilever(cells)?;
        let rel = |theory: f64| 100.0 * (result.tip_deflection - theory) / theory;
        println!(
            "{:<12} {:>8} {:>7}   {:>19.4}   {:>+17.2} %   {:>+11.2} %",
            format!("{} × {} × {}", cells[0], cells[1], cells[2]),
            result.elements,
            result.dofs,
            result.tip_deflection,
            rel(bending),
            rel(timoshenko)
        );
        finest = Some(result);
    }
    let Some(result) = finest else { return Ok(()) };
    println!();
    check_equilibrium(&result)?;
    Ok(())
}

/// Build the model on a `cells` mesh, solve it, and read the tip deflection.
fn solve_cantilever(cells: [usize; 3]) -> Result<CantileverRun, Box<dyn std::error::Error>> {
    // Step 1: the mesh. `box_mesh` cuts the box into `cells` hexahedra. Hex20 are the
    // quadratic "serendipity" bricks (Abaqus C3D20): their displacement varies quadratically
    // along each edge, so they bend well even with one element through the thickness.
    // The generator names what we need below: node sets and element-face surfaces XMIN,
    // XMAX, YMIN, ... on the six sides, and the element set ALL.
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0, 0.0, 0.0],
        size: [LENGTH, WIDTH, HEIGHT],
        cells,
        element: ElementType::Hex20,
    })?;
    let mut model = Model::new(mesh);

    // Step 2: the material. An isotropic linear elastic law needs Young's modulus (MPa) and
    // Poisson's ratio; `new` checks that they give a positive definite stiffness. A section
    // assigns the material to a set of elements, like Abaqus' *SOLID SECTION. (For a bone
    // beam, use `library::cortical_bone()` instead: E = 17 000 MPa, ν = 0.3.)
    let steel = model.add_material(Material::new(
        "steel",
        IsotropicElastic::new(YOUNG, POISSON)?.into(),
    ));
    let all = model.mesh.element_set("ALL")?.to_vec();
    model.add_section("ALL", all, steel);

    // Step 3: the boundary conditions. "Clamped" means all three displacement components of
    // every node on the face x = 0 are zero. `fix` adds one prescribed zero per node and
    // component to `model.boundary`, which holds for every load case.
    let wall = model.mesh.node_set("XMIN")?.to_vec();
    model.fix(&wall, &[0, 1, 2]);

    // Step 4: the load. Rather than putting point forces on a few nodes, we apply a uniform
    // shear traction t = P / A (N/mm², i.e. MPa) in −z on every element face of the end
    // surface XMAX. osteon integrates it with the face shape functions into consistent
    // nodal forces, which add up to exactly P.
    let mut case = LoadCase::new("tip shear");
    for &face in model.mesh.surface_faces("XMAX")? {
        case.tractions.push(TractionLoad {
            face,
            traction: [0.0, 0.0, -FORCE / AREA],
        });
    }
    model.load_cases.push(case);

    // Step 5: solve. `solve_linear_static` numbers the unknowns, builds the sparsity pattern,
    // assembles the stiffness matrix K, factorises it (sparse Cholesky, K = L Lᵀ), solves
    // K u = f for every load case and computes the reactions at the fixed nodes. We skip the
    // stress recovery here (`recover: false`): we only need displacements and reactions.
    // The default options use every core and sparse Cholesky with a nested-dissection ordering.
    let options = SolveOptions {
        recover: false,
        ..SolveOptions::default()
    };
    let solution = solve_linear_static(&model, &options)?;

    // Step 6a: read the answer. The node at the centre of the end face, (L, b/2, h/2), lies
    // on the neutral axis; its vertical displacement is the beam's tip deflection.
    let centre = model.mesh.nodes_where(|x| {
        (x[0] - LENGTH).abs() < 1e-9
            && (x[1] - WIDTH / 2.0).abs() < 1e-9
            && (x[2] - HEIGHT / 2.0).abs() < 1e-9
    });
    let &[tip] = centre.as_slice() else {
        return Err(format!(
            "expected one node at the centre of the end face, found {}",
            centre.len()
        )
        .into());
    };
    let tip_deflection = -solution.cases[0].displacement[tip][2];
    Ok(CantileverRun {
        cells,
        elements: model.mesh.n_elements(),
        dofs: solution.stats.n_free,
        tip_deflection,
        solution,
        model,
    })
}

/// Step 6b: the wall must hold the beam. The reactions at x = 0 must cancel the applied
/// force, and their moment about the wall's centre line must cancel the moment P L of the
/// tip force.
fn check_equilibrium(result: &CantileverRun) -> Result<(), Box<dyn std::error::Error>> {
    let case = &result.solution.cases[0];
    let wall = result.model.mesh.node_set("XMIN")?;
    let applied = case.applied_total;
    let reaction = case.reaction_sum(wall);
    // Moment about the y axis through the section centre (0, b/2, h/2): M_y = Σ (z − h/2) R_x − x R_z.
    let coords = &result.model.mesh.coords;
    let wall_moment: f64 = wall
        .iter()
        .map(|&n| {
            (coords[n][2] - HEIGHT / 2.0) * case.reaction[n][0] - coords[n][0] * case.reaction[n][2]
        })
        .sum();
    let load_moment = -LENGTH * applied[2]; // the tip force −P at x = L: M_y = −x F_z = P L
    let [cx, cy, cz] = result.cells;
    println!(
        "equilibrium on the {cx} × {cy} × {cz} mesh ({} reaction nodes):",
        wall.len()
    );
    println!("                          x (N)         y (N)         z (N)");
    println!(
        "  applied force     {:>12.6}  {:>12.6}  {:>12.6}",
        applied[0], applied[1], applied[2]
    );
    println!(
        "  wall reaction     {:>12.6}  {:>12.6}  {:>12.6}",
        reaction[0], reaction[1], reaction[2]
    );
    println!(
        "  sum               {:>12.2e}  {:>12.2e}  {:>12.2e}",
        applied[0] + reaction[0],
        applied[1] + reaction[1],
        applied[2] + reaction[2]
    );
    println!(
        "  moment about y at the wall: load P L = {load_moment:.3} N·mm, reactions {wall_moment:.3} N·mm, sum {:.2e} N·mm",
        load_moment + wall_moment
    );
    println!(
        "  solver: relative residual {:.1e}, {} free DOF, max |u| = {:.4} mm",
        case.diagnostics.relative_residual,
        result.dofs,
        case.max_displacement()
    );
    Ok(())
}
