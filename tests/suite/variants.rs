//! Robust optimisation (`[[optimize.variant]]`): a candidate's cost is the mean over the scenario and its
//! variants, each variant the scenario with its numbers set and its pushes added; bad variants are located errors.

use std::path::Path;

use sprintlab::measure::evaluate;
use sprintlab::optim::space::score;
use sprintlab::scenario;

/// The quickstart sprinter (2.1 s) with one free parameter and two variants.
fn robust_text(variants: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/quickstart.toml")).unwrap();
    let text = text.replacen(
        "trunk_kp = ",
        "trunk_kp = { init = 40.0, min = 20.0, max = 60.0, std = 5.0 } #",
        1,
    );
    format!("{text}\n{variants}")
}

const VARIANTS: &str = r#"[[optimize.variant]]
name = "soft ground, faster start"
set = { "contact.stiffness" = 250000.0, "initial.velocity[0]" = 6.3 }

[[optimize.variant]]
name = "shove"
perturbation = [{ force = [0.0, 50.0, 0.0], duration = 0.1, start_between = [0.5, 1.5] }]
"#;

#[test]
fn the_cost_is_the_mean_over_the_scenario_and_its_variants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = scenario::load_text(&robust_text(VARIANTS), &root.join("scenarios/robust.toml")).unwrap();
    assert_eq!(loaded.params.len(), 1);
    assert_eq!(loaded.variants.len(), 2);
    let (soft, shove) = (&loaded.variants[0], &loaded.variants[1]);
    assert_eq!(soft.scenario.contact.stiffness, 2.5e5);
    assert_eq!(soft.scenario.initial.velocity[0], 6.3);
    assert_eq!(shove.scenario.perturbation.len(), 1);
    assert!((0.5..=1.5).contains(&shove.scenario.perturbation[0].start.unwrap()));
    assert!(soft.variants.is_empty() && soft.scenario.optimize.variant.is_empty());
    let values = [45.0];
    let each: Vec<f64> = [&loaded, soft, shove]
        .iter()
        .map(|l| evaluate(&l.with_values(&values).unwrap()).cost)
        .collect();
    eprintln!("costs: scenario {}, soft {}, shove {}", each[0], each[1], each[2]);
    let s = score(&loaded, &values);
    assert_eq!(s.cost, (each[0] + each[1] + each[2]) / 3.0);
    assert_eq!(
        s.evaluation.unwrap().cost,
        each[0],
        "the scenario's own rollout is reported"
    );
    // The variants change the rollouts (a variant that changed nothing would test nothing).
    assert!(each[1] != each[0] && each[2] != each[0], "{each:?}");
}

#[test]
fn bad_variants_are_located_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (variant, says) in [
        ("set = { \"controller.sprint.trunk_kp\" = 30.0 }", "is a free parameter"),
        ("set = { \"contact.stiffness\" = 1.0 }", "contact.stiffness"),
        ("set = { \"no.such.field\" = 1.0 }", "unknown field"),
        (
            "perturbation = [{ force = [0.0, 50.0, 0.0], duration = 0.1 }]",
            "give `start`",
        ),
    ] {
        let text = robust_text(&format!("[[optimize.variant]]\nname = \"bad\"\n{variant}\n"));
        let Err(e) = scenario::load_text(&text, &root.join("scenarios/robust.toml")) else {
            panic!("{variant}: loaded")
        };
        let e = e.to_string();
        eprintln!("{e}");
        assert!(
            e.contains("robust.toml:") && e.contains("optimize.variant[0]") && e.contains(says),
            "{e}"
        );
    }
}
