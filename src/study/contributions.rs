//! `sprintlab contributions`: Whole-Body Push against Pushing-Leg Force (docs/design.md §1), and each of swing leg,
//! arms and torso removed in turn, with the sprint controller re-optimised in every condition (same scenario,
//! budget and seed). Each condition is an ordinary optimisation folder `OUT/<condition>/` (resumable: rerun the
//! same command after a kill); `OUT/contributions.csv` and `OUT/summary.json` are written once all are done.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;
use crate::export::tables::CsvText;
use crate::io::{format_f64, write_atomic, write_json, Manifest};
use crate::measure::stats::{spread, Spread};
use crate::measure::BalanceUsage;
use crate::optim::best_of::{run_dir, BestOf};
use crate::optim::driver::{optimize, OptimizeOptions};
use crate::scenario::edit::{set_literal, Document, FieldPath};
use crate::scenario::{self, ControllerKind, Loaded};

/// One condition: which contributors receive excitation (the pushing leg always does).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Condition {
    /// Folder and row name.
    pub name: &'static str,
    /// Scale on the swing leg's excitations (`controller.sprint.swing_excitation`).
    pub swing: f64,
    /// Scale on the arms' excitations (`arm_excitation`).
    pub arms: f64,
    /// Scale on the torso's excitations (`torso_excitation`).
    pub torso: f64,
}

/// Whole-Body Push, Pushing-Leg Force, then one contributor removed at a time.
pub const CONDITIONS: [Condition; 5] = [
    Condition {
        name: "whole-body",
        swing: 1.0,
        arms: 1.0,
        torso: 1.0,
    },
    Condition {
        name: "pushing-leg",
        swing: 0.0,
        arms: 0.0,
        torso: 0.0,
    },
    Condition {
        name: "no-swing-leg",
        swing: 0.0,
        arms: 1.0,
        torso: 1.0,
    },
    Condition {
        name: "no-arms",
        swing: 1.0,
        arms: 0.0,
        torso: 1.0,
    },
    Condition {
        name: "no-torso",
        swing: 1.0,
        arms: 1.0,
        torso: 0.0,
    },
];

const SWITCHES: [&str; 3] = ["swing_excitation", "arm_excitation", "torso_excitation"];

/// The scenario text of a condition: the three contributor switches written as the first entries of
/// `[controller.sprint]` (`toml_edit`; every other line stays as written). The scenario must not set them itself
/// (the study sets them).
pub fn condition_text(source: &str, c: &Condition) -> Result<String, String> {
    let mut doc = Document::parse(source)?;
    if !doc.contains(&["controller", "sprint"]) {
        return Err("the contributions study needs a [controller.sprint] table".into());
    }
    if let Some(k) = SWITCHES.iter().find(|k| doc.contains(&["controller", "sprint", k])) {
        return Err(format!(
            "the contributions study sets {} itself; remove `{k}` from [controller.sprint]",
            SWITCHES.join(", ")
        ));
    }
    let values = [c.swing, c.arms, c.torso].map(format_f64);
    let entries: Vec<(&str, &str)> = SWITCHES
        .iter()
        .copied()
        .zip(values.iter().map(String::as_str))
        .collect();
    doc.set_first(&["controller", "sprint"], &entries, false)?;
    Ok(doc.to_string())
}

/// One row of `contributions.csv`: a condition's re-optimised best, measured.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The condition.
    pub condition: Condition,
    /// The optimiser's seed (`run.seed`).
    pub seed: u64,
    /// Its re-optimised best.
    #[serde(flatten)]
    pub best: BestOutcome,
}

/// What an optimisation folder's best rollout achieved (from its `summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct BestOutcome {
    /// Best cost found.
    pub cost: f64,
    /// Whether the best rollout kept its balance for the whole run.
    pub balance_held: bool,
    /// Why balance was lost (`pelvis-too-low`, `trunk-yaw`, …), empty when held.
    pub balance_reason: String,
    /// Simulated time before the run ended (s).
    pub survived: f64,
    /// The push measures of the best rollout (docs/design.md §1), by name: mean propulsive, net horizontal impulse per
    /// stance (N·s), stance-averaged vertical force (BW), speed gained and mean speed (m/s), stances, and how
    /// close it came to each balance limit (`balance_usage_*`, fraction of the limit).
    pub measures: BTreeMap<String, f64>,
    /// Best-of-N (`[optimize] runs` > 1): the spread over the runs, their convergence (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_of: Option<BestOf>,
}

impl BestOutcome {
    /// Its columns in the study tables (`contributions.csv`, `mixes.csv`): cost, balance, survived time, then
    /// [`MEASURES`] and [`EXTRA`], then with `best_of` (some row is a best-of-N) [`BestOf::COLUMNS`].
    pub fn columns(best_of: bool) -> impl Iterator<Item = &'static str> {
        ["cost", "balance_held", "balance_reason", "survived"]
            .into_iter()
            .chain(MEASURES)
            .chain(EXTRA)
            .chain(BestOf::COLUMNS.into_iter().filter(move |_| best_of))
    }

    /// Whether some of `outcomes` is a best-of-N (the tables then get [`BestOf::COLUMNS`]).
    pub fn any_best_of<'a>(mut outcomes: impl Iterator<Item = &'a BestOutcome>) -> bool {
        outcomes.any(|o| o.best_of.is_some())
    }

    /// Its fields in [`BestOutcome::columns`] order (floats in their exact text form; a single optimisation's
    /// best-of-N fields blank).
    pub fn fields(&self, best_of: bool) -> Vec<String> {
        let mut f = vec![
            format_f64(self.cost),
            self.balance_held.to_string(),
            self.balance_reason.clone(),
            format_f64(self.survived),
        ];
        f.extend(
            MEASURES
                .iter()
                .chain(EXTRA.iter())
                .map(|k| format_f64(self.measures[*k])),
        );
        if best_of {
            f.extend(match &self.best_of {
                Some(b) => b.fields(),
                None => vec![String::new(); BestOf::COLUMNS.len()],
            });
        }
        f
    }
}

/// The push measures every study reports, in column order.
pub const MEASURES: [&str; 5] = [
    "mean_propulsive_impulse",
    "mean_net_horizontal_impulse",
    "mean_stance_vertical_force_bw",
    "speed_gained",
    "mean_speed",
];

/// The columns after the push measures: stances, then the balance usages.
pub const EXTRA: [&str; 5] = [
    "stances",
    "balance_usage_pelvis_drop",
    "balance_usage_trunk_pitch",
    "balance_usage_trunk_roll",
    "balance_usage_trunk_yaw",
];

/// Reads the best rollout's outcome of a finished optimisation folder.
pub fn read_best(dir: &Path) -> Result<BestOutcome, Error> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::io(
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        )
    })?;
    let m = &v["measures"];
    let mut measures: BTreeMap<String, f64> = MEASURES
        .iter()
        .map(|k| (k.to_string(), m[*k].as_f64().unwrap_or(f64::NAN)))
        .collect();
    measures.insert(
        "stances".into(),
        m["stances"].as_array().map_or(0.0, |a| a.len() as f64),
    );
    for (k, _) in BalanceUsage::default().fields() {
        measures.insert(
            format!("balance_usage_{k}"),
            m["balance_usage"][k].as_f64().unwrap_or(f64::NAN),
        );
    }
    Ok(BestOutcome {
        cost: m["cost"].as_f64().unwrap_or(f64::NAN),
        balance_held: m["balance_lost"].is_null(),
        balance_reason: m["balance_lost"]["reason"]["kind"].as_str().unwrap_or("").to_string(),
        survived: m["survived"].as_f64().unwrap_or(f64::NAN),
        measures,
        best_of: BestOf::from_summary(&v),
    })
}

/// Runs (or resumes) one optimisation into `dir`: skipped when finished (`summary.json`) with this budget,
/// resumed from its checkpoint (also a finished run given a larger budget: it is extended), restarted when killed
/// before the first checkpoint.
pub fn optimize_into(scenario: &Loaded, dir: &Path, max_evals: Option<usize>) -> Result<BestOutcome, Error> {
    let budget = max_evals.unwrap_or(scenario.scenario.optimize.max_evals);
    if !dir.join("summary.json").is_file() || checkpoint_budget(dir).is_some_and(|b| b != budget) {
        // A best-of-N keeps its checkpoints in its runs' folders.
        let resume = dir.join("checkpoint.json").is_file() || dir.join("runs").is_dir();
        if dir.exists() && !resume {
            std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let opts = OptimizeOptions {
            out: Some(dir.to_path_buf()),
            resume,
            seed: None,
            max_evals,
            interrupt: None,
            on_generation: None,
        };
        optimize(scenario, &opts)?;
    }
    read_best(dir)
}

/// The budget recorded in `dir/checkpoint.json` (a best-of-N: its run 0's), if readable.
fn checkpoint_budget(dir: &Path) -> Option<usize> {
    let path = match dir.join("runs").is_dir() {
        true => run_dir(dir, 0).join("checkpoint.json"),
        false => dir.join("checkpoint.json"),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("max_evals")?.as_u64().map(|b| b as usize)
}

/// Runs (or resumes) every condition for every seed, then writes `contributions.csv` (one row per condition and
/// seed), `summary.json` (per condition the seed spread of every measure, and of the paired differences
/// whole-body − condition) and `manifest.json` in `out`. Without `seeds` the scenario's `run.seed` is the one seed
/// and condition folders are `out/<condition>/`; with seeds they are `out/<condition>/seed-<s>/`. `max_evals`
/// overrides the scenario's budget for every condition alike.
pub fn contributions(
    loaded: &Loaded,
    out: &Path,
    max_evals: Option<usize>,
    seeds: Option<&[u64]>,
) -> Result<PathBuf, Error> {
    if loaded.scenario.controller.kind != ControllerKind::Sprint {
        return Err(scenario::invalid(
            &loaded.path,
            &loaded.source,
            "controller.kind",
            "the contributions study needs kind = \"sprint\" (its contributor switches)",
        ));
    }
    let original = std::fs::read_to_string(&loaded.path).map_err(|e| Error::io(&loaded.path, e))?;
    let manifest = Manifest::start(&loaded.path.to_string_lossy(), &loaded.sha256, loaded.scenario.run.seed);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let seed_list: Vec<u64> = seeds.map_or(vec![loaded.scenario.run.seed], <[u64]>::to_vec);
    let mut rows = Vec::new();
    for c in &CONDITIONS {
        let text = condition_text(&original, c)
            .map_err(|m| scenario::invalid(&loaded.path, &original, "controller.sprint", m))?;
        for &seed in &seed_list {
            let text = if seeds.is_some() {
                let p = FieldPath::parse("run.seed").expect("a valid path");
                set_literal(&text, &p, &seed.to_string(), &|_| None)
                    .map_err(|m| scenario::invalid(&loaded.path, &original, "run.seed", m))?
            } else {
                text.clone()
            };
            // Loaded under the scenario's own path, so that its relative paths (model, start) resolve as written.
            let cond = scenario::load_text(&text, &loaded.path)?;
            let dir = match seeds {
                Some(_) => out.join(c.name).join(format!("seed-{seed}")),
                None => out.join(c.name),
            };
            eprintln!("contributions: condition {}, seed {seed}", c.name);
            let best = optimize_into(&cond, &dir, max_evals)?;
            rows.push(Row {
                condition: *c,
                seed,
                best,
            });
        }
    }
    write_outputs(out, &rows, manifest)?;
    Ok(out.to_path_buf())
}

fn write_outputs(out: &Path, rows: &[Row], mut manifest: Manifest) -> Result<(), Error> {
    let head = [
        "condition",
        "seed",
        "swing_excitation",
        "arm_excitation",
        "torso_excitation",
    ];
    let best_of = BestOutcome::any_best_of(rows.iter().map(|r| &r.best));
    let mut csv = CsvText::new(head.into_iter().chain(BestOutcome::columns(best_of)))?;
    for r in rows {
        let c = &r.condition;
        let mut fields = vec![c.name.to_string(), r.seed.to_string()];
        fields.extend([c.swing, c.arms, c.torso].map(format_f64));
        fields.extend(r.best.fields(best_of));
        csv.row(fields)?;
    }
    write_atomic(&out.join("contributions.csv"), &csv.into_bytes()?)?;
    // Per condition: the seed spread of each measure; whole-body − condition paired by seed.
    fn of<'a>(rows: &'a [Row], name: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
        rows.iter().filter(move |r| r.condition.name == name)
    }
    let mut conditions = Vec::new();
    let mut differences = BTreeMap::new();
    for c in &CONDITIONS {
        let measures: BTreeMap<&str, Spread> = MEASURES
            .iter()
            .chain(EXTRA.iter())
            .chain(["cost", "survived"].iter())
            .map(|k| {
                let xs: Vec<f64> = of(rows, c.name).map(|r| value(r, k)).collect();
                (*k, spread(&xs))
            })
            .collect();
        conditions.push(serde_json::json!({
            "condition": c,
            "seeds": of(rows, c.name).map(|r| r.seed).collect::<Vec<_>>(),
            "balance_held": of(rows, c.name).filter(|r| r.best.balance_held).count(),
            "balance_reasons": of(rows, c.name).map(|r| r.best.balance_reason.clone()).collect::<Vec<_>>(),
            "measures": measures,
        }));
        if c.name != CONDITIONS[0].name {
            let diff: BTreeMap<&str, Spread> = MEASURES
                .iter()
                .map(|k| {
                    let xs: Vec<f64> = of(rows, CONDITIONS[0].name)
                        .filter_map(|w| {
                            of(rows, c.name)
                                .find(|r| r.seed == w.seed)
                                .map(|r| value(w, k) - value(r, k))
                        })
                        .collect();
                    (*k, spread(&xs))
                })
                .collect();
            differences.insert(format!("whole-body minus {}", c.name), diff);
        }
    }
    let summary = serde_json::json!({
        "conditions": conditions,
        "differences": differences,
        "rows": rows,
        "note": "each condition's control re-optimised (same scenario and budget) for every seed; spreads are over \
                 seeds (ci95: Student's t half-width of the mean); differences are paired by seed",
    });
    write_json(&out.join("summary.json"), &summary)?;
    manifest.finish();
    write_json(&out.join("manifest.json"), &manifest)
}

/// A row's measure, or its cost / survived time.
fn value(r: &Row, k: &str) -> f64 {
    match k {
        "cost" => r.best.cost,
        "survived" => r.best.survived,
        _ => r.best.measures[k],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The shipped study scenario under every condition gives the text the hand-written editing gave before
    /// `toml_edit` (compared on every shipped scenario, then pinned here): the scenario hashes of the committed
    /// checkpoints (results/contributions) depend on it.
    #[test]
    fn condition_text_is_unchanged_for_the_shipped_study() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/contributions.toml");
        // As committed before issue 16 pinned the rigid body (the pins are lines of their own, left as they are).
        let text = crate::scenario::without_rigid_body_pins(&std::fs::read_to_string(path).unwrap());
        let sums: Vec<String> = CONDITIONS
            .iter()
            .map(|c| format!("{:x}", Sha256::digest(condition_text(&text, c).unwrap().as_bytes())))
            .collect();
        assert_eq!(
            sums,
            [
                "99bca42e760926ddbfbc2c8bddf6d44c206867c79344341196ca74ea1ea5a986",
                "8994ace0f911fcdeb64097f1920a0faace7a4671cbfbacd5ca6b159b225e0082",
                "54d4d00d5614328586fb6640a98fe21f2121f639bf8e78d53975b82e7f01df57",
                "6a5a12ed97fb4233500d0b4833d886474ebd9d6546ff993a15b83b1235d5d62d",
                "d331eef0b8b018feae9159d9fc3efef74f979449edb15ca8fbd4708688ff3d91",
            ]
        );
        let with_switch = text.replace("[controller.sprint]\n", "[controller.sprint]\narm_excitation = 0.5\n");
        assert!(condition_text(&with_switch, &CONDITIONS[0])
            .unwrap_err()
            .contains("remove `arm_excitation` from [controller.sprint]"));
        assert!(condition_text("[controller]\nkind = \"sprint\"\n", &CONDITIONS[0])
            .unwrap_err()
            .contains("needs a [controller.sprint] table"));
    }
}
