//! The robustness variants of the shipped sprinter (issue 17 item 4; `scenarios/robustness/`, written by
//! `tools/robustness_variants.py`): each is `scenarios/sprint.toml` with exactly its one change, so that a variant
//! cannot drift from the sprinter it tests. How the shipped sprinter fares on them is in docs/sprint.md.

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
