//! The one run-folder reader: a run folder's exported files (never in-memory simulation state) —
//! `timeseries.csv` and the other numeric tables, `model.json`, `summary.json`'s body weight — and what they name
//! (feet, DOFs).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::file::ModelFile;
use crate::sim::columns;

/// Standard gravity used to turn the model's mass into a body weight when `summary.json` has none (m/s²).
pub const G: f64 = 9.81;

/// A CSV table as text: the one CSV reader (the `csv` crate) behind [`Table`], the study tables and the sweep's
/// shard files. Every row has the header's number of fields; errors name the file and line.
#[derive(Debug, Clone)]
pub struct TextTable {
    /// The file it was read from.
    pub file: PathBuf,
    /// Column names in file order.
    pub head: Vec<String>,
    /// Rows, each with the header's number of fields.
    pub rows: Vec<Vec<String>>,
    /// 1-based file line of each row.
    pub lines: Vec<usize>,
}

impl TextTable {
    /// Reads a CSV file with a header line (see [`TextTable::parse`]). A missing file is an I/O error naming it.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses CSV text with a header line (fields trimmed, blank lines skipped); `path` names the origin in
    /// errors. Ragged rows, an empty file or header and duplicate column names are data errors with their line.
    pub fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut records = rd.records();
        let header = match records.next() {
            None => return Err(data_err(path, 1, "empty file: expected a header line")),
            Some(r) => r.map_err(|e| csv_error(path, e))?,
        };
        if header.iter().all(str::is_empty) {
            return Err(data_err(path, 1, "empty header line"));
        }
        let head: Vec<String> = header.iter().map(String::from).collect();
        for (j, n) in head.iter().enumerate() {
            if head[..j].contains(n) {
                return Err(data_err(path, 1, format!("duplicate column `{n}`")));
            }
        }
        let (mut rows, mut lines) = (Vec::new(), Vec::new());
        for r in records {
            let r = r.map_err(|e| csv_error(path, e))?;
            let line = r.position().map_or(0, |p| p.line() as usize);
            if r.len() != head.len() {
                let msg = if r.len() > head.len() {
                    format!("more than the header's {} fields", head.len())
                } else {
                    format!("{} fields, the header has {}", r.len(), head.len())
                };
                return Err(data_err(path, line, msg));
            }
            rows.push(r.iter().map(String::from).collect());
            lines.push(line);
        }
        Ok(Self {
            file: path.to_path_buf(),
            head,
            rows,
            lines,
        })
    }

    /// The index of a column that must be present (else a data error naming the file and the column).
    pub fn index(&self, name: &str) -> Result<usize, Error> {
        self.head
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| data_err(&self.file, 1, format!("missing column `{name}`")))
    }

    /// A text column.
    pub fn text(&self, name: &str) -> Result<Vec<String>, Error> {
        let i = self.index(name)?;
        Ok(self.rows.iter().map(|r| r[i].clone()).collect())
    }

    /// The number in row `k`, column `j` (`NaN`, `inf`, `-inf` allowed), else a data error with its line.
    pub fn number(&self, k: usize, j: usize) -> Result<f64, Error> {
        let s = &self.rows[k][j];
        s.parse().map_err(|_| {
            data_err(
                &self.file,
                self.lines[k],
                format!("column `{}`: `{s}` is not a number", self.head[j]),
            )
        })
    }

    /// A numeric column.
    pub fn num(&self, name: &str) -> Result<Vec<f64>, Error> {
        let j = self.index(name)?;
        (0..self.rows.len()).map(|k| self.number(k, j)).collect()
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line() as usize);
    data_err(path, line, e.to_string())
}

/// A numeric CSV table read column-wise (every field a float; `NaN`, `inf`, `-inf` allowed).
#[derive(Debug, Clone)]
pub struct Table {
    /// The file it was read from.
    pub file: PathBuf,
    /// Column names in file order.
    pub names: Vec<String>,
    index: HashMap<String, usize>,
    /// Column values (`cols[j][row]`).
    pub cols: Vec<Vec<f64>>,
}

fn data_err(file: &Path, line: usize, msg: impl Into<String>) -> Error {
    Error::Data {
        file: file.display().to_string(),
        line,
        msg: msg.into(),
    }
}

impl Table {
    /// Reads a CSV file with a header line. A missing file is an I/O error naming it; a malformed one (ragged
    /// rows, a field that is not a number, no data rows, duplicate column names) a data error with its line.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses CSV text (see [`Table::read`]); `path` names the origin in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let t = TextTable::parse(text, path)?;
        if t.rows.is_empty() {
            return Err(data_err(path, 2, "no data rows"));
        }
        let mut cols = vec![Vec::with_capacity(t.rows.len()); t.head.len()];
        for k in 0..t.rows.len() {
            for (j, col) in cols.iter_mut().enumerate() {
                col.push(t.number(k, j)?);
            }
        }
        let index = t.head.iter().enumerate().map(|(j, n)| (n.clone(), j)).collect();
        Ok(Self {
            file: path.to_path_buf(),
            names: t.head,
            index,
            cols,
        })
    }

    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.cols[0].len()
    }

    /// A column, if present.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.index.get(name).map(|&j| self.cols[j].as_slice())
    }

    /// A column that must be present (else a data error naming the file and the column).
    pub fn col(&self, name: &str) -> Result<&[f64], Error> {
        self.get(name)
            .ok_or_else(|| data_err(&self.file, 1, format!("missing column `{name}`")))
    }

    /// Several columns that must be present (the first missing one is the error).
    pub fn cols<const N: usize, S: AsRef<str>>(&self, names: &[S; N]) -> Result<[&[f64]; N], Error> {
        let mut out: [&[f64]; N] = [&[]; N];
        for (o, n) in out.iter_mut().zip(names) {
            *o = self.col(n.as_ref())?;
        }
        Ok(out)
    }

    /// Checks that a time column is finite and strictly increasing.
    pub fn check_time(&self, name: &str) -> Result<&[f64], Error> {
        let t = self.col(name)?;
        for (i, w) in t.windows(2).enumerate() {
            if !(w[1] > w[0]) || !w[1].is_finite() {
                return Err(data_err(
                    &self.file,
                    i + 3,
                    format!("`{name}` must increase strictly; got {} after {}", w[1], w[0]),
                ));
            }
        }
        Ok(t)
    }
}

/// Reads `model.json` of a run folder.
pub fn read_model(dir: &Path) -> Result<ModelFile, Error> {
    let path = dir.join("model.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Data {
        file: path.display().to_string(),
        line: e.line(),
        msg: format!("not a sprintlab model file: {e}"),
    })
}

/// Body weight (N): `summary.json` `run.body_weight_n`, else the model's total mass × [`G`].
pub fn body_weight(dir: &Path, model: Option<&ModelFile>) -> Result<f64, Error> {
    let path = dir.join("summary.json");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Data {
            file: path.display().to_string(),
            line: e.line(),
            msg: format!("invalid JSON: {e}"),
        })?;
        if let Some(bw) = v.pointer("/run/body_weight_n").and_then(|x| x.as_f64()) {
            if bw > 0.0 && bw.is_finite() {
                return Ok(bw);
            }
        }
    }
    let owned;
    let model = match model {
        Some(m) => m,
        None => {
            owned = read_model(dir)?;
            &owned
        }
    };
    let mass: f64 = model.segments.iter().map(|s| s.mass).sum();
    if mass > 0.0 && mass.is_finite() {
        Ok(mass * G)
    } else {
        Err(data_err(&dir.join("model.json"), 1, "total mass is not positive"))
    }
}

/// The foot names of a timeseries: every `grf_<foot>_z` column, in file order.
pub fn feet(ts: &Table) -> Vec<String> {
    ts.names
        .iter()
        .filter_map(|n| columns::foot_of_vertical_grf(n))
        .map(str::to_string)
        .collect()
}

/// The DOFs of a model in file order.
pub fn dofs(model: &ModelFile) -> Vec<String> {
    model
        .segments
        .iter()
        .flat_map(|s| s.joint.dofs.iter().map(|d| d.name.clone()))
        .collect()
}

/// The measured stances of a run folder (`steps.csv`: foot, touchdown, contact time), in touchdown order.
pub fn read_stances(dir: &Path) -> Result<Vec<super::tables::StanceRecord>, Error> {
    super::tables::read_rows(&dir.join("steps.csv"))
}

/// A few lines about a finished run folder's `summary.json`: stances, speed, balance, steady-step metrics (best
/// effort: `None` without a readable summary; a run without stride metrics gives one line).
pub fn run_report(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    let v = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    let m = &v["measures"];
    let steps = m["stances"].as_array().map_or(0, |a| a.len());
    let balance = match m["balance_lost"].get("reason") {
        Some(r) => format!("balance lost at {:.3} s ({})", m["balance_lost"]["t"], r["kind"]),
        None => "balance held".to_string(),
    };
    let mut out = format!(
        "  {steps} stances over {:.2} s, mean forward speed {:.2} m/s, {balance}",
        m["survived"].as_f64().unwrap_or(f64::NAN),
        m["mean_speed"].as_f64().unwrap_or(f64::NAN)
    );
    let s = &m["steady_step_means"];
    if let Some(ct) = s["contact_time"].as_f64() {
        out += &format!(
            "\n  steady steps: contact {:.3} s, flight {:.3} s, {:.2} Hz × {:.2} m, vertical GRF mean {:.2} / peak {:.2} BW",
            ct,
            s["flight_time"].as_f64().unwrap_or(f64::NAN),
            s["step_frequency"].as_f64().unwrap_or(f64::NAN),
            s["step_length"].as_f64().unwrap_or(f64::NAN),
            s["mean_vertical_grf_bw"].as_f64().unwrap_or(f64::NAN),
            s["peak_vertical_grf_bw"].as_f64().unwrap_or(f64::NAN)
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers_nan_and_reports_bad_lines() {
        let t = Table::parse("t,a\n0,1\n0.5,NaN\n", Path::new("x.csv")).unwrap();
        assert_eq!(t.rows(), 2);
        assert!(t.col("a").unwrap()[1].is_nan());
        let e = Table::parse("t,a\n0,1\n0.5\n", Path::new("x.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.csv:3:"), "{e}");
        let e = Table::parse("t,a\n0,zz\n", Path::new("x.csv")).unwrap_err().to_string();
        assert!(e.contains("x.csv:2:") && e.contains("`zz`"), "{e}");
        let e = Table::parse("", Path::new("x.csv")).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
    }
}
