//! The gmsh driver of `osteon ct --mesh tet`: fill a closed surface with quadratic
//! tetrahedra (C3D10) by running the `gmsh` executable (the `gmsh` pip package, or any gmsh
//! 4) on a generated `.geo` file in a scratch folder, then read its `.msh` back.
//!
//! The surface is meshed as it is given: it is merged as a discrete surface and bounds the
//! volume directly, with no `ClassifySurfaces`/`CreateGeometry` reparametrisation. Gmsh then
//! keeps its triangles as the boundary of the tetrahedral mesh, so the surface must already
//! have the element size (`osteon_imaging::decimate`). Reparametrising a voxel-faceted
//! surface failed outright, and even on the smoothed, decimated one it left quadratic
//! elements with negative Jacobians where its curved patches met (`docs/imaging.md §7`).
//! Second-order nodes are put at the middle of straight edges (`Mesh.SecondOrderLinear`), so
//! every C3D10 is exactly as valid as its corner tetrahedron.
//!
//! Which gmsh: the one named by the caller (`--gmsh`), else the `OSTEON_GMSH` environment
//! variable, else `gmsh` on `PATH`. Its output is captured; on failure the error quotes its
//! last lines and the scratch folder is kept for inspection.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use osteon_imaging::TriangleMesh;
use osteon_mesh::{ElementType, Mesh};

use super::CtError;

/// The environment variable that names the gmsh executable.
pub const GMSH_ENV: &str = "OSTEON_GMSH";

/// Lines of gmsh's output quoted in an error.
const LOG_TAIL_LINES: usize = 25;

/// A volume mesh made by gmsh.
#[derive(Clone, Debug)]
pub struct GmshMesh {
    /// The C3D10 mesh: the nodes its elements use, ids 1.. in the order of first use,
    /// elements 1.. in gmsh's order; no sets.
    pub mesh: Mesh,
    /// Wall-clock seconds of the gmsh run.
    pub seconds: f64,
    /// The gmsh executable that ran.
    pub program: PathBuf,
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// The gmsh executable: `explicit` if given, else `$OSTEON_GMSH`, else `gmsh` (`gmsh.exe`)
/// on `PATH`.
///
/// # Errors
/// [`CtError::GmshNotFound`] naming what was tried and what to install.
pub fn find_gmsh(explicit: Option<&Path>) -> Result<PathBuf, CtError> {
    let named = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(GMSH_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = named {
        // a bare name ("gmsh4") is looked up on PATH like the default
        if path.components().count() > 1 || path.is_absolute() {
            return if is_executable(&path) {
                Ok(path)
            } else {
                Err(CtError::GmshNotFound {
                    tried: path.display().to_string(),
                })
            };
        }
        return on_path(&path.to_string_lossy()).ok_or(CtError::GmshNotFound {
            tried: format!("{} on PATH", path.display()),
        });
    }
    let name = if cfg!(windows) { "gmsh.exe" } else { "gmsh" };
    on_path(name).ok_or(CtError::GmshNotFound {
        tried: format!("{name} on PATH (and {GMSH_ENV} unset)"),
    })
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

/// The `.geo` script that fills `surface.stl` with C3D10 of edge about `h` mm.
pub fn geo_script(h: f64) -> String {
    format!(
        "// written by osteon ct --mesh tet (src/ct/gmsh.rs, docs/imaging.md §7)\n\
         Merge \"surface.stl\";\n\
         // the merged triangles bound the volume as they are (no reparametrisation)\n\
         Surface Loop(1) = Surface{{:}};\n\
         Volume(1) = {{1}};\n\
         Physical Volume(\"BONE\") = {{1}};\n\
         Mesh.MeshSizeMax = {h};\n\
         Mesh.MeshSizeExtendFromBoundary = 1;\n\
         Mesh.Algorithm3D = 1; // Delaunay\n\
         Mesh.Optimize = 1; // gmsh's own optimiser (edge swaps, node moves)\n\
         Mesh.OptimizeNetgen = 1; // then Netgen's: fewer flat tetrahedra\n\
         Mesh.ElementOrder = 2;\n\
         Mesh.SecondOrderLinear = 1; // mid-edge nodes on straight edges\n\
         Mesh.Binary = 0;\n"
    )
}

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

fn scratch_dir() -> Result<PathBuf, CtError> {
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("osteon-gmsh-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CtError::OutputFolder {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Fill the closed `surface` (mm) with C3D10 of edge about `h` mm by running `program`.
///
/// # Errors
/// [`CtError::GmshNotFound`] when `program` cannot be started because it does not exist;
/// [`CtError::Gmsh`] when it cannot be started otherwise, fails, reports an error or writes
/// no tetrahedron (the message quotes its output and names the kept scratch folder);
/// [`CtError::OutputFolder`], [`CtError::Imaging`] or [`CtError::Io`] for the scratch files.
pub fn mesh_surface(surface: &TriangleMesh, h: f64, program: &Path) -> Result<GmshMesh, CtError> {
    if !(h.is_finite() && h > 0.0) {
        return Err(CtError::ElementSize(h));
    }
    let dir = scratch_dir()?;
    surface.write_stl(&dir.join("surface.stl"))?;
    let geo = dir.join("bone.geo");
    std::fs::write(&geo, geo_script(h)).map_err(|source| CtError::OutputFolder {
        path: geo.clone(),
        source,
    })?;
    let start = Instant::now();
    let output = Command::new(program)
        .current_dir(&dir)
        .args(["bone.geo", "-3", "-format", "msh41", "-o", "bone.msh"])
        .output();
    let seconds = start.elapsed().as_secs_f64();
    let failed = |what: String, log: &str| CtError::Gmsh {
        program: program.to_path_buf(),
        what,
        log: tail(log, LOG_TAIL_LINES),
        dir: dir.clone(),
    };
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(CtError::GmshNotFound {
                tried: program.display().to_string(),
            });
        }
        Err(e) => return Err(failed(format!("could not be started: {e}"), "")),
    };
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        return Err(failed(format!("exited with {}", output.status), &log));
    }
    if let Some(line) = log.lines().find(|l| l.starts_with("Error")) {
        return Err(failed(format!("reported '{}'", line.trim()), &log));
    }
    let msh = dir.join("bone.msh");
    let read = osteon_io::gmsh::read_msh(&msh)?;
    let mesh = compact(&read.mesh)?;
    if mesh.n_elements() == 0 {
        return Err(failed("wrote no quadratic tetrahedron".into(), &log));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(GmshMesh {
        mesh,
        seconds,
        program: program.to_path_buf(),
    })
}

/// The C3D10 elements of `read` with only the nodes they use, renumbered from 1.
fn compact(read: &Mesh) -> Result<Mesh, CtError> {
    let mut index = vec![usize::MAX; read.n_nodes()];
    let mut mesh = Mesh::new();
    let mut id = 0i64;
    for el in read.elements() {
        if el.etype != ElementType::Tet10 {
            continue;
        }
        let mut nodes = [0usize; 10];
        for (slot, &n) in nodes.iter_mut().zip(el.nodes) {
            if index[n] == usize::MAX {
                index[n] = mesh.add_node(mesh.n_nodes() as i64 + 1, read.coords[n])?;
            }
            *slot = index[n];
        }
        id += 1;
        mesh.push_element(ElementType::Tet10, id, &nodes)?;
    }
    Ok(mesh)
}
