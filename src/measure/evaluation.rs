//! The evaluation of a scenario: one rollout turned into measures and a cost (`[objective]` weights), used by
//! `simulate`, `optimize`, sweeps and studies.
//!
//! The rollout stops the moment balance is lost; the lost fraction of the run is charged with the `balance`
//! weight, so failures are cheap to evaluate and still ranked by how long they lasted.

use serde::{Deserialize, Serialize};

use super::{steps, BalanceChecker, BalanceLimits, BalanceLoss, Effort, PushMeter, Stance, StepRecorder, StepRow};
use crate::scenario::{ControllerKind, Loaded};
use crate::sim::rollout::{self, Flow, RunSummary, Trajectory};

/// Measures and cost of one rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The cost (lower is better); +∞ when the rollout diverged.
    pub cost: f64,
    /// Simulated time before the run ended (s).
    pub survived: f64,
    /// The balance loss that ended the run, if any.
    pub balance_lost: Option<BalanceLoss>,
    /// Stances, in touchdown order.
    pub stances: Vec<Stance>,
    /// Mean propulsive impulse per stance (N·s).
    pub mean_propulsive_impulse: f64,
    /// Mean net horizontal impulse per stance (N·s).
    pub mean_net_horizontal_impulse: f64,
    /// Mean stance-averaged vertical force (BW).
    pub mean_stance_vertical_force_bw: f64,
    /// Forward COM speed gained over the run (m/s).
    pub speed_gained: f64,
    /// Mean forward COM speed over the survived part of the run (m/s).
    pub mean_speed: f64,
    /// Stride metrics per step (filled for output rollouts only; see `steps.csv`).
    #[serde(skip)]
    pub steps: Vec<StepRow>,
    /// Means of the stride metrics over the steady steps (from the fifth step on, `steps::STEADY_FROM`), by `steps.csv` column.
    pub steady_step_means: std::collections::BTreeMap<String, f64>,
    /// Forward COM speed at the end of the survived run (m/s).
    pub final_speed: f64,
    /// COM height at the end of the survived run minus at the start (m).
    pub height_change: f64,
    /// Left/right step-time asymmetry over the steps from the third on: |mean right − mean left| / their mean
    /// (0 when there are not at least one complete step of each side).
    pub step_asymmetry: f64,
    /// RMS deviation of the trunk pitch from the objective's `trunk_pitch` over the survived run (rad).
    pub trunk_pitch_rms: f64,
    /// Effort: ∫Σa² dt / duration over activations (excitation-driven), or ∫Σ(τ/τ_max)² dt / duration.
    pub effort: f64,
    /// How close the run came to each balance limit (docs/design.md §1).
    #[serde(default)]
    pub balance_usage: BalanceUsage,
}

/// The largest fraction of each balance limit used over the survived run (dimensionless): 1 = at the limit
/// (balance lost there), 0 = never moved towards it. Pelvis: drop below the start height / allowed drop; trunk:
/// |angle| / its limit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BalanceUsage {
    /// Pelvis drop (z₀ − z) / (z₀ − z_min).
    pub pelvis_drop: f64,
    /// |Trunk pitch| / max_trunk_pitch.
    pub trunk_pitch: f64,
    /// |Trunk roll| / max_trunk_roll.
    pub trunk_roll: f64,
    /// |Trunk yaw| / max_trunk_yaw.
    pub trunk_yaw: f64,
}

impl BalanceUsage {
    /// Names and values, in column order.
    pub fn fields(&self) -> [(&'static str, f64); 4] {
        [
            ("pelvis_drop", self.pelvis_drop),
            ("trunk_pitch", self.trunk_pitch),
            ("trunk_roll", self.trunk_roll),
            ("trunk_yaw", self.trunk_yaw),
        ]
    }
}

/// Runs the scenario once and measures it; samples every `sample_steps` steps into a trajectory.
pub fn rollout(loaded: &Loaded, sample_steps: u64) -> (Trajectory, RunSummary, Evaluation) {
    let sim = loaded.simulator();
    let state = loaded.initial_state(&sim);
    let mut ctrl = loaded.controller();
    let model = sim.model.clone();
    let dt = sim.world.dt;
    let limits = BalanceLimits::default();
    let checker = BalanceChecker::new(&model);
    let z0 = crate::measure::pelvis_height(&sim, &state);
    let m0 = sim.measures(&state);
    let vx0 = m0.momentum[0] / model.mass;
    let x0 = m0.com[0];
    let mut x_end = x0;
    let torque_driven = loaded.scenario.controller.kind == ControllerKind::ConstantTorque;
    let t_max: Vec<f64> = model
        .dofs
        .iter()
        .map(|d| d.generators[0].t_max.max(d.generators[1].t_max))
        .collect();
    let mut push = PushMeter::new(&model);
    // Stride metrics cost a pass over the links per step: only for rollouts that are written out.
    let mut recorder = (sample_steps != u64::MAX).then(|| StepRecorder::new(&model));
    let mut effort = Effort::new();
    let mut lost = None;
    let mut vx_end = vx0;
    let mut z_end = m0.com[2];
    let pitch_target = loaded.scenario.objective.trunk_pitch;
    let (mut pitch_sq, mut pitch_n) = (0.0, 0u64);
    let mut usage = BalanceUsage::default();
    let (traj, summary) = rollout::run_with(
        &sim,
        state,
        ctrl.as_mut(),
        loaded.scenario.run.duration,
        sample_steps,
        &mut |s, r| {
            push.feed(s.t, dt, r);
            if let Some(rec) = recorder.as_mut() {
                rec.feed(&sim, s, r);
            }
            if torque_driven {
                effort.add_torque(&r.torque, &t_max, dt);
            } else {
                effort.add(&s.activation, dt);
            }
            let seen = checker.observe(&sim, s, &limits, z0);
            lost = seen.loss;
            let (angles, zp) = (seen.trunk, seen.pelvis_z);
            let pitch = angles.pitch;
            let u = &mut usage;
            u.pelvis_drop = u.pelvis_drop.max((z0 - zp) / (z0 - limits.min_pelvis_height(z0)));
            u.trunk_pitch = u.trunk_pitch.max(angles.pitch.abs() / limits.max_trunk_pitch);
            u.trunk_roll = u.trunk_roll.max(angles.roll.abs() / limits.max_trunk_roll);
            u.trunk_yaw = u.trunk_yaw.max(angles.yaw.abs() / limits.max_trunk_yaw);
            pitch_sq += (pitch - pitch_target).powi(2);
            pitch_n += 1;
            let last = s.t + 0.5 * dt >= loaded.scenario.run.duration;
            if lost.is_some() || last {
                // Whole-body measures only where they are used: the end of the rollout.
                let m = sim.measures(s);
                vx_end = m.momentum[0] / model.mass;
                x_end = m.com[0];
                z_end = m.com[2];
            }
            if lost.is_some() {
                Flow::Stop
            } else {
                Flow::Continue
            }
        },
    );
    let stances = push.stances();
    let mean = |f: &dyn Fn(&Stance) -> f64| {
        if stances.is_empty() {
            0.0
        } else {
            stances.iter().map(f).sum::<f64>() / stances.len() as f64
        }
    };
    let mean_braking = mean(&|s| s.braking_impulse);
    let step_rows = recorder.map(|r| r.rows(&model, &stances)).unwrap_or_default();
    let steady_step_means = steps::steady_means(&step_rows).into_iter().collect();
    let duration = loaded.scenario.run.duration;
    let o = &loaded.scenario.objective;
    let mut e = Evaluation {
        cost: 0.0,
        survived: summary.t_end,
        balance_lost: lost,
        mean_propulsive_impulse: mean(&|s| s.propulsive_impulse),
        mean_net_horizontal_impulse: mean(&|s| s.net_horizontal_impulse),
        mean_stance_vertical_force_bw: mean(&|s| s.mean_vertical_force_bw),
        speed_gained: vx_end - vx0,
        mean_speed: if summary.t_end > 0.0 {
            (x_end - x0) / summary.t_end
        } else {
            0.0
        },
        final_speed: vx_end,
        height_change: z_end - m0.com[2],
        trunk_pitch_rms: (pitch_sq / pitch_n.max(1) as f64).sqrt(),
        step_asymmetry: step_asymmetry(&stances),
        effort: effort.value(),
        balance_usage: usage,
        stances,
        steps: step_rows,
        steady_step_means,
    };
    e.cost = if summary.outcome == rollout::Outcome::Diverged {
        f64::INFINITY
    } else {
        o.propulsive_impulse * e.mean_propulsive_impulse
            + o.net_horizontal_impulse * e.mean_net_horizontal_impulse
            + o.stance_vertical_force * e.mean_stance_vertical_force_bw
            + o.speed_gained * e.speed_gained
            + o.effort * e.effort
            + o.speed_error * (e.mean_speed - o.target_speed).abs()
            + o.final_speed_error * (e.final_speed - o.target_speed).abs()
            + o.height_loss * (-e.height_change).max(0.0)
            + o.trunk_pitch_error * e.trunk_pitch_rms
            + o.step_asymmetry * e.step_asymmetry
            + o.balance * (1.0 - (e.survived / duration).min(1.0))
            + o.braking_impulse * -mean_braking
    };
    (traj, summary, e)
}

/// |mean step time after foot 0's touchdowns − after foot 1's| / their mean, over steps from
/// [`steps::STEADY_FROM`] on; 0 without a complete step of each foot.
fn step_asymmetry(stances: &[Stance]) -> f64 {
    let mut sums = [(0.0, 0u32); 2];
    for w in stances.windows(2).skip(steps::STEADY_FROM) {
        if w[0].foot < 2 {
            let s = &mut sums[w[0].foot];
            s.0 += w[1].touchdown - w[0].touchdown;
            s.1 += 1;
        }
    }
    if sums[0].1 == 0 || sums[1].1 == 0 {
        return 0.0;
    }
    let (a, b) = (sums[0].0 / sums[0].1 as f64, sums[1].0 / sums[1].1 as f64);
    (a - b).abs() / (0.5 * (a + b))
}

/// Runs the scenario once and returns its measures and cost (no trajectory kept).
pub fn evaluate(loaded: &Loaded) -> Evaluation {
    rollout(loaded, u64::MAX).2
}
