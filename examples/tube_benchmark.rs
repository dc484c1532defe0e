//! # The tibia-like tube benchmark, phase by phase
//!
//! osteon's standard performance problem (`docs/benchmark.md`): a hollow cortical
//! bone shaft, outer radius 13 mm, inner radius 7 mm, 300 mm long along z, E = 17 000 MPa,
//! ν = 0.3, quadratic tetrahedra (Tet10, mid-edge nodes on the circles). The end z = 0 is
//! clamped; the end z = 300 carries −700 N axially and +50 N laterally (along x), each split
//! equally over the nodes of that face (`*CLOAD` on a node set, as in the reference deck).
//!
//! ```text
//!            z = 0 clamped                                   z = 300: 50 N → x, 700 N → −z
//!   ///|==============================================================|  →
//!   ///|        R_out 13 mm, R_in 7 mm, L 300 mm, Tet10               |  ↓
//!   ///|==============================================================|
//! ```
//!
//! The program builds the mesh, solves the one load case with every phase timed and its
//! memory measured, and prints a report: phase times (s), system size, size of the Cholesky
//! factor, peak memory, the tip deflection against beam theory, and the equilibrium check.
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example tube_benchmark                                  # s150k, 2 threads, Cholesky + METIS
//! cargo run --release --example tube_benchmark -- --size s30k --threads 1
//! cargo run --release --example tube_benchmark -- --size s600k --solver cholesky-amd
//! cargo run --release --example tube_benchmark -- --cells 2x28x90 --solver cg
//! ```
//!
//! Options:
//!
//! * `--size s30k|s150k|s600k|s1500k`: the size ladder of the benchmark README; the structured
//!   tube (cells through the wall × around × along) is chosen to land near the README's free
//!   DOF counts (36 480, 151 200, 641 520, 1 419 264 free DOF here);
//! * `--cells R,A,Z` (or `RxAxZ`): any other tube; free DOF = 3 (2R+1)(2A)(2Z) for Tet10;
//! * `--threads N`: threads for every phase (default 2, the benchmark machine's cores);
//! * `--solver cholesky|cholesky-all-nodes|cholesky-amd|cg`: sparse Cholesky with METIS
//!   nested dissection of the corner nodes (default) or of all nodes, or AMD ordering, or Jacobi-preconditioned CG to a relative residual of 1e-8;
//! * `--faer-kernel`: factorise with faer's supernodal kernel (supernode after supernode,
//!   threads inside each) instead of osteon's, which factorises independent subtrees of the
//!   elimination tree in parallel;
//! * `--no-recover`: skip the strain/stress recovery phase;
//! * `--json FILE`: also write the phase times, memory and factor size as JSON (what
//!   `examples/scaling.rs` collects);
//! * `--profile`: after the report, take the slow phases apart (step 11): setup into DOF map,
//!   rigid-body check and pattern; assembly into element kernels and scatter; analyse into
//!   graph, METIS and symbolic; a second numeric factorisation (factor storage reused) and
//!   one on a single thread.
//!
//! ## What it prints
//!
//! `--size s150k --threads 2`, on two cores of a Xeon (AVX-512) virtual machine; times vary
//! by 20–70 % from run to run on this virtual machine, memory and results do not:
//!
//! ```text
//! tube Tet10 2 × 28 × 90 cells (s150k): 30240 elements, 50680 nodes, 151200 free DOF, 2 threads
//!
//! phase                         time (s)     RSS (GiB)   VmHWM (GiB)
//! mesh + model                     0.017         0.011         0.014
//! setup                            0.111         0.070         0.101
//! assemble                         0.187         0.114         0.114
//! analyse                          0.421         0.135         0.185
//! factorise                        1.857         0.809         0.895
//! solve                            0.135         0.811         0.895
//! recover                          0.040         0.839         0.895
//! analyse + factorise + solve      2.413
//! total (setup .. recover)         2.752
//!
//! free DOF                    151200
//! nnz(K), upper triangle      5787936
//! nnz(K), full symmetric      11424672  (11.4 M)
//! element colours             27
//! ordering                    NestedDissection (0.100 s ordering, 0.310 s symbolic)
//! supernodes                  3176 (widest 1680 columns)
//! nnz(L)                      76737726  (76.7 M, 13.3 × nnz(K) upper)
//! factor values               0.659 GiB (707179968 bytes)
//! factor flops                7.60e10  (40.9 GFLOP/s in the numeric phase)
//! parallel subtrees           3 (98 % of the flops; the rest supernode by supernode)
//! factorisation scratch       0.100 GiB
//! factorisation peak          0.760 GiB above the 0.135 GiB resident before it = 1.15 × the factor (target ≤ 1.2 ×)
//! process peak (VmHWM)        0.895 GiB = 1.36 × the factor (since the reset before factorising)
//! resident now (VmRSS)        0.839 GiB
//! reduced-system residual     1.33e-10 (‖b − A x‖/‖b‖, 0 iterations)
//!
//! ...
//! finite elements
//!   mean tip u_x             1.2917 mm  (+0.26 % vs Euler–Bernoulli, -0.52 % vs Timoshenko)
//!   mean tip u_z             -0.0328 mm  (+0.08 % vs −N L/(E A))
//!   max |u|                  1.2973 mm  (+0.67 % vs Euler–Bernoulli + axial, -0.11 % vs Timoshenko + axial)
//! equilibrium (N)                    x            y            z
//!   applied loads             50.000000     0.000000  -700.000000
//!   reactions at z = 0       -50.000000    -0.000000   700.000000
//!   sum                        -1.46e-9    -2.03e-10      1.52e-9
//! strain energy               43.7705 N·mm (½ f·u = 43.7705 N·mm)
//! ```
//!
//! The peak resident memory is read from `VmHWM` in `/proc/self/status`; the program resets
//! it just before the numeric factorisation (`/proc/self/clear_refs`), so the factorisation
//! peak is measured on its own. The FE tip deflection lies between the Euler–Bernoulli value
//! P L³/(3 E I) = 1.288 mm and the Timoshenko value that adds shear (the reference CalculiX
//! run of the README gives max |u| ≈ 1.2975 mm on its gmsh mesh), and the reactions balance
//! the applied 700 N and 50 N to round-off.
//!
//! The phases are the ones [`osteon::assembly::solve_linear_static`] runs in one call; the
//! program drives them one by one so it can read the memory in between.

use std::f64::consts::PI;
use std::time::Instant;

use osteon::prelude::*;
use osteon::solver::memory::{peak_resident_bytes, reset_peak, resident_bytes};

/// Geometry and material of the benchmark (mm, MPa, N).
const R_OUT: f64 = 13.0;
const R_IN: f64 = 7.0;
const LENGTH: f64 = 300.0;
const E: f64 = 17_000.0;
const NU: f64 = 0.3;
const AXIAL_FORCE: f64 = -700.0;
const LATERAL_FORCE: f64 = 50.0;

/// Which linear solver to use.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SolverArg {
    Cholesky(Ordering),
    Cg,
}

/// Command-line options.
struct Args {
    cells: [usize; 3],
    label: String,
    threads: usize,
    solver: SolverArg,
    recover: bool,
    profile: bool,
    faer_kernel: bool,
    json: Option<std::path::PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        cells: [2, 28, 90],
        label: "s150k".into(),
        threads: 2,
        solver: SolverArg::Cholesky(Ordering::NestedDissection),
        recover: true,
        profile: false,
        faer_kernel: false,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--size" => {
                let size = value()?;
                args.cells = match size.as_str() {
                    "s30k" => [2, 16, 38],
                    "s150k" => [2, 28, 90],
                    "s600k" => [4, 36, 165],
                    "s1500k" => [5, 48, 224],
                    other => {
                        return Err(format!(
                            "unknown size '{other}' (s30k, s150k, s600k, s1500k)"
                        ));
                    }
                };
                args.label = size;
            }
            "--cells" => {
                let v = value()?;
                let parts: Vec<usize> = v
                    .split([',', 'x'])
                    .map(|p| p.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--cells {v}: {e}"))?;
                let [r, a, z] = parts[..] else {
                    return Err(format!("--cells {v}: expected three counts R,A,Z"));
                };
                args.cells = [r, a, z];
                args.label = format!("cells {r}x{a}x{z}");
            }
            "--threads" => {
                let v = value()?;
                args.threads = v.parse().map_err(|e| format!("--threads {v}: {e}"))?;
                if args.threads == 0 {
                    return Err("--threads must be at least 1".into());
                }
            }
            "--solver" => {
                args.solver = match value()?.as_str() {
                    "cholesky" => SolverArg::Cholesky(Ordering::NestedDissection),
                    "cholesky-all-nodes" => SolverArg::Cholesky(Ordering::NestedDissectionAllNodes),
                    "cholesky-amd" => SolverArg::Cholesky(Ordering::Amd),
                    "cg" => SolverArg::Cg,
                    other => {
                        return Err(format!(
                            "unknown solver '{other}' (cholesky, cholesky-all-nodes, cholesky-amd, cg)"
                        ));
                    }
                };
            }
            "--no-recover" => args.recover = false,
            "--faer-kernel" => args.faer_kernel = true,
            "--json" => args.json = Some(value()?.into()),
            "--profile" => args.profile = true,
            "-h" | "--help" => {
                return Err("usage: tube_benchmark [--size s30k|s150k|s600k|s1500k | --cells R,A,Z] [--threads N] [--solver cholesky|cholesky-all-nodes|cholesky-amd|cg] [--faer-kernel] [--no-recover] [--profile] [--json FILE]".into());
            }
            other => return Err(format!("unknown argument '{other}' (try --help)")),
        }
    }
    Ok(args)
}

/// Resident memory of this process (`osteon::solver::memory`): (VmRSS, VmHWM) in bytes;
/// zeros where the OS does not tell (not Linux).
fn memory() -> (f64, f64) {
    let bytes = |b: Option<u64>| b.map_or(0.0, |b| b as f64);
    (bytes(resident_bytes()), bytes(peak_resident_bytes()))
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A phase's time and the memory at its end.
struct Phase {
    name: &'static str,
    seconds: f64,
    rss: f64,
    peak: f64,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("tube_benchmark: {e}");
        std::process::exit(1);
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    let [cr, ca, cz] = args.cells;

    // Every phase runs inside one pool of `--threads` threads: assembly and recovery use the
    // pool they run in, the solvers are given the same count explicitly.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()?;
    pool.install(|| solve_tube(&args, cr, ca, cz))
}

fn solve_tube(args: &Args, cr: usize, ca: usize, cz: usize) -> Result<(), BoxError> {
    let mut phases: Vec<Phase> = Vec::new();
    let mut record = |name, seconds| {
        let (rss, peak) = memory();
        phases.push(Phase {
            name,
            seconds,
            rss,
            peak,
        });
    };

    // 1. The mesh: a structured tube of Tet10, six tetrahedra per cell, mid-edge nodes on the
    //    exact circles. Node sets Z0 and Z1 are the two end faces.
    let t = Instant::now();
    let mesh = tube_mesh(&TubeSpec {
        inner_radius: R_IN,
        outer_radius: R_OUT,
        length: LENGTH,
        cells_radial: cr,
        cells_around: ca,
        cells_axial: cz,
        element: ElementType::Tet10,
    })?;

    // 2. The model: cortical bone everywhere, z = 0 clamped, the tip load split equally over
    //    the nodes of z = 300 (corner and mid-edge nodes alike, as the reference deck does).
    let mut model = Model::new(mesh);
    let bone = model.add_material(Material::new(
        "cortical_bone",
        IsotropicElastic::new(E, NU)?.into(),
    ));
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), bone);
    let clamped = model.mesh.node_set("Z0")?.to_vec();
    model.fix(&clamped, &[0, 1, 2]);
    let tip = model.mesh.node_set("Z1")?.to_vec();
    let mut case = LoadCase::new("axial + lateral");
    let share = 1.0 / tip.len() as f64;
    for &node in &tip {
        case.nodal_loads.push(NodalLoad {
            node,
            component: 0,
            value: LATERAL_FORCE * share,
        });
        case.nodal_loads.push(NodalLoad {
            node,
            component: 2,
            value: AXIAL_FORCE * share,
        });
    }
    model.load_cases.push(case);
    record("mesh + model", t.elapsed().as_secs_f64());

    // 3. Setup: DOF map (free / prescribed), rigid-body check, sparsity pattern of the reduced
    //    stiffness and the element colouring for lock-free parallel assembly.
    let t = Instant::now();
    let op = ElasticOperator::new(&model)?;
    let mut system = ConstrainedSystem::setup(&op, &model.boundary)?;
    record("setup", t.elapsed().as_secs_f64());
    println!(
        "tube Tet10 {cr} × {ca} × {cz} cells ({}): {} elements, {} nodes, {} free DOF, {} threads",
        args.label,
        model.mesh.n_elements(),
        model.mesh.n_nodes(),
        system.dofs().n_free(),
        args.threads
    );

    // 4. Assembly: element stiffness matrices scattered into the fixed pattern, one colour of
    //    elements after another.
    let t = Instant::now();
    system.assemble(&op)?;
    record("assemble", t.elapsed().as_secs_f64());

    // 5. The solver: analyse (ordering + symbolic factorisation, pattern only) and factorise
    //    (numeric values). For CG these build the Jacobi preconditioner and cost nothing.
    let mut cholesky = None;
    let mut cg = None;
    let solver: &mut dyn LinearSolver = match args.solver {
        SolverArg::Cholesky(ordering) => cholesky.insert(
            CholeskySolver::new(CholeskyOptions {
                ordering,
                threads: args.threads,
            })
            .with_parallel_subtrees(!args.faer_kernel),
        ),
        SolverArg::Cg => cg.insert(ConjugateGradient::new(CgOptions {
            rel_tol: 1e-8,
            max_iter: 100_000,
            threads: args.threads,
        })),
    };
    let t = Instant::now();
    solver
        .analyse(system.matrix(), Some(system.dofs().groups()))
        .map_err(|e| system.explain(&op, e))?;
    record("analyse", t.elapsed().as_secs_f64());

    // The factorisation's own peak: reset VmHWM to the current resident size first.
    let before_factor = memory().0;
    let peak_reset = reset_peak().is_ok();
    let t = Instant::now();
    solver
        .factorise(system.matrix())
        .map_err(|e| system.explain(&op, e))?;
    record("factorise", t.elapsed().as_secs_f64());
    let factor_peak = memory().1;

    // 6. Solve the load case: load vector, triangular solves (or CG iterations), expansion to
    //    all nodes, reactions R = K u − f at the clamped DOFs.
    let boundary = model.boundary.clone();
    let t = Instant::now();
    let (mut solution, u_raw) = solve_case(&op, &system, solver, &model.load_cases[0], &boundary)?;
    record("solve", t.elapsed().as_secs_f64());

    // 7. Recovery: strain and stress at the integration points, averaged at the nodes.
    if args.recover {
        let t = Instant::now();
        solution.fields = op.recover(&u_raw)?;
        record("recover", t.elapsed().as_secs_f64());
    }

    // 8. The report. Phase times first.
    println!();
    println!(
        "{:<28}{:>10}{:>14}{:>14}",
        "phase", "time (s)", "RSS (GiB)", "VmHWM (GiB)"
    );
    for p in &phases {
        println!(
            "{:<28}{:>10.3}{:>14.3}{:>14.3}",
            p.name,
            p.seconds,
            p.rss / GIB,
            p.peak / GIB
        );
    }
    let solver_total: f64 = phases
        .iter()
        .filter(|p| matches!(p.name, "analyse" | "factorise" | "solve"))
        .map(|p| p.seconds)
        .sum();
    let total: f64 = phases
        .iter()
        .filter(|p| p.name != "mesh + model")
        .map(|p| p.seconds)
        .sum();
    println!(
        "{:<28}{:>10.3}",
        "analyse + factorise + solve", solver_total
    );
    println!("{:<28}{:>10.3}", "total (setup .. recover)", total);

    // Sizes: the matrix and, for Cholesky, the factor.
    let n = system.dofs().n_free();
    let nnz_upper = system.matrix().nnz_stored();
    println!();
    println!("free DOF                    {n}");
    println!("nnz(K), upper triangle      {nnz_upper}");
    println!(
        "nnz(K), full symmetric      {}  ({:.1} M)",
        2 * nnz_upper - n,
        (2 * nnz_upper - n) as f64 * 1e-6
    );
    println!(
        "element colours             {}",
        system.pattern().colors().len()
    );
    let (rss_now, peak_now) = memory();
    if let Some(chol) = &cholesky {
        let s = chol.factor_stats();
        println!(
            "ordering                    {:?} ({:.3} s ordering, {:.3} s symbolic)",
            s.ordering, s.ordering_seconds, s.symbolic_seconds
        );
        println!(
            "supernodes                  {} (widest {} columns)",
            s.n_supernodes, s.max_supernode_cols
        );
        println!(
            "nnz(L)                      {}  ({:.1} M, {:.1} × nnz(K) upper)",
            s.nnz_l,
            s.nnz_l as f64 * 1e-6,
            s.nnz_l as f64 / nnz_upper as f64
        );
        println!(
            "factor values               {:.3} GiB ({} bytes)",
            s.l_bytes as f64 / GIB,
            s.l_bytes
        );
        println!(
            "factor flops                {:.2e}  ({:.1} GFLOP/s in the numeric phase)",
            s.flops,
            s.flops / s.numeric_seconds * 1e-9
        );
        println!(
            "parallel subtrees           {} ({:.0} % of the flops; the rest supernode by supernode)",
            s.subtrees,
            100.0 * s.subtree_flop_share
        );
        println!(
            "factorisation scratch       {:.3} GiB",
            s.factor_scratch_bytes as f64 / GIB
        );
        if peak_reset {
            let extra = factor_peak - before_factor;
            println!(
                "factorisation peak          {:.3} GiB above the {:.3} GiB resident before it = {:.2} × the factor (target ≤ 1.2 ×)",
                extra / GIB,
                before_factor / GIB,
                extra / s.l_bytes as f64
            );
        }
        println!(
            "process peak (VmHWM)        {:.3} GiB = {:.2} × the factor{}",
            peak_now / GIB,
            peak_now / s.l_bytes as f64,
            if peak_reset {
                " (since the reset before factorising)"
            } else {
                ""
            }
        );
    } else {
        println!(
            "process peak (VmHWM)        {:.3} GiB{}",
            peak_now / GIB,
            if peak_reset {
                " (since the reset before factorising)"
            } else {
                ""
            }
        );
    }
    println!("resident now (VmRSS)        {:.3} GiB", rss_now / GIB);
    println!(
        "reduced-system residual     {:.2e} (‖b − A x‖/‖b‖, {} iterations)",
        solution.diagnostics.relative_residual, solution.diagnostics.linear_iterations
    );

    // 9. Check against beam theory. Euler–Bernoulli tip deflection under the lateral force,
    //    δ = P L³ / (3 E I) with I = π (R⁴ − r⁴) / 4; the axial force shortens the tube by
    //    N L / (E A). Timoshenko adds the shear deflection P L / (κ G A), κ for a thick tube
    //    from Cowper (1966): κ = 6(1+ν)(1+m²)² / ((7+6ν)(1+m²)² + (20+12ν)m²), m = r/R.
    let area = PI * (R_OUT * R_OUT - R_IN * R_IN);
    let inertia = PI * (R_OUT.powi(4) - R_IN.powi(4)) / 4.0;
    let g = E / (2.0 * (1.0 + NU));
    let m2 = (R_IN / R_OUT).powi(2);
    let kappa = 6.0 * (1.0 + NU) * (1.0 + m2).powi(2)
        / ((7.0 + 6.0 * NU) * (1.0 + m2).powi(2) + (20.0 + 12.0 * NU) * m2);
    let bending = LATERAL_FORCE * LENGTH.powi(3) / (3.0 * E * inertia);
    let shear = LATERAL_FORCE * LENGTH / (kappa * g * area);
    let shortening = AXIAL_FORCE.abs() * LENGTH / (E * area);
    let eb_total = bending.hypot(shortening);
    let timo_total = (bending + shear).hypot(shortening);
    // FE tip: mean displacement of the loaded face, and the largest |u| anywhere.
    let mut tip_mean = [0.0; 3];
    for &node in &tip {
        for (k, m) in tip_mean.iter_mut().enumerate() {
            *m += solution.displacement[node][k] / tip.len() as f64;
        }
    }
    let max_u = solution.max_displacement();
    let rel = |fe: f64, theory: f64| 100.0 * (fe - theory) / theory;
    println!();
    println!("beam theory (I = {inertia:.1} mm⁴, A = {area:.2} mm², κ = {kappa:.3})");
    println!("  Euler–Bernoulli lateral  P L³/(3 E I)          {bending:.4} mm");
    println!("  shear                    P L/(κ G A)           {shear:.4} mm");
    println!("  axial shortening         N L/(E A)             {shortening:.4} mm");
    println!("  |u| tip, Euler–Bernoulli + axial               {eb_total:.4} mm");
    println!("  |u| tip, Timoshenko + axial                    {timo_total:.4} mm");
    println!("finite elements");
    println!(
        "  mean tip u_x             {:.4} mm  ({:+.2} % vs Euler–Bernoulli, {:+.2} % vs Timoshenko)",
        tip_mean[0],
        rel(tip_mean[0], bending),
        rel(tip_mean[0], bending + shear)
    );
    println!(
        "  mean tip u_z             {:.4} mm  ({:+.2} % vs −N L/(E A))",
        tip_mean[2],
        rel(-tip_mean[2], shortening)
    );
    println!(
        "  max |u|                  {max_u:.4} mm  ({:+.2} % vs Euler–Bernoulli + axial, {:+.2} % vs Timoshenko + axial)",
        rel(max_u, eb_total),
        rel(max_u, timo_total)
    );

    // 10. Equilibrium: the reactions at z = 0 must balance the applied loads.
    let applied = solution.applied_total;
    let reaction = solution.total_reaction();
    println!("equilibrium (N)                    x            y            z");
    println!(
        "  applied loads          {:>12.6} {:>12.6} {:>12.6}",
        applied[0], applied[1], applied[2]
    );
    println!(
        "  reactions at z = 0     {:>12.6} {:>12.6} {:>12.6}",
        reaction[0], reaction[1], reaction[2]
    );
    let imbalance: Vec<f64> = (0..3).map(|k| applied[k] + reaction[k]).collect();
    println!(
        "  sum                    {:>12.2e} {:>12.2e} {:>12.2e}",
        imbalance[0], imbalance[1], imbalance[2]
    );
    if args.recover {
        println!(
            "strain energy               {:.4} N·mm (½ f·u = {:.4} N·mm)",
            solution.fields.strain_energy(),
            0.5 * work(&model, &solution)
        );
    }

    if let Some(path) = &args.json {
        let stats = cholesky.as_ref().map(|c| c.factor_stats().clone());
        let record = serde_json::json!({
            "label": args.label,
            "free_dof": n,
            "threads": args.threads,
            "solver": format!("{:?}", args.solver),
            "faer_kernel": args.faer_kernel,
            "phases": phases.iter().map(|p| serde_json::json!({
                "name": p.name, "seconds": p.seconds, "rss_bytes": p.rss, "peak_bytes": p.peak,
            })).collect::<Vec<_>>(),
            "process_peak_bytes": peak_now,
            "factor_bytes": stats.as_ref().map(|s| s.l_bytes),
            "factor_flops": stats.as_ref().map(|s| s.flops),
            "subtree_flop_share": stats.as_ref().map(|s| s.subtree_flop_share),
            "max_displacement_mm": max_u,
        });
        let tmp = path.with_extension("json.partial");
        std::fs::write(&tmp, serde_json::to_string_pretty(&record)?)?;
        std::fs::rename(&tmp, path)?;
    }

    if args.profile {
        profile(
            &op,
            &mut system,
            cholesky.as_mut(),
            args.threads,
            args.faer_kernel,
        )?;
    }
    Ok(())
}

/// Step 11, where the time goes (`--profile`). Each slow phase is rebuilt from the crates'
/// public pieces and timed on the same threads; the differences point at the costly part.
///
/// The single-thread factorisation holds a second factor, so this needs about twice the
/// factor's memory.
fn profile(
    op: &ElasticOperator<'_>,
    system: &mut ConstrainedSystem,
    cholesky: Option<&mut CholeskySolver>,
    threads: usize,
    faer_kernel: bool,
) -> Result<(), BoxError> {
    let model = op.model();
    let materials = op.element_materials();
    let d = op.stiffnesses();
    use osteon::assembly::element::stiffness;
    use osteon::assembly::{
        DofMap, ElementSlots, SparsityPattern, assemble_stiffness, check_rigid_body_modes,
        refill_stiffness,
    };
    use osteon::solver::{Graph, metis_nested_dissection};
    use rayon::prelude::*;

    let secs = |t: Instant| t.elapsed().as_secs_f64();
    println!();
    println!("where the time goes ({threads} threads)");

    // Setup = DOF map + rigid-body check + pattern and colouring.
    let t = Instant::now();
    let dofs = DofMap::new(&model.mesh, &model.boundary, &model.equations)?;
    let t_dofs = secs(t);
    let t = Instant::now();
    check_rigid_body_modes(&model.mesh, &dofs, &model.equations)?;
    let t_rigid = secs(t);
    let t = Instant::now();
    let pattern = SparsityPattern::build(&model.mesh, &dofs)?;
    let t_pattern = secs(t);
    drop((dofs, pattern));
    println!(
        "  setup: DOF map {t_dofs:.3} s, rigid-body check {t_rigid:.3} s, pattern + colouring {t_pattern:.3} s"
    );

    // Assembly = element kernels + expansion and scatter into the CSR slots, colour by colour.
    let n_el = model.mesh.n_elements();
    let kernel = |ke: &mut Vec<f64>, e: usize| {
        let el = model.mesh.element(e);
        let n = el.etype.n_nodes();
        let x = model.mesh.element_coords(e);
        stiffness(el.etype, &x[..n], &d[materials[e]], ke)
            .map_err(|g| format!("element {} inverted (det J = {:.3e})", el.id, g.det_j))
    };
    let t = Instant::now();
    (0..n_el)
        .into_par_iter()
        .try_for_each_init(|| vec![0.0; 60 * 60], kernel)?;
    let t_kernels = secs(t);
    let t = Instant::now();
    for color in system.pattern().colors() {
        color
            .par_iter()
            .try_for_each_init(|| vec![0.0; 60 * 60], |ke, &e| kernel(ke, e))?;
    }
    let t_kernels_by_colour = secs(t);
    let mut matrix = system.matrix().clone();
    let t = Instant::now();
    assemble_stiffness(
        &model.mesh,
        system.dofs(),
        system.pattern(),
        materials,
        d,
        &mut matrix,
    )?;
    let t_assemble = secs(t);
    println!(
        "  assemble {t_assemble:.3} s: element stiffness kernels {t_kernels:.3} s in one parallel loop \
         ({:.2} µs per element per thread), {t_kernels_by_colour:.3} s colour by colour ({} colours), \
         expansion + scatter {:.3} s",
        t_kernels * threads as f64 / n_el as f64 * 1e6,
        system.pattern().colors().len(),
        t_assemble - t_kernels_by_colour
    );
    // A refill of the same pattern (other materials, a design variant) through the element →
    // slot map: the kernels plus a scatter, no merge with the matrix rows.
    let t = Instant::now();
    let slots = ElementSlots::build(system.pattern(), &matrix)?;
    let t_map = secs(t);
    let merged = matrix.values().to_vec();
    let t = Instant::now();
    refill_stiffness(
        &model.mesh,
        system.dofs(),
        system.pattern(),
        &slots,
        materials,
        d,
        &mut matrix,
    )?;
    let t_refill = secs(t);
    println!(
        "  refill through the slot map {t_refill:.3} s (scatter {:.3} s; values identical: {}), \
         after building the map once in {t_map:.3} s ({:.1} MiB)",
        t_refill - t_kernels_by_colour,
        matrix.values() == merged.as_slice(),
        slots.bytes() as f64 / (1024.0 * 1024.0)
    );
    drop((matrix, merged, slots));

    // Analyse = node graph + METIS + symbolic factorisation.
    let t = Instant::now();
    let graph = Graph::of_groups(system.matrix(), system.dofs().groups())?;
    let t_graph = secs(t);
    let t = Instant::now();
    metis_nested_dissection(&graph.xadj, &graph.adjncy)?;
    let t_metis = secs(t);
    println!(
        "  analyse: node graph {t_graph:.3} s ({} vertices, {} edges), METIS_NodeND with input checks {t_metis:.3} s",
        graph.n_vertices(),
        graph.adjncy.len() / 2
    );
    drop(graph);

    // Factorise: the first numeric factorisation also allocates and first-touches the factor;
    // later ones reuse it. And the same on one thread, for the parallel speed-up.
    let Some(chol) = cholesky else { return Ok(()) };
    let stats = chol.factor_stats().clone();
    let first = stats.numeric_seconds;
    let t = Instant::now();
    chol.factorise(system.matrix())?;
    let again = secs(t);
    println!(
        "  analyse: ordering {:.3} s + symbolic {:.3} s",
        stats.ordering_seconds, stats.symbolic_seconds
    );
    println!(
        "  factorise on {threads} threads: first {first:.3} s ({:.1} GFLOP/s), again with the factor storage reused {again:.3} s ({:.1} GFLOP/s)",
        stats.flops / first * 1e-9,
        stats.flops / again * 1e-9
    );
    if threads > 1 {
        let mut one = CholeskySolver::new(CholeskyOptions {
            ordering: chol.options().ordering,
            threads: 1,
        })
        .with_parallel_subtrees(!faer_kernel);
        one.analyse(system.matrix(), Some(system.dofs().groups()))?;
        one.factorise(system.matrix())?;
        let first_one = one.factor_stats().numeric_seconds;
        let t = Instant::now();
        one.factorise(system.matrix())?;
        let again_one = secs(t);
        println!(
            "  factorise on 1 thread: first {first_one:.3} s, again {again_one:.3} s ({:.1} GFLOP/s): {threads} threads are {:.2} × faster",
            stats.flops / again_one * 1e-9,
            again_one / again
        );
    }
    Ok(())
}

/// The work of the applied nodal loads, f·u (N·mm).
fn work(model: &Model, solution: &StepSolution) -> f64 {
    model.load_cases[0]
        .nodal_loads
        .iter()
        .map(|l| l.value * solution.displacement[l.node][l.component])
        .sum()
}
