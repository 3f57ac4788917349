//! `history.csv` (one row per generation, the typed [`HistoryRow`] of `export::tables`) and `timing.csv`.

use std::path::Path;

use crate::error::Error;
use crate::export::tables::{rows_csv, write_table};
use crate::io::write_atomic;

pub use crate::export::tables::HistoryRow;

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

/// Writes `history.csv` atomically (through the typed table: integers as integers, floats round-trip).
pub fn write_history(out: &Path, rows: &[HistoryRow]) -> Result<(), Error> {
    write_atomic(&out.join("history.csv"), &rows_csv(rows)?)
}

/// Writes `timing.csv` (wall time per generation, s) atomically.
pub fn write_timing(out: &Path, wall: &[f64]) -> Result<(), Error> {
    let rows: Vec<Vec<f64>> = wall.iter().enumerate().map(|(i, w)| vec![(i + 1) as f64, *w]).collect();
    let tmp = out.join("timing.csv.tmp");
    write_table(&tmp, &["generation".into(), "wall_time_s".into()], &rows)?;
    std::fs::rename(&tmp, out.join("timing.csv")).map_err(|e| Error::io(out.join("timing.csv"), e))
}
