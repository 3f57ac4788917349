//! Simulation: the rapier world built from a [`Model`], stepping, joint actuation and ground forces.
//!
//! Configuration, state and scratch are kept apart (MuJoCo's `mjModel`/`mjData`, rapier's sets vs pipeline):
//! [`Simulator`] is immutable and `Sync`, [`State`] is everything that changes (cloning it is a snapshot),
//! [`Workspace`] is scratch that is never serialised.

pub mod contact;
pub mod rollout;
pub mod world;

use std::sync::Arc;

use rapier3d_f64::math::{Real, Vector};
use rapier3d_f64::na::DVector;
use rapier3d_f64::prelude::*;

use crate::control::{Actuation, Controller, Observation};
use crate::model::Model;
use contact::{ContactWorkspace, SphereForce};
use world::{Layout, Sets};

/// World settings of a simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorldSettings {
    /// Gravity (m/s²), world frame.
    pub gravity: [f64; 3],
    /// Whether the ground plane z = 0 exists.
    pub ground: bool,
    /// Time step (s).
    pub dt: f64,
    /// rapier substeps per step (the multibody is integrated once per substep).
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

/// Activation time constants (s) of the first-order activation dynamics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivationDynamics {
    /// Rise time constant (s). Default 0.015.
    pub tau_act: f64,
    /// Decay time constant (s). Default 0.060.
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

/// The immutable simulator: model, world settings and the rapier layout. `Sync`: share it across workers.
pub struct Simulator {
    /// The body model.
    pub model: Arc<Model>,
    /// World settings.
    pub world: WorldSettings,
    /// Activation dynamics.
    pub activation: ActivationDynamics,
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
}

/// Scratch: the rapier pipeline and buffers. Never serialised; one per worker.
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
    q_force: DVector<Real>,
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
    /// Actuator torque delivered per DOF over the step (N·m): generator torque at the end-of-step velocity
    /// (its force–velocity slope is integrated implicitly), or the commanded constant torque.
    pub torque: Vec<f64>,
    /// False once any coordinate is not finite.
    pub finite: bool,
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
        let (template, layout) = world::build(&model);
        Self {
            model,
            world,
            activation,
            layout,
            template,
        }
    }

    /// The initial state: the model's initial pose at rest, activations 0.
    pub fn initial_state(&self) -> State {
        State {
            sets: self.template.clone(),
            t: 0.0,
            steps: 0,
            activation: vec![[0.0; 2]; self.model.dofs.len()],
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
        if self.world.ground && !self.model.spheres.is_empty() {
            let lowest = self
                .model
                .spheres
                .iter()
                .map(|sp| {
                    let mut c = Vector::new(sp.center[0], sp.center[1], sp.center[2]);
                    if sp.segment == 0 {
                        c -= self.layout.root_offset;
                    }
                    let link = mb.link(self.layout.segment_link[sp.segment]).expect("link");
                    link.local_to_world().transform_point(c).z - sp.radius
                })
                .fold(f64::INFINITY, f64::min);
            disp[2] = lift - lowest;
        }
        mb.apply_displacements(&disp);
        mb.forward_kinematics(&s.sets.bodies, false);
        mb.update_rigid_bodies(&mut s.sets.bodies, true);
        let _ = mb.dof_inverse_inertia(&s.sets.bodies);
        s
    }

    /// A fresh workspace.
    pub fn workspace(&self) -> Workspace {
        let params = IntegrationParameters {
            dt: self.world.dt,
            num_solver_iterations: self.world.substeps.max(1),
            max_ccd_substeps: 0,
            ..Default::default()
        };
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
            q_force: DVector::zeros(0),
        }
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
            .map(|sp| {
                let mut c = Vector::new(sp.center[0], sp.center[1], sp.center[2]);
                if sp.segment == 0 {
                    c -= self.layout.root_offset;
                }
                let link = mb.link(self.layout.segment_link[sp.segment]).expect("link");
                link.local_to_world().transform_point(c).into()
            })
            .collect()
    }

    /// Whole-body COM, momenta about the COM and kinetic energy (every body, gimbals included).
    pub fn measures(&self, s: &State) -> BodyMeasures {
        let mb = self.mb(s);
        let qd = mb.generalized_velocity();
        let mut m_tot = 0.0;
        let mut mc = Vector::ZERO;
        let mut lin: Vec<(f64, Vector, Vector, Vector, &RigidBody)> = Vec::new();
        for l in mb.links() {
            let rb = &s.sets.bodies[l.rigid_body_handle()];
            let j = mb.body_jacobian(l.link_id());
            let sv = j * qd;
            let v = Vector::new(sv[0], sv[1], sv[2]);
            let w = Vector::new(sv[3], sv[4], sv[5]);
            let c = rb.center_of_mass();
            m_tot += rb.mass();
            mc += c * rb.mass();
            lin.push((rb.mass(), c, v, w, rb));
        }
        let com = mc / m_tot;
        let (mut p, mut l, mut ke) = (Vector::ZERO, Vector::ZERO, 0.0);
        for (m, c, v, w, rb) in lin {
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

    /// World position of every contact sphere centre and every geom end point lowest point is not needed here;
    /// see `measure` for balance checks. Returns the sphere forces of the last step.
    pub fn last_contact_forces<'a>(&self, ws: &'a Workspace) -> &'a [SphereForce] {
        &ws.forces
    }

    /// Advances the state by one step of `world.dt`.
    pub fn step(&self, s: &mut State, ws: &mut Workspace, ctrl: &mut dyn Controller) -> StepReport {
        let model = &*self.model;
        let dt = self.world.dt;
        let n = model.dofs.len();
        self.joint_state(s, &mut ws.q, &mut ws.qd);

        // 1. Controller.
        let mut act = ws.actuation.take().unwrap_or_else(|| ctrl.initial_actuation(model));
        {
            let obs = Observation {
                t: s.t,
                q: &ws.q,
                qd: &ws.qd,
                activation: &s.activation,
            };
            ctrl.actuate(model, &obs, &mut act);
        }

        // 2. Joint torques: explicit part, plus implicit damping (rapier adds dt·d to the mass-matrix diagonal)
        //    for the generators' force–velocity slope and the passive damping.
        let decay_act = (-dt / self.activation.tau_act).exp();
        let decay_deact = (-dt / self.activation.tau_deact).exp();
        for i in 0..n {
            let (q, qd) = (ws.q[i], ws.qd[i]);
            let d = &model.dofs[i];
            match &act {
                Actuation::Torque(t) => {
                    ws.tau_explicit[i] = t[i];
                    ws.damp_gen[i] = 0.0;
                    for k in 0..2 {
                        s.activation[i][k] *= decay_deact;
                    }
                }
                Actuation::Excitation(e) => {
                    let mut tau = 0.0;
                    let mut slope = 0.0;
                    for (k, sign) in [(0usize, 1.0), (1usize, -1.0)] {
                        let u = e[i][k].clamp(0.0, 1.0);
                        let a = s.activation[i][k];
                        let decay = if u > a { decay_act } else { decay_deact };
                        let a = u + (a - u) * decay;
                        s.activation[i][k] = a;
                        let (cap, dcap) = d.generators[k].capacity(q, qd, sign);
                        tau += sign * a * cap;
                        slope += sign * a * dcap;
                    }
                    // T(ω⁺) ≈ T(ω) + T'(ω)(ω⁺ − ω): explicit T − T'·ω, implicit −(−T')·ω⁺.
                    let dg = (-slope).max(0.0);
                    ws.damp_gen[i] = dg;
                    ws.tau_explicit[i] = tau + dg * qd;
                }
            }
        }
        ws.actuation = Some(act);

        let layout = &self.layout;
        let mb_index = layout.multibody;
        {
            let mb = s.sets.multibody_joints.get_multibody_mut(mb_index).expect("multibody");
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
                mb.damping_mut()[dl.assembly] = damping;
                mb.link_mut(dl.link)
                    .expect("link")
                    .joint
                    .set_spring(3, spring.0, spring.1);
            }
        }

        // 3. Apply the joint torques as body-torque pairs (+τ·axis on the child, −τ·axis on the parent): this is
        //    exactly the generalized force of the hinge. User forces persist in rapier: reset them every step.
        for h in &layout.all_bodies {
            let rb = &mut s.sets.bodies[*h];
            rb.reset_forces(false);
            rb.reset_torques(false);
        }
        {
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

        // 4. Ground contact, solved implicitly against this step's dynamics.
        ws.forces.clear();
        let g = Vector::new(self.world.gravity[0], self.world.gravity[1], self.world.gravity[2]);
        if self.world.ground && !model.spheres.is_empty() {
            let mb = s.sets.multibody_joints.get_multibody(mb_index).expect("multibody");
            let nd = mb.ndofs();
            if ws.q_force.len() != nd {
                ws.q_force = DVector::zeros(nd);
            }
            ws.q_force.fill(0.0);
            // Gravity: Σ J_lin,iᵀ m_i g.
            for l in mb.links() {
                let rb = &s.sets.bodies[l.rigid_body_handle()];
                let j = mb.body_jacobian(l.link_id());
                let f = g * rb.mass();
                for c in 0..nd {
                    ws.q_force[c] += j[(0, c)] * f.x + j[(1, c)] * f.y + j[(2, c)] * f.z;
                }
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

        // 5. Integrate.
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

        // 6. Report: delivered torques at the end-of-step velocity, GRF and COP per foot.
        let mut q1 = vec![0.0; n];
        let mut qd1 = vec![0.0; n];
        self.joint_state(s, &mut q1, &mut qd1);
        let finite = q1.iter().chain(qd1.iter()).all(|x| x.is_finite());
        let torque: Vec<f64> = (0..n).map(|i| ws.tau_explicit[i] - ws.damp_gen[i] * qd1[i]).collect();
        let nf = model.feet.len();
        let mut grf = vec![[0.0; 3]; nf];
        let mut cop_acc = vec![[0.0; 3]; nf];
        for sf in &ws.forces {
            let seg = model.spheres[sf.sphere].segment;
            let fi = model.feet.iter().position(|&f| f == seg).expect("foot");
            grf[fi][0] += sf.force.x;
            grf[fi][1] += sf.force.y;
            grf[fi][2] += sf.force.z;
            cop_acc[fi][0] += sf.point.x * sf.force.z;
            cop_acc[fi][1] += sf.point.y * sf.force.z;
            cop_acc[fi][2] += sf.force.z;
        }
        let cop = cop_acc
            .iter()
            .map(|c| {
                if c[2] > 0.0 {
                    [c[0] / c[2], c[1] / c[2]]
                } else {
                    [f64::NAN, f64::NAN]
                }
            })
            .collect();
        StepReport {
            t: s.t,
            grf,
            cop,
            torque,
            finite,
        }
    }
}
