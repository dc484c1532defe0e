//! Finds PETSc and generates the bindings of the part of its C API that osteon uses.
//!
//! Where PETSc is looked for, in order:
//! 1. `PETSC_DIR` (and `PETSC_ARCH` for an in-place build): headers in
//!    `$PETSC_DIR/$PETSC_ARCH/include` and `$PETSC_DIR/include`, library `libpetsc` in
//!    `$PETSC_DIR/$PETSC_ARCH/lib` — a cluster's own PETSc;
//! 2. pkg-config's `PETSc` (Debian/Ubuntu: `apt-get install petsc-dev`).
//!
//! The bindings are generated from the headers that will be linked (bindgen), so the width
//! of `PetscInt` and the values of PETSc's enums are those of the installed configuration.
//! A complex-scalar build is refused: osteon's systems are real.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=PETSC_DIR");
    println!("cargo:rerun-if-env-changed=PETSC_ARCH");
    println!("cargo:rerun-if-changed=wrapper.h");
    let mut includes: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = env::var("PETSC_DIR") {
        let dir = PathBuf::from(dir);
        let arch_dir = match env::var("PETSC_ARCH") {
            Ok(arch) if !arch.is_empty() => dir.join(arch),
            _ => dir.clone(),
        };
        includes.push(arch_dir.join("include"));
        includes.push(dir.join("include"));
        let lib = arch_dir.join("lib");
        println!("cargo:rustc-link-search=native={}", lib.display());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
        println!("cargo:rustc-link-lib=petsc");
    } else {
        match pkg_config::Config::new()
            .atleast_version("3.15")
            .probe("PETSc")
        {
            Ok(lib) => includes.extend(lib.include_paths),
            Err(e) => panic!(
                "PETSc not found ({e}).\n\
                 Install it (Debian/Ubuntu: apt-get install petsc-dev) or point at your own \
                 build with PETSC_DIR (and PETSC_ARCH)."
            ),
        }
    }
    // PETSc's headers include mpi.h: add the MPI compiler wrapper's include directories
    if let Ok(out) = std::process::Command::new("mpicc")
        .arg("--showme:incdirs")
        .output()
        && out.status.success()
    {
        for d in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            includes.push(PathBuf::from(d));
        }
    }
    let conf = includes
        .iter()
        .map(|d| d.join("petscconf.h"))
        .find(|p| p.exists())
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    if conf.contains("#define PETSC_USE_COMPLEX 1") {
        panic!("this PETSc is configured with complex scalars; osteon needs a real build");
    }
    let mut builder = bindgen::Builder::default()
        .header("wrapper.h")
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        // MPI_Comm is rsmpi's type, so that communicators pass between the two crates
        .blocklist_type("MPI_Comm")
        .blocklist_type("ompi_communicator_t")
        .raw_line("pub use mpi::ffi::MPI_Comm;")
        .allowlist_function("Petsc(Initialized|InitializeNoArguments|Finalize|Finalized)")
        .allowlist_function("PetscOptions(InsertString|HasName|SetValue|ClearValue)")
        .allowlist_function("PetscHasExternalPackage")
        .allowlist_function("Petsc(PushErrorHandler|PopErrorHandler|ErrorMessage)")
        .allowlist_function("Mat(Create|SetSizes|SetType|SetBlockSize|SetFromOptions)")
        .allowlist_function("Mat(XAIJSetPreallocation|SetOption|SetValues|AssemblyBegin|AssemblyEnd)")
        .allowlist_function("Mat(Destroy|SetNearNullSpace|GetSize|GetType|CreateVecs|Mult|ZeroEntries)")
        .allowlist_function("MatNullSpace(Create|Destroy|Test)")
        .allowlist_function("Vec(Create|SetSizes|SetBlockSize|SetFromOptions|SetType|Duplicate|Destroy)")
        .allowlist_function("Vec(SetValues|AssemblyBegin|AssemblyEnd|GetArray|RestoreArray)")
        .allowlist_function("Vec(GetArrayRead|RestoreArrayRead|GetOwnershipRange|GetSize|Set)")
        .allowlist_function("Vec(Norm|Dot|AXPY|Scale|Normalize|ScatterCreateToZero|ScatterBegin|ScatterEnd|ScatterDestroy)")
        .allowlist_function("KSP(Create|SetOperators|SetType|GetType|GetPC|SetTolerances|SetFromOptions)")
        .allowlist_function("KSP(SetUp|Solve|GetIterationNumber|GetConvergedReason|GetResidualNorm|Destroy)")
        .allowlist_function("KSP(SetInitialGuessNonzero|SetNormType)")
        .allowlist_function("PC(SetType|GetType)")
        .allowlist_var("PETSC_COMM_WORLD")
        .allowlist_var("KSPConvergedReasons")
        .allowlist_var("(MAT|VEC|KSP|PC)[A-Z]+")
        .allowlist_var("PETSC_(DECIDE|DETERMINE|DEFAULT|VERSION_MAJOR|VERSION_MINOR|VERSION_SUBMINOR)")
        .allowlist_type("(InsertMode|MatAssemblyType|MatOption|NormType|ScatterMode|KSPConvergedReason|KSPNormType|PetscErrorType)")
        .derive_debug(false)
        .layout_tests(false);
    for d in &includes {
        builder = builder.clang_arg(format!("-I{}", d.display()));
    }
    let bindings = builder
        .generate()
        .expect("bindgen could not read PETSc's headers (is mpi.h found? is petsc-dev installed?)");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings
        .write_to_file(out.join("petsc_bindings.rs"))
        .expect("writing the PETSc bindings");
}
