//! `hold-posture`: PD on target joint angles, delivered through the torque generators (so it saturates).

use super::{Actuation, Controller, Observation};
use crate::model::Model;

/// PD towards target angles. The desired torque `kp·(θ* − θ) − kd·ω` is turned into the excitation of the
/// group that can produce it, `e = τ / capacity(θ, ω)` clipped to [0, 1]; activation dynamics and the
/// generator then deliver at most what strength allows.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldPosture {
    /// Target angle per DOF (rad).
    pub target: Vec<f64>,
    /// Stiffness per DOF (N·m/rad).
    pub kp: Vec<f64>,
    /// Damping per DOF (N·m·s/rad).
    pub kd: Vec<f64>,
}

impl Controller for HoldPosture {
    fn actuate(&mut self, model: &Model, obs: &Observation<'_>, out: &mut Actuation) {
        let Actuation::Excitation(e) = out else {
            *out = self.initial_actuation(model);
            return self.actuate(model, obs, out);
        };
        for (i, d) in model.dofs.iter().enumerate() {
            let tau = self.kp[i] * (self.target[i] - obs.q[i]) - self.kd[i] * obs.qd[i];
            let (k, sign) = if tau >= 0.0 { (0, 1.0) } else { (1, -1.0) };
            let (cap, _) = d.generators[k].capacity(obs.q[i], obs.qd[i], sign);
            let ex = if cap > 1e-9 { (tau.abs() / cap).min(1.0) } else { 1.0 };
            e[i][k] = ex;
            e[i][1 - k] = 0.0;
        }
    }

    fn initial_actuation(&self, model: &Model) -> Actuation {
        Actuation::Excitation(vec![[0.0; 2]; model.dofs.len()])
    }
}
