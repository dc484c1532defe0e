//! A PETSc vector (`Vec`), owned.

use crate::error::PetscError;
use crate::ffi;
use crate::session::{Scope, Session, check, lock};

/// A PETSc vector: distributed over the processes of its [`Scope`], each holding a
/// contiguous range of entries. Destroyed on drop.
pub struct Vector<'s> {
    pub(crate) raw: ffi::Vec,
    len: usize,
    range: std::ops::Range<usize>,
    _session: &'s Session,
}

// SAFETY: every use of `raw` goes through the process-wide PETSc lock (`session::lock`), so
// the vector may move to another thread; MPI runs with serialised threading.
unsafe impl Send for Vector<'_> {}

/// `usize` → `PetscInt`, or the error that names what did not fit.
pub(crate) fn petsc_int(v: usize, what: &str) -> Result<ffi::PetscInt, PetscError> {
    ffi::PetscInt::try_from(v).map_err(|_| {
        PetscError::Invalid(format!(
            "{what} = {v} does not fit this PETSc's {}-bit PetscInt (build PETSc with --with-64-bit-indices)",
            8 * std::mem::size_of::<ffi::PetscInt>()
        ))
    })
}

impl<'s> Vector<'s> {
    /// A zero vector with `local` entries on this process (the global length is the sum
    /// over the scope's processes) and block size `bs`.
    ///
    /// # Errors
    /// [`PetscError::Call`], [`PetscError::Invalid`] for sizes `PetscInt` cannot hold or a
    /// local length that is not a multiple of `bs`.
    pub fn new(
        session: &'s Session,
        scope: Scope,
        local: usize,
        bs: usize,
    ) -> Result<Self, PetscError> {
        if bs == 0 || !local.is_multiple_of(bs) {
            return Err(PetscError::Invalid(format!(
                "a vector of {local} local entries cannot have block size {bs}"
            )));
        }
        let n = petsc_int(local, "local vector length")?;
        let bs_p = petsc_int(bs, "block size")?;
        let comm = session.comm(scope);
        let _guard = lock();
        let mut raw: ffi::Vec = std::ptr::null_mut();
        // SAFETY: `raw` receives a new vector; the communicator is valid for the session.
        check(unsafe { ffi::VecCreate(comm, &mut raw) }, "VecCreate")?;
        let mut v = Self {
            raw,
            len: 0,
            range: 0..0,
            _session: session,
        };
        // SAFETY: `v.raw` is the vector just created; PETSC_DETERMINE asks PETSc to sum the
        // local sizes.
        let rc = unsafe { ffi::VecSetSizes(v.raw, n, ffi::PETSC_DETERMINE) };
        check(rc, "VecSetSizes")?;
        // SAFETY: as above; the block size divides the local size (checked).
        let rc = unsafe { ffi::VecSetBlockSize(v.raw, bs_p) };
        check(rc, "VecSetBlockSize")?;
        // SAFETY: as above.
        let rc = unsafe { ffi::VecSetFromOptions(v.raw) };
        check(rc, "VecSetFromOptions")?;
        // SAFETY: as above.
        check(unsafe { ffi::VecSet(v.raw, 0.0) }, "VecSet")?;
        v.read_layout()?;
        Ok(v)
    }

    /// Global length and local range, read back from PETSc.
    fn read_layout(&mut self) -> Result<(), PetscError> {
        let (mut n, mut lo, mut hi) = (0, 0, 0);
        // SAFETY: `self.raw` is a valid vector with its sizes set; the outputs are locals.
        check(unsafe { ffi::VecGetSize(self.raw, &mut n) }, "VecGetSize")?;
        // SAFETY: as above.
        let rc = unsafe { ffi::VecGetOwnershipRange(self.raw, &mut lo, &mut hi) };
        check(rc, "VecGetOwnershipRange")?;
        self.len = n as usize;
        self.range = lo as usize..hi as usize;
        Ok(())
    }

    /// A zero vector with the layout of `self`.
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn duplicate(&self) -> Result<Vector<'s>, PetscError> {
        let _guard = lock();
        let mut raw: ffi::Vec = std::ptr::null_mut();
        // SAFETY: `self.raw` is valid; `raw` receives the new vector.
        let rc = unsafe { ffi::VecDuplicate(self.raw, &mut raw) };
        check(rc, "VecDuplicate")?;
        let v = Vector {
            raw,
            len: self.len,
            range: self.range.clone(),
            _session: self._session,
        };
        // SAFETY: `v.raw` was just created.
        check(unsafe { ffi::VecSet(v.raw, 0.0) }, "VecSet")?;
        Ok(v)
    }

    /// Global length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector has no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The global indices this process holds.
    pub fn owned_range(&self) -> std::ops::Range<usize> {
        self.range.clone()
    }

    /// Runs `f` on this process's entries (read-only).
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn with_local<R>(&self, f: impl FnOnce(&[f64]) -> R) -> Result<R, PetscError> {
        let _guard = lock();
        let mut ptr: *const f64 = std::ptr::null();
        // SAFETY: `self.raw` is valid; PETSc returns a pointer to its local array.
        let rc = unsafe { ffi::VecGetArrayRead(self.raw, &mut ptr) };
        check(rc, "VecGetArrayRead")?;
        let n = self.range.len();
        let out = if n == 0 {
            f(&[])
        } else {
            // SAFETY: the local array has `range.len()` entries and stays valid and
            // unchanged until VecRestoreArrayRead below (the lock is held; `self` is
            // borrowed shared, so no other method of this vector writes meanwhile).
            f(unsafe { std::slice::from_raw_parts(ptr, n) })
        };
        // SAFETY: restores the pointer obtained above.
        let rc = unsafe { ffi::VecRestoreArrayRead(self.raw, &mut ptr) };
        check(rc, "VecRestoreArrayRead")?;
        Ok(out)
    }

    /// Runs `f` on this process's entries (writable).
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn with_local_mut<R>(&mut self, f: impl FnOnce(&mut [f64]) -> R) -> Result<R, PetscError> {
        let _guard = lock();
        let mut ptr: *mut f64 = std::ptr::null_mut();
        // SAFETY: `self.raw` is valid; PETSc returns a pointer to its local array.
        let rc = unsafe { ffi::VecGetArray(self.raw, &mut ptr) };
        check(rc, "VecGetArray")?;
        let n = self.range.len();
        let out = if n == 0 {
            f(&mut [])
        } else {
            // SAFETY: the local array has `range.len()` entries and is ours alone until
            // VecRestoreArray below (the lock is held and `self` is borrowed mutably).
            f(unsafe { std::slice::from_raw_parts_mut(ptr, n) })
        };
        // SAFETY: restores the pointer obtained above.
        let rc = unsafe { ffi::VecRestoreArray(self.raw, &mut ptr) };
        check(rc, "VecRestoreArray")?;
        Ok(out)
    }

    /// The 2-norm (collective).
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn norm(&self) -> Result<f64, PetscError> {
        let _guard = lock();
        let mut r = 0.0;
        // SAFETY: `self.raw` is valid; the output is a local.
        let rc = unsafe { ffi::VecNorm(self.raw, ffi::NormType_NORM_2, &mut r) };
        check(rc, "VecNorm")?;
        Ok(r)
    }

    /// The dot product with `other` (collective; same layout).
    ///
    /// # Errors
    /// [`PetscError::Call`] (PETSc checks the layouts).
    pub fn dot(&self, other: &Vector<'_>) -> Result<f64, PetscError> {
        let _guard = lock();
        let mut r = 0.0;
        // SAFETY: both vectors are valid; the output is a local.
        let rc = unsafe { ffi::VecDot(self.raw, other.raw, &mut r) };
        check(rc, "VecDot")?;
        Ok(r)
    }

    /// `self += alpha · x` (collective; same layout).
    ///
    /// # Errors
    /// [`PetscError::Call`] (PETSc checks the layouts).
    pub fn axpy(&mut self, alpha: f64, x: &Vector<'_>) -> Result<(), PetscError> {
        let _guard = lock();
        // SAFETY: both vectors are valid and distinct (`self` is borrowed mutably).
        check(unsafe { ffi::VecAXPY(self.raw, alpha, x.raw) }, "VecAXPY")
    }

    /// `self *= alpha`.
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn scale(&mut self, alpha: f64) -> Result<(), PetscError> {
        let _guard = lock();
        // SAFETY: `self.raw` is valid.
        check(unsafe { ffi::VecScale(self.raw, alpha) }, "VecScale")
    }

    /// The whole vector on rank 0 (`Some` there, `None` elsewhere); collective.
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn gather_to_root(&self) -> Result<Option<Vec<f64>>, PetscError> {
        let _guard = lock();
        let mut scatter: ffi::VecScatter = std::ptr::null_mut();
        let mut whole: ffi::Vec = std::ptr::null_mut();
        // SAFETY: `self.raw` is valid; PETSc creates the scatter and the sequential target
        // (full length on rank 0, empty elsewhere).
        let rc = unsafe { ffi::VecScatterCreateToZero(self.raw, &mut scatter, &mut whole) };
        check(rc, "VecScatterCreateToZero")?;
        let result = (|| {
            // SAFETY: scatter and vectors are those created together above.
            let rc = unsafe {
                ffi::VecScatterBegin(
                    scatter,
                    self.raw,
                    whole,
                    ffi::InsertMode_INSERT_VALUES,
                    ffi::ScatterMode_SCATTER_FORWARD,
                )
            };
            check(rc, "VecScatterBegin")?;
            // SAFETY: as above.
            let rc = unsafe {
                ffi::VecScatterEnd(
                    scatter,
                    self.raw,
                    whole,
                    ffi::InsertMode_INSERT_VALUES,
                    ffi::ScatterMode_SCATTER_FORWARD,
                )
            };
            check(rc, "VecScatterEnd")?;
            let mut n: ffi::PetscInt = 0;
            // SAFETY: `whole` is a valid sequential vector.
            check(unsafe { ffi::VecGetSize(whole, &mut n) }, "VecGetSize")?;
            if self._session.rank() != 0 {
                return Ok(None);
            }
            if n == 0 {
                return Ok(Some(Vec::new()));
            }
            let mut ptr: *const f64 = std::ptr::null();
            // SAFETY: `whole` is valid and holds `n` entries on this rank.
            let rc = unsafe { ffi::VecGetArrayRead(whole, &mut ptr) };
            check(rc, "VecGetArrayRead")?;
            // SAFETY: the array has `n` entries and is valid until restored just below.
            let copy = unsafe { std::slice::from_raw_parts(ptr, n as usize) }.to_vec();
            // SAFETY: restores the pointer obtained above.
            let rc = unsafe { ffi::VecRestoreArrayRead(whole, &mut ptr) };
            check(rc, "VecRestoreArrayRead")?;
            Ok(Some(copy))
        })();
        // SAFETY: both objects were created above and are not used after this point.
        unsafe {
            ffi::VecScatterDestroy(&mut scatter);
            ffi::VecDestroy(&mut whole);
        }
        result
    }
}

impl Drop for Vector<'_> {
    fn drop(&mut self) {
        let _guard = lock();
        // SAFETY: `raw` is owned by this value and not used after drop.
        unsafe {
            ffi::VecDestroy(&mut self.raw);
        }
    }
}
