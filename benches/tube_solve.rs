//! The tube benchmark at ~150 k DOF, one criterion benchmark per phase, on 2 threads.
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench tube_solve                   # about 3 minutes
//! cargo bench --manifest-path benches/Cargo.toml --bench tube_solve -- tube_150k/assemble
//! ```
//!
//! The problem is the one of `docs/benchmark.md` and `examples/tube_benchmark.rs`:
//! a hollow cortical-bone tube (R 13 / 7 mm, 300 mm, E = 17 000 MPa, ν = 0.3) of Tet10, z = 0
//! clamped, −700 N axial and +50 N lateral on z = 300. The structured mesh has 2 × 28 × 90
//! cells (through the wall × around × along): 30 240 elements, 151 200 free DOF, next to the
//! gmsh deck's s150k (157 005 DOF).
//!
//! Phases, each measured on its own (the others run once outside the timed loop):
//!
//! | benchmark | what is timed | target (README) |
//! |---|---|---|
//! | `setup` | `ConstrainedSystem::setup`: DOF map, rigid-body check, pattern, colouring | |
//! | `assemble` | `ConstrainedSystem::assemble`: element stiffnesses into the fixed pattern | ≤ 1.0 s |
//! | `analyse` | `CholeskySolver::analyse`: METIS ordering of the node graph + symbolic | ┐ |
//! | `factorise` | `CholeskySolver::factorise`: supernodal numeric L Lᵀ + pivot check | ├ ≤ 3 s together |
//! | `solve` | `CholeskySolver::solve`: forward/back substitution + residual | ┘ |
//! | `solve_case` | loads, lifting, solve, expansion and reactions of the load case | |
//!
//! Everything runs on 2 threads, explicitly: the assembly inside a 2-thread rayon pool, the
//! solver with `CholeskyOptions { threads: 2 }` (its own pool). Before the timings the bench
//! prints the system size and the factor's size, flops and memory once.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use osteon::prelude::*;

const THREADS: usize = 2;
/// Cells through the wall, around, along: 151 200 free DOF with Tet10.
const CELLS: [usize; 3] = [2, 28, 90];

/// The benchmark model: tube, cortical bone, z = 0 clamped, the tip load split over z = 300.
fn tube_model() -> Model {
    let mesh = tube_mesh(&TubeSpec {
        inner_radius: 7.0,
        outer_radius: 13.0,
        length: 300.0,
        cells_radial: CELLS[0],
        cells_around: CELLS[1],
        cells_axial: CELLS[2],
        element: ElementType::Tet10,
    })
    .expect("valid tube");
    let mut model = Model::new(mesh);
    let bone = model.add_material(library::cortical_bone());
    let all = model.mesh.element_set("ALL").expect("ALL").to_vec();
    model.add_section("ALL", all, bone);
    let clamped = model.mesh.node_set("Z0").expect("Z0").to_vec();
    model.fix(&clamped, &[0, 1, 2]);
    let tip = model.mesh.node_set("Z1").expect("Z1").to_vec();
    let share = 1.0 / tip.len() as f64;
    let mut case = LoadCase::new("axial + lateral");
    for &node in &tip {
        case.nodal_loads.push(NodalLoad {
            node,
            component: 0,
            value: 50.0 * share,
        });
        case.nodal_loads.push(NodalLoad {
            node,
            component: 2,
            value: -700.0 * share,
        });
    }
    model.load_cases.push(case);
    model
}

fn tube_solve(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("thread pool");
    let model = tube_model();
    let op = ElasticOperator::new(&model).expect("sections and materials");
    let boundary = model.boundary.clone();
    let case = &model.load_cases[0];

    // One pass through every phase, outside the timings: the state each benchmark starts from.
    let mut system = pool
        .install(|| ConstrainedSystem::setup(&op, &boundary))
        .expect("setup");
    pool.install(|| system.assemble(&op)).expect("assembly");
    let mut solver = CholeskySolver::new(CholeskyOptions {
        ordering: Ordering::NestedDissection,
        threads: THREADS,
    });
    pool.install(|| solver.analyse(system.matrix(), Some(system.dofs().groups())))
        .expect("analyse");
    pool.install(|| solver.factorise(system.matrix()))
        .expect("factorise");
    let rhs = system
        .dofs()
        .reduce(&op.external_forces(case).expect("loads"));
    let mut x = vec![0.0; rhs.len()];
    let report = pool
        .install(|| solver.solve(system.matrix(), &rhs, &mut x))
        .expect("solve");
    let s = solver.factor_stats();
    eprintln!(
        "tube Tet10 {:?} cells: {} elements, {} free DOF, nnz(K) upper {}, {} colours; nnz(L) {} ({:.3} GiB), {:.2e} flops, \
         factorisation scratch {:.3} GiB; residual {:.1e}; {THREADS} threads",
        CELLS,
        model.mesh.n_elements(),
        system.dofs().n_free(),
        system.matrix().nnz_stored(),
        system.pattern().colors().len(),
        s.nnz_l,
        s.l_bytes as f64 / (1u64 << 30) as f64,
        s.flops,
        s.factor_scratch_bytes as f64 / (1u64 << 30) as f64,
        report.relative_residual,
    );

    let mut group = c.benchmark_group("tube_150k");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));

    group.bench_function("setup", |b| {
        b.iter(|| {
            pool.install(|| ConstrainedSystem::setup(black_box(&op), &boundary))
                .expect("setup")
        })
    });
    group.bench_function("assemble", |b| {
        b.iter(|| {
            pool.install(|| system.assemble(black_box(&op)))
                .expect("assembly")
        })
    });

    // The ordering and symbolic factorisation are redone by every `analyse`; one solver is
    // reused. Every phase runs inside the benchmark's pool (the solvers build none).
    let mut analyse_only = CholeskySolver::new(CholeskyOptions {
        ordering: Ordering::NestedDissection,
        threads: THREADS,
    });
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("analyse", |b| {
        b.iter(|| {
            pool.install(|| {
                analyse_only.analyse(black_box(system.matrix()), Some(system.dofs().groups()))
            })
            .expect("analyse")
        })
    });
    drop(analyse_only);

    group.measurement_time(Duration::from_secs(40));
    group.bench_function("factorise", |b| {
        b.iter(|| {
            pool.install(|| solver.factorise(black_box(system.matrix())))
                .expect("factorise")
        })
    });

    group.measurement_time(Duration::from_secs(5));
    group.bench_function("solve", |b| {
        b.iter(|| {
            pool.install(|| solver.solve(black_box(system.matrix()), &rhs, &mut x))
                .expect("solve")
        })
    });
    group.bench_function("solve_case", |b| {
        b.iter(|| {
            pool.install(|| solve_case(&op, &system, &mut solver, case, &boundary))
                .expect("solve_case")
        })
    });
    group.finish();
}

criterion_group!(benches, tube_solve);
criterion_main!(benches);
