//! Controllers: what drives the joints each step.
//!
//! A controller either commands joint torques directly ([`Actuation::Torque`], bypassing the generators: for
//! verification) or muscle-group excitations in [0, 1] ([`Actuation::Excitation`]) that go through activation
//! dynamics and the torque generators, so the delivered torque never exceeds what strength allows.

mod bursts;
mod constant;
mod hold;
mod sprint;

pub use bursts::{Burst, Bursts};
pub use constant::ConstantTorque;
pub use hold::HoldPosture;
pub use sprint::{Sprint, SprintParams};

use crate::model::Model;

/// What the controller sees at the start of a step.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// Time (s).
    pub t: f64,
    /// Joint angles in model DOF order (rad).
    pub q: &'a [f64],
    /// Joint angular velocities (rad/s).
    pub qd: &'a [f64],
    /// Current activations `[positive group, negative group]` per DOF.
    pub activation: &'a [[f64; 2]],
    /// Whole-body state, when the controller asks for it ([`Controller::needs_body`]).
    pub body: Option<&'a BodyState>,
}

/// Whole-body quantities a balance controller reads (world frame: x forward, y left, z up).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyState {
    /// Pelvis (root segment) orientation, quaternion (w, x, y, z), segment to world.
    pub pelvis_rot: [f64; 4],
    /// Pelvis angular velocity (rad/s).
    pub pelvis_angvel: [f64; 3],
    /// Trunk (segment `torso`, else the root) orientation (w, x, y, z).
    pub trunk_rot: [f64; 4],
    /// Trunk angular velocity (rad/s).
    pub trunk_angvel: [f64; 3],
    /// Whole-body COM (m).
    pub com: [f64; 3],
    /// Whole-body COM velocity (m/s).
    pub com_vel: [f64; 3],
    /// Foot segment origins (ankle joint centres), in `Model::feet` order (m).
    pub feet: Vec<[f64; 3]>,
    /// Ground reaction force on each foot during the previous step (N).
    pub grf: Vec<[f64; 3]>,
    /// Leg geometry of each foot (same order as `feet`), for feet whose parent is a shank whose parent is a thigh.
    pub legs: Vec<Option<LegPose>>,
}

/// World poses along one leg: joint centres (m) and the shank and foot orientations (w, x, y, z), segment to world.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LegPose {
    /// Hip joint centre (thigh origin).
    pub hip: [f64; 3],
    /// Knee joint centre (shank origin).
    pub knee: [f64; 3],
    /// Ankle joint centre (foot origin).
    pub ankle: [f64; 3],
    /// Shank orientation.
    pub shank_rot: [f64; 4],
    /// Foot orientation.
    pub foot_rot: [f64; 4],
}

/// How the joints are driven this step.
#[derive(Debug, Clone, PartialEq)]
pub enum Actuation {
    /// Joint torques (N·m) per DOF, applied directly.
    Torque(Vec<f64>),
    /// Excitations `[positive group, negative group]` per DOF, each in [0, 1].
    Excitation(Vec<[f64; 2]>),
}

/// A controller. It is `Send` so rollouts can run on rayon workers; state lives in the controller itself.
pub trait Controller: Send {
    /// Writes this step's actuation into `out` (which has the right variant and length from the last call, or
    /// is freshly made by [`Controller::initial_actuation`]).
    fn actuate(&mut self, model: &Model, obs: &Observation<'_>, out: &mut Actuation);

    /// The actuation buffer this controller fills.
    fn initial_actuation(&self, model: &Model) -> Actuation;

    /// Whether [`Observation::body`] must be filled (costs a pass over the links each step).
    fn needs_body(&self) -> bool {
        false
    }

    /// The excitation in [0, 1] of muscle–tendon unit `unit` (index in [`Model::units`]) this step, called after
    /// [`Controller::actuate`] with `group`, the excitation of the group that drives the unit
    /// ([`crate::model::units::Unit::drive`]). Default: `group`, so a two-joint unit works with its primary group
    /// (the hamstrings with the hip extensors). A controller that drives a unit on its own (the hamstrings
    /// quieter in stance than the other hip extensors) overrides it.
    fn unit_excitation(&self, _model: &Model, _unit: usize, group: f64) -> f64 {
        group
    }
}
