//! A sweep plan: the points of a `[sweep]` section, validated, each a pure function of (scenario, index, master
//! seed).
//!
//! Point `i` is design point `d = i / R` and replicate `r = i % R` (R replicates). Design point `d` is, for
//! `grid`, the mixed-radix digits of `d` over the entries' value lists (the last entry varying fastest); for `zip`,
//! the `d`-th value of every entry; for `lhs`, row `d` of a Latin hypercube drawn from the master seed. Replicate
//! `r` runs with `run.seed = seeds[r]` (default `seed + r`). Shard `k` of `n` holds the points `i ≡ k (mod n)`.

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::export::tables::CsvText;
use crate::io::format_f64;
use crate::rng::SplitMix;
use crate::scenario::edit::{set_literal, set_number, toml_number, FieldPath};
use crate::scenario::{self, Loaded};
use crate::scenario::{SweepDesign, SweepScale, SweepSection, SweepTask, SweepVary};

/// Most points a plan may have.
pub const MAX_POINTS: u64 = 1 << 40;

/// A validated sweep plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The section it was made from.
    pub section: SweepSection,
    /// Dotted paths of the varied fields, in order.
    pub paths: Vec<String>,
    /// Per entry: its value list (`grid`, `zip`) or its sample per design point (`lhs`).
    pub values: Vec<Vec<f64>>,
    /// Seeds of the replicates.
    pub seeds: Vec<u64>,
    /// Number of design points.
    pub designs: u64,
    /// Number of points (design points × replicates).
    pub points: u64,
}

/// One point of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Index in the plan (its name).
    pub index: u64,
    /// Design point.
    pub design: u64,
    /// Replicate.
    pub replicate: u64,
    /// Values of the varied fields, in [`Plan::paths`] order.
    pub values: Vec<f64>,
    /// `run.seed` of this point.
    pub seed: u64,
}

impl Plan {
    /// Point `i` (< [`Plan::points`]).
    pub fn point(&self, i: u64) -> Point {
        assert!(i < self.points, "point {i} is outside the plan (0..{})", self.points);
        let r = self.seeds.len() as u64;
        let (design, replicate) = (i / r, i % r);
        let values = match self.section.design {
            SweepDesign::Grid => {
                let mut rest = design;
                let mut v = vec![0.0; self.values.len()];
                for (j, list) in self.values.iter().enumerate().rev() {
                    let n = list.len() as u64;
                    v[j] = list[(rest % n) as usize];
                    rest /= n;
                }
                v
            }
            SweepDesign::Zip | SweepDesign::Lhs => self.values.iter().map(|l| l[design as usize]).collect(),
        };
        Point {
            index: i,
            design,
            replicate,
            values,
            seed: self.seeds[replicate as usize],
        }
    }

    /// The points of shard `k` of `n`: `k, k + n, k + 2n, …`.
    pub fn shard(&self, k: u64, n: u64) -> impl Iterator<Item = u64> {
        assert!(n >= 1 && k < n, "shard {k} of {n}");
        (k..self.points).step_by(n as usize)
    }

    /// Header of the plan table (`point,design,replicate,<paths>,seed`).
    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = ["point", "design", "replicate"].iter().map(|s| s.to_string()).collect();
        h.extend(self.paths.iter().cloned());
        h.push("seed".into());
        h
    }

    /// The plan-table fields of a point (as in [`Plan::header`]).
    pub fn fields(&self, p: &Point) -> Vec<String> {
        let mut f = vec![p.index.to_string(), p.design.to_string(), p.replicate.to_string()];
        f.extend(p.values.iter().map(|&x| format_f64(x)));
        f.push(p.seed.to_string());
        f
    }

    /// Writes the plan table to `w`: the header, then the points `points` (the one writer of `sweep --plan` and of
    /// [`Plan::sha256`]).
    pub fn write_table<W: std::io::Write>(
        &self,
        points: impl Iterator<Item = u64>,
        what: &str,
        w: W,
    ) -> Result<W, Error> {
        let mut t = CsvText::to(w, what, self.header())?;
        for i in points {
            t.row(self.fields(&self.point(i)))?;
        }
        t.into_inner()
    }

    /// SHA-256 (hex) of the whole plan table: equal plans, equal hashes.
    pub fn sha256(&self) -> String {
        let h = self
            .write_table(0..self.points, "(plan hash)", Sha256::new())
            .expect("hashing a table of numbers cannot fail");
        hex(&h.finalize())
    }

    /// A one-line description (`12 points: grid 4 × 3, 1 replicate`).
    pub fn describe(&self) -> String {
        let design = match self.section.design {
            SweepDesign::Grid => format!(
                "grid {}",
                self.values
                    .iter()
                    .map(|v| v.len().to_string())
                    .collect::<Vec<_>>()
                    .join(" × ")
            ),
            SweepDesign::Zip => format!("zip of {} entries × {}", self.paths.len(), self.designs),
            SweepDesign::Lhs => format!(
                "Latin hypercube of {} samples in {} dimensions",
                self.designs,
                self.paths.len()
            ),
        };
        let design = if self.paths.is_empty() {
            "no varied field".to_string()
        } else {
            design
        };
        let r = self.seeds.len();
        format!(
            "{} points: {design}, {r} replicate{} ({})",
            self.points,
            if r == 1 { "" } else { "s" },
            match self.section.task {
                SweepTask::Simulate => "simulate",
                SweepTask::Optimize => "optimize",
            }
        )
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A Latin hypercube: `samples` rows of `dims` values in [0, 1), each column hitting each of the `samples` strata
/// exactly once. Drawn column by column: a Fisher–Yates permutation of the strata, then one jitter per row.
pub fn latin_hypercube(samples: u64, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = SplitMix(seed ^ 0x5357_4545_505F_4C48); // "SWEEP_LH"
    let n = samples as usize;
    (0..dims)
        .map(|_| {
            let mut perm: Vec<u64> = (0..samples).collect();
            for i in (1..n).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                perm.swap(i, j);
            }
            perm.iter()
                .map(|&s| (s as f64 + rng.uniform()) / samples as f64)
                .collect()
        })
        .collect()
}

/// `u` in [0, 1] mapped onto [min, max] (linearly, or linearly in ln x: `min·(max/min)^u`).
fn scale(min: f64, max: f64, u: f64, s: SweepScale) -> f64 {
    match s {
        SweepScale::Linear => min + (max - min) * u,
        SweepScale::Log => (min * (max / min).powf(u)).clamp(min, max),
    }
}

/// `steps` evenly spaced values from `min` to `max`, both ends exact.
fn linspace(min: f64, max: f64, steps: u64, s: SweepScale) -> Vec<f64> {
    (0..steps)
        .map(|k| match k {
            0 => min,
            k if k + 1 == steps => max,
            k => scale(min, max, k as f64 / (steps - 1) as f64, s),
        })
        .collect()
}

/// A validation error at `path` of the scenario file.
fn err(loaded: &Loaded, path: &str, msg: impl Into<String>) -> Error {
    scenario::invalid(&loaded.path, &loaded.source, path, msg)
}

/// Builds and validates the plan of a loaded scenario's `[sweep]` section. Every value of every entry is tried
/// in the scenario (alone, then the first point whole), so a value that the scenario would refuse is reported
/// here, at the entry, before anything runs.
pub fn plan(loaded: &Loaded) -> Result<Plan, Error> {
    let Some(s) = loaded.scenario.sweep.clone() else {
        return Err(err(
            loaded,
            "sweep",
            "the scenario has no [sweep] section: add one with [[sweep.vary]] entries (path and values) to run a sweep",
        ));
    };
    let master = s.seed.unwrap_or(loaded.scenario.run.seed);
    let seeds: Vec<u64> = match (&s.seeds, s.replicates) {
        (Some(_), Some(_)) => {
            return Err(err(
                loaded,
                "sweep.seeds",
                "give either `seeds` or `replicates`, not both",
            ))
        }
        (Some(list), None) => {
            if list.is_empty() {
                return Err(err(loaded, "sweep.seeds", "must list at least one seed"));
            }
            let mut seen = BTreeSet::new();
            for (k, &x) in list.iter().enumerate() {
                if !seen.insert(x) {
                    return Err(err(
                        loaded,
                        &format!("sweep.seeds[{k}]"),
                        format!("seed {x} is listed twice: replicates need distinct seeds"),
                    ));
                }
            }
            list.clone()
        }
        (None, r) => {
            let r = r.unwrap_or(1);
            if r == 0 || r > MAX_POINTS {
                return Err(err(
                    loaded,
                    "sweep.replicates",
                    format!("must be an integer in [1, {MAX_POINTS}]; got {r}"),
                ));
            }
            (0..r).map(|k| master.wrapping_add(k)).collect()
        }
    };
    if s.vary.is_empty() && seeds.len() < 2 {
        return Err(err(
            loaded,
            "sweep",
            "empty plan: add [[sweep.vary]] entries (path and values, or min/max) or more than one replicate",
        ));
    }
    if s.design != SweepDesign::Lhs && s.samples.is_some() {
        return Err(err(loaded, "sweep.samples", "only for design = \"lhs\""));
    }
    if s.task == SweepTask::Optimize && loaded.params.is_empty() {
        return Err(err(
            loaded,
            "sweep.task",
            "task = \"optimize\" needs free parameters: write at least one number as { init, min, max, std }",
        ));
    }
    let mut paths: Vec<String> = Vec::new();
    for (j, v) in s.vary.iter().enumerate() {
        let at = format!("sweep.vary[{j}].path");
        let fp = FieldPath::parse(&v.path).map_err(|m| err(loaded, &at, m))?;
        match fp.keys[0].as_str() {
            "sweep" => return Err(err(loaded, &at, "a sweep cannot vary its own [sweep] section")),
            "run" if fp.keys.len() == 2 && fp.keys[1] == "seed" => {
                return Err(err(
                    loaded,
                    &at,
                    "`run.seed` is set by the replicates: use sweep.replicates or sweep.seeds",
                ))
            }
            _ => {}
        }
        if let Some(k) = paths.iter().position(|p| p == &v.path) {
            return Err(err(
                loaded,
                &at,
                format!("`{}` is already varied by sweep.vary[{k}]", v.path),
            ));
        }
        paths.push(v.path.clone());
    }
    // Value lists.
    let values: Vec<Vec<f64>> = match s.design {
        SweepDesign::Grid | SweepDesign::Zip => s
            .vary
            .iter()
            .enumerate()
            .map(|(j, v)| listed_values(loaded, j, v, s.design))
            .collect::<Result<_, _>>()?,
        SweepDesign::Lhs => {
            let n = s.samples.ok_or_else(|| {
                err(
                    loaded,
                    "sweep",
                    "design = \"lhs\" needs `samples` (the number of design points), ≥ 1",
                )
            })?;
            if n == 0 || n > MAX_POINTS {
                return Err(err(
                    loaded,
                    "sweep.samples",
                    format!("must be an integer in [1, {MAX_POINTS}]; got {n}"),
                ));
            }
            let mut ranges = Vec::new();
            for (j, v) in s.vary.iter().enumerate() {
                ranges.push(range(loaded, j, v, "lhs")?);
                for (f, present) in [("values", v.values.is_some()), ("steps", v.steps.is_some())] {
                    if present {
                        return Err(err(
                            loaded,
                            &format!("sweep.vary[{j}].{f}"),
                            "not used by design = \"lhs\" (it samples [min, max]; set the count with sweep.samples)",
                        ));
                    }
                }
            }
            let lh = latin_hypercube(n, s.vary.len(), master);
            lh.iter()
                .zip(&ranges)
                .zip(&s.vary)
                .map(|((col, &(lo, hi)), v)| col.iter().map(|&u| scale(lo, hi, u, v.scale)).collect())
                .collect()
        }
    };
    let designs = match s.design {
        SweepDesign::Grid => values.iter().try_fold(1u64, |acc, l| acc.checked_mul(l.len() as u64)),
        SweepDesign::Zip => {
            if let Some((j, l)) = values.iter().enumerate().find(|(_, l)| l.len() != values[0].len()) {
                return Err(err(
                    loaded,
                    &format!("sweep.vary[{j}]"),
                    format!(
                        "zip entries must all have the same number of values: sweep.vary[0] (`{}`) has {}, this one \
                         (`{}`) has {}",
                        paths[0],
                        values[0].len(),
                        paths[j],
                        l.len()
                    ),
                ));
            }
            Some(values.first().map_or(1, |l| l.len() as u64))
        }
        SweepDesign::Lhs => s.samples,
    };
    let points = designs
        .and_then(|d| d.checked_mul(seeds.len() as u64))
        .filter(|&p| p <= MAX_POINTS)
        .ok_or_else(|| err(loaded, "sweep", format!("too many points (more than {MAX_POINTS})")))?;
    let plan = Plan {
        section: s,
        paths,
        values,
        seeds,
        designs: designs.unwrap_or(0),
        points,
    };
    check_values(loaded, &plan)?;
    Ok(plan)
}

/// Values of a `grid`/`zip` entry: `values`, or `steps` values over [min, max].
fn listed_values(loaded: &Loaded, j: usize, v: &SweepVary, design: SweepDesign) -> Result<Vec<f64>, Error> {
    let at = |f: &str| format!("sweep.vary[{j}].{f}");
    let name = if design == SweepDesign::Grid { "grid" } else { "zip" };
    match (&v.values, v.steps) {
        (Some(_), Some(_)) => Err(err(
            loaded,
            &at("steps"),
            "give either `values` or `min`, `max`, `steps`, not both",
        )),
        (Some(list), None) => {
            if v.min.is_some() || v.max.is_some() {
                return Err(err(
                    loaded,
                    &at(if v.min.is_some() { "min" } else { "max" }),
                    "give either `values` or `min`, `max`, `steps`, not both",
                ));
            }
            if v.scale != SweepScale::Linear {
                return Err(err(
                    loaded,
                    &at("scale"),
                    "applies to generated values (min, max, steps) only",
                ));
            }
            if list.is_empty() {
                return Err(err(loaded, &at("values"), "empty list: give at least one value"));
            }
            for (k, x) in list.iter().enumerate() {
                if !x.is_finite() {
                    return Err(err(
                        loaded,
                        &format!("sweep.vary[{j}].values[{k}]"),
                        format!("must be a finite number; got {x}"),
                    ));
                }
            }
            Ok(list.clone())
        }
        (None, Some(n)) => {
            let (lo, hi) = range(loaded, j, v, name)?;
            if !(2..=MAX_POINTS).contains(&n) {
                return Err(err(
                    loaded,
                    &at("steps"),
                    format!("must be an integer in [2, {MAX_POINTS}]; got {n}"),
                ));
            }
            Ok(linspace(lo, hi, n, v.scale))
        }
        (None, None) => Err(err(
            loaded,
            &format!("sweep.vary[{j}]"),
            format!("a {name} entry needs `values = [...]`, or `min`, `max` and `steps`"),
        )),
    }
}

/// `[min, max]` of an entry, checked.
fn range(loaded: &Loaded, j: usize, v: &SweepVary, what: &str) -> Result<(f64, f64), Error> {
    let at = |f: &str| format!("sweep.vary[{j}].{f}");
    let (Some(lo), Some(hi)) = (v.min, v.max) else {
        return Err(err(
            loaded,
            &format!("sweep.vary[{j}]"),
            format!("a {what} entry with generated values needs both `min` and `max`"),
        ));
    };
    for (f, x) in [("min", lo), ("max", hi)] {
        if !x.is_finite() {
            return Err(err(loaded, &at(f), format!("must be a finite number; got {x}")));
        }
    }
    if !(lo < hi) {
        return Err(err(loaded, &at("max"), format!("must be > min = {lo}; got {hi}")));
    }
    if v.scale == SweepScale::Log && !(lo > 0.0) {
        return Err(err(
            loaded,
            &at("min"),
            format!("scale = \"log\" needs min > 0; got {lo}"),
        ));
    }
    Ok((lo, hi))
}

/// The scenario text of point `p`: the varied fields and `run.seed` set in the original text. `Err((j, msg))`
/// names the entry (`usize::MAX` for `run.seed`).
pub fn point_text(loaded: &Loaded, plan: &Plan, p: &Point) -> Result<String, (usize, String)> {
    let defaults = scenario::array_defaults(loaded);
    let mut text = loaded.source.clone();
    for (j, (path, &x)) in plan.paths.iter().zip(&p.values).enumerate() {
        let fp = FieldPath::parse(path).map_err(|m| (j, m))?;
        text = set_number(&text, &fp, x, &defaults).map_err(|m| (j, m))?;
    }
    let seed = FieldPath::parse("run.seed").expect("valid path");
    set_literal(&text, &seed, &p.seed.to_string(), &defaults).map_err(|m| (usize::MAX, m))
}

/// The loaded scenario of point `p` (its `[sweep]` section dropped; the scenario's path and SHA-256 kept).
pub fn point_scenario(loaded: &Loaded, plan: &Plan, p: &Point) -> Result<Loaded, Error> {
    let text = point_text(loaded, plan, p).map_err(|(j, m)| entry_error(loaded, j, None, m))?;
    let mut l = scenario::load_text(&text, &loaded.path)?;
    l.sha256 = loaded.sha256.clone();
    l.scenario.sweep = None;
    Ok(l)
}

fn entry_error(loaded: &Loaded, j: usize, value_at: Option<&str>, m: String) -> Error {
    if j == usize::MAX {
        return err(loaded, "run.seed", m);
    }
    err(loaded, value_at.unwrap_or(&format!("sweep.vary[{j}].path")), m)
}

/// Tries every value of every entry (the others at the scenario's own values), then the first point whole, and
/// reports the first one the scenario refuses at its entry.
fn check_values(loaded: &Loaded, plan: &Plan) -> Result<(), Error> {
    let defaults = scenario::array_defaults(loaded);
    let s = &plan.section;
    for (j, path) in plan.paths.iter().enumerate() {
        let fp = FieldPath::parse(path).map_err(|m| entry_error(loaded, j, None, m))?;
        // (value, where it is written)
        let tries: Vec<(f64, String)> = match (s.design, &s.vary[j].values) {
            (SweepDesign::Lhs, _) | (_, None) => {
                let mut t = vec![(
                    plan.values[j].iter().copied().fold(f64::INFINITY, f64::min),
                    format!("sweep.vary[{j}].min"),
                )];
                t.push((
                    plan.values[j].iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    format!("sweep.vary[{j}].max"),
                ));
                t
            }
            (_, Some(list)) => list
                .iter()
                .enumerate()
                .map(|(k, &x)| (x, format!("sweep.vary[{j}].values[{k}]")))
                .collect(),
        };
        let mut seen = BTreeSet::new();
        for (x, at) in tries {
            if !seen.insert(x.to_bits()) {
                continue;
            }
            let text = set_number(&loaded.source, &fp, x, &defaults).map_err(|m| entry_error(loaded, j, None, m))?;
            scenario::load_text(&text, &loaded.path).map_err(|e| {
                let at = if is_structural(&e) {
                    format!("sweep.vary[{j}].path")
                } else {
                    at
                };
                err(loaded, &at, format!("`{path}` = {}: {}", toml_number(x), describe(&e)))
            })?;
        }
    }
    if plan.points > 0 {
        let p = plan.point(0);
        let text = point_text(loaded, plan, &p).map_err(|(j, m)| entry_error(loaded, j, None, m))?;
        scenario::load_text(&text, &loaded.path).map_err(|e| {
            err(
                loaded,
                "sweep",
                format!("point 0 of the plan is not a valid scenario: {}", describe(&e)),
            )
        })?;
    }
    Ok(())
}

/// Unknown fields and wrong types are about the path, not the value.
fn is_structural(e: &Error) -> bool {
    matches!(e, Error::Invalid { msg, .. }
        if ["unknown field", "invalid type", "unknown muscle group", "unknown DOF", "not used by"]
            .iter()
            .any(|s| msg.contains(s)))
}

/// An error of a derived scenario, without its location (which is in the derived text, not the user's file).
fn describe(e: &Error) -> String {
    match e {
        Error::Invalid { path, msg, .. } => format!("`{path}`: {msg}"),
        other => other.to_string(),
    }
}

/// A location-free error about the command line or the output folder.
pub(crate) fn usage(what: impl AsRef<Path>, msg: impl Into<String>) -> Error {
    Error::io(
        what.as_ref(),
        std::io::Error::new(std::io::ErrorKind::InvalidInput, msg.into()),
    )
}
