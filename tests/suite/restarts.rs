//! Restarts and stopping criteria (issue 15): BIPOP-CMA-ES solves 10-D Rastrigin where a single CMA-ES run with
//! the default population does not; criterion-stopped runs on 10-D Rosenbrock reach the optimum; a small
//! `stance_push` optimisation stops by a criterion and says which; a restart sequence killed in its third
//! restart resumes to the same files. Reference counts (pycma 4.4.0, same setup): /docs/optimiser.md.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;
use sprintlab::optim::cmaes::{CmaEsConfig, StopCriteria};
use sprintlab::optim::restarts::{minimize, Outcome, RestartPlan};
use sprintlab::optim::rng::Rng;
use sprintlab::scenario::{RestartFrom, RestartKind};

use crate::common::{self, read};

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn rastrigin(x: &[f64]) -> f64 {
    10.0 * x.len() as f64
        + x.iter()
            .map(|v| v * v - 10.0 * (2.0 * std::f64::consts::PI * v).cos())
            .sum::<f64>()
}

fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

/// The BBOB-2009 setup of the pycma reference runs: n = 10, x0 ~ U[−4, 4]^n (here inside the box
/// [−5, 5]^n, from which restarts draw their start), σ0 = 2.
fn plan(kind: RestartKind, seed: u64, sigma0: f64, x0: Option<Vec<f64>>) -> RestartPlan {
    let n = 10;
    let mut rng = Rng::new(1000 + seed);
    let x0 = x0.unwrap_or_else(|| (0..n).map(|_| -4.0 + 8.0 * rng.uniform()).collect());
    RestartPlan {
        kind,
        from: RestartFrom::Box,
        base: CmaEsConfig::new(sigma0)
            .seed(seed)
            .bounds(vec![(-5.0, 5.0); n])
            .stop(StopCriteria::default()),
        x0,
        restart_sigma0: sigma0,
        max_restarts: 9,
    }
}

fn median(v: &mut [u64]) -> u64 {
    v.sort();
    v[v.len() / 2]
}

fn report(name: &str, outs: &[Outcome], hit: impl Fn(&Outcome) -> bool) -> usize {
    let ok = outs.iter().filter(|o| hit(o)).count();
    let mut evals: Vec<u64> = outs.iter().filter(|o| hit(o)).map(|o| o.evaluations).collect();
    let total: u64 = outs.iter().map(|o| o.evaluations).sum();
    let runs: Vec<usize> = outs.iter().map(|o| o.runs.len()).collect();
    println!(
        "{name}: {ok}/{} reached 1e-8; median evaluations of successes {}; ERT {}; runs per trial {runs:?}",
        outs.len(),
        if evals.is_empty() { 0 } else { median(&mut evals) },
        if ok > 0 { total / ok as u64 } else { 0 }
    );
    ok
}

#[test]
fn bipop_solves_10d_rastrigin_where_a_single_default_run_does_not() {
    let seeds: Vec<u64> = (1..=10).collect();
    let bipop: Vec<Outcome> = seeds
        .par_iter()
        .map(|&s| {
            minimize(
                &rastrigin,
                plan(RestartKind::Bipop, s, 2.0, None),
                1_000_000,
                Some(1e-8),
            )
            .unwrap()
        })
        .collect();
    let single: Vec<Outcome> = seeds
        .par_iter()
        .map(|&s| minimize(&rastrigin, plan(RestartKind::None, s, 2.0, None), 1_000_000, Some(1e-8)).unwrap())
        .collect();
    let hit = |o: &Outcome| o.best <= 1e-8;
    let ok_bipop = report("BIPOP, Rastrigin 10-D", &bipop, hit);
    let ok_single = report("single run (λ = 10), Rastrigin 10-D", &single, hit);
    assert!(ok_bipop >= 8, "BIPOP reached 1e-8 in {ok_bipop}/10 seeds");
    assert!(ok_single <= 4, "a single run reached 1e-8 in {ok_single}/10 seeds");
    for o in &bipop {
        assert!(o.evaluations <= 1_000_000);
        // Every run but the last ended by a criterion; large runs double λ.
        for r in &o.runs[..o.runs.len() - 1] {
            assert!(!r.stop.is_empty() && !r.stop.iter().any(|s| s == "max_evals" || s == "target"));
        }
        let large: Vec<usize> = o
            .runs
            .iter()
            .filter(|r| r.regime == "large")
            .map(|r| r.lambda)
            .collect();
        assert!(large.windows(2).all(|w| w[1] == 2 * w[0]), "{large:?}");
    }
}

#[test]
fn criterion_stopped_runs_on_10d_rosenbrock_reach_the_optimum() {
    let seeds: Vec<u64> = (1..=10).collect();
    let outs: Vec<Outcome> = seeds
        .par_iter()
        .map(|&s| {
            minimize(
                &rosenbrock,
                plan(RestartKind::None, s, 0.5, Some(vec![0.0; 10])),
                100_000,
                None,
            )
            .unwrap()
        })
        .collect();
    let stopped: Vec<&Outcome> = outs
        .iter()
        .filter(|o| !o.runs[0].stop.iter().any(|s| s == "max_evals"))
        .collect();
    report("single run, Rosenbrock 10-D (x0 = 0, σ0 = 0.5)", &outs, |o| {
        o.best <= 1e-8
    });
    for o in &outs {
        println!(
            "  stop {:?} after {} evaluations, best {:e}",
            o.runs[0].stop, o.evaluations, o.best
        );
    }
    assert_eq!(
        stopped.len(),
        outs.len(),
        "every run stops by a criterion within 1e5 evaluations"
    );
    for o in stopped {
        assert!(o.best <= 1e-8, "stopped by {:?} at f = {}", o.runs[0].stop, o.best);
    }
}

fn write_task(dir: &Path, optimize: &str) -> PathBuf {
    common::stance_push_task(dir, "task.toml", optimize)
}

fn run(task: &Path, out: &Path, extra: &[&str]) {
    common::optimize_ok(BIN, task, out, extra);
}

#[test]
fn a_small_stance_push_optimisation_stops_by_a_criterion_and_says_which() {
    let d = tempfile::tempdir().unwrap();
    let task = write_task(
        d.path(),
        "[optimize]\nmax_evals = 2000\npopulation = 8\nsigma0 = 0.5\n\n[optimize.stop]\ntol_fun = 0.05\ntol_x = 0.05\n",
    );
    let out = d.path().join("out");
    run(&task, &out, &["--threads", "2"]);
    let summary: serde_json::Value = serde_json::from_str(&read(out.join("summary.json"))).unwrap();
    let stop = summary["optimize"]["stop"].as_str().unwrap();
    let history = read(out.join("history.csv"));
    let evals: u64 = history
        .lines()
        .last()
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    println!(
        "stance_push stopped by {stop} after {evals} evaluations: {}",
        summary["optimize"]
    );
    assert_ne!(stop, "max_evals");
    assert!(evals < 2000);
    let reasons = summary["optimize"]["stop_reasons"].as_array().unwrap();
    assert_eq!(reasons[0].as_str(), Some(stop));
    assert!(read(out.join("best.toml")).contains(&format!("stop: {stop}")));
    assert_eq!(read(out.join("restarts.csv")).lines().count(), 2);
}

#[test]
fn a_restart_sequence_killed_in_its_third_restart_resumes_to_the_same_files() {
    let d = tempfile::tempdir().unwrap();
    // Runs of 3 generations: λ = 4, 8, 16, then the third restart (λ = 32) until the budget.
    let task = write_task(
        d.path(),
        "[optimize]\nmax_evals = 150\npopulation = 4\nrestarts = \"ipop\"\n\n[optimize.stop]\nmax_iter = 3\n",
    );
    let (full, killed) = (d.path().join("full"), d.path().join("killed"));
    run(&task, &full, &["--threads", "2"]);
    let restarts = read(full.join("restarts.csv"));
    let lambdas: Vec<&str> = restarts.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert_eq!(lambdas, ["4", "8", "16", "32"], "{restarts}");
    let mut child = common::spawn_optimize(BIN, &task, &killed, &["--threads", "1"]);
    // 9 generations finish the first three runs; kill -9 after the third restart's first generation.
    common::kill_once_history_has(&mut child, &killed, 11, Duration::from_secs(120));
    let h = read(killed.join("history.csv"));
    assert!(
        !killed.join("summary.json").exists() && h.lines().count() >= 11,
        "killed in the third restart"
    );
    run(&task, &killed, &["--threads", "2", "--resume"]);
    for f in ["history.csv", "best.toml", "restarts.csv", "summary.json"] {
        // summary.json's `wall_seconds` records the session, not the result; best.toml's `# Replay:` line names
        // its own folder.
        let text = |dir: &Path| -> String {
            read(dir.join(f))
                .lines()
                .filter(|l| !l.contains("wall") && !l.starts_with("# Replay: "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(text(&full), text(&killed), "{f}");
    }
}

#[test]
fn bad_restart_and_stopping_settings_are_rejected_with_their_location() {
    let d = tempfile::tempdir().unwrap();
    for (optimize, field) in [
        ("[optimize]\nrestarts = \"sometimes\"\n", "restarts"),
        ("[optimize]\nrestart_sigma0 = 0.0\n", "optimize.restart_sigma0"),
        ("[optimize]\nmax_restarts = 0\n", "optimize.max_restarts"),
        ("[optimize]\n\n[optimize.stop]\ntol_x = -1.0\n", "optimize.stop.tol_x"),
        (
            "[optimize]\n\n[optimize.stop]\ntol_up_sigma = 0.0\n",
            "optimize.stop.tol_up_sigma",
        ),
        (
            "[optimize]\n\n[optimize.stop]\nmax_iter = 0\n",
            "optimize.stop.max_iter",
        ),
        ("[optimize]\n\n[optimize.stop]\ntol_funn = 1.0\n", "tol_funn"),
    ] {
        let task = write_task(d.path(), optimize);
        let err = common::run_err(BIN, &["check", task.to_str().unwrap()]);
        assert!(err.contains("task.toml:") && err.contains(field), "{optimize}: {err}");
    }
}
