//! Reading a run folder's exported files (never in-memory simulation state): `timeseries.csv`, `model.json`,
//! `summary.json`, `history.csv`; stance detection from the exported ground reaction forces; the muscle groups and
//! contributors of each DOF.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::file::ModelFile;
use crate::model::generators::{default_groups, Contributor};

/// Standard gravity used to turn the model's mass into a body weight when `summary.json` has none (m/s²).
pub const G: f64 = 9.81;

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
        let mut lines = text.lines().enumerate();
        let (_, header) = lines
            .next()
            .ok_or_else(|| data_err(path, 1, "empty file: expected a header line"))?;
        let header = header.trim_end_matches('\r');
        if header.trim().is_empty() {
            return Err(data_err(path, 1, "empty header line"));
        }
        let names: Vec<String> = header.split(',').map(|s| s.trim().to_string()).collect();
        let mut index = HashMap::new();
        for (j, n) in names.iter().enumerate() {
            if index.insert(n.clone(), j).is_some() {
                return Err(data_err(path, 1, format!("duplicate column `{n}`")));
            }
        }
        let mut cols = vec![Vec::new(); names.len()];
        for (i, line) in lines {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let mut k = 0;
            for (j, field) in line.split(',').enumerate() {
                if j >= names.len() {
                    return Err(data_err(
                        path,
                        i + 1,
                        format!("more than the header's {} fields", names.len()),
                    ));
                }
                let x: f64 = field
                    .trim()
                    .parse()
                    .map_err(|_| data_err(path, i + 1, format!("column `{}`: `{field}` is not a number", names[j])))?;
                cols[j].push(x);
                k = j + 1;
            }
            if k != names.len() {
                return Err(data_err(
                    path,
                    i + 1,
                    format!("{k} fields, the header has {}", names.len()),
                ));
            }
        }
        if cols[0].is_empty() {
            return Err(data_err(path, 2, "no data rows"));
        }
        Ok(Self {
            file: path.to_path_buf(),
            names,
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
        .filter_map(|n| n.strip_prefix("grf_").and_then(|r| r.strip_suffix("_z")))
        .map(str::to_string)
        .collect()
}

/// Stance detector thresholds: the same rule as `summary.json`'s measures (`src/measure/push.rs`).
pub const TOUCHDOWN_BW: f64 = 0.1;
/// Lift-off threshold (body weights).
pub const LIFTOFF_BW: f64 = 0.05;
/// How long a touchdown or lift-off condition must hold before it counts (s).
pub const MIN_HOLD: f64 = 0.003;

/// One stance of one foot, as rows of the timeseries.
#[derive(Debug, Clone, PartialEq)]
pub struct StanceSpan {
    /// Foot segment name.
    pub foot: String,
    /// First row of the stance (its force exceeded the touchdown threshold).
    pub start: usize,
    /// Row of the lift-off (first row below the lift-off threshold for good), or the number of rows if the run
    /// ended in contact.
    pub end: usize,
    /// Touchdown time (s): start of the step of row `start`.
    pub touchdown: f64,
    /// Lift-off time (s), if seen.
    pub lift_off: Option<f64>,
}

impl StanceSpan {
    /// Whether both touchdown and lift-off were seen.
    pub fn complete(&self) -> bool {
        self.lift_off.is_some()
    }
}

/// Detects the stances of one foot from its vertical force (N) with hysteresis: touchdown above
/// [`TOUCHDOWN_BW`], lift-off below [`LIFTOFF_BW`], each held for [`MIN_HOLD`]; times are dated back to the start
/// of the first step that met the condition (each row's force acts over the step that ends at its time).
pub fn detect_stances(foot: &str, t: &[f64], fz: &[f64], bw: f64) -> Vec<StanceSpan> {
    let on = TOUCHDOWN_BW * bw;
    let off = LIFTOFF_BW * bw;
    let hold = MIN_HOLD - 1e-9;
    let dt = |i: usize| if i > 0 { t[i] - t[i - 1] } else { 0.0 };
    let mut out = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending: Option<(usize, f64)> = None;
    for (i, &f) in fz.iter().enumerate().take(t.len()) {
        match current {
            None => {
                if f > on {
                    let (p0, acc) = pending.unwrap_or((i, 0.0));
                    let acc = acc + dt(i);
                    if acc >= hold {
                        current = Some(p0);
                        pending = None;
                    } else {
                        pending = Some((p0, acc));
                    }
                } else {
                    pending = None;
                }
            }
            Some(s) => {
                if f < off || f.is_nan() {
                    let (p0, acc) = pending.unwrap_or((i, 0.0));
                    let acc = acc + dt(i);
                    if acc >= hold {
                        out.push(StanceSpan {
                            foot: foot.to_string(),
                            start: s,
                            end: p0,
                            touchdown: t[s] - dt(s),
                            lift_off: Some(t[p0] - dt(p0)),
                        });
                        current = None;
                        pending = None;
                    } else {
                        pending = Some((p0, acc));
                    }
                } else {
                    pending = None;
                }
            }
        }
    }
    if let Some(s) = current {
        out.push(StanceSpan {
            foot: foot.to_string(),
            start: s,
            end: t.len(),
            touchdown: t[s] - dt(s),
            lift_off: None,
        });
    }
    out
}

/// Every stance of every foot, ordered by touchdown time (then foot order).
pub fn all_stances(ts: &Table, bw: f64) -> Result<Vec<StanceSpan>, Error> {
    let t = ts.col("t")?;
    let mut all = Vec::new();
    for foot in feet(ts) {
        let fz = ts.col(&format!("grf_{foot}_z"))?;
        all.extend(detect_stances(&foot, t, fz, bw));
    }
    all.sort_by(|a, b| a.touchdown.total_cmp(&b.touchdown));
    Ok(all)
}

/// Body side of a segment or DOF, from its name suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `_r`
    Right,
    /// `_l`
    Left,
    /// Neither (pelvis, torso, lumbar).
    Centre,
}

impl Side {
    /// The side of a name (`…_r`, `…_l`, else centre).
    pub fn of(name: &str) -> Self {
        if name.ends_with("_r") {
            Self::Right
        } else if name.ends_with("_l") {
            Self::Left
        } else {
            Self::Centre
        }
    }

    /// `R`, `L` or empty.
    pub fn letter(self) -> &'static str {
        match self {
            Self::Right => "R",
            Self::Left => "L",
            Self::Centre => "",
        }
    }
}

/// One muscle group of one DOF: the DOF's positive- or negative-direction generator.
#[derive(Debug, Clone, PartialEq)]
pub struct MuscleGroup {
    /// DOF name (`hip_flex_r`).
    pub dof: String,
    /// DOF name without the side suffix (`hip_flex`).
    pub dof_base: String,
    /// Positive-direction group (column `<dof>_act_pos`), else negative (`<dof>_act_neg`).
    pub positive: bool,
    /// Generator-table group name (`hip_ext`).
    pub group: String,
    /// Contributor of the group.
    pub contributor: Contributor,
    /// Side of the DOF.
    pub side: Side,
}

impl MuscleGroup {
    /// The activation column of the group.
    pub fn column(&self) -> String {
        format!("{}_act_{}", self.dof, if self.positive { "pos" } else { "neg" })
    }

    /// A short label without side: `hip ext`, or `lumbar bend +` when both groups of a DOF share a name.
    pub fn label(&self, groups_share_name: bool) -> String {
        let mut s = self.group.replace('_', " ");
        if groups_share_name {
            s.push_str(if self.positive { " +" } else { " −" });
        }
        s
    }
}

/// The DOFs of a model in file order.
pub fn dofs(model: &ModelFile) -> Vec<String> {
    model
        .segments
        .iter()
        .flat_map(|s| s.joint.dofs.iter().map(|d| d.name.clone()))
        .collect()
}

/// The two muscle groups of every DOF (the model's `generators` when given, else the names derived from the DOF
/// name, as the simulator does), in DOF order, positive group first.
pub fn muscle_groups(model: &ModelFile) -> Vec<MuscleGroup> {
    let mut out = Vec::new();
    for seg in &model.segments {
        for d in &seg.joint.dofs {
            let names: Option<[String; 2]> = d
                .generators
                .clone()
                .or_else(|| default_groups(&d.name).map(|g| [g[0].to_string(), g[1].to_string()]));
            let Some(names) = names else { continue };
            let side = Side::of(&d.name);
            let base = d
                .name
                .strip_suffix("_r")
                .or_else(|| d.name.strip_suffix("_l"))
                .unwrap_or(&d.name)
                .to_string();
            for (k, g) in names.iter().enumerate() {
                out.push(MuscleGroup {
                    dof: d.name.clone(),
                    dof_base: base.clone(),
                    positive: k == 0,
                    group: g.clone(),
                    contributor: Contributor::of_group(g),
                    side,
                });
            }
        }
    }
    out
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

    #[test]
    fn stance_hysteresis_with_hold() {
        let t: Vec<f64> = (0..20).map(|i| i as f64 * 0.001).collect();
        let mut fz = vec![0.0; 20];
        // 0.2 BW from row 3 to row 12 with a 1-row dip to 0 at row 8 (shorter than the hold), a 1-row blip at 16.
        for f in fz.iter_mut().take(13).skip(3) {
            *f = 0.2;
        }
        fz[8] = 0.0;
        fz[16] = 0.5;
        let s = detect_stances("foot_r", &t, &fz, 1.0);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].start, s[0].end), (3, 13));
        assert!((s[0].touchdown - 0.002).abs() < 1e-12);
        assert!((s[0].lift_off.unwrap() - 0.012).abs() < 1e-12);
    }
}
