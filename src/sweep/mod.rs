//! Sweeps at scale: plans of points from a scenario's `[sweep]` section, shards that run resumably in parallel,
//! the merge into one tidy table, and Slurm job arrays (DESIGN §7).
//!
//! A sweep is a pure function of (scenario, point index, master seed): [`plan::Plan::point`] gives a point's
//! values and seed; shard `k` of `n` runs the points `i ≡ k (mod n)` ([`run::run_shard`]); [`merge::merge`]
//! combines the shard files into `sweep.csv`, byte-identical whatever the shard layout, thread count or
//! resumptions.

pub mod merge;
pub mod plan;
pub mod run;
pub mod slurm;

pub use crate::scenario::{SweepDesign, SweepScale, SweepSection, SweepTask, SweepVary};

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::scenario;
use plan::usage;

/// Arguments of `sprintlab sweep`.
#[derive(Debug, Clone, Default)]
pub struct SweepArgs {
    /// Scenario file with a `[sweep]` section.
    pub scenario: PathBuf,
    /// Print the plan instead of running it.
    pub plan: bool,
    /// Output folder (required to run).
    pub out: Option<PathBuf>,
    /// Shard index K; default `SLURM_ARRAY_TASK_ID` when `shards` is given.
    pub shard: Option<u64>,
    /// Number of shards N; default 1 outside a Slurm array.
    pub shards: Option<u64>,
    /// Worker threads (default: `RAYON_NUM_THREADS` or all cores).
    pub threads: Option<usize>,
}

/// Resolves (K, N): N is explicit (1 when neither is given outside a Slurm array); K from `--shard`, else from
/// `SLURM_ARRAY_TASK_ID`.
pub fn resolve_shard(shard: Option<u64>, shards: Option<u64>, slurm_task: Option<&str>) -> Result<(u64, u64), Error> {
    let n = match (shards, shard, slurm_task) {
        (Some(n), _, _) => n,
        (None, Some(_), _) => {
            return Err(usage(
                "--shard",
                "needs --shards N (the number of shards is always explicit)",
            ))
        }
        (None, None, Some(t)) => {
            return Err(usage(
                "--shards",
                format!(
                    "inside a Slurm job array (SLURM_ARRAY_TASK_ID={t}) give --shards N explicitly (the array's \
                     task count changes when tasks are resubmitted)"
                ),
            ))
        }
        (None, None, None) => return Ok((0, 1)),
    };
    if n == 0 {
        return Err(usage("--shards", "must be ≥ 1; got 0"));
    }
    let k = match (shard, slurm_task) {
        (Some(k), _) => k,
        (None, Some(t)) => t.trim().parse::<u64>().map_err(|_| {
            usage(
                "SLURM_ARRAY_TASK_ID",
                format!("`{t}` is not a shard index; give --shard K"),
            )
        })?,
        (None, None) => {
            return Err(usage(
                "--shard",
                "give --shard K (0 ≤ K < N), or run inside a Slurm job array (which sets SLURM_ARRAY_TASK_ID)",
            ))
        }
    };
    if k >= n {
        return Err(usage("--shard", format!("must be < --shards = {n}; got {k}")));
    }
    Ok((k, n))
}

/// Runs `f` on a rayon pool of `threads` workers, or on the global pool (all cores / `RAYON_NUM_THREADS`).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
    match threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| usage("--threads", e.to_string()))?
            .install(f),
        None => f(),
    }
}

/// `sprintlab sweep`.
pub fn sweep_command(a: &SweepArgs) -> Result<(), Error> {
    let loaded = scenario::load(&a.scenario)?;
    let plan = plan::plan(&loaded)?;
    if a.plan {
        let (k, n) = match (a.shard, a.shards) {
            (None, None) => (0, 1),
            (k, n) => resolve_shard(k, n, None)?,
        };
        eprintln!("{}: {}", a.scenario.display(), plan.describe());
        let stdout = std::io::stdout();
        plan.write_table(plan.shard(k, n), "(stdout)", std::io::BufWriter::new(stdout.lock()))?;
        return Ok(());
    }
    let out = a.out.clone().ok_or_else(|| {
        usage(
            "--out",
            "give the sweep's output folder (or --plan to print the points)",
        )
    })?;
    let slurm = std::env::var("SLURM_ARRAY_TASK_ID").ok();
    let (shard, shards) = resolve_shard(a.shard, a.shards, slurm.as_deref())?;
    let opts = run::ShardOptions {
        out: out.clone(),
        shard,
        shards,
        progress: true,
    };
    eprintln!(
        "{}: {}; shard {shard} of {shards} ({} points) into {}",
        a.scenario.display(),
        plan.describe(),
        plan.shard(shard, shards).count(),
        out.display()
    );
    let r = with_threads(a.threads, || run::run_shard(&loaded, &plan, &opts))?;
    println!(
        "shard {shard} of {shards}: {} points ({} done before, {} run now, {} not completed) in {}",
        r.points,
        r.already_done,
        r.ran,
        r.not_completed,
        r.csv.display()
    );
    if shards == 1 {
        println!("next: sprintlab merge {}", out.display());
    }
    Ok(())
}

/// `sprintlab merge`.
pub fn merge_command(dir: &Path) -> Result<(), Error> {
    let r = merge::merge(dir)?;
    let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
    println!(
        "merged {} points from {} shard file(s) into {} ({} repeated row(s) dropped; {})",
        r.points,
        r.files,
        r.csv.display(),
        r.duplicates,
        statuses.join(", ")
    );
    Ok(())
}

/// `sprintlab slurm`: prints the job-array script.
pub fn slurm_command(scenario: &Path, o: &slurm::SlurmOptions) -> Result<(), Error> {
    let loaded = scenario::load(scenario)?;
    let plan = plan::plan(&loaded)?;
    let exe = std::env::current_exe().map_err(|e| Error::io("(sprintlab executable)", e))?;
    let text = slurm::script(scenario, &plan, &exe, o)?;
    print!("{text}");
    Ok(())
}
