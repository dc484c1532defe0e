//! Contact in the model and in the results: what the user describes ([`ContactPair`] with its
//! [`SurfaceInteraction`], [`IncrementControl`] of a load case) and what a contact analysis
//! leaves at the end of each step ([`ContactState`], [`Micromotion`]). The contact solver
//! itself is the osteon-contact crate; everything here is plain data that readers, writers
//! and reports share with it.

mod definition;
mod micromotion;
mod state;

pub use definition::{
    ContactPair, Friction, IncrementControl, InitialGap, NormalBehaviour, SurfaceInteraction,
};
pub use micromotion::{
    BAND_EDGES_UM, Micromotion, MicromotionBands, MotionHistogram, MotionStatistics, NodeMotion,
    Sampling, StatusFractions, node_motions,
};
pub use state::{ContactFields, ContactState, ContactStatus, IncrementLog, NodeResult, PairResult};
