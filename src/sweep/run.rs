//! Running one shard of a sweep: resumably, in parallel, one CSV row per finished point.
//!
//! The output folder holds `sweep.json` (what the folder is for: scenario and plan hashes; a folder of another
//! scenario or plan is refused), one `shard-K-of-N.csv` per shard (header, then one row per finished point,
//! appended with a single write in completion order), `shard-K-of-N.json` (provenance of each session) and
//! `points/NNNNNN/` (each point's run folder). A point is done when its row is in the shard file; its run folder
//! is written before the row, so a `kill -9` at any moment loses at most the points in flight, which the same
//! command recomputes (a torn last line is cut off first; a half-written run folder is replaced).

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::{hex, point_scenario, usage, Plan, Point};
use super::SweepTask;
use crate::error::Error;
use crate::export::read::TextTable;
use crate::export::run_folder::sample_steps;
use crate::export::tables::csv_line;
pub(crate) use crate::io::write_atomic;
use crate::io::{format_f64, Manifest};
use crate::measure::{rollout, BalanceUsage, Evaluation};
use crate::optim::best_of::BestOf;
use crate::optim::search::Interrupt;
use crate::scenario::Loaded;
use crate::sim::rollout::{Outcome, RunSummary};

/// Format version of `sweep.json` and the shard files.
pub const FORMAT: u32 = 1;

/// `sweep.json`: what an output folder holds. Two runs may share a folder only if the identity fields agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepInfo {
    /// Format version.
    pub format: u32,
    /// The scenario file as first given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file (identity).
    pub scenario_sha256: String,
    /// SHA-256 of the body model (its JSON), so an edited model file is not mixed in (identity).
    pub model_sha256: String,
    /// SHA-256 of the plan table, `sprintlab sweep --plan` (identity).
    pub plan_sha256: String,
    /// Number of points.
    pub points: u64,
    /// The plan in words.
    pub description: String,
    /// Columns of the shard files, `wall_s` last (identity).
    pub columns: Vec<String>,
    /// sprintlab version that started the folder.
    pub sprintlab_version: String,
    /// Git revision that started the folder.
    pub git_hash: String,
}

impl SweepInfo {
    /// The folder identity of a scenario and its plan.
    pub fn new(loaded: &Loaded, plan: &Plan) -> Self {
        let model = serde_json::to_string(&loaded.model_file).expect("model serialises");
        Self {
            format: FORMAT,
            scenario_path: loaded.path.display().to_string(),
            scenario_sha256: loaded.sha256.clone(),
            model_sha256: hex(&Sha256::digest(model.as_bytes())),
            plan_sha256: plan.sha256(),
            points: plan.points,
            description: plan.describe(),
            columns: columns(loaded, plan),
            sprintlab_version: env!("CARGO_PKG_VERSION").into(),
            git_hash: env!("SPRINTLAB_GIT").into(),
        }
    }

    /// Why `other` may not share a folder with `self`, if it may not.
    fn conflict(&self, other: &SweepInfo) -> Option<String> {
        if self.format != other.format {
            return Some(format!(
                "format {} (this sprintlab writes {})",
                self.format, other.format
            ));
        }
        if self.scenario_sha256 != other.scenario_sha256 {
            return Some(format!(
                "another scenario: `{}` (SHA-256 {}…), not this one ({}…)",
                self.scenario_path,
                &self.scenario_sha256[..12],
                &other.scenario_sha256[..12]
            ));
        }
        if self.model_sha256 != other.model_sha256 {
            return Some("the same scenario with another body model (the model file changed)".into());
        }
        if self.plan_sha256 != other.plan_sha256 || self.points != other.points {
            return Some(format!("another plan ({})", self.description));
        }
        if self.columns != other.columns {
            return Some("other result columns (another sprintlab version?)".into());
        }
        None
    }
}

/// Where to run, which shard.
#[derive(Debug, Clone)]
pub struct ShardOptions {
    /// The sweep's output folder (shared by all shards).
    pub out: PathBuf,
    /// This shard, 0 ≤ shard < shards.
    pub shard: u64,
    /// Number of shards, ≥ 1.
    pub shards: u64,
    /// Progress: a bar on a terminal, lines otherwise; `false` prints nothing.
    pub progress: bool,
}

/// What a shard run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardReport {
    /// The shard file.
    pub csv: PathBuf,
    /// Points in the shard.
    pub points: u64,
    /// Points already done before this run.
    pub already_done: u64,
    /// Points run now.
    pub ran: u64,
    /// Of those, points whose status is not `completed`.
    pub not_completed: u64,
}

/// Name of a shard file, `shard-0001-of-0004.csv` (at least 4 digits).
pub fn shard_file(shard: u64, shards: u64) -> String {
    let w = shards.to_string().len().max(4);
    format!("shard-{shard:0w$}-of-{shards:0w$}.csv")
}

/// Name of a point's run folder under `points/`.
pub fn point_dir(index: u64) -> String {
    format!("{index:06}")
}

/// A metric column of the shard files: its name and its field for a finished rollout.
type Metric = (&'static str, fn(&RunSummary, &Evaluation) -> String);

/// The fixed metric columns in file order (then balance usage, steady-step means and best parameters): one
/// registry for the header and the fields, so that the two cannot drift apart.
const METRICS: &[Metric] = &[
    ("status", |s, e| status(s, e).into()),
    ("balance_reason", |_, e| {
        e.balance_lost
            .as_ref()
            .and_then(|b| serde_json::to_value(&b.reason).ok())
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_default()
    }),
    ("balance_lost_t", |_, e| {
        format_f64(e.balance_lost.as_ref().map_or(f64::NAN, |b| b.t))
    }),
    ("t_end", |s, _| format_f64(s.t_end)),
    ("steps", |s, _| s.steps.to_string()),
    ("body_mass_kg", |s, _| format_f64(s.body_mass_kg)),
    ("body_weight_n", |s, _| format_f64(s.body_weight_n)),
    ("peak_vertical_grf_bw", |s, _| format_f64(s.peak_vertical_grf_bw)),
    ("mean_vertical_grf_last_0_5s_bw", |s, _| {
        format_f64(s.mean_vertical_grf_last_0_5s_bw)
    }),
    ("com_end_x", |s, _| format_f64(s.com_end[0])),
    ("com_end_y", |s, _| format_f64(s.com_end[1])),
    ("com_end_z", |s, _| format_f64(s.com_end[2])),
    ("cost", |_, e| format_f64(e.cost)),
    ("survived", |_, e| format_f64(e.survived)),
    ("stances", |_, e| e.stances.len().to_string()),
    ("mean_propulsive_impulse", |_, e| format_f64(e.mean_propulsive_impulse)),
    ("mean_net_horizontal_impulse", |_, e| {
        format_f64(e.mean_net_horizontal_impulse)
    }),
    ("mean_stance_vertical_force_bw", |_, e| {
        format_f64(e.mean_stance_vertical_force_bw)
    }),
    ("speed_gained", |_, e| format_f64(e.speed_gained)),
    ("mean_speed", |_, e| format_f64(e.mean_speed)),
    ("effort", |_, e| format_f64(e.effort)),
];

/// A point's status: `completed`, `diverged`, `balance-lost` or `stopped`.
fn status(s: &RunSummary, e: &Evaluation) -> &'static str {
    match (s.outcome, &e.balance_lost) {
        (Outcome::Completed, _) => "completed",
        (Outcome::Diverged, _) => "diverged",
        (Outcome::Stopped, Some(_)) => "balance-lost",
        (Outcome::Stopped, None) => "stopped",
    }
}

/// The summary-metric columns of a row (after the plan columns), without `wall_s`.
pub fn metric_columns(loaded: &Loaded, plan: &Plan) -> Vec<String> {
    let mut c: Vec<String> = METRICS.iter().map(|(n, _)| n.to_string()).collect();
    c.extend(
        BalanceUsage::default()
            .fields()
            .iter()
            .map(|(n, _)| format!("balance_usage_{n}")),
    );
    c.extend(steady_columns().iter().map(|s| format!("steady_{s}")));
    if plan.section.task == SweepTask::Optimize {
        c.extend(loaded.params.iter().map(|p| format!("best.{}", p.name)));
        if best_of_n(loaded) {
            c.extend(BestOf::COLUMNS.iter().map(|n| n.to_string()));
        }
    }
    c
}

/// Whether each optimised point is a best-of-N (`[optimize] runs` > 1): its row then ends with the spread over
/// the runs ([`BestOf::COLUMNS`]); without, the columns are as before.
fn best_of_n(loaded: &Loaded) -> bool {
    loaded.scenario.optimize.runs.unwrap_or(1) > 1
}

/// Stride metrics averaged over the steady steps (the numeric `steps.csv` columns).
fn steady_columns() -> Vec<String> {
    crate::measure::steps::COLUMNS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect()
}

/// All columns of a shard file: plan, metrics, `wall_s`.
pub fn columns(loaded: &Loaded, plan: &Plan) -> Vec<String> {
    let mut c = plan.header();
    c.extend(metric_columns(loaded, plan));
    c.push("wall_s".into());
    c
}

/// The metric fields of a finished rollout (in [`metric_columns`] order, without best parameters).
fn metric_fields(s: &RunSummary, e: &Evaluation) -> Vec<String> {
    let mut out: Vec<String> = METRICS.iter().map(|(_, field)| field(s, e)).collect();
    out.extend(e.balance_usage.fields().iter().map(|(_, v)| format_f64(*v)));
    for c in steady_columns() {
        out.push(format_f64(e.steady_step_means.get(&c).copied().unwrap_or(f64::NAN)));
    }
    out
}

/// Metric fields of a point that did not produce a rollout (`invalid`, or an optimisation without any finite
/// cost): the status, the rest NaN/empty.
fn empty_fields(status: &str, n: usize) -> Vec<String> {
    let mut v = vec![status.to_string(), String::new()];
    v.resize(n, "NaN".into());
    v
}

/// One rollout of a point; with `dir`, its run folder too (the files of `sprintlab simulate`).
pub fn simulate_point(point: &Loaded, dir: Option<&Path>) -> Result<(RunSummary, Evaluation), Error> {
    match dir {
        Some(dir) => crate::export::simulate(point, dir).map(|(_, s, e)| (s, e)),
        None => {
            let (_, s, e) = rollout(point, sample_steps(point));
            Ok((s, e))
        }
    }
}

/// Runs a point and returns its metric fields.
fn run_point(
    loaded: &Loaded,
    plan: &Plan,
    p: &Point,
    out: &Path,
    interrupt: &Option<Interrupt>,
) -> Result<Vec<String>, Error> {
    let n_metrics = metric_columns(loaded, plan).len();
    let point = match point_scenario(loaded, plan, p) {
        Ok(l) => l,
        Err(e) => {
            // Each value was checked alone when planning; a combination can still be refused (e.g. two fields
            // that must agree). That is this point's result, not a gap.
            eprintln!("warning: point {} is not a valid scenario: {e}", p.index);
            return Ok(empty_fields("invalid", n_metrics));
        }
    };
    let dir = out.join("points").join(point_dir(p.index));
    match plan.section.task {
        SweepTask::Simulate => {
            let (s, e) = simulate_point(&point, plan.section.run_folders.then_some(dir.as_path()))?;
            Ok(metric_fields(&s, &e))
        }
        SweepTask::Optimize => {
            let opts = crate::optim::driver::OptimizeOptions {
                out: Some(dir.clone()),
                resume: dir.exists(),
                seed: None,
                max_evals: None,
                interrupt: interrupt.clone(),
                on_generation: None,
            };
            let optimized = match crate::optim::driver::run(&point, &opts) {
                Ok(o) => o,
                Err(Error::NoFiniteCost { .. }) => {
                    return Ok(empty_fields("diverged", n_metrics));
                }
                Err(Error::Interrupted { .. }) => {
                    return Err(usage(
                        out,
                        format!(
                            "interrupted (Ctrl-C) during point {}: rerun the same `sprintlab sweep` command to resume",
                            p.index
                        ),
                    ));
                }
                Err(e) => return Err(e),
            };
            let (overlay, best) = (optimized.overlay, optimized.best);
            let (_, s, e) = rollout(&best, sample_steps(&best));
            let mut f = metric_fields(&s, &e);
            for prm in &loaded.params {
                f.push(format_f64(overlay.get(&prm.name).copied().unwrap_or(f64::NAN)));
            }
            if best_of_n(loaded) {
                // A point may vary `optimize.runs` itself: its fields are then blank.
                f.extend(match &optimized.best_of {
                    Some(b) => b.fields(),
                    None => vec![String::new(); BestOf::COLUMNS.len()],
                });
            }
            Ok(f)
        }
    }
}

/// Creates `sweep.json` in `out` (if absent) and checks that the folder belongs to this scenario and plan.
pub fn claim_folder(out: &Path, info: &SweepInfo) -> Result<(), Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let path = out.join("sweep.json");
    if !path.exists() {
        let foreign = std::fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .filter_map(|e| e.ok())
            .any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                // Allowed: the job array's log folder and binary copy (made at submission, before the tasks start)
                // and other shards' temporaries.
                !(n.starts_with(".sweep.json.tmp-") || ((n == "logs" || n == "bin") && e.path().is_dir()))
            });
        if foreign {
            return Err(usage(
                out,
                "the folder is not empty and is not a sweep output folder (no sweep.json): refusing to mix; choose \
                 another --out (an empty folder, or one holding only logs/ and bin/)",
            ));
        }
        // Create-if-absent, atomically: a hard link fails if another shard created it first.
        let tmp = out.join(format!(".sweep.json.tmp-{}", std::process::id()));
        let text = crate::io::pretty_json(info)?;
        std::fs::write(&tmp, text).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&tmp, e)
        })?;
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let existing: SweepInfo = serde_json::from_str(&text).map_err(|e| {
        usage(
            &path,
            format!("not a sweep.json this sprintlab can read ({e}); refusing to mix"),
        )
    })?;
    if let Some(why) = existing.conflict(info) {
        return Err(usage(
            out,
            format!("this output folder holds a sweep of {why}: refusing to mix results; choose another --out"),
        ));
    }
    if existing.git_hash != info.git_hash || existing.sprintlab_version != info.sprintlab_version {
        eprintln!(
            "warning: {} was started by sprintlab {} ({}), this is {} ({}); `merge` checks that repeated points agree",
            out.display(),
            existing.sprintlab_version,
            existing.git_hash,
            info.sprintlab_version,
            info.git_hash
        );
    }
    Ok(())
}

/// The complete rows of a shard file (`text` without a torn last line), read with the one CSV reader: its header
/// must be this sweep's `columns`, every row must have their number of fields.
pub(crate) fn read_shard(path: &Path, text: &str, columns: &[String]) -> Result<TextTable, Error> {
    let t = TextTable::parse(text, path).map_err(|e| match e {
        Error::Data { file, line, msg } if line > 1 => Error::Data {
            file,
            line,
            msg: format!(
                "{msg}: a damaged row (only a torn last line is repaired automatically); delete this line to \
                 recompute its point"
            ),
        },
        e => e,
    })?;
    if t.head != columns {
        return Err(usage(
            path,
            "its header differs from this sweep's columns (sweep.json): a shard file of another sweep; refusing \
             to mix",
        ));
    }
    Ok(t)
}

/// The shard file: its rows so far (indices), after cutting off a torn last line. Creates it (header only) if
/// absent.
fn open_shard_file(path: &Path, columns: &[String], plan: &Plan, opts: &ShardOptions) -> Result<BTreeSet<u64>, Error> {
    let mut done = BTreeSet::new();
    let header = csv_line(columns)?;
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            write_atomic(path, header.as_bytes())?;
            return Ok(done);
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    if complete < bytes.len() {
        eprintln!(
            "{}: cutting off a torn last line ({} bytes: the previous run was killed while writing it)",
            path.display(),
            bytes.len() - complete
        );
        let f = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        f.set_len(complete as u64).map_err(|e| Error::io(path, e))?;
        f.sync_all().map_err(|e| Error::io(path, e))?;
    }
    if complete == 0 {
        write_atomic(path, header.as_bytes())?;
        return Ok(done);
    }
    let text = std::str::from_utf8(&bytes[..complete])
        .map_err(|_| usage(path, "not a text file: not a shard file of this sweep"))?;
    let t = read_shard(path, text, columns)?;
    let nplan = plan.header().len();
    for (k, fields) in t.rows.iter().enumerate() {
        let bad = |msg: String| Error::Data {
            file: path.display().to_string(),
            line: t.lines[k],
            msg,
        };
        let i: u64 = fields[0]
            .parse()
            .ok()
            .filter(|&i| i < plan.points && i % opts.shards == opts.shard)
            .ok_or_else(|| {
                bad(format!(
                    "point `{}` is not a point of shard {} of {}",
                    fields[0], opts.shard, opts.shards
                ))
            })?;
        if fields[..nplan] != plan.fields(&plan.point(i))[..] {
            return Err(bad(format!(
                "the row of point {i} does not match the plan: refusing to mix"
            )));
        }
        done.insert(i);
    }
    Ok(done)
}

/// The shard file, appended to one whole row at a time.
struct Appender {
    file: File,
    path: PathBuf,
    len: u64,
    failed: bool,
}

impl Appender {
    fn append(&mut self, line: &str) -> Result<(), Error> {
        if self.failed {
            return Err(usage(&self.path, "an earlier write failed; stopping"));
        }
        match self.file.write_all(line.as_bytes()) {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Take back a partial row (full disk) so the file stays whole; stop appending either way.
                self.failed = true;
                let _ = self.file.set_len(self.len);
                Err(Error::io(&self.path, e))
            }
        }
    }
}

/// Removes what killed runs left for the pending points: staging folders and (simulate) run folders without a
/// row. An interrupted optimisation's folder is kept: it resumes from its checkpoint.
fn clean_pending(points_dir: &Path, pending: &BTreeSet<u64>, task: SweepTask) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(points_dir) else {
        return Ok(());
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (index, staging) = match name.strip_prefix('.') {
            Some(rest) => (rest.split('.').next().unwrap_or(""), true),
            None => (name.as_str(), false),
        };
        let Ok(i) = index.parse::<u64>() else { continue };
        if pending.contains(&i) && (staging || task == SweepTask::Simulate) {
            let p = entry.path();
            std::fs::remove_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    Ok(())
}

/// One session of a shard (`shard-K-of-N.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    #[serde(flatten)]
    manifest: Manifest,
    already_done: u64,
    ran: u64,
    finished: bool,
}

fn write_sessions(path: &Path, sessions: &[Session]) -> Result<(), Error> {
    crate::io::write_json(path, &serde_json::json!({ "sessions": sessions }))
}

fn read_sessions(path: &Path) -> Vec<Session> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| serde_json::from_value(v.get("sessions")?.clone()).ok())
        .unwrap_or_default()
}

/// Progress of a shard: a bar on a terminal, a line per point (or per 2 %) otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lines: bool,
    total: u64,
    done: AtomicU64,
    label: String,
    start: Instant,
}

impl Progress {
    fn new(enabled: bool, label: String, total: u64, already: u64) -> Self {
        let tty = std::io::stderr().is_terminal();
        let bar = (enabled && tty).then(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix} {elapsed_precise} [{bar:30}] {pos}/{len} points ETA {eta} {msg}",
                )
                .expect("template")
                .progress_chars("=> "),
            );
            b.set_prefix(label.clone());
            b.set_position(already);
            b
        });
        Self {
            bar,
            lines: enabled && !tty,
            total,
            done: AtomicU64::new(already),
            label,
            start: Instant::now(),
        }
    }

    fn point_done(&self, index: u64, status: &str, wall: f64) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(b) = &self.bar {
            b.set_position(done);
            b.set_message(format!("point {index}: {status}"));
        } else if self.lines {
            let every = (self.total / 50).max(1);
            if self.total <= 50 || done % every == 0 || done == self.total {
                eprintln!(
                    "{}: {done}/{} points, {:.1} s (point {index}: {status}, {wall:.2} s)",
                    self.label,
                    self.total,
                    self.start.elapsed().as_secs_f64()
                );
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Runs the points of one shard that are not done yet, in parallel (the current rayon pool), appending a row per
/// finished point. Results do not depend on the thread count.
pub fn run_shard(loaded: &Loaded, plan: &Plan, opts: &ShardOptions) -> Result<ShardReport, Error> {
    if opts.shards == 0 {
        return Err(usage("--shards", "must be ≥ 1"));
    }
    if opts.shard >= opts.shards {
        return Err(usage(
            "--shard",
            format!("must be < --shards = {}; got {}", opts.shards, opts.shard),
        ));
    }
    let info = SweepInfo::new(loaded, plan);
    claim_folder(&opts.out, &info)?;
    let name = shard_file(opts.shard, opts.shards);
    let csv = opts.out.join(&name);
    let done = open_shard_file(&csv, &info.columns, plan, opts)?;
    let all: BTreeSet<u64> = plan.shard(opts.shard, opts.shards).collect();
    let pending: BTreeSet<u64> = all.difference(&done).copied().collect();
    let points_dir = opts.out.join("points");
    if plan.section.run_folders || plan.section.task == SweepTask::Optimize {
        std::fs::create_dir_all(&points_dir).map_err(|e| Error::io(&points_dir, e))?;
        clean_pending(&points_dir, &pending, plan.section.task)?;
    }
    let meta = csv.with_extension("json");
    let mut sessions = read_sessions(&meta);
    sessions.push(Session {
        manifest: Manifest::start(&loaded.path.to_string_lossy(), &loaded.sha256, loaded.scenario.run.seed),
        already_done: done.len() as u64,
        ran: 0,
        finished: false,
    });
    write_sessions(&meta, &sessions)?;

    let file = OpenOptions::new()
        .append(true)
        .open(&csv)
        .map_err(|e| Error::io(&csv, e))?;
    let len = file.metadata().map_err(|e| Error::io(&csv, e))?.len();
    let appender = Mutex::new(Appender {
        file,
        path: csv.clone(),
        len,
        failed: false,
    });
    let label = format!("shard {}/{}", opts.shard, opts.shards);
    let progress = Progress::new(opts.progress, label, all.len() as u64, done.len() as u64);
    let ran = AtomicU64::new(0);
    let not_completed = AtomicU64::new(0);
    let pending: Vec<u64> = pending.into_iter().collect();
    // Ctrl-C ends an optimisation after its generation in flight, with a checkpoint.
    let interrupt = (plan.section.task == SweepTask::Optimize).then(Interrupt::on_ctrl_c);
    let result = pending
        .par_iter()
        .with_max_len(1)
        .try_for_each(|&i| -> Result<(), Error> {
            let t0 = Instant::now();
            let p = plan.point(i);
            let metrics = run_point(loaded, plan, &p, &opts.out, &interrupt)?;
            let wall = t0.elapsed().as_secs_f64();
            let status = metrics[0].clone();
            let mut fields = plan.fields(&p);
            fields.extend(metrics);
            fields.push(format_f64(wall));
            let line = csv_line(&fields)?;
            appender.lock().expect("not poisoned").append(&line)?;
            ran.fetch_add(1, Ordering::SeqCst);
            if status != "completed" {
                not_completed.fetch_add(1, Ordering::SeqCst);
            }
            progress.point_done(i, &status, wall);
            Ok(())
        });
    progress.finish();
    let ran = ran.into_inner();
    if let Some(last) = sessions.last_mut() {
        last.ran = ran;
        last.finished = result.is_ok();
        last.manifest.finish();
    }
    // Provenance is best effort once points have been recorded (a full disk must not hide the real error).
    let meta_written = write_sessions(&meta, &sessions);
    result?;
    meta_written?;
    Ok(ShardReport {
        csv,
        points: all.len() as u64,
        already_done: done.len() as u64,
        ran,
        not_completed: not_completed.into_inner(),
    })
}
