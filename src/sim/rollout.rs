//! A rollout: steps from an initial state, sampled into a trajectory table, plus whole-run measures.
//!
//! A rollout that diverges is a result, not an error: it stops at the first non-finite state and says when.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{Simulator, State, StepReport, Workspace};
use crate::control::Controller;

/// Sampled trajectory: one row per sample, columns named as in `timeseries.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of values (SI units).
    pub rows: Vec<Vec<f64>>,
}

impl Trajectory {
    /// Index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// How a rollout ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Ran for the whole duration.
    Completed,
    /// The state became non-finite; the rollout stopped there.
    Diverged,
    /// A hook stopped it early (e.g. balance lost).
    Stopped,
}

/// Whole-run measures written to `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// How the rollout ended.
    pub outcome: Outcome,
    /// Simulated time reached (s).
    pub t_end: f64,
    /// Steps taken.
    pub steps: u64,
    /// Body mass (kg).
    pub body_mass_kg: f64,
    /// Body weight (N).
    pub body_weight_n: f64,
    /// Largest total vertical GRF of any single step (body weights).
    pub peak_vertical_grf_bw: f64,
    /// Mean total vertical GRF over the last 0.5 s (or the whole run if shorter) (body weights).
    pub mean_vertical_grf_last_0_5s_bw: f64,
    /// Whole-body COM at the end (m).
    pub com_end: [f64; 3],
    /// Wall time of the rollout (s); not part of any reproducibility comparison.
    pub wall_seconds: f64,
}

/// Column names of the trajectory for a simulator's model (the registry of [`super::columns`]).
pub fn columns(sim: &Simulator) -> Vec<String> {
    super::columns::names(&sim.model)
}

/// One row of the trajectory: the state after a step (or the initial state) and that step's report.
fn sample(sim: &Simulator, state: &State, report: &StepReport, width: usize) -> Vec<f64> {
    let n = sim.model.dofs.len();
    let (mut q, mut qd) = (vec![0.0; n], vec![0.0; n]);
    sim.joint_state(state, &mut q, &mut qd);
    let row = super::columns::values(
        &super::columns::Sample {
            sim,
            state,
            report,
            q: &q,
            qd: &qd,
        },
        width,
    );
    debug_assert_eq!(row.len(), width, "a column family writes as many values as it names");
    row
}

/// What a per-step hook tells the rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// Stop here (e.g. balance lost): the rollout ends early, as a result.
    Stop,
}

/// Runs `duration` seconds from `state`, sampling every `sample_steps` steps (and at t = 0).
pub fn run(
    sim: &Simulator,
    state: State,
    ctrl: &mut dyn Controller,
    duration: f64,
    sample_steps: u64,
) -> (Trajectory, RunSummary) {
    run_with(sim, state, ctrl, duration, sample_steps, &mut |_, _| Flow::Continue)
}

/// What sees every step of a rollout: the state before the step and, after it, the new state, the workspace (the
/// step's contact forces and joint torques, for [`Simulator::step_forces`]) and the step's report. A closure
/// `|state, report| -> Flow` is a hook that looks only after the step.
pub trait StepHook {
    /// Before each step, with the state about to be advanced. Default: nothing.
    fn before(&mut self, _state: &State) {}
    /// After each finite step; [`Flow::Stop`] ends the rollout there (the stopping step is still sampled).
    fn after(&mut self, state: &State, ws: &Workspace, report: &StepReport) -> Flow;
}

impl<F: FnMut(&State, &StepReport) -> Flow + ?Sized> StepHook for F {
    fn after(&mut self, state: &State, _ws: &Workspace, report: &StepReport) -> Flow {
        self(state, report)
    }
}

/// As [`run`], calling `hook` after every step with the new state and the step's report; the hook can stop
/// the rollout (the stopping step is still sampled).
pub fn run_with(
    sim: &Simulator,
    state: State,
    ctrl: &mut dyn Controller,
    duration: f64,
    sample_steps: u64,
    hook: &mut dyn FnMut(&State, &StepReport) -> Flow,
) -> (Trajectory, RunSummary) {
    run_hooked(sim, state, ctrl, duration, sample_steps, hook)
}

/// The rollout loop: `duration` seconds from `state` (`round(duration / dt)` steps), sampled every
/// `sample_steps` steps and at t = 0, stopping at the first non-finite state or when `hook` says so.
pub fn run_hooked<H: StepHook + ?Sized>(
    sim: &Simulator,
    mut state: State,
    ctrl: &mut dyn Controller,
    duration: f64,
    sample_steps: u64,
    hook: &mut H,
) -> (Trajectory, RunSummary) {
    let start = Instant::now();
    let model = &sim.model;
    let mut ws = sim.workspace();
    let total = (duration / sim.world.dt).round() as u64;
    let tail = ((0.5 / sim.world.dt).round() as u64).min(total).max(1);
    let columns = columns(sim);
    // The row before the first step: no force, no torque, no centre of pressure.
    let mut r = StepReport::rest(model, state.t);
    let mut rows = vec![sample(sim, &state, &r, columns.len())];
    let (mut peak, mut tail_sum) = (0.0f64, 0.0);
    let mut outcome = Outcome::Completed;
    for k in 0..total {
        hook.before(&state);
        // One report, refilled each step.
        sim.step_into(&mut state, &mut ws, ctrl, &mut r);
        if !r.finite {
            outcome = Outcome::Diverged;
            break;
        }
        let fz: f64 = r.grf.iter().map(|g| g[2]).sum();
        peak = peak.max(fz);
        if k >= total - tail {
            tail_sum += fz;
        }
        let flow = hook.after(&state, &ws, &r);
        if (k + 1) % sample_steps.max(1) == 0 || flow == Flow::Stop {
            rows.push(sample(sim, &state, &r, columns.len()));
        }
        if flow == Flow::Stop {
            outcome = Outcome::Stopped;
            break;
        }
    }
    let bw = model.body_weight;
    let com_end = if outcome != Outcome::Diverged {
        sim.measures(&state).com
    } else {
        [f64::NAN; 3]
    };
    let summary = RunSummary {
        outcome,
        t_end: state.t,
        steps: state.steps,
        body_mass_kg: model.mass,
        body_weight_n: bw,
        peak_vertical_grf_bw: peak / bw,
        mean_vertical_grf_last_0_5s_bw: tail_sum / tail as f64 / bw,
        com_end,
        wall_seconds: start.elapsed().as_secs_f64(),
    };
    (Trajectory { columns, rows }, summary)
}
