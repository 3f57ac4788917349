//! The zero-g verification scenario reproduces the converged MuJoCo/OpenSim reference trajectory
//! (`data/shared/peers/zero_g_reference.csv`, MuJoCo RK4 at 1e-4 s; OpenSim agrees to 6e-10 rad).

use crate::common;

/// Max |joint angle − reference| over every 10 ms sample with t ≤ t_max.
fn max_angle_error(dt: f64, t_max: f64) -> f64 {
    let (sim, mut ctrl) = common::zero_g(dt);
    let (header, rows) = common::reference();
    let n = sim.model.dofs.len();
    let cols: Vec<usize> = sim
        .model
        .dofs
        .iter()
        .map(|d| header.iter().position(|h| *h == d.name).expect("column"))
        .collect();
    let mut s = sim.initial_state();
    let mut ws = sim.workspace();
    let per_sample = (0.01 / dt).round() as u64;
    let (mut q, mut qd) = (vec![0.0; n], vec![0.0; n]);
    let mut worst: f64 = 0.0;
    for row in rows.iter().filter(|r| r[0] <= t_max + 1e-9) {
        while (s.steps as f64) < (row[0] / 0.01).round() * per_sample as f64 {
            sim.step(&mut s, &mut ws, &mut ctrl);
        }
        sim.joint_state(&s, &mut q, &mut qd);
        for (i, &c) in cols.iter().enumerate() {
            worst = worst.max((q[i] - row[c]).abs());
        }
    }
    worst
}

#[test]
fn zero_g_joint_angles_match_reference_within_1e2_rad_at_1ms() {
    let e = max_angle_error(1e-3, 0.2);
    eprintln!("max joint-angle error, dt = 1 ms, t <= 0.2 s: {e:.3e} rad");
    assert!(e < 0.01, "{e}");
}

#[test]
fn zero_g_joint_angles_match_reference_within_1e3_rad_at_0_1ms() {
    let e = max_angle_error(1e-4, 0.2);
    eprintln!("max joint-angle error, dt = 0.1 ms, t <= 0.2 s: {e:.3e} rad");
    assert!(e < 0.001, "{e}");
}
