//! Implant migration: the rigid-body motion of the prosthesis relative to each bone fragment
//! at their docking face — the seed's "prosthesis–bone displacement < 2 mm", which is
//! measured on radiographs as motion of the implant against the host bone, not as motion of
//! either against the ankle.
//!
//! At each docking face the prosthesis' face nodes and the fragment's face nodes are each
//! fitted with a small rigid motion by least squares ([`RigidMotion::fit`], equal weights);
//! the migration is the prosthesis' motion relative to the fragment's
//! ([`RigidMotion::relative_to`]), taken at the centroid of the prosthesis face:
//! a translation vector (mm), its magnitude, the *subsidence* — its component along the
//! tibial axis towards the fragment, i.e. the prosthesis sinking into the bone (positive) —
//! and the rotation (degrees).
//!
//! **What it is and is not.** A linear or frictional analysis at one load gives the
//! *inducible* displacement of the prosthesis against the fragment under that load — the
//! elastic and slipping part, which RSA studies measure as inducible displacement — not
//! the permanent, time-dependent migration (creep, resorption, subsidence over months)
//! that radiographs and RSA follow; the seed's 2 mm limit is the latter, so the check
//! against it is a necessary condition, not a prediction of migration. The fit uses the
//! docking faces themselves, i.e. the local motion at the interface.
//!
//! With a bonded interface the two faces share their nodes, so the model assumes full
//! ingrowth: the study reports migration as not evaluated then, the way it reports
//! micromotion.

use serde::{Deserialize, Serialize};

use osteon_assembly::{RigidMotion, StepSolution};

use crate::builder::Reconstruction;
use crate::error::BiomechError;

/// The migration of the prosthesis relative to one fragment (module documentation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// The docking face ("proximal docking", "distal docking").
    pub interface: String,
    /// Translation of the prosthesis relative to the fragment at the face centroid (mm;
    /// x lateral, y anterior, z proximal).
    pub translation_mm: [f64; 3],
    /// |translation| (mm).
    pub magnitude_mm: f64,
    /// Axial translation towards the fragment, the prosthesis sinking into it (mm; negative:
    /// moving away, the gap opening).
    pub subsidence_mm: f64,
    /// Rotation of the prosthesis relative to the fragment (degrees), its magnitude.
    pub rotation_deg: f64,
    /// Rotation vector (degrees about x, y, z).
    pub rotation_vector_deg: [f64; 3],
    /// Face nodes fitted on each side.
    pub n_nodes: usize,
}

/// The docking faces: (interface name, node set, +1 when the fragment lies at +z of the
/// prosthesis (proximal), −1 when at −z (distal)).
const DOCKING: [(&str, &str, f64); 2] = [
    ("proximal docking", "PROXIMAL_DOCKING", 1.0),
    ("distal docking", "DISTAL_DOCKING", -1.0),
];

/// The migration at each docking face of `rec` in the solution `step`. `copies` maps bone
/// docking nodes to the prosthesis' own nodes (bone node, prosthesis copy) where the faces
/// were split for contact; a bone node without a copy is shared by both sides.
///
/// # Errors
/// [`BiomechError::Mesh`] when a docking node set is missing, and the fit's errors for an
/// empty or degenerate face.
pub fn implant_migration(
    rec: &Reconstruction,
    copies: &[(usize, usize)],
    step: &StepSolution,
) -> Result<Vec<Migration>, BiomechError> {
    let copy: std::collections::HashMap<usize, usize> = copies.iter().copied().collect();
    let mut out = Vec::new();
    for (name, set, towards) in DOCKING {
        let bone = rec.mesh.node_set(set)?;
        let implant: Vec<usize> = bone
            .iter()
            .map(|n| copy.get(n).copied().unwrap_or(*n))
            .collect();
        let fit = |nodes: &[usize]| {
            let x: Vec<[f64; 3]> = nodes.iter().map(|&n| rec.mesh.coords[n]).collect();
            let u: Vec<[f64; 3]> = nodes.iter().map(|&n| step.displacement[n]).collect();
            RigidMotion::fit(&x, &u, None)
        };
        let relative = fit(&implant)?.relative_to(&fit(bone)?);
        let t = relative.translation;
        out.push(Migration {
            interface: name.into(),
            translation_mm: t,
            magnitude_mm: (t[0] * t[0] + t[1] * t[1] + t[2] * t[2]).sqrt(),
            subsidence_mm: towards * t[2],
            rotation_deg: relative.rotation_degrees(),
            rotation_vector_deg: relative.rotation.map(f64::to_degrees),
            n_nodes: bone.len(),
        });
    }
    Ok(out)
}
