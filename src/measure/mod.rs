//! Measures of a rollout, fed step by step: ground push per stance ([`push`]), balance ([`balance`]) and
//! control effort ([`Effort`]).
//!
//! Definitions follow DESIGN §1: ground push is what each stance foot expresses into the ground, read from the
//! per-foot contact forces of [`crate::sim::StepReport`] (propulsive, braking, net horizontal and vertical
//! impulse, stance-averaged and peak vertical force in body weights, contact time); "balance lost" is the first
//! state outside the [`BalanceLimits`]. All sums run in step order, so the measures are deterministic.
//!
//! Typical use in a rollout:
//!
//! ```ignore
//! let checker = BalanceChecker::new(&sim.model);
//! let z0 = pelvis_height(&sim, &state);
//! let mut push = PushMeter::new(&sim.model);
//! loop {
//!     let r = sim.step(&mut state, &mut ws, ctrl);
//!     push.feed(r.t, sim.world.dt, &r);
//!     if let Some(loss) = checker.check(&sim, &state, &limits, z0) { break; }
//! }
//! ```

pub mod balance;
pub mod evaluation;
pub mod push;
pub mod stats;
pub mod steps;

use serde::{Deserialize, Serialize};

pub use balance::{
    pelvis_height, trunk_angles, trunk_segment, BalanceChecker, BalanceLimits, BalanceLoss, BalanceReason, Observation,
    TrunkAngles,
};
pub use evaluation::{evaluate, rollout, BalanceUsage, Evaluation};
pub use push::{PushMeter, PushTotals, Stance, StanceThresholds};
pub use steps::{StepRecorder, StepRow};

/// Control effort: the time average of the summed squared excitations, `∫ Σ e² dt / duration`.
///
/// For excitation controllers each DOF has two muscle groups, so a run at full excitation of every group scores
/// 2 × (number of DOFs). Torque-driven runs can use the normalised torques instead, `∫ Σ (τ/τ_max)² dt /
/// duration` ([`Effort::add_torque`]). Either way the value is dimensionless; mixing both in one `Effort` is
/// allowed but rarely meaningful.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Effort {
    /// ∫ Σ e² dt so far (s).
    integral: f64,
    /// Time accumulated (s).
    duration: f64,
}

impl Effort {
    /// Zero effort over zero time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one step of excitations `[positive group, negative group]` per DOF, held for `dt` (s). Each is
    /// clamped to [0, 1], as the simulator applies it.
    pub fn add(&mut self, excitation: &[[f64; 2]], dt: f64) {
        let mut s = 0.0;
        for e in excitation {
            for &u in e {
                let u = u.clamp(0.0, 1.0);
                s += u * u;
            }
        }
        self.integral += s * dt;
        self.duration += dt;
    }

    /// Adds one step of joint torques (N·m) normalised by their limits (N·m, per DOF), held for `dt` (s). A DOF
    /// whose limit is not > 0 contributes nothing.
    pub fn add_torque(&mut self, torque: &[f64], limits: &[f64], dt: f64) {
        let mut s = 0.0;
        for (&t, &m) in torque.iter().zip(limits) {
            if m > 0.0 {
                let r = t / m;
                s += r * r;
            }
        }
        self.integral += s * dt;
        self.duration += dt;
    }

    /// The accumulated integral ∫ Σ e² dt (s).
    pub fn integral(&self) -> f64 {
        self.integral
    }

    /// The accumulated duration (s).
    pub fn duration(&self) -> f64 {
        self.duration
    }

    /// The effort: integral / duration (dimensionless); 0 before any step.
    pub fn value(&self) -> f64 {
        if self.duration > 0.0 {
            self.integral / self.duration
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effort_is_the_time_average_of_summed_squares() {
        let mut e = Effort::new();
        assert_eq!(e.value(), 0.0);
        e.add(&[[1.0, 0.0], [0.5, 0.5]], 0.001);
        e.add(&[[0.0, 0.0], [2.0, -1.0]], 0.003); // clamped to [1, 0]
        assert!((e.integral() - (1.5 * 0.001 + 1.0 * 0.003)).abs() < 1e-15);
        assert!((e.value() - (1.5 * 0.001 + 0.003) / 0.004).abs() < 1e-12);
        let mut t = Effort::new();
        t.add_torque(&[50.0, -20.0, 7.0], &[100.0, 40.0, 0.0], 0.002);
        assert!((t.value() - 0.5).abs() < 1e-12);
    }
}
