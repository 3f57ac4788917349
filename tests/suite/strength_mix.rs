//! `sprintlab strength-mix` end to end at a tiny budget: every mix keeps the total strength budget, is
//! re-optimised warm-started from its parent's best control, and a rerun resumes to identical outputs.

use std::path::{Path, PathBuf};

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

/// The shipped sprinter, 0.4 s, two free parameters, a tiny inner budget and at most 6 mixes.
fn tiny_search(dir: &Path) -> PathBuf {
    let mut out = common::tiny_sprint_study("0.4");
    out.push_str("\n[strength_mix]\nstep = 0.25\nmin_step = 0.2\nmax_mixes = 6\n");
    let p = dir.join("mix.toml");
    std::fs::write(&p, out).unwrap();
    p
}

fn run(scenario: &Path, out: &Path) -> String {
    common::run_ok(
        BIN,
        &[
            "strength-mix",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            "2",
        ],
    )
}

#[test]
fn every_mix_keeps_the_budget_and_is_warm_started_from_its_parent() {
    let d = tempfile::tempdir().unwrap();
    let scen = tiny_search(d.path());
    let out = d.path().join("search");
    let stdout = run(&scen, &out);
    assert!(stdout.contains("6 mixes"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let cap: Vec<f64> = summary["budget"]["capacity_per_unit_factor"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        cap.iter().all(|c| *c > 0.0) && cap[0] > cap[2],
        "push outweighs arms: {cap:?}"
    );
    let total = summary["budget"]["total"].as_f64().unwrap();
    let mut rd = csv::Reader::from_path(out.join("mixes.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 6);
    let mut costs = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let f = |n: &str| r[col(n)].parse::<f64>().unwrap();
        let used: f64 = ["push", "swing", "arms", "torso"]
            .iter()
            .zip(&cap)
            .map(|(n, c)| f(n) * c)
            .sum();
        assert!((used - total).abs() < 1e-9 * total, "mix {i}: budget {used} vs {total}");
        costs.push(f("cost"));
        let resolved = std::fs::read_to_string(out.join(format!("mix-{i:03}/scenario.toml"))).unwrap();
        if i == 0 {
            assert_eq!(&r[col("parent")], "");
        } else {
            // The child names its parent's best.toml as its warm start.
            let parent: usize = r[col("parent")].parse().unwrap();
            assert!(
                resolved.contains(&format!("mix-{parent:03}/best.toml")),
                "mix {i} warm-started from mix {parent}"
            );
        }
    }
    // The best mix reported is the accepted mix of lowest cost.
    let best = summary["best"]["index"].as_u64().unwrap() as usize;
    let accepted: Vec<usize> = (0..rows.len())
        .filter(|&i| &rows[i][col("accepted")] == "true")
        .collect();
    assert!(accepted.contains(&best));
    for &i in &accepted {
        assert!(costs[best] <= costs[i]);
    }
    // Its figure: a valid SVG and a PNG.
    common::run_ok(BIN, &["figures", out.to_str().unwrap()]);
    let svg = std::fs::read_to_string(out.join("figures/strength_mix.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("strength_mix.svg parses");
    common::run_ok(BIN, &["figures", out.to_str().unwrap()]);
    let again = std::fs::read_to_string(out.join("figures/strength_mix.svg")).unwrap();
    assert_eq!(again, svg, "deterministic");
    assert_eq!(
        common::png_width(&out.join("figures/strength_mix.png")),
        2067,
        "journal width at 300 dpi"
    );

    // Rerunning the finished search changes nothing.
    let before = std::fs::read_to_string(out.join("mixes.csv")).unwrap();
    run(&scen, &out);
    assert_eq!(std::fs::read_to_string(out.join("mixes.csv")).unwrap(), before);
}

#[test]
fn a_bad_search_setting_is_refused_with_its_location_and_nothing_is_written() {
    let d = tempfile::tempdir().unwrap();
    let scen = tiny_search(d.path());
    let text = std::fs::read_to_string(&scen)
        .unwrap()
        .replace("step = 0.25", "step = 0.0");
    std::fs::write(&scen, text).unwrap();
    let out = d.path().join("search");
    let err = common::run_err(
        BIN,
        &["strength-mix", scen.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert!(
        err.contains("mix.toml:") && err.contains("strength_mix.step") && err.contains("(0, 1]"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}
