//! Element kernels: the stiffness matrix K_e = Σ Bᵀ D B det J w and the internal force
//! f = Σ Bᵀ D B u det J w of one element, for every element type.
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench element_kernels
//! cargo bench --manifest-path benches/Cargo.toml --bench element_kernels -- stiffness/Tet10     # one kernel
//! ```
//!
//! Each element is the reference element mapped by a smooth, slightly distorted map (shear,
//! stretch and a quadratic warp), so the Jacobian varies from point to point as in a real
//! mesh. The material is cortical bone (E = 17 000 MPa, ν = 0.3).
//!
//! How to read the numbers: assembly of the ~150 k DOF tube (Tet10, about 27 000 elements)
//! calls `stiffness` once per element, so `stiffness/Tet10` × elements ÷ threads is the floor
//! of the assembly phase; `internal_force` is what reactions and the lifting of prescribed
//! displacements cost per element.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use osteon::assembly::element::{internal_force, stiffness};
use osteon::material::IsotropicElastic;
use osteon::mesh::ElementType;

/// Node coordinates (mm) of a distorted element of type `t`, about 2 mm across.
fn distorted(t: ElementType) -> Vec<[f64; 3]> {
    t.node_coords()
        .iter()
        .map(|p| {
            let q = [
                p[0] + 0.1 * p[1] * p[2],
                p[1] + 0.05 * p[0] * p[0],
                p[2] - 0.08 * p[0] * p[1],
            ];
            [2.0 * q[0] + 0.3 * q[1], 1.5 * q[1], q[2] + 0.2 * q[0]]
        })
        .collect()
}

fn element_kernels(c: &mut Criterion) {
    let d = IsotropicElastic {
        e: 17_000.0,
        nu: 0.3,
    }
    .stiffness();

    let mut group = c.benchmark_group("stiffness");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    for t in ElementType::ALL {
        let x = distorted(t);
        let m = 3 * t.n_nodes();
        let mut ke = vec![0.0; m * m];
        stiffness(t, &x, &d, &mut ke).expect("the distorted element is valid");
        group.bench_function(BenchmarkId::from_parameter(t), |b| {
            b.iter(|| {
                stiffness(
                    black_box(t),
                    black_box(&x),
                    black_box(&d),
                    black_box(&mut ke),
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("internal_force");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    for t in ElementType::ALL {
        let x = distorted(t);
        let m = 3 * t.n_nodes();
        // a smooth displacement field, 1e-3 mm scale
        let u: Vec<f64> = (0..m)
            .map(|k| 1e-3 * (((k * 7919) % 13) as f64 - 6.0))
            .collect();
        let mut f = vec![0.0; m];
        group.bench_function(BenchmarkId::from_parameter(t), |b| {
            b.iter(|| {
                internal_force(
                    black_box(t),
                    black_box(&x),
                    black_box(&d),
                    black_box(&u),
                    black_box(&mut f),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, element_kernels);
criterion_main!(benches);
