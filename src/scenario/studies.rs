//! The sections of the parameter studies, `[sweep]` (`sprintlab sweep`) and `[strength_mix]` (`sprintlab
//! strength-mix`): part of the scenario file, so they are typed and validated here with the rest of it; the
//! studies themselves (`sweep/`, `study/`) read them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[sweep]`: a parameter study run by `sprintlab sweep` (ignored by every other command).
///
/// ```toml
/// [sweep]
/// design = "grid"          # every combination; the first entry varies slowest
/// replicates = 2           # seeds run.seed, run.seed + 1
///
/// [[sweep.vary]]
/// path = "strength.push"
/// values = [0.6, 0.8, 1.0, 1.2]
///
/// [[sweep.vary]]
/// path = "athlete.mass_kg"
/// min = 60.0
/// max = 90.0
/// steps = 3                # 60, 75, 90
/// ```
///
/// Point `i` of the plan is design point `i / R`, replicate `i % R` (R replicates); its values and seed are a
/// pure function of the scenario, `i` and the master seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepSection {
    /// How the values of the entries combine: `grid` (default: every combination, the first entry varying
    /// slowest), `zip` (the k-th value of every entry together; all entries the same length) or `lhs` (a Latin
    /// hypercube of `samples` points over each entry's [min, max]).
    #[serde(default)]
    pub design: SweepDesign,
    /// The varied fields, in order (`[[sweep.vary]]`). May be empty only with more than one replicate.
    #[serde(default)]
    pub vary: Vec<SweepVary>,
    /// `lhs` only: number of samples (design points), ≥ 1. Required for `lhs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u64>,
    /// Master seed (u64): the Latin hypercube is drawn from it and, unless `seeds` is given, replicate r runs
    /// with `run.seed = seed + r`. Default: `run.seed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Replicates per design point, ≥ 1; replicate r runs with `run.seed = seed + r`. Default 1. Not together
    /// with `seeds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<u64>,
    /// The replicate seeds, given explicitly (distinct u64 values; replicate r runs with `run.seed = seeds[r]`).
    /// Not together with `replicates`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Vec<u64>>,
    /// What each point runs: `simulate` (default: one rollout) or `optimize` (the scenario's free parameters
    /// optimised for this point, e.g. control re-optimised for every strength).
    #[serde(default)]
    pub task: SweepTask,
    /// Write each point's run folder under `points/` (default true). With false a `simulate` sweep keeps only
    /// its CSV rows (same values); `optimize` points always keep their folder (checkpoints).
    #[serde(default = "default_true")]
    pub run_folders: bool,
}

fn default_true() -> bool {
    true
}

/// How the values of the entries combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SweepDesign {
    /// Cartesian product of the entries' values, the first entry varying slowest.
    #[default]
    Grid,
    /// Paired lists: design point k takes the k-th value of every entry.
    Zip,
    /// Latin hypercube: `samples` points; each entry's [min, max] is cut into `samples` equal strata (on a log
    /// scale with `scale = "log"`) and each stratum is used exactly once, at a uniformly drawn position.
    Lhs,
}

/// What each point of a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SweepTask {
    /// One rollout (as `sprintlab simulate`).
    #[default]
    Simulate,
    /// An optimisation of the scenario's free parameters (as `sprintlab optimize`); the row holds the best
    /// solution's measures and parameters.
    Optimize,
}

/// Spacing of generated values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SweepScale {
    /// Evenly spaced values.
    #[default]
    Linear,
    /// Evenly spaced logarithms (`min` > 0), e.g. for `contact.stiffness`.
    Log,
}

/// One varied field (`[[sweep.vary]]`). Give `values`, or `min` + `max` (+ `steps` for `grid`/`zip`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepVary {
    /// Dotted path of a number in the scenario, in the field's own unit: `strength.push`, `athlete.mass_kg`,
    /// `contact.stiffness`, `controller.torques.hip_flex_r`, `initial.velocity[0]`, … The field need not be
    /// written in the file (its default is replaced). Not `run.seed` (use `replicates`/`seeds`), not `sweep.*`.
    pub path: String,
    /// `grid`/`zip`: the values (finite, in the field's unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    /// Lower end (field's unit): the `lhs` range, or the first of `steps` evenly spaced `grid`/`zip` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper end (field's unit), > `min`: the `lhs` range, or the last of the `steps` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// `grid`/`zip` with `min`/`max`: number of evenly spaced values, both ends included, ≥ 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Spacing of `steps` values and of `lhs` strata: `linear` (default) or `log` (`min` > 0).
    #[serde(default)]
    pub scale: SweepScale,
}

/// How the fixed total strength is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MixBudget {
    /// Σ_c S_c·T_c: total isometric torque capacity (N·m), `T_c` the contributor's groups' summed `T_iso · mass`
    /// at strength 1. Moving strength from the legs to the arms then costs what it buys.
    #[default]
    Torque,
    /// Σ_c S_c: the four factors sum to a constant.
    Sum,
}

/// `[strength_mix]`: the outer search of `sprintlab strength-mix` (the inner one is `[optimize]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StrengthMixSection {
    /// How the fixed total is counted: `torque` (default) or `sum`.
    pub budget: MixBudget,
    /// First transfer: the change of the factor of the weaker (smaller-capacity) contributor of the pair; the
    /// other changes by the same budget (dimensionless). Default 0.2, in (0, 1].
    pub step: f64,
    /// The search ends when the transfer is halved below this (dimensionless). Default 0.05, in (0, step].
    pub min_step: f64,
    /// No contributor factor may fall below this (dimensionless). Default 0.3, ≥ 0.
    pub min_factor: f64,
    /// Most mixes evaluated, the start included. Default 40, ≥ 1.
    pub max_mixes: usize,
}

impl Default for StrengthMixSection {
    fn default() -> Self {
        Self {
            budget: MixBudget::Torque,
            step: 0.2,
            min_step: 0.05,
            min_factor: 0.3,
            max_mixes: 40,
        }
    }
}
