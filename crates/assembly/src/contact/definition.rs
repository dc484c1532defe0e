//! Contact as model data: pairs with their surface interaction (normal behaviour and
//! friction), and the increment control a load case carries for nonlinear (contact) steps.
//! The contact solver (osteon-contact) reads them from the [`Model`](crate::Model); the deck
//! reader fills them in without depending on that solver.
//!
//! The types map one to one onto the Abaqus/CalculiX keywords:
//!
//! | keyword | type |
//! |---|---|
//! | `*CONTACT PAIR, INTERACTION=I, TYPE=NODE TO SURFACE` + `slave, master` | [`ContactPair`] |
//! | `*SURFACE INTERACTION, NAME=I` | [`SurfaceInteraction`] |
//! | `*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD` | [`NormalBehaviour::Hard`] |
//! | `*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR` + `K` | [`NormalBehaviour::Linear`] |
//! | `*FRICTION` + `μ, λ` (λ: stick slope) | [`Friction`] |
//! | `*CONTACT PAIR, ..., ADJUST=a` | [`InitialGap::Adjust`] |
//! | `*CLEARANCE, VALUE=c` (Abaqus) | [`InitialGap::Clearance`] |
//! | `*STEP` / `*STATIC` + `Δt₀, T, Δt_min, Δt_max` | [`LoadCase::increments`](crate::LoadCase::increments), [`IncrementControl::from_static`] |

use osteon_mesh::FaceRef;

/// Normal contact law: the pressure p (MPa) as a function of the normal gap g_N (mm; negative
/// is penetration, "overclosure" = −g_N).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormalBehaviour {
    /// Hard contact (no penetration, no tension), enforced by a penalty
    /// k_N = `penalty_factor` × k_ref, k_ref = min over the two sides of M/h (M: P-wave
    /// modulus (D₁₁+D₂₂+D₃₃)/3 of the element behind the face, MPa; h: its thickness normal to
    /// the face, mm), together with augmented-Lagrangian (Uzawa) updates of the contact
    /// pressure until the largest penetration is below `penetration_tolerance` (mm).
    /// `None`: 10⁻³ × the mean slave element thickness. With a penalty factor of 10 each update
    /// reduces the penetration about tenfold.
    Hard {
        /// Multiplier of the element stiffness scale (dimensionless, > 0; 10 is a good default).
        penalty_factor: f64,
        /// Largest penetration accepted at convergence (mm).
        penetration_tolerance: Option<f64>,
    },
    /// Linear pressure–overclosure p = K ⟨−g_N⟩ (CalculiX `PRESSURE-OVERCLOSURE=LINEAR`),
    /// without augmentation: the penetration is part of the model (soft contact).
    Linear {
        /// Slope K (MPa/mm = N/mm³), > 0.
        stiffness: f64,
    },
}

impl NormalBehaviour {
    /// From `*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=<kind>` and its data line: `HARD`
    /// (data ignored; penalty factor 10, default tolerance) or `LINEAR` (slope K first; the
    /// CalculiX σ∞ and c₀ that follow are not used). `None` for other kinds.
    pub fn from_keyword(kind: &str, data: &[f64]) -> Option<Self> {
        match kind.trim().to_ascii_uppercase().as_str() {
            "HARD" => Some(Self::default()),
            "LINEAR" => data
                .first()
                .map(|&stiffness| NormalBehaviour::Linear { stiffness }),
            _ => None,
        }
    }
}

impl Default for NormalBehaviour {
    fn default() -> Self {
        NormalBehaviour::Hard {
            penalty_factor: 10.0,
            penetration_tolerance: None,
        }
    }
}

/// Coulomb friction |t_T| ≤ μ p with an elastic stick range (tangential penalty):
/// while sticking, t_T = k_T (g_T − s) with s the accumulated irreversible slip.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Friction {
    /// Friction coefficient μ (≥ 0; 0 = frictionless).
    pub mu: f64,
    /// Stick slope k_T (MPa/mm = N/mm³), CalculiX's λ on the `*FRICTION` line. `None`: equal to
    /// the normal penalty stiffness of the node. The elastic slip before sliding is μ p / k_T.
    pub stick_slope: Option<f64>,
}

impl Friction {
    /// Coulomb friction with coefficient `mu` and the default stick slope.
    pub fn coulomb(mu: f64) -> Self {
        Self {
            mu,
            stick_slope: None,
        }
    }

    /// From the `*FRICTION` data line `μ[, λ]` (λ: stick slope, MPa/mm). `None` when empty.
    pub fn from_keyword(data: &[f64]) -> Option<Self> {
        let mu = *data.first()?;
        Some(Self {
            mu,
            stick_slope: data.get(1).copied().filter(|&k| k > 0.0),
        })
    }
}

/// The mechanical interaction of a contact pair (`*SURFACE INTERACTION`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SurfaceInteraction {
    /// Normal behaviour (`*SURFACE BEHAVIOR`).
    pub normal: NormalBehaviour,
    /// Friction (`*FRICTION`); `None` is frictionless.
    pub friction: Option<Friction>,
}

/// How the initial normal gap g₀ of each slave node is taken.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum InitialGap {
    /// From the geometry: g₀ = (x_s − x_m)·n. Overlapping meshes give an interference
    /// (g₀ < 0) that is resolved over the first step (see the contact solver's `ContactOptions::ramp_interference`).
    #[default]
    Geometric,
    /// Slave nodes with |g₀| ≤ `tolerance` (mm) start exactly touching (g₀ = 0), without
    /// stress — CalculiX/Abaqus `ADJUST`. Others keep their geometric gap.
    Adjust {
        /// Gap (mm) below which a node is moved onto the master surface.
        tolerance: f64,
    },
    /// Every paired slave node starts with the gap `value` (mm) whatever the geometry:
    /// a negative value is an interference fit of −value (press fit on matching meshes).
    Clearance(f64),
}

/// One node-to-surface contact pair (`*CONTACT PAIR, TYPE=NODE TO SURFACE`): the nodes of
/// the slave faces are kept out of the master faces.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactPair {
    /// Name for logs and results.
    pub name: String,
    /// Slave surface (element faces; their nodes are the contact points and the faces give
    /// each node its tributary area). For a node-based slave surface, the exterior faces
    /// that touch its nodes (see `slave_nodes`).
    pub slave_faces: Vec<FaceRef>,
    /// A node-based slave surface (`*SURFACE, TYPE=NODE`): only these nodes (indices) are
    /// contact points, each with its share of the area of every face of `slave_faces` it
    /// belongs to — as CalculiX takes the area of a nodal slave surface from the exterior
    /// faces around each node. `None`: every node of `slave_faces` is a contact point.
    pub slave_nodes: Option<Vec<usize>>,
    /// Master surface (element faces of the other body).
    pub master_faces: Vec<FaceRef>,
    /// Normal behaviour and friction.
    pub interaction: SurfaceInteraction,
    /// Initial gap treatment.
    pub initial_gap: InitialGap,
    /// Slave nodes farther than this from the master surface (mm) are not paired.
    /// `None`: the mean slave element thickness.
    pub search_distance: Option<f64>,
}

impl ContactPair {
    /// A pair with hard contact, the given friction coefficient, geometric gaps and the
    /// default search distance.
    pub fn new(
        name: impl Into<String>,
        slave_faces: Vec<FaceRef>,
        master_faces: Vec<FaceRef>,
        mu: f64,
    ) -> Self {
        Self {
            name: name.into(),
            slave_faces,
            slave_nodes: None,
            master_faces,
            interaction: SurfaceInteraction {
                normal: NormalBehaviour::default(),
                friction: Some(Friction::coulomb(mu)),
            },
            initial_gap: InitialGap::Geometric,
            search_distance: None,
        }
    }
}

/// Increment control of a step, as fractions of the step (`*STATIC` data line
/// `Δt₀, T, Δt_min, Δt_max` divided by the step period T).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IncrementControl {
    /// First increment (fraction of the step, 0 < initial ≤ 1).
    pub initial: f64,
    /// Smallest increment before giving up (fraction of the step).
    pub minimum: f64,
    /// Largest increment (fraction of the step).
    pub maximum: f64,
}

impl Default for IncrementControl {
    /// The whole step in one increment, cut down to 10⁻⁵ of it when needed.
    fn default() -> Self {
        Self {
            initial: 1.0,
            minimum: 1e-5,
            maximum: 1.0,
        }
    }
}

impl IncrementControl {
    /// `n` equal increments (the size may still be cut on divergence).
    pub fn fixed(n: usize) -> Self {
        let f = 1.0 / n.max(1) as f64;
        Self {
            initial: f,
            minimum: f.min(1e-5),
            maximum: f,
        }
    }

    /// From a `*STATIC` data line (Δt₀, T, Δt_min, Δt_max); missing entries (≤ 0) take the
    /// defaults (Δt₀ = T, Δt_min = 10⁻⁵ T, Δt_max = T).
    pub fn from_static(initial: f64, period: f64, minimum: f64, maximum: f64) -> Self {
        let period = if period > 0.0 { period } else { 1.0 };
        let frac = |v: f64, default: f64| {
            if v > 0.0 && v.is_finite() {
                (v / period).min(1.0)
            } else {
                default
            }
        };
        let initial = frac(initial, 1.0);
        Self {
            initial,
            minimum: frac(minimum, 1e-5).min(initial),
            maximum: frac(maximum, 1.0).max(initial),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_map_to_laws() {
        assert_eq!(
            NormalBehaviour::from_keyword("linear", &[1e5, 1e-3]),
            Some(NormalBehaviour::Linear { stiffness: 1e5 })
        );
        assert_eq!(
            NormalBehaviour::from_keyword("HARD", &[]),
            Some(NormalBehaviour::default())
        );
        assert_eq!(NormalBehaviour::from_keyword("tabular", &[]), None);
        assert_eq!(
            Friction::from_keyword(&[0.4, 2e4]),
            Some(Friction {
                mu: 0.4,
                stick_slope: Some(2e4)
            })
        );
        assert_eq!(Friction::from_keyword(&[0.4]), Some(Friction::coulomb(0.4)));
    }

    #[test]
    fn static_line_maps_to_fractions() {
        let c = IncrementControl::from_static(0.1, 2.0, 0.0, 0.5);
        assert!((c.initial - 0.05).abs() < 1e-15 && (c.maximum - 0.25).abs() < 1e-15);
        assert!(c.minimum <= c.initial);
        let d = IncrementControl::from_static(0.0, 0.0, 0.0, 0.0);
        assert_eq!(d, IncrementControl::default());
        let f = IncrementControl::fixed(4);
        assert!((f.initial - 0.25).abs() < 1e-15 && f.maximum == f.initial);
    }
}
