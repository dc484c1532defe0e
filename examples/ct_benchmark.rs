//! # CT → voxel model benchmark, phase by phase (issue 15)
//!
//! Target: a 512 × 512 × 400 CT (≈ 10⁸ voxels) to a segmented voxel mesh with mapped
//! materials in under 60 s on 2 cores and under 4 GiB peak memory.
//!
//! The program generates the tibia phantom (`osteon_imaging::TibiaPhantom`) on a clinical
//! grid in memory — 0.35 × 0.35 × 1.0 mm voxels, 512 × 512 × 400, a 300 mm bone (shaft
//! Ø 26 mm with a 6 mm cortex, metaphyses 60 mm long flaring to Ø 78.8 mm) in 50 mm of soft
//! tissue, partial volume from 2³ samples, noise 20 HU — then runs the pipeline of `osteon
//! ct` ([`osteon::ct::build`]: segment → surface → voxel mesh → material mapping → deck
//! model) once per element size, each phase timed, with the element and node counts and
//! the resident memory. The peak (`VmHWM` of `/proc/self/status`) is reset after the phantom
//! is made, so it is the pipeline's own, the CT volume included.
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example ct_benchmark                       # 1 mm elements, then one voxel
//! cargo run --release --example ct_benchmark -- --element-size 1 --write target/ctbench
//! cargo run --release --example ct_benchmark -- --dicom target/ctbench/dicom   # + DICOM write/read
//! ```
//!
//! Options:
//!
//! * `--element-size MM[,MM…]`: element edges to mesh at (mm; `0` = one voxel), default `1,0`;
//! * `--threads N`: rayon threads (default 2, the target's cores);
//! * `--write DIR`: also write `bone.stl`, `bone.vtu`, `bone.inp` (timed as `write`) for each size,
//!   into `DIR/h<MM>`;
//! * `--dicom DIR`: write the phantom as a DICOM series into `DIR` (not timed) and read it
//!   back (timed as `read`), then run the pipeline on what was read;
//! * `--voxel X,Y,Z`: another voxel size (mm), for smaller or larger grids;
//! * `--smooth-surface N`: Taubin-smooth the mesh's boundary nodes (N passes, scaled Jacobian
//!   ≥ 0.2; timed as `smooth`);
//! * `--c3d20`: quadratic bricks (timed as `quadratic`).
//!
//! Each run ends with a fingerprint of the results (segmentation labels, node coordinates,
//! connectivity, element moduli, bits hashed): two builds of the code that give the same
//! fingerprint gave the same mesh and moduli bit for bit. The measured numbers are in
//! `docs/imaging.md §8`.

use std::path::PathBuf;
use std::time::Instant;

use osteon::ct::{self, CtOptions, Segmenting, VoxelOptions};
use osteon::imaging::{
    MappingOptions, SeriesInfo, SurfaceSmoothing, TaubinOptions, ThresholdOptions, TibiaPhantom,
    read_dicom_series, write_dicom_series,
};
use osteon::solver::memory::{peak_resident_bytes, reset_peak, resident_bytes};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Command-line options.
struct Args {
    sizes: Vec<f64>,
    threads: usize,
    write: Option<PathBuf>,
    dicom: Option<PathBuf>,
    voxel: [f64; 3],
    smooth: usize,
    c3d20: bool,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut args = Args {
        sizes: vec![1.0, 0.0],
        threads: 2,
        write: None,
        dicom: None,
        voxel: [0.35, 0.35, 1.0],
        smooth: 0,
        c3d20: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        let list = |s: String| -> Result<Vec<f64>, BoxError> {
            Ok(s.split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()?)
        };
        match a.as_str() {
            "--element-size" => args.sizes = list(value()?)?,
            "--threads" => args.threads = value()?.parse()?,
            "--write" => args.write = Some(value()?.into()),
            "--dicom" => args.dicom = Some(value()?.into()),
            "--smooth-surface" => args.smooth = value()?.parse()?,
            "--c3d20" => args.c3d20 = true,
            "--voxel" => {
                let v = list(value()?)?;
                args.voxel = match v.as_slice() {
                    [x, y, z] => [*x, *y, *z],
                    _ => return Err("--voxel takes X,Y,Z (mm)".into()),
                };
            }
            "-h" | "--help" => {
                return Err("usage: ct_benchmark [--element-size MM[,MM…]] [--threads N] [--write DIR] [--dicom DIR] [--voxel X,Y,Z] [--smooth-surface N] [--c3d20]".into());
            }
            other => return Err(format!("unknown argument '{other}' (try --help)").into()),
        }
    }
    Ok(args)
}

/// (VmRSS, VmHWM) in GiB; zeros where the OS does not tell.
fn memory() -> (f64, f64) {
    let gib = |b: Option<u64>| b.map_or(0.0, |b| b as f64 / GIB);
    (gib(resident_bytes()), gib(peak_resident_bytes()))
}

fn main() {
    if let Err(e) = run() {
        eprintln!("ct_benchmark: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()?;
    pool.install(|| bench(&args))
}

/// The benchmark's phantom: a whole tibia on a clinical 512 × 512 × 400 grid.
fn phantom(voxel: [f64; 3]) -> TibiaPhantom {
    TibiaPhantom {
        voxel_mm: voxel,
        length_mm: 300.0,
        shaft_outer_radius_mm: 13.0,
        shaft_inner_radius_mm: 7.0,
        metaphysis_length_mm: 60.0,
        end_radius_mm: 39.4,
        shell_thickness_mm: 1.5,
        margin_mm: 50.0,
        supersampling: 2,
        noise_sigma_hu: 20.0,
        ..TibiaPhantom::default()
    }
}

fn bench(args: &Args) -> Result<(), BoxError> {
    let t = Instant::now();
    let mut ct = phantom(args.voxel).generate()?;
    let [nx, ny, nz] = ct.dims;
    println!(
        "phantom     {nx} × {ny} × {nz} = {:.1} M voxels of {:?} mm, made in {:.1} s ({} threads); RSS {:.2} GiB",
        (nx * ny * nz) as f64 / 1e6,
        ct.spacing,
        t.elapsed().as_secs_f64(),
        args.threads,
        memory().0
    );
    if let Some(dir) = &args.dicom {
        let t = Instant::now();
        let files = write_dicom_series(dir, &ct, &SeriesInfo::default())?;
        println!(
            "dicom       {} slices written to {} in {:.1} s (not counted)",
            files.len(),
            dir.display(),
            t.elapsed().as_secs_f64()
        );
        drop(ct);
        let _ = reset_peak();
        let t = Instant::now();
        ct = read_dicom_series(dir)?;
        let (rss, peak) = memory();
        println!(
            "read        {:.2} s, RSS {rss:.2} GiB, peak {peak:.2} GiB",
            t.elapsed().as_secs_f64()
        );
    }
    for &h in &args.sizes {
        let _ = reset_peak();
        let options = CtOptions {
            segmenting: Segmenting::Threshold(ThresholdOptions::default()),
            element_size_mm: (h > 0.0).then_some(h),
            mapping: MappingOptions::default(),
            materials: 20,
        };
        println!();
        let t = Instant::now();
        let voxel = VoxelOptions {
            smoothing: (args.smooth > 0).then(|| SurfaceSmoothing {
                taubin: TaubinOptions {
                    passes: args.smooth,
                    ..TaubinOptions::default()
                },
                ..SurfaceSmoothing::default()
            }),
            quadratic: args.c3d20,
        };
        let built = ct::build_voxel(&ct, &options, &voxel)?;
        let total = t.elapsed().as_secs_f64();
        let (rss, peak) = memory();
        let vm = &built.voxel_mesh;
        let edge = ct.spacing.map(|s| s * vm.factor as f64);
        println!(
            "element     {} ({} voxel(s) a side, {:.2} × {:.2} × {:.2} mm)",
            if h > 0.0 {
                format!("{h} mm")
            } else {
                "one voxel".into()
            },
            vm.factor,
            edge[0],
            edge[1],
            edge[2]
        );
        println!(
            "result      {} bone voxels, {} surface triangles, {} {}, {} nodes, {} materials",
            built.segmentation.bone_voxels(),
            built.surface.triangles.len(),
            vm.mesh.n_elements(),
            vm.mesh
                .blocks
                .first()
                .map_or("C3D8", |b| b.etype.abaqus_name()),
            vm.mesh.n_nodes(),
            built.bins.modulus_mpa.len()
        );
        if let Some(r) = &built.smoothing {
            println!(
                "smoothing   {} boundary nodes, {} backed off, {} reset; scaled Jacobian ≥ {:.3}",
                r.boundary_nodes, r.backed_off_nodes, r.reset_nodes, r.min_scaled_jacobian
            );
        }
        let mut rows: Vec<(&str, f64)> = built.timings.clone();
        let listed: f64 = rows.iter().map(|r| r.1).sum();
        rows.push(("deck model", total - listed));
        println!("{:<12}{:>10}", "phase", "time (s)");
        for (name, s) in &rows {
            println!("{name:<12}{s:>10.2}");
        }
        println!(
            "{:<12}{total:>10.2}   RSS {rss:.2} GiB, peak {peak:.2} GiB",
            "build"
        );
        if let Some(dir) = &args.write {
            let dir = dir.join(format!("h{h}"));
            let t = Instant::now();
            built.write(&dir, &built.heading(&dir))?;
            let (rss, peak) = memory();
            println!(
                "{:<12}{:>10.2}   RSS {rss:.2} GiB, peak {peak:.2} GiB ({})",
                "write",
                t.elapsed().as_secs_f64(),
                dir.display()
            );
        }
        println!("fingerprint {:016x}", fingerprint(&built));
    }
    Ok(())
}

/// FNV-1a over the bits of the labels, node coordinates, connectivity, element moduli and
/// material bins.
fn fingerprint(built: &ct::CtModel) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for &l in &built.segmentation.labels {
        eat(u64::from(l));
    }
    let mesh = &built.voxel_mesh.mesh;
    for p in &mesh.coords {
        p.iter().for_each(|x| eat(x.to_bits()));
    }
    for b in &mesh.blocks {
        b.connectivity.iter().for_each(|&n| eat(n as u64));
    }
    for (name, set) in mesh.node_sets.iter().chain(&mesh.element_sets) {
        eat(name.len() as u64);
        set.iter().for_each(|&n| eat(n as u64));
    }
    let p = &built.properties;
    for v in p.hu.iter().chain(&p.density_g_cm3).chain(&p.modulus_mpa) {
        eat(v.to_bits());
    }
    built.bins.element_bin.iter().for_each(|&b| eat(b as u64));
    for v in &built.surface.vertices {
        v.iter().for_each(|x| eat(x.to_bits()));
    }
    for t in &built.surface.triangles {
        t.iter().for_each(|&v| eat(u64::from(v)));
    }
    h
}
