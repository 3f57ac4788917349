//! Which muscle groups bind (issue 17: "name the groups at their ceilings and the joint velocities"). For the
//! sagittal groups of the stance leg and of the swing leg, over the steady steps of a run folder (`steps.csv` from
//! the fifth step on, or from a step of choice for a short run; both legs), the share of the phase each group spends at full activation (≥ 0.95), and while
//! it does: how fast its joint moves in the group's own (concentric) direction, how fast its contractile element
//! shortens (series-elastic groups), and the joint torque delivered in the group's direction as a fraction of the
//! joint's peak isometric torque `T0` that way (the single-joint group plus the two-joint units pulling the joint
//! the same way). A group at full activation that delivers a small fraction of `T0` while its joint moves fast is
//! at its force–velocity ceiling: more excitation cannot help it, only strength, `omega_max` or slower joints.
//!
//! Writes `limits.csv` into the run folder (atomically) and returns the rows.

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::export::read::read_stances;
use crate::export::tables::rows_csv;
use crate::export::Table;
use crate::io::write_atomic;
use crate::measure::steps::STEADY_FROM;
use crate::model::Model;
use crate::scenario;

/// Activation from which a group counts as fully activated.
pub const SATURATED: f64 = 0.95;

/// The groups examined: (phase, group, DOF stem, slot: 0 the positive-direction group, 1 the negative one).
const GROUPS: [(&str, &str, &str, usize); 7] = [
    ("stance", "hip_ext", "hip_flex", 1),
    ("stance", "knee_ext", "knee", 1),
    ("stance", "ankle_pf", "ankle", 1),
    ("swing", "hip_flex", "hip_flex", 0),
    ("swing", "hip_ext", "hip_flex", 1),
    ("swing", "knee_flex", "knee", 0),
    ("swing", "knee_ext", "knee", 1),
];

/// One row of `limits.csv`: one group in one phase, both legs pooled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitRow {
    /// `stance` or `swing`.
    pub phase: String,
    /// Muscle group (`hip_ext`, …).
    pub group: String,
    /// Peak isometric torque of the joint in the group's direction (N·m): single-joint group plus two-joint units.
    pub t0_nm: f64,
    /// Samples of the phase examined (both legs; 0 when the run has no such phase from the first step examined).
    pub samples: usize,
    /// Share of the phase at activation ≥ 0.95; empty without samples.
    pub saturated_share: Option<f64>,
    /// Mean joint velocity in the group's direction while saturated (rad/s, concentric positive); empty if never.
    pub joint_velocity: Option<f64>,
    /// Mean contractile-element shortening velocity while saturated (rad/s); empty for a rigid group or if never.
    pub ce_velocity: Option<f64>,
    /// Mean net joint torque (every group and unit on the joint: co-contraction lowers it) in the group's
    /// direction while saturated, as a fraction of `t0_nm`; empty if never.
    pub torque_share: Option<f64>,
    /// Highest joint velocity in the group's direction over the phase (rad/s); empty without samples.
    pub peak_joint_velocity: Option<f64>,
}

/// Peak isometric torque (N·m) of DOF `i` in the direction of `slot` (0 positive, 1 negative): its generator plus
/// the two-joint units that pull it that way (ratio × the unit's `T0`).
fn joint_t0(model: &Model, i: usize, slot: usize) -> f64 {
    let dir = if slot == 0 { 1.0 } else { -1.0 };
    let units: f64 = model
        .units
        .iter()
        .filter(|u| u.two_joint())
        .flat_map(|u| u.joints.iter().map(move |&(j, e)| (j, u.sign * e, u.t_max)))
        .filter(|&(j, pull, _)| j == i && pull * dir > 0.0)
        .map(|(_, pull, t)| pull.abs() * t)
        .sum();
    model.dofs[i].generators[slot].t_max + units
}

/// Sample windows `[from, to)` of `phase` for the leg with side suffix `side` over the steps from `first` on.
fn windows(
    stances: &[crate::export::tables::StanceRecord],
    t: &[f64],
    side: &str,
    phase: &str,
    first: usize,
) -> Vec<(usize, usize)> {
    let foot = format!("foot_{side}");
    let at = |time: f64| t.partition_point(|&x| x < time - 1e-9);
    let mine: Vec<_> = stances
        .iter()
        .enumerate()
        .filter(|(k, s)| *k >= first && s.side == foot)
        .map(|(_, s)| s)
        .collect();
    match phase {
        "stance" => mine
            .iter()
            .map(|s| (at(s.touchdown), at(s.touchdown + s.contact_time)))
            .collect(),
        _ => mine
            .windows(2)
            .map(|w| (at(w[0].touchdown + w[0].contact_time), at(w[1].touchdown)))
            .collect(),
    }
}

/// The limits of the run folder `dir` over its steps from index `first` on (default [`STEADY_FROM`], the steady
/// steps); writes `dir/limits.csv`.
pub fn limits(dir: &Path, first: Option<usize>) -> Result<Vec<LimitRow>, Error> {
    let first = first.unwrap_or(STEADY_FROM);
    let loaded = scenario::load(&dir.join("scenario.toml"))?;
    let model = &loaded.model;
    let ts = Table::read(&dir.join("timeseries.csv"))?;
    let stances = read_stances(dir)?;
    let t = ts.col("t")?;
    let mut rows = Vec::new();
    for (phase, group, stem, slot) in GROUPS {
        let dir_sign = if slot == 0 { 1.0 } else { -1.0 };
        let act_col = if slot == 0 { "act_pos" } else { "act_neg" };
        let (mut n, mut sat, mut vel, mut ce, mut ce_n, mut tq, mut peak) = (0, 0, 0.0, 0.0, 0, 0.0, f64::NEG_INFINITY);
        let mut t0 = 0.0;
        for side in ["r", "l"] {
            let dof = format!("{stem}_{side}");
            let i = model.dof_index(&dof).ok_or_else(|| Error::Data {
                file: dir.display().to_string(),
                line: 0,
                msg: format!("no DOF `{dof}`"),
            })?;
            t0 = joint_t0(model, i, slot);
            let act = ts.col(&format!("{dof}_{act_col}"))?;
            let qd = ts.col(&format!("{dof}_vel"))?;
            let torque = ts.col(&format!("{dof}_torque"))?;
            let ce_vel = ts.get(&format!("{group}_{side}_ce_vel"));
            for (a, b) in windows(&stances, t, side, phase, first) {
                for k in a..b {
                    n += 1;
                    peak = peak.max(dir_sign * qd[k]);
                    if act[k] >= SATURATED {
                        sat += 1;
                        vel += dir_sign * qd[k];
                        tq += dir_sign * torque[k] / t0;
                        if let Some(c) = ce_vel {
                            ce += c[k];
                            ce_n += 1;
                        }
                    }
                }
            }
        }
        let mean = |x: f64, m: usize| (m > 0).then(|| x / m as f64);
        rows.push(LimitRow {
            phase: phase.into(),
            group: group.into(),
            t0_nm: t0,
            samples: n,
            saturated_share: (n > 0).then(|| sat as f64 / n as f64),
            joint_velocity: mean(vel, sat),
            ce_velocity: mean(ce, ce_n),
            torque_share: mean(tq, sat),
            peak_joint_velocity: (n > 0).then_some(peak),
        });
    }
    write_atomic(&dir.join("limits.csv"), &rows_csv(&rows)?)?;
    Ok(rows)
}

/// The rows as a plain-text table for the terminal.
pub fn report(rows: &[LimitRow], dir: &Path, first: Option<usize>) -> String {
    let opt = |x: Option<f64>, p: usize| x.map_or("—".to_string(), |v| format!("{v:.p$}"));
    let mut s = format!(
        "{}: steps from index {} on, both legs; saturated = activation ≥ {SATURATED}\n\
         {:<7} {:<10} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
        dir.display(),
        first.unwrap_or(STEADY_FROM),
        "phase",
        "group",
        "T0 N·m",
        "saturated",
        "ω joint",
        "ω CE",
        "τ / T0",
        "peak ω"
    );
    for r in rows {
        s += &format!(
            "{:<7} {:<10} {:>7.0} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
            r.phase,
            r.group,
            r.t0_nm,
            opt(r.saturated_share.map(|x| 100.0 * x), 0) + "%",
            opt(r.joint_velocity, 1),
            opt(r.ce_velocity, 1),
            opt(r.torque_share, 2),
            opt(r.peak_joint_velocity, 1)
        );
    }
    s + "ω in rad/s in the group's own (concentric) direction, means while saturated; limits.csv has the numbers"
}
