//! sprintlab: a physics simulation and optimisation engine for sprint biomechanics.
//!
//! A 3D multibody sprinter on rapier (f64) whose pushing leg, swing leg, arms and torso are driven by joint
//! torque generators with per-group strengths; ground push is read from the contact forces.
#![warn(missing_docs)]
// Range checks are written `!(x > lo)` on purpose: NaN must fail them.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod cli;
pub mod control;
pub mod error;
pub mod export;
pub mod figures;
pub mod io;
pub mod layers;
pub mod measure;
pub mod model;
pub mod optim;
pub mod scenario;
pub mod sim;
pub mod study;
pub mod sweep;

pub use error::Error;
