//! Stride metrics, one row per stance (`steps.csv`), and their means over the steady steps.
//!
//! A step runs from one foot's touchdown to the next touchdown of any foot. Feed [`StepRecorder`] every step;
//! [`StepRecorder::rows`] pairs the recorded samples with the stances found by [`super::PushMeter`].

use serde::{Deserialize, Serialize};

use super::Stance;
use crate::model::Model;
use crate::sim::{Simulator, State, StepReport};

/// Steps before this index are the run-in (two strides from the start state: a run started from a touchdown state
/// settles into its own speed and rhythm over them); the rest are "steady" (their means go to `summary.json`).
pub const STEADY_FROM: usize = 4;

#[derive(Debug, Clone)]
struct Sample {
    t: f64,
    foot_x: Vec<f64>,
    com_z: f64,
    com_x: f64,
    trunk_pitch: f64,
    trunk_yaw: f64,
    torque: Vec<f64>,
    /// Net joint power per DOF, (generator + passive torque) × joint angular velocity at the end of the step (W).
    power: Vec<f64>,
    fz: Vec<f64>,
    /// Stored energy of each muscle–tendon unit's tendon, [`Model::units`] order (J); empty on a rigid body.
    tendon: Vec<f64>,
}

/// Records what the step metrics need, every simulation step.
#[derive(Debug, Clone)]
pub struct StepRecorder {
    samples: Vec<Sample>,
    trunk: usize,
    /// Time step (s): the interval each sample's power acts over.
    dt: f64,
    /// Per foot, its leg's DOFs (hip to toe, model order) as `(joint name without the side suffix, DOF index)`.
    legs: Vec<Vec<(String, usize)>>,
    /// Per foot, the muscle–tendon units (indices into [`Model::units`]) whose driven DOF is in its leg.
    leg_units: Vec<Vec<usize>>,
}

/// One row of `steps.csv` (SI units unless the name says BW or per kg).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRow {
    /// Step number (0-based, in touchdown order).
    pub step: usize,
    /// Foot segment of the stance.
    pub side: String,
    /// Touchdown time (s).
    pub touchdown: f64,
    /// Contact time (s).
    pub contact_time: f64,
    /// Flight time to the next touchdown (s); NaN for the last step.
    pub flight_time: f64,
    /// Step length: forward distance between this touchdown's ankle and the next touchdown's ankle (m).
    pub step_length: f64,
    /// Step frequency, 1 / (next touchdown − this touchdown) (Hz).
    pub step_frequency: f64,
    /// Forward COM speed over the step, COM displacement / step time (m/s).
    pub speed: f64,
    /// Peak vertical GRF (BW).
    pub peak_vertical_grf_bw: f64,
    /// Stance-averaged vertical GRF (BW).
    pub mean_vertical_grf_bw: f64,
    /// Mean vertical GRF over the first half of contact (BW).
    pub first_half_vertical_grf_bw: f64,
    /// Mean vertical GRF over the second half of contact (BW).
    pub second_half_vertical_grf_bw: f64,
    /// Propulsive impulse ∫max(Fx, 0) dt (N·s).
    pub propulsive_impulse: f64,
    /// Braking impulse ∫min(Fx, 0) dt (N·s, ≤ 0).
    pub braking_impulse: f64,
    /// Fraction of contact with Fx < 0.
    pub braking_share: f64,
    /// COM vertical excursion during contact, max − min (m).
    pub com_vertical_excursion: f64,
    /// Trunk pitch range over the step, max − min (rad).
    pub trunk_angle_range: f64,
    /// Mean trunk pitch over the step (rad, forward lean positive).
    pub trunk_pitch_mean: f64,
    /// Trunk yaw (rotation about the vertical) range over the step, max − min (rad).
    pub trunk_yaw_range: f64,
    /// Net horizontal impulse of the stance, propulsive + braking (N·s).
    pub net_horizontal_impulse: f64,
    /// Forward COM speed dip during contact: (speed at touchdown − lowest speed in contact) / speed at
    /// touchdown (dimensionless; speeds from COM positions one simulation step apart).
    pub contact_speed_dip: f64,
    /// Touchdown distance: how far the stance foot's ankle is ahead of the COM at touchdown, forward positive (m).
    pub touchdown_distance: f64,
    /// Forward velocity of the stance foot's ankle over the simulation step before touchdown (m/s): how far the
    /// swing leg's retraction brought the foot towards rest relative to the ground (0 = landing still).
    pub foot_touchdown_speed: f64,
    /// Peak torque of each muscle group over the step, both sides, by group name (N·m/kg).
    pub peak_group_torque_nm_per_kg: Vec<(String, f64)>,
    /// Per joint DOF of the stance leg (name without the side suffix: `hip_flex`, `knee`, `ankle`, `mtp`…), the
    /// positive and the negative work of the net joint torque over the stance (touchdown to lift-off), ∫max(τω, 0)
    /// dt and ∫min(τω, 0) dt (J), τ the generators' plus the passive torque (damping, joint spring, range stops)
    /// and ω the joint angular velocity. NaN for a DOF the stance leg lacks.
    pub joint_work_j: Vec<(String, [f64; 2])>,
    /// Bodies with muscle–tendon units only (series-elastic or two-joint generators): the elastic energy the
    /// stance leg's tendons took up over the stance, Σ∫max(dE, 0), and gave back, Σ∫max(−dE, 0), summed over the
    /// leg's units from the sample before touchdown to lift-off (J). `None` on a rigid body (no columns).
    pub tendon_j: Option<[f64; 2]>,
}

impl StepRecorder {
    /// A recorder for a model (trunk = segment `torso`, else the root).
    pub fn new(model: &Model) -> Self {
        Self {
            samples: Vec::new(),
            trunk: model.segment_index("torso").unwrap_or(0),
            dt: 0.0,
            legs: model.feet.iter().map(|&f| leg_dofs(model, f)).collect(),
            leg_units: model
                .feet
                .iter()
                .map(|&f| {
                    let leg = leg_dofs(model, f);
                    (0..model.units.len())
                        .filter(|&u| leg.iter().any(|&(_, i)| i == model.units[u].drive.0))
                        .collect()
                })
                .collect(),
        }
    }

    /// Records the state after a step.
    pub fn feed(&mut self, sim: &Simulator, state: &State, report: &StepReport) {
        let m = &sim.model;
        let r = sim.segment_pose(state, self.trunk).1;
        let z = r * rapier3d_f64::math::Vector::Z;
        let x = r * rapier3d_f64::math::Vector::X;
        let com = sim.measures(state).com;
        self.dt = sim.world.dt;
        let n = m.dofs.len();
        let (mut q, mut qd) = (vec![0.0; n], vec![0.0; n]);
        sim.joint_state(state, &mut q, &mut qd);
        let power = (0..n)
            .map(|i| (report.torque[i] + report.passive_torque[i]) * qd[i])
            .collect();
        self.samples.push(Sample {
            t: state.t,
            foot_x: m.feet.iter().map(|&f| sim.segment_pose(state, f).0.x).collect(),
            com_z: com[2],
            com_x: com[0],
            trunk_pitch: z.x.atan2(z.z),
            trunk_yaw: x.y.atan2(x.x),
            torque: report.torque.clone(),
            power,
            fz: report.grf.iter().map(|g| g[2]).collect(),
            // The stretch is the state: no joint angles needed (as `Simulator::unit_measures` computes them).
            tendon: m
                .units
                .iter()
                .zip(&state.tendon)
                .map(|(u, &[d, _])| u.tendon.energy(d))
                .collect(),
        });
    }

    /// The step rows for the given stances (touchdown order).
    pub fn rows(&self, model: &Model, stances: &[Stance]) -> Vec<StepRow> {
        let bw = model.body_weight;
        let idx = |t: f64| self.samples.partition_point(|s| s.t < t - 1e-12);
        let mut out = Vec::new();
        for (k, st) in stances.iter().enumerate() {
            let next = stances.get(k + 1);
            let t_end = next.map_or(self.samples.last().map_or(st.touchdown, |s| s.t), |n| n.touchdown);
            let lo = st.lift_off.unwrap_or(t_end);
            let (i0, i_lo, i1) = (idx(st.touchdown), idx(lo), idx(t_end).max(idx(st.touchdown) + 1));
            let contact = &self.samples[i0.min(self.samples.len())..i_lo.min(self.samples.len())];
            // The contact and the sample before touchdown (speeds and energies change from there).
            let with_before = &self.samples[i0.saturating_sub(1)..i_lo.min(self.samples.len())];
            let step = &self.samples[i0.min(self.samples.len())..i1.min(self.samples.len())];
            let half = contact.len() / 2;
            let mean_fz = |ss: &[Sample]| {
                if ss.is_empty() {
                    f64::NAN
                } else {
                    ss.iter().map(|s| s.fz[st.foot]).sum::<f64>() / ss.len() as f64 / bw
                }
            };
            let range = |f: &dyn Fn(&Sample) -> f64, ss: &[Sample]| {
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for s in ss {
                    lo = lo.min(f(s));
                    hi = hi.max(f(s));
                }
                if ss.is_empty() {
                    f64::NAN
                } else {
                    hi - lo
                }
            };
            let step_time = next.map_or(f64::NAN, |n| n.touchdown - st.touchdown);
            let step_length = match (next, step.first(), self.samples.get(i1)) {
                (Some(n), Some(a), Some(b)) => b.foot_x[n.foot] - a.foot_x[st.foot],
                _ => f64::NAN,
            };
            let speed = match (step.first(), step.last()) {
                (Some(a), Some(b)) if b.t > a.t => (b.com_x - a.com_x) / (b.t - a.t),
                _ => f64::NAN,
            };
            // Every group of the model gets a column, 0 when it produced no torque in this step: rows stay aligned
            // (a passive contributor, e.g. arms off, has groups that never act).
            let mut peaks: Vec<(String, f64)> = Vec::new();
            for g in model
                .dofs
                .iter()
                .filter(|d| !d.passive)
                .flat_map(|d| d.generators.iter())
            {
                if !peaks.iter().any(|(n, _)| *n == g.params.group) {
                    peaks.push((g.params.group.clone(), 0.0));
                }
            }
            for (i, d) in model.dofs.iter().enumerate().filter(|(_, d)| !d.passive) {
                for s in step {
                    let tau = s.torque[i];
                    let g = &d.generators[if tau >= 0.0 { 0 } else { 1 }].params.group;
                    let v = tau.abs() / model.mass;
                    match peaks.iter_mut().find(|(n, _)| n == g) {
                        Some((_, p)) => *p = p.max(v),
                        None => peaks.push((g.clone(), v)),
                    }
                }
            }
            peaks.sort_by(|a, b| a.0.cmp(&b.0));
            // Forward COM speed between consecutive samples of the contact (and the one before touchdown).
            let speeds: Vec<f64> = with_before
                .windows(2)
                .map(|w| (w[1].com_x - w[0].com_x) / (w[1].t - w[0].t))
                .collect();
            let contact_speed_dip = match speeds.first() {
                Some(&v0) if v0 > 0.0 => (v0 - speeds.iter().copied().fold(f64::INFINITY, f64::min)) / v0,
                _ => f64::NAN,
            };
            let mean_of = |f: &dyn Fn(&Sample) -> f64, ss: &[Sample]| ss.iter().map(f).sum::<f64>() / ss.len() as f64;
            // The first contact sample, and the last two in flight before it (none when the run starts in contact).
            let touchdown_distance = self.samples.get(i0).map_or(f64::NAN, |s| s.foot_x[st.foot] - s.com_x);
            let foot_touchdown_speed = match i0.checked_sub(2).map(|i| (&self.samples[i], &self.samples[i + 1])) {
                Some((a, b)) => (b.foot_x[st.foot] - a.foot_x[st.foot]) / (b.t - a.t),
                None => f64::NAN,
            };
            out.push(StepRow {
                step: k,
                side: st.foot_name.clone(),
                touchdown: st.touchdown,
                contact_time: st.contact_time,
                flight_time: next.map_or(f64::NAN, |n| n.touchdown - lo),
                step_length,
                step_frequency: 1.0 / step_time,
                speed,
                peak_vertical_grf_bw: st.peak_vertical_force_bw,
                mean_vertical_grf_bw: st.mean_vertical_force_bw,
                first_half_vertical_grf_bw: mean_fz(&contact[..half]),
                second_half_vertical_grf_bw: mean_fz(&contact[half..]),
                propulsive_impulse: st.propulsive_impulse,
                braking_impulse: st.braking_impulse,
                braking_share: st.braking_fraction,
                com_vertical_excursion: range(&|s| s.com_z, contact),
                trunk_angle_range: range(&|s| s.trunk_pitch, step),
                trunk_pitch_mean: mean_of(&|s| s.trunk_pitch, step),
                trunk_yaw_range: range(&|s| s.trunk_yaw, step),
                net_horizontal_impulse: st.propulsive_impulse + st.braking_impulse,
                contact_speed_dip,
                touchdown_distance,
                foot_touchdown_speed,
                peak_group_torque_nm_per_kg: peaks,
                joint_work_j: self.joint_work(st.foot, contact),
                tendon_j: (!model.units.is_empty()).then(|| self.tendon_exchange(st.foot, with_before)),
            });
        }
        out
    }
}

impl StepRecorder {
    /// Positive and negative net joint work over `contact` per joint of foot `foot`'s leg, in the columns of the
    /// first foot's leg (J).
    fn joint_work(&self, foot: usize, contact: &[Sample]) -> Vec<(String, [f64; 2])> {
        let Some(columns) = self.legs.first() else {
            return Vec::new();
        };
        columns
            .iter()
            .map(|(name, _)| {
                let dof = self.legs[foot].iter().find(|(n, _)| n == name).map(|&(_, i)| i);
                let work = match dof {
                    None => [f64::NAN; 2],
                    Some(i) => {
                        let (mut pos, mut neg) = (0.0, 0.0);
                        for s in contact {
                            let e = s.power[i] * self.dt;
                            if e > 0.0 {
                                pos += e;
                            } else {
                                neg += e;
                            }
                        }
                        [pos, neg]
                    }
                };
                (name.clone(), work)
            })
            .collect()
    }
}

impl StepRecorder {
    /// Energy taken up and given back by the tendons of foot `foot`'s leg over consecutive `samples` (J).
    fn tendon_exchange(&self, foot: usize, samples: &[Sample]) -> [f64; 2] {
        let (mut stored, mut returned) = (0.0, 0.0);
        for w in samples.windows(2) {
            for &u in &self.leg_units[foot] {
                let de = w[1].tendon[u] - w[0].tendon[u];
                if de > 0.0 {
                    stored += de;
                } else {
                    returned -= de;
                }
            }
        }
        [stored, returned]
    }
}

/// The DOFs of the leg ending in foot segment `foot`: its chain of parents below the root, the foot, and the
/// segments hanging from the foot (a toe), in model DOF order, named without the side suffix `_r`/`_l`.
fn leg_dofs(model: &Model, foot: usize) -> Vec<(String, usize)> {
    let mut segs = vec![foot];
    let mut p = model.segments[foot].parent;
    while let Some(s) = p.filter(|&s| model.segments[s].parent.is_some()) {
        segs.push(s);
        p = model.segments[s].parent;
    }
    segs.extend((0..model.segments.len()).filter(|&s| model.segments[s].parent == Some(foot)));
    (0..model.dofs.len())
        .filter(|&i| segs.contains(&model.dofs[i].segment))
        .map(|i| {
            let name = &model.dofs[i].name;
            let base = name
                .strip_suffix("_r")
                .or_else(|| name.strip_suffix("_l"))
                .unwrap_or(name);
            (base.to_string(), i)
        })
        .collect()
}

/// A numeric column of `steps.csv`: its name and how a row gives its value.
pub type StepColumn = (&'static str, fn(&StepRow) -> f64);

/// The numeric columns of `steps.csv` in file order, after `step` and `side` and before the per-group peaks
/// (`peak_<group>_nm_per_kg`, one per muscle group of the model): the one registry the writer, the steady means
/// and the sweep's `steady_*` columns use.
pub const COLUMNS: &[StepColumn] = &[
    ("touchdown", |r| r.touchdown),
    ("contact_time", |r| r.contact_time),
    ("flight_time", |r| r.flight_time),
    ("step_length", |r| r.step_length),
    ("step_frequency", |r| r.step_frequency),
    ("speed", |r| r.speed),
    ("peak_vertical_grf_bw", |r| r.peak_vertical_grf_bw),
    ("mean_vertical_grf_bw", |r| r.mean_vertical_grf_bw),
    ("first_half_vertical_grf_bw", |r| r.first_half_vertical_grf_bw),
    ("second_half_vertical_grf_bw", |r| r.second_half_vertical_grf_bw),
    ("propulsive_impulse", |r| r.propulsive_impulse),
    ("braking_impulse", |r| r.braking_impulse),
    ("braking_share", |r| r.braking_share),
    ("com_vertical_excursion", |r| r.com_vertical_excursion),
    ("trunk_angle_range", |r| r.trunk_angle_range),
    ("trunk_pitch_mean", |r| r.trunk_pitch_mean),
    ("trunk_yaw_range", |r| r.trunk_yaw_range),
    ("net_horizontal_impulse", |r| r.net_horizontal_impulse),
    ("contact_speed_dip", |r| r.contact_speed_dip),
    ("touchdown_distance", |r| r.touchdown_distance),
    ("foot_touchdown_speed", |r| r.foot_touchdown_speed),
];

impl StepRow {
    /// The numeric values in file order: [`COLUMNS`], the group peaks, the joint work (positive, negative per
    /// joint), then the tendon energy taken up and given back (bodies with muscle–tendon units).
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        COLUMNS
            .iter()
            .map(move |(_, f)| f(self))
            .chain(self.peak_group_torque_nm_per_kg.iter().map(|(_, x)| *x))
            .chain(self.joint_work_j.iter().flat_map(|(_, w)| *w))
            .chain(self.tendon_j.into_iter().flatten())
    }
}

/// The header of `steps.csv` for these rows: `step`, `side`, [`COLUMNS`], the group peaks of the first row, then
/// its stance-leg joint work, `work_pos_<joint>_j` and `work_neg_<joint>_j` per joint, then [`TENDON_COLUMNS`]
/// on a body with muscle–tendon units.
pub fn header(rows: &[StepRow]) -> Vec<String> {
    let mut cols: Vec<String> = ["step", "side"].iter().map(|s| s.to_string()).collect();
    cols.extend(COLUMNS.iter().map(|(n, _)| n.to_string()));
    if let Some(r) = rows.first() {
        cols.extend(
            r.peak_group_torque_nm_per_kg
                .iter()
                .map(|(g, _)| format!("peak_{g}_nm_per_kg")),
        );
        for (j, _) in &r.joint_work_j {
            cols.push(format!("work_pos_{j}_j"));
            cols.push(format!("work_neg_{j}_j"));
        }
        if r.tendon_j.is_some() {
            cols.extend(TENDON_COLUMNS.map(String::from));
        }
    }
    cols
}

/// The last two columns of `steps.csv` on a body with muscle–tendon units: [`StepRow::tendon_j`].
pub const TENDON_COLUMNS: [&str; 2] = ["tendon_stored_j", "tendon_returned_j"];

/// Means of the numeric step metrics over the steady steps (index ≥ [`STEADY_FROM`], complete steps only), named
/// as their `steps.csv` columns.
pub fn steady_means(rows: &[StepRow]) -> Vec<(String, f64)> {
    let steady: Vec<&StepRow> = rows
        .iter()
        .skip(STEADY_FROM)
        .filter(|r| r.step_frequency.is_finite())
        .collect();
    if steady.is_empty() {
        return Vec::new();
    }
    let values: Vec<Vec<f64>> = steady.iter().map(|r| r.values().collect()).collect();
    header(rows)
        .into_iter()
        .skip(2)
        .enumerate()
        .map(|(j, c)| {
            let sum: f64 = values.iter().map(|v| v[j]).sum();
            (c, sum / values.len() as f64)
        })
        .collect()
}
