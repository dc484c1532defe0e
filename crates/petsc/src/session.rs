//! MPI and PETSc, started once per process, and the lock that serialises PETSc calls.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use mpi::environment::{Threading, Universe};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::AsRaw;

use crate::error::PetscError;
use crate::ffi;

/// Whether a [`Session`] was ever started in this process (MPI can be initialised once).
static STARTED: AtomicBool = AtomicBool::new(false);

/// Every PETSc call of the process runs under this lock: PETSc's objects and global state
/// (error stack, logging, options) are not thread-safe, and MPI is initialised with
/// `MPI_THREAD_SERIALIZED` (any thread, one at a time).
static PETSC_LOCK: Mutex<()> = Mutex::new(());

/// PETSc's message of the last error, recorded by [`record_error`] (the error handler).
static LAST_ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Which processes a PETSc object spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// All processes of the run (`PETSC_COMM_WORLD`): distributed objects.
    World,
    /// This process alone (`PETSC_COMM_SELF`): sequential objects.
    Process,
}

/// MPI and PETSc for the life of this value: [`Session::start`] initialises them, dropping
/// it finalises PETSc, then MPI. One per process, once: MPI cannot be initialised again
/// after it was finalised. Every PETSc object of this crate borrows the session, so none
/// outlives it.
pub struct Session {
    /// MPI, when this session initialised it (finalised on drop, after PETSc).
    universe: Option<Universe>,
    rank: usize,
    size: usize,
    /// Whether GAMG's coarse operators may be formed by hypre's triple product on
    /// multi-process matrices (see [`Session::hypre_galerkin`]).
    hypre_galerkin: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("rank", &self.rank)
            .field("size", &self.size)
            .finish()
    }
}

impl Session {
    /// Initialise MPI (serialised threading) and PETSc, and add `options` to PETSc's
    /// options database (the command-line syntax: `"-ksp_type gmres -pc_type hypre"`).
    /// PETSc's errors are recorded, not printed.
    ///
    /// # Errors
    /// [`PetscError::Start`] when a session was started before in this process, or MPI
    /// cannot give serialised threading; [`PetscError::Call`] when PETSc fails to start or
    /// rejects the options.
    pub fn start(options: &str) -> Result<Session, PetscError> {
        if STARTED.swap(true, Ordering::SeqCst) {
            return Err(PetscError::Start(
                "a session was already started in this process (MPI and PETSc start once per process)".into(),
            ));
        }
        let universe = match mpi::initialize_with_threading(Threading::Serialized) {
            Some((universe, level)) => {
                if matches!(level, Threading::Single | Threading::Funneled) {
                    return Err(PetscError::Start(format!(
                        "MPI gave thread level {level:?}, osteon-petsc needs Serialized"
                    )));
                }
                Some(universe)
            }
            // MPI initialised by the program itself: it also finalises it
            None => None,
        };
        let c_options = CString::new(options)
            .map_err(|_| PetscError::Invalid("PETSc options contain a NUL byte".into()))?;
        let world = SimpleCommunicator::world();
        // from here on, dropping the session finalises whatever was started
        let mut session = Session {
            universe,
            rank: world.rank() as usize,
            size: world.size() as usize,
            hypre_galerkin: false,
        };
        {
            let _guard = lock();
            // SAFETY: MPI is initialised; PETSc's no-argument initialisation reads no
            // pointer of ours. Under the PETSc lock.
            let rc = unsafe { ffi::PetscInitializeNoArguments() };
            check(rc, "PetscInitialize")?;
            // SAFETY: `record_error` has the handler signature PETSc declares, and ignores
            // its context pointer (null).
            let rc =
                unsafe { ffi::PetscPushErrorHandler(Some(record_error), std::ptr::null_mut()) };
            check(rc, "PetscPushErrorHandler")?;
            // SAFETY: a null options database is PETSc's global one; the string is NUL-
            // terminated and outlives the call (PETSc copies what it keeps).
            let rc =
                unsafe { ffi::PetscOptionsInsertString(std::ptr::null_mut(), c_options.as_ptr()) };
            check(rc, "PetscOptionsInsertString")?;
            session.hypre_galerkin = lean_galerkin_defaults()?;
        }
        Ok(session)
    }

    /// This process's rank in the run (0-based).
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of processes in the run.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether a solver spread over several processes forms GAMG's coarse operators with
    /// hypre's triple product (`-matptap_via hypre`, set only for its set-up): true when
    /// PETSc was built with hypre and the user did not choose `-matptap_via`. PETSc 3.18's
    /// own product for distributed matrices keeps its intermediate data: on the s600k tube
    /// on two processes GAMG's set-up added ~0.9 GiB per process to an operator of 0.3 GiB,
    /// against 0.3 GiB with hypre's, for 1–2 s more set-up (`docs/scale_out.md`). On one
    /// process (SeqAIJ) hypre's product gave indefinite coarse operators on the validation
    /// suite's models, so it is never used there.
    pub fn hypre_galerkin(&self) -> bool {
        self.hypre_galerkin
    }

    /// The MPI communicator of all processes (for the collective operations osteon does
    /// itself with rsmpi: gathering statistics, agreeing on errors).
    pub fn world(&self) -> SimpleCommunicator {
        SimpleCommunicator::world()
    }

    /// The raw communicator of `scope`, for PETSc's constructors.
    pub(crate) fn comm(&self, scope: Scope) -> ffi::MPI_Comm {
        match scope {
            Scope::World => SimpleCommunicator::world().as_raw(),
            Scope::Process => SimpleCommunicator::self_comm().as_raw(),
        }
    }

    /// Makes every process agree on a local outcome: `Ok` everywhere, or on the processes
    /// that did not fail, [`PetscError::OtherRank`] with the lowest failed rank's message. Call
    /// it before a collective PETSc operation that a failed process would not reach.
    ///
    /// # Errors
    /// The local error, or [`PetscError::OtherRank`].
    pub fn agree<T>(&self, local: Result<T, PetscError>) -> Result<T, PetscError> {
        use mpi::collective::{CommunicatorCollectives, Root, SystemOperation};
        // (lowest failed rank, whether any failure is numerical)
        let mine: [i32; 2] = match &local {
            Err(e) => [self.rank as i32, i32::from(e.is_numerical())],
            Ok(_) => [i32::MAX, 0],
        };
        let (mut lowest, mut numerical) = (i32::MAX, 0i32);
        let world = self.world();
        world.all_reduce_into(&mine[0], &mut lowest, SystemOperation::min());
        world.all_reduce_into(&mine[1], &mut numerical, SystemOperation::max());
        if lowest == i32::MAX {
            return local;
        }
        // the lowest failed rank sends its message to all
        let root = world.process_at_rank(lowest);
        let mut text = match &local {
            Err(e) if self.rank as i32 == lowest => e.to_string().into_bytes(),
            _ => Vec::new(),
        };
        let mut len = text.len() as u64;
        root.broadcast_into(&mut len);
        text.resize(len as usize, 0);
        root.broadcast_into(&mut text[..]);
        match local {
            Err(e) => Err(e),
            Ok(_) => Err(PetscError::OtherRank {
                rank: lowest as usize,
                numerical: numerical != 0,
                message: String::from_utf8_lossy(&text).into_owned(),
            }),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        {
            let _guard = lock();
            let mut initialised = ffi::PetscBool_PETSC_FALSE;
            // SAFETY: PetscInitialized may be called at any time; the output is a local.
            let rc = unsafe { ffi::PetscInitialized(&mut initialised) };
            if rc == 0 && initialised == ffi::PetscBool_PETSC_TRUE {
                // SAFETY: PETSc is initialised; every object of this crate borrows the
                // session, so all were destroyed before this point. Under the PETSc lock.
                unsafe {
                    ffi::PetscFinalize();
                }
            }
        }
        drop(self.universe.take()); // MPI_Finalize, after PETSc
    }
}

/// The PETSc lock (a poisoned lock only means a panic elsewhere; PETSc's state is intact).
pub(crate) fn lock() -> MutexGuard<'static, ()> {
    PETSC_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `Ok` for PETSc's success code, else the error with PETSc's recorded message.
pub(crate) fn check(code: ffi::PetscErrorCode, call: &'static str) -> Result<(), PetscError> {
    if code == 0 {
        return Ok(());
    }
    let recorded = LAST_ERROR.lock().unwrap_or_else(|e| e.into_inner()).take();
    let message = recorded.unwrap_or_else(|| {
        let mut text: *const c_char = std::ptr::null();
        // SAFETY: PetscErrorMessage writes a pointer to a static string (or null) into
        // `text`; a null `specific` asks for nothing else.
        let rc = unsafe { ffi::PetscErrorMessage(code, &mut text, std::ptr::null_mut()) };
        if rc == 0 && !text.is_null() {
            // SAFETY: PETSc's error texts are static NUL-terminated strings.
            unsafe { CStr::from_ptr(text) }
                .to_string_lossy()
                .into_owned()
        } else {
            "no message".into()
        }
    });
    Err(PetscError::Call {
        call,
        code,
        message,
    })
}

/// PETSc's error handler: records the first message of an error (its initial call; the
/// traceback's repeated calls are ignored) for [`check`], prints nothing.
unsafe extern "C" fn record_error(
    _comm: ffi::MPI_Comm,
    _line: c_int,
    func: *const c_char,
    _file: *const c_char,
    n: ffi::PetscErrorCode,
    p: ffi::PetscErrorType,
    mess: *const c_char,
    _ctx: *mut c_void,
) -> ffi::PetscErrorCode {
    if p == ffi::PetscErrorType_PETSC_ERROR_INITIAL {
        let text = |s: *const c_char| {
            if s.is_null() {
                String::new()
            } else {
                // SAFETY: PETSc passes NUL-terminated strings (or null) for both.
                unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
            }
        };
        let mut general: *const c_char = std::ptr::null();
        // SAFETY: as in `check`.
        let rc = unsafe { ffi::PetscErrorMessage(n, &mut general, std::ptr::null_mut()) };
        let general = if rc == 0 {
            text(general)
        } else {
            String::new()
        };
        let detail = text(mess);
        let msg = match (general.is_empty(), detail.is_empty()) {
            (false, false) => format!("{general}: {detail} (in {})", text(func)),
            (false, true) => format!("{general} (in {})", text(func)),
            _ => format!("{detail} (in {})", text(func)),
        };
        *LAST_ERROR.lock().unwrap_or_else(|e| e.into_inner()) = Some(msg);
    }
    n
}

/// Whether the global options database has `name` (given by the user or set before).
///
/// Call under the PETSc lock.
pub(crate) fn has_option(name: &CStr) -> Result<bool, PetscError> {
    let mut has = ffi::PetscBool_PETSC_FALSE;
    // SAFETY: null database and prefix mean the global options without prefix; the name is
    // NUL-terminated; the output is a local.
    let rc = unsafe {
        ffi::PetscOptionsHasName(
            std::ptr::null_mut(),
            std::ptr::null(),
            name.as_ptr(),
            &mut has,
        )
    };
    check(rc, "PetscOptionsHasName")?;
    Ok(has != ffi::PetscBool_PETSC_FALSE)
}

/// Sets `name` (with `value`, or none) in the global options database unless it is there.
///
/// Call under the PETSc lock.
fn default_option(name: &CStr, value: Option<&CStr>) -> Result<(), PetscError> {
    if has_option(name)? {
        return Ok(());
    }
    set_option(name, value)
}

/// Sets `name` (with `value`, or none: a flag) in the global options database.
///
/// Call under the PETSc lock.
pub(crate) fn set_option(name: &CStr, value: Option<&CStr>) -> Result<(), PetscError> {
    // SAFETY: null database is the global one; both strings are NUL-terminated (or the value
    // is null: a flag) and PETSc copies them.
    let rc = unsafe {
        ffi::PetscOptionsSetValue(
            std::ptr::null_mut(),
            name.as_ptr(),
            value.map_or(std::ptr::null(), CStr::as_ptr),
        )
    };
    check(rc, "PetscOptionsSetValue")
}

/// GAMG's Galerkin products (the coarse operators Pᵀ A P) free their intermediate data once
/// formed (`-mat_product_clear`; osteon never recomputes a product in place), unless the user
/// chose otherwise. Returns whether hypre's triple product may be used across processes
/// (PETSc was built with hypre and the user did not choose `-matptap_via`); see
/// [`Session::hypre_galerkin`].
///
/// Call under the PETSc lock.
fn lean_galerkin_defaults() -> Result<bool, PetscError> {
    default_option(c"-mat_product_clear", None)?;
    let mut hypre = ffi::PetscBool_PETSC_FALSE;
    // SAFETY: the package name is a NUL-terminated literal; the output is a local.
    let rc = unsafe { ffi::PetscHasExternalPackage(c"hypre".as_ptr(), &mut hypre) };
    check(rc, "PetscHasExternalPackage")?;
    Ok(hypre != ffi::PetscBool_PETSC_FALSE && !has_option(c"-matptap_via")?)
}

/// Removes `name` from the global options database.
///
/// Call under the PETSc lock.
pub(crate) fn clear_option(name: &CStr) -> Result<(), PetscError> {
    // SAFETY: null database is the global one; the name is NUL-terminated.
    let rc = unsafe { ffi::PetscOptionsClearValue(std::ptr::null_mut(), name.as_ptr()) };
    check(rc, "PetscOptionsClearValue")
}
