//! Provenance of every output folder.

use serde::{Deserialize, Serialize};

/// `manifest.json`: what produced a run folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// sprintlab version.
    pub sprintlab_version: String,
    /// Git revision of the build (`-dirty` if the tree had changes).
    pub git_hash: String,
    /// rapier3d-f64 version.
    pub rapier_version: String,
    /// The command line.
    pub command: Vec<String>,
    /// The scenario file as given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (rayon pool size).
    pub threads: usize,
    /// Host name.
    pub host: String,
    /// Slurm job id, array job id and array task id, when run under Slurm.
    pub slurm: Option<SlurmIds>,
    /// Start time (UTC, RFC 3339).
    pub started_utc: String,
    /// End time (UTC, RFC 3339).
    pub finished_utc: String,
}

/// Slurm identifiers from the environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlurmIds {
    /// `SLURM_JOB_ID`.
    pub job_id: Option<String>,
    /// `SLURM_ARRAY_JOB_ID`.
    pub array_job_id: Option<String>,
    /// `SLURM_ARRAY_TASK_ID`.
    pub array_task_id: Option<String>,
}

impl Manifest {
    /// A manifest for the current process; `finished_utc` is filled by [`Manifest::finish`].
    pub fn start(scenario_path: &str, scenario_sha256: &str, seed: u64) -> Self {
        let env = |k: &str| std::env::var(k).ok();
        let slurm = env("SLURM_JOB_ID").map(|job| SlurmIds {
            job_id: Some(job),
            array_job_id: env("SLURM_ARRAY_JOB_ID"),
            array_task_id: env("SLURM_ARRAY_TASK_ID"),
        });
        Self {
            sprintlab_version: env!("CARGO_PKG_VERSION").into(),
            git_hash: env!("SPRINTLAB_GIT").into(),
            rapier_version: env!("SPRINTLAB_RAPIER").into(),
            command: std::env::args().collect(),
            scenario_path: scenario_path.into(),
            scenario_sha256: scenario_sha256.into(),
            seed,
            threads: rayon::current_num_threads(),
            host: host_name(),
            slurm,
            started_utc: utc_now(),
            finished_utc: String::new(),
        }
    }

    /// Stamps the end time.
    pub fn finish(&mut self) {
        self.finished_utc = utc_now();
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Current UTC time as RFC 3339 (`2026-11-25T19:44:48Z`).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
