//! `osteon info`: what a model contains and what a direct solve of it will need.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use osteon_assembly::{ConstrainedSystem, ElasticOperator, Model};
use osteon_io::InputFormat;
use osteon_material::Elastic;
use osteon_mesh::Mesh;
use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver, Ordering};

use super::input;

/// Describe a model without solving it.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Deck (.inp), Gmsh mesh (.msh with --model) or model TOML.
    pub input: PathBuf,
    /// TOML model description for a .msh input.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Skip the symbolic factorisation that measures the memory of a direct solve.
    #[arg(long)]
    pub no_estimate: bool,
}

/// Run `osteon info`.
pub fn run(args: &InfoArgs) -> Result<()> {
    let is_msh = matches!(InputFormat::from_path(&args.input), Ok(InputFormat::Msh));
    if is_msh && args.model.is_none() {
        return describe_bare_msh(&args.input);
    }
    let input = input::read(&args.input, args.model.as_ref())?;
    let model = &input.model;
    println!("{}", args.input.display());
    describe_mesh(&model.mesh);
    describe_model(model);
    for w in &input.warnings {
        println!("  {w}");
    }
    if !args.no_estimate {
        describe_direct_solve(model)?;
    }
    Ok(())
}

/// A Gmsh mesh without its model description: the mesh and its physical groups, and how
/// to make it a model.
fn describe_bare_msh(path: &Path) -> Result<()> {
    let msh = osteon_io::gmsh::read_msh(path)?;
    println!("{} (Gmsh {:?}, mesh only)", path.display(), msh.format);
    describe_mesh(&msh.mesh);
    println!("  physical groups");
    for g in &msh.groups {
        println!(
            "    {:<20} {}-D, tag {}, {} elements",
            g.name, g.dim, g.tag, g.n_elements
        );
    }
    for w in &msh.warnings {
        println!("  {}: warning: {w}", path.display());
    }
    println!(
        "  no model description: materials, supports and steps come from a TOML file \
         (osteon info {0} --model MODEL.toml; README, \"The command line\")",
        path.display()
    );
    Ok(())
}

/// Counts, size and named sets of a mesh.
fn describe_mesh(mesh: &Mesh) {
    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    for b in &mesh.blocks {
        *per_type.entry(b.etype.abaqus_name()).or_default() += b.len();
    }
    let types: Vec<String> = per_type.iter().map(|(t, n)| format!("{n} {t}")).collect();
    println!("  nodes        {}", mesh.n_nodes());
    println!(
        "  elements     {} ({})",
        mesh.n_elements(),
        types.join(", ")
    );
    let (lo, hi) = mesh.bounding_box();
    println!(
        "  bounding box ({:.3}, {:.3}, {:.3}) – ({:.3}, {:.3}, {:.3}) mm",
        lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]
    );
    println!("  volume       {:.6e} mm³", mesh.volume());
    println!(
        "  node sets    {}",
        list(
            mesh.node_sets
                .iter()
                .map(|(k, v)| format!("{k} ({})", v.len()))
        )
    );
    println!(
        "  element sets {}",
        list(
            mesh.element_sets
                .iter()
                .map(|(k, v)| format!("{k} ({})", v.len()))
        )
    );
    println!("  surfaces     {}", list(mesh.surfaces.keys().cloned()));
}

/// Materials, sections, constraints and steps of a model.
fn describe_model(model: &Model) {
    println!("  materials");
    for m in &model.materials {
        let law = match &m.elastic {
            Elastic::Isotropic(i) => format!("isotropic E = {} MPa, ν = {}", i.e, i.nu),
            other => other.describe(),
        };
        let rho = m
            .density
            .map(|r| format!(", ρ = {r:e} t/mm³"))
            .unwrap_or_default();
        println!("    {:<20} {law}{rho}", m.name);
    }
    println!("  sections");
    for s in &model.sections {
        let mat = model
            .materials
            .get(s.material)
            .map_or("?", |m| m.name.as_str());
        println!("    {:<20} {} elements → {mat}", s.name, s.elements.len());
    }
    println!(
        "  constraints  {} prescribed DOFs, {} equations",
        model.boundary.len(),
        model.equations.len()
    );
    println!("  steps");
    for c in &model.load_cases {
        println!(
            "    {:<20} {} concentrated loads, {} face pressures, {} body loads, {} extra prescribed DOFs",
            c.name,
            c.nodal_loads.len(),
            c.pressures.len(),
            c.gravity.len(),
            c.boundary.len()
        );
    }
}

/// The size and memory of a direct solve: symbolic factorisation with the solver's ordering.
fn describe_direct_solve(model: &Model) -> Result<()> {
    let boundary = match model.load_cases.first() {
        Some(case) => model.boundary_of(case),
        None => model.boundary.clone(),
    };
    let op = ElasticOperator::new(model)?;
    let system = ConstrainedSystem::setup(&op, &boundary)?;
    let mut solver = CholeskySolver::new(CholeskyOptions {
        ordering: Ordering::NestedDissection,
        threads: 1,
    });
    solver.analyse(system.matrix(), Some(system.dofs().groups()))?;
    let s = solver.factor_stats();
    let matrix_bytes = system.matrix().nnz_stored() * 16 + system.matrix().n() * 8;
    println!("  direct solve (METIS nested dissection + supernodal Cholesky)");
    println!("    free DOFs            {}", system.dofs().n_free());
    println!(
        "    stored entries of K  {} (upper triangle)",
        system.matrix().nnz_stored()
    );
    println!("    nonzeros of L        {}", s.nnz_l);
    println!("    factor flops         {:.3e}", s.flops);
    println!(
        "    memory estimate      {:.2} GiB (factor {:.2} GiB + matrix {:.2} GiB)",
        gib(s.l_bytes + matrix_bytes),
        gib(s.l_bytes),
        gib(matrix_bytes)
    );
    Ok(())
}

fn gib(bytes: usize) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

fn list(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}
