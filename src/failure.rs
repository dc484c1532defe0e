//! Input errors versus numerical failures: the split of the command line's exit status
//! (2 and 3) and of the Python exceptions (`osteon.InputError`, `osteon.NumericalError`).

use std::error::Error;

use osteon_assembly::AssemblyError;
use osteon_biomech::BiomechError;
use osteon_contact::ContactError;
use osteon_io::IoError;
use osteon_lattice::LatticeError;
use osteon_mesh::MeshError;
use osteon_solver::SolverError;

use crate::ct::CtError;
use crate::run::RunError;

/// Whether `err` reports a numerical failure — a singular or indefinite system, an
/// unconstrained rigid-body mode, an inverted element, a contact analysis that does not
/// converge, a factorisation that does not fit in memory, a lattice cell that does not
/// span — rather than wrong input (files, model, parameters).
///
/// The error and its causes ([`Error::source`]) are looked at outermost first; the first
/// error of a crate of osteon that is recognised decides. An error chain without one is an
/// input error.
pub fn is_numerical_failure(err: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(verdict) = classify(e) {
            return verdict;
        }
        cause = e.source();
    }
    false
}

/// The verdict for one error of the chain, `None` when its type is not one that decides.
fn classify(e: &(dyn Error + 'static)) -> Option<bool> {
    // the front-end errors of this crate: a transparent variant shows its inner error's
    // text and causes but not the inner error itself, so it is judged here; the others
    // have their cause next in the chain
    if let Some(r) = e.downcast_ref::<RunError>() {
        return match r {
            RunError::Io(inner) => Some(is_numerical_failure(inner)),
            RunError::Assembly(inner) => Some(is_numerical_failure(inner)),
            _ => None,
        };
    }
    if let Some(c) = e.downcast_ref::<CtError>() {
        return match c {
            CtError::Imaging(inner) => Some(is_numerical_failure(inner)),
            CtError::Material(inner) => Some(is_numerical_failure(inner)),
            CtError::Mesh(inner) => Some(is_numerical_failure(inner)),
            CtError::Io(inner) => Some(is_numerical_failure(inner)),
            _ => None,
        };
    }
    if let Some(a) = e.downcast_ref::<AssemblyError>() {
        return Some(assembly(a));
    }
    if let Some(IoError::Model { source, .. }) = e.downcast_ref::<IoError>() {
        return Some(assembly(source));
    }
    if let Some(b) = e.downcast_ref::<BiomechError>() {
        return Some(biomech(b));
    }
    if let Some(c) = e.downcast_ref::<ContactError>() {
        return Some(contact(c));
    }
    if let Some(l) = e.downcast_ref::<LatticeError>() {
        return Some(lattice(l));
    }
    if let Some(MeshError::InvertedElement { .. }) = e.downcast_ref::<MeshError>() {
        return Some(true);
    }
    None
}

/// Study errors: the study file, its parameters, the patient mesh and unavailable features
/// are input errors; a singular system, an inverted element or a contact analysis that does
/// not converge is a numerical failure.
fn biomech(err: &BiomechError) -> bool {
    match err {
        BiomechError::Assembly(a) => assembly(a),
        BiomechError::Io(IoError::Model { source, .. }) => assembly(source),
        BiomechError::Mesh(MeshError::InvertedElement { .. }) => true,
        BiomechError::Contact(c) => contact(c),
        BiomechError::Lattice(l) => lattice(l),
        BiomechError::InvalidParameter { .. }
        | BiomechError::NotYetAvailable { .. }
        | BiomechError::StudyFile { .. }
        | BiomechError::MissingSet { .. }
        | BiomechError::PatientMesh { .. }
        | BiomechError::Imaging(_)
        | BiomechError::Construction { .. }
        | BiomechError::Mesh(_)
        | BiomechError::Material(_)
        | BiomechError::Io(_)
        | BiomechError::Plot { .. } => false,
    }
}

/// Contact errors: a non-converging increment, a singular contact system or a solver
/// failure is a numerical failure; an ill-defined pair or problem is an input error.
fn contact(err: &ContactError) -> bool {
    match err {
        ContactError::Assembly(a) => assembly(a),
        ContactError::NotConverged(_)
        | ContactError::Singular { .. }
        | ContactError::Solver(_)
        | ContactError::Mesh(MeshError::InvertedElement { .. }) => true,
        _ => false,
    }
}

/// Lattice errors: a singular micro-FE system or a cell that does not span is a numerical
/// failure; parameters and files are input errors.
fn lattice(err: &LatticeError) -> bool {
    match err {
        LatticeError::Solver(SolverError::InvalidMemoryLimit(_)) => false,
        LatticeError::Solver(_) | LatticeError::NotSpanning | LatticeError::Internal(_) => true,
        _ => false,
    }
}

/// Assembly and linear-solve errors: a memory limit that is not a number of bytes is input.
fn assembly(err: &AssemblyError) -> bool {
    match err {
        AssemblyError::Solver(SolverError::InvalidMemoryLimit(_)) => false,
        AssemblyError::Singular { .. }
        | AssemblyError::RigidBodyMode { .. }
        | AssemblyError::Solver(_)
        | AssemblyError::Mesh(MeshError::InvertedElement { .. }) => true,
        _ => false,
    }
}
