//! Micromotion: the one definition used by `osteon solve`, the study and every report.
//!
//! **What it is.** The relative displacement of the slave side (the implant) against the
//! master point it is paired with (the bone), between a reference state — the unloaded
//! state, or a stated preload step — and a loaded state, over the whole paired slave
//! surface, open regions included. Its tangential part is the micromotion
//! (`docs/biomechanics.md` §6); the normal part, the change of the gap (positive: the
//! interface opens), is reported separately. From the unloaded state the normal part
//! includes the resolution of an initial interference (a press fit closes by |g₀|, which
//! reads as opening).
//!
//! **How it is sampled.** A face-based slave surface (`*SURFACE, TYPE=ELEMENT`) is sampled at
//! the points of each face's load rule (3×3 Gauss on quadrilaterals, degree 6 on triangles):
//! the nodal relative displacements are interpolated with the face shape functions and each
//! point carries its area dA = |∂x/∂s × ∂x/∂t| w. Percentiles and area fractions are then
//! surface integrals that converge under mesh refinement; nodal tributary areas would move
//! them in steps of one node's share. A node-based slave surface has no faces of its own, so
//! its nodes are the samples, each with its tributary area ([`Sampling`] says which; under
//! CalculiX's rule a node on an edge of the set also carries area from the side faces, so
//! the sampled area can exceed the interface's). A slave face with a node the pairing left
//! unpaired (beyond the master's edge or the search distance) is not sampled; its area is
//! reported as [`MotionStatistics::unpaired_area_mm2`]. The largest value is the largest at
//! the sample points; the largest nodal value is given too.
//!
//! **What is reported** ([`MotionStatistics`]): area-weighted max, mean and 95th percentile of
//! the tangential motion (µm); max and mean of the normal motion (µm); the area fractions in
//! the bands [0, 28), [28, 40), [40, 50), [50, 100), [100, 150) and ≥ 150 µm ([`BAND_EDGES_UM`]); stick,
//! slip and open fractions of the tributary area of the paired nodes (the status is a nodal
//! quantity; a frictionless pair has no stick, every closed node slides);
//! the friction utilisation τ/(μ p) over the area in contact — with the stick/slip/open
//! fractions it does not depend on the stick stiffness, which sets the elastic part of the
//! tangential motion of a sticking interface (τ/k_T); and a histogram for plots.

use nalgebra::Vector3;
use osteon_mesh::Mesh;
use osteon_mesh::geometry::face_area_vector;

use crate::contact::{ContactPair, ContactStatus};
use crate::error::AssemblyError;
use crate::solution::StepSolution;
use crate::stats::weighted_quantile;

/// Band edges (µm) of the micromotion area fractions: 28 µm (Pilliar 1986: ingrowth
/// observed, unverified), 40 µm (Jasty 1997: bone grows in at 20 µm, fibrocartilage and
/// fibrous tissue appear from 40 µm), 50 and 100 µm (the seed's "controlled micromotion"
/// band), 150 µm (Jasty 1997: dense fibrous tissue); `docs/biomechanics.md` §6.
pub const BAND_EDGES_UM: [f64; 5] = [28.0, 40.0, 50.0, 100.0, 150.0];

/// The relative motion of one paired slave node between the reference and the loaded state.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeMotion {
    /// Pair index (order of [`Model::contact_pairs`](crate::Model::contact_pairs)).
    pub pair: usize,
    /// Slave node index.
    pub node: usize,
    /// Node id from the input.
    pub node_id: i64,
    /// Tangential relative displacement against the master point (mm).
    pub tangential: [f64; 3],
    /// Change of the normal gap (mm; positive: the interface opens).
    pub normal: f64,
    /// Tributary area (mm²).
    pub area: f64,
    /// Status in the loaded state.
    pub status: ContactStatus,
    /// τ/(μ p) in the loaded state: 1 where the node slides; `None` where it is open,
    /// carries no pressure, or the pair is frictionless.
    pub utilisation: Option<f64>,
}

impl NodeMotion {
    /// |tangential| (mm).
    pub fn magnitude(&self) -> f64 {
        let t = self.tangential;
        Vector3::from(t).norm()
    }
}

/// Relative motion of every paired slave node of step `step` (0-based) of `steps` against
/// step `reference`, or against the unloaded state when `None`. A step without contact
/// state has no slave nodes (empty list). `pairs` gives each pair's friction coefficient.
///
/// # Errors
/// [`AssemblyError::StepIndex`] when `step` or `reference` is not a step index;
/// [`AssemblyError::InvalidModel`] when the reference step has no contact state or lacks a
/// slave node of the loaded step.
pub fn node_motions(
    pairs: &[ContactPair],
    steps: &[StepSolution],
    step: usize,
    reference: Option<usize>,
) -> Result<Vec<NodeMotion>, AssemblyError> {
    let bad = |index: usize| AssemblyError::StepIndex {
        index,
        steps: steps.len(),
    };
    let loaded = steps.get(step).ok_or_else(|| bad(step))?;
    let base = match reference {
        Some(r) => Some(
            steps
                .get(r)
                .ok_or_else(|| bad(r))?
                .contact
                .as_ref()
                .ok_or_else(|| AssemblyError::InvalidModel {
                    detail: format!("micromotion reference step {} has no contact state", r + 1),
                })?,
        ),
        None => None,
    };
    let Some(loaded) = &loaded.contact else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (p, pair) in loaded.pairs.iter().enumerate() {
        let mu = pairs
            .get(p)
            .and_then(|d| d.interaction.friction)
            .map_or(0.0, |f| f.mu);
        let before: Option<std::collections::HashMap<usize, &crate::contact::NodeResult>> = base
            .map(|b| {
                b.pairs
                    .get(p)
                    .map(|bp| bp.nodes.iter().map(|n| (n.node, n)).collect())
                    .unwrap_or_default()
            });
        for r in &pair.nodes {
            let (s0, g0) = match &before {
                None => ([0.0; 3], r.initial_gap),
                Some(map) => {
                    let b = map.get(&r.node).ok_or_else(|| AssemblyError::InvalidModel {
                        detail: format!(
                            "slave node {} of pair '{}' is not in the micromotion reference step",
                            r.node_id, pair.name
                        ),
                    })?;
                    (b.slip, b.gap)
                }
            };
            let tau = Vector3::from(r.shear).norm();
            let utilisation = (r.status != ContactStatus::Open && mu > 0.0 && r.pressure > 0.0)
                .then(|| tau / (mu * r.pressure));
            out.push(NodeMotion {
                pair: p,
                node: r.node,
                node_id: r.node_id,
                tangential: [r.slip[0] - s0[0], r.slip[1] - s0[1], r.slip[2] - s0[2]],
                normal: r.gap - g0,
                area: r.area,
                status: r.status,
                utilisation,
            });
        }
    }
    Ok(out)
}

/// How the motion field was sampled over the slave surface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Sampling {
    /// At the load-rule points of the slave faces, weighted by their area.
    #[default]
    FaceQuadrature,
    /// At the slave nodes, weighted by their tributary areas (node-based slave surfaces).
    NodalAreas,
}

/// Area fractions of the tangential micromotion in the bands of [`BAND_EDGES_UM`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MicromotionBands {
    /// Below 28 µm (ingrowth, Pilliar 1986).
    pub below_28_um: f64,
    /// 28–40 µm (ingrowth, Jasty 1997).
    pub from_28_to_40_um: f64,
    /// 40–50 µm (mixed tissue).
    pub from_40_to_50_um: f64,
    /// 50–100 µm (the seed's band).
    pub from_50_to_100_um: f64,
    /// 100–150 µm (mixed tissue).
    pub from_100_to_150_um: f64,
    /// 150 µm and above (fibrous-tissue risk).
    pub above_150_um: f64,
}

impl MicromotionBands {
    /// The fractions in order of increasing motion.
    pub fn as_array(&self) -> [f64; 6] {
        [
            self.below_28_um,
            self.from_28_to_40_um,
            self.from_40_to_50_um,
            self.from_50_to_100_um,
            self.from_100_to_150_um,
            self.above_150_um,
        ]
    }

    /// Area fraction below `BAND_EDGES_UM[k]` (cumulative) for k = 0..=4; 1 (all bands)
    /// for k ≥ 5.
    pub fn below(&self, k: usize) -> f64 {
        self.as_array()[..=k.min(5)].iter().sum()
    }

    /// Area fraction at or above 40 µm, where fibrous tissue begins to form (Jasty 1997).
    pub fn above_40_um(&self) -> f64 {
        self.as_array()[2..].iter().sum()
    }
}

/// Stick, slip and open fractions of the slave area (by nodal tributary area).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StatusFractions {
    /// Sticking.
    pub stick: f64,
    /// Sliding.
    pub slip: f64,
    /// Open (not in contact).
    pub open: f64,
}

/// Area fraction per bin of the tangential micromotion.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MotionHistogram {
    /// Bin edges (µm), ascending, one more than bins.
    pub bin_edges_um: Vec<f64>,
    /// Area fraction in each bin (sums to 1).
    pub area_fraction: Vec<f64>,
}

/// Micromotion statistics over one interface (or all of them): see the module documentation.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MotionStatistics {
    /// Interface (contact pair) name, or "all interfaces".
    pub interface: String,
    /// How the surface was sampled.
    pub sampling: Sampling,
    /// Slave area sampled (mm²).
    pub area_mm2: f64,
    /// Area of slave faces with an unpaired node, not sampled (mm²).
    pub unpaired_area_mm2: f64,
    /// Largest tangential micromotion at the sample points (µm).
    pub max_um: f64,
    /// Largest tangential micromotion at a paired slave node (µm).
    pub node_max_um: f64,
    /// Area-weighted mean tangential micromotion (µm).
    pub mean_um: f64,
    /// 95th percentile by area of the tangential micromotion (µm).
    pub p95_um: f64,
    /// Largest |normal motion| (µm).
    pub normal_max_um: f64,
    /// Area-weighted mean normal motion (µm; positive: opening).
    pub normal_mean_um: f64,
    /// Area fractions in the micromotion bands.
    pub bands: MicromotionBands,
    /// Stick / slip / open fractions of the slave area.
    pub status: StatusFractions,
    /// Area-weighted mean friction utilisation τ/(μ p) over the area in contact; `None` for
    /// a frictionless interface or one without contact.
    pub utilisation_mean: Option<f64>,
    /// Largest friction utilisation (1: sliding).
    pub utilisation_max: Option<f64>,
    /// Histogram of the tangential micromotion (10 µm bins, doubled until there are at most
    /// 40).
    pub histogram: MotionHistogram,
}

/// One sample of the motion field: tangential |Δu_T| (µm), normal Δg (µm), area (mm²).
#[derive(Clone, Copy, Debug)]
struct Sample {
    tangential_um: f64,
    normal_um: f64,
    area: f64,
}

/// Micromotion of a contact step: per interface and over all of them.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Micromotion {
    /// The loaded step (0-based).
    pub step: usize,
    /// The reference step (0-based); `None`: the unloaded state.
    pub reference: Option<usize>,
    /// Over every interface together.
    pub all: MotionStatistics,
    /// One per contact pair.
    pub interfaces: Vec<MotionStatistics>,
}

impl Micromotion {
    /// The micromotion of step `step` of `steps` relative to `reference` (a step index, or
    /// `None` for the unloaded state), over the slave surfaces of `pairs` on `mesh` (the
    /// model's [`Model::contact_pairs`](crate::Model::contact_pairs), in the order of the
    /// step's contact state). `None` when the step has no contact state.
    ///
    /// # Errors
    /// [`AssemblyError::StepIndex`] for a step index out of range; as [`node_motions`] for
    /// a reference step that does not match; [`AssemblyError::InvalidModel`] for a slave
    /// face that does not exist.
    pub fn between(
        mesh: &Mesh,
        pairs: &[ContactPair],
        steps: &[StepSolution],
        step: usize,
        reference: Option<usize>,
    ) -> Result<Option<Self>, AssemblyError> {
        Self::between_grouped(
            mesh,
            pairs,
            steps,
            step,
            reference,
            "all interfaces",
            &|_| true,
        )
    }

    /// As [`Micromotion::between`], but [`Micromotion::all`] (named `group`) gathers only
    /// the pairs whose name `in_group` accepts; every pair still has its own entry in
    /// [`Micromotion::interfaces`]. A study judges the implant's docking faces this way
    /// without mixing in a flange–bone pair, whose motion means something else.
    ///
    /// # Errors
    /// As [`Micromotion::between`].
    pub fn between_grouped(
        mesh: &Mesh,
        pairs: &[ContactPair],
        steps: &[StepSolution],
        step: usize,
        reference: Option<usize>,
        group: &str,
        in_group: &dyn Fn(&str) -> bool,
    ) -> Result<Option<Self>, AssemblyError> {
        let motions = node_motions(pairs, steps, step, reference)?;
        if steps.get(step).and_then(|s| s.contact.as_ref()).is_none() {
            return Ok(None);
        }
        let n_pairs = steps[step].contact.as_ref().map_or(0, |c| c.pairs.len());
        let mut all_samples = Vec::new();
        let mut all_nodes: Vec<&NodeMotion> = Vec::new();
        let mut all_sampling = Sampling::FaceQuadrature;
        let mut all_unpaired = 0.0;
        let mut interfaces = Vec::with_capacity(n_pairs);
        for p in 0..n_pairs {
            let nodes: Vec<&NodeMotion> = motions.iter().filter(|m| m.pair == p).collect();
            let def = pairs.get(p);
            let (samples, unpaired, sampling) = match def {
                Some(d) if d.slave_nodes.is_none() => {
                    let (samples, unpaired) = face_samples(mesh, &d.slave_faces, &nodes)?;
                    (samples, unpaired, Sampling::FaceQuadrature)
                }
                _ => (nodal_samples(&nodes), 0.0, Sampling::NodalAreas),
            };
            let name = steps[step]
                .contact
                .as_ref()
                .and_then(|c| c.pairs.get(p))
                .map_or_else(|| format!("pair {}", p + 1), |r| r.name.clone());
            let mut stats = statistics(name, sampling, &samples, &nodes);
            stats.unpaired_area_mm2 = unpaired;
            if in_group(&stats.interface) {
                if sampling == Sampling::NodalAreas {
                    all_sampling = Sampling::NodalAreas;
                }
                all_unpaired += unpaired;
                all_samples.extend(samples);
                all_nodes.extend(nodes);
            }
            interfaces.push(stats);
        }
        let mut all = statistics(group.into(), all_sampling, &all_samples, &all_nodes);
        all.unpaired_area_mm2 = all_unpaired;
        Ok(Some(Self {
            step,
            reference,
            all,
            interfaces,
        }))
    }
}

/// Samples at the load-rule points of the `faces` whose nodes are all paired, and the area
/// of the others (mm²; see the module documentation).
fn face_samples(
    mesh: &Mesh,
    faces: &[osteon_mesh::FaceRef],
    nodes: &[&NodeMotion],
) -> Result<(Vec<Sample>, f64), AssemblyError> {
    let motion_of: std::collections::HashMap<usize, &NodeMotion> =
        nodes.iter().map(|m| (m.node, *m)).collect();
    let mut samples = Vec::new();
    let mut unpaired = 0.0;
    for &face in faces {
        if face.element >= mesh.n_elements() {
            return Err(AssemblyError::InvalidModel {
                detail: format!(
                    "a slave face refers to element index {}, which does not exist",
                    face.element
                ),
            });
        }
        let face_nodes = mesh.face_nodes(face)?;
        let ft = mesh.element(face.element).etype.face_type();
        let xf: Vec<[f64; 3]> = face_nodes.iter().map(|&a| mesh.coords[a]).collect();
        let rule = ft.load_rule();
        let paired: Option<Vec<&NodeMotion>> = face_nodes
            .iter()
            .map(|a| motion_of.get(a).copied())
            .collect();
        for (q, &w) in rule.points.iter().zip(&rule.weights) {
            let st = [q[0], q[1]];
            let (_, area) = face_area_vector(ft, &xf, st);
            let da = Vector3::from(area).norm() * w;
            let Some(paired) = &paired else {
                unpaired += da;
                continue;
            };
            let sh = ft.shape(st);
            let (mut t, mut g) = (Vector3::zeros(), 0.0);
            for (a, m) in paired.iter().enumerate() {
                t += Vector3::from(m.tangential) * sh.n[a];
                g += sh.n[a] * m.normal;
            }
            samples.push(Sample {
                tangential_um: 1000.0 * t.norm(),
                normal_um: 1000.0 * g,
                area: da,
            });
        }
    }
    Ok((samples, unpaired))
}

/// One sample per slave node, weighted by its tributary area.
fn nodal_samples(nodes: &[&NodeMotion]) -> Vec<Sample> {
    nodes
        .iter()
        .map(|m| Sample {
            tangential_um: 1000.0 * m.magnitude(),
            normal_um: 1000.0 * m.normal,
            area: m.area,
        })
        .collect()
}

/// The statistics of `samples` (motion) and `nodes` (status, utilisation).
fn statistics(
    interface: String,
    sampling: Sampling,
    samples: &[Sample],
    nodes: &[&NodeMotion],
) -> MotionStatistics {
    let area: f64 = samples.iter().map(|s| s.area).sum();
    let mut stats = MotionStatistics {
        interface,
        sampling,
        area_mm2: area,
        ..Default::default()
    };
    if samples.is_empty() || area <= 0.0 {
        return stats;
    }
    stats.max_um = samples.iter().map(|s| s.tangential_um).fold(0.0, f64::max);
    stats.node_max_um = nodes
        .iter()
        .map(|m| 1000.0 * m.magnitude())
        .fold(0.0, f64::max);
    stats.mean_um = samples
        .iter()
        .map(|s| s.tangential_um * s.area)
        .sum::<f64>()
        / area;
    let mut weighted: Vec<(f64, f64)> = samples.iter().map(|s| (s.tangential_um, s.area)).collect();
    stats.p95_um = weighted_quantile(&mut weighted, 0.95);
    stats.normal_max_um = samples
        .iter()
        .map(|s| s.normal_um.abs())
        .fold(0.0, f64::max);
    stats.normal_mean_um = samples.iter().map(|s| s.normal_um * s.area).sum::<f64>() / area;
    let mut bands = [0.0; 6];
    for s in samples {
        let k = BAND_EDGES_UM
            .iter()
            .position(|&e| s.tangential_um < e)
            .unwrap_or(5);
        bands[k] += s.area / area;
    }
    stats.bands = MicromotionBands {
        below_28_um: bands[0],
        from_28_to_40_um: bands[1],
        from_40_to_50_um: bands[2],
        from_50_to_100_um: bands[3],
        from_100_to_150_um: bands[4],
        above_150_um: bands[5],
    };
    stats.histogram = histogram(samples, area, stats.max_um);
    let node_area: f64 = nodes.iter().map(|m| m.area).sum();
    if node_area > 0.0 {
        // fold from +0: the f64 sum of no terms is −0, which a report prints as "-0.00"
        let share = |st: ContactStatus| {
            nodes
                .iter()
                .filter(|m| m.status == st)
                .fold(0.0, |a, m| a + m.area)
                / node_area
        };
        stats.status = StatusFractions {
            stick: share(ContactStatus::Stick),
            slip: share(ContactStatus::Slip),
            open: share(ContactStatus::Open),
        };
    }
    let used: Vec<(f64, f64)> = nodes
        .iter()
        .filter_map(|m| m.utilisation.map(|u| (u, m.area)))
        .collect();
    let used_area: f64 = used.iter().map(|u| u.1).sum();
    if used_area > 0.0 {
        stats.utilisation_mean = Some(used.iter().map(|u| u.0 * u.1).sum::<f64>() / used_area);
        stats.utilisation_max = Some(used.iter().map(|u| u.0).fold(0.0, f64::max));
    }
    stats
}

/// 10 µm bins (doubled until there are at most 40) up to the largest value.
fn histogram(samples: &[Sample], area: f64, max: f64) -> MotionHistogram {
    let mut width = 10.0;
    while max / width >= 40.0 {
        width *= 2.0;
    }
    let bins = ((max / width).floor() as usize + 1).max(1);
    let mut fraction = vec![0.0; bins];
    for s in samples {
        fraction[((s.tangential_um / width).floor() as usize).min(bins - 1)] += s.area / area;
    }
    MotionHistogram {
        bin_edges_um: (0..=bins).map(|k| k as f64 * width).collect(),
        area_fraction: fraction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(mag_mm: f64, area: f64, status: ContactStatus) -> NodeMotion {
        NodeMotion {
            pair: 0,
            node: 0,
            node_id: 1,
            tangential: [0.6 * mag_mm, 0.8 * mag_mm, 0.0],
            normal: -0.5 * mag_mm,
            area,
            status,
            utilisation: (status != ContactStatus::Open).then_some(0.5),
        }
    }

    #[test]
    fn statistics_weight_by_area_and_bin_by_band() {
        // 1 mm² at 10 µm, 3 mm² at 60 µm, 4 mm² at 200 µm (open)
        let nodes = [
            node(0.010, 1.0, ContactStatus::Stick),
            node(0.060, 3.0, ContactStatus::Slip),
            node(0.200, 4.0, ContactStatus::Open),
        ];
        let refs: Vec<&NodeMotion> = nodes.iter().collect();
        let s = statistics(
            "x".into(),
            Sampling::NodalAreas,
            &nodal_samples(&refs),
            &refs,
        );
        assert!((s.area_mm2 - 8.0).abs() < 1e-12);
        assert!((s.max_um - 200.0).abs() < 1e-9);
        assert!((s.mean_um - (10.0 + 180.0 + 800.0) / 8.0).abs() < 1e-9);
        assert!((s.p95_um - 200.0).abs() < 1e-9);
        assert!((s.normal_max_um - 100.0).abs() < 1e-9);
        let b = s.bands.as_array();
        let expected = [1.0 / 8.0, 0.0, 0.0, 3.0 / 8.0, 0.0, 0.5];
        for (x, e) in b.iter().zip(expected) {
            assert!((x - e).abs() < 1e-12, "{b:?}");
        }
        assert!((s.bands.below(3) - 0.5).abs() < 1e-12);
        assert!((s.status.stick - 0.125).abs() < 1e-12 && (s.status.open - 0.5).abs() < 1e-12);
        assert_eq!(s.utilisation_mean, Some(0.5));
        let h: f64 = s.histogram.area_fraction.iter().sum();
        assert!((h - 1.0).abs() < 1e-12);
        // up to 200 µm in 10 µm bins: 21 bins; 10 µm falls in [10, 20)
        assert_eq!(s.histogram.area_fraction.len(), 21);
        assert!((s.histogram.area_fraction[1] - 0.125).abs() < 1e-12);
    }

    /// A 2 × 1 mm face (two Hex8 cells) whose slave nodes slide by s(x) = a·x along x and
    /// open by g(x) − g₀ = b·x: the face samples integrate the linear field exactly, so the
    /// mean is a·x̄ = a (x̄ = 1 mm), the normal mean b; the largest sample lies at the last
    /// Gauss point, inside the face (x = 2 − (1 − √(3/5))/2 mm on 3×3 Gauss of a 1 mm cell).
    #[test]
    fn face_sampling_integrates_a_linear_slip_field_exactly() {
        use crate::contact::{ContactState, NodeResult, PairResult};
        use osteon_mesh::ElementType;
        use osteon_mesh::generate::{BoxSpec, box_mesh};
        let mesh = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [2.0, 1.0, 1.0],
            cells: [2, 1, 1],
            element: ElementType::Hex8,
        })
        .expect("box");
        let faces = mesh.surface_faces("ZMIN").expect("ZMIN").to_vec();
        let (a, b) = (0.030, -0.004); // mm per mm
        let nodes: Vec<NodeResult> = mesh
            .node_set("ZMIN")
            .expect("ZMIN")
            .iter()
            .map(|&n| {
                let x = mesh.coords[n][0];
                NodeResult {
                    node: n,
                    node_id: mesh.node_ids[n],
                    status: ContactStatus::Stick,
                    pressure: 1.0,
                    gap: 0.1 + b * x,
                    initial_gap: 0.1,
                    slip: [a * x, 0.0, 0.0],
                    slip_magnitude: a * x,
                    slip_local: [a * x, 0.0],
                    irreversible_slip: [0.0; 3],
                    shear: [0.2, 0.0, 0.0],
                    shear_local: [0.2, 0.0],
                    area: 0.5,
                    normal: [0.0, 0.0, 1.0],
                }
            })
            .collect();
        let step = StepSolution {
            contact: Some(ContactState {
                pairs: vec![PairResult {
                    name: "bottom".into(),
                    nodes,
                    normal_force: 0.0,
                    contact_force: [0.0; 3],
                    friction_force: [0.0; 3],
                }],
                increments: Vec::new(),
            }),
            ..StepSolution::default()
        };
        let pair = ContactPair::new("bottom", faces, Vec::new(), 0.4);
        let m = Micromotion::between(
            &mesh,
            std::slice::from_ref(&pair),
            std::slice::from_ref(&step),
            0,
            None,
        )
        .expect("valid")
        .expect("a contact step");
        let s = &m.interfaces[0];
        assert_eq!(s.sampling, Sampling::FaceQuadrature);
        assert!((s.area_mm2 - 2.0).abs() < 1e-12);
        assert!((s.mean_um - 1000.0 * a).abs() < 1e-9, "{}", s.mean_um);
        assert!((s.normal_mean_um - 1000.0 * b).abs() < 1e-9);
        let x_last = 2.0 - 0.5 * (1.0 - (0.6f64).sqrt());
        assert!(
            (s.max_um - 1000.0 * a * x_last).abs() < 1e-9,
            "{}",
            s.max_um
        );
        // τ/(μp) = 0.2 / (0.4 · 1) everywhere; everything sticks
        assert!((s.utilisation_mean.expect("in contact") - 0.5).abs() < 1e-12);
        assert!((s.status.stick - 1.0).abs() < 1e-12);
        // no node slips or opens: +0, which a report prints as "0.00", not "-0.00"
        assert!(s.status.slip == 0.0 && s.status.slip.is_sign_positive());
        assert!(s.status.open == 0.0 && s.status.open.is_sign_positive());
        assert_eq!(
            m.all,
            MotionStatistics {
                interface: "all interfaces".into(),
                ..s.clone()
            }
        );
        // the largest nodal value is at x = 2 mm
        assert!((s.node_max_um - 1000.0 * a * 2.0).abs() < 1e-9);
        assert_eq!(s.unpaired_area_mm2, 0.0);
        // relative to itself the motion is zero; relative to a step with half the slip and
        // gap change, it is the other half
        let mut half = step.clone();
        if let Some(c) = half.contact.as_mut() {
            for n in &mut c.pairs[0].nodes {
                n.slip = n.slip.map(|v| 0.5 * v);
                n.gap = n.initial_gap + 0.5 * (n.gap - n.initial_gap);
            }
        }
        let steps = [half, step.clone()];
        let rel = Micromotion::between(&mesh, std::slice::from_ref(&pair), &steps, 1, Some(0))
            .expect("valid")
            .expect("a contact step");
        assert!((rel.all.mean_um - 500.0 * a).abs() < 1e-9);
        assert!((rel.all.normal_mean_um - 500.0 * b).abs() < 1e-9);
        let same = Micromotion::between(&mesh, std::slice::from_ref(&pair), &steps, 1, Some(1))
            .expect("valid")
            .expect("a contact step");
        assert_eq!(same.all.max_um, 0.0);
        // a node the pairing left out: the faces around it are not sampled, their area is
        // reported (the node at x = 0 belongs to the first cell only: 1 mm² of 2)
        let mut partial = step.clone();
        if let Some(c) = partial.contact.as_mut() {
            c.pairs[0].nodes.retain(|n| mesh.coords[n.node][0] > 0.0);
        }
        let p = Micromotion::between(&mesh, std::slice::from_ref(&pair), &[partial], 0, None)
            .expect("valid")
            .expect("a contact step");
        assert!(
            (p.all.area_mm2 - 1.0).abs() < 1e-12 && (p.all.unpaired_area_mm2 - 1.0).abs() < 1e-12
        );
        // a reference without contact state, and a step index beyond the solution, are errors
        let bare = [StepSolution::default(), step];
        assert!(matches!(
            Micromotion::between(&mesh, std::slice::from_ref(&pair), &bare, 1, Some(0)),
            Err(AssemblyError::InvalidModel { .. })
        ));
        assert!(matches!(
            Micromotion::between(&mesh, &[], &[], 0, None),
            Err(AssemblyError::StepIndex { index: 0, steps: 0 })
        ));
    }

    #[test]
    fn uniform_samples_give_the_percentile_and_bands_by_hand() {
        // 100 equal-area samples at 0, 2, …, 198 µm: p95 is the 95th value (188 µm), the mean
        // 99 µm; [0, 28): 14 values, [28, 40): 6, [40, 50): 5, [50, 100): 25, [100, 150): 25,
        // ≥ 150: 25
        let samples: Vec<Sample> = (0..100)
            .map(|i| Sample {
                tangential_um: 2.0 * i as f64,
                normal_um: 0.0,
                area: 0.5,
            })
            .collect();
        let s = statistics("x".into(), Sampling::FaceQuadrature, &samples, &[]);
        assert_eq!(s.max_um, 198.0);
        assert!((s.mean_um - 99.0).abs() < 1e-12);
        assert!((s.p95_um - 188.0).abs() < 1e-12, "{}", s.p95_um);
        let expected = [0.14, 0.06, 0.05, 0.25, 0.25, 0.25];
        assert!((s.bands.above_40_um() - 0.80).abs() < 1e-12);
        for (x, e) in s.bands.as_array().iter().zip(expected) {
            assert!((x - e).abs() < 1e-12, "{:?}", s.bands);
        }
        assert!((s.bands.below(5) - 1.0).abs() < 1e-12);
        // 198 µm in 10 µm bins: 20 bins of 5 % each
        assert_eq!(s.histogram.area_fraction.len(), 20);
        assert!(
            s.histogram
                .area_fraction
                .iter()
                .all(|f| (f - 0.05).abs() < 1e-12)
        );
        // exactly 400 µm: 20 µm bins, 21 of them (not 41 of 10 µm)
        let edge = [Sample {
            tangential_um: 400.0,
            normal_um: 0.0,
            area: 1.0,
        }];
        let h = statistics("x".into(), Sampling::FaceQuadrature, &edge, &[]).histogram;
        assert_eq!(h.area_fraction.len(), 21);
    }

    #[test]
    fn no_samples_give_zero_statistics() {
        let s = statistics("x".into(), Sampling::FaceQuadrature, &[], &[]);
        assert_eq!(s.max_um, 0.0);
        assert_eq!(s.utilisation_mean, None);
    }
}
