//! `sprint`: a phase-based sprint controller (running-control notes §2.1): every contributor is excited in the
//! same stride — pushing leg (stance extensor bursts), swing leg (hip-flexor and knee-flexor bursts, then placement
//! PD), arms (shoulders counter-phase to the hips, elbow PD), torso (lumbar PD) — plus balance feedback: trunk
//! pitch through the stance hip (SIMBICON), pelvis roll and yaw through the stance hip's ab/adductors and rotators,
//! and swing-foot placement from the COM velocity (Raibert/SIMBICON). Left and right share every parameter.
//!
//! Desired torques are turned into excitations of the group that can produce them, `e = τ / capacity(θ, ω)`
//! clipped to [0, 1], and bursts add excitation on their group; so feedback gains are in N·m/kg (a stronger
//! body keeps its balance feedback) and bursts in excitation units (the push scales with strength).

use serde::{Deserialize, Serialize};

use super::{Actuation, BodyState, Controller, Observation};
use crate::model::Model;

/// Every parameter of the sprint controller (SI units; gains per kg of body mass). Defaults are a starting point
/// for optimisation, not a tuned gait.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SprintParams {
    /// Stance hip-extensor burst: amplitude (excitation), onset and duration after touchdown (s).
    pub push_hip_amp: f64,
    /// Onset of the stance hip-extensor burst after touchdown (s).
    pub push_hip_on: f64,
    /// Duration of the stance hip-extensor burst (s).
    pub push_hip_dur: f64,
    /// Stance knee-extensor burst amplitude.
    pub push_knee_amp: f64,
    /// Onset after touchdown (s).
    pub push_knee_on: f64,
    /// Duration (s).
    pub push_knee_dur: f64,
    /// Stance plantarflexor burst amplitude.
    pub push_ankle_amp: f64,
    /// Onset after touchdown (s).
    pub push_ankle_on: f64,
    /// Duration (s).
    pub push_ankle_dur: f64,
    /// Swing hip-flexor burst amplitude.
    pub swing_hip_amp: f64,
    /// Onset after lift-off (s).
    pub swing_hip_on: f64,
    /// Duration (s).
    pub swing_hip_dur: f64,
    /// Swing knee-flexor burst amplitude (heel recovery).
    pub swing_knee_amp: f64,
    /// Duration after lift-off (s).
    pub swing_knee_dur: f64,
    /// Time after lift-off when the leg is brought to its touchdown posture by PD (s).
    pub reach_time: f64,
    /// Nominal swing-hip flexion at touchdown (rad).
    pub td_hip: f64,
    /// Swing-hip placement gain on forward speed error (rad per m/s).
    pub td_hip_cv: f64,
    /// Target forward speed of the placement law (m/s).
    pub target_speed: f64,
    /// Knee flexion at touchdown (rad).
    pub td_knee: f64,
    /// Ankle dorsiflexion at touchdown (rad).
    pub td_ankle: f64,
    /// Swing PD stiffness (N·m/rad/kg) and damping ratio of its damping (N·m·s/rad/kg = 2·ζ·√kp·0.1).
    pub swing_kp: f64,
    /// Swing PD damping (N·m·s/rad/kg).
    pub swing_kd: f64,
    /// Swing-leg frontal placement gains on lateral COM velocity (rad per m/s) and nominal abduction (rad).
    pub td_add_cv: f64,
    /// Nominal swing-hip adduction at touchdown (rad; negative = abduction).
    pub td_add: f64,
    /// Target trunk pitch (rad, forward lean positive).
    pub trunk_pitch: f64,
    /// Trunk pitch feedback through the stance hip: stiffness (N·m/rad/kg).
    pub trunk_kp: f64,
    /// Damping (N·m·s/rad/kg).
    pub trunk_kd: f64,
    /// Pelvis roll feedback through the stance hip ab/adductors (N·m/rad/kg).
    pub roll_kp: f64,
    /// Damping (N·m·s/rad/kg).
    pub roll_kd: f64,
    /// Pelvis yaw feedback through the stance hip rotators (N·m/rad/kg).
    pub yaw_kp: f64,
    /// Damping (N·m·s/rad/kg).
    pub yaw_kd: f64,
    /// Lumbar PD stiffness (N·m/rad/kg) holding the trunk on the pelvis at `lumbar_flex`.
    pub lumbar_kp: f64,
    /// Lumbar PD damping (N·m·s/rad/kg).
    pub lumbar_kd: f64,
    /// Lumbar flexion target (rad).
    pub lumbar_flex: f64,
    /// Arm swing gain: shoulder flexion target = −arm_gain × (own-side hip flexion − other-side hip flexion)/2
    /// + arm_bias.
    pub arm_gain: f64,
    /// Shoulder flexion bias (rad).
    pub arm_bias: f64,
    /// Elbow flexion target (rad).
    pub elbow: f64,
    /// Arm PD stiffness (N·m/rad/kg).
    pub arm_kp: f64,
    /// Arm PD damping (N·m·s/rad/kg).
    pub arm_kd: f64,
    /// Stance knee and ankle holding stiffness around their touchdown angles (N·m/rad/kg).
    pub stance_kp: f64,
    /// Stance holding damping (N·m·s/rad/kg).
    pub stance_kd: f64,
    /// Time since lift-off of the leg that starts in swing (s).
    pub initial_swing_time: f64,
}

impl Default for SprintParams {
    fn default() -> Self {
        Self {
            push_hip_amp: 0.8,
            push_hip_on: 0.0,
            push_hip_dur: 0.08,
            push_knee_amp: 0.6,
            push_knee_on: 0.0,
            push_knee_dur: 0.06,
            push_ankle_amp: 0.8,
            push_ankle_on: 0.02,
            push_ankle_dur: 0.08,
            swing_hip_amp: 0.8,
            swing_hip_on: 0.0,
            swing_hip_dur: 0.12,
            swing_knee_amp: 0.5,
            swing_knee_dur: 0.08,
            reach_time: 0.18,
            td_hip: 0.45,
            td_hip_cv: 0.05,
            target_speed: 8.0,
            td_knee: 0.4,
            td_ankle: 0.0,
            swing_kp: 4.0,
            swing_kd: 0.3,
            td_add_cv: 0.1,
            td_add: 0.0,
            trunk_pitch: 0.15,
            trunk_kp: 20.0,
            trunk_kd: 2.0,
            roll_kp: 10.0,
            roll_kd: 1.0,
            yaw_kp: 4.0,
            yaw_kd: 0.4,
            lumbar_kp: 10.0,
            lumbar_kd: 1.0,
            lumbar_flex: 0.1,
            arm_gain: 1.0,
            arm_bias: 0.0,
            elbow: 1.4,
            arm_kp: 2.0,
            arm_kd: 0.2,
            stance_kp: 6.0,
            stance_kd: 0.4,
            initial_swing_time: 0.15,
        }
    }
}

/// DOF indices of one leg and arm.
#[derive(Debug, Clone, Copy)]
struct Side {
    hip_flex: usize,
    hip_add: usize,
    hip_rot: usize,
    knee: usize,
    ankle: usize,
    shoulder_flex: usize,
    shoulder_abd: usize,
    elbow: usize,
    /// +1 right, −1 left: the sign that maps pelvis roll/yaw corrections onto this hip's DOFs.
    sign: f64,
}

/// The sprint controller. `side 0` is the right leg (the one on the ground at t = 0), `side 1` the left.
#[derive(Debug, Clone)]
pub struct Sprint {
    /// Parameters.
    pub p: SprintParams,
    sides: [Side; 2],
    lumbar: [usize; 3],
    /// Foot index (in `Model::feet`) of each side.
    foot: [usize; 2],
    stance: [bool; 2],
    since: [f64; 2],
    pending: [f64; 2],
    mass: f64,
    bw: f64,
}

impl Sprint {
    /// A sprint controller for a model with the sprinter DOF names (`hip_flex_r`, `knee_l`, …).
    pub fn new(model: &Model, p: SprintParams) -> Result<Self, String> {
        let dof = |n: &str| {
            model
                .dof_index(n)
                .ok_or_else(|| format!("the sprint controller needs DOF `{n}`"))
        };
        let side = |s: &str, sign: f64| -> Result<Side, String> {
            Ok(Side {
                hip_flex: dof(&format!("hip_flex_{s}"))?,
                hip_add: dof(&format!("hip_add_{s}"))?,
                hip_rot: dof(&format!("hip_rot_{s}"))?,
                knee: dof(&format!("knee_{s}"))?,
                ankle: dof(&format!("ankle_{s}"))?,
                shoulder_flex: dof(&format!("shoulder_flex_{s}"))?,
                shoulder_abd: dof(&format!("shoulder_abd_{s}"))?,
                elbow: dof(&format!("elbow_{s}"))?,
                sign,
            })
        };
        let foot = |s: &str| {
            model
                .feet
                .iter()
                .position(|&f| model.segments[f].name == format!("foot_{s}"))
                .ok_or_else(|| format!("the sprint controller needs a contact foot `foot_{s}`"))
        };
        Ok(Self {
            sides: [side("r", 1.0)?, side("l", -1.0)?],
            lumbar: [dof("lumbar_flex")?, dof("lumbar_bend")?, dof("lumbar_rot")?],
            foot: [foot("r")?, foot("l")?],
            stance: [true, false],
            since: [0.0, -p.initial_swing_time],
            pending: [0.0; 2],
            mass: model.mass,
            bw: model.body_weight,
            p,
        })
    }

    /// Touchdown/lift-off with hysteresis (0.1 / 0.05 BW, held 3 ms), from the previous step's GRF.
    fn update_phases(&mut self, t: f64, body: &BodyState) {
        for k in 0..2 {
            let fz = body.grf[self.foot[k]][2];
            let switching = if self.stance[k] {
                fz < 0.05 * self.bw
            } else {
                fz > 0.1 * self.bw
            };
            if switching {
                if self.pending[k] == 0.0 {
                    self.pending[k] = t.max(1e-12);
                }
                if t - self.pending[k] >= 0.003 {
                    self.stance[k] = !self.stance[k];
                    self.since[k] = self.pending[k];
                    self.pending[k] = 0.0;
                }
            } else {
                self.pending[k] = 0.0;
            }
        }
    }
}

/// Rotates (0,0,1) and (1,0,0) by a quaternion (w, x, y, z): (z axis, x axis) in world.
fn axes(q: [f64; 4]) -> ([f64; 3], [f64; 3]) {
    let [w, x, y, z] = q;
    let zax = [
        2.0 * (x * z + w * y),
        2.0 * (y * z - w * x),
        1.0 - 2.0 * (x * x + y * y),
    ];
    let xax = [
        1.0 - 2.0 * (y * y + z * z),
        2.0 * (x * y + w * z),
        2.0 * (x * z - w * y),
    ];
    (zax, xax)
}

impl Controller for Sprint {
    fn needs_body(&self) -> bool {
        true
    }

    fn initial_actuation(&self, model: &Model) -> Actuation {
        Actuation::Excitation(vec![[0.0; 2]; model.dofs.len()])
    }

    fn actuate(&mut self, model: &Model, obs: &Observation<'_>, out: &mut Actuation) {
        let Actuation::Excitation(e) = out else {
            *out = self.initial_actuation(model);
            return self.actuate(model, obs, out);
        };
        let Some(body) = obs.body else { return };
        self.update_phases(obs.t, body);
        let p = self.p.clone();
        let m = self.mass;
        let (q, qd) = (obs.q, obs.qd);
        e.iter_mut().for_each(|x| *x = [0.0; 2]);
        // Desired torque (N·m) → excitation on the group that can deliver it; bursts add on top.
        let drive = |e: &mut Vec<[f64; 2]>, i: usize, tau: f64| {
            let (k, sign) = if tau >= 0.0 { (0, 1.0) } else { (1, -1.0) };
            let (cap, _) = model.dofs[i].generators[k].capacity(q[i], qd[i], sign);
            let x = if cap > 1e-9 { tau.abs() / cap } else { 1.0 };
            e[i][k] = (e[i][k] + x).min(1.0);
        };
        let burst = |e: &mut Vec<[f64; 2]>, i: usize, group: usize, amp: f64, t: f64, on: f64, dur: f64| {
            if t >= on && t < on + dur {
                e[i][group] = (e[i][group] + amp).clamp(0.0, 1.0);
            }
        };
        let pd = |i: usize, target: f64, kp: f64, kd: f64| m * (kp * (target - q[i]) - kd * qd[i]);

        // Trunk and pelvis orientation (world), and their rates.
        let (zt, _) = axes(body.trunk_rot);
        let pitch = zt[0].atan2(zt[2]);
        let (zp, xp) = axes(body.pelvis_rot);
        let roll = (-zp[1]).clamp(-1.0, 1.0).asin();
        let yaw = xp[1].atan2(xp[0]);
        let (wt, wp) = (body.trunk_angvel, body.pelvis_angvel);
        let stance_load: Vec<f64> = (0..2).map(|k| body.grf[self.foot[k]][2].max(0.0)).collect();
        let total_load = stance_load[0] + stance_load[1];

        // Both legs, by index: side k and its foot, phase and load are parallel arrays.
        #[allow(clippy::needless_range_loop)]
        for k in 0..2 {
            let s = self.sides[k];
            let o = self.sides[1 - k];
            let t = obs.t - self.since[k];
            if self.stance[k] {
                burst(e, s.hip_flex, 1, p.push_hip_amp, t, p.push_hip_on, p.push_hip_dur);
                burst(e, s.knee, 1, p.push_knee_amp, t, p.push_knee_on, p.push_knee_dur);
                burst(e, s.ankle, 1, p.push_ankle_amp, t, p.push_ankle_on, p.push_ankle_dur);
                // Balance through the stance hip, weighted by this foot's share of the load (none in flight).
                let w = if total_load > 1.0 {
                    stance_load[k] / total_load
                } else {
                    0.0
                };
                drive(
                    e,
                    s.hip_flex,
                    -w * m * (p.trunk_kp * (pitch - p.trunk_pitch) + p.trunk_kd * wt[1]),
                );
                drive(e, s.hip_add, w * s.sign * m * (p.roll_kp * roll + p.roll_kd * wp[0]));
                drive(e, s.hip_rot, w * s.sign * m * (p.yaw_kp * yaw + p.yaw_kd * wp[2]));
                drive(e, s.knee, pd(s.knee, p.td_knee, p.stance_kp, p.stance_kd));
                drive(e, s.ankle, pd(s.ankle, p.td_ankle, p.stance_kp, p.stance_kd));
            } else {
                burst(e, s.hip_flex, 0, p.swing_hip_amp, t, p.swing_hip_on, p.swing_hip_dur);
                burst(e, s.knee, 0, p.swing_knee_amp, t, 0.0, p.swing_knee_dur);
                if t >= p.reach_time {
                    let target = p.td_hip + p.td_hip_cv * (body.com_vel[0] - p.target_speed);
                    drive(e, s.hip_flex, pd(s.hip_flex, target, p.swing_kp, p.swing_kd));
                    drive(e, s.knee, pd(s.knee, p.td_knee, p.swing_kp, p.swing_kd));
                }
                drive(e, s.ankle, pd(s.ankle, p.td_ankle, p.swing_kp, p.swing_kd));
                // Frontal placement: step towards where the COM is heading (sign maps to adduction per side).
                let add = p.td_add + s.sign * p.td_add_cv * body.com_vel[1];
                drive(e, s.hip_add, pd(s.hip_add, add, p.swing_kp, p.swing_kd));
                drive(e, s.hip_rot, pd(s.hip_rot, 0.0, p.swing_kp, p.swing_kd));
            }
            // Arms in counter-phase to the legs.
            let arm = -p.arm_gain * 0.5 * (q[s.hip_flex] - q[o.hip_flex]) + p.arm_bias;
            drive(e, s.shoulder_flex, pd(s.shoulder_flex, arm, p.arm_kp, p.arm_kd));
            drive(e, s.shoulder_abd, pd(s.shoulder_abd, 0.1, p.arm_kp, p.arm_kd));
            drive(e, s.elbow, pd(s.elbow, p.elbow, p.arm_kp, p.arm_kd));
        }
        let [lf, lb, lr] = self.lumbar;
        drive(e, lf, pd(lf, p.lumbar_flex, p.lumbar_kp, p.lumbar_kd));
        drive(e, lb, pd(lb, 0.0, p.lumbar_kp, p.lumbar_kd));
        drive(e, lr, pd(lr, 0.0, p.lumbar_kp, p.lumbar_kd));
    }
}
