//! Element-by-element internal forces f_int = K u on raw DOFs: used for the lifting of
//! prescribed displacements (K g) and for reaction forces (K u − f_ext).

use rayon::prelude::*;

use osteon_material::Voigt6x6;
use osteon_mesh::Mesh;

use crate::assemble::inverted;
use crate::element::internal_force;
use crate::error::AssemblyError;

/// K u (N) on raw DOFs for raw displacements `u` (mm). Elements whose nodes all have zero
/// displacement are skipped. Threads work on contiguous element ranges with private vectors.
pub fn internal_forces(
    mesh: &Mesh,
    materials: &[usize],
    d: &[Voigt6x6],
    u: &[f64],
) -> Result<Vec<f64>, AssemblyError> {
    let n_el = mesh.n_elements();
    let n_raw = 3 * mesh.n_nodes();
    let parts = rayon::current_num_threads().max(1);
    let per = n_el.div_ceil(parts).max(1);
    let partials: Vec<Vec<f64>> = (0..parts)
        .into_par_iter()
        .map(|p| {
            let mut f = vec![0.0; n_raw];
            let mut ue = [0.0; 60];
            let mut fe = [0.0; 60];
            for e in (p * per)..((p + 1) * per).min(n_el) {
                let el = mesh.element(e);
                let n = el.etype.n_nodes();
                let mut any = false;
                for (a, &node) in el.nodes.iter().enumerate() {
                    for i in 0..3 {
                        ue[3 * a + i] = u[3 * node + i];
                        any |= ue[3 * a + i] != 0.0;
                    }
                }
                if !any {
                    continue;
                }
                let x = mesh.element_coords(e);
                internal_force(el.etype, &x[..n], &d[materials[e]], &ue[..3 * n], &mut fe)
                    .map_err(|g| inverted(mesh, e, g))?;
                for (a, &node) in el.nodes.iter().enumerate() {
                    for i in 0..3 {
                        f[3 * node + i] += fe[3 * a + i];
                    }
                }
            }
            Ok(f)
        })
        .collect::<Result<_, AssemblyError>>()?;
    let mut total = vec![0.0; n_raw];
    for part in partials {
        total
            .par_iter_mut()
            .zip(part.par_iter())
            .for_each(|(t, v)| *t += v);
    }
    Ok(total)
}
