//! `sprintlab induced RUN_DIR`: the induced ground-force analysis of a run folder (docs/design.md §5).
//!
//! The run is replayed from its resolved `scenario.toml` (bit-identically: the replay's ground forces are checked
//! against the folder's `timeseries.csv`), and at every step with a loaded foot its ground force is split by
//! [`crate::sim::Simulator::induced_parts`] into gravity, velocity-dependent, passive, foot-motion and per-muscle-
//! group parts. The groups are summed into the contributors of docs/design.md §1 relative to the foot being analysed:
//! `pushing_leg` (that leg's hip/knee extensors and plantarflexors), `stance_leg_other` (its other groups),
//! `swing_leg` (every group of the other leg), `arms`, `torso`.
//!
//! Writes, atomically, into RUN_DIR:
//! * `induced.csv` — one row per sampled step with a loaded foot: `t` (s, end of the step), `foot` (index into the
//!   summary's `feet`), `stance`
//!   (per-foot stance number from 0), then `<part>_x`, `<part>_y`, `<part>_z` (N, world frame) for every part in
//!   [`PARTS`], the `sum` of the parts and the `measured` force;
//! * `induced_groups.csv` — tidy: `t, foot, stance, group, dof, contributor, fx, fy, fz`, one row per muscle group
//!   and two-joint unit (`group` = the unit, `dof` = its primary DOF);
//! * `induced_summary.json` — per stance and averaged over stances the impulse of every part (N·s, x and z), and
//!   the largest |sum − measured| over all steps, absolute and in % of the peak measured force.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;
use crate::export::tables::{induced_csv, induced_groups_csv, InducedGroupRow, InducedRow};
use crate::export::Table;
use crate::io::{write_atomic, write_json};
use crate::measure::balance::{BalanceChecker, BalanceLimits};
use crate::model::generators::Contributor;
use crate::model::Model;
use crate::scenario;
use crate::sim::columns;
use crate::sim::induced::{Dynamics, FootParts};
use crate::sim::rollout::{self, Flow, StepHook};
use crate::sim::{Simulator, State, StepReport, Workspace};

/// Parts in column order: the non-muscular terms, then the contributors (defined with `induced.csv`'s row).
pub use crate::export::tables::INDUCED_PARTS as PARTS;

/// The contributor (a [`PARTS`] name) of group `k` of DOF `dof` when `foot` is the analysed foot.
pub fn contributor_of(model: &Model, dof: usize, k: usize, foot: usize) -> &'static str {
    let d = &model.dofs[dof];
    part_of(model, d.generators[k].contributor, &d.name, foot)
}

/// The contributor (a [`PARTS`] name) of two-joint unit `u` (its side is its primary DOF's).
pub fn unit_contributor_of(model: &Model, u: usize, foot: usize) -> &'static str {
    let unit = &model.units[u];
    part_of(model, unit.contributor, &model.dofs[unit.joints[0].0].name, foot)
}

fn part_of(model: &Model, c: Contributor, d_name: &str, foot: usize) -> &'static str {
    match c {
        Contributor::Arms => "arms",
        Contributor::Torso => "torso",
        _ => {
            let side = |name: &str| name.rsplit('_').next().map(str::to_string);
            let foot_side = side(&model.segments[model.feet[foot]].name);
            if side(d_name) == foot_side {
                if c == Contributor::Push {
                    "pushing_leg"
                } else {
                    "stance_leg_other"
                }
            } else {
                "swing_leg"
            }
        }
    }
}

/// The contributor sums of one foot's split, in [`PARTS`] order.
pub fn part_forces(model: &Model, p: &FootParts) -> [[f64; 3]; PARTS.len()] {
    let mut out = [[0.0; 3]; PARTS.len()];
    out[..4].copy_from_slice(&[p.gravity, p.velocity, p.passive, p.foot_motion]);
    for (i, g) in p.groups.iter().enumerate() {
        for (k, f) in g.iter().enumerate() {
            let idx = PARTS
                .iter()
                .position(|&n| n == contributor_of(model, i, k, p.foot))
                .expect("a part");
            (0..3).for_each(|a| out[idx][a] += f[a]);
        }
    }
    for (u, f) in p.units.iter().enumerate() {
        let idx = PARTS
            .iter()
            .position(|&n| n == unit_contributor_of(model, u, p.foot))
            .expect("a part");
        (0..3).for_each(|a| out[idx][a] += f[a]);
    }
    out
}

/// One stance's impulses per part.
#[derive(Debug, Clone, Serialize)]
pub struct StanceImpulses {
    /// Foot segment name.
    pub foot: String,
    /// Per-foot stance number.
    pub stance: usize,
    /// First and last analysed step end (s).
    pub t_start: f64,
    /// See `t_start`.
    pub t_end: f64,
    /// Fore-aft impulse of each part and of `measured` (N·s).
    pub impulse_x: BTreeMap<String, f64>,
    /// Vertical impulse of each part and of `measured` (N·s).
    pub impulse_z: BTreeMap<String, f64>,
}

/// `induced_summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct InducedSummary {
    /// Parts, in column order.
    pub parts: Vec<String>,
    /// Foot segment names; `induced.csv`'s `foot` column indexes this list.
    pub feet: Vec<String>,
    /// Steps analysed (a foot loaded).
    pub steps_analysed: u64,
    /// Largest |Σ parts − measured| over all analysed steps and axes (N).
    pub max_sum_error_n: f64,
    /// Largest measured ground-force magnitude of one foot (N).
    pub peak_measured_n: f64,
    /// `max_sum_error_n` in % of `peak_measured_n`.
    pub max_sum_error_pct_of_peak: f64,
    /// Body weight (N).
    pub body_weight_n: f64,
    /// Every stance (complete or not).
    pub stances: Vec<StanceImpulses>,
    /// Mean over stances of each part's fore-aft impulse (N·s).
    pub mean_impulse_x: BTreeMap<String, f64>,
    /// Mean over stances of each part's vertical impulse (N·s).
    pub mean_impulse_z: BTreeMap<String, f64>,
}

impl InducedSummary {
    /// What `sprintlab induced` prints: the files written and how well the parts sum to the measured force.
    pub fn report(&self, dir: &Path) -> String {
        format!(
            "wrote {}: {} steps analysed, parts sum to the measured force within {:.3} N ({:.4} % of the {:.0} N peak)",
            dir.join("induced.csv").display(),
            self.steps_analysed,
            self.max_sum_error_n,
            self.max_sum_error_pct_of_peak,
            self.peak_measured_n
        )
    }
}

/// The replay's per-step analysis, run as a [`StepHook`] of the rollout loop: the state before each step gives
/// the joint state and dynamics the split starts from; after it, the replayed ground forces are checked against
/// the recording and every loaded foot's force is split into its parts.
struct Replay<'a> {
    sim: &'a Simulator,
    model: &'a Model,
    dt: f64,
    /// Sampling interval of `timeseries.csv` (steps).
    every: u64,
    /// Steps taken.
    k: u64,
    limits: BalanceLimits,
    checker: BalanceChecker,
    /// Pelvis height at the start (m).
    z0: f64,
    ts_path: &'a Path,
    scenario_path: &'a Path,
    foot_names: Vec<String>,
    grf_cols: Vec<Vec<&'a [f64]>>,
    rows: Vec<InducedRow>,
    group_rows: Vec<InducedGroupRow>,
    q0: Vec<f64>,
    qd0: Vec<f64>,
    q1: Vec<f64>,
    qd1: Vec<f64>,
    pre: Option<Dynamics>,
    loaded_prev: Vec<bool>,
    stance_no: Vec<usize>,
    stances: Vec<StanceImpulses>,
    open: Vec<Option<usize>>,
    max_err: f64,
    peak: f64,
    analysed: u64,
    row: usize,
    /// The first mismatch with the recording (the replay stops there).
    error: Option<Error>,
}

impl StepHook for Replay<'_> {
    fn before(&mut self, state: &State) {
        self.sim.joint_state(state, &mut self.q0, &mut self.qd0);
        self.pre = Some(self.sim.dynamics(state));
    }

    fn after(&mut self, state: &State, ws: &Workspace, report: &StepReport) -> Flow {
        let sim = self.sim;
        self.k += 1;
        let sampled = self.k % self.every == 0;
        let lost = self.checker.check(sim, state, &self.limits, self.z0).is_some();
        if sampled || lost {
            self.row += 1;
            if let Err(e) = self.check_recorded(report) {
                self.error = Some(e);
                return Flow::Stop;
            }
        }
        let post = sim.dynamics(state);
        sim.joint_state(state, &mut self.q1, &mut self.qd1);
        let forces = sim.step_forces(ws, &self.q0, &self.qd1);
        self.track_stances(state, report);
        let pre = self.pre.take().expect("before() ran");
        if let Some(parts) = sim.induced_parts(&pre, &post, &forces, sim.last_contact_forces(ws)) {
            self.analysed += 1;
            for p in &parts {
                self.add(state, p, sampled || lost);
            }
        }
        if lost {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}

impl Replay<'_> {
    /// The replayed ground forces of a sampled step must be the recorded ones, bit for bit.
    fn check_recorded(&self, report: &StepReport) -> Result<(), Error> {
        let row = self.row;
        for (fi, cols) in self.grf_cols.iter().enumerate() {
            for (a, col) in cols.iter().enumerate() {
                let rec = col.get(row).copied().unwrap_or(f64::NAN);
                if rec.to_bits() != report.grf[fi][a].to_bits() {
                    return Err(Error::Data {
                        file: self.ts_path.display().to_string(),
                        line: row + 2,
                        msg: format!(
                            "{} = {rec} was recorded but the replay of {} gives {}: the folder was not \
                             produced by this scenario and version",
                            columns::grf(&self.foot_names[fi], a),
                            self.scenario_path.display(),
                            report.grf[fi][a]
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Opens a stance at each touchdown (a foot's vertical force turning positive), closes it at lift-off.
    fn track_stances(&mut self, state: &State, report: &StepReport) {
        let loaded_now: Vec<bool> = report.grf.iter().map(|g| g[2] > 0.0).collect();
        for (fi, &now) in loaded_now.iter().enumerate() {
            if now && !self.loaded_prev[fi] {
                self.stances.push(StanceImpulses {
                    foot: self.foot_names[fi].clone(),
                    stance: self.stance_no[fi],
                    t_start: state.t,
                    t_end: state.t,
                    impulse_x: BTreeMap::new(),
                    impulse_z: BTreeMap::new(),
                });
                self.open[fi] = Some(self.stances.len() - 1);
                self.stance_no[fi] += 1;
            } else if !now {
                self.open[fi] = None;
            }
        }
        self.loaded_prev.clone_from(&loaded_now);
    }

    /// Adds one foot's split to its open stance's impulses, and to the CSV rows when the step is sampled.
    fn add(&mut self, state: &State, p: &FootParts, write: bool) {
        let (model, dt) = (self.model, self.dt);
        let Some(si) = self.open[p.foot] else { return };
        let sum = p.sum();
        let mag = (p.measured[0].powi(2) + p.measured[1].powi(2) + p.measured[2].powi(2)).sqrt();
        self.peak = self.peak.max(mag);
        for (s, m) in sum.iter().zip(&p.measured) {
            self.max_err = self.max_err.max((s - m).abs());
        }
        let forces_by_part = part_forces(model, p);
        let st = &mut self.stances[si];
        st.t_end = state.t;
        let named = PARTS
            .iter()
            .zip(&forces_by_part)
            .chain(std::iter::once((&"measured", &p.measured)));
        for (name, f) in named {
            *st.impulse_x.entry(name.to_string()).or_default() += f[0] * dt;
            *st.impulse_z.entry(name.to_string()).or_default() += f[2] * dt;
        }
        if write {
            self.rows.push(InducedRow {
                t: state.t,
                foot: p.foot,
                stance: st.stance,
                parts: forces_by_part,
                sum,
                measured: p.measured,
            });
            for (i, g) in p.groups.iter().enumerate() {
                for (kk, f) in g.iter().enumerate() {
                    let d = &model.dofs[i];
                    if f.iter().all(|v| *v == 0.0) {
                        continue;
                    }
                    self.group_rows.push(InducedGroupRow {
                        t: state.t,
                        foot: self.foot_names[p.foot].clone(),
                        stance: st.stance,
                        group: d.generators[kk].params.group.clone(),
                        dof: d.name.clone(),
                        contributor: contributor_of(model, i, kk, p.foot),
                        fx: f[0],
                        fy: f[1],
                        fz: f[2],
                    });
                }
            }
            for (u, f) in p.units.iter().enumerate() {
                if f.iter().all(|v| *v == 0.0) {
                    continue;
                }
                let unit = &model.units[u];
                self.group_rows.push(InducedGroupRow {
                    t: state.t,
                    foot: self.foot_names[p.foot].clone(),
                    stance: st.stance,
                    group: unit.group.clone(),
                    dof: model.dofs[unit.joints[0].0].name.clone(),
                    contributor: unit_contributor_of(model, u, p.foot),
                    fx: f[0],
                    fy: f[1],
                    fz: f[2],
                });
            }
        }
    }
}

/// Runs the analysis of a run folder and writes its three files. Returns the summary.
pub fn induced(dir: &Path) -> Result<InducedSummary, Error> {
    let scenario_path = dir.join("scenario.toml");
    let loaded = scenario::load(&scenario_path)?;
    let ts_path = dir.join("timeseries.csv");
    let recorded = Table::read(&ts_path)?;
    let sim = loaded.simulator();
    let model = sim.model.clone();
    let state = loaded.initial_state(&sim);
    let mut ctrl = loaded.controller();
    let dt = sim.world.dt;
    let every = loaded.sample_steps();
    let n = model.dofs.len();
    let nf = model.feet.len();
    let foot_names: Vec<String> = model.feet.iter().map(|&f| model.segments[f].name.clone()).collect();
    let grf_cols: Vec<Vec<&[f64]>> = foot_names
        .iter()
        .map(|f| (0..3).map(|a| recorded.col(&columns::grf(f, a))).collect())
        .collect::<Result<_, _>>()?;

    let mut replay = Replay {
        sim: &sim,
        model: &model,
        dt,
        every,
        k: 0,
        limits: BalanceLimits::default(),
        checker: BalanceChecker::new(&model),
        z0: crate::measure::pelvis_height(&sim, &state),
        ts_path: &ts_path,
        scenario_path: &scenario_path,
        foot_names,
        grf_cols,
        rows: Vec::new(),
        group_rows: Vec::new(),
        q0: vec![0.0; n],
        qd0: vec![0.0; n],
        q1: vec![0.0; n],
        qd1: vec![0.0; n],
        pre: None,
        loaded_prev: vec![false; nf],
        stance_no: vec![0; nf],
        stances: Vec::new(),
        open: vec![None; nf],
        max_err: 0.0,
        peak: 0.0,
        analysed: 0,
        row: 0,
        error: None,
    };
    let duration = loaded.scenario.run.duration;
    rollout::run_hooked(&sim, state, ctrl.as_mut(), duration, every, &mut replay);
    if let Some(e) = replay.error {
        return Err(e);
    }
    let Replay {
        stances,
        foot_names,
        analysed,
        max_err,
        peak,
        rows,
        group_rows,
        ..
    } = replay;
    let mut mean_x = BTreeMap::new();
    let mut mean_z = BTreeMap::new();
    if !stances.is_empty() {
        let ns = stances.len() as f64;
        for st in &stances {
            for (k, v) in &st.impulse_x {
                *mean_x.entry(k.clone()).or_insert(0.0) += v / ns;
            }
            for (k, v) in &st.impulse_z {
                *mean_z.entry(k.clone()).or_insert(0.0) += v / ns;
            }
        }
    }
    let summary = InducedSummary {
        parts: PARTS.iter().map(|s| s.to_string()).collect(),
        feet: foot_names,
        steps_analysed: analysed,
        max_sum_error_n: max_err,
        peak_measured_n: peak,
        max_sum_error_pct_of_peak: if peak > 0.0 { 100.0 * max_err / peak } else { 0.0 },
        body_weight_n: model.body_weight,
        stances,
        mean_impulse_x: mean_x,
        mean_impulse_z: mean_z,
    };
    write_atomic(&dir.join("induced.csv"), &induced_csv(&rows)?)?;
    write_atomic(&dir.join("induced_groups.csv"), &induced_groups_csv(&group_rows)?)?;
    write_json(&dir.join("induced_summary.json"), &summary)?;
    Ok(summary)
}

/// The files [`induced`] writes.
pub fn outputs(dir: &Path) -> [PathBuf; 3] {
    ["induced.csv", "induced_groups.csv", "induced_summary.json"].map(|f| dir.join(f))
}
