//! Sweeps end to end through the binary: shards, threads and one process give the same merged bytes; a shard
//! killed with SIGKILL resumes with the same command; torn lines are repaired; `merge` deduplicates and lists
//! missing points; folders of another sweep, unwritable folders and a full disk are clear errors that corrupt
//! nothing; `--plan` and `slurm` print what they should.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

/// 6 points of a drop/standing run of the default athlete; without push strength it falls after ≈ 0.37 s.
const SWEEP: &str = r#"[initial]
angles = { knee_r = 0.2, knee_l = 0.2, hip_flex_r = 0.1, hip_flex_l = 0.1, ankle_r = 0.1, ankle_l = 0.1 }
[controller]
kind = "hold-posture"
[run]
duration = DURATION
[sweep]
[[sweep.vary]]
path = "initial.drop_height"
values = [0.0, 0.03]
[[sweep.vary]]
path = "strength.push"
values = [0.0, 0.6, 1.0]
"#;

fn write_scenario(dir: &Path, name: &str, duration: f64) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, SWEEP.replace("DURATION", &format!("{duration:?}"))).unwrap();
    p
}

fn run(args: &[&str], threads: usize) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .expect("runs")
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn failed(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "should fail; stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(o.status.code(), Some(1), "a runtime error, not a crash or usage error");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs shards `0..n` one after the other and merges; returns `sweep.csv`.
fn sweep_and_merge(sc: &Path, out: &Path, n: u64, threads: usize) -> Vec<u8> {
    for k in 0..n {
        let (k, n) = (k.to_string(), n.to_string());
        ok(run(
            &["sweep", s(sc), "--out", s(out), "--shard", &k, "--shards", &n],
            threads,
        ));
    }
    merged(out)
}

fn merged(out: &Path) -> Vec<u8> {
    ok(run(&["merge", s(out)], 1));
    std::fs::read(out.join("sweep.csv")).unwrap()
}

fn rows(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(String::from)
        .collect()
}

/// Every file under `dir` with its bytes (to check that a refused command changed nothing).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
                out.insert(p, Vec::new());
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn shards_threads_and_one_process_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // 0.4 s: long enough for the athlete without push strength to fall.
    let sc = write_scenario(dir.path(), "drop.toml", 0.4);
    let one = dir.path().join("one");
    let reference = sweep_and_merge(&sc, &one, 1, 2);
    let text = String::from_utf8(reference.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "header + 6 points:\n{text}");
    assert!(lines[0].starts_with("point,design,replicate,initial.drop_height,strength.push,seed,status,"));
    assert!(
        !lines[0].contains("wall_s"),
        "wall time is kept out of the merged table"
    );
    assert!(
        text.contains(",balance-lost,pelvis-too-low,"),
        "a fall is a row with its status:\n{text}"
    );
    assert!(text.contains(",completed,,NaN,0.4,400,"), "{text}");
    assert_eq!(rows(&one.join("timing.csv")).len(), 6);
    for i in 0..6 {
        assert!(one
            .join("points")
            .join(format!("{i:06}"))
            .join("timeseries.csv")
            .is_file());
    }
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(one.join("sweep.meta.json")).unwrap()).unwrap();
    assert_eq!(meta["points"], 6);
    assert_eq!(
        meta["statuses"]["balance-lost"].as_u64().unwrap() + meta["statuses"]["completed"].as_u64().unwrap(),
        6
    );

    // Three shards, one thread each.
    let three = dir.path().join("three");
    assert!(
        sweep_and_merge(&sc, &three, 3, 1) == reference,
        "3 shards differ from one process"
    );
    assert_eq!(rows(&three.join("shard-0001-of-0003.csv")).len(), 2);
    // Two shards started at the same time into a fresh folder (both claim it), two threads each.
    let two = dir.path().join("two");
    let spawn = |k: &str| {
        Command::new(BIN)
            .args([
                "sweep",
                s(&sc),
                "--out",
                s(&two),
                "--shard",
                k,
                "--shards",
                "2",
                "--threads",
                "2",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("0"), spawn("1"));
    for c in [a, b] {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(merged(&two) == reference, "2 concurrent shards differ from one process");
    // Merging again gives the same bytes.
    assert!(merged(&two) == reference);
}

#[test]
fn a_point_folder_is_the_run_folder_of_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let loaded = sprintlab::scenario::load(&sc).unwrap();
    let plan = sprintlab::sweep::plan::plan(&loaded).unwrap();
    let point = sprintlab::sweep::plan::point_scenario(&loaded, &plan, &plan.point(4)).unwrap();
    let sim = dir.path().join("simulate");
    sprintlab::cli::simulate(&point, Some(&sim)).unwrap();
    let swept = dir.path().join("swept");
    sprintlab::sweep::run::simulate_point(&point, Some(&swept)).unwrap();
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&sim), names(&swept), "the same files as `simulate`");
    for f in names(&sim) {
        let (a, b) = (
            std::fs::read(sim.join(&f)).unwrap(),
            std::fs::read(swept.join(&f)).unwrap(),
        );
        match f.as_str() {
            "manifest.json" => {}
            "summary.json" => {
                let strip = |b: &[u8]| {
                    let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
                    v["run"]["wall_seconds"] = serde_json::Value::Null;
                    v
                };
                assert_eq!(strip(&a), strip(&b), "summary.json");
            }
            _ => assert!(a == b, "{f} differs from simulate's"),
        }
    }
}

/// Spawns one shard, waits until its file has `rows` rows, kills it with SIGKILL.
fn kill_after_rows(sc: &Path, out: &Path, rows_wanted: usize) -> usize {
    let csv = out.join("shard-0001-of-0002.csv");
    let mut child = Command::new(BIN)
        .args([
            "sweep",
            s(sc),
            "--out",
            s(out),
            "--shard",
            "1",
            "--shards",
            "2",
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    loop {
        let n = std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count().saturating_sub(1));
        if n >= rows_wanted || t0.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count().saturating_sub(1))
}

#[test]
fn a_killed_shard_resumes_without_losing_or_repeating_points() {
    let dir = tempfile::tempdir().unwrap();
    // Longer points (≈ 0.2 s each) so that the kill lands mid-way.
    let sc = write_scenario(dir.path(), "drop.toml", 1.0);
    let reference = sweep_and_merge(&sc, &dir.path().join("reference"), 1, 2);
    let out = dir.path().join("killed");
    ok(run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "0", "--shards", "2"],
        1,
    ));
    // Killed right after start (maybe before any row), then after its first row.
    let first = kill_after_rows(&sc, &out, 0);
    let second = kill_after_rows(&sc, &out, first + 1);
    assert!(second < 3, "the kill landed mid-way: {second} of 3 rows");
    let o = ok(run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "1", "--shards", "2"],
        2,
    ));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(&format!("{second} done before, {} run now", 3 - second)),
        "{said}"
    );
    let shard = rows(&out.join("shard-0001-of-0002.csv"));
    let mut points: Vec<&str> = shard.iter().map(|r| r.split(',').next().unwrap()).collect();
    points.sort();
    assert_eq!(points, ["1", "3", "5"], "each point once");
    assert!(merged(&out) == reference, "resumed sweep differs");
    let names: Vec<String> = std::fs::read_dir(out.join("points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 6, "no staging folders left: {names:?}");
    // Running a finished shard again does nothing.
    let o = ok(run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "1", "--shards", "2"],
        2,
    ));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 done before, 0 run now"));
}

/// Sends SIGINT to a process (the Ctrl-C of a terminal).
fn sigint(pid: u32) {
    let ok = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -INT {pid}");
}

/// Issue 19 item 4: Ctrl-C in a sweep stops after the points in flight, records them, leaves no hidden staging
/// folder, exits 1 saying how to resume; the resumed sweep equals an uninterrupted one. A second Ctrl-C quits at
/// once (exit 130), and even then the resumed sweep completes identically.
#[test]
fn ctrl_c_in_a_sweep_stops_after_the_points_in_flight_and_resumes_identically() {
    let dir = tempfile::tempdir().unwrap();
    // ≈ 0.2 s points on one thread: the signal lands with points still to run.
    let sc = write_scenario(dir.path(), "drop.toml", 1.0);
    let reference = sweep_and_merge(&sc, &dir.path().join("reference"), 1, 2);
    for (name, signals) in [("once", 1), ("twice", 2)] {
        let out = dir.path().join(name);
        let csv = out.join("shard-0000-of-0001.csv");
        let child = Command::new(BIN)
            .args(["sweep", s(&sc), "--out", s(&out), "--threads", "1"])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count()) < 2 {
            assert!(t0.elapsed() < Duration::from_secs(60), "no row within 60 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        for _ in 0..signals {
            sigint(child.id());
            std::thread::sleep(Duration::from_millis(20));
        }
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        let recorded = rows(&csv).len();
        if signals == 1 {
            assert_eq!(o.status.code(), Some(1), "{err}");
            assert!(
                err.contains(&format!(
                    "interrupted (Ctrl-C) after the points in flight: {recorded} of 6 points"
                )),
                "{err}"
            );
            assert!(err.contains("resume with the same `sprintlab sweep` command"), "{err}");
            assert!(recorded < 6, "stopped before the end: {recorded} rows");
            let names: Vec<String> = std::fs::read_dir(out.join("points"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(
                names.len(),
                recorded,
                "a folder per recorded point, none hidden: {names:?}"
            );
            assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
        } else {
            assert_eq!(o.status.code(), Some(130), "{err}");
            assert!(err.contains("interrupted again: quitting at once"), "{err}");
        }
        let o = ok(run(&["sweep", s(&sc), "--out", s(&out)], 2));
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(
            said.contains(&format!("{recorded} done before, {} run now", 6 - recorded)),
            "{said}"
        );
        assert!(merged(&out) == reference, "{name}: resumed sweep differs");
        let names = std::fs::read_dir(out.join("points")).unwrap().count();
        assert_eq!(names, 6, "{name}: no staging folders left after the resume");
    }
}

#[test]
fn killed_at_any_moment_again_and_again_the_sweep_still_completes_identically() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let reference = sweep_and_merge(&sc, &dir.path().join("reference"), 1, 2);
    let out = dir.path().join("out");
    let csv = out.join("shard-0000-of-0001.csv");
    let done = || std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count().saturating_sub(1));
    // SIGKILL after 0, 3, 6, … ms (folder claim, header, clean-up, rollouts, run folders, rows), until done.
    let mut kills = 0;
    for delay in (0..).step_by(3).take(200) {
        if done() == 6 {
            break;
        }
        let mut child = Command::new(BIN)
            .args(["sweep", s(&sc), "--out", s(&out), "--threads", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay % 60));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    eprintln!("{kills} kills");
    assert!(kills >= 3, "only {kills} kills landed");
    ok(run(&["sweep", s(&sc), "--out", s(&out)], 1));
    assert!(merged(&out) == reference, "after {kills} kills the sweep differs");
    let mut points: Vec<String> = rows(&csv)
        .iter()
        .map(|r| r.split(',').next().unwrap().to_string())
        .collect();
    points.sort();
    assert_eq!(points, ["0", "1", "2", "3", "4", "5"], "each point once");
}

#[test]
fn a_torn_last_line_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let out = dir.path().join("out");
    let reference = sweep_and_merge(&sc, &out, 1, 2);
    let csv = out.join("shard-0000-of-0001.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let last_start = text[..text.len() - 1].rfind('\n').unwrap() + 1;
    let torn_point: String = text[last_start..].split(',').next().unwrap().to_string();
    std::fs::write(&csv, &text[..last_start + 25]).unwrap(); // a row cut mid-way, as a kill leaves it
                                                             // merge does not count the torn row, and says which point to recompute.
    let o = run(&["merge", s(&out)], 1);
    let err = failed(&o);
    assert!(err.contains("ignoring a torn last line"), "{err}");
    assert!(err.contains(&format!("1 of 6 points missing: {torn_point};")), "{err}");
    assert!(err.contains("rerun shard(s) 0"), "{err}");
    // The same sweep command cuts it off and recomputes that point only.
    let o = ok(run(&["sweep", s(&sc), "--out", s(&out)], 1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cutting off a torn last line"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("5 done before, 1 run now"));
    assert!(merged(&out) == reference);
    // A header torn before its end is rewritten.
    std::fs::write(&csv, "point,des").unwrap();
    ok(run(&["sweep", s(&sc), "--out", s(&out)], 2));
    assert!(merged(&out) == reference);
}

#[test]
fn merge_lists_missing_points_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let out = dir.path().join("out");
    ok(run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "0", "--shards", "3"],
        1,
    ));
    let err = failed(&run(&["merge", s(&out)], 1));
    assert!(
        err.contains("4 of 6 points missing: 1-2, 4-5; nothing written"),
        "{err}"
    );
    assert!(err.contains("with --shards 3, rerun shard(s) 1-2"), "{err}");
    assert!(err.contains("--shard 1 --shards 3"), "{err}");
    assert!(err.contains("sbatch --array=1,2"), "{err}");
    assert!(!out.join("sweep.csv").exists() && !out.join("timing.csv").exists());
    // Not a sweep folder; no shard files.
    let err = failed(&run(&["merge", s(dir.path())], 1));
    assert!(err.contains("not a sweep output folder (no sweep.json)"), "{err}");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::copy(out.join("sweep.json"), empty.join("sweep.json")).unwrap();
    let err = failed(&run(&["merge", s(&empty)], 1));
    assert!(err.contains("no shard files"), "{err}");
}

#[test]
fn merge_drops_repeated_rows_and_refuses_disagreeing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let out = dir.path().join("out");
    let reference = sweep_and_merge(&sc, &out, 1, 2);
    // The same points again under another shard layout (e.g. a resubmission with other --shards).
    ok(run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "0", "--shards", "2"],
        1,
    ));
    let o = ok(run(&["merge", s(&out)], 1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 repeated row(s) dropped"));
    assert!(std::fs::read(out.join("sweep.csv")).unwrap() == reference);
    // A repeated point whose result differs is refused.
    let csv = out.join("shard-0000-of-0002.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let tampered = text.replacen(",0.2,200,", ",0.2,201,", 1);
    assert_ne!(text, tampered);
    std::fs::write(&csv, tampered).unwrap();
    let err = failed(&run(&["merge", s(&out)], 1));
    assert!(err.contains("has a different result in"), "{err}");
}

#[test]
fn a_folder_of_another_sweep_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let out = dir.path().join("out");
    ok(run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "0", "--shards", "2"],
        2,
    ));
    let before = snapshot(&out);
    // Another scenario (another duration), and the same scenario with another plan.
    let other = write_scenario(dir.path(), "other.toml", 0.3);
    let err = failed(&run(
        &["sweep", s(&other), "--out", s(&out), "--shard", "1", "--shards", "2"],
        1,
    ));
    assert!(
        err.contains("holds a sweep of another scenario") && err.contains("refusing to mix"),
        "{err}"
    );
    let text = std::fs::read_to_string(&sc)
        .unwrap()
        .replace("[0.0, 0.6, 1.0]", "[0.0, 0.6, 1.1]");
    std::fs::write(&sc, text).unwrap();
    let err = failed(&run(
        &["sweep", s(&sc), "--out", s(&out), "--shard", "1", "--shards", "2"],
        1,
    ));
    assert!(err.contains("refusing to mix"), "{err}");
    assert!(snapshot(&out) == before, "a refused sweep changed the folder");
    // A folder that is not a sweep's.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let err = failed(&run(&["sweep", s(&sc), "--out", s(&foreign)], 1));
    assert!(err.contains("not a sweep output folder"), "{err}");
    assert_eq!(snapshot(&foreign).len(), 1);
}

#[test]
fn bad_shard_arguments_and_unwritable_folders_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let out = dir.path().join("out");
    for (args, says) in [
        (
            vec!["--shard", "3", "--shards", "3"],
            "--shard: must be < --shards = 3; got 3",
        ),
        (vec!["--shard", "0", "--shards", "0"], "--shards: must be ≥ 1; got 0"),
        (vec!["--shards", "2"], "give --shard K"),
    ] {
        let mut a = vec!["sweep", s(&sc), "--out", s(&out)];
        a.extend(args);
        let err = failed(&run(&a, 1));
        assert!(err.contains(says), "{err}");
    }
    assert!(!out.exists(), "nothing written for bad arguments");
    // SLURM_ARRAY_TASK_ID without --shards.
    let o = Command::new(BIN)
        .args(["sweep", s(&sc), "--out", s(&out)])
        .env("SLURM_ARRAY_TASK_ID", "1")
        .output()
        .unwrap();
    assert!(failed(&o).contains("give --shards N explicitly"));
    // The shard index from SLURM_ARRAY_TASK_ID.
    let o = Command::new(BIN)
        .args(["sweep", s(&sc), "--out", s(&out), "--shards", "3"])
        .env("SLURM_ARRAY_TASK_ID", "2")
        .output()
        .unwrap();
    let o = ok(o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("shard 2 of 3: 2 points"));
    assert!(out.join("shard-0002-of-0003.csv").is_file());
    // An output folder below a file.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let err = failed(&run(&["sweep", s(&sc), "--out", s(&file.join("out"))], 1));
    assert!(
        err.contains(&file.join("out").display().to_string()),
        "names the folder: {err}"
    );
    assert!(
        err.to_lowercase().contains("not a directory") || err.contains("exists"),
        "{err}"
    );
}

/// A small tmpfs (root only); unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", s(at)])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|st| st.success());
        ok.then(|| Self(at.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        let st = Command::new("mount")
            .args(["-o", &format!("remount,size={size}"), s(&self.0)])
            .status()
            .unwrap();
        assert!(st.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_that_corrupts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let reference = sweep_and_merge(&sc, &dir.path().join("reference"), 1, 2);
    // Room for about two of the six run folders (≈ 0.9 MB each).
    let Some(fs) = Tmpfs::mount(&dir.path().join("small"), "2m") else {
        eprintln!("SKIPPED a_full_disk_is_a_clear_error_that_corrupts_nothing: cannot mount a tmpfs (needs root)");
        return;
    };
    let out = fs.0.join("out");
    let err = failed(&run(&["sweep", s(&sc), "--out", s(&out)], 2));
    assert!(err.contains("No space left on device"), "{err}");
    let csv = out.join("shard-0000-of-0001.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.ends_with('\n'), "only whole rows");
    let done = text.lines().count() - 1;
    assert!(done < 6, "the disk filled up mid-way ({done} rows)");
    let leftovers: Vec<String> = std::fs::read_dir(out.join("points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no half-written run folders: {leftovers:?}");
    // Room again: the same command finishes the sweep.
    fs.resize("16m");
    ok(run(&["sweep", s(&sc), "--out", s(&out)], 2));
    assert!(merged(&out) == reference, "the resumed sweep differs");
}

#[test]
fn plan_and_slurm_print_what_they_should() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.2);
    let o = ok(run(&["sweep", s(&sc), "--plan"], 1));
    let plan = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        plan,
        "point,design,replicate,initial.drop_height,strength.push,seed\n0,0,0,0.0,0.0,0\n1,1,0,0.0,0.6,0\n\
         2,2,0,0.0,1.0,0\n3,3,0,0.03,0.0,0\n4,4,0,0.03,0.6,0\n5,5,0,0.03,1.0,0\n"
    );
    let o = ok(run(&["sweep", s(&sc), "--plan", "--shard", "1", "--shards", "4"], 1));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().lines().skip(1).collect::<Vec<_>>(),
        ["1,1,0,0.0,0.6,0", "5,5,0,0.03,1.0,0"]
    );

    let out = dir.path().join("out");
    let args = [
        "slurm",
        s(&sc),
        "--shards",
        "3",
        "--out",
        s(&out),
        "--cpus-per-task",
        "4",
        "--time",
        "0-02:00:00",
        "--partition",
        "debug",
        "--account",
        "proj42",
        "--mem",
        "4G",
        "--merge-time",
        "5",
        "--sbatch=--qos=long",
        "--sbatch",
        "--constraint=avx2",
    ];
    let o = ok(run(&args, 1));
    let script = String::from_utf8(o.stdout).unwrap();
    for want in [
        "#!/bin/bash\n",
        "#SBATCH --array=0-2\n",
        "#SBATCH --cpus-per-task=4\n",
        "#SBATCH --time=0-02:00:00\n",
        "#SBATCH --partition=debug\n",
        &format!("#SBATCH --output={}/logs/%A_%a.out\n", out.display()),
        "export RAYON_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
        "sweep \"$SCENARIO\" --out \"$OUT\" --shards \"$SHARDS\"",
        "--dependency=afterany:",
        "#SBATCH --account=proj42\n",
        "#SBATCH --mem=4G\n",
        "#SBATCH --qos=long\n",
        "#SBATCH --constraint=avx2\n",
        "--time=5 --partition=debug --account=proj42 --output=",
        // The tasks and the merge run the binary's copy in the output folder, made at submission.
        "mkdir -p \"$OUT/logs\" \"$OUT/bin\"",
        "exec \"$OUT/bin/sprintlab\" sweep",
        &format!("{}/bin/sprintlab merge {}", out.display(), out.display()),
    ] {
        assert!(script.contains(want), "missing `{want}` in\n{script}");
    }
    assert!(!out.exists(), "printing a script writes nothing");
    let f = dir.path().join("job.sh");
    std::fs::write(&f, &script).unwrap();
    let st = Command::new("bash").arg("-n").arg(&f).status().unwrap();
    assert!(st.success(), "the script is valid bash");
    for (extra, says) in [
        (["--shards", "3", "--time", "2 hours"], "not a Slurm time limit"),
        (["--shards", "0", "--time", "10"], "must be ≥ 1"),
        (["--shards", "3", "--partition", "a b"], "not a partition name"),
        (["--shards", "3", "--account", "a;b"], "not an account name"),
        (["--shards", "3", "--mem", "lots"], "not a Slurm memory size"),
        (["--shards", "3", "--merge-time", "soon"], "not a Slurm time limit"),
        (["--shards", "3", "--sbatch", "qos=long"], "not one sbatch option"),
        // More shards than points would leave array tasks with nothing to do.
        (["--shards", "7", "--time", "10"], "must be ≤ the plan's 6 point(s)"),
    ] {
        let mut a = vec!["slurm", s(&sc), "--out", s(&out)];
        a.extend(extra);
        let err = failed(&run(&a, 1));
        assert!(err.contains(says), "{err}");
    }
    let err = failed(&run(&["slurm", s(&sc), "--shards", "2", "--out", "/tmp/with space"], 1));
    assert!(err.contains("must not contain spaces"), "{err}");
}

#[test]
fn optimize_points_report_their_best_solution_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let task =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml")).unwrap();
    let text = task.replace("max_evals = 400", "max_evals = 24")
        + "\n[sweep]\ntask = \"optimize\"\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [0.8, 1.2]\n";
    let sc = dir.path().join("opt.toml");
    std::fs::write(&sc, text).unwrap();
    let a = sweep_and_merge(&sc, &dir.path().join("a"), 1, 2);
    let b = sweep_and_merge(&sc, &dir.path().join("b"), 2, 1);
    assert!(a == b, "optimize sweeps differ between thread counts / shard layouts");
    let text = String::from_utf8(a).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert!(
        header.contains(&"best.controller.bursts.hip_ext_r.amplitude"),
        "{header:?}"
    );
    let cost = header.iter().position(|c| *c == "cost").unwrap();
    for (i, row) in text.lines().skip(1).enumerate() {
        let best = std::fs::read_to_string(dir.path().join(format!("a/points/{i:06}/best.toml"))).unwrap();
        let recorded = best.lines().find_map(|l| l.strip_prefix("# cost = ")).unwrap();
        assert_eq!(
            row.split(',').nth(cost).unwrap(),
            recorded,
            "the row is the optimum's rollout"
        );
    }
}

/// Issue 19 item 8: `figures` on a merged sweep folder draws the sweep figure (each outcome against each varied
/// value) instead of failing on the run-folder files it does not have; the skipped kinds only with --verbose.
#[test]
fn figures_on_a_sweep_folder_draw_the_sweep_figure() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path(), "drop.toml", 0.3);
    let out = dir.path().join("sweep");
    sweep_and_merge(&sc, &out, 1, 2);
    let o = ok(run(&["figures", s(&out)], 1));
    let said = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        said,
        format!(
            "wrote {0}/figures/sweep.svg\nwrote {0}/figures/sweep.png\n",
            out.display()
        )
    );
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(out.join("figures/sweep.svg")).unwrap();
    for path in ["initial.drop_height", "strength.push"] {
        assert!(svg.contains(path), "an axis per varied path: {path}");
    }
    assert_eq!(
        crate::common::png_width(&out.join("figures/sweep.png")),
        2067,
        "two varied paths: double column"
    );
    let o = ok(run(&["figures", "--verbose", s(&out)], 1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("skipped grf: a study folder"));
}
