//! The external load vector of a load case, on raw DOFs (N).

use rayon::prelude::*;

use crate::assemble::inverted;
use crate::element::{body_force, face_pressure, face_traction};
use crate::error::AssemblyError;
use crate::model::{LoadCase, Model};

/// f_ext (N) on raw DOFs: concentrated forces, consistent face pressures and tractions, and
/// body forces ρ a (density from the element's material). `materials[e]` is the material
/// index of element e.
pub fn external_forces(
    model: &Model,
    case: &LoadCase,
    materials: &[usize],
) -> Result<Vec<f64>, AssemblyError> {
    let mesh = &model.mesh;
    let n_nodes = mesh.n_nodes();
    let mut f = vec![0.0; 3 * n_nodes];
    for load in &case.nodal_loads {
        if load.node >= n_nodes || load.component > 2 || !load.value.is_finite() {
            return Err(AssemblyError::Load {
                detail: format!(
                    "concentrated load on node index {} component {} = {} is invalid",
                    load.node, load.component, load.value
                ),
            });
        }
        f[3 * load.node + load.component] += load.value;
    }
    let mut face_forces = [[0.0; 3]; 8];
    let mut add_face = |element: usize,
                        face: u8,
                        traction: Option<[f64; 3]>,
                        pressure: f64|
     -> Result<(), AssemblyError> {
        if element >= mesh.n_elements() {
            return Err(AssemblyError::Load {
                detail: format!("surface load on element index {element}, which does not exist"),
            });
        }
        let el = mesh.element(element);
        let x = mesh.element_coords(element);
        let x = &x[..el.etype.n_nodes()];
        let local = match traction {
            Some(t) => face_traction(el.etype, face as usize, x, t, &mut face_forces),
            None => face_pressure(el.etype, face as usize, x, pressure, &mut face_forces),
        }
        .ok_or_else(|| AssemblyError::Load {
            detail: format!(
                "element {} ({}) has no face S{}",
                el.id,
                el.etype,
                face as usize + 1
            ),
        })?;
        for (k, &l) in local.iter().enumerate() {
            let node = el.nodes[l];
            for i in 0..3 {
                f[3 * node + i] += face_forces[k][i];
            }
        }
        Ok(())
    };
    for p in &case.pressures {
        if !p.pressure.is_finite() {
            return Err(AssemblyError::Load {
                detail: "pressure is not finite".into(),
            });
        }
        add_face(p.face.element, p.face.face, None, p.pressure)?;
    }
    for t in &case.tractions {
        add_face(t.face.element, t.face.face, Some(t.traction), 0.0)?;
    }
    for g in &case.gravity {
        let elements: Vec<usize> = match &g.elements {
            Some(list) => list.clone(),
            None => (0..mesh.n_elements()).collect(),
        };
        let contributions: Vec<(usize, Vec<f64>)> = elements
            .par_iter()
            .map(|&e| {
                let el = mesh.element(e);
                let material = &model.materials[materials[e]];
                let rho = material.density.ok_or_else(|| AssemblyError::Load {
                    detail: format!(
                        "gravity load on element {} but material '{}' has no density",
                        el.id, material.name
                    ),
                })?;
                let x = mesh.element_coords(e);
                let mut fe = vec![0.0; 3 * el.etype.n_nodes()];
                let b = [
                    rho * g.acceleration[0],
                    rho * g.acceleration[1],
                    rho * g.acceleration[2],
                ];
                body_force(el.etype, &x[..el.etype.n_nodes()], b, &mut fe)
                    .map_err(|err| inverted(mesh, e, err))?;
                Ok((e, fe))
            })
            .collect::<Result<_, AssemblyError>>()?;
        for (e, fe) in contributions {
            for (a, &node) in mesh.element(e).nodes.iter().enumerate() {
                for i in 0..3 {
                    f[3 * node + i] += fe[3 * a + i];
                }
            }
        }
    }
    Ok(f)
}
