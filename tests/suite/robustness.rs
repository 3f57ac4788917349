//! Generated scenario families of issue 17, each checked against the scenario it derives from so that none can
//! drift: the robustness variants of the shipped sprinter (item 4; `scenarios/robustness/`, written by
//! `tools/robustness_variants.py`) and the ablation arms (item 5; `scenarios/ablation/`, written by
//! `tools/ablation_scenarios.py`). How the sprinters fare on them is in docs/sprint.md.

use std::path::Path;

fn table(p: &Path) -> toml::Table {
    std::fs::read_to_string(p).unwrap().parse().unwrap()
}

#[test]
fn each_robustness_variant_is_the_shipped_sprinter_with_its_one_change() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = table(&root.join("scenarios/sprint.toml"));
    let vx = base["initial"]["velocity"][0].as_float().unwrap();
    let duration = base["run"]["duration"].as_float().unwrap();
    let with = |edit: &dyn Fn(&mut toml::Table)| {
        let mut t = base.clone();
        edit(&mut t);
        t
    };
    let speed = |dv: f64| {
        with(&move |t: &mut toml::Table| {
            t["initial"]["velocity"][0] = toml::Value::Float(((vx + dv) * 1e6).round() / 1e6);
        })
    };
    let contact = |k: f64| {
        with(&move |t: &mut toml::Table| {
            t.insert(
                "contact".into(),
                toml::Value::Table([("stiffness".to_string(), k.into())].into_iter().collect()),
            );
        })
    };
    let push = with(&|t: &mut toml::Table| {
        let p: toml::Table = format!(
            "segment = \"pelvis\"\nforce = [0.0, 50.0, 0.0]\nduration = 0.1\nstart_between = [{:?}, {:?}]\n",
            0.25 * duration,
            0.75 * duration
        )
        .parse()
        .unwrap();
        t.insert("perturbation".into(), toml::Value::Array(vec![toml::Value::Table(p)]));
    });
    for (file, expected) in [
        ("sprint_speed_minus.toml", speed(-0.3)),
        ("sprint_speed_plus.toml", speed(0.3)),
        ("sprint_push.toml", push),
        ("sprint_soft_contact.toml", contact(2.5e5)),
        ("sprint_stiff_contact.toml", contact(1e6)),
    ] {
        let got = table(&root.join("scenarios/robustness").join(file));
        assert_eq!(
            got, expected,
            "{file} is not sprint.toml plus its one change: run tools/robustness_variants.py"
        );
    }
    // The variants are valid scenarios (the push's start drawn inside the steady steps).
    for f in std::fs::read_dir(root.join("scenarios/robustness")).unwrap() {
        let path = f.unwrap().path();
        let loaded = sprintlab::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        for p in &loaded.scenario.perturbation {
            let t = p.start.unwrap();
            assert!(
                (0.25 * duration..=0.75 * duration).contains(&t),
                "{}: push at {t} s",
                path.display()
            );
        }
    }
}

/// The ablation arms (issue 17 item 5; `scenarios/ablation/`, written by `tools/ablation_scenarios.py`): each is
/// the probe at 9 m/s (`scenarios/sprint_elastic_probe9.toml`) as a best-of-3 optimisation from the probe's best,
/// with exactly its body change, so that the arms differ in the body only.
#[test]
fn each_ablation_arm_is_the_probe_with_only_its_body_changed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut base = table(&root.join("scenarios/sprint_elastic_probe9.toml"));
    let opt = base["optimize"].as_table_mut().unwrap();
    opt.insert(
        "start".into(),
        "../../results/sprint_elastic_probe9/best_at_12000.toml".into(),
    );
    opt.insert("max_evals".into(), 4000.into());
    opt.insert("runs".into(), 3.into());
    let arm = |athlete: &[(&str, toml::Value)], strength: &[(&str, toml::Value)]| {
        let mut t = base.clone();
        for (k, v) in athlete {
            t["athlete"].as_table_mut().unwrap().insert(k.to_string(), v.clone());
        }
        for (k, v) in strength {
            t["strength"].as_table_mut().unwrap().insert(k.to_string(), v.clone());
        }
        t
    };
    let off = toml::Value::Boolean(false);
    let dyno = toml::Value::String("dynamometer".into());
    for (file, expected) in [
        ("all_on.toml", arm(&[], &[])),
        ("rigid_tendons.toml", arm(&[], &[("series_elastic", off.clone())])),
        ("no_two_joint.toml", arm(&[], &[("two_joint", off.clone())])),
        ("no_toe.toml", arm(&[("toe", off.clone())], &[])),
        ("untrained.toml", arm(&[("profile", dyno.clone())], &[])),
        (
            "previous_body.toml",
            arm(
                &[("profile", dyno.clone()), ("toe", off.clone())],
                &[
                    ("series_elastic", off.clone()),
                    ("two_joint", off.clone()),
                    ("velocity", toml::Value::Float(2.0)),
                ],
            ),
        ),
        ("push_strong.toml", arm(&[], &[("push", toml::Value::Float(1.3))])),
        ("fast_muscles.toml", arm(&[], &[("velocity", toml::Value::Float(1.5))])),
        ("swing_strong.toml", arm(&[], &[("swing", toml::Value::Float(1.3))])),
        (
            "all_strong.toml",
            arm(
                &[],
                &["push", "swing", "arms", "torso"].map(|c| (c, toml::Value::Float(1.3))),
            ),
        ),
        (
            "hamstrings_knee_ref.toml",
            arm(
                &[],
                &[("units", toml::toml! { hamstrings = { reference = 1.0 } }.into())],
            ),
        ),
    ] {
        let got = table(&root.join("scenarios/ablation").join(file));
        assert_eq!(
            got, expected,
            "{file}: not the probe plus its body change (tools/ablation_scenarios.py)"
        );
        sprintlab::scenario::load(&root.join("scenarios/ablation").join(file)).unwrap_or_else(|e| panic!("{e}"));
    }
}
