//! sprintlab: a physics simulation and optimisation engine for sprint biomechanics.
//!
//! A 3D multibody sprinter on rapier (f64) whose pushing leg, swing leg, arms and torso are driven by joint
//! torque generators with per-group strengths; ground push is read from the contact forces.
#![warn(missing_docs)]

pub mod app;
pub mod cli;
pub mod control;
pub mod error;
pub mod export;
pub mod model;
pub mod scenario;
pub mod sim;

pub use error::Error;
