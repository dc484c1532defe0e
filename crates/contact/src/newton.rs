//! One load increment: Newton iterations on the reduced system, wrapped in augmented-Lagrangian
//! (Uzawa) updates of the hard-contact pressures.
//!
//! Residual (reduced unknowns x, raw displacements u = T x + g):
//!
//! r(x) = Tᵀ f_ext(λ) − K x − Tᵀ K g(λ) − Tᵀ f_c(u),
//!
//! with f_c = Σ_s A_s Bᵀ(−p n + t) the contact forces. Each iteration evaluates the contact
//! law at every slave node from the history of the last converged increment, assembles
//! K_T = K + Σ A Bᵀ D B into the fixed extended pattern, factorises it (numeric phase only;
//! the symbolic analysis is reused) and solves K_T Δx = r.
//!
//! Converged when ‖r‖₂ ≤ tol × max(‖Tᵀ f_ext‖, ‖K x + Tᵀ K g‖, ‖f_c‖) **and** no slave node
//! changed status (open/stick/slip) in the last iteration, so a converged increment never
//! hides stick/slip chattering; or, with the status unchanged, when the last correction is
//! below `correction_tolerance` of the largest unknown and the residual below
//! `stalled_residual_tolerance` × the scale (the displacement has converged while the
//! residual stalls at a few slipping nodes). After the first few iterations (the active-set
//! search), a Newton step that does not lower ‖r‖ is cut back to the best of ½ and ¼: slipping
//! nodes that chatter between two states otherwise hold the iterations in a cycle (the
//! study's frictional flange in one design of the coarse sweep: 40 iterations, the residual
//! stalled at 3e-3 of the force scale; with the safeguard it converges in a few). Then, for
//! hard contact, if the largest penetration exceeds the tolerance, the multipliers are
//! updated λ_N ← p and Newton runs again.

use nalgebra::Vector3;
use rayon::prelude::*;

use osteon_assembly::{AssemblyError, ElasticOperator};
use osteon_solver::fgmres;

use crate::condensed::{Condensed, apply_terms};
use crate::constitutive::{ContactStatus, History, LawParameters, Response, evaluate};
use crate::error::WorstNode;
use crate::kinematics::{Kinematics, kinematics};
use crate::linear::NewtonSolver;
use crate::pairing::ContactNode;
use crate::results::ContactTimings;
use crate::system::{NewtonSystem, add_contact_forces, apply_coupling, term_matrices};

/// Loads and prescribed displacements of a step at its start and end.
pub(crate) struct StepLoads {
    /// Reduced external loads at the start and the end of the step (N).
    pub f: [Vec<f64>; 2],
    /// Reduced Tᵀ K g at the start and the end (N).
    pub kg: [Vec<f64>; 2],
    /// Raw prescribed displacement vectors at the start and the end (mm).
    pub g: [Vec<f64>; 2],
    /// Scale geometric interference by the step fraction (first step).
    pub ramp_interference: bool,
}

fn lerp(a: &[f64], b: &[f64], s: f64) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + s * (y - x)).collect()
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Everything Newton needs besides the system.
pub(crate) struct NewtonContext<'a> {
    pub op: &'a ElasticOperator<'a>,
    pub contacts: &'a [ContactNode],
    pub pair_names: &'a [String],
    pub max_iterations: usize,
    pub tolerance: f64,
    pub correction_tolerance: f64,
    pub stalled_residual_tolerance: f64,
    pub max_augmentations: usize,
    pub consistent: bool,
}

/// A converged increment.
pub(crate) struct IncrementOutcome {
    pub responses: Vec<Response>,
    pub kinematics: Vec<Kinematics>,
    pub iterations: usize,
    pub augmentations: usize,
    pub residuals: Vec<f64>,
    pub force_scale: f64,
    pub penetration_ok: bool,
}

/// A failed attempt.
pub(crate) struct IncrementFailure {
    pub reason: String,
    pub residuals: Vec<f64>,
    pub force_scale: f64,
    pub worst: Vec<WorstNode>,
    /// (node id, direction) when the Newton matrix was singular.
    pub singular: Option<(i64, &'static str)>,
}

/// Effective initial gap of a node at step fraction `s`.
fn gap0(node: &ContactNode, s: f64, ramp: bool) -> f64 {
    if ramp && node.gap0 < 0.0 {
        node.gap0 * s
    } else {
        node.gap0
    }
}

/// Evaluate every contact node at raw displacements `u`.
fn evaluate_all(
    ctx: &NewtonContext,
    u: &[f64],
    history: &[History],
    s: f64,
    ramp: bool,
) -> (Vec<Kinematics>, Vec<Response>) {
    ctx.contacts
        .par_iter()
        .zip(history.par_iter())
        .map(|(c, h)| {
            let kin = kinematics(c, u, gap0(c, s, ramp));
            let law = LawParameters {
                normal: c.normal,
                k_normal: c.k_normal,
                k_tangent: c.k_tangent,
                mu: c.mu,
                touch_tolerance: 1e-8 * c.thickness,
            };
            (kin, evaluate(&law, &kin, h))
        })
        .unzip()
}

/// Solve the increment ending at step fraction `s`; `x` holds the start value and receives
/// the converged solution. `history` is the committed history (its multipliers are the
/// starting point of the augmentation).
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve_increment(
    ctx: &NewtonContext,
    sys: &mut NewtonSystem,
    solver: &mut NewtonSolver<'_>,
    loads: &StepLoads,
    s: f64,
    x: &mut [f64],
    history: &[History],
    timings: &mut ContactTimings,
) -> Result<IncrementOutcome, IncrementFailure> {
    let f = lerp(&loads.f[0], &loads.f[1], s);
    let kg = lerp(&loads.kg[0], &loads.kg[1], s);
    let g = lerp(&loads.g[0], &loads.g[1], s);
    let mut hist = history.to_vec();
    let mut iterations = 0;
    let mut augmentations = 0;
    loop {
        let (kin, responses, residuals, force_scale, its) = newton(
            ctx,
            sys,
            solver,
            &f,
            &kg,
            &g,
            s,
            loads.ramp_interference,
            x,
            &hist,
            history,
            timings,
        )?;
        iterations += its;
        // augmented Lagrangian: largest penetration beyond tolerance at hard-contact nodes
        let mut excess = false;
        for ((c, k), r) in ctx.contacts.iter().zip(&kin).zip(&responses) {
            if c.augmented && r.status != ContactStatus::Open && -k.gap > c.penetration_tolerance {
                excess = true;
                break;
            }
        }
        if !excess || augmentations >= ctx.max_augmentations {
            return Ok(IncrementOutcome {
                responses,
                kinematics: kin,
                iterations,
                augmentations,
                residuals,
                force_scale,
                penetration_ok: !excess,
            });
        }
        augmentations += 1;
        for ((h, c), r) in hist.iter_mut().zip(ctx.contacts).zip(&responses) {
            if c.augmented {
                h.multiplier = r.pressure;
            }
        }
    }
}

/// Newton iterations taken at full step before the residual-decrease safeguard starts.
const LINE_SEARCH_AFTER: usize = 5;

/// The Newton residual at one iterate: the contact state, `r = f − (K x + Tᵀ K g) − f_c`
/// and the force scale of the convergence test.
struct Evaluation {
    kin: Vec<Kinematics>,
    responses: Vec<Response>,
    r: Vec<f64>,
    scale: f64,
    /// The reduced contact forces.
    fc: Vec<f64>,
}

/// Evaluates the contact law and the residual at `x` (`kx` receives `K x`). Condensed
/// (`Some((state, s))`, `s` = `S_K δ_C` at `x`): the residual of the interface equations,
/// with the interior in equilibrium, and no product with `K`.
#[allow(clippy::too_many_arguments)]
fn evaluate_residual(
    ctx: &NewtonContext,
    sys: &NewtonSystem,
    x: &[f64],
    f: &[f64],
    kg: &[f64],
    g: &[f64],
    hist: &[History],
    s: f64,
    ramp: bool,
    kx: &mut [f64],
    condensed: Option<(&Condensed, &[f64])>,
) -> Evaluation {
    let u = sys.dofs().expand(x, g);
    let (kin, responses) = evaluate_all(ctx, &u, hist, s, ramp);
    let mut fc_raw = vec![0.0; u.len()];
    add_contact_forces(ctx.contacts, &responses, &mut fc_raw);
    let fc = sys.dofs().reduce(&fc_raw);
    if let Some((state, s_k)) = condensed {
        let r = state.residual(s_k, &fc);
        let scale = norm2(f)
            .max(state.internal_norm(f, &fc, &r))
            .max(norm2(&fc_raw));
        return Evaluation {
            kin,
            responses,
            r,
            scale,
            fc,
        };
    }
    sys.system.matrix().mul_vec(x, kx);
    let internal: Vec<f64> = kx.iter().zip(kg).map(|(a, b)| a + b).collect();
    let r = (0..x.len()).map(|i| f[i] - internal[i] - fc[i]).collect();
    let scale = norm2(f).max(norm2(&internal)).max(norm2(&fc_raw));
    Evaluation {
        kin,
        responses,
        r,
        scale,
        fc,
    }
}

type NewtonResult = (Vec<Kinematics>, Vec<Response>, Vec<f64>, f64, usize);

/// Newton iterations at step fraction `s` from `x` (which receives the converged value).
///
/// With the interface solver, the iterations after the first factorisation run condensed
/// onto the contact unknowns ([`crate::condensed`]): the residual, the step and the line
/// search's trials on the interface alone, the interior substituted once when the run ends.
/// The iterates are those of the whole system's Newton from the first step on; only the
/// interior's equilibrium at the start (which the whole system's first step restores) is
/// not re-evaluated.
#[allow(clippy::too_many_arguments)]
fn newton(
    ctx: &NewtonContext,
    sys: &mut NewtonSystem,
    solver: &mut NewtonSolver<'_>,
    f: &[f64],
    kg: &[f64],
    g: &[f64],
    s: f64,
    ramp: bool,
    x: &mut [f64],
    hist: &[History],
    committed: &[History],
    timings: &mut ContactTimings,
) -> Result<NewtonResult, IncrementFailure> {
    let n = x.len();
    let mut residuals = Vec::new();
    let mut previous: Vec<ContactStatus> = committed.iter().map(|h| h.status).collect();
    let mut kx = vec![0.0; n];
    let mut dx = vec![0.0; n];
    let mut solves = 0;
    let mut last_correction = f64::INFINITY;
    // the line search's accepted trial, already evaluated at the new iterate
    let mut accepted: Option<Evaluation> = None;
    // the condensed state, from the first factorisation of the interface solver on; the
    // whole iterate of the last stalled-rule check (after that many solves); the last
    // step's length (the step is `alpha · dx`)
    let mut condensed: Option<Condensed> = None;
    let mut whole_checked: Option<(usize, Vec<f64>)> = None;
    let mut last_alpha = 0.0;
    loop {
        let t = std::time::Instant::now();
        let Evaluation {
            kin,
            responses,
            r,
            scale,
            fc,
        } = match accepted.take() {
            Some(e) => e,
            None => evaluate_residual(
                ctx,
                sys,
                x,
                f,
                kg,
                g,
                hist,
                s,
                ramp,
                &mut kx,
                condensed.as_ref().map(|c| (c, c.s.as_slice())),
            ),
        };
        let res = norm2(&r);
        residuals.push(res);
        let changed: Vec<usize> = (0..responses.len())
            .filter(|&k| responses[k].status != previous[k])
            .collect();
        timings.contact += t.elapsed().as_secs_f64();
        let fail =
            |sys: &NewtonSystem, reason: String, residuals: Vec<f64>, singular| IncrementFailure {
                worst: worst_nodes(ctx, sys, &r, &previous, &responses),
                reason,
                residuals,
                force_scale: scale,
                singular,
            };
        // substituting the interior unknowns of a condensed run failed
        let substitution_failed =
            |sys: &NewtonSystem, e: osteon_solver::SolverError, residuals: &mut Vec<f64>| {
                let reason = format!("the interior substitution failed: {e}");
                fail(sys, reason, std::mem::take(residuals), None)
            };
        if !res.is_finite() {
            return Err(fail(
                sys,
                "the residual is not finite".into(),
                residuals,
                None,
            ));
        }
        let converged = changed.is_empty() && res <= ctx.tolerance * scale.max(f64::MIN_POSITIVE);
        // a converged displacement: the last correction, taken with the same contact state,
        // moved no unknown by more than `correction_tolerance` × the largest one, and the
        // residual is small. Observed on the study's frictional flange at 3 mm: with the
        // state fixed, the residual at ten slipping flange nodes fell by only 0.9 an
        // iteration from 1e-5 of the force scale while the corrections were 1e-8 of the
        // largest displacement (and the GMRES solves of the consistent tangent converged).
        // Condensed, the correction and the largest unknown are those of the whole iterate,
        // interior substituted (a backward substitution each: only where the other
        // conditions hold, and the iterate of the last such check is kept for the next).
        let mut whole_now: Option<Vec<f64>> = None;
        let stalled = !converged
            && changed.is_empty()
            && solves > 0
            && res <= ctx.stalled_residual_tolerance * scale.max(f64::MIN_POSITIVE)
            && match (&condensed, solver.interface_mut()) {
                (Some(c), Some(interface)) => {
                    let t = std::time::Instant::now();
                    let kept = whole_checked
                        .take()
                        .and_then(|(k, whole)| (k + 1 == solves).then_some(whole));
                    let checked = c.whole_and_correction(interface, x, kept, &dx, last_alpha);
                    timings.solve += t.elapsed().as_secs_f64();
                    let (now, correction) =
                        checked.map_err(|e| substitution_failed(sys, e, &mut residuals))?;
                    let stalled = correction <= ctx.correction_tolerance * norm_inf(&now);
                    if stalled {
                        whole_now = Some(now);
                    } else {
                        whole_checked = Some((solves, now));
                    }
                    stalled
                }
                _ => last_correction <= ctx.correction_tolerance * norm_inf(x),
            };
        if converged || stalled {
            if let (Some(c), Some(interface)) = (condensed.take(), solver.interface_mut()) {
                let t = std::time::Instant::now();
                let whole = match whole_now.take() {
                    Some(whole) => Ok(whole),
                    None => c.whole(interface, x),
                };
                timings.solve += t.elapsed().as_secs_f64();
                let whole = whole.map_err(|e| substitution_failed(sys, e, &mut residuals))?;
                x.copy_from_slice(&whole);
            }
            return Ok((kin, responses, residuals, scale, solves));
        }
        if solves >= ctx.max_iterations {
            let reason = if changed.is_empty() {
                format!(
                    "the residual did not fall below {:.1e} × the force scale in {} iterations",
                    ctx.tolerance, solves
                )
            } else {
                format!(
                    "the contact state still changes after {} iterations ({} nodes changed status in the last one: stick/slip or open/closed chattering)",
                    solves,
                    changed.len()
                )
            };
            return Err(fail(sys, reason, residuals, None));
        }
        if solves >= 6 && res > 1e6 * residuals[0].max(scale) {
            return Err(fail(
                sys,
                format!(
                    "the iterations diverge (‖r‖ grew from {:.3e} to {:.3e} N)",
                    residuals[0], res
                ),
                residuals,
                None,
            ));
        }
        // Newton step: the symmetric tangent, and the consistent slip coupling (held by
        // the interface update exactly, else resolved by GMRES around the factorisation)
        // (condensed, the terms alone: the matrix differs from the reference in them only)
        let t = std::time::Instant::now();
        if condensed.is_none() {
            sys.assemble_tangent(ctx.contacts, &responses);
        }
        let (symmetric, coupling) = term_matrices(ctx.contacts, &responses, ctx.consistent);
        timings.contact += t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let factorised = match (&condensed, solver.interface_mut()) {
            (Some(_), Some(interface)) => interface
                .factorise_interface_terms(&symmetric, &coupling)
                .map(|()| true),
            _ => solver.factorise_terms(&sys.tangent, &symmetric, &coupling),
        };
        let absorbed = match factorised {
            Ok(absorbed) => absorbed,
            Err(e) => {
                timings.factorise += t.elapsed().as_secs_f64();
                let reason = format!("the Newton matrix could not be factorised: {e}");
                let singular = match sys.system.explain(ctx.op, e) {
                    AssemblyError::Singular {
                        node_id, direction, ..
                    } => Some((node_id, direction)),
                    _ => None,
                };
                return Err(fail(sys, reason, residuals, singular));
            }
        };
        timings.factorise += t.elapsed().as_secs_f64();
        timings.factorisations += 1;
        let t = std::time::Instant::now();
        // the first factorisation of the interface solver: condense the run onto the
        // interface, and restate the residual as the interface equations' (the interior
        // is then in equilibrium, as after a step of the whole system)
        let mut restated = None;
        if condensed.is_none()
            && let Some(interface) = solver.interface_mut()
        {
            match Condensed::new(interface, x, f, kg, &kx) {
                Ok(c) => {
                    let s0 = vec![0.0; c.interface().len()];
                    restated = Some(c.residual(&s0, &fc));
                    condensed = Some(c);
                }
                Err(e) => {
                    return Err(fail(
                        sys,
                        format!("the condensation on the interface failed: {e}"),
                        residuals,
                        None,
                    ));
                }
            }
        }
        let r_step = restated.as_deref().unwrap_or(&r);
        // the step, and condensed its S_K Δ_C
        let mut schur_step = None;
        if let (Some(c), Some(interface)) = (&condensed, solver.interface_mut()) {
            let mut y: Vec<f64> = c.interface().iter().map(|&i| r_step[i]).collect();
            if let Err(e) = interface.solve_interface(&mut y) {
                return Err(fail(
                    sys,
                    format!("the linear solve failed: {e}"),
                    residuals,
                    None,
                ));
            }
            dx.fill(0.0);
            for (&i, v) in c.interface().iter().zip(&y) {
                dx[i] = *v;
            }
            let mut j_dx = vec![0.0; n];
            apply_terms(&sys.rows, &symmetric, &coupling, &dx, &mut j_dx);
            schur_step = Some(c.schur_step(r_step, &j_dx));
            timings.condensed_solves += 1;
        } else {
            if let Err(e) = solver.solve(&sys.tangent, &r, &mut dx) {
                return Err(fail(
                    sys,
                    format!("the linear solve failed: {e}"),
                    residuals,
                    None,
                ));
            }
            // the coupling the interface update did not hold, by GMRES around the
            // factorisation
            let terms = if absorbed || !ctx.consistent {
                Vec::new()
            } else {
                sys.coupling_terms(ctx.contacts, &responses)
            };
            if !terms.is_empty() {
                let tangent = &sys.tangent;
                let report = fgmres(
                    |v, out| {
                        tangent.mul_vec(v, out);
                        apply_coupling(&terms, v, out);
                    },
                    |v, out| solver.solve(tangent, v, out).map(|_| ()),
                    &r,
                    &mut dx,
                    1e-10,
                    40,
                    40,
                );
                match report {
                    Ok(rep) => timings.gmres_iterations += rep.iterations,
                    Err(e) => {
                        return Err(fail(
                            sys,
                            format!("the linear solve failed: {e}"),
                            residuals,
                            None,
                        ));
                    }
                }
            }
        }
        timings.solve += t.elapsed().as_secs_f64();
        timings.solves += 1;
        solves += 1;
        // S_K δ_C at the trial x + α dx
        let s_at = |alpha: f64| -> Option<Vec<f64>> {
            let (c, step) = (condensed.as_ref()?, schur_step.as_ref()?);
            Some(c.s.iter().zip(step).map(|(a, d)| a + alpha * d).collect())
        };
        // globalisation: once the active-set search has had its first iterations, a step
        // that does not lower ‖r‖ is cut back (the best of 1, ½, ¼), so that statuses
        // chattering between two states cannot hold the iterations in a cycle
        let alpha = if solves > LINE_SEARCH_AFTER {
            let t = std::time::Instant::now();
            let mut best: Option<(f64, f64, Evaluation)> = None;
            for alpha in [1.0, 0.5, 0.25] {
                let trial: Vec<f64> = x.iter().zip(&dx).map(|(a, d)| a + alpha * d).collect();
                let s_trial = s_at(alpha);
                let e = evaluate_residual(
                    ctx,
                    sys,
                    &trial,
                    f,
                    kg,
                    g,
                    hist,
                    s,
                    ramp,
                    &mut kx,
                    condensed.as_ref().zip(s_trial.as_deref()),
                );
                let rt = norm2(&e.r);
                let lowers = rt < res;
                if rt < best.as_ref().map_or(f64::INFINITY, |b| b.0) {
                    best = Some((rt, alpha, e));
                }
                if lowers {
                    break;
                }
            }
            timings.contact += t.elapsed().as_secs_f64();
            match best {
                Some((_, alpha, e)) => {
                    accepted = Some(e);
                    alpha
                }
                None => 1.0,
            }
        } else {
            1.0
        };
        if let Some(s_new) = s_at(alpha)
            && let Some(c) = condensed.as_mut()
        {
            c.s = s_new;
        }
        last_correction = alpha * norm_inf(&dx);
        last_alpha = alpha;
        for (xi, d) in x.iter_mut().zip(&dx) {
            *xi += alpha * d;
        }
        previous = responses.iter().map(|r| r.status).collect();
    }
}

/// The five nodes with the largest out-of-balance force, with their contact status change.
fn worst_nodes(
    ctx: &NewtonContext,
    sys: &NewtonSystem,
    r: &[f64],
    previous: &[ContactStatus],
    responses: &[Response],
) -> Vec<WorstNode> {
    let mut per_node: std::collections::HashMap<usize, Vector3<f64>> = Default::default();
    for (i, &v) in r.iter().enumerate() {
        let raw = sys.dofs().free_to_raw(i);
        per_node.entry(raw / 3).or_insert_with(Vector3::zeros)[raw % 3] = v;
    }
    let mut list: Vec<(usize, f64)> = per_node.into_iter().map(|(n, v)| (n, v.norm())).collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1));
    list.truncate(5);
    list.into_iter()
        .map(|(node, residual)| {
            let contact = ctx
                .contacts
                .iter()
                .position(|c| c.slave == node)
                .map(|k| {
                    let name = ctx
                        .pair_names
                        .get(ctx.contacts[k].pair)
                        .map_or("?", |s| s.as_str());
                    format!(
                        "slave of '{}', {}→{}",
                        name,
                        previous[k].name(),
                        responses[k].status.name()
                    )
                })
                .unwrap_or_default();
            WorstNode {
                node_id: ctx.op.mesh().node_ids[node],
                residual,
                contact,
            }
        })
        .collect()
}
