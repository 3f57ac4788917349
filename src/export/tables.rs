//! The tables (CSV) of run folders, optimisations, sweeps and studies, written with the `csv` crate through one
//! place, so that every float keeps its exact text form (shortest round-trip, `NaN`, `inf`, `-inf`: the `csv`
//! crate formats with `ryu` as [`format_f64`] does). Tables with fixed columns are serde row types
//! ([`HistoryRow`]); tables whose columns depend on the model or the study are written through a
//! column registry ([`crate::measure::steps::COLUMNS`], the studies' measure lists) into a [`CsvText`].

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::io::format_f64;
use crate::measure::steps::StepRow;

fn csv_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::io(what, std::io::Error::other(e.to_string()))
}

/// A table being written: a header, then one record per row (fields quoted only where CSV needs it).
pub struct CsvText {
    w: csv::Writer<Vec<u8>>,
}

impl CsvText {
    /// A table with this header.
    pub fn new<I, S>(header: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut t = Self {
            w: csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new()),
        };
        t.row(header)?;
        Ok(t)
    }

    /// Appends one record.
    pub fn row<I, S>(&mut self, fields: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.w.write_record(fields).map_err(|e| csv_err("(csv)", e))
    }

    /// The table's bytes.
    pub fn into_bytes(self) -> Result<Vec<u8>, Error> {
        self.w.into_inner().map_err(|e| csv_err("(csv)", e))
    }
}

/// One CSV record as a line (with its newline): a row appended to a shard file, a header.
pub fn csv_line<I, S>(fields: I) -> Result<String, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.write_record(fields).map_err(|e| csv_err("(csv)", e))?;
    let bytes = w.into_inner().map_err(|e| csv_err("(csv)", e))?;
    String::from_utf8(bytes).map_err(|e| csv_err("(csv)", e))
}

/// Serde rows as CSV bytes, the header from the row type's field names.
pub fn rows_csv<R: Serialize>(rows: &[R]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| csv_err("(csv)", e))?;
    }
    w.into_inner().map_err(|e| csv_err("(csv)", e))
}

/// Reads a CSV file of serde rows (columns by header name; extra columns ignored). A missing file is an I/O
/// error naming it, a bad row a data error with its line.
pub fn read_rows<R: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<R>, Error> {
    let mut rd = csv::Reader::from_path(path).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        k => csv_err(&path.display().to_string(), format!("{k:?}")),
    })?;
    let mut out = Vec::new();
    for r in rd.deserialize() {
        out.push(r.map_err(|e: csv::Error| Error::Data {
            file: path.display().to_string(),
            line: e.position().map_or(0, |p| p.line() as usize),
            msg: match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                k => format!("{k:?}"),
            },
        })?);
    }
    Ok(out)
}

/// Writes a numeric table (`timeseries.csv`): a header and rows of floats, streamed.
pub fn write_table(path: &Path, columns: &[String], rows: &[Vec<f64>]) -> Result<(), Error> {
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    let io = |e| Error::io(path, e);
    writeln!(w, "{}", columns.join(",")).map_err(io)?;
    let mut line = String::new();
    for r in rows {
        line.clear();
        for (i, x) in r.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&format_f64(*x));
        }
        line.push('\n');
        w.write_all(line.as_bytes()).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(())
}

/// The bytes of `steps.csv`: `step`, `side`, then the registry's columns and the group peaks.
pub fn steps_csv(rows: &[StepRow]) -> Result<Vec<u8>, Error> {
    let mut t = CsvText::new(crate::measure::steps::header(rows))?;
    for r in rows {
        let mut fields = vec![r.step.to_string(), r.side.clone()];
        fields.extend(r.values().map(format_f64));
        t.row(fields)?;
    }
    t.into_bytes()
}

/// What a figure needs of a `steps.csv` row: which foot, when it touched down and how long it stayed (measure's
/// stance definition, `src/measure/push.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StanceRecord {
    /// Foot segment of the stance.
    pub side: String,
    /// Touchdown time (s).
    pub touchdown: f64,
    /// Contact time (s); for a stance still open when the record ended, until the end of the record.
    pub contact_time: f64,
}

/// One row of `history.csv`: one CMA-ES generation (or one iteration of argmin's solvers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Generation (1-based, counted over all runs of a restart sequence).
    pub generation: u64,
    /// Rollouts evaluated so far.
    pub evaluations: u64,
    /// Best cost so far.
    pub best: f64,
    /// Median cost of this generation (non-finite costs rank last).
    pub median: f64,
    /// CMA-ES step size σ after the update (in z units).
    pub sigma: f64,
}

impl HistoryRow {
    /// The columns of `history.csv` (the field names, for a history without rows).
    pub const COLUMNS: [&'static str; 5] = ["generation", "evaluations", "best", "median", "sigma"];
}

/// The bytes of `history.csv` (the header alone when there is no row yet).
pub fn history_csv(rows: &[HistoryRow]) -> Result<Vec<u8>, Error> {
    if rows.is_empty() {
        return Ok(csv_line(HistoryRow::COLUMNS)?.into_bytes());
    }
    rows_csv(rows)
}

/// One row of `runs.csv`: one of the N independent optimisations of a best-of-N (docs/optimiser.md, "Best of N").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// Run index k (folder `runs/run-kkk`; run 0 is the optimisation made without `runs`).
    pub run: usize,
    /// Its master seed (run 0: `run.seed`).
    pub seed: u64,
    /// Where it started: `start` (the scenario's init values) or `box` (drawn in the parameter box).
    pub start: String,
    /// Rollouts it used.
    pub evaluations: u64,
    /// Its best cost (`inf` if no rollout had a finite cost).
    pub best: f64,
    /// Its best cost minus the best run's (cost units, ≥ 0).
    pub gap: f64,
    /// Whether `gap` ≤ the tolerance (`optimize.runs_tolerance`).
    pub reached_best: bool,
    /// Final effective step σ·√λmax(C) over σ0 of the CMA-ES run (of its restarts) that found its best.
    pub step_ratio: f64,
    /// Share of that CMA-ES run's last population that kept balance.
    pub balanced: Option<f64>,
    /// Every criterion that held when its last CMA-ES run ended, `;`-separated (`max_evals`: the budget).
    pub stop: String,
    /// Whether it converged (docs/optimiser.md, "Convergence").
    pub converged: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_keep_their_exact_text_in_csv_rows() {
        let rows = [HistoryRow {
            generation: 1,
            evaluations: 12,
            best: 0.1 + 0.2,
            median: f64::NAN,
            sigma: f64::NEG_INFINITY,
        }];
        let text = String::from_utf8(history_csv(&rows).unwrap()).unwrap();
        let empty = String::from_utf8(history_csv(&[]).unwrap()).unwrap();
        assert_eq!(Some(empty.as_str()), text.split_inclusive('\n').next());
        assert_eq!(
            text,
            format!(
                "generation,evaluations,best,median,sigma\n1,12,{},NaN,-inf\n",
                format_f64(0.1 + 0.2)
            )
        );
        let mut t = CsvText::new(["a", "b"]).unwrap();
        t.row([format_f64(1e-300), format_f64(f64::INFINITY)]).unwrap();
        assert_eq!(t.into_bytes().unwrap(), b"a,b\n1e-300,inf\n");
    }
}
