//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use sprintlab::control::ConstantTorque;
use sprintlab::model::file::ModelFile;
use sprintlab::model::generators::GeneratorTable;
use sprintlab::model::{ContactParams, Model, Strengths};
use sprintlab::sim::{ActivationDynamics, Simulator, WorldSettings};

/// The peer body, as shipped in the project.
pub fn sprinter12_file() -> ModelFile {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/shared/peers/sprinter12_spec.json"
    ))
    .expect("spec");
    serde_json::from_str(&text).expect("spec parses")
}

pub fn sprinter12() -> Arc<Model> {
    Arc::new(
        Model::compile(
            &sprinter12_file(),
            &Strengths::default(),
            &GeneratorTable::priors(),
            ContactParams::default(),
        )
        .expect("compiles"),
    )
}

/// The zero-g verification set-up at a given dt.
pub fn zero_g(dt: f64) -> (Simulator, ConstantTorque) {
    let model = sprinter12();
    let mut torques = vec![0.0; model.dofs.len()];
    for (name, t) in [
        ("hip_flex_r", 20.0),
        ("hip_flex_l", -20.0),
        ("shoulder_flex_r", -5.0),
        ("lumbar_rot", 3.0),
    ] {
        torques[model.dof_index(name).unwrap()] = t;
    }
    let sim = Simulator::new(
        model,
        WorldSettings {
            gravity: [0.0; 3],
            ground: false,
            dt,
            substeps: 1,
        },
        ActivationDynamics::default(),
    );
    (sim, ConstantTorque { torques })
}

/// The peer reference trajectory: rows of (t, values by column name).
pub fn reference() -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/shared/peers/zero_g_reference.csv"
    ))
    .expect("reference");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|x| x.parse::<f64>().unwrap()).collect())
        .collect();
    (header, rows)
}

/// The shipped sprinter (`scenarios/sprint.toml`) cut to `duration` seconds with two controller parameters made
/// free (`push_hip_amp`, `leg_thrust`) and a tiny CMA-ES budget (8 rollouts of 4): the scenario text of the
/// studies' end-to-end tests.
pub fn tiny_sprint_study(duration: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/sprint.toml")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let l = if line.starts_with("push_hip_amp = ") {
            "push_hip_amp = { init = 0.5, min = 0.0, max = 1.0, std = 0.2 }".to_string()
        } else if line.starts_with("leg_thrust = ") {
            "leg_thrust = { init = 0.15, min = 0.0, max = 0.2, std = 0.03 }".to_string()
        } else if line.starts_with("duration = ") {
            format!("duration = {duration}")
        } else {
            line.to_string()
        };
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str("\n[optimize]\nmax_evals = 8\npopulation = 4\n");
    out
}

/// Runs the `sprintlab` binary `bin` with `args`; panics unless it fails. Returns stderr (the error message).
pub fn run_err(bin: &str, args: &[&str]) -> String {
    let o = std::process::Command::new(bin).args(args).output().unwrap();
    assert!(
        !o.status.success(),
        "{args:?} succeeded: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the `sprintlab` binary `bin` with `args`; panics with its stderr unless it succeeds. Returns stdout.
pub fn run_ok(bin: &str, args: &[&str]) -> String {
    let o = std::process::Command::new(bin).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Pixel width of a PNG file (a single-column figure is 1004 px at 300 dpi, a double-column one 2067 px).
pub fn png_width(path: &std::path::Path) -> u32 {
    let dec = png::Decoder::new(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    dec.read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .info()
        .width
}

/// Kills (SIGKILL) an optimisation child once its `history.csv` in `dir` has at least `lines` lines (header
/// included) or `timeout` has passed: a `kill -9` in the middle of a run, between or during its writes.
pub fn kill_once_history_has(
    child: &mut std::process::Child,
    dir: &std::path::Path,
    lines: usize,
    timeout: std::time::Duration,
) {
    let t0 = std::time::Instant::now();
    loop {
        let h = std::fs::read_to_string(dir.join("history.csv")).unwrap_or_default();
        if h.lines().count() >= lines || t0.elapsed() > timeout {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `scenarios/stance_push.toml` with its `[optimize]` table replaced by `optimize`, written to `dir/name`.
pub fn stance_push_task(dir: &std::path::Path, name: &str, optimize: &str) -> std::path::PathBuf {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml");
    let text = std::fs::read_to_string(src).unwrap();
    let start = text.find("[optimize]").unwrap();
    let end = start + text[start..].find("\n[run]").unwrap();
    let p = dir.join(name);
    std::fs::write(&p, format!("{}{optimize}\n{}", &text[..start], &text[end..])).unwrap();
    p
}

/// Runs `sprintlab optimize TASK --out OUT EXTRA…` (binary `bin`); panics with its stderr unless it succeeds.
pub fn optimize_ok(bin: &str, task: &std::path::Path, out: &std::path::Path, extra: &[&str]) {
    let (task, out) = (task.to_str().unwrap(), out.to_str().unwrap());
    let args: Vec<&str> = ["optimize", task, "--out", out]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    run_ok(bin, &args);
}

/// A file's text; panics naming the file.
pub fn read(p: std::path::PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Starts `sprintlab optimize TASK --out OUT EXTRA…` (binary `bin`, stderr discarded), to be killed.
pub fn spawn_optimize(bin: &str, task: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> std::process::Child {
    std::process::Command::new(bin)
        .arg("optimize")
        .arg(task)
        .arg("--out")
        .arg(out)
        .args(extra)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}
