//! `sprint`: a phase-based sprint controller (running-control notes §2.1) in which every contributor works in the
//! same stride, plus balance feedback.
//!
//! - **Pushing (stance) leg**: a virtual leg spring between the hip and the ball of the foot (Raibert; the
//!   spring-mass model of running): the axial force `m·(k·(L_td + thrust − L) − c·L̇)` is turned into knee and
//!   ankle torques by the leg's Jacobian transpose (the moment of that force about each joint), the rest length
//!   growing by `leg_thrust` once the leg starts to re-extend (energy input); extensor bursts add feed-forward push.
//!   The stance hip holds the trunk pitch (SIMBICON: world-frame PD on the trunk, weighted by this foot's share of the
//!   load, nothing in flight), its ab/adductors the pelvis roll, its rotators the pelvis yaw.
//! - **Swing leg**: hip-flexor and knee-flexor bursts after lift-off, the thigh driven in the world frame towards a
//!   high-knee angle, then back (retraction) towards its touchdown angle, which moves with the speed error
//!   (Raibert/SIMBICON foot placement); the knee opens to its touchdown angle; frontal placement from the lateral
//!   COM velocity.
//! - **Arms**: shoulders in counter-phase to the hips, elbows held bent. **Torso**: lumbar PD.
//! - Options, off by default: touchdown preparation, a foot-speed retraction of the swing leg, and a reflex stance
//!   (Geyer & Herr 2010's positive force feedback on the stance extensors).
//!
//! Desired torques become excitations of the group that can produce them, `e = τ / capacity(θ, ω)` clipped to
//! [0, 1]; bursts add excitation on their group. So feedback gains are in N·m/kg (a stronger body keeps its balance
//! feedback, and strength caps what the feedback can get) and bursts in excitation units (push scales with
//! strength). Left and right share every parameter.

use serde::{Deserialize, Serialize};

use super::{Actuation, BodyState, Controller, Observation};
use crate::model::Model;

/// Every parameter of the sprint controller (SI units; gains per kg of body mass). Defaults are a starting point
/// for optimisation, not a tuned gait.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SprintParams {
    /// Virtual leg stiffness of the stance leg, hip to ball of foot (N/m per kg). Default 300.
    pub leg_k: f64,
    /// Virtual leg damping (N·s/m per kg). Default 2.
    pub leg_c: f64,
    /// Rest-length increase once the stance leg re-extends (m): the thrust that replaces the energy lost in
    /// stance. Default 0.03.
    pub leg_thrust: f64,
    /// Stance hip-extensor burst amplitude (excitation). Default 0.3.
    pub push_hip_amp: f64,
    /// Onset of the stance hip-extensor burst after touchdown (s). Default 0.
    pub push_hip_on: f64,
    /// Duration of the stance hip-extensor burst (s). Default 0.06.
    pub push_hip_dur: f64,
    /// Stance knee-extensor burst amplitude. Default 0.
    pub push_knee_amp: f64,
    /// Onset after touchdown (s). Default 0.03.
    pub push_knee_on: f64,
    /// Duration (s). Default 0.05.
    pub push_knee_dur: f64,
    /// Stance plantarflexor burst amplitude. Default 0.
    pub push_ankle_amp: f64,
    /// Onset after touchdown (s). Default 0.04.
    pub push_ankle_on: f64,
    /// Duration (s). Default 0.05.
    pub push_ankle_dur: f64,
    /// Stance ankle target (rad, dorsiflexion positive) held with `ankle_kp`. Default 0.
    pub stance_ankle: f64,
    /// Ankle holding stiffness in stance and swing (N·m/rad per kg). Default 2.
    pub ankle_kp: f64,
    /// Ankle holding damping (N·m·s/rad per kg). Default 0.05.
    pub ankle_kd: f64,
    /// Swing hip-flexor burst amplitude. Default 0.6.
    pub swing_hip_amp: f64,
    /// Its onset after lift-off (s). Default 0.
    pub swing_hip_on: f64,
    /// Its duration (s). Default 0.1.
    pub swing_hip_dur: f64,
    /// Swing knee-flexor burst amplitude (heel recovery), from lift-off. Default 0.3.
    pub swing_knee_amp: f64,
    /// Its duration (s). Default 0.06.
    pub swing_knee_dur: f64,
    /// World-frame thigh angle (rad, knee forward of hip positive) the swing hip drives towards before
    /// `reach_time`. Default 1.1.
    pub thigh_peak: f64,
    /// Swing knee flexion target before `reach_time` (rad). Default 1.8.
    pub knee_swing: f64,
    /// Earliest time after lift-off at which the swing leg turns from recovery to reaching for touchdown (s).
    /// Default 0.12.
    pub reach_time: f64,
    /// The swing leg turns to reaching only once its world-frame thigh angle has come this far forward (rad), so
    /// the knee does not open while the foot is still behind (and scuffs the ground). Default 0.7.
    pub reach_thigh: f64,
    /// World-frame thigh angle at touchdown (rad). Default 0.45.
    pub td_thigh: f64,
    /// Touchdown thigh-angle gain on forward speed error (rad per m/s; faster than target → reach further).
    /// Default 0.05.
    pub td_cv: f64,
    /// Touchdown thigh-angle gain on the COM's forward distance ahead of the other (stance) foot's ankle (rad per
    /// m; SIMBICON's c_d, 0 in its running gait). Default 0.
    pub td_cd: f64,
    /// Target forward speed of the placement law (m/s). Default 8.
    pub target_speed: f64,
    /// Knee flexion at touchdown (rad). Default 0.3.
    pub td_knee: f64,
    /// Ankle angle before touchdown (rad, dorsiflexion positive). Default 0.
    pub td_ankle: f64,
    /// Swing PD stiffness (N·m/rad per kg). Default 6.
    pub swing_kp: f64,
    /// Swing PD damping (N·m·s/rad per kg). Default 0.4.
    pub swing_kd: f64,
    /// Nominal lateral angle of the swing leg away from the midline at touchdown (rad). Default 0.03.
    pub td_width: f64,
    /// Lateral placement gain on the COM's lateral velocity (rad per m/s). Default 0.1.
    pub td_lat_cv: f64,
    /// Lateral placement gain on the COM's lateral distance from the other (stance) foot's ankle (rad per m).
    /// Default 0.
    pub td_lat_cd: f64,
    /// Target trunk pitch (rad, forward lean positive). Default 0.15.
    pub trunk_pitch: f64,
    /// Trunk pitch feedback through the stance hip: stiffness (N·m/rad per kg). Default 20.
    pub trunk_kp: f64,
    /// Its damping (N·m·s/rad per kg). Default 2.
    pub trunk_kd: f64,
    /// Pelvis roll feedback through the stance hip ab/adductors (N·m/rad per kg). Default 10.
    pub roll_kp: f64,
    /// Its damping (N·m·s/rad per kg). Default 1.
    pub roll_kd: f64,
    /// Pelvis yaw feedback through the stance hip rotators (N·m/rad per kg). Default 4.
    pub yaw_kp: f64,
    /// Its damping (N·m·s/rad per kg). Default 0.4.
    pub yaw_kd: f64,
    /// Lumbar PD stiffness (N·m/rad per kg) holding the trunk on the pelvis at `lumbar_flex`. Default 10.
    pub lumbar_kp: f64,
    /// Lumbar PD damping (N·m·s/rad per kg). Default 1.
    pub lumbar_kd: f64,
    /// Lumbar flexion target (rad). Default 0.1.
    pub lumbar_flex: f64,
    /// Arm swing gain: shoulder flexion target = −arm_gain × (own-side hip flexion − other-side hip flexion)/2
    /// + arm_bias. Default 1.
    pub arm_gain: f64,
    /// Shoulder flexion bias (rad). Default 0.
    pub arm_bias: f64,
    /// Elbow flexion target (rad). Default 1.4.
    pub elbow: f64,
    /// Arm PD stiffness (N·m/rad per kg). Default 2.
    pub arm_kp: f64,
    /// Arm PD damping (N·m·s/rad per kg). Default 0.2.
    pub arm_kd: f64,
    /// Scale on every arm excitation (shoulders and elbows; dimensionless): 1 = as computed, 0 = passive arms
    /// (the arms-off comparison). Default 1.
    pub arm_excitation: f64,
    /// Scale on every excitation of the leg that is in swing (all its DOFs; dimensionless): 0 = a passive swing leg
    /// (with `arm_excitation = torso_excitation = 0`: the Pushing-Leg Force condition of docs/design.md §1). Default 1.
    pub swing_excitation: f64,
    /// Scale on every lumbar excitation (dimensionless): 0 = a passive torso. Default 1.
    pub torso_excitation: f64,
    /// Extra stance hip-extensor excitation per m/s that the COM runs below `target_speed`, over the whole stance
    /// (speed feedback on the push). Default 0.
    pub push_speed_gain: f64,
    /// Time since lift-off of the leg that starts in swing (s). Default 0.15.
    pub initial_swing_time: f64,
    /// Delay after the swing leg turns to reaching before the touchdown preparation below starts (s). Default 0.05.
    #[serde(skip_serializing_if = "is_default_pre_delay")]
    pub pre_delay: f64,
    /// Knee-extensor excitation of the swing leg from `pre_delay` after it turns to reaching until touchdown: the
    /// pre-activation that makes the knee stiff at impact (a series-elastic extensor needs its tendon loaded before
    /// the foot lands; activation alone takes 10 ms). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub pre_knee_amp: f64,
    /// Plantarflexor excitation of the swing leg over the same window: the stiff ankle at touchdown (Clark & Weyand's
    /// "wind-up and delivery"). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub pre_ankle_amp: f64,
    /// Hip-extensor excitation of the swing leg over the same window: the active retraction that brings the foot
    /// down and back towards the ground speed before touchdown (late-swing hip-extensor moment ≈ 4.9 N·m/kg at
    /// 9.5 m/s, notes in docs/sprint.md). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub retract_hip_amp: f64,
    /// Target forward speed of the swing leg's ankle over the ground while it reaches for touchdown (m/s): the
    /// foot-speed form of the retraction ("the foot lands nearly still", Clark & Weyand), used with
    /// `td_foot_gain`. Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub td_foot_speed: f64,
    /// Swing hip torque per m/s by which the reaching ankle moves forward faster than `td_foot_speed` (N·m·s/m per
    /// kg; extension when faster), added to the thigh-angle PD; the ankle speed is its position differenced over
    /// one step. 0 = off. Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub td_foot_gain: f64,
    /// Reflex stance (Geyer & Herr 2010's stance reflexes, on the groups): knee-extensor excitation added over the
    /// stance as `reflex_knee_amp + reflex_knee_gain · F` with `F = a·capacity(θ, ω)/T0`, the group's own force
    /// estimated from its activation (positive force feedback: a loaded knee stiffens, so the leg lands bent and
    /// rebounds as a spring). Gain: excitation per unit of normalised force. 0 = off. Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub reflex_knee_gain: f64,
    /// The knee extensors' stance pre-stimulation of the reflex stance (excitation). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub reflex_knee_amp: f64,
    /// Knee angle (rad of flexion) below which an extending stance knee inhibits its extensors by
    /// `reflex_knee_inhibit · (reflex_knee_off − knee)` (Geyer & Herr's knee overextension reflex). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub reflex_knee_off: f64,
    /// Gain of that inhibition (excitation per rad). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub reflex_knee_inhibit: f64,
    /// Plantarflexor force feedback over the stance, as `reflex_knee_gain` (excitation per unit of normalised
    /// force). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub reflex_ankle_gain: f64,
    /// The plantarflexors' stance pre-stimulation (excitation). Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub reflex_ankle_amp: f64,
    /// Scale on the hamstrings' excitation (the two-joint unit, otherwise excited with the hip extensors) while its
    /// leg is in stance (dimensionless, [0, 1] used): below 1 the stance hip extends more through the single-joint
    /// extensors, with less knee-flexing torque against the knee extensors. No effect on a body without units.
    /// Default 1.
    #[serde(skip_serializing_if = "is_one")]
    pub stance_hamstrings: f64,
    /// Rectus femoris excitation added while its leg is in stance (the unit is otherwise excited with the hip
    /// flexors, silent in stance): knee-extension support at a hip-flexion cost. Default 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub stance_rectus_amp: f64,
}

// The parameters added for issue 17 are left out of a resolved scenario at their defaults, so that the run folders
// made before them regenerate byte for byte.
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// Default of [`SprintParams::pre_delay`] (s).
const PRE_DELAY: f64 = 0.05;

fn is_default_pre_delay(x: &f64) -> bool {
    *x == PRE_DELAY
}

impl Default for SprintParams {
    fn default() -> Self {
        Self {
            leg_k: 300.0,
            leg_c: 2.0,
            leg_thrust: 0.03,
            push_hip_amp: 0.3,
            push_hip_on: 0.0,
            push_hip_dur: 0.06,
            push_knee_amp: 0.0,
            push_knee_on: 0.03,
            push_knee_dur: 0.05,
            push_ankle_amp: 0.0,
            push_ankle_on: 0.04,
            push_ankle_dur: 0.05,
            stance_ankle: 0.0,
            ankle_kp: 2.0,
            ankle_kd: 0.05,
            swing_hip_amp: 0.6,
            swing_hip_on: 0.0,
            swing_hip_dur: 0.1,
            swing_knee_amp: 0.3,
            swing_knee_dur: 0.06,
            thigh_peak: 1.0,
            knee_swing: 1.8,
            reach_time: 0.12,
            reach_thigh: 0.7,
            td_thigh: 0.45,
            td_cv: 0.05,
            td_cd: 0.0,
            target_speed: 8.0,
            td_knee: 0.3,
            td_ankle: 0.0,
            swing_kp: 6.0,
            swing_kd: 0.4,
            td_width: 0.03,
            td_lat_cv: 0.1,
            td_lat_cd: 0.0,
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
            arm_excitation: 1.0,
            swing_excitation: 1.0,
            torso_excitation: 1.0,
            push_speed_gain: 0.0,
            initial_swing_time: 0.15,
            pre_delay: PRE_DELAY,
            pre_knee_amp: 0.0,
            pre_ankle_amp: 0.0,
            retract_hip_amp: 0.0,
            td_foot_speed: 0.0,
            td_foot_gain: 0.0,
            reflex_knee_gain: 0.0,
            reflex_knee_amp: 0.0,
            reflex_knee_off: 0.0,
            reflex_knee_inhibit: 0.0,
            reflex_ankle_gain: 0.0,
            reflex_ankle_amp: 0.0,
            stance_hamstrings: 1.0,
            stance_rectus_amp: 0.0,
        }
    }
}

impl SprintParams {
    /// Checks every value: finite; excitations (`*_amp`, `arm_excitation`) in [0, 1]; angles within ±π; the
    /// COM-position placement gains within ±10 rad/m; gains, stiffnesses, times, durations, lengths and speeds in
    /// [0, 1e6]. Returns the offending field and what is allowed.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let value = serde_json::to_value(self).expect("serialisable");
        let map = value.as_object().expect("a struct");
        for (name, v) in map {
            let x = v.as_f64().unwrap_or(f64::NAN);
            let (lo, hi, what) = Self::allowed(name);
            if !(x.is_finite() && x >= lo && x <= hi) {
                return Err((name.clone(), format!("must be {what}; got {x}")));
            }
        }
        Ok(())
    }
}

impl SprintParams {
    /// What parameter `name` allows: (lowest, highest, in words), as [`SprintParams::validate`] checks it.
    pub fn allowed(name: &str) -> (f64, f64, &'static str) {
        if name.ends_with("_amp") || name == "arm_excitation" {
            (0.0, 1.0, "an excitation in [0, 1]")
        } else if name == "td_cd" || name == "td_lat_cd" {
            (-10.0, 10.0, "a gain within ±10 rad/m")
        } else if is_angle(name) {
            (-std::f64::consts::PI, std::f64::consts::PI, "an angle within ±π rad")
        } else {
            (0.0, 1e6, "a number in [0, 1e6]")
        }
    }
}

/// Fields that are angles (rad, either sign): targets and placement angles.
fn is_angle(name: &str) -> bool {
    matches!(
        name,
        "stance_ankle"
            | "thigh_peak"
            | "knee_swing"
            | "reach_thigh"
            | "td_thigh"
            | "td_knee"
            | "td_ankle"
            | "td_width"
            | "trunk_pitch"
            | "lumbar_flex"
            | "arm_bias"
            | "elbow"
            | "reflex_knee_off"
    )
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
    /// +1 right, −1 left: maps pelvis roll/yaw corrections and lateral foot placement onto this hip's DOFs.
    sign: f64,
}

/// Per-leg phase state.
#[derive(Debug, Clone, Copy, Default)]
struct LegPhase {
    /// In stance (foot loaded).
    stance: bool,
    /// Time the current phase began (s).
    since: f64,
    /// Time a pending phase switch was first seen (s; 0 = none).
    pending: f64,
    /// Virtual leg length at touchdown (m; NaN until measured in this stance).
    l_td: f64,
    /// Virtual leg length at the previous step (m).
    l_prev: f64,
    /// The stance leg has started to re-extend.
    rebound: bool,
    /// The swing leg has turned from recovery to reaching for touchdown.
    reaching: bool,
    /// Time it turned to reaching (s).
    reach_since: f64,
    /// Forward position of the ankle at the previous step (m; NaN before the first).
    ankle_x_prev: f64,
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
    /// Ball of each foot (mean of its front contact points at the sole), in the foot frame (m).
    ball: [[f64; 3]; 2],
    legs: [LegPhase; 2],
    /// Per unit of the model: the leg (0 right, 1 left) of a hamstrings or rectus femoris unit, and whether it is
    /// the rectus femoris; `None` for every other unit.
    units: Vec<Option<(usize, bool)>>,
    t_prev: f64,
    mass: f64,
    bw: f64,
}

impl Sprint {
    /// A sprint controller for a model with the sprinter DOF names (`hip_flex_r`, `knee_l`, …) whose feet
    /// (`foot_r`, `foot_l`) carry contact spheres and hang from a shank and a thigh.
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
        let foot = |s: &str| -> Result<usize, String> {
            let k = model
                .feet
                .iter()
                .position(|&f| model.segments[f].name == format!("foot_{s}"))
                .ok_or_else(|| format!("the sprint controller needs a contact foot `foot_{s}`"))?;
            let seg = model.feet[k];
            let thigh = model.segments[seg]
                .parent
                .and_then(|shank| model.segments[shank].parent);
            if thigh.is_none() {
                return Err(format!("`foot_{s}` must hang from a shank that hangs from a thigh"));
            }
            Ok(k)
        };
        let ball = |k: usize| -> [f64; 3] {
            let seg = model.feet[k];
            let sph: Vec<_> = model.spheres.iter().filter(|s| s.segment == seg).collect();
            let mean_x = sph.iter().map(|s| s.center[0]).sum::<f64>() / sph.len() as f64;
            let front: Vec<_> = sph.iter().filter(|s| s.center[0] >= mean_x).collect();
            let n = front.len() as f64;
            [
                front.iter().map(|s| s.center[0]).sum::<f64>() / n,
                front.iter().map(|s| s.center[1]).sum::<f64>() / n,
                front.iter().map(|s| s.center[2] - s.radius).sum::<f64>() / n,
            ]
        };
        let foot = [foot("r")?, foot("l")?];
        let sides = [side("r", 1.0)?, side("l", -1.0)?];
        let units = model
            .units
            .iter()
            .map(|u| {
                let leg = sides.iter().position(|s| s.hip_flex == u.joints[0].0)?;
                match u.group.as_str() {
                    "hamstrings" => Some((leg, false)),
                    "rectus_femoris" => Some((leg, true)),
                    _ => None,
                }
            })
            .collect();
        let mut legs = [LegPhase {
            l_td: f64::NAN,
            ankle_x_prev: f64::NAN,
            ..LegPhase::default()
        }; 2];
        legs[0].stance = true;
        legs[1].since = -p.initial_swing_time;
        Ok(Self {
            sides,
            units,
            lumbar: [dof("lumbar_flex")?, dof("lumbar_bend")?, dof("lumbar_rot")?],
            ball: [ball(foot[0]), ball(foot[1])],
            foot,
            legs,
            t_prev: 0.0,
            mass: model.mass,
            bw: model.body_weight,
            p,
        })
    }

    /// Touchdown/lift-off with hysteresis (0.1 / 0.05 BW, held 3 ms), from the previous step's GRF.
    fn update_phases(&mut self, t: f64, body: &BodyState) {
        for k in 0..2 {
            let fz = body.grf[self.foot[k]][2];
            let leg = &mut self.legs[k];
            let switching = if leg.stance {
                fz < 0.05 * self.bw
            } else {
                fz > 0.1 * self.bw
            };
            if switching {
                if leg.pending == 0.0 {
                    leg.pending = t.max(1e-12);
                }
                if t - leg.pending >= 0.003 {
                    leg.stance = !leg.stance;
                    leg.since = leg.pending;
                    leg.pending = 0.0;
                    leg.l_td = f64::NAN;
                    leg.rebound = false;
                    leg.reaching = false;
                }
            } else {
                leg.pending = 0.0;
            }
        }
    }
}

/// Rotates `v` by the quaternion `q` = (w, x, y, z): `v + w·t + u×t` with `t = 2·u×v`.
///
/// Written out rather than nalgebra's `UnitQuaternion * Vector3`, which sums the same terms as `v + u×t + w·t`:
/// on 10⁶ random rotations 62.7 % differ from it in at least one bit (by up to 4.4e-16), and the controller's
/// torques feed the physics: with nalgebra's order 11 of the 114 golden files change (`tools/golden.sh`: the
/// quickstart's and the sprint's time series, steps, summaries, .mot/.sto and induced files; the sprint's final COM
/// moves by about 1e-13 m), so the committed results would no longer regenerate byte for byte.
fn rotate(q: [f64; 4], v: [f64; 3]) -> [f64; 3] {
    let [w, x, y, z] = q;
    let u = [x, y, z];
    let t = cross(u, v).map(|c| 2.0 * c);
    let ut = cross(u, t);
    [
        v[0] + w * t[0] + ut[0],
        v[1] + w * t[1] + ut[1],
        v[2] + w * t[2] + ut[2],
    ]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// Forward pitch (about +y) and roll (about +x) of a segment whose z axis is its long axis, from its orientation.
fn pitch_roll(q: [f64; 4]) -> (f64, f64) {
    let z = rotate(q, [0.0, 0.0, 1.0]);
    (z[0].atan2(z[2]), (-z[1]).clamp(-1.0, 1.0).asin())
}

impl Controller for Sprint {
    fn needs_body(&self) -> bool {
        true
    }

    fn unit_excitation(&self, _model: &Model, unit: usize, group: f64) -> f64 {
        match self.units.get(unit).copied().flatten() {
            Some((leg, rectus)) if self.legs[leg].stance => {
                let x = if rectus {
                    group + self.p.stance_rectus_amp
                } else {
                    group * self.p.stance_hamstrings
                };
                x.clamp(0.0, 1.0)
            }
            _ => group,
        }
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
        let dt = obs.t - self.t_prev;
        self.t_prev = obs.t;
        let p = &self.p;
        let m = self.mass;
        let (q, qd) = (obs.q, obs.qd);
        e.iter_mut().for_each(|x| *x = [0.0; 2]);
        // Desired torque (N·m) → excitation on the group that can deliver it; bursts add on top.
        let drive = |e: &mut [[f64; 2]], i: usize, tau: f64| {
            if !tau.is_finite() {
                return;
            }
            let (k, sign) = if tau >= 0.0 { (0, 1.0) } else { (1, -1.0) };
            let (cap, _) = model.dofs[i].generators[k].capacity(q[i], qd[i], sign);
            let x = if cap > 1e-9 { tau.abs() / cap } else { 1.0 };
            e[i][k] = (e[i][k] + x).min(1.0);
        };
        let burst = |e: &mut [[f64; 2]], i: usize, group: usize, amp: f64, t: f64, on: f64, dur: f64| {
            if t >= on && t < on + dur {
                e[i][group] = (e[i][group] + amp).clamp(0.0, 1.0);
            }
        };
        let pd = |i: usize, target: f64, kp: f64, kd: f64| m * (kp * (target - q[i]) - kd * qd[i]);
        // Torque (N·m) along DOF `i`'s axis that holds a ground force `f` (N) applied at `at`, about joint centre
        // `centre`, for a DOF of a segment with orientation `rot`: the leg Jacobian transpose, joint by joint.
        let hold = |i: usize, rot: [f64; 4], centre: [f64; 3], at: [f64; 3], f: [f64; 3]| {
            -dot(cross(sub(at, centre), f), rotate(rot, model.dofs[i].axis))
        };

        let (trunk_pitch, _) = pitch_roll(body.trunk_rot);
        let (pelvis_pitch, roll) = pitch_roll(body.pelvis_rot);
        let xp = rotate(body.pelvis_rot, [1.0, 0.0, 0.0]);
        let yaw = xp[1].atan2(xp[0]);
        let (wt, wp) = (body.trunk_angvel, body.pelvis_angvel);
        let load = [0, 1].map(|k| body.grf[self.foot[k]][2].max(0.0));
        let total_load = load[0] + load[1];
        let (v, vy) = (body.com_vel[0], body.com_vel[1]);

        // Both legs, by index: side k, its foot, phase, ball point and load are parallel arrays.
        #[allow(clippy::needless_range_loop)]
        for k in 0..2 {
            let s = self.sides[k];
            let o = self.sides[1 - k];
            let Some(leg) = body.legs[self.foot[k]] else { continue };
            let phase = &mut self.legs[k];
            let t = obs.t - phase.since;
            let ankle_v = if dt > 0.0 {
                (leg.ankle[0] - phase.ankle_x_prev) / dt
            } else {
                f64::NAN
            };
            phase.ankle_x_prev = leg.ankle[0];
            if phase.stance {
                // Virtual leg spring from the ball of the foot to the hip, mapped onto knee and ankle.
                let ball_w = rotate(leg.foot_rot, self.ball[k]);
                let ball = [0, 1, 2].map(|c| leg.ankle[c] + ball_w[c]);
                let axis = sub(leg.hip, ball);
                let len = dot(axis, axis).sqrt();
                if phase.l_td.is_nan() {
                    phase.l_td = len;
                    phase.l_prev = len;
                }
                let len_dot = if dt > 0.0 { (len - phase.l_prev) / dt } else { 0.0 };
                phase.l_prev = len;
                if len_dot > 0.0 && len < phase.l_td {
                    phase.rebound = true;
                }
                let rest = phase.l_td + if phase.rebound { p.leg_thrust } else { 0.0 };
                let force = (m * (p.leg_k * (rest - len) - p.leg_c * len_dot)).max(0.0);
                let f = axis.map(|c| force * c / len);
                drive(e, s.knee, hold(s.knee, leg.shank_rot, leg.knee, ball, f));
                drive(e, s.ankle, hold(s.ankle, leg.foot_rot, leg.ankle, ball, f));
                drive(e, s.ankle, pd(s.ankle, p.stance_ankle, p.ankle_kp, p.ankle_kd));
                burst(e, s.hip_flex, 1, p.push_hip_amp, t, p.push_hip_on, p.push_hip_dur);
                let deficit = (p.target_speed - v).max(0.0);
                burst(e, s.hip_flex, 1, p.push_speed_gain * deficit, t, 0.0, f64::INFINITY);
                burst(e, s.knee, 1, p.push_knee_amp, t, p.push_knee_on, p.push_knee_dur);
                burst(e, s.ankle, 1, p.push_ankle_amp, t, p.push_ankle_on, p.push_ankle_dur);
                // Reflex stance: the extensors' own force (activation × capacity / T0) fed back positively.
                let force = |i: usize| {
                    let g = &model.dofs[i].generators[1];
                    let cap = g.capacity(q[i], qd[i], -1.0).0;
                    if g.t_max > 0.0 {
                        obs.activation[i][1] * cap / g.t_max
                    } else {
                        0.0
                    }
                };
                if p.reflex_knee_gain != 0.0 || p.reflex_knee_amp != 0.0 || p.reflex_knee_inhibit != 0.0 {
                    let mut x = p.reflex_knee_amp + p.reflex_knee_gain * force(s.knee);
                    if q[s.knee] < p.reflex_knee_off && qd[s.knee] < 0.0 {
                        x -= p.reflex_knee_inhibit * (p.reflex_knee_off - q[s.knee]);
                    }
                    e[s.knee][1] = (e[s.knee][1] + x).clamp(0.0, 1.0);
                }
                if p.reflex_ankle_gain != 0.0 || p.reflex_ankle_amp != 0.0 {
                    let x = p.reflex_ankle_amp + p.reflex_ankle_gain * force(s.ankle);
                    e[s.ankle][1] = (e[s.ankle][1] + x).clamp(0.0, 1.0);
                }
                // Balance through the stance hip, weighted by this foot's share of the load (none in flight).
                let w = if total_load > 1.0 { load[k] / total_load } else { 0.0 };
                let pitch_err = trunk_pitch - p.trunk_pitch;
                drive(e, s.hip_flex, -w * m * (p.trunk_kp * pitch_err + p.trunk_kd * wt[1]));
                drive(e, s.hip_add, w * s.sign * m * (p.roll_kp * roll + p.roll_kd * wp[0]));
                drive(e, s.hip_rot, w * s.sign * m * (p.yaw_kp * yaw + p.yaw_kd * wp[2]));
            } else {
                burst(e, s.hip_flex, 0, p.swing_hip_amp, t, p.swing_hip_on, p.swing_hip_dur);
                burst(e, s.knee, 0, p.swing_knee_amp, t, 0.0, p.swing_knee_dur);
                // Thigh angle in the world (pelvis pitch compensated): recovery to a high knee, then retraction
                // to the touchdown angle, which reaches further when running faster than the target.
                // COM relative to the other foot's ankle (the stance foot, or the last one in flight).
                let other = body.feet[self.foot[1 - k]];
                let (d_fwd, d_lat) = (body.com[0] - other[0], body.com[1] - other[1]);
                let thigh = q[s.hip_flex] - pelvis_pitch;
                if !phase.reaching && t >= p.reach_time && thigh >= p.reach_thigh {
                    phase.reaching = true;
                    phase.reach_since = obs.t;
                }
                let (thigh_target, knee_target) = if phase.reaching {
                    (p.td_thigh + p.td_cv * (v - p.target_speed) + p.td_cd * d_fwd, p.td_knee)
                } else {
                    (p.thigh_peak, p.knee_swing)
                };
                let thigh_rate = qd[s.hip_flex] - wp[1];
                let mut tau_hip = m * (p.swing_kp * (thigh_target - thigh) - p.swing_kd * thigh_rate);
                // Foot-speed retraction: one torque with the PD, so the hip's two groups do not co-contract.
                if phase.reaching && p.td_foot_gain != 0.0 && ankle_v.is_finite() {
                    tau_hip -= m * p.td_foot_gain * (ankle_v - p.td_foot_speed);
                }
                drive(e, s.hip_flex, tau_hip);
                drive(e, s.knee, pd(s.knee, knee_target, p.swing_kp, p.swing_kd));
                drive(e, s.ankle, pd(s.ankle, p.td_ankle, p.ankle_kp, p.ankle_kd));
                // Touchdown preparation: extensors pre-activated, the thigh driven back.
                if phase.reaching {
                    let since = obs.t - phase.reach_since;
                    burst(e, s.knee, 1, p.pre_knee_amp, since, p.pre_delay, f64::INFINITY);
                    burst(e, s.ankle, 1, p.pre_ankle_amp, since, p.pre_delay, f64::INFINITY);
                    burst(e, s.hip_flex, 1, p.retract_hip_amp, since, p.pre_delay, f64::INFINITY);
                }
                // Frontal placement: the leg's lateral angle in the world (positive = foot to the left), away from
                // the midline by `td_width`, towards where the COM is heading; pelvis roll compensated.
                let lateral = -s.sign * p.td_width + p.td_lat_cv * vy + p.td_lat_cd * d_lat;
                let add = s.sign * (lateral - roll);
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
        // Contributor scales last, so that nothing above can re-excite a contributor that is switched off.
        for (k, s) in self.sides.iter().enumerate() {
            for i in [s.shoulder_flex, s.shoulder_abd, s.elbow] {
                e[i] = e[i].map(|x| x * p.arm_excitation);
            }
            if !self.legs[k].stance {
                for i in [s.hip_flex, s.hip_add, s.hip_rot, s.knee, s.ankle] {
                    e[i] = e[i].map(|x| x * p.swing_excitation);
                }
            }
        }
        for i in self.lumbar {
            e[i] = e[i].map(|x| x * p.torso_excitation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::{BodyState, LegPose};
    use crate::model::generators::GeneratorTable;
    use crate::model::{ContactParams, Model, Strengths};

    fn athlete() -> Model {
        let file = crate::model::deleva::default_athlete(1.8, 75.0);
        Model::compile(
            &file,
            &Strengths::default(),
            &GeneratorTable::priors(),
            ContactParams::default(),
        )
        .unwrap()
    }

    /// A running posture: the right foot loaded (stance), the left in the air (swing). Model, q, q̇, body state.
    fn running_posture() -> (Model, Vec<f64>, Vec<f64>, BodyState) {
        let model = athlete();
        let n = model.dofs.len();
        let mut q = vec![0.0; n];
        let mut qd = vec![0.0; n];
        for (name, a, w) in [
            ("hip_flex_r", 0.3, -6.0),
            ("knee_r", 0.5, 3.0),
            ("hip_flex_l", -0.2, 8.0),
            ("knee_l", 1.8, 0.0),
        ] {
            let i = model.dof_index(name).unwrap();
            q[i] = a;
            qd[i] = w;
        }
        let leg = LegPose {
            hip: [0.0, -0.09, 0.95],
            knee: [0.1, -0.09, 0.52],
            ankle: [0.05, -0.09, 0.08],
            shank_rot: [1.0, 0.0, 0.0, 0.0],
            foot_rot: [1.0, 0.0, 0.0, 0.0],
        };
        let mut grf = vec![[0.0; 3]; model.feet.len()];
        let right = model
            .feet
            .iter()
            .position(|&f| model.segments[f].name == "foot_r")
            .unwrap();
        grf[right] = [-200.0, 0.0, 1500.0];
        let body = BodyState {
            pelvis_rot: [1.0, 0.0, 0.0, 0.0],
            pelvis_angvel: [0.0, 0.3, 0.1],
            trunk_rot: [0.995, 0.0, 0.0998, 0.0],
            trunk_angvel: [0.0, 0.5, 0.0],
            com: [0.0, 0.0, 1.0],
            com_vel: [5.0, 0.1, -0.3],
            feet: vec![[0.05, -0.09, 0.08], [-0.3, 0.09, 0.4]],
            grf,
            legs: vec![Some(leg); 2],
        };
        (model, q, qd, body)
    }

    /// The excitations after one actuation per entry of `left_ankle_x` (the swing ankle's forward position, m),
    /// 1 ms apart from t = 10 ms, in [`running_posture`].
    fn excitations_over(p: SprintParams, left_ankle_x: &[f64]) -> (Model, Vec<[f64; 2]>) {
        excitations_in(p, left_ankle_x, &|_, _, _, _| {})
    }

    /// A change to [`running_posture`]: `(model, q, q̇, activation)`.
    type Tweak<'a> = dyn Fn(&Model, &mut [f64], &mut [f64], &mut [[f64; 2]]) + 'a;

    /// As [`excitations_over`], with `tweak(model, q, q̇, activation)` applied to the posture first.
    fn excitations_in(p: SprintParams, left_ankle_x: &[f64], tweak: &Tweak<'_>) -> (Model, Vec<[f64; 2]>) {
        let (model, mut q, mut qd, mut body) = running_posture();
        let mut ctrl = Sprint::new(&model, p).unwrap();
        let mut act = vec![[0.0; 2]; model.dofs.len()];
        tweak(&model, &mut q, &mut qd, &mut act);
        let mut out = ctrl.initial_actuation(&model);
        for (j, &x) in left_ankle_x.iter().enumerate() {
            if let Some(leg) = body.legs[1].as_mut() {
                leg.ankle[0] = x;
            }
            let obs = Observation {
                t: 0.01 + 0.001 * j as f64,
                q: &q,
                qd: &qd,
                activation: &act,
                body: Some(&body),
            };
            ctrl.actuate(&model, &obs, &mut out);
        }
        let Actuation::Excitation(e) = out else { unreachable!() };
        (model, e)
    }

    /// One actuation in [`running_posture`].
    fn excitations(p: SprintParams) -> (Model, Vec<[f64; 2]>) {
        excitations_over(p, &[0.05])
    }

    #[test]
    fn reflex_stance_feeds_the_stance_extensors_their_own_force_and_a_straightening_knee_inhibits_its_own() {
        // The stance (right) knee flexes at 0.5 rad with its extensors at activation 0.4, the plantarflexors at 0.6.
        let active = |m: &Model, _: &mut [f64], _: &mut [f64], a: &mut [[f64; 2]]| {
            a[m.dof_index("knee_r").unwrap()][1] = 0.4;
            a[m.dof_index("ankle_r").unwrap()][1] = 0.6;
        };
        let ext = |p: SprintParams, tweak: &Tweak<'_>| {
            let (m, e) = excitations_in(p, &[0.05], tweak);
            (
                e[m.dof_index("knee_r").unwrap()][1],
                e[m.dof_index("ankle_r").unwrap()][1],
                m,
            )
        };
        let (k0, a0, m) = ext(SprintParams::default(), &active);
        let reflex = SprintParams {
            reflex_knee_gain: 0.5,
            reflex_knee_amp: 0.05,
            reflex_ankle_gain: 0.25,
            ..SprintParams::default()
        };
        let (k1, a1, _) = ext(reflex.clone(), &active);
        // The expected feedback: a · capacity(θ, ω) / T0 of each group at the posture's angle and velocity.
        let (q, qd) = (running_posture().1, running_posture().2);
        let f = |name: &str, a: f64| {
            let i = m.dof_index(name).unwrap();
            let g = &m.dofs[i].generators[1];
            a * g.capacity(q[i], qd[i], -1.0).0 / g.t_max
        };
        assert!(
            k0 + 0.05 + 0.5 * f("knee_r", 0.4) < 1.0 && a0 + 0.25 * f("ankle_r", 0.6) < 1.0,
            "not clipped"
        );
        assert!(
            (k1 - (k0 + 0.05 + 0.5 * f("knee_r", 0.4))).abs() < 1e-12,
            "{k1} vs {k0}"
        );
        assert!((a1 - (a0 + 0.25 * f("ankle_r", 0.6))).abs() < 1e-12, "{a1} vs {a0}");
        // Silent extensors feed back nothing: only the pre-stimulation.
        let (k2, a2, _) = ext(reflex.clone(), &|_, _, _, _| {});
        let (k3, a3, _) = ext(SprintParams::default(), &|_, _, _, _| {});
        assert!((k2 - (k3 + 0.05)).abs() < 1e-12 && a2 == a3);
        // The knee overextension reflex: inhibits only a knee that is extending below `reflex_knee_off`.
        let inhibit = SprintParams {
            reflex_knee_off: 0.8,
            reflex_knee_inhibit: 0.2,
            ..reflex.clone()
        };
        assert_eq!(
            ext(inhibit.clone(), &active).0,
            k1,
            "the posture's knee flexes (+3 rad/s): no inhibition"
        );
        let extending = |m: &Model, q: &mut [f64], qd: &mut [f64], a: &mut [[f64; 2]]| {
            active(m, q, qd, a);
            qd[m.dof_index("knee_r").unwrap()] = -3.0;
        };
        let (k4, _, _) = ext(reflex, &extending);
        let (k5, _, _) = ext(inhibit, &extending);
        assert!((k4 - k5 - 0.2 * (0.8 - 0.5)).abs() < 1e-12, "{k4} - {k5}");
    }

    #[test]
    fn a_reaching_foot_moving_faster_than_its_touchdown_speed_drives_the_swing_hip_back() {
        // The left leg reaches for touchdown (its thigh already past `reach_thigh`), its ankle moving forward at
        // 6 m/s over the ground (6 mm in the 1 ms between two actuations).
        let reaching = SprintParams {
            reach_thigh: -1.0,
            ..SprintParams::default()
        };
        let hip = |p: SprintParams, xs: &[f64]| {
            let (model, e) = excitations_over(p, xs);
            e[model.dof_index("hip_flex_l").unwrap()]
        };
        let off = hip(reaching.clone(), &[0.05, 0.056]);
        let with = |speed: f64| SprintParams {
            td_foot_gain: 0.2,
            td_foot_speed: speed,
            ..reaching.clone()
        };
        // Extension is the negative group (index 1): 0.2 N·m·s/m per kg × 75 kg × (6 − 1) m/s = 75 N·m more of it.
        let fast = hip(with(1.0), &[0.05, 0.056]);
        assert!(fast[1] > off[1] + 0.05, "retraction {fast:?} against {off:?}");
        assert!(fast[0] <= off[0], "no flexion added: {fast:?} against {off:?}");
        // A foot already at its target speed gets the thigh-angle PD alone (to rounding of the differenced speed).
        assert_eq!(
            hip(with(6.0), &[0.05, 0.056]).map(|x| (x * 1e9).round()),
            off.map(|x| (x * 1e9).round())
        );
        // A foot slower than the target gets flexion (the foot is brought forward), not extension.
        let slow = hip(with(9.0), &[0.05, 0.056]);
        assert!(slow[1] <= off[1] && slow[0] >= off[0], "{slow:?} against {off:?}");
    }

    #[test]
    fn stance_leg_hamstrings_and_rectus_follow_their_own_settings_and_the_swing_leg_keeps_the_groups() {
        let file = crate::model::deleva::default_athlete(1.8, 75.0);
        let strengths = Strengths {
            two_joint: Some(true),
            ..Strengths::default()
        };
        let model = Model::compile(&file, &strengths, &GeneratorTable::priors(), ContactParams::default()).unwrap();
        let p = SprintParams {
            stance_hamstrings: 0.25,
            stance_rectus_amp: 0.3,
            ..SprintParams::default()
        };
        // At t = 0 the right leg (side 0) is in stance, the left in swing.
        let ctrl = Sprint::new(&model, p).unwrap();
        let unit = |name: &str| model.units.iter().position(|u| u.name == name).unwrap();
        let x = |name: &str, group: f64| ctrl.unit_excitation(&model, unit(name), group);
        assert_eq!(x("hamstrings_r", 0.8), 0.8 * 0.25);
        assert_eq!(x("rectus_femoris_r", 0.0), 0.3);
        assert_eq!(x("rectus_femoris_r", 0.9), 1.0, "clipped to 1");
        assert_eq!(x("hamstrings_l", 0.8), 0.8, "swing leg: the group's excitation");
        assert_eq!(x("rectus_femoris_l", 0.4), 0.4);
        assert_eq!(x("gastrocnemius_r", 0.7), 0.7, "other units: the group's");
        // Defaults leave every unit with its group's excitation (the body before this switch, bit for bit).
        let plain = Sprint::new(&model, SprintParams::default()).unwrap();
        for (u, _) in model.units.iter().enumerate() {
            assert_eq!(plain.unit_excitation(&model, u, 0.37), 0.37);
        }
    }

    #[test]
    fn switched_off_contributors_get_no_excitation_and_the_pushing_leg_keeps_its_own() {
        let all = excitations(SprintParams::default()).1;
        let (model, e) = excitations(SprintParams {
            swing_excitation: 0.0,
            arm_excitation: 0.0,
            torso_excitation: 0.0,
            ..SprintParams::default()
        });
        let sum = |e: &[[f64; 2]], names: &[&str]| -> f64 {
            names
                .iter()
                .map(|n| e[model.dof_index(n).unwrap()].iter().sum::<f64>())
                .sum()
        };
        let swing = ["hip_flex_l", "hip_add_l", "hip_rot_l", "knee_l", "ankle_l"];
        let arms = [
            "shoulder_flex_r",
            "shoulder_abd_r",
            "elbow_r",
            "shoulder_flex_l",
            "shoulder_abd_l",
            "elbow_l",
        ];
        let torso = ["lumbar_flex", "lumbar_bend", "lumbar_rot"];
        let stance = ["hip_flex_r", "hip_add_r", "hip_rot_r", "knee_r", "ankle_r"];
        // With everything on, every contributor is excited in this posture (so the zeros below mean something).
        for names in [&swing[..], &arms, &torso, &stance] {
            assert!(sum(&all, names) > 0.0, "{names:?} unexcited with every contributor on");
        }
        assert_eq!(sum(&e, &swing), 0.0);
        assert_eq!(sum(&e, &arms), 0.0);
        assert_eq!(sum(&e, &torso), 0.0);
        // The pushing (stance) leg is driven exactly as with the others on.
        for n in stance {
            let i = model.dof_index(n).unwrap();
            assert_eq!(e[i], all[i], "{n}");
        }
    }
}
