//! `sprintlab merge DIR`: the shard files of a sweep combined into `sweep.csv`, one row per point, sorted,
//! deduplicated and checked complete.
//!
//! `sweep.csv` holds every column of the shard files except `wall_s`, so the same sweep merged from any shard
//! layout, thread count or number of resumptions is byte-identical; wall times go to `timing.csv`. The
//! provenance sidecar `sweep.meta.json` records the sweep's identity, the shard files and their sessions.
//! Nothing is written when a point is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::plan::{hex, usage};
use super::run::{read_shard, write_atomic, SweepInfo};
use crate::error::Error;
use crate::export::tables::CsvText;
use crate::io::{utc_now, write_json, Manifest};

/// What a merge found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeReport {
    /// `sweep.csv`.
    pub csv: PathBuf,
    /// Points (rows).
    pub points: u64,
    /// Shard files read.
    pub files: usize,
    /// Repeated rows dropped (a point recorded twice, identically).
    pub duplicates: u64,
    /// Points per status.
    pub statuses: BTreeMap<String, u64>,
}

/// Shard files in `dir`: (file name, shard, shards), sorted by name.
fn shard_files(dir: &Path) -> Result<Vec<(String, u64, u64)>, Error> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(core) = name.strip_prefix("shard-").and_then(|n| n.strip_suffix(".csv")) else {
            continue;
        };
        let Some((k, n)) = core.split_once("-of-") else {
            continue;
        };
        if let (Ok(k), Ok(n)) = (k.parse::<u64>(), n.parse::<u64>()) {
            out.push((name, k, n));
        }
    }
    out.sort();
    Ok(out)
}

/// `3, 5-9, 12` for a sorted list.
pub fn ranges(xs: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut k = 0;
    while k < xs.len() {
        let start = xs[k];
        let mut end = start;
        while k + 1 < xs.len() && xs[k + 1] == end + 1 {
            k += 1;
            end = xs[k];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        k += 1;
    }
    parts.join(", ")
}

/// Merges the shard files of the sweep in `dir`.
pub fn merge(dir: &Path) -> Result<MergeReport, Error> {
    let info_path = dir.join("sweep.json");
    let text = std::fs::read_to_string(&info_path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            usage(
                dir,
                "not a sweep output folder (no sweep.json): give the --out folder of `sprintlab sweep`",
            )
        } else {
            Error::io(&info_path, e)
        }
    })?;
    let info: SweepInfo = serde_json::from_str(&text)
        .map_err(|e| usage(&info_path, format!("not a sweep.json this sprintlab can read: {e}")))?;
    let ncols = info.columns.len();
    let status_col = info.columns.iter().position(|c| c == "status");
    let files = shard_files(dir)?;
    if files.is_empty() {
        return Err(usage(
            dir,
            format!(
                "no shard files (shard-K-of-N.csv): run the {} points first",
                info.points
            ),
        ));
    }
    // point → (row without wall_s, wall_s, file)
    let mut rows: BTreeMap<u64, (Vec<String>, String, usize)> = BTreeMap::new();
    let mut duplicates = 0;
    let mut file_rows = vec![0u64; files.len()];
    for (f, (name, _, _)) in files.iter().enumerate() {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let text = String::from_utf8(bytes).map_err(|_| usage(&path, "not a text file"))?;
        // A torn last line (a shard killed while writing) is not a row; resuming the shard repairs it.
        let complete = text.rfind('\n').map_or("", |p| &text[..=p]);
        if complete.len() < text.len() {
            eprintln!(
                "warning: {}: ignoring a torn last line (resume that shard to recompute it)",
                path.display()
            );
        }
        if complete.is_empty() {
            continue;
        }
        let t = read_shard(&path, complete, &info.columns)?;
        for (k, fields) in t.rows.into_iter().enumerate() {
            let bad = |msg: String| Error::Data {
                file: path.display().to_string(),
                line: t.lines[k],
                msg,
            };
            let (body, wall) = fields.split_at(ncols - 1);
            let i: u64 = body[0]
                .parse()
                .ok()
                .filter(|&i| i < info.points)
                .ok_or_else(|| bad(format!("not a point of this sweep (0..{})", info.points)))?;
            file_rows[f] += 1;
            match rows.get(&i) {
                Some((prev, _, pf)) if prev[..] != *body => {
                    return Err(bad(format!(
                        "point {i} has a different result in {}: the two runs disagree (different builds or \
                         machines?); delete one of the rows and rerun its shard",
                        files[*pf].0
                    )))
                }
                Some(_) => duplicates += 1,
                None => {
                    rows.insert(i, (body.to_vec(), wall[0].clone(), f));
                }
            }
        }
    }
    let missing: Vec<u64> = (0..info.points).filter(|i| !rows.contains_key(i)).collect();
    if !missing.is_empty() {
        let mut msg = format!(
            "{} of {} points missing: {}; nothing written",
            missing.len(),
            info.points,
            ranges(&missing)
        );
        let layouts: std::collections::BTreeSet<u64> = files.iter().map(|f| f.2).collect();
        for n in layouts {
            let shards: std::collections::BTreeSet<u64> = missing.iter().map(|i| i % n).collect();
            let list: Vec<u64> = shards.into_iter().collect();
            msg.push_str(&format!(
                "\n  with --shards {n}, rerun shard(s) {} (same command; finished points are kept), e.g.\n    \
                 sprintlab sweep {} --out {} --shard {} --shards {n}\n    or on Slurm: sbatch --array={} <script>",
                ranges(&list),
                info.scenario_path,
                dir.display(),
                list[0],
                list.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
            ));
        }
        return Err(usage(dir, msg));
    }
    let mut csv = CsvText::new(&info.columns[..ncols - 1])?;
    let mut timing = CsvText::new(["point", "wall_s"])?;
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for (i, (body, wall, _)) in &rows {
        csv.row(body)?;
        timing.row([i.to_string().as_str(), wall])?;
        if let Some(c) = status_col {
            *statuses.entry(body[c].clone()).or_default() += 1;
        }
    }
    let (csv, timing) = (csv.into_bytes()?, timing.into_bytes()?);
    let csv_path = dir.join("sweep.csv");
    let mut by = Manifest::start(&info.scenario_path, &info.scenario_sha256, 0);
    by.finish();
    let shards: Vec<serde_json::Value> = files
        .iter()
        .zip(&file_rows)
        .map(|((name, k, n), rows)| {
            let meta = dir.join(name).with_extension("json");
            let sessions = std::fs::read_to_string(&meta)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v.get("sessions").cloned())
                .unwrap_or(serde_json::Value::Null);
            serde_json::json!({ "file": name, "shard": k, "shards": n, "rows": rows, "sessions": sessions })
        })
        .collect();
    let meta = serde_json::json!({
        "sweep": info,
        "merged_utc": utc_now(),
        "merged_by": by,
        "points": rows.len(),
        "duplicates_dropped": duplicates,
        "statuses": statuses,
        "sweep_csv_sha256": hex(&Sha256::digest(&csv)),
        "timing": "timing.csv (wall time per point, s; kept out of sweep.csv so that it is reproducible)",
        "shard_files": shards,
    });
    write_atomic(&csv_path, &csv)?;
    write_atomic(&dir.join("timing.csv"), &timing)?;
    write_json(&dir.join("sweep.meta.json"), &meta)?;
    Ok(MergeReport {
        csv: csv_path,
        points: rows.len() as u64,
        files: files.len(),
        duplicates,
        statuses,
    })
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn ranges_are_compact() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8]), "0-2, 5, 7-8");
    }
}
