//! The shipped sprinter (`scenarios/sprint.toml`, parameters found by `scenarios/sprint_stage4.toml`): it runs at
//! least 12 steps in full 3D without losing balance; its steady steps fall inside the target ranges we claim
//! (docs/sprint.md; the others are reported there with by how much they miss); vertical impulse balances over the
//! steady strides; left and right steps match; the quickstart is the same sprinter; and without arm excitation
//! (control re-optimised: `scenarios/sprint_no_arms.toml`) it still runs, the change being printed
//! (`cargo test --release --test suite sprint:: -- --nocapture`).

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn sprint_toml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint.toml")
}

/// One stance row of `steps.csv`, by column name.
struct Step(std::collections::BTreeMap<String, String>);

impl Step {
    fn get(&self, k: &str) -> f64 {
        self.0[k].parse().unwrap_or(f64::NAN)
    }
}

struct Run {
    summary: serde_json::Value,
    steps: Vec<Step>,
}

impl Run {
    /// Steady steps: from the fifth on (`measure::steps::STEADY_FROM`), complete (a next touchdown exists).
    fn steady(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .skip(sprintlab::measure::steps::STEADY_FROM)
            .filter(|s| s.get("step_frequency").is_finite())
            .collect()
    }
}

/// Simulates the shipped sprinter, with `edit` applied to the scenario text (written beside a copy).
fn run(edit: &dyn Fn(String) -> String) -> Run {
    run_file(&sprint_toml(), edit)
}

/// Simulates a scenario file with `edit` applied to its text (written to a temporary folder).
fn run_file(file: &Path, edit: &dyn Fn(String) -> String) -> Run {
    let d = tempfile::tempdir().unwrap();
    let text = edit(std::fs::read_to_string(file).unwrap());
    let scen = d.path().join("sprint.toml");
    std::fs::write(&scen, text).unwrap();
    let out = d.path().join("run");
    let o = Command::new(BIN)
        .args(["simulate", scen.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let mut rd = csv::Reader::from_path(out.join("steps.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let steps = rd
        .records()
        .map(|r| Step(head.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()))
        .collect();
    Run { summary, steps }
}

/// The shipped sprinter's run, simulated once and shared by every test of this file (a 6 s run each time cost
/// five extra simulations).
fn shipped() -> &'static Run {
    static RUN: std::sync::OnceLock<Run> = std::sync::OnceLock::new();
    RUN.get_or_init(|| run(&|t| t))
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn shipped_sprinter_runs_twelve_steps_in_3d_without_losing_balance() {
    let r = shipped();
    assert!(
        r.summary["measures"]["balance_lost"].is_null(),
        "balance lost: {}",
        r.summary["measures"]["balance_lost"]
    );
    let complete = r.steps.iter().filter(|s| s.get("step_frequency").is_finite()).count();
    assert!(complete >= 12, "{complete} complete steps");
    // Alternating feet, every step.
    for w in r.steps.windows(2) {
        assert_ne!(
            w[0].0["side"], w[1].0["side"],
            "step {} and the next on the same foot",
            w[0].0["step"]
        );
    }
}

/// The target ranges of data/shared/reference/sprint-targets.md (copied into the project) that the
/// shipped sprinter's steady-step means meet: (item, steps.csv column, low, high). The items it misses are in
/// docs/sprint.md with the numbers.
const CLAIMS: &[(&str, &str, f64, f64)] = &[
    ("3: aerial (flight) time 0.105-0.145 s", "flight_time", 0.105, 0.145),
    (
        "7: first-half-of-stance vertical GRF 2.2-2.7 BW",
        "first_half_vertical_grf_bw",
        2.2,
        2.7,
    ),
    ("8: braking phase 35-45 % of contact", "braking_share", 0.35, 0.45),
    (
        "9: COM vertical excursion in contact 2-6 cm",
        "com_vertical_excursion",
        0.02,
        0.06,
    ),
    (
        "10: trunk lean 5-15 deg forward",
        "trunk_pitch_mean",
        5.0 * DEG,
        15.0 * DEG,
    ),
];

const DEG: f64 = std::f64::consts::PI / 180.0;

#[test]
fn steady_steps_fall_inside_the_claimed_target_ranges() {
    let r = shipped();
    let steady = r.steady();
    assert!(steady.len() >= 12, "{} steady steps", steady.len());
    for &(item, col, lo, hi) in CLAIMS {
        let m = mean(steady.iter().map(|s| s.get(col)));
        assert!((lo..=hi).contains(&m), "item {item}: {col} = {m} outside [{lo}, {hi}]");
    }
    // Item 7: the waveform is asymmetric, the first half of stance loaded more than the second.
    let (first, second) = (
        mean(steady.iter().map(|s| s.get("first_half_vertical_grf_bw"))),
        mean(steady.iter().map(|s| s.get("second_half_vertical_grf_bw"))),
    );
    assert!(first > second + 0.3, "first half {first} BW vs second half {second} BW");
    // Item 8: net horizontal impulse ≈ 0 at steady speed (no air drag modelled): the mean over the steady steps is
    // within 15 % of the mean propulsive impulse (the speed changes by < 0.03 m/s per step on average).
    let (net, prop) = (
        mean(steady.iter().map(|s| s.get("net_horizontal_impulse"))),
        mean(steady.iter().map(|s| s.get("propulsive_impulse"))),
    );
    assert!(
        net.abs() < 0.15 * prop,
        "mean net horizontal impulse {net} N·s vs propulsive {prop} N·s"
    );
    // Item 10: the trunk angle is periodic stride to stride: the mean lean of the steady steps spans < 3 deg.
    let leans: Vec<f64> = steady.iter().map(|s| s.get("trunk_pitch_mean")).collect();
    let spread =
        leans.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - leans.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(spread < 3.0 * DEG, "trunk lean spread {} deg", spread / DEG);
}

/// Consecutive pairs of steady steps: one stride each (a right and a left step).
fn strides<'a>(steady: &'a [&'a Step]) -> impl Iterator<Item = (&'a Step, &'a Step)> + 'a {
    steady.chunks_exact(2).map(|p| (p[0], p[1]))
}

#[test]
fn speed_is_step_length_times_step_frequency_over_each_steady_stride() {
    // Item 4: speed = step length × step frequency within ±2 %, stride by stride (two steps: the touchdown-to-
    // touchdown ankle distances over the stride time against the COM's mean speed over it).
    let r = shipped();
    let steady = r.steady();
    for (a, b) in strides(&steady) {
        let (ta, tb) = (1.0 / a.get("step_frequency"), 1.0 / b.get("step_frequency"));
        let lf = (a.get("step_length") + b.get("step_length")) / (ta + tb);
        let v = (a.get("speed") * ta + b.get("speed") * tb) / (ta + tb);
        let err = (lf - v) / v;
        assert!(
            err.abs() < 0.02,
            "steps {}-{}: L·f {lf} vs speed {v} ({:+.2} %)",
            a.0["step"],
            b.0["step"],
            100.0 * err
        );
    }
}

#[test]
fn vertical_impulse_balances_over_the_steady_strides() {
    // Item 5 / the impulse balance: stance-averaged vertical GRF × contact time = body weight × step time
    // within 3 %, over each steady stride (two steps) and over all steady steps together. Step by step it is off by
    // up to about 8 % because consecutive steps are not identical (docs/sprint.md).
    let r = shipped();
    let steady = r.steady();
    let impulse = |s: &Step| s.get("mean_vertical_grf_bw") * s.get("contact_time");
    let time = |s: &Step| 1.0 / s.get("step_frequency");
    for (a, b) in strides(&steady) {
        let err = (impulse(a) + impulse(b)) / (time(a) + time(b)) - 1.0;
        assert!(
            err.abs() < 0.03,
            "steps {}-{}: {:+.1} %",
            a.0["step"],
            b.0["step"],
            100.0 * err
        );
    }
    let total = steady.iter().map(|s| impulse(s)).sum::<f64>() / steady.iter().map(|s| time(s)).sum::<f64>() - 1.0;
    assert!(total.abs() < 0.03, "all steady steps: {:+.2} %", 100.0 * total);
}

#[test]
fn the_quickstart_is_the_shipped_sprinter_cut_to_eight_steps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let body = |f: &str| {
        let t = std::fs::read_to_string(root.join(f)).unwrap();
        let t = t[t.find("[initial]").unwrap()..].to_string();
        t.lines()
            .filter(|l| !l.starts_with("duration"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body("scenarios/quickstart.toml"), body("scenarios/sprint.toml"));
    let q = run_file(&root.join("scenarios/quickstart.toml"), &|t| t);
    let complete = q.steps.iter().filter(|s| s.get("step_frequency").is_finite()).count();
    assert!(q.summary["measures"]["balance_lost"].is_null());
    assert!(complete >= 8, "{complete} complete steps");
}

#[test]
fn left_and_right_steady_steps_match_within_five_percent() {
    let r = shipped();
    let steady = r.steady();
    for col in ["contact_time", "peak_vertical_grf_bw"] {
        let side = |name: &str| mean(steady.iter().filter(|s| s.0["side"] == name).map(|s| s.get(col)));
        let (right, left) = (side("foot_r"), side("foot_l"));
        let diff = (right - left).abs() / (0.5 * (right + left));
        assert!(
            diff < 0.05,
            "{col}: right {right} vs left {left} ({:.1} %)",
            100.0 * diff
        );
    }
}

#[test]
fn without_arm_excitation_it_still_runs_and_the_change_is_reported() {
    let with = shipped();
    // The shipped control with the arms simply switched off (not re-optimised): reported, whatever happens.
    let switched_off = run(&|t| {
        t.replacen(
            "[controller.sprint]\n",
            "[controller.sprint]\narm_excitation = 0.0\n",
            1,
        )
    });
    println!(
        "shipped control, arms switched off: balance lost {}",
        switched_off.summary["measures"]["balance_lost"]
    );
    // The control re-optimised without arm excitation (scenarios/sprint_arms_off.toml → sprint_no_arms.toml).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let without = run_file(&root.join("scenarios/sprint_no_arms.toml"), &|t| t);
    assert!(
        without.summary["measures"]["balance_lost"].is_null(),
        "arms off, re-optimised: balance lost {}",
        without.summary["measures"]["balance_lost"]
    );
    let complete = without
        .steps
        .iter()
        .filter(|s| s.get("step_frequency").is_finite())
        .count();
    assert!(complete >= 12, "arms off: {complete} complete steps");
    let text = std::fs::read_to_string(root.join("scenarios/sprint_no_arms.toml")).unwrap();
    assert!(
        text.contains("arm_excitation = 0.0"),
        "sprint_no_arms.toml has its arms off"
    );
    println!("steady-step means          arms on    arms off (re-optimised)   change");
    for col in [
        "propulsive_impulse",
        "net_horizontal_impulse",
        "mean_vertical_grf_bw",
        "peak_vertical_grf_bw",
        "trunk_yaw_range",
        "trunk_angle_range",
        "speed",
        "contact_time",
        "step_frequency",
    ] {
        let a = mean(with.steady().iter().map(|s| s.get(col)));
        let b = mean(without.steady().iter().map(|s| s.get(col)));
        println!("{col:26} {a:9.4} {b:10.4} {:+8.1} %", 100.0 * (b - a) / a.abs());
    }
}
