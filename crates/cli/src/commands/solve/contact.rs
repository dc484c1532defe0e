//! `osteon solve` on a deck with `*CONTACT PAIR`s: the frictional contact analysis
//! (osteon-contact, run by [`osteon::run::solve_input`]) instead of the linear path — one
//! log line per increment on stderr
//! (iterations, residual, nodes in contact / sticking / slipping, max penetration, max slip),
//! VTU/PVD with the contact fields, and the JSON summary with a `contact` section per step.

use std::path::Path;

use osteon_assembly::Model;
use osteon_io::summary::RunSummary;

use super::{SolveArgs, SolverArg};

/// Before the contact analysis: a note when `--solver` does not apply and, unless `quiet`,
/// one line per pair (slave nodes or faces, master faces, friction).
pub fn announce(args: &SolveArgs, quiet: bool, model: &Model) {
    if args.solver != SolverArg::Cholesky && !quiet {
        eprintln!(
            "note: --solver is ignored for contact: each Newton iteration uses the Cholesky factorisation (symbolic analysis reused) and GMRES for the slip tangent"
        );
    }
    if !quiet {
        eprintln!(
            "contact: {} pair(s), {} step(s); one line per increment",
            model.contact_pairs.len(),
            model.load_cases.len()
        );
        for pair in &model.contact_pairs {
            let friction = pair
                .interaction
                .friction
                .map_or_else(|| "frictionless".to_string(), |f| format!("μ = {}", f.mu));
            let slave = match &pair.slave_nodes {
                Some(nodes) => format!("{} slave nodes", nodes.len()),
                None => format!("{} slave faces", pair.slave_faces.len()),
            };
            eprintln!(
                "  pair {}: {slave} on {} master faces, {friction}",
                pair.name,
                pair.master_faces.len()
            );
        }
    }
}

/// The contact results of each step: increments, pairs, micromotion, reactions; then the
/// footer shared with the linear run.
pub fn print_results(
    summary: &RunSummary,
    written: &[std::path::PathBuf],
    json: &Path,
    quiet: bool,
) {
    for case in &summary.cases {
        let Some(contact) = &case.contact else {
            continue;
        };
        let node = case
            .max_displacement_node_id
            .map_or_else(|| "-".to_string(), |id| id.to_string());
        println!(
            "step {}: max |u| = {:.6e} mm at node {node}; {} increment(s), {} iteration(s), final |r| {:.2e} N",
            case.name,
            case.max_displacement_mm,
            contact.increments,
            contact.iterations,
            contact.final_residual_n
        );
        for p in &contact.pairs {
            let f = p.friction_force_n;
            println!(
                "  pair {:<20} contact {:>5} (stick {}, slip {})  N = {:.6e} N  friction ({:+.4e}, {:+.4e}, {:+.4e}) N  |F_t|/N = {:.4}  max p = {:.4e} MPa",
                p.name,
                p.nodes_in_contact,
                p.sticking,
                p.slipping,
                p.normal_force_n,
                f[0],
                f[1],
                f[2],
                p.friction_to_normal_ratio,
                p.max_pressure_mpa
            );
        }
        let motion = &contact.micromotion;
        print_micromotion(&motion.all);
        if motion.interfaces.len() > 1 {
            motion.interfaces.iter().for_each(print_micromotion);
        }
        for (set, f) in &case.reaction_sums_n {
            println!(
                "  reaction on {set:<16} ({:+.6e}, {:+.6e}, {:+.6e}) N",
                f[0], f[1], f[2]
            );
        }
        println!(
            "  equilibrium error       {:.3e} N",
            case.equilibrium_error_n
        );
    }
    super::print_footer(summary, written, json, quiet);
}

/// One interface's micromotion (relative to the unloaded state) on two lines.
fn print_micromotion(m: &osteon_assembly::contact::MotionStatistics) {
    let b = m.bands.as_array().map(|f| 100.0 * f);
    println!(
        "  micromotion [{}] max {:.2} µm  mean {:.2} µm  p95 {:.2} µm  (normal: max {:.2} µm, mean {:+.2} µm)",
        m.interface, m.max_um, m.mean_um, m.p95_um, m.normal_max_um, m.normal_mean_um
    );
    println!(
        "    area {:.4} mm²: <28 µm {:.1} %, 28–40 {:.1} %, 40–50 {:.1} %, 50–100 {:.1} %, 100–150 {:.1} %, >150 µm {:.1} %; stick {:.1} %, slip {:.1} %, open {:.1} %{}",
        m.area_mm2,
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        b[5],
        100.0 * m.status.stick,
        100.0 * m.status.slip,
        100.0 * m.status.open,
        m.utilisation_mean.map_or_else(String::new, |u| format!(
            "; friction utilisation τ/(μp) mean {u:.3}"
        ))
    );
}
