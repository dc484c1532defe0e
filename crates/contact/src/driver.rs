//! The analysis driver: pairing, then step by step — system set-up (once per constraint set:
//! DOF map, extended pattern, K, symbolic analysis), load increments with step cutting,
//! commitment of the contact history, step results.

use std::time::Instant;

use nalgebra::Vector3;

use osteon_assembly::contact::{ContactState, IncrementLog, NodeResult, PairResult};
use osteon_assembly::{
    AssemblyError, DirichletBc, DofState, ElasticOperator, Event, LoadCase, Observer, Phase,
    Silent, StepDiagnostics, timed,
};
use osteon_solver::SolverError;

use crate::constitutive::{ContactStatus, History, Response};
use crate::definition::{ContactProblem, SlipTangent};
use crate::error::{ContactError, NonConvergence};
use crate::kinematics::Kinematics;
use crate::linear::{FactorCache, InterfaceCounts, NewtonSolver};
use crate::newton::{
    IncrementFailure, IncrementOutcome, NewtonContext, StepLoads, solve_increment,
};
use crate::pairing::{ContactNode, pair_nodes};
use crate::results::{ContactSolution, ContactTimings};
use crate::system::{NewtonSystem, add_contact_forces};

/// Solve a frictional contact problem step by step, on the rayon pool the caller runs in
/// (see [`ContactOptions::threads`](crate::ContactOptions::threads)).
///
/// # Errors
/// [`ContactError::InvalidPair`]/[`ContactError::NoContactNodes`] for ill-defined pairs,
/// [`ContactError::Assembly`] for model errors, [`ContactError::Singular`] when a part is held
/// by nothing, and [`ContactError::NotConverged`] (increment, residual history, worst nodes)
/// when an increment cannot be converged even at the minimum increment size.
pub fn solve_contact(problem: &ContactProblem) -> Result<ContactSolution, ContactError> {
    solve_contact_observed(problem, &mut Silent)
}

/// [`solve_contact`] reporting to `observer`: the setup, analyse and recover phases, every
/// converged increment ([`Event::Increment`]) and every cut-back ([`Event::Cutback`]).
pub fn solve_contact_observed(
    problem: &ContactProblem,
    observer: &mut dyn Observer,
) -> Result<ContactSolution, ContactError> {
    solve_contact_cached(problem, observer, &mut FactorCache::new())
}

/// [`solve_contact_observed`] with a [`FactorCache`] kept across analyses: a Newton system
/// whose pattern and contact unknowns match the cached solver's reuses its symbolic analysis
/// and, where the stiffness outside the contact block is unchanged, its factorisation of the
/// interiors (checked entry by entry, so the result is that of a fresh analysis to
/// round-off). The last system's solver is left in the cache.
///
/// # Errors
/// As [`solve_contact`].
pub fn solve_contact_cached(
    problem: &ContactProblem,
    observer: &mut dyn Observer,
    cache: &mut FactorCache,
) -> Result<ContactSolution, ContactError> {
    let o = &problem.options;
    if problem.steps.is_empty() {
        return Err(ContactError::InvalidProblem {
            detail: "no steps: give at least one step (load case)".into(),
        });
    }
    if o.max_iterations == 0 || !(o.residual_tolerance > 0.0 && o.residual_tolerance < 1.0) {
        return Err(ContactError::InvalidProblem {
            detail: format!(
                "max_iterations ({}) must be ≥ 1 and residual_tolerance ({}) in (0, 1)",
                o.max_iterations, o.residual_tolerance
            ),
        });
    }
    let in_unit = |t: f64| (0.0..1.0).contains(&t);
    if !(in_unit(o.correction_tolerance) && in_unit(o.stalled_residual_tolerance)) {
        return Err(ContactError::InvalidProblem {
            detail: format!(
                "correction_tolerance ({}) and stalled_residual_tolerance ({}) must be in [0, 1) (0 turns the correction criterion off)",
                o.correction_tolerance, o.stalled_residual_tolerance
            ),
        });
    }
    for (k, step) in problem.steps.iter().enumerate() {
        let c = step.increments;
        if !(c.initial > 0.0
            && c.initial <= 1.0
            && c.minimum > 0.0
            && c.minimum <= c.initial
            && c.maximum >= c.initial)
        {
            return Err(ContactError::InvalidProblem {
                detail: format!("step {} has an invalid increment control {c:?}", k + 1),
            });
        }
    }
    run(problem, observer, cache)
}

fn run(
    problem: &ContactProblem,
    observer: &mut dyn Observer,
    cache: &mut FactorCache,
) -> Result<ContactSolution, ContactError> {
    let start = Instant::now();
    let model = problem.model;
    let options = &problem.options;
    let mut timings = ContactTimings::default();
    let (op, (contacts, pairing)) = timed(
        observer,
        Phase::Setup,
        "pairing",
        &mut timings.pairing,
        || -> Result<_, ContactError> {
            Ok((
                ElasticOperator::new(model)?,
                pair_nodes(model, &model.contact_pairs)?,
            ))
        },
    )?;
    let pair_names: Vec<String> = model.contact_pairs.iter().map(|p| p.name.clone()).collect();
    let n_raw = 3 * model.mesh.n_nodes();
    let mut u = vec![0.0; n_raw];
    let mut history = vec![History::default(); contacts.len()];
    let mut f_previous = vec![0.0; n_raw];
    // the Newton system, its solver, and the solver's interface counts when it came (a
    // cached solver's earlier updates belong to earlier analyses)
    let mut system: Option<(NewtonSystem, NewtonSolver, InterfaceCounts)> = None;
    let mut steps = Vec::with_capacity(problem.steps.len());
    let ctx = NewtonContext {
        op: &op,
        contacts: &contacts,
        pair_names: &pair_names,
        max_iterations: options.max_iterations,
        tolerance: options.residual_tolerance,
        correction_tolerance: options.correction_tolerance,
        stalled_residual_tolerance: options.stalled_residual_tolerance,
        max_augmentations: options.max_augmentations,
        consistent: options.slip_tangent == SlipTangent::Consistent,
    };
    for (k, step) in problem.steps.iter().enumerate() {
        let step_number = k + 1;
        let boundary = model.boundary_of(step);
        if system
            .as_ref()
            .is_none_or(|(s, _, _)| !s.system.serves(&boundary))
        {
            if let Some((_, old, before)) = system.take() {
                // free the old matrices and factor first
                old.add_counts(&mut timings, before);
            }
            let sys = match cache.take_system(&op, &boundary, &contacts) {
                Some(kept) => {
                    timings.systems_reused += 1;
                    kept
                }
                None => timed(
                    observer,
                    Phase::Setup,
                    &step.name,
                    &mut timings.setup,
                    || NewtonSystem::new(&op, &boundary, &contacts),
                )?,
            };
            let fresh = NewtonSolver::new(options, &sys, &contacts, &model.mesh.coords)
                .map_err(|e| singular(&op, &sys, e, step_number))?;
            let (mut solver, analysed) = match cache.take_matching(&fresh, &sys.tangent) {
                Some(cached) => (cached, true),
                None => (fresh, false),
            };
            let updates_before = solver.interface_counts();
            if !analysed {
                timed(
                    observer,
                    Phase::Analyse,
                    &step.name,
                    &mut timings.analyse,
                    || {
                        solver
                            .linear()
                            .analyse(&sys.tangent, Some(sys.dofs().groups()))
                    },
                )
                .map_err(|e| singular(&op, &sys, e, step_number))?;
            }
            timings.interface_unknowns = solver.interface_counts().unknowns;
            system = Some((sys, solver, updates_before));
        }
        let Some((sys, solver, _)) = system.as_mut() else {
            continue;
        };
        if options.steps_from_unloaded {
            u.fill(0.0);
            f_previous.fill(0.0);
            history.fill(History::default());
        }
        let ramp = (k == 0 || options.steps_from_unloaded) && options.ramp_interference;
        // the applied loads, and with a coupled support its reaction: the loads of the solve
        let case_loads = op.case_loads(step)?;
        let f_end = case_loads.total();
        let loads = step_loads(&op, sys, &boundary, &u, &f_previous, &f_end, ramp)?;
        let mut x: Vec<f64> = (0..sys.dofs().n_free())
            .map(|i| u[sys.dofs().free_to_raw(i)])
            .collect();
        let (logs, last) = run_increments(
            &ctx,
            sys,
            &loads,
            step,
            step_number,
            Work {
                solver,
                x: &mut x,
                history: &mut history,
                timings: &mut timings,
                observer: &mut *observer,
            },
        )?;
        // end of step: raw displacements, reactions (with the contact forces), fields
        u = sys.system.expand(&x, &loads.g[1]);
        let (kin, responses) = last.unwrap_or_default();
        let mut f_contact = vec![0.0; u.len()];
        add_contact_forces(&contacts, &responses, &mut f_contact);
        let mut solution = sys.system.step_solution(
            &op,
            &step.name,
            &u,
            &case_loads.applied,
            case_loads.support.as_deref(),
            Some(&f_contact),
        )?;
        if options.recover {
            solution.fields = timed(
                observer,
                Phase::Recover,
                &step.name,
                &mut timings.recover,
                || op.recover(&u),
            )?;
        }
        solution.diagnostics = StepDiagnostics {
            relative_residual: logs.last().map_or(0.0, |l: &IncrementLog| {
                l.residuals.last().copied().unwrap_or(0.0) / l.force_scale.max(f64::MIN_POSITIVE)
            }),
            linear_iterations: 0,
            newton_iterations: logs.iter().map(|l| l.iterations).sum(),
            increments: logs.len(),
        };
        solution.contact = Some(ContactState {
            pairs: pair_results(&op, &contacts, &pair_names, &kin, &responses, &history),
            increments: logs,
        });
        steps.push(solution);
        f_previous = f_end;
    }
    let n_unknowns = system.as_ref().map_or(0, |(s, _, _)| s.dofs().n_free());
    if let Some((sys, solver, before)) = system {
        solver.add_counts(&mut timings, before);
        cache.keep(solver);
        cache.keep_system(sys);
    }
    timings.total = start.elapsed().as_secs_f64();
    Ok(ContactSolution {
        steps,
        pairing,
        timings,
        n_unknowns,
    })
}

/// The mutable state the increments of a step work on: the solver, the reduced unknowns, the
/// contact history, the timings and the observer.
struct Work<'s, 'f> {
    solver: &'s mut NewtonSolver<'f>,
    x: &'s mut Vec<f64>,
    history: &'s mut [History],
    timings: &'s mut ContactTimings,
    observer: &'s mut dyn Observer,
}

/// The converged increments of one step and the contact state of the last.
type StepIncrements = (Vec<IncrementLog>, Option<(Vec<Kinematics>, Vec<Response>)>);

/// Load increments through one step with the step's increment control: grow the size by 1.5
/// after an easy increment, cut it by 4 on failure down to the minimum, commit the contact
/// history of every converged increment.
fn run_increments(
    ctx: &NewtonContext<'_>,
    sys: &mut NewtonSystem,
    loads: &StepLoads,
    step: &LoadCase,
    step_number: usize,
    w: Work<'_, '_>,
) -> Result<StepIncrements, ContactError> {
    let control = step.increments;
    let (mut fraction, mut size) = (0.0f64, control.initial);
    let (mut increment, mut cutbacks) = (0usize, 0usize);
    let mut logs = Vec::new();
    let mut last: Option<(Vec<Kinematics>, Vec<Response>)> = None;
    while fraction < 1.0 - 1e-12 {
        if fraction + size > 1.0 - 1e-9 {
            size = 1.0 - fraction;
        }
        let target = fraction + size;
        let t = Instant::now();
        let mut x_try = w.x.clone();
        match solve_increment(
            ctx,
            sys,
            &mut *w.solver,
            loads,
            target,
            &mut x_try,
            &*w.history,
            &mut *w.timings,
        ) {
            Ok(out) => {
                *w.x = x_try;
                increment += 1;
                for ((h, c), r) in w.history.iter_mut().zip(ctx.contacts).zip(&out.responses) {
                    h.slip = r.slip;
                    h.status = r.status;
                    h.multiplier = if c.augmented && r.status != ContactStatus::Open {
                        r.pressure
                    } else {
                        0.0
                    };
                }
                let log = increment_log(
                    step_number,
                    increment,
                    (fraction, target),
                    cutbacks,
                    &out,
                    ctx.contacts,
                    t.elapsed().as_secs_f64(),
                );
                w.observer.notify(&Event::Increment(&log));
                if out.iterations <= 6 && cutbacks == 0 {
                    size = (size * 1.5).min(control.maximum);
                }
                logs.push(log);
                last = Some((out.kinematics, out.responses));
                fraction = target;
                cutbacks = 0;
            }
            Err(failure) => {
                cutbacks += 1;
                w.observer.notify(&Event::Cutback {
                    step: step_number,
                    increment: increment + 1,
                    fraction: (fraction, target),
                    reason: &failure.reason,
                });
                if size <= control.minimum * (1.0 + 1e-9) {
                    return Err(non_convergence(
                        step,
                        step_number,
                        increment + cutbacks,
                        target,
                        size,
                        failure,
                    ));
                }
                size = (size * 0.25).max(control.minimum);
            }
        }
    }
    Ok((logs, last))
}

/// A failed symbolic analysis as the node and direction that is not held, when it is one.
fn singular(
    op: &ElasticOperator<'_>,
    sys: &NewtonSystem,
    e: SolverError,
    step_number: usize,
) -> ContactError {
    match sys.system.explain(op, e) {
        AssemblyError::Singular {
            node_id, direction, ..
        } => ContactError::Singular {
            step_number,
            node_id,
            direction,
        },
        AssemblyError::Solver(e) => ContactError::Solver(e),
        other => ContactError::Assembly(other),
    }
}

fn non_convergence(
    step: &LoadCase,
    step_number: usize,
    increment: usize,
    target: f64,
    size: f64,
    failure: IncrementFailure,
) -> ContactError {
    if let Some((node_id, direction)) = failure.singular {
        return ContactError::Singular {
            step_number,
            node_id,
            direction,
        };
    }
    ContactError::NotConverged(Box::new(NonConvergence {
        step: step.name.clone(),
        step_number,
        increment,
        target_fraction: target,
        increment_size: size,
        reason: failure.reason,
        residual_history: failure.residuals,
        force_scale: failure.force_scale,
        worst_nodes: failure.worst,
    }))
}

/// Loads and prescribed displacements at the start and the end of a step.
fn step_loads(
    op: &ElasticOperator<'_>,
    sys: &NewtonSystem,
    boundary: &[DirichletBc],
    u: &[f64],
    f_previous: &[f64],
    f_end: &[f64],
    ramp_interference: bool,
) -> Result<StepLoads, ContactError> {
    let dofs = sys.dofs();
    let g_end = sys.system.prescribed(boundary)?;
    let start_values: Vec<DirichletBc> = (0..dofs.n_raw())
        .filter(|&r| dofs.state(r) == DofState::Prescribed)
        .map(|r| DirichletBc {
            node: r / 3,
            component: r % 3,
            value: u[r],
        })
        .collect();
    // the current displacements satisfy the equations already: no check of g_start
    let g_start = dofs.prescribed_vector(&start_values);
    Ok(StepLoads {
        f: [dofs.reduce(f_previous), dofs.reduce(f_end)],
        kg: [
            sys.system.lifting(op, &g_start)?,
            sys.system.lifting(op, &g_end)?,
        ],
        g: [g_start, g_end],
        ramp_interference,
    })
}

fn increment_log(
    step: usize,
    increment: usize,
    fraction: (f64, f64),
    cutbacks: usize,
    out: &IncrementOutcome,
    contacts: &[ContactNode],
    seconds: f64,
) -> IncrementLog {
    let mut log = IncrementLog {
        step,
        increment,
        fraction,
        iterations: out.iterations,
        augmentations: out.augmentations,
        cutbacks,
        residuals: out.residuals.clone(),
        force_scale: out.force_scale,
        in_contact: 0,
        sticking: 0,
        slipping: 0,
        max_penetration: 0.0,
        max_slip: 0.0,
        penetration_ok: out.penetration_ok,
        seconds,
    };
    for ((_, k), r) in contacts.iter().zip(&out.kinematics).zip(&out.responses) {
        match r.status {
            ContactStatus::Open => continue,
            ContactStatus::Stick => log.sticking += 1,
            ContactStatus::Slip => log.slipping += 1,
        }
        log.in_contact += 1;
        log.max_penetration = log.max_penetration.max(-k.gap);
        log.max_slip = log.max_slip.max(Vector3::from(k.tangential).norm());
    }
    log
}

/// Per pair and slave node: pressure, gap, slip, status, and the pair's force totals.
fn pair_results(
    op: &ElasticOperator<'_>,
    contacts: &[ContactNode],
    pair_names: &[String],
    kin: &[Kinematics],
    responses: &[Response],
    history: &[History],
) -> Vec<PairResult> {
    let mesh = op.mesh();
    let mut pairs: Vec<PairResult> = pair_names
        .iter()
        .map(|name| PairResult {
            name: name.clone(),
            nodes: Vec::new(),
            normal_force: 0.0,
            contact_force: [0.0; 3],
            friction_force: [0.0; 3],
        })
        .collect();
    for (i, c) in contacts.iter().enumerate() {
        let (Some(k), Some(r), Some(h)) = (kin.get(i), responses.get(i), history.get(i)) else {
            continue;
        };
        let Some(pair) = pairs.get_mut(c.pair) else {
            continue;
        };
        pair.normal_force += c.area * r.pressure;
        for j in 0..3 {
            pair.contact_force[j] += c.area * (r.pressure * c.normal[j] - r.shear[j]);
            pair.friction_force[j] -= c.area * r.shear[j];
        }
        let slip = Vector3::from(k.tangential);
        let shear = Vector3::from(r.shear);
        let (t1, t2) = (Vector3::from(c.tangent1), Vector3::from(c.tangent2));
        pair.nodes.push(NodeResult {
            node: c.slave,
            node_id: mesh.node_ids[c.slave],
            status: r.status,
            pressure: r.pressure,
            gap: k.gap,
            initial_gap: c.gap0,
            slip: k.tangential,
            slip_magnitude: slip.norm(),
            slip_local: [slip.dot(&t1), slip.dot(&t2)],
            irreversible_slip: h.slip,
            shear: r.shear,
            shear_local: [shear.dot(&t1), shear.dot(&t2)],
            area: c.area,
            normal: c.normal,
        });
    }
    pairs
}
