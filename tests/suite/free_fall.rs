//! Free fall under gravity: the COM height follows z0 − g t²/2 whatever the joint torques (semi-implicit
//! Euler's own error is g·t·dt/2).

use crate::common;

use sprintlab::sim::{ActivationDynamics, Simulator, WorldSettings};

fn max_error(dt: f64) -> f64 {
    let (zg, mut ctrl) = common::zero_g(dt);
    let sim = Simulator::new(
        zg.model.clone(),
        WorldSettings {
            gravity: [0.0, 0.0, -9.81],
            ground: false,
            dt,
            substeps: 1,
        },
        ActivationDynamics::default(),
    );
    let mut s = sim.initial_state();
    let mut ws = sim.workspace();
    let z0 = sim.measures(&s).com[2];
    let mut worst: f64 = 0.0;
    for _ in 0..(0.3 / dt).round() as usize {
        sim.step(&mut s, &mut ws, &mut ctrl);
        let t = s.t;
        let z = sim.measures(&s).com[2];
        worst = worst.max((z - (z0 - 0.5 * 9.81 * t * t)).abs());
    }
    worst
}

#[test]
fn com_follows_ballistic_parabola_at_1ms_and_0_1ms() {
    let e3 = max_error(1e-3);
    let e4 = max_error(1e-4);
    eprintln!("free-fall COM error over 0.3 s: {e3:.3e} m at 1 ms, {e4:.3e} m at 0.1 ms");
    assert!(e3 < 3e-3, "{e3}");
    assert!(e4 < 3e-4, "{e4}");
}
