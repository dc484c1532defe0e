//! The tibia phantom CT and the studies on it that the `[patient_ct]` tests share.

#![allow(dead_code)]

use std::path::Path;

use osteon_biomech::{
    CortexModel, DefectSpec, FlangeSpec, ImplantSpec, InterfaceModel, MeshSpec, PatientCtSpec,
    Reconstruction, Region, ScrewSpec, Study, StudyRun, TibiaGeometry,
};
use osteon_imaging::{TibiaPhantom, write_nifti};

/// The phantom: a 200 mm tibia-like bone, shaft Ø 24 mm with a 5 mm cortex (the
/// surrogate's wall), 40 mm metaphyses flaring to Ø 40 mm, 1 mm voxels; the 2 mm margin puts
/// the bone ends on the faces of the 2-voxel element blocks.
pub fn phantom() -> TibiaPhantom {
    TibiaPhantom {
        voxel_mm: [1.0; 3],
        length_mm: 200.0,
        shaft_outer_radius_mm: 12.0,
        shaft_inner_radius_mm: 7.0,
        metaphysis_length_mm: 40.0,
        end_radius_mm: 20.0,
        shell_thickness_mm: 2.5,
        margin_mm: 2.0,
        supersampling: 2,
        ..TibiaPhantom::default()
    }
}

/// The parametric tibia closest to the phantom: circular sections, the same radii, flare
/// lengths and diaphyseal wall; the end walls (linear over each flare in the surrogate) are
/// the phantom's shell.
pub fn matching_geometry(p: &TibiaPhantom) -> TibiaGeometry {
    let d = 2.0 * p.end_radius_mm;
    TibiaGeometry {
        length_mm: p.length_mm,
        diaphysis_outer_semi_axes_mm: [p.shaft_outer_radius_mm; 2],
        diaphysis_wall_mm: p.shaft_cortex_thickness_mm(),
        proximal_flare_length_mm: p.metaphysis_length_mm,
        proximal_outer_width_mm: [d, d],
        proximal_wall_mm: p.shell_thickness_mm,
        distal_flare_length_mm: p.metaphysis_length_mm,
        distal_outer_width_mm: [d, d],
        distal_wall_mm: p.shell_thickness_mm,
        cancellous_metaphyses: true,
    }
}

pub const DEFECT: DefectSpec = DefectSpec {
    length_mm: 40.0,
    center_mm: Some(100.0),
};

/// The bonded prosthesis alone (no flange, no screws), the seed's axial cases, no headline
/// analyses.
pub fn base_study() -> Study {
    let mut s = Study {
        implant: ImplantSpec {
            flange: FlangeSpec {
                enabled: false,
                ..FlangeSpec::default()
            },
            screws: ScrewSpec {
                enabled: false,
                ..ScrewSpec::default()
            },
            ..ImplantSpec::default()
        },
        interface: InterfaceModel::Bonded,
        defect: DEFECT,
        threads: Some(2),
        ..Study::default()
    };
    s.loads.activities = Vec::new();
    s.metrics.headline_analyses = false;
    s
}

pub fn ct_study(image: &Path, homogeneous_bone: bool) -> Study {
    let p = phantom();
    Study {
        patient_ct: Some(PatientCtSpec {
            image: image.to_path_buf(),
            element_size_mm: Some(2.0),
            homogeneous_bone,
            diaphysis_mm: Some([p.metaphysis_length_mm, p.length_mm - p.metaphysis_length_mm]),
            ..PatientCtSpec::default()
        }),
        ..base_study()
    }
}

pub fn write_phantom(dir: &Path) -> std::path::PathBuf {
    let image = dir.join("phantom.nii.gz");
    write_nifti(&image, &phantom().generate().expect("phantom")).expect("nifti");
    image
}

pub fn check_balance(run: &StudyRun) {
    assert!(!run.report.cases.is_empty());
    for c in &run.report.cases {
        let q = &c.metrics.equilibrium;
        assert!(
            q.relative_error <= 1e-8 && q.moment_relative_error <= 1e-8,
            "{}: {q:?}",
            c.metrics.name
        );
        let q = &c.metrics.intact_equilibrium;
        assert!(q.relative_error <= 1e-8 && q.moment_relative_error <= 1e-8);
    }
}

/// One metric of both studies, and their relative difference.
pub fn row(name: &str, ct: f64, parametric: f64) -> f64 {
    let d = ct / parametric - 1.0;
    println!(
        "| {name} | {ct:.4} | {parametric:.4} | {:+.1} % |",
        100.0 * d
    );
    d
}

/// Areas (mm²) of the envelope and of the cortex in the plane `z` of a voxel model: the
/// x-y box areas of the intact elements whose z range holds `z`.
pub fn section_areas(rec: &Reconstruction, z: f64) -> (f64, f64) {
    let (mut envelope, mut cortex) = (0.0, 0.0);
    for e in 0..rec.n_intact_elements {
        let nodes = rec.mesh.element(e).nodes;
        let range = |k: usize| {
            nodes
                .iter()
                .fold([f64::INFINITY, f64::NEG_INFINITY], |r, &a| {
                    let v = rec.mesh.coords[a][k];
                    [r[0].min(v), r[1].max(v)]
                })
        };
        let zr = range(2);
        if zr[0] <= z && z < zr[1] {
            let [x, y] = [range(0), range(1)];
            let a = (x[1] - x[0]) * (y[1] - y[0]);
            envelope += a;
            if rec.regions[e] == Region::Cortical {
                cortex += a;
            }
        }
    }
    (envelope, cortex)
}

/// The parametric tibia matched to a CT model's mesh rather than to the phantom's
/// generating radii: the shaft's outer radius and wall from the envelope and cortex areas
/// of the voxel model at mid-shaft `z` (the staircase of 2-voxel blocks lies up to a block
/// outside the phantom's circle), the end widths scaled by the same ratio.
pub fn area_matched_geometry(p: &TibiaPhantom, ct: &Reconstruction, z: f64) -> TibiaGeometry {
    let (envelope, cortex) = section_areas(ct, z);
    let r_out = (envelope / std::f64::consts::PI).sqrt();
    let r_in = ((envelope - cortex) / std::f64::consts::PI).sqrt();
    let mut g = matching_geometry(p);
    let scale = r_out / g.diaphysis_outer_semi_axes_mm[0];
    println!(
        "CT mid-shaft section: envelope {envelope:.1} mm², cortex {cortex:.1} mm² → r_out {r_out:.2} mm, wall {:.2} mm (phantom {} / {} mm)",
        r_out - r_in,
        p.shaft_outer_radius_mm,
        p.shaft_cortex_thickness_mm()
    );
    g.diaphysis_outer_semi_axes_mm = [r_out; 2];
    g.diaphysis_wall_mm = r_out - r_in;
    g.proximal_outer_width_mm = g.proximal_outer_width_mm.map(|w| w * scale);
    g.distal_outer_width_mm = g.distal_outer_width_mm.map(|w| w * scale);
    g
}

/// The parametric surrogate of a homogeneous CT study `ct` (isotropic cortex): the
/// [`base_study`] on the tibia matched to the CT mesh's mid-shaft section
/// ([`area_matched_geometry`]), 3 mm C3D20, the prosthesis filling the canal as the CT's
/// fills the envelope.
pub fn matched_surrogate(ct: &StudyRun) -> Study {
    let mut parametric = Study {
        geometry: area_matched_geometry(&phantom(), &ct.reconstruction, 60.0),
        mesh: MeshSpec {
            size_mm: 3.0,
            ..MeshSpec::default()
        },
        ..base_study()
    };
    parametric.implant.fill_canal = true;
    parametric.bone.cortex = CortexModel::Isotropic;
    parametric
}

/// Print the CT study's metrics next to the parametric surrogate's, and check the headline
/// ones — the largest displacement, the porous-Ta stress (mean, p99) and the
/// stress-shielding SED ratios — agree to `tol` (relative); the interface and screw values
/// are printed as diagnostics (docs/imaging.md §10 says why they differ more).
pub fn compare_with_surrogate(ct: &StudyRun, par: &StudyRun, tol: f64) {
    println!("| metric | CT | parametric | difference |\n|---|---|---|---|");
    assert_eq!(ct.report.cases.len(), par.report.cases.len());
    for (a, b) in ct.report.cases.iter().zip(&par.report.cases) {
        let (a, b) = (&a.metrics, &b.metrics);
        println!("**{}**", a.name);
        let mut headline = vec![
            row(
                "max displacement implanted (mm)",
                a.max_displacement_mm[0],
                b.max_displacement_mm[0],
            ),
            row(
                "porous Ta p99 (MPa)",
                a.porous_tantalum.p99_mpa,
                b.porous_tantalum.p99_mpa,
            ),
            row(
                "porous Ta mean (MPa)",
                a.porous_tantalum.mean_mpa,
                b.porous_tantalum.mean_mpa,
            ),
        ];
        for (x, y) in a.shielding.zones.iter().zip(&b.shielding.zones) {
            headline.push(row(&format!("SED ratio {}", x.name), x.ratio, y.ratio));
        }
        for (x, y) in a.interfaces.iter().zip(&b.interfaces) {
            row(&format!("{} max |u| (mm)", x.name), x.max_mm, y.max_mm);
        }
        row(
            "bone strain p99 (µε)",
            a.bone.p99_microstrain,
            b.bone.p99_microstrain,
        );
        for (x, y) in a.screw_entry.iter().zip(&b.screw_entry) {
            row(
                &format!("screw {} axial stress at entry (MPa)", x.screw),
                x.axial_stress_mpa,
                y.axial_stress_mpa,
            );
        }
        for (i, d) in headline.iter().enumerate() {
            assert!(
                d.abs() <= tol,
                "{}: headline metric {i} differs by {d:+.3}",
                a.name
            );
        }
    }
}
