//! The scenario file (TOML): every field with its unit, default and allowed range.
//!
//! Unknown keys are errors everywhere. Paths are relative to the scenario file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::generators::Profile;

/// `[world]`, `[activation]`, `[contact]` and `[strength]` are the simulator's and the model's own settings
/// (one type each, deserialised here, used there).
pub use crate::model::{ContactParams as ContactSection, Strengths as StrengthSection};
pub use crate::sim::{ActivationDynamics as ActivationSection, WorldSettings as WorldSection};

/// A scenario: which body, which world, which controller, how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The body model. Default: the built-in default athlete.
    #[serde(default)]
    pub model: ModelSection,
    /// Anthropometry of the default athlete (ignored for model files and `sprinter12`).
    #[serde(default)]
    pub athlete: AthleteSection,
    /// Gravity, ground and time step.
    #[serde(default)]
    pub world: WorldSection,
    /// Foot–ground contact law.
    #[serde(default)]
    pub contact: ContactSection,
    /// Contributor and muscle-group strengths.
    #[serde(default)]
    pub strength: StrengthSection,
    /// Activation dynamics of the torque generators.
    #[serde(default)]
    pub activation: ActivationSection,
    /// Initial state.
    #[serde(default)]
    pub initial: InitialSection,
    /// The controller. Required.
    pub controller: ControllerSection,
    /// Duration and output sampling. Required.
    pub run: RunSection,
    /// Optimiser settings (`sprintlab optimize`).
    #[serde(default)]
    pub optimize: OptimizeSection,
    /// What an optimisation minimises: weights on the rollout's measures.
    #[serde(default)]
    pub objective: ObjectiveSection,
    /// A parameter study (`sprintlab sweep`): the varied fields, their design and replicates. Ignored by the other
    /// commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<super::SweepSection>,
    /// The strength-mix search (`sprintlab strength-mix`): budget and step sizes. Ignored by the other commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength_mix: Option<super::StrengthMixSection>,
    /// External pushes on a segment (`[[perturbation]]`, any number): robustness tests. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perturbation: Vec<PerturbationSection>,
}

/// `[[perturbation]]`: a constant external force on one segment, at its centre of mass, for a while — a shove
/// (e.g. the 50 N lateral push for 0.1 s of a robustness test).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerturbationSection {
    /// Segment pushed, by name. Default `pelvis`.
    #[serde(default = "default_push_segment")]
    pub segment: String,
    /// Force (N, world frame: x forward, y left, z up), each component within ±10 000. Required.
    pub force: [f64; 3],
    /// How long it acts (s), (0, 10]. Required.
    pub duration: f64,
    /// When it starts (s), [0, 3600]. Give this or `start_between`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// `[earliest, latest]` (s): the start is drawn uniformly in it from `run.seed`, so the seed chooses the step
    /// and the moment of the stride the push meets. The resolved scenario of a run records the drawn `start` next
    /// to it (a `start` given with it must lie in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_between: Option<[f64; 2]>,
}

fn default_push_segment() -> String {
    "pelvis".into()
}

/// Solvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SolverKind {
    /// CMA-ES (Hansen 2016), bounds by transformation, population evaluated in parallel; checkpoints and
    /// `--resume`.
    #[default]
    CmaEs,
    /// argmin's Nelder–Mead simplex (serial; points clamped into the bounds; no resume).
    NelderMead,
    /// argmin's particle swarm (`population` particles, default 20, evaluated in parallel; no resume).
    ParticleSwarm,
}

/// `[optimize]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OptimizeSection {
    /// Solver: `cma-es` (default), `nelder-mead` or `particle-swarm`.
    pub solver: SolverKind,
    /// Evaluation budget (rollouts), ≥ 1. Default 1000.
    pub max_evals: usize,
    /// Population size λ, ≥ 2. Default 4 + ⌊3 ln n⌋ (n = number of free parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<usize>,
    /// Write a checkpoint every this many generations, ≥ 1. Default 1.
    pub checkpoint_every: usize,
    /// Off a terminal, print a progress line every this many generations, ≥ 1. Default 10.
    pub progress_every: usize,
    /// Warm start: a parameter file (an earlier stage's `best.toml`; path relative to this scenario file) whose
    /// values become the `init` of this scenario's matching ranges (each must lie inside its range); values for
    /// paths that are plain numbers here replace them. Its SHA-256 is folded into the scenario hash, so a resumed
    /// run refuses a changed start file. Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// CMA-ES initial step size in units of each range's `std` (0 < sigma0 ≤ 10). Default 1; a warm start
    /// typically uses 0.3.
    pub sigma0: f64,
    /// CMA-ES restarts within the `max_evals` budget: `"none"` (default), `"ipop"` (population doubled at each
    /// restart) or `"bipop"` (IPOP runs interlaced with small-population, small-σ runs; Hansen 2009).
    #[serde(skip_serializing_if = "RestartKind::is_none")]
    pub restarts: RestartKind,
    /// Where a restart starts: `"box"` (default: a point drawn uniformly in the parameter box) or `"start"`
    /// (the scenario's `init` values, the warm start, with `restart_sigma0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_from: Option<RestartFrom>,
    /// σ0 of restarts (IPOP runs and BIPOP's large runs; small runs draw theirs below it), in units of `std`,
    /// 0 < restart_sigma0 ≤ 10. Default: `sigma0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_sigma0: Option<f64>,
    /// Number of restarts with a larger population (IPOP restarts; BIPOP's large runs), ≥ 1. Default 9.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_restarts: Option<usize>,
    /// `[optimize.stop]`: CMA-ES stopping criteria (see docs/optimiser.md). Default: the reference defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<StopSection>,
    /// Best-of-N: independent CMA-ES optimisations (each with its own `max_evals` budget and restarts), run k
    /// seeded from (`run.seed`, k); the result is the best run's (docs/optimiser.md, "Best of N"), ≥ 1.
    /// Default 1 (one optimisation, as before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
    /// Where runs 1 … N−1 of a best-of-N start: `"start"` (default: the scenario's `init` values, the warm start,
    /// as run 0) or `"box"` (a point drawn uniformly in the parameter box from run k's own stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_from: Option<RestartFrom>,
    /// Best-of-N: a run "reached the best" when its best cost is within this of the best run's (cost units,
    /// ≥ 0). Default 1.0 (in the studies' objective, −2 × push: 0.5 N·s per stance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_tolerance: Option<f64>,
    /// Robust optimisation (`[[optimize.variant]]`, any number): every candidate is also rolled out in each
    /// variant of the scenario, and its cost is the mean over the scenario and its variants (a candidate counts as
    /// balanced only if it keeps balance in all of them). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variant: Vec<VariantSection>,
}

/// `[[optimize.variant]]`: the scenario with some numbers changed and pushes added — a condition the control must
/// also cope with (docs/optimiser.md, "Robust optimisation").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantSection {
    /// Name (in errors and docs).
    pub name: String,
    /// Numbers to change, by dotted path (`"initial.velocity[0]" = 6.3`, `"contact.stiffness" = 2.5e5`); not a
    /// free parameter. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, f64>,
    /// Pushes added (as `[[perturbation]]`). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perturbation: Vec<PerturbationSection>,
}

/// `[optimize] restarts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RestartKind {
    /// One CMA-ES run.
    #[default]
    None,
    /// IPOP-CMA-ES (Auger & Hansen 2005): restart with twice the population.
    Ipop,
    /// BIPOP-CMA-ES (Hansen 2009): large (IPOP) and small runs on equal budgets.
    Bipop,
}

impl RestartKind {
    /// True for `"none"` (not written to a resolved scenario, which therefore stays as before).
    pub fn is_none(&self) -> bool {
        *self == RestartKind::None
    }
}

/// `[optimize] restart_from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RestartFrom {
    /// A point drawn uniformly in the parameter box.
    Box,
    /// The scenario's `init` values (or the warm start).
    Start,
}

/// `[optimize.stop]`: CMA-ES stopping criteria, thresholds in the search space z = (p − init)/std (units of
/// `std`). Defaults are pycma's (Hansen's reference implementation); docs/optimiser.md defines each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StopSection {
    /// TolFun: the costs of the last generation and the best costs of the last 10 + ⌈30n/λ⌉ generations lie
    /// within a range below this. Default 1e-11.
    pub tol_fun: f64,
    /// TolHistFun: the best costs of the last 10 + ⌈30n/λ⌉ generations lie within a range below this.
    /// Default 1e-12.
    pub tol_fun_hist: f64,
    /// TolX: σ·√C_ii and σ·|p_c,i| below this in every coordinate. Default 1e-11.
    pub tol_x: f64,
    /// TolFacUpX: some σ·√C_ii grew beyond this factor times σ0 (σ0 far too small). Default 1e3.
    pub tol_fac_up_x: f64,
    /// TolUpSigma: σ/σ0 beyond this factor times √λmax(C) (creeping). Default 1e20.
    pub tol_up_sigma: f64,
    /// ConditionCov: condition number of C beyond this. Default 1e14.
    pub tol_condition_cov: f64,
    /// Stagnation: generations kept (at least; the window grows to 20 % of the run) before the median of the
    /// newest 30 % of generation-best and generation-median costs is compared with the oldest 30 %. Default
    /// 120 + ⌈30n/λ⌉ (n free parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol_stagnation: Option<u64>,
    /// Flat fitness: the best and the ⌊3λ/4⌋+1-th cost of a generation equal in more than this many
    /// consecutive generations. Default 1.
    pub tol_flat_fitness: u64,
    /// NoEffectAxis: a 0.1σ step along a principal axis of C leaves the mean unchanged. Default true.
    pub no_effect_axis: bool,
    /// NoEffectCoord: a 0.2σ√C_ii step leaves some coordinate of the mean unchanged. Default true.
    pub no_effect_coord: bool,
    /// Generations per CMA-ES run, ≥ 1. Default 100 + ⌊150 (n+3)² / √λ⌋.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_iter: Option<u64>,
}

impl Default for StopSection {
    fn default() -> Self {
        Self {
            tol_fun: 1e-11,
            tol_fun_hist: 1e-12,
            tol_x: 1e-11,
            tol_fac_up_x: 1e3,
            tol_up_sigma: 1e20,
            tol_condition_cov: 1e14,
            tol_stagnation: None,
            tol_flat_fitness: 1,
            no_effect_axis: true,
            no_effect_coord: true,
            max_iter: None,
        }
    }
}

impl Default for OptimizeSection {
    fn default() -> Self {
        Self {
            solver: SolverKind::CmaEs,
            max_evals: 1000,
            population: None,
            checkpoint_every: 1,
            progress_every: 10,
            start: None,
            sigma0: 1.0,
            restarts: RestartKind::None,
            restart_from: None,
            restart_sigma0: None,
            max_restarts: None,
            stop: None,
            runs: None,
            runs_from: None,
            runs_tolerance: None,
            variant: Vec::new(),
        }
    }
}

/// `[objective]`: the cost is `Σ weight × measure + balance × (1 − survived / duration)`. Positive weights
/// penalise, negative weights reward. All default 0 except `balance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectiveSection {
    /// Weight on the mean propulsive impulse per stance, ∫max(Fx, 0) dt (per N·s).
    pub propulsive_impulse: f64,
    /// Weight on the mean net horizontal impulse per stance (per N·s).
    pub net_horizontal_impulse: f64,
    /// Weight on the mean braking impulse per stance, its magnitude −∫min(Fx, 0) dt (per N·s; positive = braking
    /// costs). Default 0.
    pub braking_impulse: f64,
    /// Weight on the mean stance-averaged vertical force (per BW).
    pub stance_vertical_force: f64,
    /// Weight on the forward speed gained, COM vx(end) − vx(0) (per m/s).
    pub speed_gained: f64,
    /// Weight on effort, ∫Σe² dt / duration (excitation-driven) or ∫Σ(τ/τ_max)² dt / duration (per unit).
    pub effort: f64,
    /// Weight on |mean forward COM speed − `target_speed`| over the part of the run that was survived (per m/s).
    pub speed_error: f64,
    /// Target forward speed for `speed_error` and `final_speed_error` (m/s). Default 0.
    pub target_speed: f64,
    /// Weight on |forward COM speed at the end of the survived run − `target_speed`| (per m/s): a gait that holds
    /// its speed, not one that spends the start speed. Default 0.
    pub final_speed_error: f64,
    /// Weight on the COM height lost over the survived run, max(0, z_start − z_end) (per m). Default 0.
    pub height_loss: f64,
    /// Weight on the RMS deviation of the trunk pitch from `trunk_pitch` over the survived run (per rad).
    /// Default 0.
    pub trunk_pitch_error: f64,
    /// Target trunk pitch for `trunk_pitch_error` (rad, forward lean positive). Default 0.
    pub trunk_pitch: f64,
    /// Weight on the left/right step-time asymmetry: |mean step time after a right touchdown − after a left
    /// touchdown| / their mean, over the steps from the fifth on (dimensionless; a limp costs). Default 0.
    pub step_asymmetry: f64,
    /// Weight on the fraction of the run lost to a balance loss (the rollout stops there). Default 1000, so a
    /// fall always costs more than any push gains, and falling later costs less than falling earlier.
    pub balance: f64,
}

impl Default for ObjectiveSection {
    fn default() -> Self {
        Self {
            propulsive_impulse: 0.0,
            net_horizontal_impulse: 0.0,
            braking_impulse: 0.0,
            stance_vertical_force: 0.0,
            speed_gained: 0.0,
            effort: 0.0,
            speed_error: 0.0,
            target_speed: 0.0,
            final_speed_error: 0.0,
            height_loss: 0.0,
            trunk_pitch_error: 0.0,
            trunk_pitch: 0.0,
            step_asymmetry: 0.0,
            balance: 1000.0,
        }
    }
}

/// Which of a DOF's two muscle groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The group that drives the DOF positive (e.g. hip flexors for `hip_flex_*`).
    Positive,
    /// The group that drives it negative (e.g. hip extensors for `hip_flex_*`).
    Negative,
}

/// One excitation burst of the `bursts` controller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurstSpec {
    /// DOF name.
    pub dof: String,
    /// Which of its groups is excited.
    pub direction: Direction,
    /// Start (s since t = 0), within ±10.
    pub onset: f64,
    /// Length (s), [0, 10].
    pub duration: f64,
    /// Excitation, [0, 1].
    pub amplitude: f64,
}

/// Built-in bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Builtin {
    /// Generated from de Leva (1996) for `athlete.height_m` and `athlete.mass_kg`, with passive joint limits
    /// and damping.
    #[default]
    DefaultAthlete,
    /// The MuJoCo/OpenSim peer body (1.80 m, 75 kg), exactly as its spec: no joint limits, no damping.
    Sprinter12,
}

/// `[model]`: a model file or a built-in body (not both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    /// Model file (JSON, sprintlab/sprinter12 spec format), relative to the scenario file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// Built-in body: `default-athlete` (default) or `sprinter12`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
}

/// `[athlete]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AthleteSection {
    /// Stature (m), 1.2–2.3. Default 1.80.
    pub height_m: f64,
    /// Body mass (kg), 30–200. Default 75.
    pub mass_kg: f64,
    // Issue 16 part B (toe segment, strength profile): one block.
    /// Strength profile of the torque generators: `"dynamometer"` (default: `torque-generators.csv`) or
    /// `"sprinter"` (`sprinter-profile.csv`: the Allen 2009 contractile-element set for the six sagittal leg
    /// groups, 10/40 ms activation; sources in the file). Any body; the segments are unchanged.
    #[serde(skip_serializing_if = "Profile::is_default")]
    pub profile: Profile,
    /// Default athlete only: split each foot at the metatarsophalangeal joint into a rear foot and a toe segment
    /// (a passive MTP hinge `mtp_r`/`mtp_l`, contact spheres at the toe tips). Default: true on the default
    /// athlete with the compliant contact model (issue 16), false otherwise; `false` restores the one-piece foot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toe: Option<bool>,
}

impl Default for AthleteSection {
    fn default() -> Self {
        Self {
            height_m: 1.80,
            mass_kg: 75.0,
            profile: Profile::Dynamometer,
            toe: None,
        }
    }
}

/// `[initial]`: the start state (from the model's standing pose, at rest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct InitialSection {
    /// Lift the whole body by this height (m), 0–2. Default 0 (feet touching the ground).
    pub drop_height: f64,
    /// Initial joint angles by DOF name (rad), each within ±π. Default: the model's initial angles.
    pub angles: BTreeMap<String, f64>,
    /// Initial velocity of the whole body (m/s, world frame), each component within ±20: every segment moves
    /// with it (a running touchdown). Default [0, 0, 0].
    pub velocity: [f64; 3],
    /// Initial joint angular velocities by DOF name (rad/s), each within ±50; unlisted DOFs start at 0. A running
    /// touchdown sets the stance hip extending (about −speed / leg length) so the foot lands nearly at rest and
    /// the swing hip flexing. Default: none.
    pub rates: BTreeMap<String, f64>,
}

/// Controller kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ControllerKind {
    /// Fixed joint torques applied directly, bypassing the torque generators (verification).
    ConstantTorque,
    /// PD on target angles delivered through the torque generators (saturates at the strength limit).
    HoldPosture,
    /// Feed-forward excitation bursts on chosen groups; every other group is unexcited (passive joints).
    Bursts,
    /// The phase-based sprint controller with balance feedback (`[controller.sprint]`).
    Sprint,
}

/// `[controller]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControllerSection {
    /// `constant-torque`, `hold-posture`, `bursts` or `sprint`.
    pub kind: ControllerKind,
    /// constant-torque: torque per DOF name (N·m), each within ±1000; unlisted DOFs get 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torques: Option<BTreeMap<String, f64>>,
    /// hold-posture: target angle per DOF name (rad), within ±π. Default: the initial angles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<BTreeMap<String, f64>>,
    /// hold-posture: stiffness per DOF name (N·m/rad), 0–1e5. Default: the model's `pd_standing_kp_kd` when it
    /// has them, else the sprinter12 standing gains scaled by body mass / 75 kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kp: Option<BTreeMap<String, f64>>,
    /// sprint: the controller's parameters (`[controller.sprint]`; every field optional, see the schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sprint: Option<crate::control::SprintParams>,
    /// bursts: the bursts by a name of your choice (`[controller.bursts.hip_ext_r]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bursts: Option<BTreeMap<String, BurstSpec>>,
    /// hold-posture: damping per DOF name (N·m·s/rad), 0–1e4. Default as `kp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kd: Option<BTreeMap<String, f64>>,
}

/// `[run]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Simulated duration (s), (0, 3600]. Required.
    pub duration: f64,
    /// Output sampling interval (s), a multiple of `world.dt`. Default: every step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_every: Option<f64>,
    /// Master seed (recorded in every output; rollouts derive their seeds from it). Default 0.
    #[serde(default)]
    pub seed: u64,
}
