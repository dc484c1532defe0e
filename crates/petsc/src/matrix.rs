//! A PETSc sparse matrix (`Mat`), owned, preallocated exactly from the pattern.

use std::ffi::CString;

use crate::error::PetscError;
use crate::ffi;
use crate::session::{Scope, Session, check, lock};
use crate::vector::{Vector, petsc_int};

/// A square PETSc sparse matrix with a fixed block size, distributed by rows over the
/// processes of its [`Scope`]. Destroyed on drop.
pub struct Matrix<'s> {
    pub(crate) raw: ffi::Mat,
    local_rows: usize,
    bs: usize,
    scope: Scope,
    session: &'s Session,
}

// SAFETY: every use of `raw` goes through the process-wide PETSc lock (`session::lock`), so
// the matrix may move to another thread; MPI runs with serialised threading.
unsafe impl Send for Matrix<'_> {}

impl<'s> Matrix<'s> {
    /// An empty square matrix with `local_rows` rows on this process, block size `bs`, and
    /// room for exactly `diag_blocks[r]` blocks in the columns this process owns and
    /// `off_blocks[r]` blocks in other columns for each local block row `r`. The type is
    /// `mat_type` (`"aij"`, `"baij"`, …) unless PETSc's options say `-mat_type`. Inserting
    /// outside the preallocation is an error, not a silent reallocation.
    ///
    /// # Errors
    /// [`PetscError::Invalid`] for inconsistent sizes, [`PetscError::Call`].
    pub fn new(
        session: &'s Session,
        scope: Scope,
        local_rows: usize,
        bs: usize,
        mat_type: &str,
        diag_blocks: &[usize],
        off_blocks: &[usize],
    ) -> Result<Self, PetscError> {
        if bs == 0
            || !local_rows.is_multiple_of(bs)
            || diag_blocks.len() != local_rows / bs
            || off_blocks.len() != local_rows / bs
        {
            return Err(PetscError::Invalid(format!(
                "a matrix of {local_rows} local rows in blocks of {bs} needs {} block-row counts, got {} and {}",
                local_rows / bs.max(1),
                diag_blocks.len(),
                off_blocks.len()
            )));
        }
        let n = petsc_int(local_rows, "local rows")?;
        let bs_p = petsc_int(bs, "block size")?;
        let d: Vec<ffi::PetscInt> = diag_blocks
            .iter()
            .map(|&c| petsc_int(c, "blocks in a row"))
            .collect::<Result<_, _>>()?;
        let o: Vec<ffi::PetscInt> = off_blocks
            .iter()
            .map(|&c| petsc_int(c, "blocks in a row"))
            .collect::<Result<_, _>>()?;
        let c_type = CString::new(mat_type)
            .map_err(|_| PetscError::Invalid("matrix type contains a NUL byte".into()))?;
        let comm = session.comm(scope);
        let _guard = lock();
        let mut raw: ffi::Mat = std::ptr::null_mut();
        // SAFETY: `raw` receives a new matrix; the communicator is valid for the session.
        check(unsafe { ffi::MatCreate(comm, &mut raw) }, "MatCreate")?;
        let m = Matrix {
            raw,
            local_rows,
            bs,
            scope,
            session,
        };
        // SAFETY: `m.raw` is the matrix just created; local sizes given, global determined.
        let rc =
            unsafe { ffi::MatSetSizes(m.raw, n, n, ffi::PETSC_DETERMINE, ffi::PETSC_DETERMINE) };
        check(rc, "MatSetSizes")?;
        // SAFETY: as above; `bs` divides the local size (checked).
        let rc = unsafe { ffi::MatSetBlockSize(m.raw, bs_p) };
        check(rc, "MatSetBlockSize")?;
        // SAFETY: as above; the type name is NUL-terminated and PETSc copies it.
        let rc = unsafe { ffi::MatSetType(m.raw, c_type.as_ptr()) };
        check(rc, "MatSetType")?;
        // SAFETY: as above.
        let rc = unsafe { ffi::MatSetFromOptions(m.raw) };
        check(rc, "MatSetFromOptions")?;
        // SAFETY: `d` and `o` hold one count per local block row (checked above) and outlive
        // the call; null upper-triangle counts are allowed (only SBAIJ reads them).
        let rc = unsafe {
            ffi::MatXAIJSetPreallocation(
                m.raw,
                bs_p,
                d.as_ptr(),
                o.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        check(rc, "MatXAIJSetPreallocation")?;
        // SAFETY: as above.
        let rc = unsafe {
            ffi::MatSetOption(
                m.raw,
                ffi::MatOption_MAT_NEW_NONZERO_ALLOCATION_ERR,
                ffi::PetscBool_PETSC_TRUE,
            )
        };
        check(rc, "MatSetOption")?;
        Ok(m)
    }

    /// Rows on this process.
    pub fn local_rows(&self) -> usize {
        self.local_rows
    }

    /// Block size.
    pub fn block_size(&self) -> usize {
        self.bs
    }

    /// Adds the dense `rows.len() × cols.len()` block `values` (row-major) at global
    /// `rows` × `cols`. Rows of other processes are sent to them at [`Matrix::assemble`].
    ///
    /// # Errors
    /// [`PetscError::Invalid`] when `values` has the wrong length; [`PetscError::Call`] for
    /// an index out of range or outside the preallocation.
    pub fn add_values(
        &mut self,
        rows: &[ffi::PetscInt],
        cols: &[ffi::PetscInt],
        values: &[f64],
    ) -> Result<(), PetscError> {
        if values.len() != rows.len() * cols.len() {
            return Err(PetscError::Invalid(format!(
                "a {}×{} block needs {} values, got {}",
                rows.len(),
                cols.len(),
                rows.len() * cols.len(),
                values.len()
            )));
        }
        let (nr, nc) = (
            petsc_int(rows.len(), "rows of a block")?,
            petsc_int(cols.len(), "columns of a block")?,
        );
        let _guard = lock();
        // SAFETY: the slices hold `nr`, `nc` and `nr·nc` entries (checked) and outlive the
        // call; PETSc checks the indices against the matrix and its preallocation.
        let rc = unsafe {
            ffi::MatSetValues(
                self.raw,
                nr,
                rows.as_ptr(),
                nc,
                cols.as_ptr(),
                values.as_ptr(),
                ffi::InsertMode_ADD_VALUES,
            )
        };
        check(rc, "MatSetValues")
    }

    /// Final assembly (collective): sends the entries added for other processes' rows.
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn assemble(&mut self) -> Result<(), PetscError> {
        let _guard = lock();
        // SAFETY: `self.raw` is valid; begin/end are paired.
        let rc =
            unsafe { ffi::MatAssemblyBegin(self.raw, ffi::MatAssemblyType_MAT_FINAL_ASSEMBLY) };
        check(rc, "MatAssemblyBegin")?;
        // SAFETY: as above.
        let rc = unsafe { ffi::MatAssemblyEnd(self.raw, ffi::MatAssemblyType_MAT_FINAL_ASSEMBLY) };
        check(rc, "MatAssemblyEnd")
    }

    /// Declares the matrix symmetric positive definite (lets solvers and preconditioners
    /// rely on it).
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn set_spd(&mut self) -> Result<(), PetscError> {
        let _guard = lock();
        for option in [ffi::MatOption_MAT_SYMMETRIC, ffi::MatOption_MAT_SPD] {
            // SAFETY: `self.raw` is valid; the options are PETSc's own enum values.
            let rc = unsafe { ffi::MatSetOption(self.raw, option, ffi::PetscBool_PETSC_TRUE) };
            check(rc, "MatSetOption")?;
        }
        Ok(())
    }

    /// Sets the near-null space (for algebraic multigrid: the rigid-body modes of
    /// elasticity). The vectors must be orthonormal.
    ///
    /// # Errors
    /// [`PetscError::Call`].
    pub fn set_near_null_space(&mut self, modes: &[Vector<'_>]) -> Result<(), PetscError> {
        let n = petsc_int(modes.len(), "near-null-space vectors")?;
        let raw: Vec<ffi::Vec> = modes.iter().map(|v| v.raw).collect();
        let comm = self.session.comm(self.scope);
        let _guard = lock();
        let mut nsp: ffi::MatNullSpace = std::ptr::null_mut();
        // SAFETY: `raw` holds `n` valid vectors (PETSc takes its own references) and outlives
        // the call; the communicator is the matrix's.
        let rc = unsafe {
            ffi::MatNullSpaceCreate(comm, ffi::PetscBool_PETSC_FALSE, n, raw.as_ptr(), &mut nsp)
        };
        check(rc, "MatNullSpaceCreate")?;
        // SAFETY: `nsp` was created above; the matrix takes its own reference, so ours is
        // destroyed right after.
        let rc = unsafe { ffi::MatSetNearNullSpace(self.raw, nsp) };
        // SAFETY: as above.
        unsafe {
            ffi::MatNullSpaceDestroy(&mut nsp);
        }
        check(rc, "MatSetNearNullSpace")
    }

    /// `y = A x` (collective).
    ///
    /// # Errors
    /// [`PetscError::Call`] (PETSc checks the layouts).
    pub fn mult(&self, x: &Vector<'_>, y: &mut Vector<'_>) -> Result<(), PetscError> {
        let _guard = lock();
        // SAFETY: matrix and vectors are valid; `y` is borrowed mutably, so distinct from x.
        check(unsafe { ffi::MatMult(self.raw, x.raw, y.raw) }, "MatMult")
    }
}

impl Drop for Matrix<'_> {
    fn drop(&mut self) {
        let _guard = lock();
        // SAFETY: `raw` is owned by this value and not used after drop.
        unsafe {
            ffi::MatDestroy(&mut self.raw);
        }
    }
}
