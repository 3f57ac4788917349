//! Restarts of CMA-ES within one evaluation budget: IPOP (Auger & Hansen 2005) and BIPOP (Hansen 2009), as
//! described in docs/optimiser.md. A [`Sequence`] owns the restart bookkeeping (budgets of both regimes, one
//! [`RunRecord`] per run); it is serialisable and part of the optimiser checkpoint, so a run killed in the
//! middle of a restart sequence resumes exactly.
//!
//! Determinism: run r samples from a PRNG seeded by [`run_seed`]`(seed, r)` (run 0 uses the master seed itself,
//! so a run without restarts is unchanged), and its start point and BIPOP draws U1, U2 come from a separate
//! stream seeded by [`setup_seed`]`(seed, r)`, drawn before the run; none depends on an earlier run's PRNG use.

use serde::{Deserialize, Serialize};

use super::cmaes::{CmaEs, CmaEsConfig};
use super::rng::Rng;
use crate::scenario::{RestartFrom, RestartKind};

/// What a restart sequence is asked to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestartPlan {
    /// `none`, `ipop` or `bipop`.
    pub kind: RestartKind,
    /// Where restarts start (run 0 always starts at `x0`).
    pub from: RestartFrom,
    /// Configuration of run 0: σ0, λ (`None` = default), master seed, box (finite sides are used to draw
    /// restart points), stopping criteria.
    pub base: CmaEsConfig,
    /// Start point of run 0 (and of restarts `from = start`), inside the box.
    pub x0: Vec<f64>,
    /// σ0 of IPOP runs and of BIPOP's large runs.
    pub restart_sigma0: f64,
    /// Number of runs with an increased population after which the sequence ends.
    pub max_restarts: usize,
}

/// One CMA-ES run of a sequence (a row of `restarts.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run index (0 = the first run).
    pub run: usize,
    /// `first`, `large` or `small`.
    pub regime: String,
    /// Population size λ.
    pub lambda: usize,
    /// Initial step size σ0 (search-space units).
    pub sigma0: f64,
    /// BIPOP's U1 (σ0 = restart σ0 · 10^(−2 U1)) for a small run.
    pub u1: Option<f64>,
    /// BIPOP's U2 (λ exponent) for a small run.
    pub u2: Option<f64>,
    /// Seed of the run's sampling PRNG.
    pub seed: u64,
    /// Start point (search space).
    pub x0: Vec<f64>,
    /// Generation cap of the run.
    pub max_iter: u64,
    /// Evaluations of the whole sequence when the run started.
    pub evals_start: u64,
    /// Evaluations of the whole sequence when the run ended (or so far).
    pub evals_end: u64,
    /// Generations of the run.
    pub generations: u64,
    /// Every stopping criterion that held when it ended, in evaluation order (`max_evals` for the budget).
    pub stop: Vec<String>,
    /// Best finite cost of the run.
    pub best: Option<f64>,
    /// Final σ.
    pub final_sigma: f64,
    /// Final effective step σ·√λmax(C) relative to the start (σ0; C starts as the identity).
    pub step_ratio: f64,
    /// Share of the last population that kept balance (scenario runs only).
    pub balanced: Option<f64>,
}

/// The state of a restart sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    /// The plan.
    pub plan: RestartPlan,
    /// Finished runs.
    pub runs: Vec<RunRecord>,
    /// The run in progress (its end fields are filled when it ends).
    pub current: RunRecord,
    /// Evaluations of the small regime so far (BIPOP's B_s; run 0 counts here).
    pub b_small: u64,
    /// Evaluations of the large regime so far (B_l).
    pub b_large: u64,
    /// Runs with an increased population so far.
    pub n_large: usize,
    /// The sequence has ended by a criterion (the reasons are the last run's `stop`).
    pub finished: bool,
    /// Share of the last population that kept balance, for the record (scenario runs only).
    #[serde(default)]
    pub last_balanced: Option<f64>,
}

/// A 64-bit mix (splitmix64's finaliser).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seed of run r's sampling PRNG: the master seed for r = 0, a mix of (seed, r) otherwise.
pub fn run_seed(seed: u64, r: usize) -> u64 {
    if r == 0 {
        seed
    } else {
        mix(seed ^ mix(r as u64).wrapping_add(0x9E37_79B9_7F4A_7C15))
    }
}

/// Seed of run r's setup stream (start point, U1, U2).
pub fn setup_seed(seed: u64, r: usize) -> u64 {
    mix(run_seed(seed, r) ^ 0x5EED_5EED_5EED_5EED)
}

/// Seed of independent optimisation k of a best-of-N: the master seed for k = 0 (so run 0 is the optimisation
/// `optimize` makes without `runs`), a mix of (seed, k) otherwise, in another stream than [`run_seed`]'s.
pub fn independent_seed(seed: u64, k: usize) -> u64 {
    if k == 0 {
        seed
    } else {
        mix(seed ^ mix((k as u64) ^ 0xB357_0F00_B357_0F00).wrapping_add(0x6A09_E667_F3BC_C909))
    }
}

/// A point drawn uniformly in the box: coordinate i in [lo_i, hi_i] where both are finite, else `x0[i]`.
pub fn draw_in_box(bounds: &[(f64, f64)], x0: &[f64], rng: &mut Rng) -> Vec<f64> {
    (0..x0.len())
        .map(|i| match bounds.get(i) {
            Some(&(lo, hi)) if lo.is_finite() && hi.is_finite() => lo + rng.uniform() * (hi - lo),
            _ => x0[i],
        })
        .collect()
}

impl Sequence {
    /// The sequence at the start of run 0, and run 0's solver.
    pub fn start(plan: RestartPlan) -> Result<(Sequence, CmaEs), String> {
        let es = CmaEs::new(&plan.x0, &plan.base)?;
        let current = Self::record(0, "first", &es, None, None, plan.base.seed, plan.x0.clone(), 0);
        let seq = Sequence {
            plan,
            runs: Vec::new(),
            current,
            b_small: 0,
            b_large: 0,
            n_large: 0,
            finished: false,
            last_balanced: None,
        };
        Ok((seq, es))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        run: usize,
        regime: &str,
        es: &CmaEs,
        u1: Option<f64>,
        u2: Option<f64>,
        seed: u64,
        x0: Vec<f64>,
        evals_start: u64,
    ) -> RunRecord {
        RunRecord {
            run,
            regime: regime.into(),
            lambda: es.lambda(),
            sigma0: es.sigma0(),
            u1,
            u2,
            seed,
            x0,
            max_iter: es.max_iter(),
            evals_start,
            evals_end: evals_start,
            generations: 0,
            stop: Vec::new(),
            best: None,
            final_sigma: es.sigma(),
            step_ratio: 1.0,
            balanced: None,
        }
    }

    /// Evaluations of the whole sequence with `es` the current run's solver.
    pub fn evaluations(&self, es: &CmaEs) -> u64 {
        self.current.evals_start + es.evaluations()
    }

    /// The current run's record with its end fields filled from `es` and the given reasons.
    pub fn closed(&self, es: &CmaEs, stop: Vec<String>) -> RunRecord {
        let mut r = self.current.clone();
        r.evals_end = self.evaluations(es);
        r.generations = es.generation();
        r.stop = stop;
        r.best = es.best().map(|b| b.1);
        r.final_sigma = es.sigma();
        r.step_ratio = es.effective_step() / es.sigma0();
        r.balanced = self.last_balanced;
        r
    }

    /// Every run, the current one closed with `stop` (for `restarts.csv` and the summary).
    pub fn all_runs(&self, es: &CmaEs, stop: Vec<String>) -> Vec<RunRecord> {
        let mut v = self.runs.clone();
        v.push(if self.finished {
            self.current.clone()
        } else {
            self.closed(es, stop)
        });
        v
    }

    /// After a generation: if a stopping criterion of the current run holds, closes the run and either starts
    /// the next one (replacing `*es`) or marks the sequence finished. Call only while budget remains.
    pub fn advance(&mut self, es: &mut CmaEs) -> Result<(), String> {
        let reasons = es.stop_reasons();
        if reasons.is_empty() || self.finished {
            return Ok(());
        }
        let rec = self.closed(es, reasons.iter().map(|s| s.to_string()).collect());
        let used = rec.evals_end - rec.evals_start;
        if rec.regime == "large" {
            self.b_large += used;
        } else {
            self.b_small += used;
        }
        let evals = rec.evals_end;
        self.runs.push(rec);
        if self.plan.kind == RestartKind::None || self.n_large >= self.plan.max_restarts {
            self.finished = true;
            self.current = self.runs.pop().expect("just pushed");
            return Ok(());
        }
        let r = self.runs.len();
        let plan = &self.plan;
        let mut setup = Rng::new(setup_seed(plan.base.seed, r));
        let x0: Vec<f64> = match plan.from {
            RestartFrom::Start => plan.x0.clone(),
            RestartFrom::Box => draw_in_box(&plan.base.bounds, &plan.x0, &mut setup),
        };
        let base_lambda = plan
            .base
            .lambda
            .unwrap_or_else(|| CmaEs::new(&plan.x0, &plan.base).map_or(2, |e| e.lambda()));
        let small = plan.kind == RestartKind::Bipop && r >= 2 && self.b_small < self.b_large;
        let mut cfg = plan.base.clone().seed(run_seed(plan.base.seed, r));
        let (regime, u1, u2) = if small {
            let (u1, u2) = (setup.uniform(), setup.uniform());
            let lambda = ((base_lambda as f64) * 2f64.powf(self.n_large as f64 * u2 * u2)).floor() as usize;
            let lambda = lambda.max(2);
            cfg.sigma0 = plan.restart_sigma0 * 10f64.powf(-2.0 * u1);
            cfg.lambda = Some(lambda);
            let n = plan.base.bounds.iter().filter(|b| b.0 != b.1).count().max(1);
            let cap = plan
                .base
                .stop
                .max_iter
                .unwrap_or_else(|| CmaEs::default_max_iter(n, lambda));
            cfg.stop.max_iter = Some(cap.min((0.5 * self.b_large as f64 / lambda as f64).floor().max(1.0) as u64));
            ("small", Some(u1), Some(u2))
        } else {
            self.n_large += 1;
            cfg.sigma0 = plan.restart_sigma0;
            cfg.lambda = Some(base_lambda << self.n_large);
            ("large", None, None)
        };
        *es = CmaEs::new(&x0, &cfg)?;
        self.current = Self::record(r, regime, es, u1, u2, cfg.seed, x0, evals);
        self.last_balanced = None;
        Ok(())
    }
}

/// Result of [`minimize`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Best cost found.
    pub best: f64,
    /// Its point.
    pub best_x: Vec<f64>,
    /// Evaluations used.
    pub evaluations: u64,
    /// Every run (the last one closed with `max_evals` or `target` if those ended it).
    pub runs: Vec<RunRecord>,
}

/// Minimises `f` with the restart plan within `max_evals` evaluations, stopping early once the best cost is
/// ≤ `target` (a test function's known optimum): the loop `optimize` runs through argmin's `Executor`, without
/// files, for benchmarks and tests.
pub fn minimize(
    f: &(dyn Fn(&[f64]) -> f64 + Sync),
    plan: RestartPlan,
    max_evals: u64,
    target: Option<f64>,
) -> Result<Outcome, String> {
    let (mut seq, mut es) = Sequence::start(plan)?;
    let mut best: Option<(Vec<f64>, f64)> = None;
    let end = loop {
        if seq.evaluations(&es) >= max_evals {
            break "max_evals";
        }
        if best.as_ref().is_some_and(|b| target.is_some_and(|t| b.1 <= t)) {
            break "target";
        }
        if seq.finished {
            break "";
        }
        let xs = es.ask();
        let costs: Vec<f64> = xs.iter().map(|x| f(x)).collect();
        es.tell(&costs);
        for (x, &c) in xs.iter().zip(&costs) {
            if c.is_finite() && best.as_ref().is_none_or(|b| c < b.1) {
                best = Some((x.clone(), c));
            }
        }
        if seq.evaluations(&es) < max_evals && !best.as_ref().is_some_and(|b| target.is_some_and(|t| b.1 <= t)) {
            seq.advance(&mut es)?;
        }
    };
    let evaluations = seq.evaluations(&es);
    let mut stop: Vec<String> = es.stop_reasons().iter().map(|s| s.to_string()).collect();
    stop.push(end.into());
    let runs = seq.all_runs(&es, stop);
    let (best_x, best) = best.unwrap_or((Vec::new(), f64::INFINITY));
    Ok(Outcome {
        best,
        best_x,
        evaluations,
        runs,
    })
}
