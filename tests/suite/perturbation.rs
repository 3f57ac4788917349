//! `[[perturbation]]`: external pushes on a segment (issue 17's robustness variants). A push's impulse reaches the
//! whole-body momentum exactly; the seed chooses its start within `start_between` and the run folder records it;
//! bad pushes are located errors.

use std::path::Path;

use sprintlab::export::resolved_scenario_toml;
use sprintlab::scenario;

/// Zero gravity, no ground, no torques: only the push changes the momentum.
const FLOATING: &str = r#"
[world]
gravity = [0.0, 0.0, 0.0]
ground = false
[controller]
kind = "constant-torque"
[run]
duration = 0.5
"#;

#[test]
fn a_push_adds_its_impulse_to_the_linear_momentum_and_nothing_else() {
    // 50 N to the left for 0.1 s on the pelvis: 5 N·s. Mid-step start so exactly 100 steps of 1 ms see it.
    let text = format!("{FLOATING}[[perturbation]]\nforce = [0.0, 50.0, 0.0]\nduration = 0.1\nstart = 0.2005\n");
    let loaded = scenario::load_text(&text, Path::new("push.toml")).expect("valid");
    let sim = loaded.simulator();
    let mut s = loaded.initial_state(&sim);
    let mut ws = sim.workspace();
    let mut ctrl = loaded.controller();
    let mass: f64 = loaded.model.mass;
    let mut before = None;
    for _ in 0..400 {
        sim.step(&mut s, &mut ws, ctrl.as_mut());
        if before.is_none() && s.t > 0.19 {
            before = Some(sim.measures(&s).momentum);
        }
    }
    let (p0, p1) = (before.unwrap(), sim.measures(&s).momentum);
    eprintln!("momentum before {p0:?}, after {p1:?} kg·m/s; body mass {mass} kg");
    assert!(p0.iter().all(|c| c.abs() < 1e-9), "at rest before the push: {p0:?}");
    // To the integrator's momentum error (the links dragged along through the joints, as in conservation.rs):
    // 1e-4 of the impulse, far below the 0.05 N·s of one step of push too many or too few.
    assert!((p1[1] - 5.0).abs() < 5e-4, "lateral impulse 5 N·s, got {}", p1[1]);
    assert!(p1[0].abs() < 5e-4 && p1[2].abs() < 5e-4, "no other component: {p1:?}");
}

#[test]
fn the_seed_chooses_the_push_start_within_its_window_and_the_run_folder_records_it() {
    let text = |seed: u64| {
        format!(
            "{}seed = {seed}\n[[perturbation]]\nforce = [0.0, 50.0, 0.0]\nduration = 0.1\nstart_between = [1.0, 2.0]\n",
            FLOATING.replace("duration = 0.5\n", "duration = 3.0\n")
        )
    };
    let start = |seed: u64| {
        let l = scenario::load_text(&text(seed), Path::new("push.toml")).expect("valid");
        (l.scenario.perturbation[0].start.unwrap(), l)
    };
    let (a, la) = start(1);
    let (b, _) = start(2);
    assert_eq!(a, start(1).0, "same seed, same start");
    assert_ne!(a, b, "another seed, another start");
    for t in [a, b] {
        assert!((1.0..=2.0).contains(&t), "start {t} within [1, 2] s");
    }
    // The resolved scenario names the drawn start and loads back to the same push.
    let resolved = resolved_scenario_toml(&la).unwrap();
    assert!(resolved.contains(&format!("start = {a}")), "{resolved}");
    let back = scenario::load_text(&resolved.replace("file = \"model.json\"\n", ""), Path::new("r.toml"))
        .expect("the resolved scenario loads");
    assert_eq!(back.scenario.perturbation, la.scenario.perturbation);
}

#[test]
fn bad_pushes_are_located_errors() {
    for (push, field, says) in [
        (
            "segment = \"tail\"\nforce = [0.0, 50.0, 0.0]\nduration = 0.1\nstart = 1.0\n",
            "perturbation[0].segment",
            "no segment `tail`",
        ),
        (
            "force = [0.0, 50.0, 0.0]\nduration = 0.1\n",
            "perturbation[0]",
            "give `start`",
        ),
        (
            "force = [0.0, 5e4, 0.0]\nduration = 0.1\nstart = 1.0\n",
            "perturbation[0].force[1]",
            "[-10000, 10000] N",
        ),
        (
            "force = [0.0, 50.0, 0.0]\nduration = 0.0\nstart = 1.0\n",
            "perturbation[0].duration",
            "(0, 10]",
        ),
        (
            "force = [0.0, 50.0, 0.0]\nduration = 0.1\nstart = 3.0\nstart_between = [1.0, 2.0]\n",
            "perturbation[0].start",
            "must lie in",
        ),
        (
            "force = [0.0, 50.0, 0.0]\nduration = 0.1\nstart_between = [2.0, 1.0]\n",
            "perturbation[0].start_between",
            "earliest ≤ latest",
        ),
    ] {
        let text = format!("{FLOATING}[[perturbation]]\n{push}");
        let Err(e) = scenario::load_text(&text, Path::new("bad_push.toml")) else {
            panic!("{push}: loaded")
        };
        let e = e.to_string();
        eprintln!("{e}");
        assert!(
            e.contains("bad_push.toml:") && e.contains(field) && e.contains(says),
            "{e}"
        );
    }
}
