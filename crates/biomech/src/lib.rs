//! # osteon-biomech
//!
//! The tibial-defect reconstruction study: a parametric tibia with a segmental defect bridged
//! by a 3D-printed porous-tantalum prosthesis, a lateral flange and Ti-6Al-4V locking screws,
//! loaded at 50 % and 100 % body weight through the plateau, compared point by point with the
//! intact bone under the same loads. Units: mm, N, MPa; strains in µε in reports. Every number
//! comes from `docs/biomechanics.md` (cited where it is used, with its "(unverified)" flags)
//! or is marked as an engineering choice.
//!
//! A study reads as *setup → solve → postprocess → write*:
//!
//! - [`Study`] (TOML, every field optional) — [`TibiaGeometry`], [`DefectSpec`],
//!   [`ImplantSpec`] ([`FlangeSpec`], [`ScrewSpec`]), [`InterfaceModel`], [`LoadSpec`],
//!   [`MeshSpec`], [`MetricSpec`];
//! - [`build_reconstruction`] → [`Reconstruction`]: multi-block quadratic-brick mesh (O-grid
//!   core + cortical ring swept along the flared shaft, merged by [`merge::NodeMerger`]),
//!   defect and prosthesis, flange tie, screws in drilled holes (or embedded, [`embed`]),
//!   interface node sets;
//!   [`Reconstruction::implanted_model`] and [`Reconstruction::intact_model`];
//! - [`run_study`] solves both models (one factorisation each for all load cases) and
//!   computes the [`metrics`] of DESIGN.md §5: interface displacement, micromotion ("not
//!   applicable (bonded)" for the bonded interface), stress shielding per bone zone, implant
//!   safety, bone strain, with pass/fail [`metrics::Check`]s; its stages are public:
//!   [`build_study`] → [`solve_implanted`] → [`solve_intact`] → [`study_metrics`] →
//!   [`study_report`]. It writes nothing: writing is the caller's step (below);
//! - or [`patient::build_patient_reconstruction`]: an imported `.inp`/`.msh` patient mesh with
//!   named bone sets instead of the parametric tibia (required set names in [`patient`]);
//! - or [`patient_ct::build_ct_reconstruction`]: a patient CT (`[patient_ct]`), meshed and
//!   mapped by `osteon-imaging`, each bone element with its CT-mapped modulus;
//! - [`run_study_cached`] shares the intact solve across the studies of a sweep
//!   ([`IntactCache`]); [`run_study_using`] takes the linear solver of every solve (e.g.
//!   PETSc's CG + GAMG through an [`osteon_assembly::SolverChoice::External`] factory);
//! - [`plots`] draws the SVG plots (stress shielding per zone, von Mises/SED along the shaft,
//!   the micromotion histogram of a frictional interface, the sweep trade-off);
//! - [`write_study_outputs`] writes a finished run where the caller chooses: the VTU files,
//!   the plots, `report.json` and `report.md` (the CLI: into `study.output`);
//!   [`report::write_report`] writes `report.json` and `report.md`, [`output::write_study_vtu`]
//!   one VTU per load case for the implanted and the intact model (region labels and
//!   metric fields);
//!   [`report::metric_table`] is the console table;
//! - [`convergence`] checks the metrics under mesh refinement (relative change and the
//!   three-mesh grid convergence index), the solution verification of
//!   `examples/mesh_convergence.rs`.
//!
//! ```no_run
//! use osteon_assembly::ConsoleLog;
//! use osteon_biomech::{OutputOptions, Study, report::metric_table, run_study, write_study_outputs};
//! let study = Study::default();
//! let mut run = run_study(&study, &mut ConsoleLog::default())?;
//! println!("{}", metric_table(&run.report));
//! write_study_outputs(&mut run, "out/tibia".as_ref(), &OutputOptions::from_study(&study))?;
//! # Ok::<(), osteon_biomech::BiomechError>(())
//! ```
//!
//! The frictional interface ([`InterfaceModel::Frictional`], the default) splits the docking faces
//! ([`frictional::split_docking_interface`]) and solves each load case with the
//! node-to-surface Coulomb contact of `osteon-contact` ([`frictional::solve_frictional`]);
//! its slip is the micromotion, elastic stick compliance τ/k_T included (k_T from
//! [`InterfaceModel::stick_stiffness`], a measured property of porous coatings on bone, so the
//! micromotion converges with the mesh). It is available on the parametric tibia and on a CT
//! (the flange holds the prosthesis, [`patient_ct`]); on an imported patient mesh (no flange)
//! it stops with
//! [`BiomechError::NotYetAvailable`], and a study file that names no interface there gets the
//! bonded one with a note ([`Study::frictional_unavailable`]).

mod builder;
mod checks;
pub mod construct;
pub mod convergence;
pub mod critical_distance;
pub mod daily;
pub mod design;
pub mod embed;
mod error;
pub mod flange_net_section;
pub mod frictional;
pub mod geometry;
pub mod headline;
pub mod implant_strength;
pub mod in_vivo;
pub mod interface_sensitivity;
pub mod load_sharing;
pub mod mechanostat;
pub mod merge;
pub mod metrics;
pub mod migration;
mod model;
pub mod modulus_bounds;
pub mod output;
pub mod patient;
pub mod patient_ct;
pub mod plots;
pub mod report;
pub mod screw_comparison;
mod spec;
mod study;
mod study_file;

pub use builder::{
    CellCounts, Fragment, InterfaceSet, Reconstruction, Region, ScrewPlacement,
    build_reconstruction, defect_planes, faces_area, ogrid_point,
};
pub use error::BiomechError;
pub use geometry::TibiaGeometry;
pub use model::{
    CT_BONE_POISSON, KneeFrame, LatticeMaterial, MaterialSummary, StudyMaterials, apply_support,
    fixed_nodes, plateau_load_cases,
};
pub use output::{OutputOptions, write_study_outputs};
pub use patient::{PatientMeshSpec, build_patient_reconstruction, read_patient_mesh};
pub use patient_ct::{PatientCtSpec, ScrewTrajectory, build_ct_reconstruction};
pub use spec::{
    Activity, ActivityCase, BoneSpec, CortexModel, DefectSpec, DistalSupport, ELASTIC_SLIP_MM,
    ELASTIC_SLIP_RANGE_MM, ExtraCase, FlangeContact, FlangeMaterial, FlangeSpec, ImplantSpec,
    InterfaceModel, LatticeSpec, LoadSpec, MU_TA_CORTICAL, MeshSpec, MetricSpec,
    REFERENCE_INTERFACE_PRESSURE_MPA, ScrewModel, ScrewSpec, StudyLoadCase,
};
pub use study::{
    CaseReport, ImplantedSolution, IntactCache, IntactSolution, MeshSummary, SolveTimings, Study,
    StudyReport, StudyRun, StudySetup, StudyTimings, build_study, build_study_reconstruction,
    run_study, run_study_cached, run_study_using, solve_implanted, solve_intact, study_metrics,
    study_report,
};
