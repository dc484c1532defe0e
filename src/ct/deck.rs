//! The files and the model of a CT mesh, shared by the voxel and the tetrahedral paths:
//! `bone.stl`, `bone.vtu` (cell data) and `bone.inp`, and the solvable model (one material
//! per modulus bin, DISTAL clamped, one body weight on PROXIMAL). Units: mm, MPa, N.

use std::path::Path;

use osteon_assembly::{LoadCase, Model, NodalLoad};
use osteon_imaging::{ElementProperties, MaterialBins, Region, TriangleMesh};
use osteon_io::vtu::{DataArray, VtuFields, write_vtu};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::Mesh;

use super::{BODY_WEIGHT_N, CtError, CtFiles, POISSON};

/// Write `bone.stl` (`surface`), `bone.vtu` (`mesh` with the cell data `hu`, `density`,
/// `youngs_modulus`, `region`, `material`) and `bone.inp` (`model`, headed `heading`) into
/// `dir`, created if missing.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_files(
    dir: &Path,
    surface: &TriangleMesh,
    mesh: &Mesh,
    properties: &ElementProperties,
    regions: &[Region],
    bins: &MaterialBins,
    model: &Model,
    heading: &str,
) -> Result<CtFiles, CtError> {
    std::fs::create_dir_all(dir).map_err(|source| CtError::OutputFolder {
        path: dir.to_path_buf(),
        source,
    })?;
    let stl = dir.join("bone.stl");
    surface.write_stl(&stl)?;
    let region_code: Vec<i32> = regions.iter().map(|r| i32::from(r.code())).collect();
    let element_bin: Vec<i32> = bins.element_bin.iter().map(|&b| b as i32).collect();
    let vtu = dir.join("bone.vtu");
    let fields = VtuFields::new()
        .with_cell_array(DataArray::float64("hu", 1, properties.hu.clone()))
        .with_cell_array(DataArray::float64(
            "density",
            1,
            properties.density_g_cm3.clone(),
        ))
        .with_cell_array(DataArray::float64(
            "youngs_modulus",
            1,
            properties.modulus_mpa.clone(),
        ))
        .with_cell_array(DataArray::int32("region", 1, region_code))
        .with_material(element_bin)
        .with_legend(
            "region",
            Region::ALL.map(|r| (i32::from(r.code()), r.name())),
        )
        .with_node_set_flags(["PROXIMAL", "DISTAL"]);
    write_vtu(&vtu, mesh, &fields)?;
    let inp = dir.join("bone.inp");
    osteon_io::deck_writer::write_model_inp(&inp, model, heading)?;
    Ok(CtFiles { inp, vtu, stl })
}

/// A mesh with the node sets DISTAL and PROXIMAL as a solvable model: one isotropic
/// material per bin (ν 0.3), DISTAL clamped, one body weight along `axis` (the bone's long
/// axis, a unit vector in the world) towards distal on the PROXIMAL nodes.
pub(super) fn deck_model(
    mesh: &Mesh,
    axis: [f64; 3],
    moduli: &[f64],
    element_bin: &[usize],
) -> Result<Model, CtError> {
    let mut model = Model::new(mesh.clone());
    for (b, &e) in moduli.iter().enumerate() {
        let m = model.add_material(Material::new(
            format!("BONE_E{:.0}", e),
            IsotropicElastic::new(e, POISSON)?.into(),
        ));
        let elements: Vec<usize> = (0..element_bin.len())
            .filter(|&el| element_bin[el] == b)
            .collect();
        model.add_section(format!("BIN_{b}"), elements, m);
    }
    let distal = model.mesh.node_set("DISTAL")?.to_vec();
    let proximal = model.mesh.node_set("PROXIMAL")?.to_vec();
    model.fix(&distal, &[0, 1, 2]);
    // the long axis, pointing from the distal to the proximal end
    let mean = |nodes: &[usize]| {
        let mut c = [0.0; 3];
        for &n in nodes {
            for (d, x) in c.iter_mut().enumerate() {
                *x += model.mesh.coords[n][d] / nodes.len() as f64;
            }
        }
        c
    };
    let (p, d) = (mean(&proximal), mean(&distal));
    let sign = if (0..3).map(|c| (p[c] - d[c]) * axis[c]).sum::<f64>() >= 0.0 {
        1.0
    } else {
        -1.0
    };
    let mut case = LoadCase::new(format!("{BODY_WEIGHT_N} N axial compression on PROXIMAL"));
    for &node in &proximal {
        for (component, &a) in axis.iter().enumerate() {
            let value = -sign * a * BODY_WEIGHT_N / proximal.len() as f64;
            if value != 0.0 {
                case.nodal_loads.push(NodalLoad {
                    node,
                    component,
                    value,
                });
            }
        }
    }
    model.load_cases.push(case);
    Ok(model)
}
