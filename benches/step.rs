//! One 1 ms step of sprinter12, standing with both feet in contact and in flight, with the controller,
//! torque generators and ground-force work included (hold-posture through the generators).
//!
//! Compare with MuJoCo on the same body, back to back: `benches/compare_mujoco.sh`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use sprintlab::scenario;

fn setup(
    drop: f64,
) -> (
    sprintlab::sim::Simulator,
    sprintlab::sim::State,
    Box<dyn sprintlab::control::Controller>,
) {
    let text = "[model]\nbuiltin = \"sprinter12\"\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 1.0\n";
    let loaded = scenario::load_text(text, Path::new("bench.toml")).expect("scenario");
    let sim = loaded.simulator();
    let mut s = sim.initial_state_with(&loaded.initial_angles(), drop);
    let mut ctrl = loaded.controller();
    let mut ws = sim.workspace();
    // Settle (standing) or start falling (flight) before timing, as the MuJoCo benchmark does.
    let settle = if drop > 1.0 { 10 } else { 1000 };
    for _ in 0..settle {
        sim.step(&mut s, &mut ws, ctrl.as_mut());
    }
    (sim, s, ctrl)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sprinter12_step_1ms");
    for (name, drop) in [("standing", 0.0), ("flight", 1000.0)] {
        let (sim, s0, mut ctrl) = setup(drop);
        let mut ws = sim.workspace();
        let mut s = s0.clone();
        let mut k = 0u32;
        g.bench_function(name, |b| {
            b.iter(|| {
                // Restart from the settled snapshot now and then so the body stays in its regime.
                k += 1;
                if k % 2000 == 0 {
                    s = s0.clone();
                }
                let r = sim.step(&mut s, &mut ws, ctrl.as_mut());
                std::hint::black_box(r)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
