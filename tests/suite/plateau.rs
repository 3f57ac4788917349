//! The plateau experiment end to end at a tiny budget (2 levels × 2 arms × 2 seeds, two free controller
//! parameters, 0.4 s): sweep → merge → `sprintlab plateau` gives its table, summary (slopes and arm gaps checked
//! against the table's level means) and figure; the same sweep run with another thread count is byte-identical
//! (every point re-run with its seed reproduces).

use std::path::{Path, PathBuf};

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn tiny_plateau(dir: &Path) -> PathBuf {
    let mut out = common::tiny_sprint_study("0.4");
    out.push_str(
        "\n[sweep]\ndesign = \"zip\"\ntask = \"optimize\"\nseeds = [1, 2]\n\n\
         [[sweep.vary]]\npath = \"strength.push\"\nvalues = [0.8, 1.4, 0.8, 1.4]\n\n\
         [[sweep.vary]]\npath = \"strength.swing\"\nvalues = [1.0, 1.0, 0.8, 1.4]\n\n\
         [[sweep.vary]]\npath = \"strength.arms\"\nvalues = [1.0, 1.0, 0.8, 1.4]\n\n\
         [[sweep.vary]]\npath = \"strength.torso\"\nvalues = [1.0, 1.0, 0.8, 1.4]\n",
    );
    let p = dir.join("plateau.toml");
    std::fs::write(&p, out).unwrap();
    p
}

fn sprintlab(args: &[&str]) -> String {
    common::run_ok(BIN, args)
}

#[test]
fn tiny_plateau_runs_end_to_end_and_reruns_bit_identically() {
    let d = tempfile::tempdir().unwrap();
    let scen = tiny_plateau(d.path());
    let s = scen.to_str().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    sprintlab(&["sweep", s, "--out", a.to_str().unwrap(), "--threads", "2"]);
    sprintlab(&["merge", a.to_str().unwrap()]);
    let stdout = sprintlab(&["plateau", a.to_str().unwrap()]);
    assert!(stdout.contains("arm a:") && stdout.contains("arm b:"), "{stdout}");

    let mut rd = csv::Reader::from_path(a.join("plateau.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let cells: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[col("arm")].to_string(),
                r[col("level")].to_string(),
                r[col("n")].to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [("0", "0.8"), ("0", "1.4"), ("1", "0.8"), ("1", "1.4")]
        .iter()
        .map(|(a, l)| (a.to_string(), l.to_string(), "2".to_string()))
        .collect();
    assert_eq!(cells, want, "2 levels x 2 arms, 2 seeds each");
    for r in &rows {
        let ci: f64 = r[col("mean_net_horizontal_impulse_ci95")].parse().unwrap();
        assert!(ci.is_finite() && ci >= 0.0);
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("plateau_summary.json")).unwrap()).unwrap();
    assert_eq!(summary["findings"].as_array().unwrap().len(), 2);
    assert_eq!(summary["findings"][0]["gains"].as_array().unwrap().len(), 1);
    // Slopes and arm gaps against the per-level means read back from plateau.csv: with two levels the
    // least-squares slope over every run is the difference of the level means over the level step.
    let mean = |arm: &str, level: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| &r[col("arm")] == arm && &r[col("level")] == level)
            .unwrap();
        r[col("mean_net_horizontal_impulse_mean")].parse().unwrap()
    };
    for (k, arm) in ["0", "1"].iter().enumerate() {
        let want = (mean(arm, "1.4") - mean(arm, "0.8")) / 0.6;
        let got = summary["findings"][k]["slope_top"]["slope"].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "arm {arm}: {got} vs {want}"
        );
        assert_eq!(summary["findings"][k]["slope_top"]["n"], 4);
        // The verdict is the written definition applied to that slope.
        let top = &summary["findings"][k]["slope_top"];
        let flat = top["slope"].as_f64().unwrap() - top["ci95"].as_f64().unwrap() <= 0.0;
        assert_eq!(summary["findings"][k]["plateau"], flat, "arm {arm}");
    }
    let gaps = summary["arm_gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    for g in gaps {
        let level = if g["level"].as_f64().unwrap() < 1.0 {
            "0.8"
        } else {
            "1.4"
        };
        let want = mean("1", level) - mean("0", level);
        assert!((g["gap"].as_f64().unwrap() - want).abs() <= 1e-12 * want.abs().max(1.0));
    }
    let svg = std::fs::read_to_string(a.join("figures/plateau.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("plateau.svg parses");
    sprintlab(&["figures", a.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(a.join("figures/plateau.svg")).unwrap(),
        svg,
        "deterministic"
    );
    assert_eq!(
        common::png_width(&a.join("figures/plateau.png")),
        1004,
        "journal width at 300 dpi"
    );

    // The same sweep with one thread: byte-identical table (each point is a pure function of its seed).
    sprintlab(&["sweep", s, "--out", b.to_str().unwrap(), "--threads", "1"]);
    sprintlab(&["merge", b.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(a.join("sweep.csv")).unwrap(),
        std::fs::read(b.join("sweep.csv")).unwrap()
    );
}

/// Issue 19 item 3: on the committed plateau sweep the tool states the finding the prose states (docs/study.md,
/// README: no plateau within 2.0× in either arm), under the definition it prints.
#[test]
fn the_tool_states_the_committed_finding_as_the_prose_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let d = tempfile::tempdir().unwrap();
    for f in ["sweep.csv", "sweep.json"] {
        std::fs::copy(root.join("results/plateau").join(f), d.path().join(f)).unwrap();
    }
    let said = sprintlab(&["plateau", d.path().to_str().unwrap()]);
    assert!(said.contains("a plateau: the least-squares slope of push over strength at the three highest levels"));
    for arm in ["a", "b"] {
        let line = said.lines().find(|l| l.starts_with(&format!("arm {arm}: "))).unwrap();
        assert!(line.contains("still rising, no plateau within 2.0x"), "{line}");
    }
    let prose = |f: &str| {
        std::fs::read_to_string(root.join(f))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(prose("docs/study.md").contains("no plateau within 2.0×"));
    assert!(prose("README.md").contains("not a plateau within 2.0×"));
}

#[test]
fn a_best_of_n_plateau_sweep_gives_each_level_its_runs_and_their_worst() {
    let d = tempfile::tempdir().unwrap();
    let scen = tiny_plateau(d.path());
    let text = std::fs::read_to_string(&scen)
        .unwrap()
        .replace("max_evals = 8\n", "max_evals = 8\nruns = 2\n")
        .replace("seeds = [1, 2]", "seeds = [1]");
    std::fs::write(&scen, text).unwrap();
    let a = d.path().join("a");
    let o = a.to_str().unwrap();
    sprintlab(&["sweep", scen.to_str().unwrap(), "--out", o, "--threads", "2"]);
    sprintlab(&["merge", o]);
    sprintlab(&["plateau", o]);
    let mut rd = csv::Reader::from_path(a.join("plateau.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head[head.len() - 4..],
        ["runs", "runs_reached_best", "best_runs_converged", "cost_worst"]
    );
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    // Points 0..4 are the (arm, level) cells in plan order: a 0.8, a 1.4, b 0.8, b 1.4.
    for (k, r) in rd.records().enumerate() {
        let r = r.unwrap();
        assert_eq!(&r[col("n")], "1");
        assert_eq!(&r[col("runs")], "2");
        let runs: Vec<sprintlab::export::tables::RunRow> =
            sprintlab::export::tables::read_rows(&a.join(format!("points/{k:06}/runs.csv"))).unwrap();
        let worst = runs.iter().map(|x| x.best).fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(r[col("cost_worst")].parse::<f64>().unwrap(), worst, "cell {k}");
        let reached = runs.iter().filter(|x| x.reached_best).count();
        assert_eq!(
            r[col("runs_reached_best")].parse::<usize>().unwrap(),
            reached,
            "cell {k}"
        );
    }
}
