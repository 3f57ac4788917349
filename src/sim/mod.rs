//! Simulation: the rapier world built from a [`Model`], stepping, joint actuation and ground forces.
//!
//! Configuration, state and scratch are kept apart (MuJoCo's `mjModel`/`mjData`, rapier's sets vs pipeline):
//! [`Simulator`] is immutable and `Sync`, [`State`] is everything that changes (cloning it is a snapshot),
//! [`Workspace`] is scratch that is never serialised.

pub mod columns;
pub mod contact;
pub mod induced;
pub mod rollout;
pub mod world;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use rapier3d_f64::math::{Real, Vector};
use rapier3d_f64::na::DVector;
use rapier3d_f64::prelude::*;

use crate::control::{Actuation, BodyState, Controller, Observation};
use crate::model::{tendon, ContactModel, Model};
use contact::{ContactWorkspace, SphereForce};
use world::{Layout, Sets};

fn m_total(m: &Model) -> f64 {
    // Gimbal bodies carry 1e-6 kg each: the model mass is the segments' (momentum includes the gimbals').
    m.mass
}

// World settings of a simulation.
/// `[world]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename = "WorldSection")]
pub struct WorldSettings {
    /// Gravity vector (m/s²), world frame (x forward, y left, z up), each component within ±100.
    /// Default [0, 0, −9.81].
    pub gravity: [f64; 3],
    /// Whether the ground plane z = 0 exists. Default true.
    pub ground: bool,
    /// Time step (s), in (0, 0.01]. Default 0.001.
    pub dt: f64,
    /// rapier substeps per step, 1–16. Default 1 (the implicit contact and damping make more unnecessary).
    pub substeps: usize,
}

impl Default for WorldSettings {
    fn default() -> Self {
        Self {
            gravity: [0.0, 0.0, -9.81],
            ground: true,
            dt: 0.001,
            substeps: 1,
        }
    }
}

// Activation time constants (s) of the first-order activation dynamics.
/// `[activation]`: first-order activation dynamics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename = "ActivationSection")]
pub struct ActivationDynamics {
    /// Rise time constant (s), (0, 1]. Default 0.015.
    pub tau_act: f64,
    /// Decay time constant (s), (0, 1]. Default 0.060.
    pub tau_deact: f64,
}

impl Default for ActivationDynamics {
    fn default() -> Self {
        Self {
            tau_act: 0.015,
            tau_deact: 0.060,
        }
    }
}

/// Passive joint-limit spring: linear beyond the limit, integrated implicitly by rapier (N·m/rad).
pub const LIMIT_STIFFNESS: f64 = 400.0;
/// Extra damping while beyond a limit (N·m·s/rad).
pub const LIMIT_DAMPING: f64 = 2.0;

/// First-order activation dynamics over one step of `dt` (s): activation `a` towards excitation `u`, with the
/// group's own time constants if its profile has them, else the scenario's (`decays`: the per-step decay factors
/// of rising and falling).
#[inline]
fn activate(g: &crate::model::Generator, u: f64, a: f64, dt: f64, decays: (f64, f64)) -> f64 {
    let decay = match g.params.activation {
        None if u > a => decays.0,
        None => decays.1,
        // A profile's own time constants for this group (s).
        Some([ta, td]) => (-dt / if u > a { ta } else { td }).exp(),
    };
    u + (a - u) * decay
}

/// An external force on one segment for a while (a robustness test's shove): constant, world frame, at the
/// segment's centre of mass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Push {
    /// Segment index in [`Model::segments`].
    pub segment: usize,
    /// Force (N, world frame).
    pub force: [f64; 3],
    /// Start time (s): it acts on every step that starts at `t` with `start ≤ t < start + duration`.
    pub start: f64,
    /// Duration (s).
    pub duration: f64,
}

impl Push {
    fn acts_at(&self, t: f64) -> bool {
        t >= self.start && t < self.start + self.duration
    }
}

/// The immutable simulator: model, world settings and the rapier layout. `Sync`: share it across workers.
pub struct Simulator {
    /// The body model.
    pub model: Arc<Model>,
    /// World settings.
    pub world: WorldSettings,
    /// Activation dynamics.
    pub activation: ActivationDynamics,
    /// External pushes (none by default).
    pub pushes: Vec<Push>,
    layout: Layout,
    template: Sets,
}

/// Everything that changes while stepping. Cloning it is a snapshot.
#[derive(Clone)]
pub struct State {
    sets: Sets,
    /// Simulated time (s).
    pub t: f64,
    /// Steps taken.
    pub steps: u64,
    /// Activations `[positive group, negative group]` per DOF.
    pub activation: Vec<[f64; 2]>,
    /// Per muscle–tendon unit ([`Model::units`]): `[tendon stretch δ (rad), contractile-element shortening velocity
    /// over the last step (rad/s)]`. The contractile element sits at `Q + s·δ` (see [`crate::model::units`]); at
    /// rest `δ = 0`. Empty when the model has no units.
    pub tendon: Vec<[f64; 2]>,
    /// Per muscle–tendon unit: its activation. It follows the unit's own excitation
    /// ([`Controller::unit_excitation`], by default its drive group's, when it equals that group's activation).
    pub unit_activation: Vec<f64>,
}

/// Scratch: the rapier pipeline and buffers. Never serialised; one per worker.
///
/// With rapier's contacts (`[contact] model = "rapier"`) the broad and narrow phases here also hold the contact
/// pairs and the solver's warm-start impulses. A workspace notices when it is handed a state other than the one
/// it stepped last (a restored snapshot, another rollout) and then rebuilds them from that state's colliders:
/// that state continues without warm start, so not bit-identically to the run the snapshot came from.
pub struct Workspace {
    pipeline: PhysicsPipeline,
    broad_phase: BroadPhaseBvh,
    narrow_phase: NarrowPhase,
    ccd: CCDSolver,
    params: IntegrationParameters,
    contact: ContactWorkspace,
    forces: Vec<SphereForce>,
    q: Vec<f64>,
    qd: Vec<f64>,
    actuation: Option<Actuation>,
    tau_explicit: Vec<f64>,
    damp_gen: Vec<f64>,
    /// Per DOF and group `[positive, negative]`: the generator torque at the step's start (signed) and its slope
    /// with respect to the DOF velocity, kept for the induced ground-force analysis.
    group_tau: Vec<[f64; 2]>,
    group_slope: Vec<[f64; 2]>,
    /// Two-joint units: per unit and spanned DOF (in [`crate::model::units::Unit::joints`] order) the tendon torque
    /// of the step (N·m; empty for single-joint units, whose torque is their group's).
    unit_tau: Vec<Vec<f64>>,
    /// Per DOF: passive damping (N·m·s/rad) and limit spring `(stiffness, rest)` applied this step.
    passive: Vec<(f64, f64, f64)>,
    /// Per foot: Σ x·F_z (N·m), Σ y·F_z (N·m), Σ F_z (N) of the step's sphere forces, for the centre of pressure.
    cop_acc: Vec<[f64; 3]>,
    q_force: DVector<Real>,
    /// rapier contacts: (steps, root pose) of the state this workspace's broad/narrow phase belong to.
    rapier_bound: Option<(u64, Pose)>,
    last_grf: Vec<[f64; 3]>,
    /// The end-of-step joint angles and velocities (rad, rad/s) of [`Simulator::step_into`]'s last stage.
    q1: Vec<f64>,
    qd1: Vec<f64>,
    /// What the controller reads, refilled each step (no allocation per step).
    body: BodyState,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// Time at the end of the step (s).
    pub t: f64,
    /// Ground reaction force on each foot (N, world frame), in [`Model::feet`] order.
    pub grf: Vec<[f64; 3]>,
    /// Centre of pressure of each foot on the ground (m); NaN when the foot carries no load.
    pub cop: Vec<[f64; 2]>,
    /// Free moment of the ground on each foot about its centre of pressure, vertical component (N·m); the
    /// horizontal components vanish there by definition. 0 for an unloaded foot; NaN with rapier's contacts.
    pub free_moment: Vec<f64>,
    /// Actuator torque delivered per DOF over the step (N·m): generator torque at the end-of-step velocity
    /// (its force–velocity slope is integrated implicitly), or the commanded constant torque.
    pub torque: Vec<f64>,
    /// Passive joint torque per DOF over the step (N·m): damping, the joint's own spring and the range-of-motion
    /// stops, at the end-of-step angle and velocity (rapier integrates them implicitly). `torque + passive_torque`
    /// is the net joint torque.
    pub passive_torque: Vec<f64>,
    /// False once any coordinate is not finite.
    pub finite: bool,
}

impl StepReport {
    /// The report of "no step yet" at time `t` (s) for `model`: no force, no torque, no centre of pressure (NaN) —
    /// the row a trajectory starts with.
    pub fn rest(model: &Model, t: f64) -> Self {
        let (n, nf) = (model.dofs.len(), model.feet.len());
        StepReport {
            t,
            grf: vec![[0.0; 3]; nf],
            cop: vec![[f64::NAN; 2]; nf],
            free_moment: vec![0.0; nf],
            torque: vec![0.0; n],
            passive_torque: vec![0.0; n],
            finite: true,
        }
    }
}

/// Whole-body quantities computed from the current state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyMeasures {
    /// Whole-body COM (m).
    pub com: [f64; 3],
    /// Linear momentum (kg·m/s).
    pub momentum: [f64; 3],
    /// Angular momentum about the whole-body COM (kg·m²/s).
    pub angular_momentum: [f64; 3],
    /// Kinetic energy (J).
    pub kinetic_energy: f64,
}

impl Simulator {
    /// Builds the simulator (compiles the rapier layout once).
    pub fn new(model: Arc<Model>, world: WorldSettings, activation: ActivationDynamics) -> Self {
        let (mut template, mut layout) = world::build(&model);
        if model.contact.model == ContactModel::Rapier && world.ground {
            world::build_rapier_contact(&model, &mut layout, &mut template);
        }
        Self {
            model,
            world,
            activation,
            pushes: Vec::new(),
            layout,
            template,
        }
    }

    /// The same simulator with these external pushes.
    pub fn with_pushes(mut self, pushes: Vec<Push>) -> Self {
        self.pushes = pushes;
        self
    }

    /// The initial state: the model's initial pose at rest, activations 0.
    pub fn initial_state(&self) -> State {
        State {
            sets: self.template.clone(),
            t: 0.0,
            steps: 0,
            activation: vec![[0.0; 2]; self.model.dofs.len()],
            tendon: vec![[0.0; 2]; self.model.units.len()],
            unit_activation: vec![0.0; self.model.units.len()],
        }
    }

    /// The initial state with the given joint angles (rad, model DOF order), at rest. With a ground, the body
    /// is then moved vertically so that its lowest contact sphere sits `lift` (m) above the ground (0 = just
    /// touching); without one, it is lifted by `lift` from the model's initial root position.
    pub fn initial_state_with(&self, angles: &[f64], lift: f64) -> State {
        let mut s = self.initial_state();
        let mb = s
            .sets
            .multibody_joints
            .get_multibody_mut(self.layout.multibody)
            .expect("multibody");
        let mut disp = vec![0.0; mb.ndofs()];
        for (i, d) in self.layout.dof.iter().enumerate() {
            disp[d.assembly] = angles[i] - mb.link(d.link).expect("link").joint.coords()[3];
        }
        mb.apply_displacements(&disp);
        mb.forward_kinematics(&s.sets.bodies, false);
        let mut disp = vec![0.0; mb.ndofs()];
        disp[2] = lift;
        if let Some(rc) = &self.layout.rapier_contact {
            // rapier's contacts: the lowest point of the foot colliders.
            let lowest = rc
                .support
                .iter()
                .map(|&(seg, p, r)| {
                    let link = mb.link(self.layout.segment_link[seg]).expect("link");
                    link.local_to_world().transform_point(p).z - r
                })
                .fold(f64::INFINITY, f64::min);
            disp[2] = lift - lowest;
        } else if self.world.ground && !self.model.spheres.is_empty() {
            let lowest = self
                .model
                .spheres
                .iter()
                .map(|sp| self.layout.point_world(mb, sp.segment, sp.center).z - sp.radius)
                .fold(f64::INFINITY, f64::min);
            disp[2] = lift - lowest;
        }
        mb.apply_displacements(&disp);
        mb.forward_kinematics(&s.sets.bodies, false);
        mb.update_rigid_bodies(&mut s.sets.bodies, true);
        let _ = mb.dof_inverse_inertia(&s.sets.bodies);
        s
    }

    /// Gives the whole body the linear velocity `v` (m/s, world frame), joint velocities unchanged: with the
    /// body at rest, every segment then moves with `v` (a running touchdown).
    pub fn set_velocity(&self, s: &mut State, v: [f64; 3]) {
        let mut qd = self.mb_mut(s).generalized_velocity_mut();
        qd[0] = v[0];
        qd[1] = v[1];
        qd[2] = v[2];
    }

    /// Sets joint angular velocities (rad/s), in model DOF order, on top of the root velocity: with the root
    /// moving at `v`, a rate on the stance hip lets the touchdown foot meet the ground nearly at rest, as a runner's
    /// does.
    pub fn set_joint_rates(&self, s: &mut State, rates: &[f64]) {
        let mut qd = self.mb_mut(s).generalized_velocity_mut();
        for (d, &r) in self.layout.dof.iter().zip(rates) {
            qd[d.assembly] = r;
        }
    }

    /// A fresh workspace.
    pub fn workspace(&self) -> Workspace {
        let mut params = IntegrationParameters {
            dt: self.world.dt,
            num_solver_iterations: self.world.substeps.max(1),
            max_ccd_substeps: 0,
            ..Default::default()
        };
        if self.layout.rapier_contact.is_some() {
            // Fresh contact points every step (recycled points would leave the COP of a rolling foot stale), and
            // the requested softness. Only foot–ground contacts exist; they use `static_contact_softness`
            // (the ground is fixed), `contact_softness` is set alike so both read the same.
            let c = &self.model.contact;
            let soft = SpringCoefficients::new(c.rapier_natural_frequency, c.rapier_damping_ratio);
            params.contact_recycling = false;
            params.contact_softness = soft;
            params.static_contact_softness = soft;
        }
        let n = self.model.dofs.len();
        Workspace {
            pipeline: PhysicsPipeline::new(),
            broad_phase: BroadPhaseBvh::new(),
            narrow_phase: NarrowPhase::new(),
            ccd: CCDSolver::new(),
            params,
            contact: ContactWorkspace::default(),
            forces: Vec::new(),
            q: vec![0.0; n],
            qd: vec![0.0; n],
            actuation: None,
            tau_explicit: vec![0.0; n],
            damp_gen: vec![0.0; n],
            group_tau: vec![[0.0; 2]; n],
            group_slope: vec![[0.0; 2]; n],
            unit_tau: self
                .model
                .units
                .iter()
                .map(|u| {
                    if u.two_joint() {
                        vec![0.0; u.joints.len()]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            passive: vec![(0.0, 0.0, 0.0); n],
            cop_acc: Vec::new(),
            q_force: DVector::zeros(0),
            last_grf: vec![[0.0; 3]; self.model.feet.len()],
            rapier_bound: None,
            q1: vec![0.0; n],
            qd1: vec![0.0; n],
            body: BodyState::default(),
        }
    }

    fn mb_mut<'a>(&self, s: &'a mut State) -> &'a mut Multibody {
        s.sets
            .multibody_joints
            .get_multibody_mut(self.layout.multibody)
            .expect("multibody")
    }

    fn mb<'a>(&self, s: &'a State) -> &'a Multibody {
        s.sets
            .multibody_joints
            .get_multibody(self.layout.multibody)
            .expect("multibody")
    }

    /// Joint angles (rad) and velocities (rad/s) in model DOF order.
    pub fn joint_state(&self, s: &State, q: &mut [f64], qd: &mut [f64]) {
        let mb = self.mb(s);
        let v = mb.generalized_velocity();
        for (i, d) in self.layout.dof.iter().enumerate() {
            q[i] = mb.link(d.link).expect("link").joint.coords()[3];
            qd[i] = v[d.assembly];
        }
    }

    /// Pose of the root segment frame (the peer spec's pelvis frame, at MIDH): position (m) and quaternion
    /// (w, x, y, z), segment to world.
    pub fn root_pose(&self, s: &State) -> ([f64; 3], [f64; 4]) {
        let pose = self.mb(s).link(0).expect("root").local_to_world();
        let p = pose.transform_point(-self.layout.root_offset);
        let r = pose.rotation;
        ([p.x, p.y, p.z], [r.w, r.x, r.y, r.z])
    }

    /// World pose of a segment frame: origin (m) and rotation.
    pub fn segment_pose(&self, s: &State, seg: usize) -> (Vector, rapier3d_f64::math::Rotation) {
        let pose = self
            .mb(s)
            .link(self.layout.segment_link[seg])
            .expect("link")
            .local_to_world();
        let off = if seg == 0 {
            -self.layout.root_offset
        } else {
            Vector::ZERO
        };
        (pose.transform_point(off), pose.rotation)
    }

    /// World positions of the contact sphere centres (m), in [`Model::spheres`] order.
    pub fn sphere_centres(&self, s: &State) -> Vec<[f64; 3]> {
        let mb = self.mb(s);
        self.model
            .spheres
            .iter()
            .map(|sp| self.layout.point_world(mb, sp.segment, sp.center).into())
            .collect()
    }

    /// The whole-body state a balance controller reads; `grf` is the previous step's GRF per foot.
    pub fn body_state(&self, s: &State, grf: &[[f64; 3]]) -> BodyState {
        let mut out = BodyState::default();
        self.fill_body_state(s, grf, &mut out);
        out
    }

    /// [`Simulator::body_state`] into `out`, reusing its vectors.
    fn fill_body_state(&self, s: &State, grf: &[[f64; 3]], out: &mut BodyState) {
        let mb = self.mb(s);
        let qd = mb.generalized_velocity();
        let vel = |seg: usize| {
            let v = mb.body_jacobian(self.layout.segment_link[seg]) * qd;
            ([v[0], v[1], v[2]], [v[3], v[4], v[5]])
        };
        let quat = |seg: usize| {
            let r = self.segment_pose(s, seg).1;
            [r.w, r.x, r.y, r.z]
        };
        let trunk = self.model.segment_index("torso").unwrap_or(0);
        let m = self.measures(s);
        out.pelvis_rot = quat(0);
        out.pelvis_angvel = vel(0).1;
        out.trunk_rot = quat(trunk);
        out.trunk_angvel = vel(trunk).1;
        out.com = m.com;
        out.com_vel = [
            m.momentum[0] / m_total(&self.model),
            m.momentum[1] / m_total(&self.model),
            m.momentum[2] / m_total(&self.model),
        ];
        let feet = &self.model.feet;
        out.feet.clear();
        out.feet
            .extend(feet.iter().map(|&f| <[f64; 3]>::from(self.segment_pose(s, f).0)));
        out.grf.clear();
        out.grf.extend_from_slice(grf);
        out.legs.clear();
        out.legs.extend(feet.iter().map(|&f| {
            let shank = self.model.segments[f].parent?;
            let thigh = self.model.segments[shank].parent?;
            let (pf, rf) = self.segment_pose(s, f);
            let (ps, rs) = self.segment_pose(s, shank);
            let pt = self.segment_pose(s, thigh).0;
            Some(crate::control::LegPose {
                hip: pt.into(),
                knee: ps.into(),
                ankle: pf.into(),
                shank_rot: [rs.w, rs.x, rs.y, rs.z],
                foot_rot: [rf.w, rf.x, rf.y, rf.z],
            })
        }));
    }

    /// Whole-body COM, momenta about the COM and kinetic energy (every body, gimbals included).
    pub fn measures(&self, s: &State) -> BodyMeasures {
        let mb = self.mb(s);
        let qd = mb.generalized_velocity();
        let mut m_tot = 0.0;
        let mut mc = Vector::ZERO;
        for l in mb.links() {
            let rb = &s.sets.bodies[l.rigid_body_handle()];
            m_tot += rb.mass();
            mc += rb.center_of_mass() * rb.mass();
        }
        let com = mc / m_tot;
        // Second pass over the links rather than a per-call Vec: this runs every step (balance state).
        let (mut p, mut l, mut ke) = (Vector::ZERO, Vector::ZERO, 0.0);
        for link in mb.links() {
            let rb = &s.sets.bodies[link.rigid_body_handle()];
            let sv = mb.body_jacobian(link.link_id()) * qd;
            let v = Vector::new(sv[0], sv[1], sv[2]);
            let w = Vector::new(sv[3], sv[4], sv[5]);
            let (m, c) = (rb.mass(), rb.center_of_mass());
            let iw = rb.mass_properties().effective_world_inv_inertia;
            let _ = iw;
            let rot = rb.position().rotation;
            let ip = rb.mass_properties().local_mprops.principal_inertia();
            let wl = rot.inverse() * w;
            let lw = rot * Vector::new(ip.x * wl.x, ip.y * wl.y, ip.z * wl.z);
            p += v * m;
            l += (c - com).cross(v * m) + lw;
            ke += 0.5 * m * v.length_squared() + 0.5 * w.dot(lw);
        }
        BodyMeasures {
            com: com.into(),
            momentum: p.into(),
            angular_momentum: l.into(),
            kinetic_energy: ke,
        }
    }

    /// The compliant contact's per-sphere forces of the last step (empty with rapier's contacts, whose
    /// per-foot totals are in [`StepReport::grf`]).
    pub fn last_contact_forces<'a>(&self, ws: &'a Workspace) -> &'a [SphereForce] {
        &ws.forces
    }

    /// Advances the state by one step of `world.dt`, in stages as MuJoCo's `mj_step`: actuation (controller,
    /// activation dynamics, torque generators), passive joint forces (damping, limit springs), the joint torques
    /// applied to the bodies, contact, integration, and the measurement of what the step delivered.
    pub fn step(&self, s: &mut State, ws: &mut Workspace, ctrl: &mut dyn Controller) -> StepReport {
        let mut report = StepReport::rest(&self.model, s.t);
        self.step_into(s, ws, ctrl, &mut report);
        report
    }

    /// [`Simulator::step`] writing the step's report into `report` (its vectors reused: the rollout loop steps
    /// without allocating a report per step).
    pub fn step_into(&self, s: &mut State, ws: &mut Workspace, ctrl: &mut dyn Controller, report: &mut StepReport) {
        self.joint_state(s, &mut ws.q, &mut ws.qd);
        self.actuation(s, ws, ctrl);
        self.passive(s, ws);
        self.apply_joint_torques(s, ws);
        let g = Vector::new(self.world.gravity[0], self.world.gravity[1], self.world.gravity[2]);
        self.contact(s, ws, g);
        self.integrate(s, ws, g);
        self.measure(s, ws, report);
    }

    /// Stage 1: the controller's actuation, the activation dynamics and the generator torques: the explicit joint
    /// torque (N·m) and the implicit damping (N·m·s/rad, rapier adds dt·d to the mass-matrix diagonal) of the
    /// generators' force–velocity slope.
    fn actuation(&self, s: &mut State, ws: &mut Workspace, ctrl: &mut dyn Controller) {
        let model = &*self.model;
        let dt = self.world.dt;
        let n = model.dofs.len();
        // The controller.
        let mut act = ws.actuation.take().unwrap_or_else(|| ctrl.initial_actuation(model));
        {
            let needs_body = ctrl.needs_body();
            if needs_body {
                self.fill_body_state(s, &ws.last_grf, &mut ws.body);
            }
            let obs = Observation {
                t: s.t,
                q: &ws.q,
                qd: &ws.qd,
                activation: &s.activation,
                body: needs_body.then_some(&ws.body),
            };
            ctrl.actuate(model, &obs, &mut act);
        }

        // Joint torques: explicit part, plus implicit damping (rapier adds dt·d to the mass-matrix diagonal)
        //    for the generators' force–velocity slope and the passive damping.
        let decay_act = (-dt / self.activation.tau_act).exp();
        let decay_deact = (-dt / self.activation.tau_deact).exp();
        let decays = (decay_act, decay_deact);
        for i in 0..n {
            let (q, qd) = (ws.q[i], ws.qd[i]);
            let d = &model.dofs[i];
            match &act {
                Actuation::Torque(t) => {
                    ws.tau_explicit[i] = t[i];
                    ws.damp_gen[i] = 0.0;
                    // A commanded torque counts as the group of its sign.
                    ws.group_tau[i] = if t[i] >= 0.0 { [t[i], 0.0] } else { [0.0, t[i]] };
                    ws.group_slope[i] = [0.0; 2];
                    for k in 0..2 {
                        s.activation[i][k] *= decay_deact;
                    }
                }
                Actuation::Excitation(_) if d.passive => {
                    // No muscles (the MTP joint): only the passive stage acts on it.
                    ws.tau_explicit[i] = 0.0;
                    ws.damp_gen[i] = 0.0;
                    ws.group_tau[i] = [0.0; 2];
                    ws.group_slope[i] = [0.0; 2];
                }
                Actuation::Excitation(e) => {
                    let mut tau = 0.0;
                    let mut slope = 0.0;
                    for (k, sign) in [(0usize, 1.0), (1usize, -1.0)] {
                        let a = activate(
                            &d.generators[k],
                            e[i][k].clamp(0.0, 1.0),
                            s.activation[i][k],
                            dt,
                            decays,
                        );
                        s.activation[i][k] = a;
                        if d.generators[k].elastic {
                            // Its tendon torque is added below, with the units.
                            ws.group_tau[i][k] = 0.0;
                            ws.group_slope[i][k] = 0.0;
                            continue;
                        }
                        let (cap, dcap) = d.generators[k].capacity(q, qd, sign);
                        tau += sign * a * cap;
                        slope += sign * a * dcap;
                        ws.group_tau[i][k] = sign * a * cap;
                        ws.group_slope[i][k] = sign * a * dcap;
                    }
                    // T(ω⁺) ≈ T(ω) + T'(ω)(ω⁺ − ω): explicit T − T'·ω, implicit −(−T')·ω⁺.
                    let dg = (-slope).max(0.0);
                    ws.damp_gen[i] = dg;
                    ws.tau_explicit[i] = tau + dg * qd;
                }
            }
        }
        // The units' own activations: each from its excitation (by default its drive group's), with its group's
        // time constants.
        for (u, unit) in model.units.iter().enumerate() {
            let (i, k) = unit.drive;
            s.unit_activation[u] = match &act {
                Actuation::Torque(_) => s.unit_activation[u] * decay_deact,
                Actuation::Excitation(e) => {
                    let x = ctrl.unit_excitation(model, u, e[i][k].clamp(0.0, 1.0)).clamp(0.0, 1.0);
                    activate(&model.dofs[i].generators[k], x, s.unit_activation[u], dt, decays)
                }
            };
        }
        if matches!(act, Actuation::Excitation(_)) {
            self.unit_torques(s, ws);
        }
        ws.actuation = Some(act);
    }

    /// The muscle–tendon units' joint torques (part of stage 1): the state's tendon torque `T = F(δ)`, as `s·e_j·T`
    /// on each spanned DOF, an explicit torque over the step; the contractile element is stepped after the joints
    /// moved ([`Self::advance_units`]), so activation reaches the joints through the tendon one step later. The
    /// tendon is not made implicit in the joints: in rapier's integration (velocity first, then position with the
    /// new velocity) any stiffness folded into the damping removes a fraction `h²k/I` of the oscillation energy per
    /// step, and a tendon must return what it stores; explicit, the tendon–segment oscillation is integrated
    /// symplectically, stable while `h·√(k/I) < 2` (the foot on its ankle tendons: ≈ 0.3 at dt = 1 ms;
    /// docs/design.md §2).
    fn unit_torques(&self, s: &State, ws: &mut Workspace) {
        for (u, unit) in self.model.units.iter().enumerate() {
            let t = unit.tendon.torque(s.tendon[u][0]).0;
            for (idx, &(j, e)) in unit.joints.iter().enumerate() {
                let tau = unit.sign * e * t;
                ws.tau_explicit[j] += tau;
                if unit.two_joint() {
                    ws.unit_tau[u][idx] = tau;
                } else {
                    ws.group_tau[j][unit.drive.1] += tau;
                }
            }
        }
    }

    /// The units' state after the step (part of stage 6): the backward-Euler contractile step
    /// ([`tendon::ce_step`]) against the joint angles `q1` the step reached, with the step's activation and the
    /// contractile element's torque–angle factor at the step's start.
    /// With commanded torques (generators bypassed) the contractile elements follow the joints, tendons slack.
    fn advance_units(&self, s: &mut State, ws: &Workspace, q1: &[f64], qd1: &[f64]) {
        let dt = self.world.dt;
        let commanded = matches!(ws.actuation, Some(Actuation::Torque(_)));
        for (u, unit) in self.model.units.iter().enumerate() {
            if commanded {
                let rate: f64 = unit.joints.iter().map(|&(j, e)| e * qd1[j]).sum();
                s.tendon[u] = [0.0, unit.sign * rate];
                continue;
            }
            let a = s.unit_activation[u];
            let (q0, q1) = (unit.coordinate(&ws.q), unit.coordinate(q1));
            let d = s.tendon[u][0];
            let st = tendon::ce_step(
                &unit.params,
                unit.t_max,
                &unit.tendon,
                a,
                q0 + unit.sign * d,
                d - unit.sign * (q1 - q0),
                dt,
            );
            s.tendon[u] = [st.stretch, st.v];
        }
    }

    /// Per muscle–tendon unit: contractile-element angle `Q + s·δ` (rad), its shortening velocity (rad/s) and the
    /// tendon's stored energy (J), in [`Model::units`] order.
    pub fn unit_measures(&self, s: &State) -> Vec<[f64; 3]> {
        if self.model.units.is_empty() {
            return Vec::new();
        }
        let n = self.model.dofs.len();
        let (mut q, mut qd) = (vec![0.0; n], vec![0.0; n]);
        self.joint_state(s, &mut q, &mut qd);
        self.model
            .units
            .iter()
            .zip(&s.tendon)
            .map(|(u, &[d, v])| [u.coordinate(&q) + u.sign * d, v, u.tendon.energy(d)])
            .collect()
    }

    /// Stage 2: passive joint forces: damping (the joint's own plus the generators' implicit part) and the
    /// limit springs beyond a joint limit, set on the multibody for rapier to integrate implicitly.
    fn passive(&self, s: &mut State, ws: &mut Workspace) {
        let model = &*self.model;
        let layout = &self.layout;
        {
            let mb = self.mb_mut(s);
            mb.damping_mut().fill(0.0);
            for (i, d) in model.dofs.iter().enumerate() {
                let dl = &layout.dof[i];
                let mut damping = d.damping + ws.damp_gen[i];
                let mut spring = (0.0, 0.0);
                if let Some([lo, hi]) = d.limits {
                    let q = ws.q[i];
                    if q > hi {
                        spring = (LIMIT_STIFFNESS, hi);
                        damping += LIMIT_DAMPING;
                    } else if q < lo {
                        spring = (LIMIT_STIFFNESS, lo);
                        damping += LIMIT_DAMPING;
                    }
                }
                if d.stiffness > 0.0 {
                    // The joint's own spring about 0 plus the limit spring: one linear spring with the summed
                    // stiffness and the stiffness-weighted rest angle, −k_p·q − k_l·(q − r_l) = −(k_p + k_l)·(q − r).
                    let k = d.stiffness + spring.0;
                    spring = (k, spring.0 * spring.1 / k);
                }
                mb.damping_mut()[dl.assembly] = damping;
                ws.passive[i] = (damping - ws.damp_gen[i], spring.0, spring.1);
                mb.link_mut(dl.link)
                    .expect("link")
                    .joint
                    .set_spring(3, spring.0, spring.1);
            }
        }
    }

    /// Stage 3: the joint torques applied as body-torque pairs.
    fn apply_joint_torques(&self, s: &mut State, ws: &mut Workspace) {
        let layout = &self.layout;
        let mb_index = layout.multibody;
        // The joint torques as body-torque pairs (+τ·axis on the child, −τ·axis on the parent): this is
        //    exactly the generalized force of the hinge. User forces persist in rapier: reset them every step.
        for h in &layout.all_bodies {
            let rb = &mut s.sets.bodies[*h];
            rb.reset_forces(false);
            rb.reset_torques(false);
        }
        {
            // Disjoint borrows of the sets (multibody read, bodies written): not through `self.mb`.
            let mb = s.sets.multibody_joints.get_multibody(mb_index).expect("multibody");
            for (i, dl) in layout.dof.iter().enumerate() {
                let tau = ws.tau_explicit[i];
                if tau == 0.0 {
                    continue;
                }
                let rot = mb.link(dl.link).expect("link").local_to_world().rotation;
                let t = rot * dl.axis * tau;
                s.sets.bodies[dl.child].add_torque(t, false);
                s.sets.bodies[dl.parent].add_torque(-t, false);
            }
        }
        // External pushes, at the segment's centre of mass.
        for p in self.pushes.iter().filter(|p| p.acts_at(s.t)) {
            let f = Vector::new(p.force[0], p.force[1], p.force[2]);
            s.sets.bodies[layout.segment_body[p.segment]].add_force(f, false);
        }
    }

    /// Stage 4: ground contact forces (N) on the bodies. `g`: gravity (m/s²).
    fn contact(&self, s: &mut State, ws: &mut Workspace, g: Vector) {
        let model = &*self.model;
        let layout = &self.layout;
        let mb_index = layout.multibody;
        let dt = self.world.dt;
        // Ground contact, solved implicitly against this step's dynamics (compliant model), or left to rapier's
        //    solver (rapier contacts: make sure the broad/narrow phase belong to this state).
        ws.forces.clear();
        if let Some(rc) = &layout.rapier_contact {
            let key = (s.steps, *s.sets.bodies[layout.segment_body[0]].position());
            if ws.rapier_bound != Some(key) {
                rebind_rapier_contact(rc, &mut s.sets, ws);
            }
        } else if self.world.ground && !model.spheres.is_empty() {
            let mb = s.sets.multibody_joints.get_multibody(mb_index).expect("multibody");
            let nd = mb.ndofs();
            if ws.q_force.len() != nd {
                ws.q_force = DVector::zeros(nd);
            }
            ws.q_force.fill(0.0);
            // Generalized force of a force `f` (N) at link `link`'s centre of mass: J_lin,iᵀ f.
            let mut add_force = |link: usize, f: Vector| {
                let j = mb.body_jacobian(link);
                for c in 0..nd {
                    ws.q_force[c] += j[(0, c)] * f.x + j[(1, c)] * f.y + j[(2, c)] * f.z;
                }
            };
            // Gravity: Σ J_lin,iᵀ m_i g.
            for l in mb.links() {
                add_force(l.link_id(), g * s.sets.bodies[l.rigid_body_handle()].mass());
            }
            // External pushes, as gravity (the contact solve must see every force of the step).
            for p in self.pushes.iter().filter(|p| p.acts_at(s.t)) {
                add_force(layout.segment_link[p.segment], Vector::from(p.force));
            }
            let qd = mb.generalized_velocity();
            for (i, dl) in layout.dof.iter().enumerate() {
                let a = dl.assembly;
                ws.q_force[a] += ws.tau_explicit[i] - mb.damping()[a] * qd[a];
                let (k, rest) = mb.link(dl.link).expect("link").joint.spring(3);
                if k > 0.0 {
                    ws.q_force[a] -= k * (ws.q[i] - rest);
                }
            }
            contact::solve(
                model,
                layout,
                mb,
                &s.sets.bodies,
                &ws.q_force,
                dt,
                &mut ws.contact,
                &mut ws.forces,
            );
            for sf in &ws.forces {
                let h = layout.segment_body[model.spheres[sf.sphere].segment];
                s.sets.bodies[h].add_force_at_point(sf.force, sf.point, false);
            }
        }
    }

    /// Stage 5: one rapier step of `world.dt`; the clock advances.
    fn integrate(&self, s: &mut State, ws: &mut Workspace, g: Vector) {
        let dt = self.world.dt;
        ws.pipeline.step(
            g,
            &ws.params,
            &mut s.sets.islands,
            &mut ws.broad_phase,
            &mut ws.narrow_phase,
            &mut s.sets.bodies,
            &mut s.sets.colliders,
            &mut s.sets.impulse_joints,
            &mut s.sets.multibody_joints,
            &mut s.sets.soft_bodies,
            &mut ws.ccd,
            &(),
            &(),
        );
        s.t = (s.steps + 1) as f64 * dt;
        s.steps += 1;
    }

    /// Stage 6: what the step delivered: torques at the end-of-step velocity, GRF, COP and free moment per foot.
    fn measure(&self, s: &mut State, ws: &mut Workspace, report: &mut StepReport) {
        let model = &*self.model;
        let layout = &self.layout;
        let dt = self.world.dt;
        let n = model.dofs.len();
        let (mut q1, mut qd1) = (std::mem::take(&mut ws.q1), std::mem::take(&mut ws.qd1));
        q1.resize(n, 0.0);
        qd1.resize(n, 0.0);
        self.joint_state(s, &mut q1, &mut qd1);
        let finite = q1.iter().chain(qd1.iter()).all(|x| x.is_finite());
        if !model.units.is_empty() {
            self.advance_units(s, ws, &q1, &qd1);
        }
        if layout.rapier_contact.is_some() {
            ws.rapier_bound = Some((s.steps, *s.sets.bodies[layout.segment_body[0]].position()));
        }
        let r = report;
        r.t = s.t;
        r.finite = finite;
        r.torque.clear();
        r.torque
            .extend((0..n).map(|i| ws.tau_explicit[i] - ws.damp_gen[i] * qd1[i]));
        r.passive_torque.clear();
        r.passive_torque.extend((0..n).map(|i| {
            let (damping, k, rest) = ws.passive[i];
            -damping * qd1[i] - if k > 0.0 { k * (q1[i] - rest) } else { 0.0 }
        }));
        (ws.q1, ws.qd1) = (q1, qd1);
        let nf = model.feet.len();
        let grf = &mut r.grf;
        grf.clear();
        grf.resize(nf, [0.0; 3]);
        // Σ x·F_z, Σ y·F_z, Σ F_z per foot, in the workspace (one allocation fewer per step).
        ws.cop_acc.clear();
        ws.cop_acc.resize(nf, [0.0; 3]);
        let cop_acc = &mut ws.cop_acc;
        for sf in &ws.forces {
            let fi = model.spheres[sf.sphere].foot;
            grf[fi][0] += sf.force.x;
            grf[fi][1] += sf.force.y;
            grf[fi][2] += sf.force.z;
            cop_acc[fi][0] += sf.point.x * sf.force.z;
            cop_acc[fi][1] += sf.point.y * sf.force.z;
            cop_acc[fi][2] += sf.force.z;
        }
        if let Some(rc) = &layout.rapier_contact {
            rapier_grf(rc, &ws.narrow_phase, &s.sets.bodies, dt, grf, cop_acc);
        }
        r.cop.clear();
        r.cop.extend(cop_acc.iter().map(|c| {
            if c[2] > 0.0 {
                [c[0] / c[2], c[1] / c[2]]
            } else {
                [f64::NAN, f64::NAN]
            }
        }));
        // Free moment: Σ ((p − COP) × F)_z over the sphere forces (all applied on the ground plane).
        let free_moment = &mut r.free_moment;
        free_moment.clear();
        free_moment.resize(nf, 0.0);
        for sf in &ws.forces {
            let fi = model.spheres[sf.sphere].foot;
            let c: &[f64; 2] = &r.cop[fi];
            free_moment[fi] += (sf.point.x - c[0]) * sf.force.y - (sf.point.y - c[1]) * sf.force.x;
        }
        if layout.rapier_contact.is_some() {
            free_moment.iter_mut().for_each(|m| *m = f64::NAN);
        }
        ws.last_grf.clone_from(&r.grf);
    }
}

/// Forgets the broad/narrow phase's pairs and flags the state's colliders so the next step re-inserts them.
fn rebind_rapier_contact(rc: &world::RapierContact, sets: &mut Sets, ws: &mut Workspace) {
    ws.broad_phase = BroadPhaseBvh::new();
    ws.narrow_phase = NarrowPhase::new();
    for h in rc.feet.iter().flatten() {
        let co = sets.colliders.get_mut(*h).expect("foot collider");
        if let Some(p) = co.position_wrt_parent().copied() {
            co.set_position_wrt_parent(p);
        }
    }
    let co = sets.colliders.get_mut(rc.ground).expect("ground collider");
    let p = *co.position();
    co.set_position(p);
}

/// The full 3-D ground reaction force on each foot from rapier's last step, and the COP accumulators
/// `[Σ x·J_n, Σ y·J_n, Σ J_n]`. Per contact the solver stores the normal impulse and the friction impulse in its
/// tangent basis, totals over the step; force = impulse / dt. (`ContactPair::total_impulse` and contact-force
/// events carry the normal part only.)
fn rapier_grf(
    rc: &world::RapierContact,
    np: &NarrowPhase,
    bodies: &RigidBodySet,
    dt: f64,
    grf: &mut [[f64; 3]],
    cop_acc: &mut [[f64; 3]],
) {
    for (fi, cols) in rc.feet.iter().enumerate() {
        let mut f = Vector::ZERO;
        for &c in cols {
            let Some(pair) = np.contact_pair(c, rc.ground) else {
                continue;
            };
            // Impulses act on collider1 along −normal (normal: from collider1 to collider2).
            let sign: Real = if pair.collider1 == c { 1.0 } else { -1.0 };
            for m in pair.solver_manifolds() {
                let dir1 = -m.data.normal;
                let t1 = orthonormal_vector(dir1);
                let t2 = dir1.cross(t1);
                for sc in &m.data.solver_contacts {
                    let pt = &m.points[sc.contact_indices()[0] as usize];
                    let (jn, jt) = (pt.data.impulse, pt.data.tangent_impulse);
                    f += (dir1 * jn + t1 * jt.x + t2 * jt.y) * sign;
                    if jn > 0.0 {
                        let (p1, p2) = m.data.solver_contact_world_points(sc, bodies);
                        let p = (p1 + p2) * 0.5;
                        cop_acc[fi][0] += p.x * jn;
                        cop_acc[fi][1] += p.y * jn;
                        cop_acc[fi][2] += jn;
                    }
                }
            }
        }
        grf[fi] = [f.x / dt, f.y / dt, f.z / dt];
    }
}

/// rapier's solver tangent `t1` for a contact direction (Pixar's branchless orthonormal basis, as
/// `compute_tangent_contact_directions`; the trait is internal to rapier).
fn orthonormal_vector(n: Vector) -> Vector {
    let sign = 1.0f64.copysign(n.z);
    let a = -1.0 / (sign + n.z);
    let b = n.x * n.y * a;
    Vector::new(b, sign + n.y * n.y * a, -n.y)
}
