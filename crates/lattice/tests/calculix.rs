//! The periodic micro-FE against CalculiX: the same voxel cell written as a deck whose
//! periodicity is imposed by `*EQUATION`s through three dummy nodes (the displacement jump
//! across each period, L·Ē·e_d), six steps with the six unit strains, and the effective
//! stress as the volume average of ccx's integration-point stresses. osteon numbers the
//! fluctuation on the periodic grid instead; both are the same discrete problem, so the
//! tensors must agree to the precision of ccx's printed stresses.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use osteon_lattice::{
    CellKind, HomogeniseOptions, PhaseCell, VoxelCell, homogenise, keep_largest_component,
    parameter_for_porosity,
};
use osteon_material::IsotropicElastic;
use osteon_mesh::ElementType;

const DUMMY: i64 = 10_000_000;

fn ccx_available() -> bool {
    Command::new("ccx").arg("-v").output().is_ok()
}

/// The deck of `cell` (one material `e`, `nu`) with periodic equations and six unit-strain
/// steps.
fn periodic_deck(cell: &PhaseCell, e: f64, nu: f64) -> String {
    let n = cell.resolution;
    let m = n + 1;
    let h = cell.cell_size_mm / n as f64;
    let l = cell.cell_size_mm;
    let grid = |i: usize, j: usize, k: usize| i + m * (j + m * k);
    let mut used = vec![false; m * m * m];
    let solid: Vec<usize> = (0..n * n * n).filter(|&v| cell.phase[v] != 0).collect();
    let voxel_nodes = |v: usize| {
        let (i, j, k) = (v % n, (v / n) % n, v / (n * n));
        // the C3D8 node order of the reference element, corners at natural ±1
        let natural = ElementType::Hex8.node_coords();
        std::array::from_fn::<_, 8, _>(|a| {
            let c = natural[a].map(|x| usize::from(x > 0.0));
            grid(i + c[0], j + c[1], k + c[2])
        })
    };
    for &v in &solid {
        for g in voxel_nodes(v) {
            used[g] = true;
        }
    }
    let id = |g: usize| g as i64 + 1;
    let mut d = String::from("*HEADING\nperiodic unit cell\n*NODE\n");
    for (g, _) in used.iter().enumerate().filter(|(_, u)| **u) {
        let (i, j, k) = (g % m, (g / m) % m, g / (m * m));
        let _ = writeln!(
            d,
            "{}, {}, {}, {}",
            id(g),
            i as f64 * h,
            j as f64 * h,
            k as f64 * h
        );
    }
    for a in 1..=3 {
        let _ = writeln!(d, "{}, 0, 0, 0", DUMMY + a);
    }
    let _ = writeln!(
        d,
        "*NSET, NSET=DUMMY\n{}, {}, {}",
        DUMMY + 1,
        DUMMY + 2,
        DUMMY + 3
    );
    d.push_str("*ELEMENT, TYPE=C3D8, ELSET=SOLID\n");
    for (e_id, &v) in solid.iter().enumerate() {
        let ids: Vec<String> = voxel_nodes(v).iter().map(|&g| id(g).to_string()).collect();
        let _ = writeln!(d, "{}, {}", e_id + 1, ids.join(", "));
    }
    // group the used nodes by their periodic image; the first of a group is its master
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (g, _) in used.iter().enumerate().filter(|(_, u)| **u) {
        let (i, j, k) = (g % m, (g / m) % m, g / (m * m));
        groups
            .entry((i % n) + n * ((j % n) + n * (k % n)))
            .or_default()
            .push(g);
    }
    d.push_str("*EQUATION\n");
    let mut pinned = None;
    for nodes in groups.values() {
        let master = nodes[0];
        pinned.get_or_insert(master);
        let idx = |g: usize| [g % m, (g / m) % m, g / (m * m)];
        for &dep in &nodes[1..] {
            let offset: Vec<(usize, i64)> = (0..3)
                .map(|a| (a, (idx(dep)[a] as i64 - idx(master)[a] as i64) / n as i64))
                .filter(|(_, o)| *o != 0)
                .collect();
            for dof in 1..=3 {
                let _ = writeln!(d, "{}", 2 + offset.len());
                let mut terms = vec![
                    format!("{}, {dof}, 1.0", id(dep)),
                    format!("{}, {dof}, -1.0", id(master)),
                ];
                for (a, o) in &offset {
                    terms.push(format!("{}, {dof}, {}", DUMMY + 1 + *a as i64, -o));
                }
                let _ = writeln!(d, "{}", terms.join(", "));
            }
        }
    }
    let _ = writeln!(
        d,
        "*MATERIAL, NAME=TA\n*ELASTIC\n{e}, {nu}\n*SOLID SECTION, ELSET=SOLID, MATERIAL=TA\n*BOUNDARY\n{}, 1, 3, 0.0",
        id(pinned.expect("a solid cell"))
    );
    for case in 0..6 {
        let mut g = [0.0; 6];
        g[case] = 1.0;
        // strain tensor from the engineering Voigt vector xx, yy, zz, xy, yz, xz
        let eps = [
            [g[0], 0.5 * g[3], 0.5 * g[5]],
            [0.5 * g[3], g[1], 0.5 * g[4]],
            [0.5 * g[5], 0.5 * g[4], g[2]],
        ];
        d.push_str("*STEP\n*STATIC\n*BOUNDARY\n");
        for a in 0..3 {
            for (i, row) in eps.iter().enumerate() {
                let _ = writeln!(
                    d,
                    "{}, {}, {}, {}",
                    DUMMY + 1 + a as i64,
                    i + 1,
                    i + 1,
                    l * row[a]
                );
            }
        }
        d.push_str("*EL PRINT, ELSET=SOLID\nS\n*END STEP\n");
    }
    d
}

/// The volume-average stress (Voigt xx, yy, zz, xy, yz, xz) of every step: the mean of the
/// integration-point stresses of `*EL PRINT` (every voxel has the same volume and its eight
/// Gauss points the same weight) times the solid fraction.
fn mean_stresses(dat: &str, solid_fraction: f64) -> Vec<[f64; 6]> {
    let mut steps: Vec<([f64; 6], usize)> = Vec::new();
    let mut in_block = false;
    for line in dat.lines() {
        if line.contains("stresses (elem, integ.pnt.,sxx,syy,szz,sxy,sxz,syz)") {
            steps.push(([0.0; 6], 0));
            in_block = true;
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if !in_block || cols.len() != 8 {
            continue;
        }
        let v: Vec<f64> = cols[2..]
            .iter()
            .map(|x| x.parse().expect("stress"))
            .collect();
        let (sum, count) = steps.last_mut().expect("a block");
        // ccx prints xy, xz, yz; osteon's order is xy, yz, xz
        for (k, x) in [v[0], v[1], v[2], v[3], v[5], v[4]].iter().enumerate() {
            sum[k] += x;
        }
        *count += 1;
    }
    steps
        .into_iter()
        .map(|(sum, count)| sum.map(|x| x / count as f64 * solid_fraction))
        .collect()
}

#[test]
fn effective_stiffness_matches_calculix_with_periodic_equations() {
    if !ccx_available() {
        eprintln!("ccx not found: skipping (.ci/run installs calculix-ccx)");
        return;
    }
    let n = 12;
    let p = parameter_for_porosity(CellKind::Diamond, 0.72, n).unwrap();
    let v = VoxelCell::sample(CellKind::Diamond, p, n, 0.9, [0.0; 3]).unwrap();
    let mut cell = PhaseCell::from_cell(&v);
    keep_largest_component(n, &mut cell.phase);
    let ta = IsotropicElastic::new(186_000.0, 0.34).unwrap();
    let ours = homogenise(&cell, &[ta.stiffness()], HomogeniseOptions::default()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cell.inp"),
        periodic_deck(&cell, ta.e, ta.nu),
    )
    .unwrap();
    let out = Command::new("ccx")
        .args(["-i", "cell"])
        .current_dir(dir.path())
        .env("OMP_NUM_THREADS", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && !log.contains("*ERROR"), "{log}");
    let dat = std::fs::read_to_string(Path::new(dir.path()).join("cell.dat")).unwrap();
    let steps = mean_stresses(&dat, cell.solid_fraction());
    assert_eq!(steps.len(), 6, "{dat}");
    let scale = ours.stiffness_mpa[0][0];
    let mut worst = 0.0_f64;
    for (j, ccx) in steps.iter().enumerate() {
        for (i, c) in ccx.iter().enumerate() {
            let diff = (c - ours.stiffness_mpa[i][j]).abs();
            worst = worst.max(diff / scale);
            assert!(
                diff < 1e-7 * scale,
                "C[{i}][{j}]: ccx {c} osteon {}",
                ours.stiffness_mpa[i][j]
            );
        }
    }
    eprintln!(
        "{} solid voxels: largest |C_ccx − C_osteon| / C11 = {worst:.2e}",
        ours.solid_voxels.len()
    );
}
