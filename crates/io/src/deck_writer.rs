//! Write a mesh or a whole model as an Abaqus/CalculiX deck — what `osteon mesh` produces,
//! and how models built in Rust are handed to CalculiX for cross-checks.

use std::io::Write;
use std::path::Path;

use nalgebra::Vector3;
use osteon_assembly::{DirichletBc, LoadCase, Model};
use osteon_material::Elastic;
use osteon_mesh::{Mesh, Surface};

use crate::atomic::write_atomically;
use crate::error::IoError;

/// Write `mesh` (nodes, elements by type, node sets, element sets, surfaces) as `.inp`.
pub fn write_mesh_inp(path: &Path, mesh: &Mesh, heading: &str) -> Result<(), IoError> {
    write_atomically(path, |w| {
        writeln!(w, "*HEADING\n{heading}")?;
        write_mesh_body(w, mesh)
    })
}

/// Write a complete model: mesh, materials, sections, model-level boundary conditions and
/// equations, and one `*STEP` per load case (loads replaced per step with `OP=NEW`).
/// `*NODE PRINT`/`*EL PRINT` requests for U, RF and S are added so CalculiX reports results.
///
/// # Errors
/// [`IoError::Unsupported`] for a model with contact pairs (the writer has no
/// `*CONTACT PAIR` yet; writing the rest would silently make it a linear model) or with a
/// coupled support (no `*COUPLING` yet; its six pins alone would leave the loads
/// unbalanced), and the errors of [`write_atomically`].
pub fn write_model_inp(path: &Path, model: &Model, heading: &str) -> Result<(), IoError> {
    if !model.contact_pairs.is_empty() {
        return Err(IoError::Unsupported {
            file: path.to_path_buf(),
            what: format!("a model with {} contact pair(s)", model.contact_pairs.len()),
        });
    }
    if let Some(s) = &model.coupled_support {
        return Err(IoError::Unsupported {
            file: path.to_path_buf(),
            what: format!(
                "a model with a coupled support ({}, {} nodes); clamp the support to write it",
                s.name,
                s.nodes.len()
            ),
        });
    }
    write_atomically(path, |w| write_model(w, model, heading))
}

fn write_model(w: &mut dyn Write, model: &Model, heading: &str) -> std::io::Result<()> {
    writeln!(w, "*HEADING\n{heading}")?;
    let mesh = &model.mesh;
    write_mesh_body(w, mesh)?;
    for (s, section) in model.sections.iter().enumerate() {
        writeln!(w, "*ELSET, ELSET=SECTION_{s}")?;
        write_id_list(w, section.elements.iter().map(|&e| mesh.element(e).id))?;
    }
    for (m, material) in model.materials.iter().enumerate() {
        writeln!(w, "*MATERIAL, NAME=M{m}_{}", sanitize(&material.name))?;
        match &material.elastic {
            Elastic::Isotropic(iso) => writeln!(w, "*ELASTIC\n{}, {}", num(iso.e), num(iso.nu))?,
            other => {
                // general laws as the Abaqus orthotropic D-matrix (our Voigt order → Abaqus 11,22,33,12,13,23)
                let d = other.stiffness();
                writeln!(w, "*ELASTIC, TYPE=ORTHOTROPIC")?;
                let v = [
                    d[0][0], d[0][1], d[1][1], d[0][2], d[1][2], d[2][2], d[3][3], d[5][5], d[4][4],
                ]
                .map(num);
                writeln!(w, "{},\n{}", v[..8].join(", "), v[8])?;
            }
        }
        if let Some(rho) = material.density {
            writeln!(w, "*DENSITY\n{}", num(rho))?;
        }
    }
    for (s, section) in model.sections.iter().enumerate() {
        let m = section.material;
        let name = model
            .materials
            .get(m)
            .map(|x| sanitize(&x.name))
            .unwrap_or_default();
        writeln!(w, "*SOLID SECTION, ELSET=SECTION_{s}, MATERIAL=M{m}_{name}")?;
    }
    if !model.equations.is_empty() {
        for eq in &model.equations {
            writeln!(w, "*EQUATION\n{}", eq.terms.len())?;
            for (i, &(n, c, a)) in eq.terms.iter().enumerate() {
                let sep = if i % 4 == 3 || i + 1 == eq.terms.len() {
                    "\n"
                } else {
                    ", "
                };
                write!(w, "{}, {}, {}{sep}", mesh.node_ids[n], c + 1, num(a))?;
            }
        }
    }
    write_boundary(w, mesh, &model.boundary, "*BOUNDARY")?;
    for case in &model.load_cases {
        write_step(w, model, case)?;
    }
    Ok(())
}

fn write_step(w: &mut dyn Write, model: &Model, case: &LoadCase) -> std::io::Result<()> {
    let mesh = &model.mesh;
    writeln!(w, "** load case: {}", case.name.replace('\n', " "))?;
    writeln!(w, "*STEP\n*STATIC")?;
    // every step states its complete set of conditions: model-level ones and the case's own
    // (OP=NEW drops whatever an earlier step prescribed)
    let all = model.boundary_of(case);
    if all.is_empty() {
        // conditions persist from step to step: an empty OP=NEW still removes those of the
        // step before (a case without conditions after one with them)
        writeln!(w, "*BOUNDARY, OP=NEW")?;
    } else {
        write_boundary(w, mesh, &all, "*BOUNDARY, OP=NEW")?;
    }
    writeln!(w, "*CLOAD, OP=NEW")?;
    for l in &case.nodal_loads {
        writeln!(
            w,
            "{}, {}, {}",
            mesh.node_ids[l.node],
            l.component + 1,
            num(l.value)
        )?;
    }
    writeln!(w, "*DLOAD, OP=NEW")?;
    for p in &case.pressures {
        writeln!(
            w,
            "{}, P{}, {}",
            mesh.element(p.face.element).id,
            p.face.face + 1,
            num(p.pressure)
        )?;
    }
    for g in &case.gravity {
        let a = g.acceleration;
        let mag = Vector3::from(a).norm();
        if mag > 0.0 {
            let targets: Vec<String> = match &g.elements {
                Some(list) => list
                    .iter()
                    .map(|&e| mesh.element(e).id.to_string())
                    .collect(),
                None => vec!["EALL".to_string()],
            };
            for target in targets {
                writeln!(
                    w,
                    "{target}, GRAV, {}, {}, {}, {}",
                    num(mag),
                    num(a[0] / mag),
                    num(a[1] / mag),
                    num(a[2] / mag)
                )?;
            }
        }
    }
    writeln!(
        w,
        "*NODE PRINT, NSET=NALL\nU, RF\n*EL PRINT, ELSET=EALL\nS\n*NODE FILE\nU, RF\n*EL FILE\nS\n*END STEP"
    )
}

fn write_boundary(
    w: &mut dyn Write,
    mesh: &Mesh,
    bcs: &[DirichletBc],
    keyword: &str,
) -> std::io::Result<()> {
    if bcs.is_empty() {
        return Ok(());
    }
    writeln!(w, "{keyword}")?;
    for b in bcs {
        writeln!(
            w,
            "{}, {}, {}, {}",
            mesh.node_ids[b.node],
            b.component + 1,
            b.component + 1,
            num(b.value)
        )?;
    }
    Ok(())
}

fn write_mesh_body(w: &mut dyn Write, mesh: &Mesh) -> std::io::Result<()> {
    writeln!(w, "*NODE, NSET=NALL")?;
    for (i, x) in mesh.coords.iter().enumerate() {
        writeln!(
            w,
            "{}, {}, {}, {}",
            mesh.node_ids[i],
            num(x[0]),
            num(x[1]),
            num(x[2])
        )?;
    }
    for (b, block) in mesh.blocks.iter().enumerate() {
        writeln!(
            w,
            "*ELEMENT, TYPE={}, ELSET=BLOCK_{b}",
            block.etype.abaqus_name()
        )?;
        for i in 0..block.len() {
            write!(w, "{}", block.ids[i])?;
            for (k, &n) in block.nodes(i).iter().enumerate() {
                // at most 16 values per line (Abaqus limit); continue with a trailing comma
                if k == 15 {
                    writeln!(w, ",")?;
                    write!(w, "{}", mesh.node_ids[n])?;
                } else {
                    write!(w, ", {}", mesh.node_ids[n])?;
                }
            }
            writeln!(w)?;
        }
    }
    writeln!(w, "*ELSET, ELSET=EALL")?;
    for b in 0..mesh.blocks.len() {
        writeln!(w, "BLOCK_{b}")?;
    }
    for (name, nodes) in &mesh.node_sets {
        writeln!(w, "*NSET, NSET={}", sanitize(name))?;
        write_id_list(w, nodes.iter().map(|&n| mesh.node_ids[n]))?;
    }
    for (name, elements) in &mesh.element_sets {
        writeln!(w, "*ELSET, ELSET={}", sanitize(name))?;
        write_id_list(w, elements.iter().map(|&e| mesh.element(e).id))?;
    }
    for (name, surface) in &mesh.surfaces {
        match surface {
            Surface::Faces(faces) => {
                writeln!(w, "*SURFACE, NAME={}, TYPE=ELEMENT", sanitize(name))?;
                for f in faces {
                    writeln!(w, "{}, S{}", mesh.element(f.element).id, f.face + 1)?;
                }
            }
            Surface::Nodes(nodes) => {
                writeln!(w, "*SURFACE, NAME={}, TYPE=NODE", sanitize(name))?;
                for &n in nodes {
                    writeln!(w, "{}", mesh.node_ids[n])?;
                }
            }
        }
    }
    Ok(())
}

fn write_id_list(w: &mut dyn Write, ids: impl Iterator<Item = i64>) -> std::io::Result<()> {
    let mut k = 0;
    for id in ids {
        if k > 0 {
            write!(w, "{}", if k % 16 == 0 { ",\n" } else { ", " })?;
        }
        write!(w, "{id}")?;
        k += 1;
    }
    if k > 0 {
        writeln!(w)?;
    }
    Ok(())
}

/// A number in at most 20 characters (the field width CalculiX's reader accepts), exact
/// (shortest round-trip form) whenever that fits, else rounded to fit.
pub fn num(v: f64) -> String {
    let s = format!("{v:e}");
    if s.len() <= 20 {
        return s;
    }
    (0..16)
        .rev()
        .map(|p| format!("{v:.p$e}"))
        .find(|s| s.len() <= 20)
        .unwrap_or(s)
}

/// Abaqus names: letters, digits and underscores, starting with a letter.
fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert(0, 'S');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_fit_twenty_characters_and_round_trip_when_they_can() {
        for v in [
            0.0,
            1.0,
            -2.5,
            0.1 + 0.2,
            1.0 / 3.0,
            -1.0 / 3.0,
            123_456.789,
            6.02e23,
            1.6e-19,
            -f64::MIN_POSITIVE,
            -1.234_567_890_123_456_7e-300,
        ] {
            let s = num(v);
            assert!(s.len() <= 20, "{s}");
            let back: f64 = s.parse().unwrap_or(f64::NAN);
            if format!("{v:e}").len() <= 20 {
                assert_eq!(back, v, "{s}");
            } else {
                assert!(((back - v) / v).abs() < 1e-12, "{s}");
            }
        }
    }
}
