//! `bursts`: feed-forward rectangular excitation bursts on chosen muscle groups; every other group receives
//! no excitation (its joint is passive: limits and damping only). The stance-push task uses it.

use super::{Actuation, Controller, Observation};
use crate::model::Model;

/// One burst: excitation `amplitude` on one group of one DOF from `onset` for `duration` (s, since t = 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    /// DOF index.
    pub dof: usize,
    /// 0 = the DOF's positive-direction group, 1 = its negative-direction group.
    pub group: usize,
    /// Start time (s).
    pub onset: f64,
    /// Duration (s).
    pub duration: f64,
    /// Excitation in [0, 1].
    pub amplitude: f64,
}

/// Sum of bursts, clipped to [0, 1] per group.
#[derive(Debug, Clone, PartialEq)]
pub struct Bursts {
    /// The bursts.
    pub bursts: Vec<Burst>,
}

impl Controller for Bursts {
    fn actuate(&mut self, model: &Model, obs: &Observation<'_>, out: &mut Actuation) {
        let Actuation::Excitation(e) = out else {
            *out = self.initial_actuation(model);
            return self.actuate(model, obs, out);
        };
        e.iter_mut().for_each(|x| *x = [0.0; 2]);
        for b in &self.bursts {
            if obs.t >= b.onset && obs.t < b.onset + b.duration {
                let x = &mut e[b.dof][b.group];
                *x = (*x + b.amplitude).clamp(0.0, 1.0);
            }
        }
    }

    fn initial_actuation(&self, model: &Model) -> Actuation {
        Actuation::Excitation(vec![[0.0; 2]; model.dofs.len()])
    }
}
