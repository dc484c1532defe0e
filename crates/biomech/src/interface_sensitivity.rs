//! How much does the micromotion depend on what we assumed about the interface? The
//! headline case of a frictional study re-run with the stick stiffness k_T × 0.1 and × 10,
//! the friction coefficient μ ± 0.2, the stick stiffness at both ends of the measured
//! elastic slip (δ = 50 and 400 µm) and the initial docking gap at 0, 0.2 and 0.5 mm
//! (issue 13; the seed's radiographs show a gap of that order narrowing over months); these
//! change only the docking pairs. With the flange in frictional contact, three more rows
//! change only the flange–bone pair, whose μ and k_T are the docking faces' by assumption:
//! μ = [`FLANGE_LOW_MU`] (the low end measured for printed Ti-6Al-4V on bone), k_T × 0.1,
//! and both — how much the docking micromotion owes to a flange that slides more easily.
//!
//! k_T sets the elastic tangential motion of a sticking interface (τ/k_T). When the
//! interface sticks almost everywhere, the micromotion scales as 1/k_T: it then reports the
//! input k_T, not a property of the construct, and [`InterfaceSensitivity::reflects_stick_stiffness`]
//! says so.

use serde::{Deserialize, Serialize};

use osteon_assembly::contact::Micromotion;
use osteon_assembly::{InitialGap, Model, Observer, SolveOptions};
use osteon_contact::Friction;

use crate::error::BiomechError;
use crate::frictional::{is_docking_pair, solve_frictional_cached};
use crate::modulus_bounds::with_single_case;
use crate::spec::{ELASTIC_SLIP_RANGE_MM, InterfaceModel, REFERENCE_INTERFACE_PRESSURE_MPA};
use crate::study::StudySetup;

/// Friction coefficient of the flange variants: 0.37, the low end of μ = 0.37–0.95 measured
/// for selective-laser-melted Ti-6Al-4V surface textures on human cancellous bone at 0.5–1.5
/// MPa (Abedi et al.; biomechanics.md §4); no measurement on periosteum was found.
pub const FLANGE_LOW_MU: f64 = 0.37;

/// Which contact pair a variant changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariedPair {
    /// The two docking faces.
    #[default]
    Docking,
    /// The flange on the periosteum.
    Flange,
}

/// One interface variant of the headline case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterfaceVariant {
    /// What changed ("k_T × 0.1", "μ = 0.54", "gap 0.2 mm", "flange: k_T × 0.1", "as
    /// chosen").
    pub label: String,
    /// The pair whose inputs changed (μ, k_T and gap below are that pair's).
    #[serde(default)]
    pub pair: VariedPair,
    /// Friction coefficient (1).
    pub mu: f64,
    /// Stick stiffness k_T (MPa/mm).
    pub stick_stiffness_mpa_per_mm: f64,
    /// Initial docking gap (mm).
    pub initial_gap_mm: f64,
    /// Micromotion p95 over both docking faces (µm).
    pub p95_um: f64,
    /// Largest micromotion (µm).
    pub max_um: f64,
    /// Stick, slip, open area fractions (1).
    pub stick_slip_open: [f64; 3],
}

/// The sensitivity of the headline case's micromotion to the interface inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterfaceSensitivity {
    /// The chosen interface first, then the variants.
    pub variants: Vec<InterfaceVariant>,
}

/// The headline case's p95 docking micromotion at the two ends of the measured elastic slip
/// ([`ELASTIC_SLIP_RANGE_MM`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlipRange {
    /// The stiff end δ (mm) and its p95 (µm).
    pub stiff_delta_mm: f64,
    /// p95 at the stiff end (µm).
    pub stiff_p95_um: f64,
    /// The soft end δ (mm).
    pub soft_delta_mm: f64,
    /// p95 at the soft end (µm).
    pub soft_p95_um: f64,
}

impl InterfaceSensitivity {
    /// The ratio p95(k_T × 0.1) / p95(k_T × 10): 100 when the micromotion is all elastic
    /// sticking (∝ 1/k_T), 1 when it does not depend on k_T at all; `None` without both runs.
    pub fn stick_stiffness_ratio(&self) -> Option<f64> {
        let find = |l: &str| {
            self.variants
                .iter()
                .find(|v| v.label == l && v.pair == VariedPair::Docking)
                .map(|v| v.p95_um)
        };
        match (find("k_T × 0.1"), find("k_T × 10")) {
            (Some(soft), Some(stiff)) if stiff > 0.0 => Some(soft / stiff),
            _ => None,
        }
    }

    /// The p95 at the stiff and the soft end of the measured elastic slip δ = 50–400 µm
    /// (k_T = μ·p_ref/δ with the chosen μ and gap); `None` when a run is missing.
    pub fn measured_slip_range(&self) -> Option<SlipRange> {
        let chosen = self.variants.first()?;
        let p95_at = |delta: f64| {
            let k = chosen.mu * REFERENCE_INTERFACE_PRESSURE_MPA / delta;
            self.variants
                .iter()
                .find(|v| {
                    v.pair == VariedPair::Docking
                        && v.mu == chosen.mu
                        && v.initial_gap_mm == chosen.initial_gap_mm
                        && (v.stick_stiffness_mpa_per_mm - k).abs() <= 1e-9 * k
                })
                .map(|v| v.p95_um)
        };
        let [stiff, soft] = ELASTIC_SLIP_RANGE_MM;
        Some(SlipRange {
            stiff_delta_mm: stiff,
            stiff_p95_um: p95_at(stiff)?,
            soft_delta_mm: soft,
            soft_p95_um: p95_at(soft)?,
        })
    }

    /// True when the micromotion follows the stick stiffness (p95 at k_T × 0.1 over p95 at
    /// k_T × 10 above 10, against 100 for pure elastic sticking): the number then reflects
    /// the input k_T.
    pub fn reflects_stick_stiffness(&self) -> bool {
        self.stick_stiffness_ratio().is_some_and(|r| r > 10.0)
    }
}

/// One run of the sensitivity: which pair, with what (μ, k_T in MPa/mm, gap in mm).
struct Variant {
    label: String,
    pair: VariedPair,
    mu: f64,
    k: f64,
    gap: f64,
}

impl Variant {
    fn docking(label: impl Into<String>, mu: f64, k: f64, gap: f64) -> Self {
        Self {
            label: label.into(),
            pair: VariedPair::Docking,
            mu,
            k,
            gap,
        }
    }
}

/// The variants of `interface` (frictional); the flange rows when its flange is in
/// frictional contact.
fn variants(interface: &InterfaceModel) -> Vec<Variant> {
    let InterfaceModel::Frictional { mu, .. } = *interface else {
        return Vec::new();
    };
    let k = interface.stick_stiffness().unwrap_or(0.0);
    let g = interface.initial_gap_mm();
    let low = (mu - 0.2).max(0.0);
    let mut out = vec![
        Variant::docking("as chosen", mu, k, g),
        Variant::docking("k_T × 0.1", mu, 0.1 * k, g),
        Variant::docking("k_T × 10", mu, 10.0 * k, g),
        Variant::docking(format!("μ = {low:.2}"), low, k, g),
        Variant::docking(format!("μ = {:.2}", mu + 0.2), mu + 0.2, k, g),
    ];
    // the measured elastic slip's two ends, unless the chosen k_T is one of them
    for delta in ELASTIC_SLIP_RANGE_MM {
        let kd = mu * REFERENCE_INTERFACE_PRESSURE_MPA / delta;
        if (kd - k).abs() > 1e-9 * kd {
            out.push(Variant::docking(
                format!("δ = {:.0} µm (k_T = μ·1 MPa/δ)", 1000.0 * delta),
                mu,
                kd,
                g,
            ));
        }
    }
    for gap in [0.0, 0.2, 0.5] {
        if (gap - g).abs() > 1e-12 {
            out.push(Variant::docking(format!("gap {gap} mm"), mu, k, gap));
        }
    }
    if interface.flange_frictional() {
        for (label, fm, fk) in [
            (format!("flange: μ = {FLANGE_LOW_MU}"), FLANGE_LOW_MU, k),
            ("flange: k_T × 0.1".to_string(), mu, 0.1 * k),
            (
                format!("flange: μ = {FLANGE_LOW_MU}, k_T × 0.1"),
                FLANGE_LOW_MU,
                0.1 * k,
            ),
        ] {
            out.push(Variant {
                label,
                pair: VariedPair::Flange,
                mu: fm,
                k: fk,
                gap: 0.0,
            });
        }
    }
    out
}

/// The implanted model of `setup` with only load case `case` and the varied pairs (the
/// docking pairs, or the flange's) at (μ, k_T) and the initial gap; the other pairs keep
/// the study's inputs, so each variant changes one input of one interface.
fn with_interface(model: &Model, case: usize, v: &Variant) -> Result<Model, BiomechError> {
    let mut m = with_single_case(model, case)?;
    for p in m
        .contact_pairs
        .iter_mut()
        .filter(|p| is_docking_pair(&p.name) == (v.pair == VariedPair::Docking))
    {
        p.interaction.friction = Some(Friction {
            mu: v.mu,
            stick_slope: (v.k > 0.0).then_some(v.k),
        });
        p.initial_gap = if v.gap > 0.0 {
            InitialGap::Clearance(v.gap)
        } else {
            InitialGap::Geometric
        };
    }
    Ok(m)
}

/// Re-run load case `case` of a frictional study with each interface variant; `None` for a
/// bonded study. `chosen`: the study's own micromotion of that case, when it has one; a
/// variant whose contact pairs are the study's own (the "as chosen" row) takes it instead of
/// solving the same analysis again.
pub fn interface_sensitivity(
    setup: &StudySetup,
    interface: &InterfaceModel,
    case: usize,
    chosen: Option<&Micromotion>,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<Option<InterfaceSensitivity>, BiomechError> {
    if setup.split.is_none() {
        return Ok(None);
    }
    let mut out = Vec::new();
    let has_flange_pair = setup
        .implanted_model
        .contact_pairs
        .iter()
        .any(|p| !is_docking_pair(&p.name));
    for v in variants(interface) {
        if v.pair == VariedPair::Flange && !has_flange_pair {
            continue;
        }
        let model = with_interface(&setup.implanted_model, case, &v)?;
        let run;
        let m = match chosen {
            Some(m) if model.contact_pairs == setup.implanted_model.contact_pairs => m,
            _ => {
                run = setup.with_contact_cache(|cache| {
                    solve_frictional_cached(&model, options, observer, cache)
                })?;
                run.micromotion.last().ok_or_else(|| {
                    BiomechError::construction("the interface variant returned no micromotion")
                })?
            }
        };
        let s = &m.all;
        out.push(InterfaceVariant {
            label: v.label,
            pair: v.pair,
            mu: v.mu,
            stick_stiffness_mpa_per_mm: v.k,
            initial_gap_mm: v.gap,
            p95_um: s.p95_um,
            max_um: s.max_um,
            stick_slip_open: [s.status.stick, s.status.slip, s.status.open],
        });
    }
    Ok(Some(InterfaceSensitivity { variants: out }))
}
