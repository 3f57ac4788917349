//! The commands behind the CLI, as library functions (so tests and other tools can call them).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::export::{write_table, Manifest, RunFolder};
use crate::scenario::{self, Loaded};

/// The built-in quickstart scenario (`cargo run --release` with no arguments).
pub const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");

/// A fresh run-folder path under `results/`: `<stem>-<UTC time>-<scenario hash prefix>`.
pub fn default_out(loaded: &Loaded) -> PathBuf {
    let stem = loaded
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let t: String = crate::export::utc_now()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let base = format!("{stem}-{t}-{}", &loaded.sha256[..8]);
    let mut p = Path::new("results").join(&base);
    let mut k = 2;
    while p.exists() {
        p = Path::new("results").join(format!("{base}-{k}"));
        k += 1;
    }
    p
}

/// The resolved scenario for the run folder: defaults filled in, the model copied beside it as `model.json`.
pub fn resolved_scenario_toml(loaded: &Loaded) -> Result<String, Error> {
    let mut s = loaded.scenario.clone();
    s.model.file = Some(PathBuf::from("model.json"));
    s.model.builtin = None;
    // A warm start's values are already in the resolved numbers; its path would not resolve from the run folder.
    let start = s.optimize.start.take();
    let body = toml::to_string(&s).map_err(|e| Error::Model {
        model: loaded.model.name.clone(),
        msg: e.to_string(),
    })?;
    Ok(format!(
        "# Resolved scenario (defaults filled in) from {}\n# sha256 of the original: {}\n{}{body}",
        loaded.path.display(),
        loaded.sha256,
        start.map_or(String::new(), |p| format!(
            "# warm-started from (optimize.start): {p}\n"
        ))
    ))
}

/// Prints a few lines about a finished run folder: steps, speed, vertical GRF, balance (best effort: a run
/// folder without stride metrics prints less).
pub fn print_run_summary(dir: &Path) {
    let Ok(text) = std::fs::read_to_string(dir.join("summary.json")) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let m = &v["measures"];
    let steps = m["stances"].as_array().map_or(0, |a| a.len());
    let balance = match m["balance_lost"].get("reason") {
        Some(r) => format!("balance lost at {:.3} s ({})", m["balance_lost"]["t"], r["kind"]),
        None => "balance held".to_string(),
    };
    println!(
        "  {steps} stances over {:.2} s, mean forward speed {:.2} m/s, {balance}",
        m["survived"].as_f64().unwrap_or(f64::NAN),
        m["mean_speed"].as_f64().unwrap_or(f64::NAN)
    );
    let s = &m["steady_step_means"];
    if let Some(ct) = s["contact_time"].as_f64() {
        println!(
            "  steady steps: contact {:.3} s, flight {:.3} s, {:.2} Hz × {:.2} m, vertical GRF mean {:.2} / peak {:.2} BW",
            ct,
            s["flight_time"].as_f64().unwrap_or(f64::NAN),
            s["step_frequency"].as_f64().unwrap_or(f64::NAN),
            s["step_length"].as_f64().unwrap_or(f64::NAN),
            s["mean_vertical_grf_bw"].as_f64().unwrap_or(f64::NAN),
            s["peak_vertical_grf_bw"].as_f64().unwrap_or(f64::NAN)
        );
    }
}

/// `sprintlab simulate`: one rollout, written as a run folder. Returns the folder.
pub fn simulate(loaded: &Loaded, out: Option<&Path>) -> Result<PathBuf, Error> {
    let out = out.map(Path::to_path_buf).unwrap_or_else(|| default_out(loaded));
    let folder = RunFolder::create(&out)?;
    let mut manifest = Manifest::start(&loaded.path.to_string_lossy(), &loaded.sha256, loaded.scenario.run.seed);
    write_rollout_files(
        loaded,
        &|name, bytes| folder.write(name, bytes),
        &folder.path("timeseries.csv"),
    )?;
    manifest.finish();
    folder.write("manifest.json", crate::export::pretty_json(&manifest).as_bytes())?;
    folder.commit()
}

/// Writes a rollout's files (timeseries, summary with measures and cost, resolved scenario, model) into an
/// existing folder, each file atomically (used by `optimize` for the best solution).
pub fn write_rollout(loaded: &Loaded, dir: &Path) -> Result<(), Error> {
    let write = |name: &str, bytes: &[u8]| crate::export::write_atomic(&dir.join(name), bytes);
    let tmp = dir.join(".timeseries.csv.tmp");
    write_rollout_files(loaded, &write, &tmp)?;
    std::fs::rename(&tmp, dir.join("timeseries.csv")).map_err(|e| Error::io(dir.join("timeseries.csv"), e))
}

/// Writes one named file of a run folder.
type WriteFile<'a> = dyn Fn(&str, &[u8]) -> Result<(), Error> + 'a;

fn write_rollout_files(loaded: &Loaded, write: &WriteFile, timeseries: &Path) -> Result<(), Error> {
    let run = &loaded.scenario.run;
    let every = run
        .sample_every
        .map_or(1, |s| (s / loaded.scenario.world.dt).round().max(1.0) as u64);
    let (traj, summary, evaluation) = crate::measure::rollout(loaded, every);
    write_table(timeseries, &traj.columns, &traj.rows)?;
    let (cols, rows) = crate::measure::steps::table(&evaluation.steps);
    let mut csv = cols.join(",") + "\n";
    for r in rows {
        csv.push_str(&r.join(","));
        csv.push('\n');
    }
    write("steps.csv", csv.as_bytes())?;
    let summary = serde_json::json!({ "run": summary, "measures": evaluation });
    write("summary.json", crate::export::pretty_json(&summary).as_bytes())?;
    write("scenario.toml", resolved_scenario_toml(loaded)?.as_bytes())?;
    write("model.json", crate::export::pretty_json(&loaded.model_file).as_bytes())
}

/// `sprintlab check`: loads and validates each file; returns the errors (empty = all valid).
pub fn check(files: &[PathBuf]) -> Vec<Error> {
    files.iter().filter_map(|f| scenario::load(f).err()).collect()
}

/// `sprintlab schema`: the JSON Schema of scenario files (draft 7, for editors and taplo).
pub fn schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<scenario::Scenario>();
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}
