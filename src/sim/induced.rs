//! Induced ground-force analysis (docs/design.md §5), the physics half: split one step's measured ground reaction on
//! the loaded feet into the parts induced by each muscle group, gravity, passive joint forces, velocity-dependent
//! (Coriolis/centrifugal) terms, and the foot's own acceleration.
//!
//! With `M q̈ + c = Σ τ_p + J_fᵀ λ` (generalised coordinates, `J_f` the loaded feet's 6 × n body Jacobians, `λ`
//! their ground wrenches about the foot COM) and `a_f = J_f q̈ + J̇_f q̇` the feet's spatial acceleration:
//!
//! `λ = W⁻¹ a_f + W⁻¹ (J_f M⁻¹ c − J̇_f q̇) − Σ_p W⁻¹ J_f M⁻¹ τ_p`,  `W = J_f M⁻¹ J_fᵀ`.
//!
//! The `τ_p` parts are OpenSim's induced-acceleration analysis with the stance foot welded (`a_f = 0`): the
//! ground force each generalised force would cause if it acted alone. `W⁻¹ a_f` is what the foot's motion in
//! the compliant ground adds (zero for a rigidly planted foot). Every term is computed from the model on its own
//! — `M` and `c` from the links' Jacobians and inertias, `J̇ q̇` from the Jacobians before and after the step,
//! the torques from the generators — so the sum of the parts equals the measured force only if the
//! decomposition is complete and consistent with rapier's step: that is the check.
//!
//! A foot with a loaded toe segment (`[athlete] toe = true`): the toe's contact forces are part of the foot's
//! wrench (taken about the rear foot's COM) and the MTP joint gets one more row of `J_f`, a selector of its
//! coordinate (welded: `q̈_mtp = 0`); the toe's own 6 rows would be linearly dependent on the foot's and the MTP's.

use rapier3d_f64::math::Real;
use rapier3d_f64::na::{DMatrix, DVector, Matrix3, Vector3};

use super::contact::SphereForce;
use super::{Simulator, State, Workspace};

/// What the analysis needs from one state: per link (indexed by link id) the body Jacobian (6 × n: COM linear
/// velocity, angular velocity), mass, world-frame inertia about the COM and COM; the generalised velocity.
#[derive(Debug, Clone)]
pub struct Dynamics {
    /// Body Jacobians.
    pub jac: Vec<DMatrix<Real>>,
    /// Masses (kg).
    pub mass: Vec<Real>,
    /// World-frame inertia tensors about the COM (kg·m²).
    pub inertia: Vec<Matrix3<Real>>,
    /// Link COMs (m).
    pub com: Vec<Vector3<Real>>,
    /// Generalised velocity (rapier's assembly order).
    pub qd: DVector<Real>,
}

/// The generalised forces of one step, per model DOF: each muscle group's delivered torque and the passive
/// joint torque (damping at the end-of-step velocity, limit spring at the end-of-step angle, as integrated).
#[derive(Debug, Clone, PartialEq)]
pub struct StepForces {
    /// `[positive-direction group, negative-direction group]` torque per DOF (N·m).
    pub group: Vec<[f64; 2]>,
    /// Passive torque per DOF (N·m).
    pub passive: Vec<f64>,
    /// Per muscle–tendon unit ([`crate::model::Model::units`]), two-joint units only: the tendon torque on each
    /// spanned DOF, in the unit's `joints` order (N·m; empty for single-joint units, which are in `group`).
    pub units: Vec<Vec<f64>>,
}

/// The split of one loaded foot's ground force (N, world frame; the force part of the foot's ground wrench).
#[derive(Debug, Clone, PartialEq)]
pub struct FootParts {
    /// Index into [`crate::model::Model::feet`].
    pub foot: usize,
    /// Force measured by the contact model.
    pub measured: [f64; 3],
    /// Gravity's part.
    pub gravity: [f64; 3],
    /// Velocity-dependent part (Coriolis, centrifugal, gyroscopic, and the feet's `J̇ q̇`).
    pub velocity: [f64; 3],
    /// Passive joint torques' part (damping, range-of-motion limits).
    pub passive: [f64; 3],
    /// The foot's own acceleration in the compliant ground (`W⁻¹ a_f`; 0 for a welded foot).
    pub foot_motion: [f64; 3],
    /// Each muscle group's part, per DOF `[positive, negative]` (a series-elastic group: its tendon torque's).
    pub groups: Vec<[[f64; 3]; 2]>,
    /// Each two-joint unit's part, in [`crate::model::Model::units`] order (zero for single-joint units).
    pub units: Vec<[f64; 3]>,
}

impl FootParts {
    /// Sum of all parts.
    pub fn sum(&self) -> [f64; 3] {
        let mut s = [0.0; 3];
        let mut add = |v: &[f64; 3]| (0..3).for_each(|a| s[a] += v[a]);
        for v in [&self.gravity, &self.velocity, &self.passive, &self.foot_motion] {
            add(v);
        }
        for g in &self.groups {
            add(&g[0]);
            add(&g[1]);
        }
        for u in &self.units {
            add(u);
        }
        s
    }
}

impl Simulator {
    /// The link Jacobians, masses, inertias and velocities of a state.
    pub fn dynamics(&self, s: &State) -> Dynamics {
        let mb = self.mb(s);
        let nl = mb.num_links();
        let n = mb.ndofs();
        let mut d = Dynamics {
            jac: vec![DMatrix::zeros(6, n); nl],
            mass: vec![0.0; nl],
            inertia: vec![Matrix3::zeros(); nl],
            com: vec![Vector3::zeros(); nl],
            qd: mb.generalized_velocity().clone_owned(),
        };
        for l in mb.links() {
            let id = l.link_id();
            let rb = &s.sets.bodies[l.rigid_body_handle()];
            d.jac[id].copy_from(mb.body_jacobian(id));
            d.mass[id] = rb.mass();
            // Segments' principal axes are their frame axes (inertia_diag in the model file).
            let ip = rb.mass_properties().local_mprops.principal_inertia();
            let r = rb.position().rotation;
            let cols = [
                r * rapier3d_f64::math::Vector::X,
                r * rapier3d_f64::math::Vector::Y,
                r * rapier3d_f64::math::Vector::Z,
            ];
            let mut i = Matrix3::zeros();
            for (k, c) in cols.iter().enumerate() {
                let c = Vector3::new(c.x, c.y, c.z);
                i += c * c.transpose() * [ip.x, ip.y, ip.z][k];
            }
            d.inertia[id] = i;
            let c = rb.center_of_mass();
            d.com[id] = Vector3::new(c.x, c.y, c.z);
        }
        d
    }

    /// The generalised forces the last step integrated, split per muscle group (see [`StepForces`]); `qd1` and
    /// `q0` are the DOF velocities after and angles before the step.
    pub fn step_forces(&self, ws: &Workspace, q0: &[f64], qd1: &[f64]) -> StepForces {
        let n = self.model.dofs.len();
        let dt = self.world.dt;
        let mut f = StepForces {
            group: vec![[0.0; 2]; n],
            passive: vec![0.0; n],
            units: ws.unit_tau.clone(),
        };
        for i in 0..n {
            let implicit = ws.damp_gen[i] > 0.0;
            let dw = qd1[i] - ws.qd[i];
            for k in 0..2 {
                f.group[i][k] = ws.group_tau[i][k] + if implicit { ws.group_slope[i][k] * dw } else { 0.0 };
            }
            let (damping, k, rest) = ws.passive[i];
            let q1 = q0[i] + dt * qd1[i];
            f.passive[i] = -damping * qd1[i] - if k > 0.0 { k * (q1 - rest) } else { 0.0 };
        }
        f
    }

    /// Splits the ground force of every loaded foot over the step from `pre` to `post` (see the module docs).
    /// `spheres` are the step's contact forces. `None` when no foot is loaded or the system is singular.
    pub fn induced_parts(
        &self,
        pre: &Dynamics,
        post: &Dynamics,
        forces: &StepForces,
        spheres: &[SphereForce],
    ) -> Option<Vec<FootParts>> {
        let model = &*self.model;
        let dt = self.world.dt;
        let n = pre.qd.len();
        let g = Vector3::new(self.world.gravity[0], self.world.gravity[1], self.world.gravity[2]);
        // Loaded feet: the foot's link, its measured ground wrench about the foot COM (a toe's forces included)
        // and the DOFs between the foot and its loaded toe (model indices; one selector row of J_f each).
        let mut feet: Vec<(usize, usize, [f64; 6], Vec<usize>)> = Vec::new();
        for (fi, &seg) in model.feet.iter().enumerate() {
            let link = self.layout.segment_link[seg];
            let c = pre.com[link];
            let mut w = [0.0; 6];
            let mut any = false;
            let mut joints: Vec<usize> = Vec::new();
            for sf in spheres.iter().filter(|sf| model.spheres[sf.sphere].foot == fi) {
                let f = Vector3::new(sf.force.x, sf.force.y, sf.force.z);
                let r = Vector3::new(sf.point.x, sf.point.y, sf.point.z) - c;
                let m = r.cross(&f);
                for a in 0..3 {
                    w[a] += f[a];
                    w[3 + a] += m[a];
                }
                any = true;
                let mut s = model.spheres[sf.sphere].segment;
                while s != seg {
                    for &d in &model.segments[s].dofs {
                        if !joints.contains(&d) {
                            joints.push(d);
                        }
                    }
                    s = model.segments[s].parent.expect("a toe hangs from its foot");
                }
            }
            if any {
                joints.sort_unstable();
                feet.push((fi, link, w, joints));
            }
        }
        if feet.is_empty() {
            return None;
        }
        // Mass matrix and velocity-dependent generalised force, Σ over links.
        let mut m = DMatrix::<Real>::zeros(n, n);
        let mut c = DVector::<Real>::zeros(n);
        let mut tau_g = DVector::<Real>::zeros(n);
        let bias = |l: usize| (&post.jac[l] - &pre.jac[l]) * &post.qd / dt;
        for l in 0..pre.jac.len() {
            let j = &pre.jac[l];
            let (ms, iw) = (pre.mass[l], pre.inertia[l]);
            let mut bj = j.clone();
            for col in 0..n {
                let w = Vector3::new(j[(3, col)], j[(4, col)], j[(5, col)]);
                let iwc = iw * w;
                for a in 0..3 {
                    bj[(a, col)] *= ms;
                    bj[(3 + a, col)] = iwc[a];
                }
            }
            m += j.transpose() * bj;
            let b = bias(l);
            let sv = j * &pre.qd;
            let omega = Vector3::new(sv[3], sv[4], sv[5]);
            let ang = iw * Vector3::new(b[3], b[4], b[5]) + omega.cross(&(iw * omega));
            let wrench = DVector::from_column_slice(&[ms * b[0], ms * b[1], ms * b[2], ang[0], ang[1], ang[2]]);
            c += j.transpose() * wrench;
            let fg = DVector::from_column_slice(&[ms * g.x, ms * g.y, ms * g.z, 0.0, 0.0, 0.0]);
            tau_g += j.transpose() * fg;
        }
        let lu = m.lu();
        // First row of each foot in J_f: 6 for the foot, then one per toe joint.
        let mut rows = Vec::with_capacity(feet.len());
        let mut k = 0;
        for f in &feet {
            rows.push(k);
            k += 6 + f.3.len();
        }
        let mut jf = DMatrix::<Real>::zeros(k, n);
        let mut bf = DVector::<Real>::zeros(k);
        for (r, (_, link, _, joints)) in feet.iter().enumerate() {
            jf.view_mut((rows[r], 0), (6, n)).copy_from(&pre.jac[*link]);
            bf.rows_mut(rows[r], 6).copy_from(&bias(*link));
            for (j, &d) in joints.iter().enumerate() {
                jf[(rows[r] + 6 + j, self.layout.dof[d].assembly)] = 1.0;
            }
        }
        let x = lu.solve(&jf.transpose())?; // M⁻¹ J_fᵀ
        let w = &jf * &x;
        let w_lu = w.lu();
        // G = W⁻¹ J_f M⁻¹ (k × n); M is symmetric, so J_f M⁻¹ = Xᵀ.
        let gmat = w_lu.solve(&x.transpose())?;
        let qdd = (&post.qd - &pre.qd) / dt;
        let a_f = &jf * qdd + &bf;
        let lam_motion = w_lu.solve(&a_f)?;
        let lam_vel = &gmat * &c - w_lu.solve(&bf)?;
        let lam_g = -(&gmat * &tau_g);
        let mut tau_p = DVector::<Real>::zeros(n);
        for (i, dl) in self.layout.dof.iter().enumerate() {
            tau_p[dl.assembly] = forces.passive[i];
        }
        let lam_p = -(&gmat * tau_p);
        let force = |v: &DVector<Real>, r: usize| [v[rows[r]], v[rows[r] + 1], v[rows[r] + 2]];
        let out = feet
            .iter()
            .enumerate()
            .map(|(r, (fi, _, wm, _))| FootParts {
                foot: *fi,
                measured: [wm[0], wm[1], wm[2]],
                gravity: force(&lam_g, r),
                velocity: force(&lam_vel, r),
                passive: force(&lam_p, r),
                foot_motion: force(&lam_motion, r),
                groups: self
                    .layout
                    .dof
                    .iter()
                    .enumerate()
                    .map(|(i, dl)| {
                        let col = gmat.column(dl.assembly);
                        let o = rows[r];
                        let part = |t: f64| [-col[o] * t, -col[o + 1] * t, -col[o + 2] * t];
                        [part(forces.group[i][0]), part(forces.group[i][1])]
                    })
                    .collect(),
                units: model
                    .units
                    .iter()
                    .zip(&forces.units)
                    .map(|(u, taus)| {
                        let mut part = [0.0; 3];
                        for (&(j, _), &t) in u.joints.iter().zip(taus) {
                            let col = gmat.column(self.layout.dof[j].assembly);
                            (0..3).for_each(|a| part[a] -= col[6 * r + a] * t);
                        }
                        part
                    })
                    .collect(),
            })
            .collect();
        Some(out)
    }
}
