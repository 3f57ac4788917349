//! Conservation laws in zero gravity with internal torques only (the verification scenario): linear momentum
//! and angular momentum about the COM stay zero up to the integrator's first-order error, and the COM stays put.

use crate::common;

fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// Max |P|, max |L_com| and max COM displacement over t ≤ 0.2 s.
fn drift(dt: f64) -> (f64, f64, f64) {
    let (sim, mut ctrl) = common::zero_g(dt);
    let mut s = sim.initial_state();
    let mut ws = sim.workspace();
    let c0 = sim.measures(&s).com;
    let (mut p, mut l, mut c) = (0.0f64, 0.0f64, 0.0f64);
    let steps = (0.2 / dt).round() as usize;
    for _ in 0..steps {
        sim.step(&mut s, &mut ws, &mut ctrl);
        let m = sim.measures(&s);
        p = p.max(norm(m.momentum));
        l = l.max(norm(m.angular_momentum));
        c = c.max(norm([m.com[0] - c0[0], m.com[1] - c0[1], m.com[2] - c0[2]]));
    }
    (p, l, c)
}

#[test]
fn momenta_stay_near_zero_and_drift_is_first_order_in_dt() {
    let (p4, l4, _) = drift(1e-4);
    let (p3, l3, c3) = drift(1e-3);
    eprintln!(
        "dt=1e-4: |P| {p4:.3e} kg m/s, |L| {l4:.3e} kg m2/s; dt=1e-3: |P| {p3:.3e}, |L| {l3:.3e}, COM {c3:.3e} m"
    );
    eprintln!("ratios: P {:.2}, L {:.2}", p3 / p4, l3 / l4);
    assert!(p4 < 0.015 && l4 < 0.015);
    assert!(p3 / p4 >= 7.0, "linear momentum drift ratio {}", p3 / p4);
    assert!(l3 / l4 >= 7.0, "angular momentum drift ratio {}", l3 / l4);
    assert!(c3 < 3e-4, "COM moved {c3} m");
}
