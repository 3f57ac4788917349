//! `sprintlab contributions` end to end at a tiny budget: five conditions, each re-optimised into its own folder;
//! the Pushing-Leg Force condition really excites only the pushing leg (activations read back from its best
//! rollout); a rerun with the same seed resumes to identical outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

/// The shipped sprinter, 0.5 s, with two of its parameters free and a tiny budget.
fn tiny_study(dir: &Path) -> PathBuf {
    let out = common::tiny_sprint_study("0.5");
    let p = dir.join("study.toml");
    std::fs::write(&p, out).unwrap();
    p
}

fn run(scenario: &Path, out: &Path) {
    let args = [
        "contributions",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ];
    common::run_ok(BIN, &args);
}

#[test]
fn five_conditions_reoptimised_and_the_pushing_leg_condition_excites_only_the_pushing_leg() {
    let d = tempfile::tempdir().unwrap();
    let scen = tiny_study(d.path());
    let out = d.path().join("study");
    run(&scen, &out);
    let csv = std::fs::read_to_string(out.join("contributions.csv")).unwrap();
    let names: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        names,
        ["whole-body", "pushing-leg", "no-swing-leg", "no-arms", "no-torso"]
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary["differences"]["whole-body minus pushing-leg"]["mean_propulsive_impulse"]["mean"].is_number());
    for n in &names {
        assert!(out.join(n).join("best.toml").is_file(), "{n}: optimised");
    }

    // Activations of the Pushing-Leg Force condition's best rollout: arms and torso never excited (exactly 0);
    // the left leg, in swing from t = 0 until its first touchdown, not excited before it.
    let mut rd = csv::Reader::from_path(out.join("pushing-leg/timeseries.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let passive: Vec<usize> = head
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            (h.contains("_act_")) && (h.starts_with("shoulder") || h.starts_with("elbow") || h.starts_with("lumbar"))
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(passive.len(), 18, "arm and lumbar activation columns");
    let left: Vec<usize> = ["hip_flex_l", "hip_add_l", "hip_rot_l", "knee_l", "ankle_l"]
        .iter()
        .flat_map(|d| [col(&format!("{d}_act_pos")), col(&format!("{d}_act_neg"))])
        .collect();
    let fz_l = col("grf_foot_l_z");
    let mut left_down = false;
    let mut rows = 0;
    for r in rd.records() {
        let r = r.unwrap();
        let x = |i: usize| r[i].parse::<f64>().unwrap();
        for &i in &passive {
            assert_eq!(x(i), 0.0, "{} at t = {}", head[i], &r[0]);
        }
        left_down |= x(fz_l) > 0.0;
        if !left_down {
            for &i in &left {
                assert_eq!(x(i), 0.0, "{} at t = {} (left leg in swing)", head[i], &r[0]);
            }
        }
        rows += 1;
    }
    assert!(rows > 100);
    // And in the whole-body condition the arms are excited.
    let whole = std::fs::read_to_string(out.join("whole-body/timeseries.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(whole.as_bytes());
    let i = rd
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "elbow_r_act_pos")
        .unwrap();
    let max = rd
        .records()
        .map(|r| r.unwrap()[i].parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    assert!(max > 0.0, "whole-body arms excited");

    // Its figure: the bars with seed dots, a valid SVG and a PNG.
    let o = Command::new(BIN)
        .args(["figures", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(out.join("figures/contributions.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("contributions.svg parses");
    assert_eq!(
        common::png_width(&out.join("figures/contributions.png")),
        2067,
        "journal width at 300 dpi"
    );

    // Rerunning the finished study changes nothing.
    let before = csv.clone();
    run(&scen, &out);
    assert_eq!(std::fs::read_to_string(out.join("contributions.csv")).unwrap(), before);
}

#[test]
fn a_scenario_that_sets_a_contributor_switch_itself_is_refused_with_its_location() {
    let d = tempfile::tempdir().unwrap();
    let scen = tiny_study(d.path());
    let text = std::fs::read_to_string(&scen).unwrap().replacen(
        "[controller.sprint]\n",
        "[controller.sprint]\narm_excitation = 0.5\n",
        1,
    );
    std::fs::write(&scen, text).unwrap();
    let out = d.path().join("study");
    let err = common::run_err(
        BIN,
        &["contributions", scen.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert!(
        err.contains("study.toml:") && err.contains("controller.sprint") && err.contains("arm_excitation"),
        "{err}"
    );
}

#[test]
fn with_best_of_n_each_condition_is_its_best_run_and_its_row_gives_the_spread_over_runs() {
    let d = tempfile::tempdir().unwrap();
    let text = common::tiny_sprint_study("0.3").replace("max_evals = 8\n", "max_evals = 8\nruns = 2\n");
    assert!(text.contains("runs = 2"));
    let scen = d.path().join("study.toml");
    std::fs::write(&scen, text).unwrap();
    let out = d.path().join("study");
    run(&scen, &out);
    let csv = std::fs::read_to_string(out.join("contributions.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head[head.len() - 6..],
        [
            "runs",
            "runs_reached_best",
            "cost_median",
            "cost_worst",
            "runs_converged",
            "best_run_converged"
        ]
    );
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    for r in rd.records() {
        let r = r.unwrap();
        let runs: Vec<sprintlab::export::tables::RunRow> =
            sprintlab::export::tables::read_rows(&out.join(&r[0]).join("runs.csv")).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(&r[col("runs")], "2");
        let best = runs.iter().map(|x| x.best).fold(f64::INFINITY, f64::min);
        assert_eq!(r[col("cost")].parse::<f64>().unwrap(), best, "{}: the best run", &r[0]);
    }
    // Rerunning the finished study changes nothing (finished best-of-N folders are read back, not redone).
    run(&scen, &out);
    assert_eq!(std::fs::read_to_string(out.join("contributions.csv")).unwrap(), csv);
}
