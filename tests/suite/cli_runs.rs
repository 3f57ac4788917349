//! End-to-end runs of the `sprintlab` binary: run folders, determinism, the verification scenario exactly as
//! the peers write it, and the committed JSON Schema.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn simulate(scenario: &Path, out: &Path) {
    let o = Command::new(BIN)
        .arg("simulate")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn same_scenario_twice_gives_byte_identical_timeseries() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("drop.toml");
    std::fs::write(
        &sc,
        "[initial]\ndrop_height = 0.03\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.4\n",
    )
    .unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    simulate(&sc, &a);
    simulate(&sc, &b);
    let ta = std::fs::read(a.join("timeseries.csv")).unwrap();
    let tb = std::fs::read(b.join("timeseries.csv")).unwrap();
    assert!(ta.len() > 100_000, "a real trajectory with contact: {} bytes", ta.len());
    assert!(ta == tb, "timeseries differ between identical runs");
    for f in ["manifest.json", "scenario.toml", "summary.json", "model.json"] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    for k in [
        "sprintlab_version",
        "git_hash",
        "scenario_sha256",
        "seed",
        "threads",
        "host",
        "started_utc",
    ] {
        assert!(!m[k].is_null(), "manifest lacks {k}");
    }
}

#[test]
fn verification_scenario_as_written_reproduces_the_peer_reference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zg");
    simulate(&root().join("data/verification/zero_g.toml"), &out);
    let read = |p: &Path| -> (Vec<String>, Vec<Vec<f64>>) {
        let text = std::fs::read_to_string(p).unwrap();
        let mut lines = text.lines();
        let h = lines.next().unwrap().split(',').map(String::from).collect();
        (
            h,
            lines
                .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
                .collect(),
        )
    };
    let (h, rows) = read(&out.join("timeseries.csv"));
    let (rh, rrows) = read(&root().join("data/shared/peers/zero_g_reference.csv"));
    assert_eq!(rows.len(), rrows.len(), "one row every 10 ms for 0.5 s");
    let dofs: Vec<&String> = rh[8..27].iter().collect();
    let mut worst: f64 = 0.0;
    for (r, rr) in rows.iter().zip(&rrows) {
        assert!((r[0] - rr[0]).abs() < 1e-9);
        if rr[0] > 0.2 + 1e-9 {
            continue;
        }
        for name in &dofs {
            let i = h
                .iter()
                .position(|c| c == *name)
                .expect("column named as the model names it");
            let j = rh.iter().position(|c| c == *name).unwrap();
            worst = worst.max((r[i] - rr[j]).abs());
        }
        // The pelvis frame (MIDH) position, not the root COM, is what the reference records.
        for c in ["pelvis_x", "pelvis_y", "pelvis_z"] {
            let i = h.iter().position(|x| x == c).unwrap();
            let j = rh.iter().position(|x| x == c).unwrap();
            assert!((r[i] - rr[j]).abs() < 1e-3, "{c} at t={}: {} vs {}", r[0], r[i], rr[j]);
        }
    }
    eprintln!("verification scenario via the CLI: max joint error t <= 0.2 s = {worst:.3e} rad");
    assert!(worst < 0.01);
}

#[test]
fn committed_schema_is_current() {
    let o = Command::new(BIN).arg("schema").output().unwrap();
    assert!(o.status.success());
    let committed = std::fs::read_to_string(root().join("scenario.schema.json")).unwrap();
    assert!(
        String::from_utf8(o.stdout).unwrap() == committed,
        "scenario.schema.json is stale: run `cargo run --release -- schema > scenario.schema.json`"
    );
}

#[test]
fn every_shipped_scenario_checks() {
    let mut files: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let o = Command::new(BIN).arg("check").args(&files).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Issue 19 item 2: a run that lost balance exits 0 (a result, not an error), so `simulate` and `run` must say
/// how it ended, with when and why, and the stride metrics; a run that went the whole way says so.
#[test]
fn simulate_and_run_say_the_outcome_aloud() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("try");
    let o = Command::new(BIN)
        .args(["simulate", "scenarios/sprint_try.toml", "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["run"]["outcome"], "stopped",
        "the untuned sprint controller falls"
    );
    let lost = &summary["measures"]["balance_lost"];
    let t = lost["t"].as_f64().unwrap();
    assert_eq!(lost["reason"]["kind"], "pelvis-too-low");
    assert!(
        stdout.contains(&format!("outcome: balance lost at t = {t:.3} s: pelvis too low (z = ")),
        "{stdout}"
    );
    let stances = summary["measures"]["stances"].as_array().unwrap().len();
    assert!(
        stdout.contains(&format!("  {stances} stances over {t:.2} s")),
        "{stdout}"
    );

    let sc = dir.path().join("drop.toml");
    std::fs::write(
        &sc,
        "[initial]\ndrop_height = 0.03\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.3\n",
    )
    .unwrap();
    let o = Command::new(BIN)
        .arg("run")
        .arg(&sc)
        .arg("--no-figures")
        .arg("--out")
        .arg(dir.path().join("drop"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("outcome: completed at t = 0.300 s"), "{stdout}");
}

/// Issue 19 item 9: `--version` names the git revision and rapier, `--help` says what no command does,
/// `scenarios` lists every shipped scenario with its first sentence, `completions` prints a script.
#[test]
fn version_help_scenario_list_and_completions() {
    let run = |args: &[&str]| {
        let o = Command::new(BIN).args(args).current_dir(root()).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let v = run(&["--version"]);
    assert!(v.starts_with("sprintlab 0.1.0 (git "), "{v}");
    assert!(v.contains(", rapier3d-f64 0.36.1)"), "{v}");
    let help = run(&["--help"]);
    assert!(
        help.contains("Without a command, sprintlab runs the built-in quickstart"),
        "{help}"
    );
    let list = run(&["scenarios"]);
    let mut files: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), files.len(), "{list}");
    for (line, f) in lines.iter().zip(&files) {
        let rest = line
            .strip_prefix(&format!("scenarios/{f}"))
            .unwrap_or_else(|| panic!("{line}"));
        assert!(rest.trim().len() > 10, "{line}");
        assert!(line.chars().count() <= 130, "one terminal line: {line}");
    }
    let sprint = lines.iter().find(|l| l.starts_with("scenarios/sprint.toml")).unwrap();
    assert!(sprint.contains("The shipped sprinter (issue 4)"), "{sprint}");
    let bash = run(&["completions", "bash"]);
    assert!(bash.contains("_sprintlab()") && bash.contains("plateau"), "{bash}");
}
