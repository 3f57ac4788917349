//! Best-of-N (issue 15 item 3, `[optimize] runs`): N independent CMA-ES optimisations of a small `stance_push`
//! task side by side; the result is the best run's, `runs.csv` gives every run's best, gap and convergence; run 0
//! is the optimisation made without `runs`; the files do not depend on the thread count; a best-of-N killed
//! (`kill -9`) in the middle of its runs resumes to the same files; a sweep point that optimises reports the
//! spread over its runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sprintlab::export::tables::{read_rows, RunRow};

use crate::common::{self, read};

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn write_task(dir: &Path, name: &str, optimize: &str) -> PathBuf {
    common::stance_push_task(dir, name, optimize)
}

fn optimize(task: &Path, out: &Path, extra: &[&str]) {
    common::optimize_ok(BIN, task, out, extra);
}

/// The result files of a best-of-N folder (`wall` lines dropped: they record the session).
fn result_files(dir: &Path, runs: usize) -> BTreeMap<String, String> {
    let mut names: Vec<String> = ["runs.csv", "best.toml", "summary.json", "steps.csv"]
        .map(String::from)
        .to_vec();
    for k in 0..runs {
        for f in ["history.csv", "best.toml", "checkpoint.json"] {
            names.push(format!("runs/run-{k:03}/{f}"));
        }
    }
    names
        .into_iter()
        .map(|n| {
            let text = read(dir.join(&n));
            // `wall` fields record the session; a best.toml's `# Replay:` line names its own folder.
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| !l.contains("wall") && !l.starts_with("# Replay: "))
                .collect();
            (n, kept.join("\n"))
        })
        .collect()
}

const RUNS3: &str = "[optimize]\nmax_evals = 24\npopulation = 4\nruns = 3\n";

#[test]
fn the_best_of_three_independent_runs_is_the_result_whatever_the_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let task = write_task(d.path(), "task.toml", RUNS3);
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    optimize(&task, &one, &["--threads", "1"]);
    optimize(&task, &two, &["--threads", "2"]);
    assert_eq!(result_files(&one, 3), result_files(&two, 3), "1 vs 2 threads");

    // Run 0 is the optimisation made without `runs`.
    let single = write_task(d.path(), "single.toml", "[optimize]\nmax_evals = 24\npopulation = 4\n");
    let plain = d.path().join("plain");
    optimize(&single, &plain, &["--threads", "2"]);
    let history = |k: usize| read(two.join(format!("runs/run-{k:03}/history.csv")));
    assert_eq!(read(plain.join("history.csv")), history(0));
    // Runs 1 and 2 are other searches (own seeds) from the same start.
    assert_ne!(history(1), history(0));
    assert_ne!(history(2), history(1));

    let rows: Vec<RunRow> = read_rows(&two.join("runs.csv")).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].seed, 1);
    assert!(rows[1].seed != rows[0].seed && rows[2].seed != rows[1].seed && rows[2].seed != rows[0].seed);
    let best = rows.iter().map(|r| r.best).fold(f64::INFINITY, f64::min);
    let summary: serde_json::Value = serde_json::from_str(&read(two.join("summary.json"))).unwrap();
    let b = &summary["optimize"]["best_of"];
    println!("best of 3: {b}");
    assert_eq!(b["best"].as_f64(), Some(best));
    assert_eq!(
        summary["measures"]["cost"].as_f64(),
        Some(best),
        "the best run's rollout is replayed in OUT"
    );
    assert!(read(two.join("best.toml")).contains(&format!("# cost = {best:?}")));
    let mut costs: Vec<f64> = rows.iter().map(|r| r.best).collect();
    costs.sort_by(f64::total_cmp);
    assert_eq!(b["median"].as_f64(), Some(costs[1]));
    assert_eq!(b["worst"].as_f64(), Some(costs[2]));
    assert_eq!(b["tolerance"].as_f64(), Some(1.0), "the documented default");
    let reached = rows.iter().filter(|r| r.best - best <= 1.0).count();
    assert_eq!(b["reached_best"].as_u64(), Some(reached as u64));
    assert_eq!(b["evaluations"].as_u64(), Some(72));
    for r in &rows {
        assert_eq!(r.gap, r.best - best);
        assert_eq!(r.reached_best, r.gap <= 1.0);
        assert_eq!(r.evaluations, 24);
        assert_eq!(r.stop, "max_evals");
        assert_eq!(r.start, "start");
        // Per run convergence: the effective step of its CMA-ES run relative to σ0 (7 generations cannot shrink
        // it 100×: not converged) and the share of its last population that stayed balanced.
        assert!(r.step_ratio > 0.01 && r.step_ratio.is_finite(), "{r:?}");
        assert!(!r.converged, "{r:?}");
        let balanced = r.balanced.unwrap();
        assert!((0.0..=1.0).contains(&balanced), "{r:?}");
    }
}

#[test]
fn runs_from_the_box_start_elsewhere_and_a_tight_tolerance_counts_fewer_runs() {
    let d = tempfile::tempdir().unwrap();
    let task = write_task(
        d.path(),
        "task.toml",
        "[optimize]\nmax_evals = 12\npopulation = 4\nruns = 3\nruns_from = \"box\"\nruns_tolerance = 0.0\n",
    );
    let out = d.path().join("out");
    optimize(&task, &out, &["--threads", "2"]);
    let rows: Vec<RunRow> = read_rows(&out.join("runs.csv")).unwrap();
    let starts: Vec<&str> = rows.iter().map(|r| r.start.as_str()).collect();
    assert_eq!(starts, ["start", "box", "box"]);
    // With tolerance 0 only runs whose best equals the best reach it.
    let best = rows.iter().map(|r| r.best).fold(f64::INFINITY, f64::min);
    let summary: serde_json::Value = serde_json::from_str(&read(out.join("summary.json"))).unwrap();
    assert_eq!(
        summary["optimize"]["best_of"]["reached_best"].as_u64(),
        Some(rows.iter().filter(|r| r.best == best).count() as u64)
    );
    // The box runs' first samples are not around the start: their first generation differs from run 0's.
    let first = |k: usize| {
        read(out.join(format!("runs/run-{k:03}/history.csv")))
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_ne!(first(1), first(0));
}

#[test]
fn a_best_of_n_killed_in_the_middle_of_its_runs_resumes_to_the_same_files() {
    let d = tempfile::tempdir().unwrap();
    let task = write_task(
        d.path(),
        "task.toml",
        "[optimize]\nmax_evals = 60\npopulation = 4\nruns = 3\n",
    );
    let (full, killed) = (d.path().join("full"), d.path().join("killed"));
    optimize(&task, &full, &["--threads", "2"]);
    let mut child = common::spawn_optimize(BIN, &task, &killed, &["--threads", "2"]);
    // 15 generations per run; kill -9 once run 0 has 6 of them.
    common::kill_once_history_has(&mut child, &killed.join("runs/run-000"), 7, Duration::from_secs(120));
    assert!(!killed.join("summary.json").exists(), "killed before the end");
    assert!(!killed.join("runs.csv").exists(), "killed before the end");
    optimize(&task, &killed, &["--threads", "1", "--resume"]);
    assert_eq!(result_files(&full, 3), result_files(&killed, 3));
}

#[test]
fn a_sweep_point_that_optimises_reports_the_spread_over_its_runs() {
    let d = tempfile::tempdir().unwrap();
    let task = write_task(
        d.path(),
        "sweep.toml",
        "[optimize]\nmax_evals = 8\npopulation = 4\nruns = 2\n\n[sweep]\ntask = \"optimize\"\n\n[[sweep.vary]]\npath = \"athlete.mass_kg\"\nvalues = [70.0, 80.0]\n",
    );
    let out = d.path().join("sweep");
    let (t, o) = (task.to_str().unwrap(), out.to_str().unwrap());
    common::run_ok(BIN, &["sweep", t, "--out", o, "--threads", "2"]);
    common::run_ok(BIN, &["merge", o]);
    let mut rd = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    // The merged table ends with the best-of-N columns (merge drops the shards' `wall_s`).
    let tail: Vec<&str> = head[head.len() - 6..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
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
    for (i, r) in rd.records().enumerate() {
        let r = r.unwrap();
        assert_eq!(&r[col("runs")], "2");
        let runs: Vec<RunRow> = read_rows(&out.join(format!("points/{i:06}/runs.csv"))).unwrap();
        let best = runs.iter().map(|x| x.best).fold(f64::INFINITY, f64::min);
        let worst = runs.iter().map(|x| x.best).fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(
            r[col("cost")].parse::<f64>().unwrap(),
            best,
            "the row is the best run's rollout"
        );
        assert_eq!(r[col("cost_worst")].parse::<f64>().unwrap(), worst);
    }
}

#[test]
fn bad_best_of_settings_are_rejected_with_their_location() {
    let d = tempfile::tempdir().unwrap();
    for (optimize, field) in [
        ("[optimize]\nruns = 0\n", "optimize.runs"),
        ("[optimize]\nruns = 2\nsolver = \"nelder-mead\"\n", "optimize.runs"),
        ("[optimize]\nruns_tolerance = -1.0\n", "optimize.runs_tolerance"),
        ("[optimize]\nruns_from = \"anywhere\"\n", "runs_from"),
    ] {
        let task = write_task(d.path(), "task.toml", optimize);
        let err = common::run_err(BIN, &["check", task.to_str().unwrap()]);
        assert!(err.contains("task.toml:") && err.contains(field), "{optimize}: {err}");
    }
}

#[test]
fn a_single_optimisation_folder_is_not_resumed_as_a_best_of_n() {
    let d = tempfile::tempdir().unwrap();
    let single = write_task(d.path(), "single.toml", "[optimize]\nmax_evals = 8\npopulation = 4\n");
    let out = d.path().join("out");
    optimize(&single, &out, &["--threads", "2"]);
    let task = write_task(
        d.path(),
        "task.toml",
        "[optimize]\nmax_evals = 8\npopulation = 4\nruns = 2\n",
    );
    let args = [
        "optimize",
        task.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--resume",
    ];
    let err = common::run_err(BIN, &args);
    assert!(
        err.contains("checkpoint.json") && err.contains("not a best-of-N"),
        "{err}"
    );
    assert!(!out.join("runs").exists(), "nothing written");
}
