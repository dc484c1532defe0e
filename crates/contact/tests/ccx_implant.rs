//! CalculiX comparison of the implant-in-bone toy (issue 5, last proof): a porous-tantalum
//! tube (E = 3 GPa, bore 3 mm, 48 mm long) press-fitted with 10 µm radial interference into
//! a cortical bone tube (E = 17 GPa, bore 6 mm, outer radius 12 mm, 40 mm long, fixed at its
//! distal end), the implant standing 8 mm proud; step 1 the press fit, step 2 700 N axial +
//! 100 N lateral (bending) on the implant's top face — the model of `tests/implant.rs`,
//! written as a CalculiX deck and run through `ccx` (2.20) with the same mesh, materials,
//! node-to-surface pair (implant outer surface slave, bone bore master),
//! `PRESSURE-OVERCLOSURE=LINEAR` slope K = 10⁵ MPa/mm (osteon: `NormalBehaviour::Linear`),
//! `*FRICTION` μ = 0.5, stick slope λ = 2·10⁴ MPa/mm (osteon: `Friction { mu, stick_slope }`),
//! the same loads and the same fixed increments (`*STATIC, DIRECT`).
//!
//! Compared per slave node (ccx `*CONTACT PRINT` `CSTR` press and `CDIS` tang1, tang2 in the
//! `.dat` file): the contact pressure after the press fit and under load, and the
//! micromotion = |tangential relative displacement (loaded) − (after the press fit)|; plus
//! the mean displacement of the implant's top face (`*NODE PRINT` `U`). Printed: max, mean
//! (area-weighted with osteon's tributary areas, for both codes) and total (Σ A p) of each,
//! the number of slipping nodes (ccx: |τ| ≥ 0.999 μ p), the correlation of the two nodal
//! micromotion maps and the largest nodal deviation. The maps are written side by side to
//! `target/contact-implant/micromotion_vs_ccx.vtu`.
//!
//! **One deliberate difference from `tests/implant.rs`: the implant is rotated by half a
//! cell.** There, both tubes have 24 cells around at the same angles, so every slave node lies
//! angularly *on an edge* between two bore facets, where the master normal is ambiguous:
//! osteon averages the two facet normals (radial), ccx takes the normal of one facet (±7.5°
//! off radial), presumably flipping between the two. ccx 2.20 does not converge on that
//! deck (fixed increments: "solution seems to diverge"; automatic incrementation: "too many
//! cutbacks" at Δt = 2.4·10⁻⁴), so no comparison is possible there. Here the implant is
//! turned by 7.5° and its outer radius set to 6 cos 7.5° + δ, so each slave node sits at the
//! angular centre of a bore facet with the same 10 µm interference against the facet plane;
//! there the averaged normal equals the facet normal and the two formulations (gap, tangent
//! plane, linear pressure law, Coulomb return mapping with the same stick slope) are
//! identical. Mesh sizes, materials, loads and the non-matching axial spacing (slave nodes
//! every 3 mm, master faces 4 mm) are those of `tests/implant.rs`.
//!
//! The press fit is one increment in both codes: with four increments ccx 2.20 applies the
//! whole interference by its second increment (not linearly as osteon does) and then diverges
//! in the axial rigid-body mode of the floating implant. The loaded step has four increments.
//!
//! Asserted (the 3 %): mean and total pressure after the press fit and under load,
//! mean micromotion, and the implant-top displacement. Peak nodal values could in general
//! differ more than means (a single node's state), but with identical formulations the whole
//! maps agree, so the largest nodal deviations of pressure and micromotion (relative to the
//! largest value, as in `ccx_block`) and the peaks are held to 3 % too, the correlation of
//! the maps to above 0.99 and the slipping-node counts to within 2. Measured: every deviation
//! is at most 0.5 %. The remainder was not traced; candidates are ccx's tension offset
//! σ∞ = 10⁻³ MPa in its linear law, its own slave-area weighting and the tolerances of the
//! two Newton loops.
//!
//! Skipped with a notice when `ccx` is not on PATH.

mod common;

use common::*;
use osteon_assembly::{LoadCase, Model};
use osteon_contact::{
    ContactPair, ContactProblem, ContactSolution, Friction, IncrementControl, NormalBehaviour,
    SurfaceInteraction, node_motions, solve_contact,
};
use osteon_mesh::generate::{TubeSpec, tube_mesh};
use osteon_mesh::{ElementType, FaceRef, Mesh};

const DELTA: f64 = 0.01; // radial interference (mm)
const AXIAL: f64 = -700.0; // N
const LATERAL: f64 = 100.0; // N
const MU: f64 = 0.5;
const SLOPE: f64 = 1.0e5; // pressure-overclosure slope K (MPa/mm)
const STICK: f64 = 2.0e4; // stick slope λ (MPa/mm)
const AROUND: usize = 24;
const LOAD_INCREMENTS: usize = 4;

struct Toy {
    model: Model,
    slave: Vec<FaceRef>,
    master: Vec<FaceRef>,
    top: Vec<usize>,
    fixed: Vec<usize>,
    split: usize,
}

/// The toy of `tests/implant.rs` with the implant turned by half a cell (see the module
/// comment): slave nodes at the angular centres of the bore facets, δ inside their planes.
fn toy() -> Toy {
    let half = std::f64::consts::PI / AROUND as f64;
    let mut implant = tube_mesh(&TubeSpec {
        inner_radius: 3.0,
        outer_radius: 6.0 * half.cos() + DELTA,
        length: 48.0,
        cells_radial: 2,
        cells_around: AROUND,
        cells_axial: 16,
        element: ElementType::Hex8,
    })
    .expect("implant");
    let (s, c) = half.sin_cos();
    for x in &mut implant.coords {
        *x = [c * x[0] - s * x[1], s * x[0] + c * x[1], x[2]];
    }
    let bone = tube_mesh(&TubeSpec {
        inner_radius: 6.0,
        outer_radius: 12.0,
        length: 40.0,
        cells_radial: 3,
        cells_around: AROUND,
        cells_axial: 10,
        element: ElementType::Hex8,
    })
    .expect("bone");
    let (mesh, no, eo) = merge(&implant, &bone, 100_000);
    let mut model = Model::new(mesh);
    two_sections(
        &mut model,
        eo,
        isotropic("porous tantalum", 3_000.0, 0.3),
        isotropic("cortical bone", 17_000.0, 0.3),
    );
    let fixed = shifted_nodes(&bone, "Z0", no);
    model.fix(&fixed, &[0, 1, 2]);
    Toy {
        slave: faces(&implant, "OUTER"),
        master: shifted_faces(&bone, "INNER", eo),
        top: implant.node_set("Z1").expect("Z1").to_vec(),
        fixed,
        split: eo,
        model,
    }
}

fn load(top: &[usize]) -> LoadCase {
    common::axial_and_lateral(top, AXIAL, LATERAL)
}

fn ours(t: &Toy) -> ContactSolution {
    let pair = ContactPair {
        interaction: SurfaceInteraction {
            normal: NormalBehaviour::Linear { stiffness: SLOPE },
            friction: Some(Friction {
                mu: MU,
                stick_slope: Some(STICK),
            }),
        },
        ..ContactPair::new("implant-bone", t.slave.clone(), t.master.clone(), MU)
    };
    let model = common::with_pairs(&t.model, vec![pair]);
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = vec![
        LoadCase {
            increments: IncrementControl::fixed(1),
            ..LoadCase::new("press fit")
        },
        LoadCase {
            increments: IncrementControl::fixed(LOAD_INCREMENTS),
            ..load(&t.top)
        },
    ];
    let solution = solve_contact(&problem).expect("converges");
    for log in solution.increments() {
        println!("{log}");
    }
    solution
}

fn deck(t: &Toy) -> String {
    let mesh: &Mesh = &t.model.mesh;
    let n = mesh.n_elements();
    let per_node = 1.0 / t.top.len() as f64;
    let mut s =
        String::from("** osteon-contact: porous-Ta implant press-fitted into a bone tube\n");
    s += &deck_mesh(mesh);
    s += &deck_elset(mesh, "EIMPLANT", &(0..t.split).collect::<Vec<_>>());
    s += &deck_elset(mesh, "EBONE", &(t.split..n).collect::<Vec<_>>());
    s += &deck_nset(mesh, "NFIX", &t.fixed);
    s += &deck_nset(mesh, "NTOP", &t.top);
    s += &deck_surface(mesh, "SSLAVE", &t.slave);
    s += &deck_surface(mesh, "SMASTER", &t.master);
    s += "*MATERIAL, NAME=TA\n*ELASTIC\n3000., 0.3\n*MATERIAL, NAME=BONE\n*ELASTIC\n17000., 0.3\n";
    s +=
        "*SOLID SECTION, ELSET=EIMPLANT, MATERIAL=TA\n*SOLID SECTION, ELSET=EBONE, MATERIAL=BONE\n";
    s += &format!(
        "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n{SLOPE:e}, 1.e-3\n*FRICTION\n{MU}, {STICK:e}\n"
    );
    s += "*CONTACT PAIR, INTERACTION=SI, TYPE=NODE TO SURFACE\nSSLAVE, SMASTER\n*BOUNDARY\nNFIX, 1, 3\n";
    let steps = [
        (1.0, String::new()),
        (
            1.0 / LOAD_INCREMENTS as f64,
            format!(
                "*CLOAD\nNTOP, 1, {:e}\nNTOP, 3, {:e}\n",
                LATERAL * per_node,
                AXIAL * per_node
            ),
        ),
    ];
    for (increment, body) in &steps {
        s += &format!("*STEP, INC=1000\n*STATIC, DIRECT\n{increment}, 1.\n");
        s += body;
        s += "*NODE PRINT, NSET=NTOP\nU\n*CONTACT PRINT\nCDIS, CSTR\n*END STEP\n";
    }
    s
}

/// Pearson correlation of two nodal maps.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// One nodal quantity from both codes, compared and printed; returns the relative deviations
/// (mean, total, peak, largest nodal difference / largest value) and the correlation.
struct Comparison {
    mean: f64,
    total: f64,
    peak: f64,
    nodal: f64,
    correlation: f64,
}

fn compare(label: &str, unit: &str, area: &[f64], ours: &[f64], ccx: &[f64]) -> Comparison {
    let total = |v: &[f64]| area.iter().zip(v).map(|(a, v)| a * v).sum::<f64>();
    let (m0, m1) = (area_mean(area, ours), area_mean(area, ccx));
    let (t0, t1) = (total(ours), total(ccx));
    let (p0, p1) = (largest(ours), largest(ccx));
    let nodal = largest_nodal_difference(ours, ccx);
    let c = Comparison {
        mean: (m0 / m1 - 1.0).abs(),
        total: (t0 / t1 - 1.0).abs(),
        peak: (p0 / p1 - 1.0).abs(),
        nodal,
        correlation: correlation(ours, ccx),
    };
    println!(
        "{label}: mean ours {m0:.4} / ccx {m1:.4} {unit} ({:+.2} %); Σ A·v ours {t0:.3} / ccx {t1:.3} ({:+.2} %); max ours {p0:.4} / ccx {p1:.4} {unit} ({:+.2} %); largest nodal difference {:.2} % of the max; correlation {:.5}",
        100.0 * (m0 / m1 - 1.0),
        100.0 * (t0 / t1 - 1.0),
        100.0 * (p0 / p1 - 1.0),
        100.0 * c.nodal,
        c.correlation
    );
    c
}

/// Mean over `nodes` of the displacement change between two states.
fn mean_change(nodes: &[usize], u1: &[[f64; 3]], u0: &[[f64; 3]]) -> [f64; 3] {
    let mut s = [0.0; 3];
    for &n in nodes {
        for k in 0..3 {
            s[k] += u1[n][k] - u0[n][k];
        }
    }
    s.map(|v| v / nodes.len() as f64)
}

#[test]
fn ccx_implant_pressure_and_micromotion() {
    let t = toy();
    let text = deck(&t);
    let start = std::time::Instant::now();
    let solution = ours(&t);
    let t_ours = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    let Some(dat) = run_ccx(&text, "implant") else {
        return;
    };
    let t_ccx = start.elapsed().as_secs_f64();
    let blocks = parse_dat(&dat);
    let table = |what: &str, time: f64| {
        dat_table(&blocks, what, time).unwrap_or_else(|| panic!("ccx table {what} at {time}"))
    };
    let (stress1, stress2) = (table("contact stress", 1.0), table("contact stress", 2.0));
    let (cdis1, cdis2) = (
        table("relative contact displacement", 1.0),
        table("relative contact displacement", 2.0),
    );
    let row = |b: &DatBlock, id: i64| b.rows.iter().find(|r| r.0 == id).map(|r| r.1.clone());

    // node by node over osteon's paired slave nodes (the 72 above the bone are unpaired in
    // both codes)
    let motion = node_motions(&[], &solution.steps, 1, Some(0)).expect("two steps");
    let (press, loaded) = (
        &solution.contact(0).expect("contact state").pairs[0],
        &solution.contact(1).expect("contact state").pairs[0],
    );
    let (mut area, mut ids) = (Vec::new(), Vec::new());
    let (mut p1, mut p2, mut mm) = ([vec![], vec![]], [vec![], vec![]], [vec![], vec![]]);
    let mut ccx_slipping = 0;
    let mut missing = Vec::new();
    for ((node, m), n0) in loaded.nodes.iter().zip(&motion).zip(&press.nodes) {
        let id = node.node_id;
        let (Some(s1), Some(s2), Some(d1), Some(d2)) = (
            row(stress1, id),
            row(stress2, id),
            row(cdis1, id),
            row(cdis2, id),
        ) else {
            missing.push(id);
            continue;
        };
        ids.push(id);
        area.push(node.area);
        p1[0].push(n0.pressure);
        p1[1].push(s1[0]);
        p2[0].push(node.pressure);
        p2[1].push(s2[0]);
        mm[0].push(1e3 * m.magnitude());
        mm[1].push(1e3 * (d2[1] - d1[1]).hypot(d2[2] - d1[2]));
        if s2[0] > 0.0 && s2[1].hypot(s2[2]) >= 0.999 * MU * s2[0] {
            ccx_slipping += 1;
        }
    }
    println!(
        "implant toy vs ccx (μ = {MU}, K = {SLOPE:e} MPa/mm, λ = {STICK:e} MPa/mm): {} slave nodes paired by osteon, {} in ccx's contact tables (missing {missing:?}); osteon {t_ours:.2} s, ccx {t_ccx:.2} s",
        loaded.nodes.len(),
        ids.len()
    );
    println!("node   pressure ours / ccx (MPa)   micromotion ours / ccx (µm)");
    for k in 0..ids.len() {
        println!(
            "{:>5}   {:>8.4} {:>8.4}          {:>8.3} {:>8.3}",
            ids[k], p2[0][k], p2[1][k], mm[0][k], mm[1][k]
        );
    }
    let fit = compare("press-fit pressure", "MPa", &area, &p1[0], &p1[1]);
    let pressure = compare("loaded pressure   ", "MPa", &area, &p2[0], &p2[1]);
    let micro = compare("micromotion       ", "µm", &area, &mm[0], &mm[1]);
    let ours_slipping = loaded.counts().2;
    println!(
        "slipping nodes under load: ours {ours_slipping}, ccx {ccx_slipping} (|τ| ≥ 0.999 μp) of {}",
        ids.len()
    );

    // implant top: mean displacement caused by the load
    let u_ccx = |time: f64| {
        let b = table("displacements", time);
        let mut s = [0.0; 3];
        for r in &b.rows {
            for (sk, v) in s.iter_mut().zip(&r.1) {
                *sk += v / b.rows.len() as f64;
            }
        }
        s
    };
    let (c1, c2) = (u_ccx(1.0), u_ccx(2.0));
    let top_ccx = [c2[0] - c1[0], c2[1] - c1[1], c2[2] - c1[2]];
    let top_ours = mean_change(
        &t.top,
        &solution.steps[1].displacement,
        &solution.steps[0].displacement,
    );
    let d_top = [0, 2].map(|k| (top_ours[k] / top_ccx[k] - 1.0).abs());
    println!(
        "implant top displacement under load: ours ({:.6}, {:.6}) mm, ccx ({:.6}, {:.6}) mm (x, z): deviation {:.2} %, {:.2} %",
        top_ours[0],
        top_ours[2],
        top_ccx[0],
        top_ccx[2],
        100.0 * d_top[0],
        100.0 * d_top[1]
    );

    // both micromotion maps, for ParaView
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/contact-implant");
    if std::fs::create_dir_all(&dir).is_ok() {
        let mesh = &t.model.mesh;
        let n = mesh.n_nodes();
        let mut fields = [vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]];
        for (k, node) in loaded
            .nodes
            .iter()
            .filter(|m| ids.contains(&m.node_id))
            .enumerate()
        {
            fields[0][node.node] = p2[0][k];
            fields[1][node.node] = p2[1][k];
            fields[2][node.node] = mm[0][k];
            fields[3][node.node] = mm[1][k];
        }
        let [a, b, c, d] = fields;
        let path = dir.join("micromotion_vs_ccx.vtu");
        let written = write_vtu(
            &path,
            mesh,
            &[
                ("contact_pressure_osteon", 1, a),
                ("contact_pressure_ccx", 1, b),
                ("micromotion_um_osteon", 1, c),
                ("micromotion_um_ccx", 1, d),
            ],
        );
        println!("maps: {} {:?}", path.display(), written.err());
    }

    assert!(
        missing.is_empty(),
        "slave nodes without ccx contact: {missing:?}"
    );
    for (name, c) in [
        ("press-fit pressure", &fit),
        ("loaded pressure", &pressure),
        ("micromotion", &micro),
    ] {
        assert!(
            c.mean < 0.03 && c.total < 0.03,
            "{name}: mean {:.4}, total {:.4}",
            c.mean,
            c.total
        );
        assert!(
            c.peak < 0.03 && c.nodal < 0.03 && c.correlation > 0.99,
            "{name}: peak {:.4}, nodal {:.4}, correlation {:.5}",
            c.peak,
            c.nodal,
            c.correlation
        );
    }
    assert!(ours_slipping > 0 && ours_slipping.abs_diff(ccx_slipping) <= 2);
    assert!(d_top[0] < 0.03 && d_top[1] < 0.03, "{d_top:?}");
}
