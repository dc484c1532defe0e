//! A PETSc Krylov solver (`KSP`) with its preconditioner, owned.

use std::ffi::{CStr, CString, c_char};

use crate::error::PetscError;
use crate::ffi;
use crate::matrix::Matrix;
use crate::session::{Scope, Session, check, clear_option, has_option, lock, set_option};
use crate::vector::{Vector, petsc_int};

/// Krylov method, preconditioner and stopping rule. PETSc's options (`-ksp_type`,
/// `-pc_type`, `-ksp_rtol`, …, given to [`Session::start`]) override these.
#[derive(Clone, Debug, PartialEq)]
pub struct KrylovOptions {
    /// PETSc's KSP type (`"cg"`: conjugate gradients, for the symmetric positive definite
    /// systems of elasticity).
    pub ksp_type: String,
    /// PETSc's PC type (`"gamg"`: smoothed-aggregation algebraic multigrid, which uses the
    /// matrix's near-null space — the rigid-body modes).
    pub pc_type: String,
    /// Relative tolerance: stop at ‖b − A x‖ ≤ rel_tol · ‖b‖ (for CG the unpreconditioned
    /// residual is the one tested, unless `-ksp_norm_type` says otherwise).
    pub rel_tol: f64,
    /// Iteration limit.
    pub max_iter: usize,
}

impl Default for KrylovOptions {
    /// CG + GAMG to a relative residual of 1e-10, at most 10 000 iterations.
    fn default() -> Self {
        Self {
            ksp_type: "cg".into(),
            pc_type: "gamg".into(),
            rel_tol: 1e-10,
            max_iter: 10_000,
        }
    }
}

/// What one solve did.
#[derive(Clone, Debug, PartialEq)]
pub struct KrylovReport {
    /// Iterations.
    pub iterations: usize,
    /// PETSc's converged reason (positive: converged; negative: diverged).
    pub reason: i32,
    /// The reason in words.
    pub reason_text: String,
}

/// A Krylov solver bound to one matrix. Destroyed on drop.
pub struct Krylov<'s> {
    raw: ffi::KSP,
    session: &'s Session,
    /// Whether the solver spans every process of the run.
    scope: Scope,
}

// SAFETY: every use of `raw` goes through the process-wide PETSc lock (`session::lock`), so
// the solver may move to another thread; MPI runs with serialised threading.
unsafe impl Send for Krylov<'_> {}

/// A PETSc type name (`KSPType`, `PCType`) as a Rust string.
fn type_name(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: PETSc's type names are NUL-terminated strings owned by the object.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

impl<'s> Krylov<'s> {
    /// A solver for `a` (also the matrix the preconditioner is built from) with `options`,
    /// then PETSc's own options applied.
    ///
    /// # Errors
    /// [`PetscError::Call`] (an unknown type name, among others).
    pub fn new(
        session: &'s Session,
        scope: Scope,
        a: &Matrix<'s>,
        options: &KrylovOptions,
    ) -> Result<Self, PetscError> {
        let ksp_type = CString::new(options.ksp_type.as_str())
            .map_err(|_| PetscError::Invalid("KSP type contains a NUL byte".into()))?;
        let pc_type = CString::new(options.pc_type.as_str())
            .map_err(|_| PetscError::Invalid("PC type contains a NUL byte".into()))?;
        let max_iter = petsc_int(options.max_iter, "iteration limit")?;
        let comm = session.comm(scope);
        let _guard = lock();
        let mut raw: ffi::KSP = std::ptr::null_mut();
        // SAFETY: `raw` receives a new solver; the communicator is valid for the session.
        check(unsafe { ffi::KSPCreate(comm, &mut raw) }, "KSPCreate")?;
        let k = Krylov {
            raw,
            session,
            scope,
        };
        // SAFETY: `k.raw` is the solver just created; the matrix is valid (PETSc takes its
        // own reference).
        let rc = unsafe { ffi::KSPSetOperators(k.raw, a.raw, a.raw) };
        check(rc, "KSPSetOperators")?;
        // SAFETY: as above; the name is NUL-terminated and PETSc copies it.
        let rc = unsafe { ffi::KSPSetType(k.raw, ksp_type.as_ptr()) };
        check(rc, "KSPSetType")?;
        let mut pc: ffi::PC = std::ptr::null_mut();
        // SAFETY: `pc` receives the solver's preconditioner (owned by the solver).
        check(unsafe { ffi::KSPGetPC(k.raw, &mut pc) }, "KSPGetPC")?;
        // SAFETY: `pc` is valid; the name is NUL-terminated and PETSc copies it.
        check(unsafe { ffi::PCSetType(pc, pc_type.as_ptr()) }, "PCSetType")?;
        // SAFETY: `k.raw` is valid; PETSC_DEFAULT keeps PETSc's absolute and divergence
        // tolerances.
        let rc = unsafe {
            ffi::KSPSetTolerances(
                k.raw,
                options.rel_tol,
                ffi::PETSC_DEFAULT as f64,
                ffi::PETSC_DEFAULT as f64,
                max_iter,
            )
        };
        check(rc, "KSPSetTolerances")?;
        // SAFETY: as above.
        let rc = unsafe { ffi::KSPSetFromOptions(k.raw) };
        check(rc, "KSPSetFromOptions")?;
        // CG tests the true (unpreconditioned) residual, the one osteon reports, unless the
        // user chose a norm
        let mut ty: *const c_char = std::ptr::null();
        // SAFETY: `ty` receives a pointer to the solver's type name.
        check(unsafe { ffi::KSPGetType(k.raw, &mut ty) }, "KSPGetType")?;
        if type_name(ty) == "cg" && !has_option(c"-ksp_norm_type")? {
            // SAFETY: `k.raw` is valid; CG supports the unpreconditioned norm.
            let rc =
                unsafe { ffi::KSPSetNormType(k.raw, ffi::KSPNormType_KSP_NORM_UNPRECONDITIONED) };
            check(rc, "KSPSetNormType")?;
        }
        Ok(k)
    }

    /// The Krylov method and preconditioner in use (after PETSc's options), e.g.
    /// `("cg", "gamg")`.
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn types(&self) -> Result<(String, String), PetscError> {
        let _guard = lock();
        let mut ty: *const c_char = std::ptr::null();
        // SAFETY: `ty` receives a pointer to the solver's type name.
        check(unsafe { ffi::KSPGetType(self.raw, &mut ty) }, "KSPGetType")?;
        let mut pc: ffi::PC = std::ptr::null_mut();
        // SAFETY: `pc` receives the solver's preconditioner.
        check(unsafe { ffi::KSPGetPC(self.raw, &mut pc) }, "KSPGetPC")?;
        let mut pty: *const c_char = std::ptr::null();
        // SAFETY: `pty` receives a pointer to the preconditioner's type name.
        check(unsafe { ffi::PCGetType(pc, &mut pty) }, "PCGetType")?;
        Ok((type_name(ty), type_name(pty)))
    }

    /// Builds the preconditioner (for GAMG: the multigrid hierarchy). Called by the first
    /// [`Krylov::solve`] otherwise; calling it first lets its time be measured apart, and
    /// for a solver spanning several processes forms GAMG's coarse operators with hypre's
    /// triple product where [`Session::hypre_galerkin`] allows (a set-up left to the first
    /// solve uses PETSc's own).
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn set_up(&mut self) -> Result<(), PetscError> {
        let _guard = lock();
        let hypre =
            self.scope == Scope::World && self.session.size() > 1 && self.session.hypre_galerkin();
        if hypre {
            set_option(c"-matptap_via", Some(c"hypre"))?;
        }
        // SAFETY: `self.raw` is valid with its operators set.
        let rc = unsafe { ffi::KSPSetUp(self.raw) };
        // the set-up's own error first, if both fail
        let cleared = if hypre {
            clear_option(c"-matptap_via")
        } else {
            Ok(())
        };
        check(rc, "KSPSetUp")?;
        cleared
    }

    /// Solves `A x = b` from the zero initial guess. A solver that stops without
    /// converging is reported in the [`KrylovReport`] (negative reason), not as an error:
    /// the caller decides, knowing the residual.
    ///
    /// # Errors
    /// [`PetscError::Call`] for a failed call.
    pub fn solve(
        &mut self,
        b: &Vector<'_>,
        x: &mut Vector<'_>,
    ) -> Result<KrylovReport, PetscError> {
        let _guard = lock();
        // SAFETY: solver and vectors are valid; `x` is borrowed mutably, distinct from `b`.
        check(unsafe { ffi::KSPSolve(self.raw, b.raw, x.raw) }, "KSPSolve")?;
        let mut its: ffi::PetscInt = 0;
        // SAFETY: the output is a local.
        let rc = unsafe { ffi::KSPGetIterationNumber(self.raw, &mut its) };
        check(rc, "KSPGetIterationNumber")?;
        let mut reason: ffi::KSPConvergedReason = 0;
        // SAFETY: the output is a local.
        let rc = unsafe { ffi::KSPGetConvergedReason(self.raw, &mut reason) };
        check(rc, "KSPGetConvergedReason")?;
        let reason = reason as i32;
        Ok(KrylovReport {
            iterations: its.max(0) as usize,
            reason,
            reason_text: converged_reason_text(reason),
        })
    }
}

impl Krylov<'_> {
    /// [`Krylov::solve`], then the true relative residual ‖b − A x‖/‖b‖ (0 for b = 0).
    /// CG stops on a residual it updates by recurrence, which drifts from the true one on
    /// ill-conditioned systems: on the tube benchmark the true residual ended 1–4 × the
    /// tolerance (resuming the solve from x reached no better than 2.6 × at 643 k unknowns,
    /// at a third more iterations), so it is this one that osteon reports.
    ///
    /// # Errors
    /// [`PetscError::Call`] for a failed call.
    pub fn solve_with_residual(
        &mut self,
        a: &Matrix<'_>,
        b: &Vector<'_>,
        x: &mut Vector<'_>,
    ) -> Result<(KrylovReport, f64), PetscError> {
        let report = self.solve(b, x)?;
        let b_norm = b.norm()?;
        let mut r = b.duplicate()?;
        a.mult(x, &mut r)?;
        r.axpy(-1.0, b)?;
        let rel = if b_norm > 0.0 {
            r.norm()? / b_norm
        } else {
            0.0
        };
        Ok((report, rel))
    }
}

impl Drop for Krylov<'_> {
    fn drop(&mut self) {
        let _guard = lock();
        // SAFETY: `raw` is owned by this value and not used after drop.
        unsafe {
            ffi::KSPDestroy(&mut self.raw);
        }
    }
}

/// PETSc's converged reason (`KSPConvergedReason`) in words, with what it usually means for
/// an elasticity model.
pub fn converged_reason_text(reason: i32) -> String {
    let r = reason as ffi::KSPConvergedReason;
    let text = match r {
        ffi::KSPConvergedReason_KSP_CONVERGED_RTOL
        | ffi::KSPConvergedReason_KSP_CONVERGED_RTOL_NORMAL => {
            "converged: relative tolerance reached"
        }
        ffi::KSPConvergedReason_KSP_CONVERGED_ATOL
        | ffi::KSPConvergedReason_KSP_CONVERGED_ATOL_NORMAL => {
            "converged: absolute tolerance reached"
        }
        ffi::KSPConvergedReason_KSP_CONVERGED_ITS => {
            "converged: the requested iterations were done (direct solve or fixed iteration count)"
        }
        ffi::KSPConvergedReason_KSP_CONVERGED_HAPPY_BREAKDOWN => {
            "converged: exact solution found (happy breakdown)"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_ITS => {
            "the iteration limit was reached before the tolerance"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_DTOL => {
            "the residual grew beyond the divergence tolerance"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_BREAKDOWN => {
            "the Krylov method broke down (a zero in its recurrence: usually a singular matrix — a part of the model that is not held)"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_INDEFINITE_PC => {
            "the preconditioner is indefinite (usually a singular matrix: a part of the model that is not held)"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_INDEFINITE_MAT => {
            "the matrix is not positive definite (a part of the model is free to move, or a material is not stable)"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_NANORINF => {
            "a NaN or infinity appeared (a singular system or invalid material values)"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_PC_FAILED => {
            "the preconditioner could not be built (for a factorisation: a zero pivot, i.e. a singular matrix)"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_NONSYMMETRIC => {
            "the matrix or preconditioner is not symmetric"
        }
        ffi::KSPConvergedReason_KSP_DIVERGED_NULL => "the method does not apply to this system",
        ffi::KSPConvergedReason_KSP_CONVERGED_ITERATING => "still iterating",
        _ => return format!("PETSc reason {reason}"),
    };
    text.to_string()
}
