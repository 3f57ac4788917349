//! The delivered joint torque never exceeds what strength allows at that angle and velocity:
//! `−S·T_iso·f_neg(θ)·g_neg(−ω) ≤ T ≤ S·T_iso·f_pos(θ)·g_pos(ω)` at every step (full activation is the most
//! any excitation can buy), checked on a hard-landing run where the hold-posture controller saturates. This is
//! the rigid generators' bound (series-elastic and two-joint generators switched off): a tendon delivers its
//! contractile element's torque at the element's angle and velocity, not the joint's.

use std::path::Path;

use sprintlab::scenario;

#[test]
fn delivered_torque_stays_inside_the_strength_envelope_on_a_hard_landing() {
    // A 30 cm drop with weak legs (push and swing strength 0.3): the PD demand saturates the generators.
    let text = "[initial]\ndrop_height = 0.3\nangles = { knee_r = 0.4, knee_l = 0.4, hip_flex_r = 0.2, \
                hip_flex_l = 0.2, ankle_r = 0.2, ankle_l = 0.2 }\n[strength]\npush = 0.3\nswing = 0.3\n\
                series_elastic = false\ntwo_joint = false\n\
                [controller]\nkind = \"hold-posture\"\n[run]\nduration = 1.0\n";
    let loaded = scenario::load_text(text, Path::new("landing.toml")).unwrap();
    let sim = loaded.simulator();
    let m = sim.model.clone();
    let n = m.dofs.len();
    let mut s = sim.initial_state_with(&loaded.initial_angles(), 0.3);
    let mut ctrl = loaded.controller();
    let mut ws = sim.workspace();
    let (mut q0, mut qd0, mut q1, mut qd1) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut worst_excess, mut saturated_steps) = (f64::NEG_INFINITY, 0usize);
    for _ in 0..1000 {
        sim.joint_state(&s, &mut q0, &mut qd0);
        let r = sim.step(&mut s, &mut ws, ctrl.as_mut());
        assert!(r.finite);
        sim.joint_state(&s, &mut q1, &mut qd1);
        for i in 0..n {
            let d = &m.dofs[i];
            let (pos, _) = d.generators[0].capacity(q0[i], qd1[i], 1.0);
            let (neg, _) = d.generators[1].capacity(q0[i], qd1[i], -1.0);
            let t = r.torque[i];
            let scale = d.generators[0].t_max.max(d.generators[1].t_max);
            let excess = (t - pos).max(-neg - t) / scale;
            worst_excess = worst_excess.max(excess);
            if excess > -0.05 && t.abs() > 1.0 {
                saturated_steps += 1;
            }
        }
    }
    eprintln!(
        "worst (torque − envelope)/T_max = {worst_excess:.3e}; DOF-steps within 5 % of the envelope: {saturated_steps}"
    );
    assert!(
        saturated_steps > 50,
        "the test must push generators to their limit: {saturated_steps}"
    );
    // The force–velocity slope is integrated implicitly (tangent at the start-of-step velocity); on the concave
    // eccentric branch the tangent can exceed the curve by a second-order term ½|g''|Δω², bounded here.
    assert!(worst_excess < 1e-3, "{worst_excess}");
}
