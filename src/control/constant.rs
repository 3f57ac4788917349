//! `constant-torque`: fixed joint torques, bypassing the torque generators (verification runs).

use super::{Actuation, Controller, Observation};
use crate::model::Model;

/// Applies the same torque (N·m) to each DOF every step; DOFs not listed get 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantTorque {
    /// Torque per DOF in model order (N·m).
    pub torques: Vec<f64>,
}

impl Controller for ConstantTorque {
    fn actuate(&mut self, _model: &Model, _obs: &Observation<'_>, out: &mut Actuation) {
        if let Actuation::Torque(t) = out {
            t.copy_from_slice(&self.torques);
        } else {
            *out = Actuation::Torque(self.torques.clone());
        }
    }

    fn initial_actuation(&self, model: &Model) -> Actuation {
        Actuation::Torque(vec![0.0; model.dofs.len()])
    }
}
