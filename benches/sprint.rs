//! The shipped 3D sprinter running (`scenarios/sprint.toml`): one simulated second of running with the sprint
//! controller, torque generators, foot contact, balance checks and push measurement — what one optimiser rollout
//! costs per simulated second. Simulated seconds per CPU second = 1 s / the time per iteration.
//!
//! `benches/compare_mujoco.sh` runs it between two MuJoCo timings of sprinter12 and prints the ratio.
//!
//! The body variants of issue 16 run in the same process, and the bench prints each one's cost per simulated
//! second against the rigid body's (`rigid`, the shipped scenario; goal ≤ 1.3×). A variant that loses balance
//! before the second ends (the sprint controller is tuned for the rigid foot) is timed over what it ran:
//! cost = time per iteration / simulated time. To add a variant, add its settings to [`VARIANTS`].

use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use sprintlab::measure::evaluate;
use sprintlab::scenario;

/// The body variants: name and the settings `(table, key, TOML value)` set in the shipped scenario.
type Variant = (&'static str, &'static [(&'static str, &'static str, &'static str)]);
const VARIANTS: &[Variant] = &[
    ("rigid", &[]),
    ("toe", &[("athlete", "toe", "true")]),
    ("sprinter_profile", &[("athlete", "profile", "\"sprinter\"")]),
    ("series_elastic", &[("strength", "series_elastic", "true")]),
    ("two_joint", &[("strength", "two_joint", "true")]),
    (
        "sec_two_joint",
        &[
            ("strength", "series_elastic", "true"),
            ("strength", "two_joint", "true"),
        ],
    ),
    (
        "all_of_issue_16",
        &[
            ("strength", "series_elastic", "true"),
            ("strength", "two_joint", "true"),
            ("athlete", "toe", "true"),
            ("athlete", "profile", "\"sprinter\""),
        ],
    ),
];

/// `scenarios/sprint.toml` cut to one simulated second, with a variant's settings.
fn load(settings: &[(&str, &str, &str)]) -> scenario::Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint.toml");
    let text = std::fs::read_to_string(&path).expect("scenarios/sprint.toml");
    let mut doc: toml_edit::DocumentMut = text.parse().expect("TOML");
    // One simulated second from the running touchdown (the first steps of the shipped run).
    doc["run"]["duration"] = toml_edit::value(1.0);
    for (table, key, value) in settings {
        if doc.get(table).is_none() {
            doc[table] = toml_edit::table();
        }
        doc[table][key] = toml_edit::Item::Value(value.parse().expect("a TOML value"));
    }
    scenario::load_text(&doc.to_string(), &path).expect("sprint scenario")
}

fn bench(c: &mut Criterion) {
    let loaded: Vec<(&str, scenario::Loaded)> = VARIANTS.iter().map(|(n, v)| (*n, load(v))).collect();
    let e = evaluate(&loaded[0].1);
    assert!(
        e.balance_lost.is_none(),
        "the shipped sprinter must run the whole second"
    );
    let mut g = c.benchmark_group("sprint_running");
    g.sample_size(20);
    g.bench_function("one_simulated_second", |b| b.iter(|| evaluate(&loaded[0].1).cost));
    for (name, l) in &loaded[1..] {
        g.bench_function(format!("one_simulated_second_{name}"), |b| b.iter(|| evaluate(l).cost));
    }
    g.finish();

    // The cost ratios in this run: interleaved rounds, the median time per simulated second of each variant.
    let rounds = 15;
    let mut per_second: Vec<Vec<f64>> = vec![Vec::new(); loaded.len()];
    let mut survived = vec![0.0; loaded.len()];
    for _ in 0..rounds {
        for (k, (_, l)) in loaded.iter().enumerate() {
            let t0 = Instant::now();
            let e = evaluate(l);
            let wall = t0.elapsed().as_secs_f64();
            survived[k] = e.survived;
            per_second[k].push(wall / e.survived);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let medians: Vec<f64> = per_second.iter_mut().map(median).collect();
    println!("cost per simulated second against the rigid body ({rounds} interleaved rounds, medians):");
    for (k, (name, _)) in loaded.iter().enumerate() {
        println!(
            "  {name:<22} {:8.2} ms per simulated s (ran {:.3} s)  ratio {:.3}",
            1e3 * medians[k],
            survived[k],
            medians[k] / medians[0]
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
