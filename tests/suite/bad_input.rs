//! Bad input: every file in `tests/bad_scenarios/` is a mostly valid scenario with one defect. `check` and
//! `simulate` must reject each one with `file:line:column`, the dotted path of the field and what is allowed,
//! exit non-zero without panicking, and leave no output (no run folder, no staging folder).
//!
//! The `*.json` files there are model files that some of the scenarios point at (`[model] file = …`); their
//! errors are located in the model file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

/// The bad files, relative to the crate root (the tests run the binary from there).
const DIR: &str = "tests/bad_scenarios";

/// The minimal valid scenario that the bad files are variations of.
const MINIMAL: &str = r#"[model]
builtin = "sprinter12"
[world]
dt = 0.001
[controller]
kind = "hold-posture"
[run]
duration = 0.1
"#;

/// The verification scenario exactly as the spec gives it. Its model path is relative to
/// `data/verification/zero_g.toml`: the project's own copy, `data/shared/peers/sprinter12_spec.json`.
const ZERO_G: &str = r#"[model]
file = "../shared/peers/sprinter12_spec.json"   # relative to the scenario file
[world]
gravity = [0.0, 0.0, 0.0]
ground = false
dt = 0.001
[controller]
kind = "constant-torque"
torques = { hip_flex_r = 20.0, hip_flex_l = -20.0, shoulder_flex_r = -5.0, lumbar_rot = 3.0 }
[run]
duration = 0.5
sample_every = 0.01
"#;

/// One bad scenario and the error it must produce.
struct Case {
    /// The scenario file in [`DIR`].
    file: &'static str,
    /// The file in [`DIR`] the error points into: the scenario itself, or its model file.
    located_in: &'static str,
    /// 1-based line and column of the offending value, key or table.
    line: usize,
    column: usize,
    /// Dotted path of the offending field (`(syntax)`/`(file)` for the whole file).
    path: &'static str,
    /// A fragment of the message saying what is wrong or allowed.
    says: &'static str,
}

const fn case(file: &'static str, line: usize, column: usize, path: &'static str, says: &'static str) -> Case {
    Case {
        file,
        located_in: file,
        line,
        column,
        path,
        says,
    }
}

/// Every bad file; `file:line:column` is where the error must point (worked out by hand from the files).
#[rustfmt::skip]
const CASES: &[Case] = &[
    // TOML syntax.
    case("syntax_unclosed_bracket.toml", 3, 7, "(syntax)", "unclosed table, expected `]`"),
    case("syntax_missing_equals.toml", 4, 4, "(syntax)", "key with no value, expected `=`"),
    case("syntax_duplicate_key.toml", 5, 1, "world.dt", "duplicate key `world.dt`: each key may appear only once"),
    case("nul_byte_in_comment.toml", 3, 10, "(syntax)", "expected printable characters"),
    // Unknown tables and keys.
    case("unknown_table.toml", 5, 2, "solver", "expected one of `model`, `athlete`, `world`"),
    case("unknown_key_athlete.toml", 4, 1, "athlete.heigth_m", "expected one of `height_m`, `mass_kg`"),
    case("unknown_key_world.toml", 5, 1, "world.timestep", "expected one of `gravity`, `ground`, `dt`, `substeps`"),
    // Wrong types.
    case("wrong_type_dt_string.toml", 4, 6, "world.dt", "expected a number in (0, 0.01] s; got the string \"0.001\""),
    case("mass_with_unit_string.toml", 5, 11, "athlete.mass_kg", "expected a number in [30, 200] kg; got the string \"75 kg\""),
    case("initial_angle_with_unit_string.toml", 6, 35, "initial.angles.knee_l", "expected a number in [-3.141592653589793, 3.141592653589793] rad; got the string \"0.4 rad\""),
    case("wrong_type_ground_array.toml", 5, 10, "world.ground", "expected true or false; got an array"),
    case("wrong_type_substeps_float.toml", 5, 12, "world.substeps", "expected an integer in [1, 16]; got the number 1.5"),
    case("gravity_two_components.toml", 4, 11, "world.gravity", "invalid length 2, expected an array of length 3"),
    case("seed_negative.toml", 9, 8, "run.seed", "expected an integer ≥ 0; got the integer -1"),
    // Values out of their physical range (NaN and infinities included).
    case("mass_zero.toml", 5, 11, "athlete.mass_kg", "must be a number in [30, 200] kg; got 0"),
    case("mass_negative.toml", 5, 11, "athlete.mass_kg", "must be a number in [30, 200] kg; got -75"),
    case("dt_zero.toml", 4, 6, "world.dt", "must be a number in (0, 0.01] s; got 0"),
    case("dt_too_large.toml", 4, 6, "world.dt", "must be a number in (0, 0.01] s; got 0.02"),
    case("dt_nan.toml", 4, 6, "world.dt", "must be a number in (0, 0.01] s; got NaN"),
    case("gravity_inf.toml", 4, 22, "world.gravity[2]", "in [-100, 100] m/s² per component; got -inf"),
    case("drop_height_too_high.toml", 6, 15, "initial.drop_height", "must be a number in [0, 2] m; got 2.5"),
    case("initial_angle_out_of_range.toml", 6, 35, "initial.angles.knee_l", "must be a number in [-3.14159"),
    case("strength_push_negative.toml", 6, 8, "strength.push", "must be a number in [0, 10]; got -1"),
    case("strength_velocity_zero.toml", 3, 12, "strength.velocity", "must be a number in [0.1, 10]; got 0"),
    case("strength_unknown_group.toml", 6, 40, "strength.groups.hamstrings", "muscle group; allowed: ankle_df,"),
    // Series-elastic and two-joint settings (issue 16).
    case("tendon_stretch_zero.toml", 6, 11, "strength.units.ankle_pf.stretch", "must be a number in [0.001, 2] rad; got 0"),
    case("two_joint_ratio_on_single_joint_group.toml", 4, 9, "strength.units.knee_ext.ratio", "allowed only for gastrocnemius, hamstrings, rectus_femoris"),
    case("two_joint_share_too_large.toml", 6, 9, "strength.units.hamstrings.share", "must be a number in [0, 0.95]; got 0.99"),
    case("two_joint_reference_out_of_range.toml", 6, 13, "strength.units.hamstrings.reference", "must be a number in [-1.6, 2.6] rad; got 3.5"),
    case("two_joint_shares_exceed_knee_flexors.toml", 3, 24, "strength.units.hamstrings", "take 5.062 N·m/kg out of `knee_flex`, which has 2"),
    case("initial_rates_unknown_dof.toml", 5, 39, "initial.rates.knee_x", "unknown DOF `knee_x`; the model's DOFs are"),
    case("initial_rate_too_fast.toml", 4, 20, "initial.rates.knee_l", "must be a number in [-50, 50]; got 80"),
    case("duration_negative.toml", 8, 12, "run.duration", "must be a number in (0, 3600] s; got -0.5"),
    case("sample_every_not_multiple.toml", 9, 16, "run.sample_every", "a multiple of world.dt = 0.001 s; got 0.0015"),
    // The model: missing, malformed or impossible model files; `file` and `builtin` together.
    case("model_file_missing.toml", 2, 8, "model.file", "or builtin = \"default-athlete\" | \"sprinter12\""),
    case("model_file_and_builtin.toml", 3, 11, "model.builtin", "give either `file` or `builtin`, not both"),
    Case {
        located_in: "broken_model.json",
        ..case("model_file_malformed.toml", 6, 7, "segments[0]", "expected `,` or `}`")
    },
    Case {
        located_in: "wrong_type_model.json",
        ..case("model_file_wrong_type.toml", 8, 23, "segments[0].mass", "string \"11.2 kg\", expected f64")
    },
    Case {
        located_in: "truncated_model.json",
        ..case("model_file_truncated.toml", 8, 1, "segments[0]", "EOF while parsing a value")
    },
    case("model_file_negative_mass.toml", 2, 8, "model.file", "segment `pelvis`: mass and inertia must be > 0"),
    // The controller.
    case("controller_unknown_kind.toml", 6, 8, "controller.kind", "expected one of `constant-torque`, `hold-posture`, `bursts`"),
    case("controller_missing_kind.toml", 5, 1, "controller.kind", "missing field `kind`"),
    case("torques_unknown_dof.toml", 7, 42, "controller.torques.knee_rr", "the model's DOFs are: hip_flex_r,"),
    case("hold_posture_with_torques.toml", 7, 11, "controller.torques", "not used by kind = \"hold-posture\""),
    case("sprint_amplitude_above_one.toml", 5, 16, "controller.sprint.push_hip_amp", "must be an excitation in [0, 1]; got 1.5"),
    case("sprint_negative_gain.toml", 4, 12, "controller.sprint.trunk_kp", "must be a number in [0, 1e6]; got -20"),
    case("sprint_unknown_parameter.toml", 5, 1, "controller.sprint.leg_kk", "unknown field `leg_kk`, expected one of `leg_k`"),
    // Optimisation: warm start and step size.
    case("optimize_start_missing.toml", 6, 9, "optimize.start", "cannot read the start file"),
    Case {
        located_in: "start_out_of_range.params.toml",
        ..case("optimize_start_out_of_range.toml", 3, 9, "controller.sprint.leg_k", "start value 1200 lies outside this scenario's range [100, 900]")
    },
    case("optimize_sigma0_zero.toml", 6, 10, "optimize.sigma0", "must be a number in (0, 10]; got 0"),
    // Missing tables, empty files, binary garbage.
    case("missing_run.toml", 1, 1, "run", "missing field `run`"),
    case("best_toml_given_as_scenario.toml", 1, 1, "(file)", "not a scenario; replay it with `sprintlab simulate SCENARIO --params tests/bad_scenarios/best_toml_given_as_scenario.toml`"),
    case("empty.toml", 1, 1, "(file)", "at least [controller] (kind) and [run] (duration) are required"),
    case("only_comments.toml", 1, 1, "controller", "missing field `controller`"),
    case("garbage.toml", 1, 1, "(file)", "not UTF-8 text: a scenario is a TOML file"),
    case("truncated_binary.toml", 6, 14, "(file)", "not UTF-8 text: a scenario is a TOML file"),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root.
fn sprintlab<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(BIN)
        .args(args)
        .current_dir(root())
        .output()
        .expect("the sprintlab binary runs")
}

impl Case {
    /// The scenario path as passed on the command line.
    fn scenario(&self) -> PathBuf {
        Path::new(DIR).join(self.file)
    }

    /// What stderr must contain: `file:line:column: `path`: `.
    fn located(&self) -> String {
        let file = Path::new(DIR).join(self.located_in);
        format!("{}:{}:{}: `{}`: ", file.display(), self.line, self.column, self.path)
    }

    /// Everything wrong with how a command rejected this case (empty = rejected as it should be).
    fn problems(&self, command: &str, o: &Output) -> Vec<String> {
        let stderr = String::from_utf8_lossy(&o.stderr);
        let stdout = String::from_utf8_lossy(&o.stdout);
        let mut p = Vec::new();
        if matches!(o.status.code(), None | Some(0)) {
            p.push(format!("exit status {} (want a non-zero exit code)", o.status));
        }
        if stderr.contains("panicked") {
            p.push("panicked".into());
        }
        if !stderr.contains(&self.located()) {
            p.push(format!("no `{}`", self.located()));
        }
        if !stderr.contains(self.says) {
            p.push(format!("no `{}`", self.says));
        }
        // `check` ends with its count; nothing else may reach stdout.
        let want = if command == "check" { "0 of 1 file valid\n" } else { "" };
        if stdout != want {
            p.push(format!("stdout is {stdout:?}, want {want:?}"));
        }
        p.into_iter()
            .map(|x| format!("{command} {}: {x}\n    stderr: {}", self.file, stderr.trim_end()))
            .collect()
    }
}

/// Fails with every problem at once, so one run shows all the files that are wrong.
fn assert_no_problems(problems: &[String]) {
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The scenario files in [`DIR`] (every file that is not a `.json` model file).
fn bad_files_on_disk() -> BTreeSet<String> {
    std::fs::read_dir(root().join(DIR))
        .expect("tests/bad_scenarios exists")
        .map(|e| e.expect("readable entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json") && !n.ends_with(".params.toml"))
        .collect()
}

#[test]
fn every_bad_file_has_an_expectation_and_there_are_enough() {
    let listed: BTreeSet<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    assert_eq!(listed.len(), CASES.len(), "a file is listed twice in CASES");
    assert_eq!(
        bad_files_on_disk(),
        listed,
        "every file in {DIR} needs a CASES entry, and every entry a file"
    );
    assert!(CASES.len() >= 15, "only {} bad scenario files", CASES.len());
    for c in CASES {
        assert!(
            root().join(DIR).join(c.located_in).is_file(),
            "{} missing",
            c.located_in
        );
    }
    let garbage = std::fs::read(root().join(DIR).join("garbage.toml")).unwrap();
    assert!(std::str::from_utf8(&garbage).is_err(), "garbage.toml must not be UTF-8");
}

#[test]
fn check_rejects_every_bad_file_with_its_location() {
    let problems: Vec<String> = CASES
        .iter()
        .flat_map(|c| c.problems("check", &sprintlab([Path::new("check"), &c.scenario()])))
        .collect();
    assert_no_problems(&problems);
}

#[test]
fn check_of_all_bad_files_at_once_reports_each() {
    let o = sprintlab(std::iter::once(PathBuf::from("check")).chain(CASES.iter().map(Case::scenario)));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), CASES.len(), "one error per file:\n{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("0 of {} files valid\n", CASES.len())
    );
    for c in CASES {
        assert!(stderr.contains(&c.located()), "no `{}` in\n{stderr}", c.located());
    }
}

#[test]
fn simulate_rejects_every_bad_file_and_writes_nothing() {
    let mut problems = Vec::new();
    for c in CASES {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let o = sprintlab([Path::new("simulate"), &c.scenario(), Path::new("--out"), &out]);
        problems.extend(c.problems("simulate", &o));
        if out.exists() {
            problems.push(format!("simulate {}: wrote {}", c.file, out.display()));
        }
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        if !left.is_empty() {
            problems.push(format!("simulate {}: left {left:?} behind", c.file));
        }
    }
    assert_no_problems(&problems);
}

#[test]
fn a_missing_scenario_file_is_rejected_without_output() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = Path::new(DIR).join("no_such_scenario.toml");
    let out = tmp.path().join("run");
    for o in [
        sprintlab([Path::new("check"), &missing]),
        sprintlab([Path::new("simulate"), &missing, Path::new("--out"), &out]),
    ] {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains(&format!("{}:", missing.display())), "{stderr}");
        assert!(stderr.contains("cannot read the scenario file"), "{stderr}");
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// The control: the scenario the bad files are variations of is valid, and `simulate` does write a run folder
/// (so the "writes nothing" assertions above can fail).
#[test]
fn the_minimal_scenario_passes_check_and_simulates() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("minimal.toml");
    std::fs::write(&scenario, MINIMAL).unwrap();
    let o = sprintlab([Path::new("check"), &scenario]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = tmp.path().join("run");
    let o = sprintlab([Path::new("simulate"), &scenario, Path::new("--out"), &out]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("timeseries.csv").is_file());
}

#[test]
fn the_verification_scenario_as_written_passes_check() {
    let path = Path::new("data/verification/zero_g.toml");
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    assert_eq!(
        text, ZERO_G,
        "data/verification/zero_g.toml differs from the spec's text"
    );
    let o = sprintlab([Path::new("check"), path]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "ok data/verification/zero_g.toml\n1 of 1 file valid\n"
    );
}

/// `check` on good and bad files together: `ok` for each good one, the error for each bad one, the count at the
/// end, and failure.
#[test]
fn check_says_ok_per_good_file_and_counts_them() {
    let good = Path::new("data/verification/zero_g.toml");
    let bad = Path::new(DIR).join("dt_zero.toml");
    let o = sprintlab([Path::new("check"), good, &bad, good]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "ok data/verification/zero_g.toml\nok data/verification/zero_g.toml\n2 of 3 files valid\n"
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("dt_zero.toml:4:6: `world.dt`: must be a number in (0, 0.01] s; got 0"),
        "{stderr}"
    );
}
