//! sprintlab's compliant foot–ground contact, solved linearly-implicitly.
//!
//! Each contact sphere pressing into the ground plane z = 0 gets a Hunt–Crossley normal force
//! `F_n = k·d^1.5·(1 + 1.5·c·ḋ)` and regularised Coulomb friction `F_t = −μ·F_n·v_t/√(|v_t|² + v_s²)`.
//! Applied explicitly this law is unstable on a light foot at 1 ms (measured in `notes/rapier-contact.md`:
//! friction sign flips and blow-ups at every substep count). So the forces are evaluated at the *end* of the
//! step: with `u⁺ = u_free + dt·W·F`, `W = J_c A⁻¹ J_cᵀ` from the multibody's own factorised mass matrix and the
//! contact-point Jacobians, the law is linearised about the current iterate and
//! `(I + dt·D·W) F = a − D·u_free` is solved a few Newton passes. That was stable at 1 substep and
//! dt = 1–2 ms in every test of the prototype, and gives smooth touchdown forces instead of rigid-contact spikes.

use rapier3d_f64::math::{Real, Vector};
use rapier3d_f64::na::{DMatrix, DVector};
use rapier3d_f64::prelude::*;

use super::world::Layout;
use crate::model::Model;

/// Scratch buffers for the contact solve (reused across steps; the matrices are re-sized only when the
/// number of candidate spheres changes).
#[derive(Debug, Default, Clone)]
pub struct ContactWorkspace {
    cand: Vec<usize>,
    depth: Vec<Real>,
    points: Vec<Vector>,
    /// Contact Jacobian J_c (3m × n), J_cᵀ then A⁻¹·J_cᵀ (n × 3m), W = J_c·A⁻¹·J_cᵀ (3m × 3m).
    jc: DMatrix<Real>,
    x: DMatrix<Real>,
    w: DMatrix<Real>,
    /// The Newton system (3m × 3m) and its right-hand side.
    a_mat: DMatrix<Real>,
    rhs: DVector<Real>,
    /// A⁻¹·q_force, then the free velocity q̇ + dt·A⁻¹·q_force (n).
    acc: DVector<Real>,
    /// Contact-point velocities (3m): free, current iterate; forces F; W·F.
    u_free: DVector<Real>,
    u: DVector<Real>,
    f: DVector<Real>,
    wf: DVector<Real>,
    fn_est: Vec<Real>,
    dd: Vec<Real>,
    active: Vec<bool>,
}

/// The contact force on one sphere this step (world frame, force on the foot).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SphereForce {
    /// Sphere index in [`Model::spheres`].
    pub sphere: usize,
    /// Force (N).
    pub force: Vector,
    /// Application point on the ground plane (m).
    pub point: Vector,
}

/// Computes the contact forces for the coming step.
///
/// `qd`: generalized velocities; `q_force`: the generalized forces of the step other than contact (gravity,
/// joint torques, explicit terms) *without* the implicit damping/spring terms, which `A` already contains —
/// `damping` (per DOF) is passed so the free velocity includes `−D·q̇`.
#[allow(clippy::too_many_arguments)]
pub fn solve(
    model: &Model,
    layout: &Layout,
    mb: &Multibody,
    bodies: &RigidBodySet,
    q_force: &DVector<Real>,
    dt: Real,
    ws: &mut ContactWorkspace,
    out: &mut Vec<SphereForce>,
) {
    out.clear();
    ws.cand.clear();
    ws.depth.clear();
    ws.points.clear();
    let n = mb.ndofs();
    // Candidate spheres: within 2 cm of the ground (the solve itself decides which are active).
    for (i, s) in model.spheres.iter().enumerate() {
        let cw = layout.point_world(mb, s.segment, s.center);
        let d = s.radius - cw.z;
        if d > -0.02 {
            ws.cand.push(i);
            ws.depth.push(d);
            ws.points.push(Vector::new(cw.x, cw.y, 0.0));
        }
    }
    let m = ws.cand.len();
    if m == 0 {
        return;
    }
    let p = model.contact;
    if ws.jc.shape() != (3 * m, n) {
        ws.jc = DMatrix::zeros(3 * m, n);
        ws.x = DMatrix::zeros(n, 3 * m);
        ws.w = DMatrix::zeros(3 * m, 3 * m);
        ws.a_mat = DMatrix::zeros(3 * m, 3 * m);
        ws.rhs = DVector::zeros(3 * m);
        ws.u_free = DVector::zeros(3 * m);
        ws.u = DVector::zeros(3 * m);
        ws.f = DVector::zeros(3 * m);
        ws.wf = DVector::zeros(3 * m);
    }
    if ws.acc.len() != n {
        ws.acc = DVector::zeros(n);
    }
    let ContactWorkspace {
        ref mut jc,
        ref mut x,
        ref mut w,
        ref mut a_mat,
        ref mut rhs,
        ref mut acc,
        ref mut u_free,
        ref mut u,
        ref mut f,
        ref mut wf,
        ref mut fn_est,
        ref mut dd,
        ref mut active,
        ..
    } = *ws;
    // Contact Jacobian J_c (3m × n): rows x, y, z of each contact point's velocity (every entry written).
    for (k, &i) in ws.cand.iter().enumerate() {
        let seg = model.spheres[i].segment;
        let h = layout.segment_body[seg];
        let com = bodies[h].center_of_mass();
        let r = ws.points[k] - com;
        let j = mb.body_jacobian(layout.segment_link[seg]);
        for col in 0..n {
            let lin = Vector::new(j[(0, col)], j[(1, col)], j[(2, col)]);
            let ang = Vector::new(j[(3, col)], j[(4, col)], j[(5, col)]);
            // v_p = v_com + ω × r
            let vp = lin + ang.cross(r);
            jc[(3 * k, col)] = vp.x;
            jc[(3 * k + 1, col)] = vp.y;
            jc[(3 * k + 2, col)] = vp.z;
        }
    }
    let lu = mb.inv_augmented_mass();
    let qd = mb.generalized_velocity();
    acc.copy_from(q_force);
    lu.solve_mut(acc);
    // The products below are the same nalgebra kernels as `&jc * v` would run, written into the buffers.
    acc.zip_apply(&qd, |a, q| *a = q + *a * dt);
    u_free.gemv(1.0, jc, acc, 0.0);
    jc.transpose_to(x);
    lu.solve_mut(x);
    w.gemm(1.0, jc, x, 0.0);

    let (kh, ch, mu, vs) = (p.stiffness, p.dissipation, p.friction, p.slip_velocity);
    u.copy_from(u_free);
    f.fill(0.0);
    // Normal-force estimate for the friction law, lagged one Newton pass.
    fn_est.clear();
    fn_est.extend((0..m).map(|k| {
        let un = u_free[3 * k + 2];
        let dp = ws.depth[k] - dt * un;
        if dp > 0.0 {
            (kh * dp * dp.sqrt() * (1.0 - 1.5 * ch * un)).max(0.0)
        } else {
            0.0
        }
    }));
    dd.clear();
    dd.resize(3 * m, 0.0);
    active.clear();
    active.resize(m, false);
    for _pass in 0..p.newton_passes.max(1) {
        rhs.fill(0.0);
        for k in 0..m {
            let un = u[3 * k + 2];
            let dp = ws.depth[k] - dt * un;
            let g = 1.0 - 1.5 * ch * un;
            active[k] = dp > 0.0 && g > 0.0;
            if !active[k] {
                dd[3 * k] = 0.0;
                dd[3 * k + 1] = 0.0;
                dd[3 * k + 2] = 0.0;
                continue;
            }
            let sq = dp.sqrt();
            let fn_lin = kh * dp * sq * g;
            let dn = 1.5 * kh * sq * dt * g + 1.5 * ch * kh * dp * sq;
            dd[3 * k + 2] = dn;
            rhs[3 * k + 2] = fn_lin + dn * un;
            let (ux, uy) = (u[3 * k], u[3 * k + 1]);
            let ct = mu * fn_est[k] / (ux * ux + uy * uy + vs * vs).sqrt();
            dd[3 * k] = ct;
            dd[3 * k + 1] = ct;
        }
        // (I + dt·D·W) F = a − D·u_free ; inactive rows: F = 0.
        for r in 0..3 * m {
            let k = r / 3;
            for c in 0..3 * m {
                a_mat[(r, c)] = if active[k] { dt * dd[r] * w[(r, c)] } else { 0.0 };
            }
            a_mat[(r, r)] += 1.0;
            rhs[r] = if active[k] { rhs[r] - dd[r] * u_free[r] } else { 0.0 };
        }
        f.copy_from(rhs);
        if !a_mat.clone().lu().solve_mut(f) {
            f.fill(0.0);
        }
        wf.gemv(1.0, w, f, 0.0);
        u.zip_zip_apply(u_free, wf, |ui, free, wfi| *ui = free + wfi * dt);
        for k in 0..m {
            fn_est[k] = f[3 * k + 2].max(0.0);
        }
    }
    for (k, &i) in ws.cand.iter().enumerate() {
        let fz = f[3 * k + 2];
        if !active[k] || !(fz > 0.0) {
            continue;
        }
        let mut fx = f[3 * k];
        let mut fy = f[3 * k + 1];
        let ft = (fx * fx + fy * fy).sqrt();
        if ft > mu * fz {
            let s = mu * fz / ft;
            fx *= s;
            fy *= s;
        }
        out.push(SphereForce {
            sphere: i,
            force: Vector::new(fx, fy, fz),
            point: ws.points[k],
        });
    }
}
