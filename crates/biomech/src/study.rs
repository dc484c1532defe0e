//! The study: one reconstruction under its load cases, compared with the intact bone.
//!
//! `Study` (TOML-readable, every field optional) → [`run_study`]: setup ([`build_study`]:
//! the mesh, materials, both models) → solve ([`solve_implanted`], [`solve_intact`]: one
//! factorisation each for all load cases) → postprocess ([`study_metrics`] with
//! [`crate::metrics`], [`study_report`]) → [`StudyRun`]. Writing (`report.json`,
//! `report.md`, plots, VTU) is the caller's step: [`crate::output::write_study_outputs`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use osteon_assembly::{
    Event, Labelled, Model, Observer, PhaseTimings, SolveOptions, SolverChoice, StaticSolution,
    solve_linear_static_observed,
};
use osteon_contact::{FactorCache, Friction, Micromotion};

use crate::builder::{CellCounts, Reconstruction, ScrewPlacement, build_reconstruction};
use crate::daily::{DailyLoading, daily_loading};
use crate::error::BiomechError;
use crate::frictional::{
    BONDED_PATCH_MM, ContactCaseSummary, FrictionalSplit, InterfaceSolverSummary, SplitOptions,
    solve_frictional_cached, split_docking_interface_with,
};
use crate::geometry::TibiaGeometry;
use crate::headline::{HeadlineAnalysis, headline_analysis};
use crate::metrics::{CaseMetrics, Check, MetricInputs, case_metrics, checks};
use crate::model::{MaterialSummary, StudyMaterials};
use crate::patient::{PatientMeshSpec, build_patient_reconstruction};
use crate::patient_ct::{PatientCtSpec, build_ct_reconstruction};
use crate::plots::PlotFile;
use crate::spec::{
    BoneSpec, CortexModel, DefectSpec, DistalSupport, ELASTIC_SLIP_MM, ImplantSpec, InterfaceModel,
    LoadSpec, MeshSpec, MetricSpec, REFERENCE_INTERFACE_PRESSURE_MPA, ScrewModel, StudyLoadCase,
};
use osteon_material::PorousTantalum;

/// A reconstruction study (DESIGN.md §4). Every field has a default: the default study is the
/// seed case (63 mm mid-shaft defect, 72 % porous Ta, flange and screws, bonded, 70 kg at
/// 50 % and 100 % BW).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Study {
    /// Name for reports.
    pub name: String,
    /// Parametric tibia (ignored when `patient_mesh` is given).
    pub geometry: TibiaGeometry,
    /// An imported patient mesh instead of the parametric tibia (see [`crate::patient`]);
    /// `None` by default.
    pub patient_mesh: Option<PatientMeshSpec>,
    /// A patient CT instead of the parametric tibia (see [`crate::patient_ct`]); `None` by
    /// default; not together with `patient_mesh`.
    pub patient_ct: Option<PatientCtSpec>,
    /// Segmental defect.
    pub defect: DefectSpec,
    /// Bone materials.
    pub bone: BoneSpec,
    /// Prosthesis, flange, screws.
    pub implant: ImplantSpec,
    /// Bone–implant interface.
    pub interface: InterfaceModel,
    /// Loads and support.
    pub loads: LoadSpec,
    /// Mesh density.
    pub mesh: MeshSpec,
    /// Metric settings.
    pub metrics: MetricSpec,
    /// Output folder for report.json, report.md, the plots and the VTU files, for the
    /// caller to pass to [`crate::output::write_study_outputs`] ([`run_study`] writes
    /// nothing; the CLI writes here); `None`: no folder named.
    pub output: Option<PathBuf>,
    /// Threads the solves split their work into, from the rayon pool the study runs in;
    /// `None`: every thread of that pool. The runner builds no pool: the CLI sizes its pool
    /// from this value (or `--threads`).
    pub threads: Option<usize>,
    /// Also write VTU files (one per load case, implanted and intact) into `output`; true.
    /// Read by [`crate::output::OutputOptions::from_study`].
    pub write_vtu: bool,
    /// What reading the study file noticed without refusing it (e.g. `implant.porosity` and
    /// `implant.modulus_mpa` both given), one line each with file:line; not part of the
    /// study itself.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Default for Study {
    fn default() -> Self {
        Self {
            name: String::new(),
            geometry: TibiaGeometry::default(),
            patient_mesh: None,
            patient_ct: None,
            defect: DefectSpec::default(),
            bone: BoneSpec::default(),
            implant: ImplantSpec::default(),
            interface: InterfaceModel::default(),
            loads: LoadSpec::default(),
            mesh: MeshSpec::default(),
            metrics: MetricSpec::default(),
            output: None,
            threads: None,
            write_vtu: true,
            warnings: Vec::new(),
        }
    }
}

impl Study {
    /// Parse a study from TOML text (`file` names it in errors).
    ///
    /// Out-of-range parameters are reported here, with the key path and its line
    /// (`study.toml:7: invalid study parameter implant.porosity = 1.2: 0 < porosity < 1`).
    /// When both `implant.porosity` and `implant.modulus_mpa` are given, the modulus is used
    /// and the porosity sets only the density; [`Study::warnings`] says so.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Self, BiomechError> {
        let mut study: Study = crate::study_file::parse(text, file)?;
        crate::study_file::check_patient_ct(&study, text, file)?;
        // The frictional default needs the parametric tibia's flange to hold the prosthesis
        // between its two contact faces: a file that names no interface and has no flange
        // (a patient mesh, or the flange switched off) gets the bonded one, and is told so.
        if crate::study_file::key_line(text, "interface.model").is_none()
            && let Some(reason) = study.frictional_unavailable()
        {
            study.interface = InterfaceModel::Bonded;
            study.warnings.push(format!(
                "{file}: note: no interface given and {reason}: the bonded interface is used \
                 (the frictional default needs the flange to hold the prosthesis)"
            ));
        }
        // Parameters out of range are the file's fault: say where. Other validation
        // failures (features not available, files) are reported when the study runs.
        if let Err(BiomechError::InvalidParameter {
            name,
            value,
            expected,
        }) = study.validate()
        {
            let line = crate::study_file::key_line(text, &name).unwrap_or(0);
            let message = BiomechError::invalid(name, value, expected).to_string();
            return Err(BiomechError::StudyFile {
                file: file.into(),
                line,
                message,
            });
        }
        if let (Some(p_line), Some(_)) = (
            crate::study_file::key_line(text, "implant.porosity"),
            &study.implant.lattice,
        ) {
            study.warnings.push(format!(
                "{file}:{p_line}: warning: implant.porosity is not used: implant.lattice sets the prosthesis' porosity ({})",
                study.implant.lattice.as_ref().map_or(f64::NAN, |l| l.porosity)
            ));
        }
        if let (Some(p_line), Some(e_line), Some(e)) = (
            crate::study_file::key_line(text, "implant.porosity"),
            crate::study_file::key_line(text, "implant.modulus_mpa"),
            study.implant.modulus_mpa,
        ) {
            let p = study.implant.porosity;
            let gibson_ashby = PorousTantalum::from_porosity(p).map_or(f64::NAN, |t| t.modulus());
            study.warnings.push(format!(
                "{file}:{e_line}: warning: implant.modulus_mpa = {e} MPa is used for the prosthesis; \
                 implant.porosity = {p} (line {p_line}) sets only its density (its Gibson–Ashby \
                 modulus would be {gibson_ashby:.0} MPa)"
            ));
        }
        Ok(study)
    }

    /// Read a study file.
    /// A relative `patient_mesh.path` is taken relative to the study file's folder.
    pub fn from_path(path: &Path) -> Result<Self, BiomechError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BiomechError::Io(osteon_io::IoError::os(path, e)))?;
        let mut study = Self::from_toml_str(&text, &path.display().to_string())?;
        if let Some(p) = &mut study.patient_mesh
            && p.path.is_relative()
            && let Some(dir) = path.parent()
        {
            p.path = dir.join(&p.path);
        }
        crate::study_file::resolve_patient_ct(&mut study, path, &text)?;
        Ok(study)
    }

    /// The study as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Why this study cannot have a frictional interface (a patient mesh, or no flange), or
    /// `None` when it can.
    pub fn frictional_unavailable(&self) -> Option<&'static str> {
        if self.patient_mesh.is_some() {
            Some("the study is on a patient mesh (no flange)")
        } else if !self.implant.flange.enabled {
            Some("the flange is switched off")
        } else {
            None
        }
    }

    /// Check the whole study before any work: the interface model must be available.
    pub fn validate(&self) -> Result<(), BiomechError> {
        self.interface.require_available()?;
        if let InterfaceModel::Frictional { mu, .. } = self.interface {
            if self.patient_mesh.is_some() {
                return Err(BiomechError::NotYetAvailable {
                    feature: format!("the frictional interface (mu = {mu}) on a patient mesh"),
                    detail: "a patient mesh has no flange to hold the prosthesis between its two contact faces; \
                             use the parametric tibia or interface = { model = \"bonded\" }"
                        .into(),
                });
            }
            if !self.implant.flange.enabled {
                return Err(BiomechError::invalid(
                    "implant.flange.enabled",
                    0.0,
                    "the flange with a frictional interface (without it the prosthesis is held by friction alone, a mechanism)",
                ));
            }
        }
        match (&self.patient_mesh, &self.patient_ct) {
            (Some(_), Some(_)) => {
                return Err(BiomechError::invalid(
                    "patient_ct",
                    f64::NAN,
                    "either [patient_mesh] or [patient_ct], not both",
                ));
            }
            (None, Some(ct)) => ct.validate()?,
            (None, None) => self.geometry.validate()?,
            (Some(p), None) => p.validate()?,
        }
        let p = self.implant.porosity;
        if !(p > 0.0 && p < 1.0) {
            return Err(BiomechError::invalid(
                "implant.porosity",
                p,
                "0 < porosity < 1",
            ));
        }
        if let Some(e) = self.implant.modulus_mpa
            && !(e > 0.0 && e.is_finite())
        {
            return Err(BiomechError::invalid(
                "implant.modulus_mpa",
                e,
                "a finite modulus > 0 MPa",
            ));
        }
        match &self.implant.lattice {
            // the micro-FE runs once, when the study is set up
            Some(l) => l.validate(self.implant.modulus_mpa)?,
            None => {
                StudyMaterials::new(&self.bone, &self.implant)?;
            }
        }
        self.loads.validate()?;
        let s = self.metrics.lazy_zone_s;
        if !(s > 0.0 && s < 1.0) {
            return Err(BiomechError::invalid("metrics.lazy_zone_s", s, "0 < s < 1"));
        }
        let r = self.metrics.lattice_averaging_radius_mm;
        if !(r > 0.0 && r.is_finite()) {
            return Err(BiomechError::invalid(
                "metrics.lattice_averaging_radius_mm",
                r,
                "a radius > 0 mm",
            ));
        }
        let e = &self.metrics.band_edges_mm;
        if e.first() != Some(&0.0) || e.windows(2).any(|w| w[1] <= w[0]) {
            return Err(BiomechError::invalid(
                "metrics.band_edges_mm",
                e.first().copied().unwrap_or(f64::NAN),
                "increasing edges starting at 0 mm",
            ));
        }
        if let Some(t) = self.threads
            && t == 0
        {
            return Err(BiomechError::invalid("threads", 0.0, "≥ 1"));
        }
        Ok(())
    }
}

/// Announce a stage of the study.
fn stage(observer: &mut dyn Observer, what: &str) {
    observer.notify(&Event::Stage(what));
}

/// Phase timings (s) in a serialisable form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SolveTimings {
    /// DOF map, pattern, colouring.
    pub setup_s: f64,
    /// Stiffness assembly.
    pub assemble_s: f64,
    /// Ordering and symbolic factorisation.
    pub analyse_s: f64,
    /// Numeric factorisation (once for all cases).
    pub factorise_s: f64,
    /// Loads and solves, all cases.
    pub solve_s: f64,
    /// Stress recovery, all cases.
    pub recover_s: f64,
    /// Free unknowns.
    pub free_dofs: usize,
    /// Nonzeros of the Cholesky factor.
    pub factor_nnz: usize,
}

impl SolveTimings {
    fn from(sol: &StaticSolution) -> Self {
        let t: &PhaseTimings = &sol.timings;
        Self {
            setup_s: t.setup,
            assemble_s: t.assemble,
            analyse_s: t.analyse,
            factorise_s: t.factorise,
            solve_s: t.solve,
            recover_s: t.recover,
            free_dofs: sol.stats.n_free,
            factor_nnz: sol.stats.nnz_factor,
        }
    }

    /// Sum of the phases (s).
    pub fn total_s(&self) -> f64 {
        self.setup_s
            + self.assemble_s
            + self.analyse_s
            + self.factorise_s
            + self.solve_s
            + self.recover_s
    }
}

/// Wall-clock times of the study (s).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudyTimings {
    /// Mesh, constraints and models.
    pub build_s: f64,
    /// Implanted model.
    pub implanted: SolveTimings,
    /// Intact model.
    pub intact: SolveTimings,
    /// Metrics.
    pub metrics_s: f64,
    /// Writing files.
    pub write_s: f64,
    /// Whole study.
    pub total_s: f64,
    /// The intact solution came from an [`IntactCache`] (its timings are those of the
    /// original solve).
    #[serde(default)]
    pub intact_cached: bool,
}

/// Mesh statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeshSummary {
    /// Element type (Abaqus name).
    pub element_type: String,
    /// Nodes of the implanted model as solved (with a frictional interface's duplicated
    /// docking nodes) / of the intact model.
    pub nodes: [usize; 2],
    /// Elements of the implanted / intact model.
    pub elements: [usize; 2],
    /// Elements: cortical, cancellous, prosthesis, flange, screws.
    pub elements_by_region: [usize; 5],
    /// Cells around, through the wall, radial in the core, along z; sizes.
    pub cells: CellCounts,
    /// Smallest scaled Jacobian (1 = undistorted).
    pub min_scaled_jacobian: f64,
    /// Flange nodes tied and the largest gap closed (mm).
    pub flange_tie: Option<(usize, f64)>,
    /// Screws.
    pub screws: Vec<ScrewPlacement>,
    /// Constraint equations (ties and embeddings).
    pub equations: usize,
}

/// One load case: metrics and checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// The metrics.
    pub metrics: CaseMetrics,
    /// Pass/fail against the clinical targets.
    pub checks: Vec<Check>,
}

/// Everything a study produces, as written to report.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyReport {
    /// The inputs, with every default filled in.
    pub study: Study,
    /// Body weight (N).
    pub body_weight_n: f64,
    /// Porous-Ta modulus used (MPa).
    pub implant_modulus_mpa: f64,
    /// Docking planes (mm).
    pub defect_z_mm: [f64; 2],
    /// Materials.
    pub materials: Vec<MaterialSummary>,
    /// Mesh.
    pub mesh: MeshSummary,
    /// Per load case.
    pub cases: Vec<CaseReport>,
    /// Timings.
    pub timings: StudyTimings,
    /// Modelling notes and limitations.
    pub notes: Vec<String>,
    /// Files written besides the report (VTU, PVD), relative to the output folder.
    pub files: Vec<String>,
    /// Plots written besides the report (SVG), relative to the output folder.
    #[serde(default)]
    pub plots: Vec<PlotFile>,
    /// Frictional interface: what the contact analysis of each load case did (empty when
    /// bonded).
    #[serde(default)]
    pub contact: Vec<ContactCaseSummary>,
    /// Frictional interface: how the Newton matrices were factorised (full, or dense updates
    /// of the Schur complement on the contact unknowns); `None` when bonded.
    #[serde(default)]
    pub contact_solver: Option<InterfaceSolverSummary>,
    /// The headline case at the bounding moduli, the construct stiffness and the in-vivo
    /// strain comparison; `None` when `metrics.headline_analyses` is off.
    #[serde(default)]
    pub headline: Option<HeadlineAnalysis>,
    /// The daily remodelling stimulus and the fatigue cycles of the porous Ta; `None` when
    /// the study has no walking or stair case at full weight-bearing.
    #[serde(default)]
    pub daily: Option<DailyLoading>,
    /// The linear solver of every solve, in words (set by [`run_study_using`]).
    #[serde(default)]
    pub linear_solver: String,
}

/// A finished study: the report, the models and both solutions, everything
/// [`crate::output::write_study_outputs`] needs for the files (or further post-processing).
pub struct StudyRun {
    /// The report (without files or plots until [`crate::output::write_study_outputs`]).
    pub report: StudyReport,
    /// The built reconstruction.
    pub reconstruction: Reconstruction,
    /// The load cases, in the order of the solutions' cases.
    pub load_cases: Vec<StudyLoadCase>,
    /// The implanted model (its mesh and materials are those of the VTU files).
    pub implanted_model: Model,
    /// The intact reference model.
    pub intact_model: Model,
    /// Implanted solution, one case per load case.
    pub implanted: StaticSolution,
    /// Intact solution, same cases.
    pub intact: StaticSolution,
    /// Frictional interface: (bone docking node, prosthesis copy) of the split docking
    /// faces, in the implanted model's numbering; empty when bonded.
    pub docking_copies: Vec<(usize, usize)>,
}

/// Notes that every report carries: the modelling simplifications.
fn notes(
    study: &Study,
    setup_bonded_fraction: Option<f64>,
    screws: Option<ScrewModel>,
) -> Vec<String> {
    let drilled = screws == Some(ScrewModel::Drilled);
    let screws_are = if drilled {
        "the screws sit in drilled holes"
    } else {
        "the screws are embedded"
    };
    let geometry = match &study.patient_mesh {
        None if study.patient_ct.is_some() => study
            .patient_ct
            .as_ref()
            .map(crate::patient_ct::geometry_note)
            .unwrap_or_default(),
        None => "Geometry: the biomechanics.md §2 surrogate (hollow elliptical shaft, linear flares, cancellous metaphyses), not a patient CT; +x is lateral, z the long axis (0 distal).".to_string(),
        Some(p) => format!(
            "Geometry: patient mesh {} (bone sets {} / {}); the bone elements whose centroid lies in the defect's z range are the porous-Ta prosthesis, bonded through shared nodes; no flange or screws (built on the parametric tibia and on a CT only); metaphysis/diaphysis limits for the shielding zones: {}.",
            p.path.display(),
            p.cortical_set,
            p.cancellous_set,
            match p.diaphysis_mm {
                Some(d) => format!("diaphysis {:.1}–{:.1} mm (study file)", d[0], d[1]),
                None => "the surrogate's proportions (50/360 distal, 70/360 proximal)".into(),
            }
        ),
    };
    let interface = match study.interface {
        InterfaceModel::Bonded => format!(
            "Interface: bonded (post-ingrowth). The prosthesis shares nodes with the bone at both docking faces; the flange is tied to the periosteal surface; {screws_are}. Micromotion is therefore not applicable (run interface = {{ model = \"frictional\", mu = 0.74 }} for it)."
        ),
        InterfaceModel::Frictional { mu, .. } => format!(
            "Interface: frictional (immediately post-operative). The prosthesis has its own nodes at both docking faces, in node-to-surface Coulomb contact with the bone (osteon-contact; prosthesis end faces slave, bone docking faces master; hard contact, mu = {mu}, Zhang 1999 unverified; stick stiffness k_T = {:.2} MPa/mm{}); {}. Each load case is solved from the unloaded state, so micromotion is the tangential slip (elastic stick part included) of the prosthesis end faces relative to the bone points they touch, relative to the unloaded state, interpolated from the nodes to the face quadrature points and weighted by area; implant migration is the rigid motion of the prosthesis faces relative to the bone faces; bone displacement is taken at the bone-side nodes. Mesh convergence of the default study (walking with torsion, docking faces and flange in contact, 3 → 2 mm mesh; examples/mesh_convergence.rs): the micromotion p95 (139.5 → 140.1 µm), max and mean and the sticking area change by less than 2.1 %, but the small sliding and open area fractions do not converge (sliding 2.9 → 2.3 % of the docking area, −20 %; open 27.9 → 29.9 %, +7 %): they are uncertain and indicative only.{}",
            study.interface.stick_stiffness().unwrap_or(0.0),
            match study.interface {
                InterfaceModel::Frictional {
                    stick_stiffness_mpa_per_mm: Some(_),
                    ..
                } => " from the study file".to_string(),
                _ => format!(
                    ", the default mu·{REFERENCE_INTERFACE_PRESSURE_MPA} MPa/{ELASTIC_SLIP_MM} mm: porous coatings on bone slide 50–400 µm before full friction, and the friction tests ran at 0.5–1.5 MPa, biomechanics.md §4; so a sticking node moves up to mu·p/k_T"
                ),
            },
            if study.interface.flange_frictional() {
                screws_are.to_string()
            } else {
                format!(
                    "the flange is tied to bone and prosthesis as asked (interface.flange = \"tied\": bonded to the periosteum, as after ingrowth) and {screws_are}, so the flange carries what friction does not. Tying it stiffens the construct, so the docking micromotion is a lower bound of the default frictional flange's (on the 6 mm test mesh the frictional flange raised the walking-with-torsion p95 from 103 to 137 µm)"
                )
            },
            match study.interface.initial_gap_mm() {
                g if g > 0.0 => format!(
                    " The docking faces start {g} mm apart (interface.initial_gap_mm; the seed's early radiographs show a clearance that narrows over months, its size there unverified): they carry load only where the case closes the gap, the flange and screws carry the rest, and the normal motion includes the closing. Where a face stays open its tangential motion is that of two surfaces not touching, not the micromotion of a contact that the ingrowth thresholds were measured on: read the open fraction beside the p95."
                ),
                _ => String::new(),
            } + if study.interface.flange_frictional() {
                " The flange meets the bone in frictional contact (the default; interface.flange = \"tied\" bonds it instead; node-based pair of the flange's inner nodes on the periosteal faces under it), not a tie: it stays tied to the prosthesis it is printed with, and the screws hold it to the bone without preload, because locking screws fix the flange by their threaded heads rather than by pressing it on the bone: the flange lies flush on the bone, touching at zero pressure before the load (a first, non-locking screw that pulls the flange onto the bone would add a preload this model leaves out). The flange–bone pair takes the docking faces' mu and k_T, an assumption: no friction or stick-stiffness measurement of titanium on periosteum was found. Its motion is reported as its own interface and not judged against the ingrowth thresholds, which apply to the docking faces."
            } else {
                ""
            } + &match (study.interface.bonded_fraction(), setup_bonded_fraction) {
                (f, Some(built)) if f > 0.0 => format!(
                    " {:.0} % of the docking area is bonded as asked ({:.1} % as built; interface.bonded_fraction; the seed reports 35 % ingrowth at 12 months, unverified): whole {BONDED_PATCH_MM} mm square patches of the docking faces, in a fixed pseudo-random order of their position, stay shared by bone and prosthesis until they carry that share, and the rest is in node-based frictional contact; the micromotion statistics are those of the frictional remainder, at its nodes' tributary areas. Scattered anchors hold the faces tightly, and where the ingrowth sits (rim, centre, patches) is an assumption this result depends on.",
                    100.0 * f,
                    100.0 * built
                ),
                _ => String::new(),
            } + if study.interface.bonded_fraction() > 0.0 && study.interface.initial_gap_mm() > 0.0
            {
                " Warning: a bonded fraction with an initial gap bonds patches across the gap (the bonded nodes are shared, so they start touching) while the rest starts apart; the two states belong to different times after surgery and their combination is not a state the seed describes."
            } else {
                ""
            }
        ),
    };
    let mut n = vec![
        interface,
        geometry,
        if drilled {
            "Screws: threadless Ti-6Al-4V cylinders of the core (thread-root) diameter in holes drilled through the flange and both cortices (implant.screws.model = \"drilled\", the default): the screw volume is removed from flange and bone and the mesh conforms to the holes. Each screw shares its nodes with the flange's hole wall (the locking head, locked: titanium in titanium, so the flange is not weakened by an open hole) and with both cortices' (the threaded shaft, bonded: no thread slip, pull-out or contact opening is modelled), touches nothing across the canal, and reaches from the flange's outer face to the far periosteum; no preload. The intact reference has the same mesh with the holes filled by cortex. At a hole the model has a stiff inclusion bonded to bone, which passes tension and shear that a real thread carries only in compression and friction, and the drilling-damage and thread-cut zone (about 0.5–1 mm) and early remodelling around a screw are not modelled: bone strains at a hole's rim are indicative, not a loosening criterion (Frost's thresholds refer to gauge-scale strains). implant.screws.model = \"embedded\" is the simplified alternative (no holes: the screw's stiffness is added to the host's).".to_string()
        } else {
            "Screws: threadless Ti-6Al-4V cylinders embedded in flange and bone (u = Σ N_a(ξ) u_a of the host element; no hole, screw volume counted twice); nodes in the empty canal are free.".to_string()
        },
        "Stress shielding compares integration points of the same bone elements in the implanted and intact models under the same load; in this linear model it depends on the load's pattern (axial, torsion, moments), not on its magnitude.".to_string(),
        "Peaks are single integration points on stress singularities (the plateau rim under the load, screw-hole edges or embedded screw tips, flange edges) and grow under mesh refinement; the 99th percentiles and means are the mesh-converged values (examples/mesh_convergence.rs: most within 5 % from the 3 mm to the 2 mm mesh; the Ti-6Al-4V flange's and screws' 99th percentiles move 5–7 %). The flange's and the screws' yield checks and the screws' fatigue check use the peaks, the conservative reading, and print the 99th percentiles beside them: a verdict set by a peak is mesh-dependent. The flange's fatigue check uses the nominal net-section stress at its screw holes from section forces (biomechanics.md §9), the bone-strain check the strain averaged over a sphere at the diaphysis's hot spot, and the porous-Ta checks a stress averaged over a sphere at the hot spot (next note).".to_string(),
        format!("Porous-Ta strength and fatigue: the larger of the multiaxial (Deshpande–Fleck) and the von Mises equivalent stress at the case load, averaged over a sphere of radius {:.1} mm (about five lattice cells) at the place where that mean is largest — the volume method of the theory of critical distances (Taylor 2007) —, is compared with the seed specimens' 20 MPa static and 10 MPa fatigue strengths (the seed does not say whether its 10 MPa is a peak or an amplitude, nor the load ratio; comparing the cycle's peak is conservative only if it is an amplitude). The pointwise peaks sit at the docking-face rim and the flange tie, singularities of the homogenised continuum that grow with refinement (walking with torsion with the flange tied, the larger of the two: 35.6 / 73.2 / 72.8 MPa on the 4 / 3 / 2 mm meshes), while the 2.5 mm sphere mean converges (20.7 / 22.7 / 23.5 MPa, GCI 3.3 %; biomechanics.md §9; not yet repeated with the flange in contact). The radius is an engineering choice set by what the mesh resolves, not a measured critical distance of printed tantalum, and the least conservative of those printed: each check prints the means at 0.6 and 1.6 times it beside the verdict, and a pass that fails at 0.6 times it is reported as undecided.", study.metrics.lattice_averaging_radius_mm),
        match study.loads.support {
            DistalSupport::AnkleCoupling => "Support: the distal end face is held at its centroid by a distributing coupling to a fixed reference point (statically determinate; the face may warp and contract; its reaction acts as a uniform pressure). Strains next to it and under the plateau pressure are artefacts of the idealised joints; the bone-strain check uses the diaphysis.".to_string(),
            DistalSupport::Clamped => "Support: every node of the distal end face is fixed (clamped), which stiffens bending and torsion of the bone; the ankle coupling (loads.support = \"ankle_coupling\") is the statically determinate alternative.".to_string(),
        },
        "Knee loads: each activity applies its measured peak resultant (Kutzner et al. 2010) as an axial compression split 60/40 medial/lateral, plus, for walking with torsion, the 10.5 N·m peak torque of heavy, high-load subjects (Bergmann et al. 2014) whatever the body weight. The per-activity shear forces and frontal/sagittal moments at the instant of peak force were not available (biomechanics.md §5.2): the 60/40 split makes a frontal moment of about 0.3 % BW·m, some ten times below the measured 2–3 % BW·m, and there is no sagittal moment, so the cases are axial loads of the activities' magnitude, and bending of the shaft is under-represented. Muscle forces on the shaft and the fibula are not modelled. Partial weight-bearing scales the whole knee load, an assumption: muscle co-contraction keeps joint forces above the unloaded fraction.".to_string(),
        if drilled {
            "Screw stresses are those of a threadless shaft bonded to the cortices: the thread roots' stress concentration is not resolved, so the screw checks compare a nominal stress with the yield stress.".to_string()
        } else {
            "Screws are embedded in the host elements and carry little load in this model; their stresses say little about screw safety (implant.screws.model = \"drilled\", the default, puts them in holes).".to_string()
        },
        "Mechanostat bands are given per load case; the mechanostat applies to the daily envelope of peak strains, so a large 'disuse' fraction in a light case does not predict osteopenia by itself.".to_string(),
        match study.bone.cortex {
            _ if study.patient_ct.as_ref().is_some_and(|c| !c.homogeneous_bone) => "Cortical bone: CT-mapped (next note), not the [bone] cortex law.".to_string(),
            CortexModel::TransverselyIsotropic => "Cortical bone: transversely isotropic about the global z axis (Reilly & Burstein 1975, femoral specimens); in the flared metaphyses the material axis stays along z rather than along the inclined cortex.".to_string(),
            CortexModel::Isotropic => "Cortical bone: isotropic (E 17 GPa, ν 0.3); its shear modulus 6.5 GPa is about twice the measured 3.3 GPa, which stiffens torsion.".to_string(),
        },
    ];
    if study.implant.modulus_mpa.is_none() {
        n.push("Porous-Ta modulus from Gibson–Ashby with C = 1 (unverified): an ideal upper estimate; measured SLM lattices are 1.3–5.7 GPa (biomechanics.md §4) — run the modulus sweep.".into());
    }
    n
}

/// Notes on the contact state of a frictional study: a fully sticking interface moves only
/// by its elastic stick compliance τ/k_T.
fn contact_notes(study: &Study, contact: &[ContactCaseSummary]) -> Vec<String> {
    let InterfaceModel::Frictional { mu, .. } = study.interface else {
        return Vec::new();
    };
    contact
        .iter()
        .map(|c| {
            let [n_contact, stick, slip] = c.contact_stick_slip;
            let per_interface = c
                .interfaces
                .iter()
                .map(|g| {
                    let [n, st, sl] = g.contact_stick_slip;
                    format!(
                        "{}: {n} of {} in contact ({st} sticking, {sl} slipping)",
                        g.interface, g.slave_nodes
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let how = match &c.scaled_from {
                Some((base, f)) => format!(
                    "{f:.4} × the solution of \"{base}\" (its loads are that multiple of them and no contact node starts with a gap, so the frictional problem is positively homogeneous in the load: scaled, not iterated)"
                ),
                None => format!(
                    "{} increment(s), {} Newton solves, {:.1} s",
                    c.increments, c.solves, c.seconds
                ),
            };
            let mut line = format!(
                "Contact, {}: {} of {} interface nodes in contact ({stick} sticking, {slip} slipping), {} open{}; {how}.",
                c.case,
                n_contact,
                c.slave_nodes,
                c.slave_nodes - n_contact,
                if per_interface.is_empty() {
                    String::new()
                } else {
                    format!(" — {per_interface}")
                },
            );
            if slip == 0 && n_contact > 0 {
                line.push_str(&format!(
                    " No node slips: the interface sticks (mu = {mu}), and the micromotion reported is its elastic tangential compliance τ/k_T (k_T = {:.2} MPa/mm), below the sliding limit mu·p/k_T.",
                    study.interface.stick_stiffness().unwrap_or(0.0)
                ));
            }
            line
        })
        .collect()
}

/// How the contact analysis factorised its Newton matrices, for the notes.
fn contact_solver_note(c: &InterfaceSolverSummary) -> String {
    let full = c.factorisations.saturating_sub(c.interface_updates);
    if c.contact_unknowns == 0 {
        format!(
            "Contact solver: every Newton matrix factorised in full ({} factorisations).",
            c.factorisations
        )
    } else {
        let condensed = if c.condensed_solves > 0 {
            format!(
                " {} of the {} Newton solves ran on the contact unknowns alone, the interior substituted at the end of each Newton run.",
                c.condensed_solves, c.solves
            )
        } else {
            String::new()
        };
        format!(
            "Contact solver: the bone and implant interiors factorised {} time(s) ({:.1} s) with the {} contact unknowns eliminated last; the other {} Newton matrices were updates of the Schur complement on those unknowns ({} low-rank, on the unknowns that changed, the rest dense; {:.2} s each), with the consistent slip tangent held exactly: the same solution as a full factorisation, to round-off.{condensed}",
            full,
            c.full_factorisation_s,
            c.contact_unknowns,
            c.interface_updates,
            c.low_rank_updates,
            c.interface_update_s / c.interface_updates.max(1) as f64
        )
    }
}

/// Run a study: build, solve the implanted and intact models, compute the metrics and the
/// report. Writes nothing: [`crate::output::write_study_outputs`] writes the VTU files, the
/// plots, report.json and report.md where the caller chooses (e.g. `study.output`).
pub fn run_study(study: &Study, observer: &mut dyn Observer) -> Result<StudyRun, BiomechError> {
    run_study_cached(study, observer, None)
}

/// Intact-model solutions kept across the studies of a sweep: the intact reference depends
/// on the bone mesh, the bone materials, the support and the loads, not on the implant, so
/// studies that differ only in the prosthesis (modulus, porosity) share one intact solve.
/// A cached solution is reused only when the new intact model is identical (mesh, materials,
/// sections, constraints, load cases), so a changed defect length (which moves the mesh's
/// docking planes) or mesh size solves again.
#[derive(Debug, Default)]
pub struct IntactCache {
    entries: Vec<(Model, StaticSolution)>,
    /// Intact solves served from the cache.
    pub hits: usize,
    /// Intact solves computed.
    pub misses: usize,
    /// Solver time saved (s): the summed phase times of the reused solutions.
    pub saved_s: f64,
}

impl IntactCache {
    /// How many solutions to keep (a sweep varies the implant fastest).
    const CAPACITY: usize = 2;

    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn same(a: &Model, b: &Model) -> bool {
        a.mesh == b.mesh
            && a.materials == b.materials
            && a.sections == b.sections
            && a.boundary == b.boundary
            && a.equations == b.equations
            && a.load_cases == b.load_cases
    }

    fn get(&mut self, model: &Model) -> Option<StaticSolution> {
        let hit = self
            .entries
            .iter()
            .find(|(m, _)| Self::same(m, model))
            .map(|(_, s)| s.clone());
        if let Some(s) = &hit {
            self.hits += 1;
            self.saved_s += SolveTimings::from(s).total_s();
        }
        hit
    }

    fn put(&mut self, model: Model, solution: StaticSolution) {
        self.misses += 1;
        if self.entries.len() >= Self::CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push((model, solution));
    }
}

/// Build the reconstruction of a study: the parametric tibia, the imported patient mesh, or
/// the patient CT.
pub fn build_study_reconstruction(study: &Study) -> Result<Reconstruction, BiomechError> {
    if let Some(ct) = &study.patient_ct {
        return build_ct_reconstruction(ct, &study.defect, &study.implant, &study.loads);
    }
    match &study.patient_mesh {
        Some(p) => build_patient_reconstruction(p, &study.defect, &study.implant, &study.loads),
        None => build_reconstruction(&study.geometry, &study.defect, &study.implant, &study.mesh),
    }
}

/// [`run_study`] with an optional [`IntactCache`] shared across calls (a sweep).
pub fn run_study_cached(
    study: &Study,
    observer: &mut dyn Observer,
    cache: Option<&mut IntactCache>,
) -> Result<StudyRun, BiomechError> {
    run_study_using(study, SolverChoice::default(), observer, cache)
}

/// [`run_study_cached`] with the linear solver of every solve — the implanted and intact
/// models, the frictional Newton matrices, the headline analyses — given: osteon's sparse
/// Cholesky by default, or an [`SolverChoice::External`] solver (PETSc's CG + GAMG through
/// `osteon_petsc::PetscSolverFactory`) for models too big to factorise. The report names the
/// solver.
///
/// The study reads as its stages: [`build_study`] → [`solve_implanted`] →
/// [`solve_intact`] → [`study_metrics`] → [`study_report`]. Nothing is written: pass the
/// returned [`StudyRun`] to [`crate::output::write_study_outputs`] for the files.
pub fn run_study_using(
    study: &Study,
    solver: SolverChoice,
    observer: &mut dyn Observer,
    cache: Option<&mut IntactCache>,
) -> Result<StudyRun, BiomechError> {
    let t0 = Instant::now();
    let setup = build_study(study, observer)?;
    let options = SolveOptions {
        solver,
        ..solve_options(study)
    };
    let implanted = solve_implanted(&setup, &options, observer)?;
    let intact = solve_intact(&setup, &options, cache, observer)?;
    stage(observer, "computing metrics");
    let t_metrics = Instant::now();
    let cases = study_metrics(study, &setup, &implanted, &intact.solution)?;
    let metrics_s = t_metrics.elapsed().as_secs_f64();
    let headline = if study.metrics.headline_analyses {
        stage(
            observer,
            "headline case: bounding prosthesis moduli, construct stiffness, in-vivo strain",
        );
        headline_analysis(
            study,
            &setup,
            &cases,
            &intact.solution,
            implanted.micromotion.as_deref(),
            &options,
            observer,
        )?
    } else {
        None
    };
    let porous_ta: Vec<_> = cases
        .iter()
        .map(|c| c.metrics.judged_lattice_stress())
        .collect();
    let daily = daily_loading(
        setup.implanted_reconstruction(),
        &study.loads,
        &study.metrics,
        &implanted.solution,
        &intact.solution,
        &porous_ta,
    );
    let mut report = study_report(study, &setup, &implanted, &intact, cases, metrics_s);
    if let Some(h) = &headline
        && let Some(sens) = &h.interface_sensitivity
    {
        crate::checks::qualify_micromotion(&mut report.cases, sens, &h.case);
    }
    report.headline = headline;
    report.daily = daily;
    report.linear_solver = options.solver.describe();
    report.notes.push(format!(
        "Linear solver of every solve: {}.",
        report.linear_solver
    ));
    report.timings.total_s = t0.elapsed().as_secs_f64();
    observer.notify(&Event::Done {
        seconds: report.timings.total_s,
    });
    let StudySetup {
        reconstruction,
        load_cases,
        implanted_model,
        intact_model,
        split,
        ..
    } = setup;
    Ok(StudyRun {
        report,
        reconstruction,
        load_cases,
        implanted_model,
        intact_model,
        implanted: implanted.solution,
        intact: intact.solution,
        docking_copies: split.map(|s| s.copies).unwrap_or_default(),
    })
}

/// What [`build_study`] makes: the reconstruction, the materials and the two models.
pub struct StudySetup {
    /// The reconstruction as built (bone and prosthesis sharing the docking nodes).
    pub reconstruction: Reconstruction,
    /// Frictional interface: the reconstruction with the docking faces split and the
    /// contact pairs; `None` when bonded.
    pub split: Option<FrictionalSplit>,
    /// The study's materials.
    pub materials: StudyMaterials,
    /// The load cases, in the order of both models' load cases.
    pub load_cases: Vec<StudyLoadCase>,
    /// The implanted model (with the contact pairs of a frictional interface).
    pub implanted_model: Model,
    /// The intact reference model.
    pub intact_model: Model,
    /// Wall-clock time of the build (s).
    pub build_s: f64,
    /// Frictional interface: the factorisation of the implanted model's interiors, kept by
    /// its contact analysis for the analyses that solve the same model again (the construct
    /// stiffness's unit cases, the interface sensitivity's variants); each reuses it only
    /// where its stiffness is unchanged, checked entry by entry ([`FactorCache`]).
    pub contact_cache: Mutex<FactorCache>,
}

impl StudySetup {
    /// Runs `f` with the contact factorisation cache (a poisoned lock is taken over: the
    /// cache checks what it reuses).
    pub fn with_contact_cache<R>(&self, f: impl FnOnce(&mut FactorCache) -> R) -> R {
        let mut cache = self
            .contact_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut cache)
    }
}

impl StudySetup {
    /// The reconstruction the implanted model was made from: the split one of a frictional
    /// interface, else the one built.
    pub fn implanted_reconstruction(&self) -> &Reconstruction {
        self.split
            .as_ref()
            .map_or(&self.reconstruction, |s| &s.reconstruction)
    }
}

/// Stage 1, setup: validate the study, build the reconstruction (parametric or patient
/// mesh), split the docking interface of a frictional study, and make the implanted and
/// intact models with their load cases.
pub fn build_study(study: &Study, observer: &mut dyn Observer) -> Result<StudySetup, BiomechError> {
    let t0 = Instant::now();
    study.validate()?;
    stage(
        observer,
        if study.patient_ct.is_some() {
            "reading the patient CT (segmentation, voxel mesh, moduli, defect, prosthesis)"
        } else if study.patient_mesh.is_some() {
            "reading the patient mesh (bone sets, defect, prosthesis)"
        } else {
            "building the mesh (tibia, defect, prosthesis, flange, screws)"
        },
    );
    let reconstruction = build_study_reconstruction(study)?;
    let materials = StudyMaterials::new(&study.bone, &study.implant)?;
    let split = match study.interface {
        InterfaceModel::Frictional { mu, .. } => Some(split_docking_interface_with(
            &reconstruction,
            Friction {
                mu,
                stick_slope: study.interface.stick_stiffness().filter(|&k| k > 0.0),
            },
            &SplitOptions {
                gap_mm: study.interface.initial_gap_mm(),
                bonded_fraction: study.interface.bonded_fraction(),
                flange_frictional: study.interface.flange_frictional(),
            },
        )?),
        InterfaceModel::Bonded => None,
    };
    let implanted_rec = split
        .as_ref()
        .map_or(&reconstruction, |s| &s.reconstruction);
    let mut implanted_model = implanted_rec.implanted_model(&materials, &study.loads)?;
    if let Some(s) = &split {
        implanted_model.contact_pairs = s.pairs.clone();
    }
    let intact_model = reconstruction.intact_model(&materials, &study.loads)?;
    let build_s = t0.elapsed().as_secs_f64();
    stage(observer, &mesh_line(&reconstruction));
    Ok(StudySetup {
        reconstruction,
        split,
        materials,
        load_cases: study.loads.cases(),
        implanted_model,
        intact_model,
        build_s,
        contact_cache: Mutex::new(FactorCache::new()),
    })
}

/// The stage line on the mesh: nodes, elements per region, intact nodes.
fn mesh_line(rec: &Reconstruction) -> String {
    let [c, k, i, f, s] = rec.region_counts();
    format!(
        "mesh: {} nodes, {} elements (cortical {c}, cancellous {k}, prosthesis {i}, flange {f}, screws {s}); intact reference {} nodes",
        rec.mesh.n_nodes(),
        rec.mesh.n_elements(),
        rec.n_intact_nodes
    )
}

/// The linear solver's options: the study's threads, else every thread of the rayon pool
/// the study runs in.
fn solve_options(study: &Study) -> SolveOptions {
    let threads = study.threads.unwrap_or(0);
    SolveOptions {
        threads,
        ..SolveOptions::default()
    }
}

/// The implanted model's solution, and for a frictional interface what contact did.
pub struct ImplantedSolution {
    /// One case per load case.
    pub solution: StaticSolution,
    /// Frictional interface: the micromotion of each load case relative to the unloaded
    /// state; `None` when bonded.
    pub micromotion: Option<Vec<Micromotion>>,
    /// Frictional interface: the contact analysis of each load case (empty when bonded).
    pub contact: Vec<ContactCaseSummary>,
    /// Frictional interface: how the Newton matrices were factorised; `None` when bonded.
    pub contact_solver: Option<InterfaceSolverSummary>,
}

/// Stage 2: solve the implanted model, linear (bonded: one factorisation for all load
/// cases) or with frictional contact (each load case from the unloaded state).
pub fn solve_implanted(
    setup: &StudySetup,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<ImplantedSolution, BiomechError> {
    let model = &setup.implanted_model;
    match &setup.split {
        None => {
            stage(observer, "solving the implanted model");
            let solution = solve_linear_static_observed(
                model,
                options,
                &mut Labelled {
                    label: "implanted",
                    inner: observer,
                },
            )?;
            Ok(ImplantedSolution {
                solution,
                micromotion: None,
                contact: Vec::new(),
                contact_solver: None,
            })
        }
        Some(s) => {
            stage(
                observer,
                &format!(
                    "solving the implanted model with frictional contact ({} duplicated docking nodes; each load case from the unloaded state, one set-up and symbolic analysis shared by all)",
                    s.copies.len()
                ),
            );
            let f = setup.with_contact_cache(|cache| {
                solve_frictional_cached(model, options, observer, cache)
            })?;
            Ok(ImplantedSolution {
                solution: f.solution,
                micromotion: Some(f.micromotion),
                contact: f.summary,
                contact_solver: Some(f.interface),
            })
        }
    }
}

/// The intact reference's solution.
pub struct IntactSolution {
    /// One case per load case.
    pub solution: StaticSolution,
    /// It came from the [`IntactCache`].
    pub cached: bool,
}

/// Stage 3: solve the intact reference, or reuse the cache's solution of the same model.
pub fn solve_intact(
    setup: &StudySetup,
    options: &SolveOptions,
    cache: Option<&mut IntactCache>,
    observer: &mut dyn Observer,
) -> Result<IntactSolution, BiomechError> {
    let model = &setup.intact_model;
    let mut cache = cache;
    if let Some(solution) = cache.as_deref_mut().and_then(|c| c.get(model)) {
        stage(
            observer,
            "intact reference: the same model was solved before, reused",
        );
        return Ok(IntactSolution {
            solution,
            cached: true,
        });
    }
    stage(observer, "solving the intact reference");
    let solution = solve_linear_static_observed(
        model,
        options,
        &mut Labelled {
            label: "intact",
            inner: observer,
        },
    )?;
    if let Some(c) = cache {
        c.put(model.clone(), solution.clone());
    }
    Ok(IntactSolution {
        solution,
        cached: false,
    })
}

/// Stage 4, postprocess: the metrics and checks of every load case, each computed from the
/// case's implanted and intact solutions and its [`StudyLoadCase`].
pub fn study_metrics(
    study: &Study,
    setup: &StudySetup,
    implanted: &ImplantedSolution,
    intact: &StaticSolution,
) -> Result<Vec<CaseReport>, BiomechError> {
    let rec = setup.implanted_reconstruction();
    let solved = &implanted.solution.cases;
    if solved.len() != setup.load_cases.len() || intact.cases.len() != setup.load_cases.len() {
        return Err(BiomechError::construction(format!(
            "{} load cases, but {} implanted and {} intact solutions",
            setup.load_cases.len(),
            solved.len(),
            intact.cases.len()
        )));
    }
    let mut cases = Vec::with_capacity(setup.load_cases.len());
    for (k, load) in setup.load_cases.iter().enumerate() {
        let (imp, int) = (&solved[k], &intact.cases[k]);
        if imp.name != load.name || int.name != load.name {
            return Err(BiomechError::construction(format!(
                "load case {} is '{}', but its solutions are '{}' (implanted) and '{}' (intact)",
                k + 1,
                load.name,
                imp.name,
                int.name
            )));
        }
        if imp.fields.point_ptr.get(rec.n_bone_elements)
            != int.fields.point_ptr.get(rec.n_bone_elements)
        {
            return Err(BiomechError::construction(
                "implanted and intact bone integration points do not correspond",
            ));
        }
        let metrics = case_metrics(&MetricInputs {
            rec,
            implanted: imp,
            intact: int,
            spec: &study.metrics,
            interface: &study.interface,
            flange_material: study.implant.flange.material,
            flange_net_section_factor: study.implant.flange_net_section_factor(),
            flange_hole: study.implant.flange_hole_geometry(),
            load,
            micromotion: implanted.micromotion.as_ref().and_then(|m| m.get(k)),
            copies: setup.split.as_ref().map_or(&[], |s| &s.copies),
        })?;
        let checks = checks(&metrics, &study.metrics);
        cases.push(CaseReport { metrics, checks });
    }
    Ok(cases)
}

/// The mesh statistics of the report; `implanted_nodes` are those of the implanted model as
/// solved (a frictional interface adds the prosthesis' own docking nodes to the built mesh).
fn mesh_summary(rec: &Reconstruction, implanted_nodes: usize) -> MeshSummary {
    MeshSummary {
        element_type: rec
            .mesh
            .blocks
            .first()
            .map(|b| b.etype.abaqus_name().to_string())
            .unwrap_or_default(),
        nodes: [implanted_nodes, rec.n_intact_nodes],
        elements: [rec.mesh.n_elements(), rec.n_intact_elements],
        elements_by_region: rec.region_counts(),
        cells: rec.cells.clone(),
        min_scaled_jacobian: rec.quality.min_scaled_jacobian,
        flange_tie: rec.tie.as_ref().map(|t| (t.tied, t.max_distance)),
        screws: rec.screws.clone(),
        equations: rec.equations.len(),
    }
}

/// Stage 5: the report (inputs, materials, mesh, cases, timings, notes); files and plots
/// are left empty for [`crate::output::write_study_outputs`], the total time for the caller.
pub fn study_report(
    study: &Study,
    setup: &StudySetup,
    implanted: &ImplantedSolution,
    intact: &IntactSolution,
    cases: Vec<CaseReport>,
    metrics_s: f64,
) -> StudyReport {
    let rec = &setup.reconstruction;
    let mut notes = notes(
        study,
        setup.split.as_ref().map(|s| s.bonded_area_fraction),
        rec.screw_model,
    );
    notes.extend(contact_notes(study, &implanted.contact));
    if let Some(c) = &implanted.contact_solver {
        notes.push(contact_solver_note(c));
    }
    let mut materials = setup.materials.summary(study.implant.flange.material);
    if let Some(ct) = &study.patient_ct {
        notes.push(crate::patient_ct::bone_note(ct, rec));
        crate::patient_ct::bone_material_rows(ct, rec, &mut materials);
    }
    StudyReport {
        study: study.clone(),
        body_weight_n: study.loads.body_weight_n(),
        implant_modulus_mpa: setup.materials.porous.modulus(),
        defect_z_mm: rec.defect_z,
        materials,
        mesh: mesh_summary(rec, setup.implanted_model.mesh.n_nodes()),
        cases,
        timings: StudyTimings {
            build_s: setup.build_s,
            implanted: SolveTimings::from(&implanted.solution),
            intact: SolveTimings::from(&intact.solution),
            metrics_s,
            write_s: 0.0,
            total_s: 0.0,
            intact_cached: intact.cached,
        },
        notes,
        files: Vec::new(),
        plots: Vec::new(),
        contact: implanted.contact.clone(),
        contact_solver: implanted.contact_solver.clone(),
        headline: None,
        daily: None,
        linear_solver: String::new(),
    }
}
