//! The time-series columns (`timeseries.csv`): what each column is called and what value it takes at a sample,
//! defined once.
//!
//! The rollout names its trajectory's columns with [`names`] and fills each sampled row with [`values`]; every
//! reader (figures, the OpenSim export, the induced-acceleration replay, `export::read::feet`) finds a column
//! through the name functions and constants below, never by formatting its own string.
//!
//! **Adding a column is a change to this file only**: add a [`Family`] to [`FAMILIES`] at the place its columns
//! should take in the file, with its names for a model and its values at a [`Sample`] written in the same order
//! (one per name); if a reader needs the column, give it a name function here and use that in both the family and
//! the reader. A per-generator column (e.g. a contractile element's angle) loops over `model.dofs[i].generators`
//! in both closures; a value the step computes goes into [`StepReport`] first (`sim/mod.rs`), and the row before
//! the first step takes its rest value in `rollout.rs`. The test below checks, on every shipped model, that each
//! family writes as many values as it names and that no two columns share a name.

use super::{Simulator, State, StepReport};
use crate::model::Model;

/// Time (s).
pub const TIME: &str = "t";
/// Pelvis (root) origin in the world (m).
pub const PELVIS_POSITION: [&str; 3] = ["pelvis_x", "pelvis_y", "pelvis_z"];
/// Pelvis orientation, unit quaternion (w, x, y, z).
pub const PELVIS_ORIENTATION: [&str; 4] = ["pelvis_qw", "pelvis_qx", "pelvis_qy", "pelvis_qz"];
/// Whole-body centre of mass (m).
pub const COM: [&str; 3] = ["com_x", "com_y", "com_z"];
/// World axes, as column suffixes.
pub const AXES: [&str; 3] = ["x", "y", "z"];
/// Suffixes of a segment pose: frame origin (m) and orientation quaternion (w, x, y, z).
pub const POSE: [&str; 7] = ["x", "y", "z", "qw", "qx", "qy", "qz"];

/// A DOF's coordinate (rad, or m for a slide): the DOF's own name.
pub fn dof_angle(dof: &str) -> String {
    dof.to_string()
}

/// A DOF's velocity (rad/s, or m/s).
pub fn dof_velocity(dof: &str) -> String {
    format!("{dof}_vel")
}

/// A DOF's actuator torque over the step (N·m).
pub fn dof_torque(dof: &str) -> String {
    format!("{dof}_torque")
}

/// A foot's ground reaction force along world axis `axis` (0 = x, 1 = y, 2 = z; N).
pub fn grf(foot: &str, axis: usize) -> String {
    format!("grf_{foot}_{}", AXES[axis])
}

/// A foot's centre of pressure along world axis `axis` (0 = x, 1 = y; m; NaN while unloaded).
pub fn cop(foot: &str, axis: usize) -> String {
    format!("cop_{foot}_{}", AXES[axis])
}

/// A foot's load columns: its GRF along x, y, z and its centre of pressure along x, y (see [`grf`], [`cop`]).
pub fn grf_and_cop(foot: &str) -> [String; 5] {
    [grf(foot, 0), grf(foot, 1), grf(foot, 2), cop(foot, 0), cop(foot, 1)]
}

/// The foot a column names when it is a vertical GRF column (`grf_<foot>_z`).
pub fn foot_of_vertical_grf(column: &str) -> Option<&str> {
    column.strip_prefix("grf_").and_then(|r| r.strip_suffix("_z"))
}

/// Activation (0–1) of a DOF's positive- or negative-direction generator.
pub fn activation(dof: &str, positive: bool) -> String {
    format!("{dof}_act_{}", if positive { "pos" } else { "neg" })
}

/// Component `k` of [`POSE`] of a segment's frame.
pub fn segment_pose(segment: &str, k: usize) -> String {
    format!("seg_{segment}_{}", POSE[k])
}

/// Vertical free moment of the ground on a foot about its centre of pressure (N·m).
pub fn free_moment(foot: &str) -> String {
    format!("free_moment_{foot}_z")
}

/// Suffixes of a muscle–tendon unit's columns: contractile-element angle on the unit's coordinate (rad), its
/// shortening velocity (rad/s), the tendon's stored energy (J).
pub const UNIT: [&str; 3] = ["ce_angle", "ce_vel", "tendon_energy"];

/// Component `k` of [`UNIT`] of a muscle–tendon unit (series-elastic or two-joint generator).
pub fn unit(unit: &str, k: usize) -> String {
    format!("{unit}_{}", UNIT[k])
}

/// What a row is sampled from: the state after a step and that step's report (for the row before the first
/// step, a report with the rest values: no force, no torque, centres of pressure NaN).
pub struct Sample<'a> {
    /// The simulator (model, poses, measures).
    pub sim: &'a Simulator,
    /// The state sampled.
    pub state: &'a State,
    /// The step that led to it.
    pub report: &'a StepReport,
    /// Joint coordinates of `state`, per DOF (computed once per row, see [`Simulator::joint_state`]).
    pub q: &'a [f64],
    /// Joint velocities of `state`, per DOF.
    pub qd: &'a [f64],
}

/// A group of columns: their names for a model, and their values at a sample in the same order.
pub struct Family {
    /// Appends the family's column names for `model`.
    pub names: fn(&Model, &mut Vec<String>),
    /// Appends the family's values at a sample, one per name.
    pub values: fn(&Sample, &mut Vec<f64>),
}

fn foot_names(m: &Model) -> impl Iterator<Item = &str> {
    m.feet.iter().map(|&f| m.segments[f].name.as_str())
}

/// Every column of `timeseries.csv`, in file order.
pub const FAMILIES: &[Family] = &[
    Family {
        names: |_, c| c.push(TIME.into()),
        values: |s, v| v.push(s.state.t),
    },
    Family {
        names: |_, c| c.extend(PELVIS_POSITION.iter().chain(&PELVIS_ORIENTATION).map(|n| n.to_string())),
        values: |s, v| {
            let (p, r) = s.sim.root_pose(s.state);
            v.extend_from_slice(&p);
            v.extend_from_slice(&r);
        },
    },
    Family {
        names: |m, c| c.extend(m.dofs.iter().map(|d| dof_angle(&d.name))),
        values: |s, v| v.extend_from_slice(s.q),
    },
    Family {
        names: |m, c| c.extend(m.dofs.iter().map(|d| dof_velocity(&d.name))),
        values: |s, v| v.extend_from_slice(s.qd),
    },
    Family {
        names: |m, c| c.extend(m.dofs.iter().map(|d| dof_torque(&d.name))),
        values: |s, v| v.extend_from_slice(&s.report.torque),
    },
    Family {
        names: |_, c| c.extend(COM.iter().map(|n| n.to_string())),
        values: |s, v| v.extend_from_slice(&s.sim.measures(s.state).com),
    },
    Family {
        names: |m, c| {
            for f in foot_names(m) {
                c.extend(grf_and_cop(f));
            }
        },
        values: |s, v| {
            for (g, c) in s.report.grf.iter().zip(&s.report.cop) {
                v.extend_from_slice(g);
                v.extend_from_slice(c);
            }
        },
    },
    Family {
        names: |m, c| {
            for d in &m.dofs {
                c.push(activation(&d.name, true));
                c.push(activation(&d.name, false));
            }
        },
        values: |s, v| {
            for a in &s.state.activation {
                v.extend_from_slice(a);
            }
        },
    },
    Family {
        names: |m, c| {
            for seg in &m.segments {
                c.extend((0..POSE.len()).map(|k| segment_pose(&seg.name, k)));
            }
        },
        values: |s, v| {
            for seg in 0..s.sim.model.segments.len() {
                let (o, r) = s.sim.segment_pose(s.state, seg);
                v.extend_from_slice(&[o.x, o.y, o.z, r.w, r.x, r.y, r.z]);
            }
        },
    },
    Family {
        names: |m, c| c.extend(foot_names(m).map(free_moment)),
        values: |s, v| v.extend_from_slice(&s.report.free_moment),
    },
    // Muscle–tendon units: none unless series-elastic or two-joint generators are on.
    Family {
        names: |m, c| {
            for u in &m.units {
                c.extend((0..UNIT.len()).map(|k| unit(&u.name, k)));
            }
        },
        values: |s, v| {
            for u in s.sim.unit_measures(s.state) {
                v.extend_from_slice(&u);
            }
        },
    },
];

/// The column names of a model's time series, in file order.
pub fn names(model: &Model) -> Vec<String> {
    let mut c = Vec::new();
    for f in FAMILIES {
        (f.names)(model, &mut c);
    }
    c
}

/// One row of the time series: every family's values at `sample`, in file order (`width`: the number of
/// columns, to allocate the row once).
pub fn values(sample: &Sample, width: usize) -> Vec<f64> {
    let mut row = Vec::with_capacity(width);
    for f in FAMILIES {
        (f.values)(sample, &mut row);
    }
    row
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::*;
    use crate::model::file::ModelFile;
    use crate::model::generators::GeneratorTable;
    use crate::model::{ContactParams, Strengths};
    use crate::sim::{ActivationDynamics, WorldSettings};

    /// The shipped models: the default athlete (de Leva) with rigid generators and with its series-elastic and
    /// two-joint units on, and the builtin `sprinter12`.
    fn shipped_models() -> Vec<Model> {
        let sprinter12: ModelFile =
            serde_json::from_str(include_str!("../../data/shared/peers/sprinter12_spec.json")).unwrap();
        let athlete = crate::model::deleva::default_athlete(1.8, 75.0);
        let with_units = Strengths {
            series_elastic: Some(true),
            two_joint: Some(true),
            ..Strengths::default()
        };
        [
            (&athlete, Strengths::default()),
            (&athlete, with_units),
            (&sprinter12, Strengths::default()),
        ]
        .into_iter()
        .map(|(f, s)| Model::compile(f, &s, &GeneratorTable::priors(), ContactParams::default()).unwrap())
        .collect()
    }

    #[test]
    fn every_family_writes_as_many_values_as_it_names() {
        let mut named = vec![false; FAMILIES.len()];
        for model in shipped_models() {
            let (n, nf) = (model.dofs.len(), model.feet.len());
            let sim = Simulator::new(Arc::new(model), WorldSettings::default(), ActivationDynamics::default());
            let state = sim.initial_state();
            let report = StepReport::rest(&sim.model, 0.0);
            let (q, qd) = (vec![0.0; n], vec![0.0; n]);
            let sample = Sample {
                sim: &sim,
                state: &state,
                report: &report,
                q: &q,
                qd: &qd,
            };
            for (i, f) in FAMILIES.iter().enumerate() {
                let (mut c, mut v) = (Vec::new(), Vec::new());
                (f.names)(&sim.model, &mut c);
                (f.values)(&sample, &mut v);
                assert_eq!(c.len(), v.len(), "family {i} ({:?}…) on {}", c.first(), sim.model.name);
                named[i] |= !c.is_empty();
            }
            let all = names(&sim.model);
            assert_eq!(all.len(), values(&sample, all.len()).len());
            let unique: BTreeSet<&String> = all.iter().collect();
            assert_eq!(
                unique.len(),
                all.len(),
                "two columns share a name on {}",
                sim.model.name
            );
            assert_eq!(all[0], TIME);
            let feet: Vec<&str> = all.iter().filter_map(|c| foot_of_vertical_grf(c)).collect();
            assert_eq!(feet.len(), nf);
        }
        // A family may be empty on one body (no muscle–tendon units on a rigid one), never on all of them.
        for (i, n) in named.iter().enumerate() {
            assert!(n, "family {i} names no column on any shipped model");
        }
    }
}
