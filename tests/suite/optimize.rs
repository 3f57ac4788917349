//! `sprintlab optimize` end to end on the first real task (`scenarios/stance_push.toml`): bit-identical results
//! with 1 and 2 threads, a killed run resumed equals an uninterrupted one, the best solution replays to the
//! recorded cost exactly, a finished run extended to a larger budget equals a fresh run with it, and bad
//! optimisation settings are rejected with their location.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn task() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml")
}

fn optimize(out: &Path, extra: &[&str]) {
    let o = Command::new(BIN)
        .arg("optimize")
        .arg(task())
        .arg("--out")
        .arg(out)
        .args(extra)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// An optimisation folder's `best.toml` without its `# Replay:` line, which names the folder itself: what two
/// runs of the same search must agree on byte for byte.
fn best_values(dir: &Path) -> String {
    read(dir.join("best.toml"))
        .lines()
        .filter(|l| !l.starts_with("# Replay: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The cost recorded in an optimisation folder's `best.toml` header.
fn recorded_cost(dir: &Path) -> f64 {
    read(dir.join("best.toml"))
        .lines()
        .find_map(|l| l.strip_prefix("# cost = "))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn one_two_and_eight_threads_give_identical_history_and_best_and_the_best_replays_exactly() {
    let d = tempfile::tempdir().unwrap();
    let (a, b, c) = (d.path().join("t1"), d.path().join("t2"), d.path().join("t8"));
    optimize(&a, &["--max-evals", "36", "--threads", "1"]);
    optimize(&b, &["--max-evals", "36", "--threads", "2"]);
    optimize(&c, &["--max-evals", "36", "--threads", "8"]);
    for other in [&b, &c] {
        assert_eq!(read(a.join("history.csv")), read(other.join("history.csv")));
        assert_eq!(best_values(&a), best_values(other));
    }
    assert_eq!(read(a.join("history.csv")).lines().count(), 4, "3 generations of 12");
    // Replay the best with the command best.toml gives (issue 19 item 11: its paths work from where optimize was
    // started, here the temporary folder, with a relative --out) and get the recorded cost, bit for bit.
    let o = Command::new(BIN)
        .args(["optimize", "--max-evals", "36", "--threads", "2", "--out", "rel"])
        .arg(task())
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rel = d.path().join("rel");
    assert_eq!(best_values(&a), best_values(&rel));
    let hint = read(rel.join("best.toml"));
    let hint = hint
        .lines()
        .find_map(|l| l.strip_prefix("# Replay: sprintlab "))
        .unwrap();
    assert_eq!(hint, format!("simulate {} --params rel/best.toml", task().display()));
    let recorded = recorded_cost(&a);
    let replay = d.path().join("replay");
    let o = Command::new(BIN)
        .args(hint.split(' '))
        .arg("--out")
        .arg(&replay)
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&read(replay.join("summary.json"))).unwrap();
    let cost = s["measures"]["cost"].as_f64().unwrap();
    assert_eq!(
        cost.to_bits(),
        recorded.to_bits(),
        "replayed {cost} vs recorded {recorded}"
    );
    assert!(recorded < 0.0, "some propulsive impulse was found: {recorded}");
}

#[test]
fn killed_run_resumes_to_the_same_result_as_an_uninterrupted_one() {
    let d = tempfile::tempdir().unwrap();
    let (full, killed) = (d.path().join("full"), d.path().join("killed"));
    optimize(&full, &["--max-evals", "96", "--threads", "1"]);
    let mut child = Command::new(BIN)
        .arg("optimize")
        .arg(task())
        .arg("--out")
        .arg(&killed)
        .args(["--max-evals", "96", "--threads", "1"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill -9 once a checkpoint with at least 2 generations exists (mid-run, between or during writes).
    crate::common::kill_once_history_has(&mut child, &killed, 3, Duration::from_secs(60));
    // best.toml is rewritten at every checkpoint; the best rollout's run folder only when the run finishes.
    assert!(
        !killed.join("summary.json").exists(),
        "the run was killed before it finished"
    );
    optimize(&killed, &["--max-evals", "96", "--threads", "1", "--resume"]);
    assert_eq!(read(full.join("history.csv")), read(killed.join("history.csv")));
    assert_eq!(best_values(&full), best_values(&killed));
}

#[test]
fn a_finished_run_extended_to_a_larger_budget_equals_a_fresh_run_with_that_budget() {
    let d = tempfile::tempdir().unwrap();
    let (fresh, extended) = (d.path().join("fresh"), d.path().join("extended"));
    optimize(&fresh, &["--max-evals", "48", "--threads", "1"]);
    optimize(&extended, &["--max-evals", "24", "--threads", "1"]);
    assert!(read(extended.join("best.toml")).contains("24 evaluations"));
    optimize(&extended, &["--max-evals", "48", "--threads", "2", "--resume"]);
    assert_eq!(read(fresh.join("history.csv")), read(extended.join("history.csv")));
    assert_eq!(best_values(&fresh), best_values(&extended));
    let measures = |dir: &Path| {
        let s: serde_json::Value = serde_json::from_str(&read(dir.join("summary.json"))).unwrap();
        s["measures"].to_string() // the run's wall time differs, nothing else
    };
    assert_eq!(measures(&fresh), measures(&extended));
    // Below what was spent: refused, saying what is allowed.
    let o = Command::new(BIN)
        .arg("optimize")
        .arg(task())
        .arg("--out")
        .arg(&extended)
        .args(["--max-evals", "36", "--resume"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("already used 48 evaluations") && err.contains("≥ 48"),
        "{err}"
    );
}

#[test]
fn a_checkpoint_from_another_scenario_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    optimize(&out, &["--max-evals", "12"]);
    let other = d.path().join("other.toml");
    std::fs::write(&other, read(task()).replace("seed = 1", "seed = 2")).unwrap();
    let o = Command::new(BIN)
        .arg("optimize")
        .arg(&other)
        .arg("--out")
        .arg(&out)
        .arg("--resume")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("different scenario"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Regression (issue 16 changed the default athlete's body while scenario texts stayed the same): a checkpoint
/// made on another body than the scenario now builds is refused, naming the body; a checkpoint written before
/// the body was recorded resumes (on the body the scenario builds now) and records it from then on.
#[test]
fn a_checkpoint_made_on_another_body_is_refused_even_with_the_same_scenario_text() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    optimize(&out, &["--max-evals", "12"]);
    let ck = out.join("checkpoint.json");
    let mut json: serde_json::Value = serde_json::from_str(&read(ck.clone())).unwrap();
    let body = json["body_sha256"].as_str().expect("the body is recorded").to_string();
    assert_eq!(body.len(), 64);
    json["body_sha256"] = serde_json::Value::String("0".repeat(64));
    std::fs::write(&ck, json.to_string()).unwrap();
    let o = Command::new(BIN)
        .arg("optimize")
        .arg(task())
        .arg("--out")
        .arg(&out)
        .args(["--max-evals", "24", "--resume"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("different body"), "{err}");
    // Written before bodies were recorded: resumes, and the next checkpoint has the body.
    json.as_object_mut().unwrap().remove("body_sha256");
    std::fs::write(&ck, json.to_string()).unwrap();
    optimize(&out, &["--max-evals", "24", "--resume"]);
    let json: serde_json::Value = serde_json::from_str(&read(ck)).unwrap();
    assert_eq!(json["body_sha256"].as_str(), Some(body.as_str()));
}

#[test]
fn bad_optimisation_settings_are_rejected_with_their_location() {
    let d = tempfile::tempdir().unwrap();
    let base = read(task());
    let cases = [
        ("population = 12", "population = 1", "optimize.population"),
        (
            "amplitude = { init = 0.5, min = 0.0, max = 1.0, std = 0.2 }",
            "amplitude = { init = 0.5, min = 1.0, max = 0.0, std = 0.2 }",
            ".min",
        ),
        (
            "amplitude = { init = 0.5, min = 0.0, max = 1.0, std = 0.2 }",
            "amplitude = { init = 1.5, min = 0.0, max = 1.0, std = 0.2 }",
            ".init",
        ),
        ("max_evals = 400", "max_evals = 0", "optimize.max_evals"),
    ];
    for (from, to, path) in cases {
        let f = d.path().join("bad.toml");
        std::fs::write(&f, base.replacen(from, to, 1)).unwrap();
        let out = d.path().join("out");
        let o = Command::new(BIN)
            .arg("optimize")
            .arg(&f)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{to}");
        assert!(
            err.contains(&format!("{}:", f.display())) && err.contains(path),
            "{to}: {err}"
        );
        assert!(!out.exists(), "nothing written for {to}");
    }
    // An overlay naming a path that is not a parameter of the scenario.
    let overlay = d.path().join("p.toml");
    std::fs::write(&overlay, "[controller.bursts.hip_ext_r]\nonst = 0.01\n").unwrap();
    let o = Command::new(BIN)
        .arg("simulate")
        .arg(task())
        .arg("--params")
        .arg(&overlay)
        .arg("--out")
        .arg(d.path().join("o2"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("controller.bursts.hip_ext_r.onst") && err.contains("p.toml:2:"),
        "{err}"
    );
}

#[test]
fn ctrl_c_stops_cleanly_with_a_checkpoint_and_resumes_to_the_same_result() {
    let d = tempfile::tempdir().unwrap();
    let (full, int) = (d.path().join("full"), d.path().join("int"));
    optimize(&full, &["--max-evals", "96", "--threads", "1"]);
    let child = Command::new(BIN)
        .arg("optimize")
        .arg(task())
        .arg("--out")
        .arg(&int)
        .args(["--max-evals", "96", "--threads", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::fs::read_to_string(int.join("history.csv"))
        .unwrap_or_default()
        .lines()
        .count()
        < 2
        && t0.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() {
        assert!(err.contains("checkpoint written"), "{err}");
        assert!(int.join("checkpoint.json").is_file());
        optimize(&int, &["--max-evals", "96", "--threads", "1", "--resume"]);
    } // else: the run finished before the signal arrived; the comparison below still holds.
    assert_eq!(read(full.join("history.csv")), read(int.join("history.csv")));
    assert_eq!(best_values(&full), best_values(&int));
}

#[test]
fn nelder_mead_and_particle_swarm_are_selectable_and_deterministic() {
    let d = tempfile::tempdir().unwrap();
    for solver in ["nelder-mead", "particle-swarm"] {
        let sc = d.path().join(format!("{solver}.toml"));
        std::fs::write(
            &sc,
            read(task()).replacen("max_evals = 400", &format!("solver = \"{solver}\"\nmax_evals = 400"), 1),
        )
        .unwrap();
        let run = |name: &str| {
            let out = d.path().join(name);
            let o = Command::new(BIN)
                .arg("optimize")
                .arg(&sc)
                .arg("--out")
                .arg(&out)
                .args(["--max-evals", "36"])
                .output()
                .unwrap();
            assert!(o.status.success(), "{solver}: {}", String::from_utf8_lossy(&o.stderr));
            out
        };
        let (a, b) = (run(&format!("{solver}-a")), run(&format!("{solver}-b")));
        assert_eq!(read(a.join("history.csv")), read(b.join("history.csv")), "{solver}");
        assert_eq!(best_values(&a), best_values(&b), "{solver}");
        let h = read(a.join("history.csv"));
        let best: f64 = h.lines().last().unwrap().split(',').nth(2).unwrap().parse().unwrap();
        assert!(best < 0.0, "{solver} found some push: {best}");
        // Every best parameter lies inside its range.
        let s = read(a.join("scenario.toml"));
        assert!(s.contains("amplitude"), "resolved scenario written");
    }
}

#[test]
fn a_warm_start_begins_at_the_earlier_best_and_a_changed_start_file_refuses_resume() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a");
    optimize(&a, &["--max-evals", "24", "--threads", "2"]);
    let recorded = recorded_cost(&a);
    // Stage B: the same task, warm-started from A's best with a smaller step.
    let start = d.path().join("start.toml");
    std::fs::copy(a.join("best.toml"), &start).unwrap();
    let stage_b = d.path().join("stage_b.toml");
    let text = read(task()).replacen("[optimize]\n", "[optimize]\nstart = \"start.toml\"\nsigma0 = 0.3\n", 1);
    std::fs::write(&stage_b, text).unwrap();
    // Its initial point is A's best: simulated as written, it costs exactly what A recorded.
    let sim = d.path().join("b_sim");
    let o = Command::new(BIN)
        .args(["simulate", stage_b.to_str().unwrap(), "--out", sim.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&read(sim.join("summary.json"))).unwrap();
    assert_eq!(s["measures"]["cost"].as_f64().unwrap().to_bits(), recorded.to_bits());
    // The run folder's resolved scenario has the start values baked in and loads on its own.
    let o = Command::new(BIN)
        .args(["check", sim.join("scenario.toml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Optimising B, then changing the start file: --resume refuses (the start file is part of the scenario hash).
    let b = d.path().join("b");
    let run_b = |extra: &[&str]| {
        Command::new(BIN)
            .args(["optimize", stage_b.to_str().unwrap(), "--out", b.to_str().unwrap()])
            .args(["--max-evals", "24", "--threads", "2"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(run_b(&[]).status.success());
    std::fs::write(&start, read(start.clone()).replace("# cost", "#  cost")).unwrap();
    let o = run_b(&["--resume"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("different scenario"), "{err}");
}
