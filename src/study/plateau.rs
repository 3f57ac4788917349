//! `sprintlab plateau SWEEP_DIR`: the plateau experiment's analysis (docs/design.md §1, §5) from a merged sweep of
//! re-optimised points over contributor strengths (`scenarios/plateau.toml`).
//!
//! Each point is placed in an arm: (a) `push` varies with swing, arms and torso at 1.0; (b) all four at the same
//! level (the 1.0 point belongs to both). Per arm and level the seed spread of every push measure (mean, sd,
//! Student-t 95 % CI), how many seeds kept their balance, and how close the runs came to each balance limit. The
//! finding: the push gain from each level to the next with its CI, and the level from which push stops rising
//! (no later gain significantly above zero) — or none; since single 0.2× steps are rarely significant with 3
//! seeds, also the least-squares slope of push over strength from 1.0× up and over the three highest levels (every
//! seed's run a point), the gap between the arms at each level and the difference of their slopes.
//!
//! Writes `plateau.csv` and `plateau_summary.json` in SWEEP_DIR (atomically); `sprintlab figures SWEEP_DIR` then
//! draws `figures/plateau.{svg,png}`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::export::read::TextTable;
use crate::export::tables::CsvText;
use crate::io::{format_f64, write_atomic, write_json};
use crate::measure::stats::{mean_difference, slope, spread, t975, Slope, Spread};

/// The push measures reported per level; the first is the one the plateau is judged on (the objective's push).
pub const MEASURES: [&str; 5] = [
    "mean_net_horizontal_impulse",
    "mean_propulsive_impulse",
    "mean_stance_vertical_force_bw",
    "speed_gained",
    "mean_speed",
];

/// Balance limits, as `balance_usage_<name>` columns of the sweep.
pub const LIMITS: [&str; 4] = ["pelvis_drop", "trunk_pitch", "trunk_roll", "trunk_yaw"];

/// A limit counts as binding when a run used this fraction of it or more.
pub const BINDING_USAGE: f64 = 0.9;

/// One (arm, level) cell.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// `a` (push only) or `b` (all contributors).
    pub arm: String,
    /// Pushing-side strength factor.
    pub level: f64,
    /// Seeds run.
    pub n: usize,
    /// Seeds whose best run kept its balance for the whole horizon.
    pub balanced: usize,
    /// Spread over seeds of each measure in [`MEASURES`].
    pub measures: BTreeMap<String, Spread>,
    /// Largest usage over seeds of each balance limit (fraction of the limit).
    pub usage: BTreeMap<String, f64>,
    /// Limits lost or used ≥ [`BINDING_USAGE`] by any seed.
    pub binding: Vec<String>,
    /// A best-of-N sweep (`[optimize] runs` > 1): the runs behind the level's points (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<LevelRuns>,
}

/// The independent optimisations behind a level of a best-of-N sweep (docs/optimiser.md, "Best of N").
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LevelRuns {
    /// Runs over all the level's points (seeds × N).
    pub runs: usize,
    /// Of those, runs that reached their point's best within `runs_tolerance`.
    pub reached_best: usize,
    /// Points whose best run converged.
    pub best_converged: usize,
    /// The worst run's best cost (cost units).
    pub cost_worst: f64,
}

impl LevelRuns {
    /// Its columns in `plateau.csv`, written only for a best-of-N sweep.
    const COLUMNS: [&'static str; 4] = ["runs", "runs_reached_best", "best_runs_converged", "cost_worst"];

    /// Adds one point's row.
    fn add(self, p: LevelRuns) -> LevelRuns {
        LevelRuns {
            runs: self.runs + p.runs,
            reached_best: self.reached_best + p.reached_best,
            best_converged: self.best_converged + p.best_converged,
            cost_worst: self.cost_worst.max(p.cost_worst),
        }
    }
}

/// The gain in push from one level to the next of an arm.
#[derive(Debug, Clone, Serialize)]
pub struct Gain {
    /// From level.
    pub from: f64,
    /// To level.
    pub to: f64,
    /// Difference of the means.
    pub gain: f64,
    /// Welch-style 95 % half-width: t(0.975, n₁ + n₂ − 2)·√(s₁²/n₁ + s₂²/n₂) ([`mean_difference`]).
    pub ci95: f64,
    /// Whether the gain is significantly above zero (gain − ci95 > 0).
    pub rising: bool,
}

/// One arm's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ArmFinding {
    /// Arm name.
    pub arm: String,
    /// Consecutive gains.
    pub gains: Vec<Gain>,
    /// Whether push has reached a plateau within the levels run: the slope over the three highest levels
    /// ([`ArmFinding::slope_top`]) is not significantly above zero (slope − 95 % CI ≤ 0). This is the finding's
    /// definition (docs/study.md).
    pub plateau: bool,
    /// The level from which no single step gain (level to next level) is significantly positive; `None` if the
    /// last step gain is. Single 0.2× steps are rarely significant with 3 seeds, so this is not the plateau
    /// verdict (see [`ArmFinding::plateau`]).
    pub step_gains_stop_from: Option<f64>,
    /// Push at the lowest, 1.0 and the highest level (mean ± CI).
    pub push_low: Spread,
    /// See `push_low`.
    pub push_at_1: Option<Spread>,
    /// See `push_low`.
    pub push_high: Spread,
    /// Levels at which some seed lost balance or used ≥ 90 % of a limit.
    pub balance_limited_levels: Vec<f64>,
    /// Slope of push (N·s per stance per 1.0× of strength) over every run at levels ≥ 1.0.
    pub slope_from_1: Slope,
    /// Slope of push over every run at the three highest levels: about zero on a plateau.
    pub slope_top: Slope,
}

/// Push of arm (b) minus arm (a) at a level both arms have (1.0× is one shared point and is left out).
#[derive(Debug, Clone, Serialize)]
pub struct ArmGap {
    /// Pushing-side strength factor.
    pub level: f64,
    /// Difference of the means, b − a (N·s per stance).
    pub gap: f64,
    /// Welch-style 95 % half-width, as [`Gain::ci95`].
    pub ci95: f64,
}

/// The definition of a plateau that [`ArmFinding::plateau`] applies, as printed and written.
pub const PLATEAU_DEFINITION: &str = "a plateau: the least-squares slope of push over strength at the three highest \
    levels (every seed's run a point) is not significantly above zero (slope - 95 % CI <= 0)";

/// What `sprintlab plateau` prints: one paragraph per arm (push at the lowest and highest level, the slopes, the
/// verdict by [`PLATEAU_DEFINITION`], where single step gains stop being significant), then the table written.
pub fn report(findings: &[ArmFinding], dir: &Path) -> String {
    let ci = |s: &Spread| format!("{:.2} ± {:.2}", s.mean, s.ci95);
    let sl = |s: &Slope| format!("{:.1} ± {:.1}", s.slope, s.ci95);
    let mut out = format!("push: {} (N·s per stance); {PLATEAU_DEFINITION}\n", MEASURES[0]);
    for f in findings {
        let high = f.gains.last().map_or(f64::NAN, |g| g.to);
        out += &format!(
            "arm {}: push {} at the lowest level, {} at {high:.1}x; slope from 1.0x {}, over the three highest levels {} \
             N·s per stance per 1.0x: {}; single step gains {}\n",
            f.arm,
            ci(&f.push_low),
            ci(&f.push_high),
            sl(&f.slope_from_1),
            sl(&f.slope_top),
            if f.plateau {
                format!("a plateau within {high:.1}x")
            } else {
                format!("still rising, no plateau within {high:.1}x")
            },
            match f.step_gains_stop_from {
                Some(l) => format!("not significant from {l:.1}x on"),
                None => "significant up to the highest level".into(),
            }
        );
    }
    out + &format!("wrote {}", dir.join("plateau.csv").display())
}

/// The analysis of a plateau sweep folder. Returns the levels and findings.
pub fn plateau(dir: &Path) -> Result<(Vec<Level>, Vec<ArmFinding>), Error> {
    let path = dir.join("sweep.csv");
    let bad = |line: usize, msg: String| Error::Data {
        file: path.display().to_string(),
        line,
        msg,
    };
    let t = TextTable::read(&path)?;
    let head = &t.head;
    let col = |name: &str| {
        head.iter().position(|h| h == name).ok_or_else(|| {
            bad(
                1,
                format!("no column `{name}` (is this a merged plateau sweep? run `sprintlab merge`)"),
            )
        })
    };
    let strength: Vec<usize> = ["push", "swing", "arms", "torso"]
        .iter()
        .map(|c| col(&format!("strength.{c}")))
        .collect::<Result<_, _>>()?;
    let measure_cols: Vec<usize> = MEASURES.iter().map(|m| col(m)).collect::<Result<_, _>>()?;
    let usage_cols: Vec<usize> = LIMITS
        .iter()
        .map(|l| col(&format!("balance_usage_{l}")))
        .collect::<Result<_, _>>()?;
    let (status, reason) = (col("status")?, col("balance_reason")?);
    // A best-of-N sweep's rows end with the spread over each point's runs.
    let runs_cols: Option<Vec<usize>> = ["runs", "runs_reached_best", "best_run_converged", "cost_worst"]
        .iter()
        .map(|c| head.iter().position(|h| h == c))
        .collect();
    // (arm, level bits) → rows of (measures, usages, balanced, reason, runs)
    type Cell = Vec<(Vec<f64>, Vec<f64>, bool, String, Option<LevelRuns>)>;
    let mut cells: BTreeMap<(String, u64), Cell> = BTreeMap::new();
    // arm → (level, push) of every run, for the slopes
    let mut runs: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for (k, r) in t.rows.iter().enumerate() {
        let line = t.lines[k];
        let num = |c: usize| t.number(k, c);
        let s: Vec<f64> = strength.iter().map(|&c| num(c)).collect::<Result<_, _>>()?;
        let mut arms = Vec::new();
        if s[1] == 1.0 && s[2] == 1.0 && s[3] == 1.0 {
            arms.push("a");
        }
        if s.iter().all(|x| *x == s[0]) {
            arms.push("b");
        }
        if arms.is_empty() {
            return Err(bad(
                line,
                format!("strengths {s:?} are in neither arm: (a) swing = arms = torso = 1, or (b) all four equal"),
            ));
        }
        let m: Vec<f64> = measure_cols.iter().map(|&c| num(c)).collect::<Result<_, _>>()?;
        let u: Vec<f64> = usage_cols.iter().map(|&c| num(c)).collect::<Result<_, _>>()?;
        let held = &r[status] == "completed";
        let point_runs = match &runs_cols {
            Some(c) => Some(LevelRuns {
                runs: num(c[0])? as usize,
                reached_best: num(c[1])? as usize,
                best_converged: usize::from(&r[c[2]] == "true"),
                cost_worst: num(c[3])?,
            }),
            None => None,
        };
        for a in arms {
            runs.entry(a.to_string()).or_default().push((s[0], m[0]));
            cells.entry((a.to_string(), s[0].to_bits())).or_default().push((
                m.clone(),
                u.clone(),
                held,
                r[reason].to_string(),
                point_runs,
            ));
        }
    }
    let mut levels: Vec<Level> = cells
        .into_iter()
        .map(|((arm, bits), rows)| {
            let measures = MEASURES
                .iter()
                .enumerate()
                .map(|(k, m)| (m.to_string(), spread(&rows.iter().map(|r| r.0[k]).collect::<Vec<_>>())))
                .collect();
            let usage: BTreeMap<String, f64> = LIMITS
                .iter()
                .enumerate()
                .map(|(k, l)| (l.to_string(), rows.iter().map(|r| r.1[k]).fold(0.0, f64::max)))
                .collect();
            let mut binding: Vec<String> = usage
                .iter()
                .filter(|(_, u)| **u >= BINDING_USAGE)
                .map(|(l, _)| l.clone())
                .collect();
            for r in rows.iter().filter(|r| !r.2 && !r.3.is_empty()) {
                let lost = format!("lost: {}", r.3);
                if !binding.contains(&lost) {
                    binding.push(lost);
                }
            }
            Level {
                arm,
                level: f64::from_bits(bits),
                n: rows.len(),
                balanced: rows.iter().filter(|r| r.2).count(),
                measures,
                usage,
                binding,
                runs: rows.iter().map(|r| r.4).reduce(|a, b| Some(a?.add(b?))).flatten(),
            }
        })
        .collect();
    levels.sort_by(|a, b| a.arm.cmp(&b.arm).then(a.level.total_cmp(&b.level)));
    let findings: Vec<ArmFinding> = ["a", "b"]
        .iter()
        .filter_map(|arm| {
            let ls: Vec<&Level> = levels.iter().filter(|l| l.arm == *arm).collect();
            if ls.is_empty() {
                return None;
            }
            let push = |l: &Level| l.measures[MEASURES[0]];
            let pts = &runs[*arm];
            let gains: Vec<Gain> = ls
                .windows(2)
                .map(|w| {
                    let (gain, ci) = mean_difference(&push(w[0]), &push(w[1]));
                    Gain {
                        from: w[0].level,
                        to: w[1].level,
                        gain,
                        ci95: ci,
                        rising: gain - ci > 0.0,
                    }
                })
                .collect();
            let step_gains_stop_from = match gains.iter().rposition(|g| g.rising) {
                Some(k) if k + 1 == gains.len() => None,
                Some(k) => Some(gains[k].to),
                None => Some(ls[0].level),
            };
            let slope_top = slope(
                &pts.iter()
                    .copied()
                    .filter(|p| p.0 >= ls[ls.len().saturating_sub(3)].level)
                    .collect::<Vec<_>>(),
            );
            Some(ArmFinding {
                arm: arm.to_string(),
                plateau: slope_top.slope - slope_top.ci95 <= 0.0,
                step_gains_stop_from,
                push_low: push(ls[0]),
                push_at_1: ls.iter().find(|l| l.level == 1.0).map(|l| push(l)),
                push_high: push(ls[ls.len() - 1]),
                balance_limited_levels: ls.iter().filter(|l| !l.binding.is_empty()).map(|l| l.level).collect(),
                gains,
                slope_from_1: slope(&pts.iter().copied().filter(|p| p.0 >= 1.0).collect::<Vec<_>>()),
                slope_top,
            })
        })
        .collect();
    write_outputs(dir, &levels, &findings)?;
    Ok((levels, findings))
}

fn write_outputs(dir: &Path, levels: &[Level], findings: &[ArmFinding]) -> Result<(), Error> {
    let mut head = vec!["arm".to_string(), "level".into(), "n".into(), "balanced".into()];
    for m in MEASURES {
        for s in ["mean", "sd", "ci95", "min", "max"] {
            head.push(format!("{m}_{s}"));
        }
    }
    for l in LIMITS {
        head.push(format!("usage_{l}_max"));
    }
    head.push("balance_limited".into());
    let best_of = levels.iter().any(|l| l.runs.is_some());
    if best_of {
        head.extend(LevelRuns::COLUMNS.map(String::from));
    }
    let mut csv = CsvText::new(head)?;
    for l in levels {
        let mut r = vec![
            if l.arm == "a" { "0" } else { "1" }.to_string(),
            format_f64(l.level),
            l.n.to_string(),
            l.balanced.to_string(),
        ];
        for m in MEASURES {
            let s = l.measures[m];
            r.extend([s.mean, s.sd, s.ci95, s.min, s.max].iter().map(|v| format_f64(*v)));
        }
        for lim in LIMITS {
            r.push(format_f64(l.usage[lim]));
        }
        r.push(if l.binding.is_empty() { "0" } else { "1" }.into());
        if best_of {
            let n = l.runs.unwrap_or(LevelRuns {
                cost_worst: f64::NAN,
                ..LevelRuns::default()
            });
            r.extend([
                n.runs.to_string(),
                n.reached_best.to_string(),
                n.best_converged.to_string(),
                format_f64(n.cost_worst),
            ]);
        }
        csv.row(r)?;
    }
    write_atomic(&dir.join("plateau.csv"), &csv.into_bytes()?)?;
    let gaps: Vec<ArmGap> = levels
        .iter()
        .filter(|a| a.arm == "a" && a.level != 1.0)
        .filter_map(|a| {
            let b = levels.iter().find(|b| b.arm == "b" && b.level == a.level)?;
            let (gap, ci95) = mean_difference(&a.measures[MEASURES[0]], &b.measures[MEASURES[0]]);
            Some(ArmGap {
                level: a.level,
                gap,
                ci95,
            })
        })
        .collect();
    // b − a of the slopes from 1.0× (the shared 1.0× runs make the two slightly correlated; ignored).
    let slope_difference = match (
        findings.iter().find(|f| f.arm == "a"),
        findings.iter().find(|f| f.arm == "b"),
    ) {
        (Some(a), Some(b)) => {
            let (sa, sb) = (a.slope_from_1, b.slope_from_1);
            serde_json::json!({
                "difference": sb.slope - sa.slope,
                "ci95": t975((sa.n + sb.n).saturating_sub(4)) * (sa.se.powi(2) + sb.se.powi(2)).sqrt(),
            })
        }
        _ => serde_json::Value::Null,
    };
    let summary = serde_json::json!({
        "arm_gaps": gaps,
        "slope_difference_from_1": slope_difference,
        "push_measure": MEASURES[0],
        "plateau_definition": PLATEAU_DEFINITION,
        "arms": { "0": "a: pushing side varies, swing leg, arms, torso at 1.0", "1": "b: all contributors at the level" },
        "binding_usage": BINDING_USAGE,
        "findings": findings,
        "levels": levels,
    });
    write_json(&dir.join("plateau_summary.json"), &summary)
}
