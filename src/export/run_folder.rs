//! The one run-folder writer. A run folder is written into a hidden staging folder and renamed into place, so
//! it appears whole or not at all; an optimisation's best rollout is rewritten file by file, each atomically.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::io::{pretty_json, write_atomic, Manifest};
use crate::measure::{rollout, Evaluation};
use crate::scenario::Loaded;
use crate::sim::rollout::RunSummary;

/// A fresh run-folder path under `results/`: `<stem>-<UTC time>-<scenario hash prefix>`.
pub fn default_out(loaded: &Loaded) -> PathBuf {
    let stem = loaded
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let t: String = crate::io::utc_now()
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
    // The generated body (with its toe segments, if any) is model.json: the toe switch builds the default athlete
    // only and has done its work. A model file's generators are rigid unless the file says otherwise, so only the
    // mechanisms that are on are written (a rigid run's file reads as before issue 16 made them the default).
    s.athlete.toe = None;
    for on in [&mut s.strength.series_elastic, &mut s.strength.two_joint] {
        if *on == Some(false) {
            *on = None;
        }
    }
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

/// A run folder being written. Dropped without [`RunFolder::commit`], it removes its staging folder.
pub struct RunFolder {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl RunFolder {
    /// Starts a run folder at `target`, which must not exist yet.
    pub fn create(target: &Path) -> Result<Self, Error> {
        if target.exists() {
            return Err(Error::io(
                target,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "output folder exists; choose another --out",
                ),
            ));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(Self {
            staging,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Path of a file inside the (staging) folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Writes a whole file into the folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let p = self.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    }

    /// Moves the finished folder into place.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        std::fs::rename(&self.staging, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Output sampling of a scenario in rollout steps (`run.sample_every` in seconds, at least every step).
pub fn sample_steps(loaded: &Loaded) -> u64 {
    loaded.sample_steps()
}

/// Writes one named file of a run folder.
type WriteFile<'a> = dyn Fn(&str, &[u8]) -> Result<(), Error> + 'a;

/// Rolls the scenario out and writes the rollout's files (`timeseries.csv`, `steps.csv`, `summary.json` with the
/// measures, the resolved `scenario.toml`, `model.json`) through `write`; `timeseries` is the path the time series
/// is streamed to. Returns the rollout's summary and measures.
fn write_rollout_files(
    loaded: &Loaded,
    write: &WriteFile,
    timeseries: &Path,
) -> Result<(RunSummary, Evaluation), Error> {
    let (traj, summary, evaluation) = rollout(loaded, sample_steps(loaded));
    super::tables::write_table(timeseries, &traj.columns, &traj.rows)?;
    write("steps.csv", &super::tables::steps_csv(&evaluation.steps)?)?;
    let json = serde_json::json!({ "run": summary, "measures": evaluation });
    write("summary.json", pretty_json(&json)?.as_bytes())?;
    write("scenario.toml", resolved_scenario_toml(loaded)?.as_bytes())?;
    write("model.json", pretty_json(&loaded.model_file)?.as_bytes())?;
    Ok((summary, evaluation))
}

/// `sprintlab simulate`: one rollout written as a new run folder at `out` (which must not exist), with its
/// manifest. Returns the folder, the run summary and the measures.
pub fn simulate(loaded: &Loaded, out: &Path) -> Result<(PathBuf, RunSummary, Evaluation), Error> {
    let folder = RunFolder::create(out)?;
    let mut manifest = Manifest::start(&loaded.path.to_string_lossy(), &loaded.sha256, loaded.scenario.run.seed);
    let (summary, evaluation) = write_rollout_files(
        loaded,
        &|name, bytes| folder.write(name, bytes),
        &folder.path("timeseries.csv"),
    )?;
    manifest.finish();
    folder.write("manifest.json", pretty_json(&manifest)?.as_bytes())?;
    Ok((folder.commit()?, summary, evaluation))
}

/// Writes a rollout's files into an existing folder, each file atomically (an optimisation's best solution,
/// rewritten while the run goes on). The manifest is the caller's.
pub fn write_rollout_into(loaded: &Loaded, dir: &Path) -> Result<(), Error> {
    let write = |name: &str, bytes: &[u8]| write_atomic(&dir.join(name), bytes);
    let tmp = dir.join(".timeseries.csv.tmp");
    write_rollout_files(loaded, &write, &tmp)?;
    std::fs::rename(&tmp, dir.join("timeseries.csv")).map_err(|e| Error::io(dir.join("timeseries.csv"), e))
}
