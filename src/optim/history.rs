//! `history.csv` (one row per generation) and `timing.csv`; kept in one place so a typed-table writer can
//! replace it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::export::tables::write_table;
use crate::io::{format_f64, write_atomic};

/// One row of `history.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Generation (1-based, counted over all runs of a restart sequence).
    pub generation: u64,
    /// Evaluations so far.
    pub evaluations: u64,
    /// Best cost so far.
    pub best: f64,
    /// Median cost of this generation (non-finite costs rank last).
    pub median: f64,
    /// CMA-ES step size σ after the update (in z units).
    pub sigma: f64,
}

/// Median of a generation's costs, non-finite costs as +∞.
pub fn median(costs: &[f64]) -> f64 {
    let mut c: Vec<f64> = costs
        .iter()
        .map(|&x| if x.is_finite() { x } else { f64::INFINITY })
        .collect();
    c.sort_by(|a, b| a.total_cmp(b));
    let n = c.len();
    if n % 2 == 1 {
        c[n / 2]
    } else {
        0.5 * (c[n / 2 - 1] + c[n / 2])
    }
}

/// Writes `history.csv` atomically (integers as integers, floats round-trip).
pub fn write_history(out: &Path, rows: &[HistoryRow]) -> Result<(), Error> {
    let mut text = String::from("generation,evaluations,best,median,sigma\n");
    for r in rows {
        text.push_str(&format!(
            "{},{},{},{},{}\n",
            r.generation,
            r.evaluations,
            format_f64(r.best),
            format_f64(r.median),
            format_f64(r.sigma)
        ));
    }
    write_atomic(&out.join("history.csv"), text.as_bytes())
}

/// Writes `timing.csv` (wall time per generation, s) atomically.
pub fn write_timing(out: &Path, wall: &[f64]) -> Result<(), Error> {
    let rows: Vec<Vec<f64>> = wall.iter().enumerate().map(|(i, w)| vec![(i + 1) as f64, *w]).collect();
    let tmp = out.join("timing.csv.tmp");
    write_table(&tmp, &["generation".into(), "wall_time_s".into()], &rows)?;
    std::fs::rename(&tmp, out.join("timing.csv")).map_err(|e| Error::io(out.join("timing.csv"), e))
}
