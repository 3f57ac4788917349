//! CMA-ES (covariance matrix adaptation evolution strategy) as an exact, resumable argmin [`Solver`].
//!
//! # Algorithm
//! The (μ/μ_W, λ)-CMA-ES with the default strategy parameters of N. Hansen, *The CMA Evolution Strategy: A
//! Tutorial*, arXiv:1604.00772 (2016), Table 1 and Fig. 6 ("active" CMA: the λ − μ worst samples get negative
//! recombination weights in the rank-μ covariance update), cumulative step-size adaptation, the h_σ stall of the
//! rank-one path and c_m = 1. Two deliberate details, both as in Hansen's `purecma`:
//! - the log step-size change per generation is capped at 1 (a guard against blow-ups in the first generations);
//! - the eigendecomposition of C is recomputed every generation (the tutorial allows doing it lazily; at the
//!   20–60 parameters of controller optimisation it costs microseconds against seconds of rollouts).
//!
//! # Determinism and resumability
//! - [`CmaEs`] holds the *whole* optimiser state — strategy parameters, mean, σ, C and its eigensystem B, D, both
//!   evolution paths, counters, the PRNG ([`Rng`], with its cached spare normal deviate), the best-ever point and
//!   the last sampled population — and is `Serialize + Deserialize + Clone + PartialEq`. All stored floats are
//!   finite (unbounded box sides and a not-yet-known best cost are `None`), so it round-trips through
//!   `serde_json` (with `float_roundtrip`) and binary formats alike, and a restored copy continues
//!   bit-identically.
//! - Sampling is serial from the single PRNG; the cost function only sees the sampled points and its values only
//!   enter through the ranking. Evaluating a population in parallel ([`Problem::bulk_cost`] with rayon, which
//!   preserves order) therefore cannot change the run, whatever the number of threads.
//! - Ranking is a stable sort (ties keep the sampling order). The eigendecomposition is nalgebra's
//!   [`SymmetricEigen`] with eigenpairs sorted by eigenvalue (ties by index).
//! - Results are bit-reproducible for a given binary and platform; `ln`/`exp` come from the platform's libm, so
//!   different platforms may differ in the last bits.
//!
//! # Non-finite costs
//! NaN and ±∞ costs (diverged rollouts) rank after every finite cost (in sampling order) and get weight 0: they
//! never enter the recombination, the active (negative) covariance update or the best-ever record. If fewer than
//! μ costs are finite, the positive weights of the finite ranks are renormalised to sum to 1 (μ_eff of that
//! generation is recomputed for the path normalisation). If no cost of a generation is finite, the distribution
//! is left unchanged and the next generation resamples it; after [`NON_FINITE_LIMIT`] such generations in a row
//! [`CmaEs::should_stop`] reports `"no_finite_cost"`.
//!
//! # Box constraints
//! CMA-ES optimises an unbounded *genotype* x; the cost function sees the *phenotype* y = T(x), which lies in the
//! box [lo, hi] coordinate-wise, exactly as the `BoundTransform` boundary handler of Hansen's `cma` Python package
//! (`BoxConstraintsLinQuadTransformation`). See [`BoundTransform`]: T is the identity in the interior of the box,
//! quadratic (C¹) in margins of width a_l, a_u next to each bound, and periodically reflected outside, so every
//! evaluated point is inside the box and T is invertible on [lo − a_l, hi + a_u]. An optimum on the boundary is
//! a smooth quadratic minimum of the genotype problem, so CMA-ES converges to it normally. σ, `tol_x` and the
//! covariance live in genotype space (identical to phenotype space inside the linear part). A coordinate with
//! lo == hi is fixed: it is not part of the genotype and always equals lo.
//!
//! # Example
//! ```
//! use argmin::core::{CostFunction, Error, Executor, State};
//! use sprintlab::optim::cmaes::{CmaEs, CmaEsConfig};
//!
//! struct Sphere;
//! impl CostFunction for Sphere {
//!     type Param = Vec<f64>;
//!     type Output = f64;
//!     fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
//!         Ok(x.iter().map(|v| v * v).sum())
//!     }
//! }
//!
//! let config = CmaEsConfig::new(1.0).seed(3).bounds(vec![(-5.0, 5.0); 4]);
//! let solver = CmaEs::new(&[2.0; 4], &config).unwrap();
//! let res = Executor::new(Sphere, solver).configure(|s| s.max_iters(400).target_cost(1e-10)).run().unwrap();
//! assert!(res.state.get_best_cost() <= 1e-10);
//! ```

use std::cmp::Ordering;

use argmin::core::{CostFunction, Error, PopulationState, Problem, Solver, TerminationReason, TerminationStatus, KV};
use nalgebra::{DMatrix, SymmetricEigen};
use serde::{Deserialize, Serialize};

use super::rng::Rng;

mod stop;

pub use crate::scenario::StopSection as StopCriteria;

/// Number of consecutive generations without a single finite cost after which `"no_finite_cost"` is reported.
pub const NON_FINITE_LIMIT: u32 = 10;

/// Configuration of a CMA-ES run (validated by [`CmaEs::new`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CmaEsConfig {
    /// Initial step size σ0 (standard deviation of every coordinate of the first generation), > 0.
    pub sigma0: f64,
    /// Population size λ ≥ 2; `None` gives Hansen's default 4 + ⌊3 ln n⌋ (n = number of free parameters).
    pub lambda: Option<usize>,
    /// Seed of the sampling PRNG.
    pub seed: u64,
    /// Per-coordinate box `[lo, hi]`; sides may be infinite, lo == hi fixes the coordinate. Empty = unbounded.
    #[serde(with = "bounds_serde")]
    pub bounds: Vec<(f64, f64)>,
    /// Stopping criteria (see [`CmaEs::stop_reasons`]; genotype units).
    #[serde(default)]
    pub stop: StopCriteria,
}

impl CmaEsConfig {
    /// Default configuration for step size `sigma0`: default λ, seed 0, unbounded, the reference stopping
    /// criteria ([`StopCriteria::default`]).
    pub fn new(sigma0: f64) -> Self {
        CmaEsConfig {
            sigma0,
            lambda: None,
            seed: 0,
            bounds: Vec::new(),
            stop: StopCriteria::default(),
        }
    }

    /// Sets the stopping criteria.
    pub fn stop(mut self, stop: StopCriteria) -> Self {
        self.stop = stop;
        self
    }

    /// Sets the PRNG seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the population size λ.
    pub fn lambda(mut self, lambda: usize) -> Self {
        self.lambda = Some(lambda);
        self
    }

    /// Sets the box constraints, one `(lo, hi)` per coordinate.
    pub fn bounds(mut self, bounds: Vec<(f64, f64)>) -> Self {
        self.bounds = bounds;
        self
    }
}

/// Serde for bounds: infinite sides are written as `null` so that JSON (which has no ±∞) round-trips.
mod bounds_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `(lo, hi)` pairs as `(Option<f64>, Option<f64>)` with `None` for an infinite side.
    pub fn serialize<S: Serializer>(bounds: &[(f64, f64)], s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<(Option<f64>, Option<f64>)> = bounds
            .iter()
            .map(|&(lo, hi)| (lo.is_finite().then_some(lo), hi.is_finite().then_some(hi)))
            .collect();
        v.serialize(s)
    }

    /// Reads `(Option<f64>, Option<f64>)` pairs; `None` is −∞ for the lower and +∞ for the upper side.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, f64)>, D::Error> {
        let v: Vec<(Option<f64>, Option<f64>)> = Vec::deserialize(d)?;
        Ok(v.into_iter()
            .map(|(lo, hi)| (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY)))
            .collect())
    }
}

/// Width of the quadratic margin next to a finite bound b: max(1, |b|) / 20 (pycma's `margin_width2`).
fn margin_width(bound: f64) -> f64 {
    bound.abs().max(1.0) / 20.0
}

/// Hansen's box-constraint transformation of one coordinate (pycma's `BoxConstraintsLinQuadTransformation`).
///
/// With margins a_l = min((hi − lo)/2, max(1, |lo|)/20) and a_u = min((hi − lo)/2, max(1, |hi|)/20) (or 1 for an
/// infinite side), [`forward`](Self::forward) maps x ∈ ℝ into [lo, hi]:
/// - x is first shifted by multiples of the period 2 (hi − lo + a_l + a_u) and mirrored at lo − a_l and
///   hi + a_u into [lo − a_l, hi + a_u] (only the mirroring applies for a one-sided box);
/// - then y = lo + (x − (lo − a_l))² / (4 a_l) for x < lo + a_l, y = hi − (x − (hi + a_u))² / (4 a_u) for
///   x > hi − a_u, and y = x in between.
///
/// The result is continuously differentiable, the identity on [lo + a_l, hi − a_u] and bijective from
/// [lo − a_l, hi + a_u] onto [lo, hi]; [`inverse`](Self::inverse) is its inverse there. The final value is
/// clamped to [lo, hi] so rounding can never leave the box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundTransform {
    /// Lower bound, `None` for −∞.
    lo: Option<f64>,
    /// Upper bound, `None` for +∞.
    hi: Option<f64>,
    /// Lower quadratic margin a_l (1 when unbounded below, unused).
    al: f64,
    /// Upper quadratic margin a_u (1 when unbounded above, unused).
    au: f64,
}

impl BoundTransform {
    /// Transformation into `[lo, hi]`; sides may be infinite. Requires lo < hi (not checked here).
    pub fn new(lo: f64, hi: f64) -> Self {
        let width = hi - lo;
        let lo_opt = lo.is_finite().then_some(lo);
        let hi_opt = hi.is_finite().then_some(hi);
        let al = if lo_opt.is_some() {
            (width / 2.0).min(margin_width(lo))
        } else {
            1.0
        };
        let au = if hi_opt.is_some() {
            (width / 2.0).min(margin_width(hi))
        } else {
            1.0
        };
        BoundTransform {
            lo: lo_opt,
            hi: hi_opt,
            al,
            au,
        }
    }

    /// Lower bound (−∞ if unbounded below).
    pub fn lo(&self) -> f64 {
        self.lo.unwrap_or(f64::NEG_INFINITY)
    }

    /// Upper bound (+∞ if unbounded above).
    pub fn hi(&self) -> f64 {
        self.hi.unwrap_or(f64::INFINITY)
    }

    /// Maps a genotype coordinate to the phenotype coordinate in `[lo, hi]`.
    pub fn forward(&self, x: f64) -> f64 {
        let (al, au) = (self.al, self.au);
        match (self.lo, self.hi) {
            (None, None) => x,
            (Some(lb), None) => {
                let x = if x < lb - al { 2.0 * (lb - al) - x } else { x };
                let y = if x < lb + al {
                    lb + (x - (lb - al)).powi(2) / (4.0 * al)
                } else {
                    x
                };
                y.max(lb)
            }
            (None, Some(ub)) => {
                let x = if x > ub + au { 2.0 * (ub + au) - x } else { x };
                let y = if x > ub - au {
                    ub - (x - (ub + au)).powi(2) / (4.0 * au)
                } else {
                    x
                };
                y.min(ub)
            }
            (Some(lb), Some(ub)) => {
                let w = ub - lb;
                let mut x = x;
                let start = lb - 2.0 * al - w / 2.0;
                if x < start || x > ub + 2.0 * au + w / 2.0 {
                    let period = 2.0 * (w + al + au);
                    x -= period * ((x - start) / period).floor();
                }
                if x > ub + au {
                    x -= 2.0 * (x - ub - au);
                }
                if x < lb - al {
                    x += 2.0 * (lb - al - x);
                }
                let y = if x < lb + al {
                    lb + (x - (lb - al)).powi(2) / (4.0 * al)
                } else if x > ub - au {
                    ub - (x - (ub + au)).powi(2) / (4.0 * au)
                } else {
                    x
                };
                // NaN-safe clamp: `max` returns `lb` for a NaN `y`.
                y.max(lb).min(ub)
            }
        }
    }

    /// Inverse of [`forward`](Self::forward) on `[lo, hi]`, returning the genotype in `[lo − a_l, hi + a_u]`.
    /// The argument is clamped to `[lo, hi]` first.
    pub fn inverse(&self, y: f64) -> f64 {
        let mut y = y;
        if let Some(lb) = self.lo {
            y = y.max(lb);
            if y < lb + self.al {
                return (lb - self.al) + 2.0 * (self.al * (y - lb)).sqrt();
            }
        }
        if let Some(ub) = self.hi {
            y = y.min(ub);
            if y > ub - self.au {
                return (ub + self.au) - 2.0 * (self.au * (ub - y)).sqrt();
            }
        }
        y
    }
}

/// CMA-ES optimiser state (see the [module documentation](self)); drive it with [`ask`](Self::ask) /
/// [`tell`](Self::tell) or through argmin's `Executor` (one generation per iteration).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CmaEs {
    // ----- problem layout -----
    /// Box transformation of each phenotype coordinate (identity for unbounded ones).
    transforms: Vec<BoundTransform>,
    /// `Some(v)` for a phenotype coordinate fixed at v (lo == hi), `None` for a free one.
    fixed: Vec<Option<f64>>,
    /// Phenotype index of each genotype coordinate.
    free: Vec<usize>,

    // ----- strategy parameters (Hansen 2016, Table 1) -----
    /// Search-space (genotype) dimension n.
    n: usize,
    /// Population size λ.
    lambda: usize,
    /// Number of positively weighted parents μ = ⌊λ/2⌋.
    mu: usize,
    /// Recombination weights by rank: μ positive ones summing to 1, then λ − μ non-positive (active) ones.
    weights: Vec<f64>,
    /// Variance-effective selection mass μ_eff of the positive weights.
    mu_eff: f64,
    /// μ_eff⁻ of the negative weights.
    mu_eff_neg: f64,
    /// Cumulation constant of the step-size path c_σ.
    c_sigma: f64,
    /// Step-size damping d_σ.
    d_sigma: f64,
    /// Cumulation constant of the rank-one path c_c.
    c_c: f64,
    /// Rank-one learning rate c_1.
    c_1: f64,
    /// Rank-μ learning rate c_μ.
    c_mu: f64,
    /// E‖N(0, I)‖ ≈ √n (1 − 1/(4n) + 1/(21n²)).
    chi_n: f64,

    // ----- termination settings -----
    /// Initial step size σ0.
    sigma0: f64,
    /// Stopping criteria (absent in checkpoints written before they were configurable: the defaults).
    #[serde(default)]
    stop: StopCriteria,

    // ----- dynamic state -----
    /// Distribution mean m (genotype).
    mean: Vec<f64>,
    /// Step size σ.
    sigma: f64,
    /// Covariance matrix C, n×n row-major (kept exactly symmetric).
    cov: Vec<f64>,
    /// Eigenvectors of C, n×n row-major: column k is the k-th eigenvector (B).
    eig_b: Vec<f64>,
    /// Square roots of the eigenvalues of C, ascending (diagonal of D).
    eig_d: Vec<f64>,
    /// Conjugate evolution path p_σ.
    p_sigma: Vec<f64>,
    /// Evolution path p_c.
    p_c: Vec<f64>,
    /// Number of completed generations (calls to `tell`).
    generation: u64,
    /// Number of cost evaluations consumed (λ per generation).
    evaluations: u64,
    /// Sampling PRNG.
    rng: Rng,
    /// Best-ever phenotype with a finite cost.
    best_x: Option<Vec<f64>>,
    /// Its cost.
    best_cost: Option<f64>,
    /// Genotypes of the last sampled generation, in sampling order.
    population: Vec<Vec<f64>>,
    /// True between `ask` and `tell`.
    pending: bool,
    /// Best finite cost of each recent generation (at most 10 + ⌈30n/λ⌉ entries), for TolFun.
    recent_best: Vec<f64>,
    /// (min, max) of the finite costs of the last generation.
    last_range: Option<(f64, f64)>,
    /// Whether every cost of the last generation was finite.
    last_all_finite: bool,
    /// Consecutive generations without any finite cost.
    non_finite_streak: u32,
    /// Best cost of each generation with a finite cost, for the stagnation criterion (newest last).
    #[serde(default)]
    stagnation_best: Vec<f64>,
    /// Median cost of each such generation (non-finite costs count as +∞), newest last.
    #[serde(default)]
    stagnation_median: Vec<f64>,
    /// Consecutive generations whose best and ⌊3λ/4⌋+1-th cost were equal (flat fitness).
    #[serde(default)]
    flat_streak: u64,
}

impl CmaEs {
    /// Creates the optimiser at `x0` (phenotype, inside the bounds) with configuration `config`.
    ///
    /// Errors (as a message naming the problem) if x0 is empty or non-finite, σ0 ≤ 0 or non-finite, λ < 2,
    /// the number of bounds differs from the dimension, a bound is NaN or has lo > hi (or lo = +∞, hi = −∞),
    /// x0 lies outside the bounds, all coordinates are fixed, or a tolerance is negative/NaN.
    pub fn new(x0: &[f64], config: &CmaEsConfig) -> Result<Self, String> {
        let n_pheno = x0.len();
        if n_pheno == 0 {
            return Err("x0 is empty: the problem needs at least one parameter".into());
        }
        if let Some(i) = x0.iter().position(|v| !v.is_finite()) {
            return Err(format!("x0[{i}] = {} is not finite", x0[i]));
        }
        if !(config.sigma0 > 0.0) || !config.sigma0.is_finite() {
            return Err(format!("sigma0 must be finite and > 0 (got {})", config.sigma0));
        }
        let st = &config.stop;
        for (name, v) in [
            ("tol_fun", st.tol_fun),
            ("tol_fun_hist", st.tol_fun_hist),
            ("tol_x", st.tol_x),
            ("tol_fac_up_x", st.tol_fac_up_x),
            ("tol_up_sigma", st.tol_up_sigma),
            ("tol_condition_cov", st.tol_condition_cov),
        ] {
            if !(v >= 0.0) {
                return Err(format!("{name} must be >= 0 (got {v})"));
            }
        }
        let bounds: Vec<(f64, f64)> = if config.bounds.is_empty() {
            vec![(f64::NEG_INFINITY, f64::INFINITY); n_pheno]
        } else if config.bounds.len() != n_pheno {
            return Err(format!(
                "bounds has {} entries but x0 has {} coordinates",
                config.bounds.len(),
                n_pheno
            ));
        } else {
            config.bounds.clone()
        };
        let mut transforms = Vec::with_capacity(n_pheno);
        let mut fixed = Vec::with_capacity(n_pheno);
        let mut free = Vec::new();
        for (i, &(lo, hi)) in bounds.iter().enumerate() {
            if lo.is_nan() || hi.is_nan() {
                return Err(format!("bounds[{i}] = [{lo}, {hi}] contains NaN"));
            }
            if lo > hi {
                return Err(format!("bounds[{i}]: lower bound {lo} > upper bound {hi}"));
            }
            if lo == f64::INFINITY || hi == f64::NEG_INFINITY {
                return Err(format!("bounds[{i}] = [{lo}, {hi}] is empty"));
            }
            if !(x0[i] >= lo && x0[i] <= hi) {
                return Err(format!("x0[{i}] = {} lies outside bounds[{i}] = [{lo}, {hi}]", x0[i]));
            }
            if lo == hi {
                fixed.push(Some(lo));
                transforms.push(BoundTransform::new(f64::NEG_INFINITY, f64::INFINITY));
            } else {
                fixed.push(None);
                free.push(i);
                transforms.push(BoundTransform::new(lo, hi));
            }
        }
        let n = free.len();
        if n == 0 {
            return Err("every coordinate is fixed (lo == hi): nothing to optimise".into());
        }
        let nf = n as f64;
        let lambda = config.lambda.unwrap_or(4 + (3.0 * nf.ln()).floor() as usize);
        if lambda < 2 {
            return Err(format!("lambda must be >= 2 (got {lambda})"));
        }
        let mu = lambda / 2;

        // Hansen (2016), Table 1: raw weights w'_i = ln((λ+1)/2) − ln i.
        let raw: Vec<f64> = (1..=lambda)
            .map(|i| ((lambda as f64 + 1.0) / 2.0).ln() - (i as f64).ln())
            .collect();
        let sum_pos: f64 = raw[..mu].iter().sum();
        let sum_sq_pos: f64 = raw[..mu].iter().map(|w| w * w).sum();
        let mu_eff = sum_pos * sum_pos / sum_sq_pos;
        let neg = &raw[mu..];
        let sum_neg: f64 = neg.iter().sum();
        let sum_sq_neg: f64 = neg.iter().map(|w| w * w).sum();
        let mu_eff_neg = if sum_sq_neg > 0.0 {
            sum_neg * sum_neg / sum_sq_neg
        } else {
            0.0
        };

        let alpha_cov = 2.0;
        let c_sigma = (mu_eff + 2.0) / (nf + mu_eff + 5.0);
        let d_sigma = 1.0 + 2.0 * (((mu_eff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + c_sigma;
        let c_c = (4.0 + mu_eff / nf) / (nf + 4.0 + 2.0 * mu_eff / nf);
        let c_1 = alpha_cov / ((nf + 1.3).powi(2) + mu_eff);
        let c_mu = (1.0 - c_1)
            .min(alpha_cov * (mu_eff - 2.0 + 1.0 / mu_eff) / ((nf + 2.0).powi(2) + alpha_cov * mu_eff / 2.0));
        // Negative weights scaled by min(α_μ⁻, α_μeff⁻, α_posdef⁻) / Σ|w'⁻|.
        let alpha_mu_neg = 1.0 + c_1 / c_mu;
        let alpha_mueff_neg = 1.0 + 2.0 * mu_eff_neg / (mu_eff + 2.0);
        let alpha_posdef_neg = (1.0 - c_1 - c_mu) / (nf * c_mu);
        let neg_scale = alpha_mu_neg.min(alpha_mueff_neg).min(alpha_posdef_neg) / sum_neg.abs().max(f64::MIN_POSITIVE);
        let weights: Vec<f64> = raw
            .iter()
            .enumerate()
            .map(|(i, &w)| if i < mu { w / sum_pos } else { (w * neg_scale).min(0.0) })
            .collect();
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));

        let mean: Vec<f64> = free.iter().map(|&i| transforms[i].inverse(x0[i])).collect();
        let mut identity = vec![0.0; n * n];
        for i in 0..n {
            identity[i * n + i] = 1.0;
        }
        Ok(CmaEs {
            transforms,
            fixed,
            free,
            n,
            lambda,
            mu,
            weights,
            mu_eff,
            mu_eff_neg,
            c_sigma,
            d_sigma,
            c_c,
            c_1,
            c_mu,
            chi_n,
            sigma0: config.sigma0,
            stop: config.stop.clone(),
            mean,
            sigma: config.sigma0,
            cov: identity.clone(),
            eig_b: identity,
            eig_d: vec![1.0; n],
            p_sigma: vec![0.0; n],
            p_c: vec![0.0; n],
            generation: 0,
            evaluations: 0,
            rng: Rng::new(config.seed),
            best_x: None,
            best_cost: None,
            population: Vec::new(),
            pending: false,
            recent_best: Vec::new(),
            last_range: None,
            last_all_finite: false,
            non_finite_streak: 0,
            stagnation_best: Vec::new(),
            stagnation_median: Vec::new(),
            flat_streak: 0,
        })
    }

    /// Samples the next generation and returns its λ phenotypes (each inside the bounds), in sampling order.
    ///
    /// Calling `ask` again before [`tell`](Self::tell) returns the same pending population (no new sampling), so
    /// a state saved between `ask` and `tell` resumes exactly.
    pub fn ask(&mut self) -> Vec<Vec<f64>> {
        if !self.pending {
            let n = self.n;
            let mut population = Vec::with_capacity(self.lambda);
            let mut z = vec![0.0; n];
            for _ in 0..self.lambda {
                for (zi, d) in z.iter_mut().zip(&self.eig_d) {
                    *zi = d * self.rng.normal();
                }
                let x: Vec<f64> = (0..n)
                    .map(|i| {
                        let row = &self.eig_b[i * n..(i + 1) * n];
                        let y: f64 = row.iter().zip(&z).map(|(b, z)| b * z).sum();
                        self.mean[i] + self.sigma * y
                    })
                    .collect();
                population.push(x);
            }
            self.population = population;
            self.pending = true;
        }
        self.population.iter().map(|x| self.to_phenotype(x)).collect()
    }

    /// Updates the distribution with the costs of the population returned by the last [`ask`](Self::ask)
    /// (same order). Non-finite costs rank last and get zero weight (see the module documentation).
    ///
    /// # Panics
    /// If there is no pending population (no `ask` since the last `tell`) or `costs.len() != λ`.
    pub fn tell(&mut self, costs: &[f64]) {
        assert!(
            self.pending,
            "CmaEs::tell called without a pending population (call ask first)"
        );
        assert_eq!(
            costs.len(),
            self.lambda,
            "CmaEs::tell: expected {} costs, got {}",
            self.lambda,
            costs.len()
        );
        let (n, lambda, mu) = (self.n, self.lambda, self.mu);
        self.pending = false;
        self.evaluations += lambda as u64;
        let g = self.generation;
        self.generation += 1;

        let order = rank(costs);
        let n_finite = costs.iter().filter(|c| c.is_finite()).count();

        // Bookkeeping for the best-ever point and the termination criteria.
        if n_finite == 0 {
            self.non_finite_streak += 1;
            self.last_range = None;
            self.last_all_finite = false;
            return; // nothing to learn: leave the distribution unchanged
        }
        self.non_finite_streak = 0;
        let gen_best = costs[order[0]];
        let gen_worst = costs[order[n_finite - 1]];
        self.last_range = Some((gen_best, gen_worst));
        self.last_all_finite = n_finite == lambda;
        self.recent_best.push(gen_best);
        let window = self.history_len();
        if self.recent_best.len() > window {
            let excess = self.recent_best.len() - window;
            self.recent_best.drain(..excess);
        }
        self.record_for_stop(costs, &order, n_finite);
        if self.best_cost.is_none_or(|b| gen_best < b) {
            self.best_cost = Some(gen_best);
            self.best_x = Some(self.to_phenotype(&self.population[order[0]]));
        }

        // Effective weights by rank: zero for non-finite costs; renormalised if fewer than μ are finite.
        let mut w = vec![0.0; lambda];
        if n_finite >= mu {
            w[..n_finite].copy_from_slice(&self.weights[..n_finite]);
        } else {
            let s: f64 = self.weights[..n_finite].iter().sum();
            for (wi, w0) in w.iter_mut().zip(&self.weights[..n_finite]) {
                *wi = w0 / s;
            }
        }
        let mu_eff_gen = 1.0 / w.iter().filter(|&&v| v > 0.0).map(|v| v * v).sum::<f64>();

        // Steps y_i = (x_i − m)/σ of the ranked samples that carry weight.
        let ys: Vec<Vec<f64>> = order[..n_finite]
            .iter()
            .map(|&k| {
                self.population[k]
                    .iter()
                    .zip(&self.mean)
                    .map(|(x, m)| (x - m) / self.sigma)
                    .collect()
            })
            .collect();
        let mut y_w = vec![0.0; n];
        for (y, &wi) in ys.iter().zip(&w).filter(|(_, &wi)| wi > 0.0) {
            for (a, b) in y_w.iter_mut().zip(y) {
                *a += wi * b;
            }
        }

        // Mean (c_m = 1).
        for (m, y) in self.mean.iter_mut().zip(&y_w) {
            *m += self.sigma * y;
        }

        // Step-size path.
        let inv_sqrt_y_w = self.inv_sqrt_c_times(&y_w);
        let cs = self.c_sigma;
        let ps_coef = (cs * (2.0 - cs) * mu_eff_gen).sqrt();
        for (p, v) in self.p_sigma.iter_mut().zip(&inv_sqrt_y_w) {
            *p = (1.0 - cs) * *p + ps_coef * v;
        }
        let norm_ps = norm(&self.p_sigma);
        let h_sigma = norm_ps / (1.0 - (1.0 - cs).powf(2.0 * (g + 1) as f64)).sqrt()
            < (1.4 + 2.0 / (n as f64 + 1.0)) * self.chi_n;
        let h = if h_sigma { 1.0 } else { 0.0 };

        // Rank-one path.
        let cc = self.c_c;
        let pc_coef = h * (cc * (2.0 - cc) * mu_eff_gen).sqrt();
        for (p, y) in self.p_c.iter_mut().zip(&y_w) {
            *p = (1.0 - cc) * *p + pc_coef * y;
        }

        // Covariance: decay, rank-one, rank-μ with active (negative) weights rescaled by n / ‖C^{-1/2} y‖².
        let w_circ: Vec<f64> = ys
            .iter()
            .zip(&w)
            .map(|(y, &wi)| {
                if wi >= 0.0 {
                    wi
                } else {
                    let q = norm(&self.inv_sqrt_c_times(y)).powi(2);
                    if q > 0.0 {
                        wi * n as f64 / q
                    } else {
                        0.0
                    }
                }
            })
            .collect();
        let sum_w: f64 = w.iter().sum();
        let delta_h = (1.0 - h) * cc * (2.0 - cc);
        let decay = 1.0 + self.c_1 * delta_h - self.c_1 - self.c_mu * sum_w;
        for i in 0..n {
            for j in i..n {
                let mut rank_mu = 0.0;
                for (y, &wc) in ys.iter().zip(&w_circ) {
                    if wc != 0.0 {
                        rank_mu += wc * y[i] * y[j];
                    }
                }
                let v = decay * self.cov[i * n + j] + self.c_1 * self.p_c[i] * self.p_c[j] + self.c_mu * rank_mu;
                self.cov[i * n + j] = v;
                self.cov[j * n + i] = v;
            }
        }

        // Step size (log-change capped at 1 per generation, as in purecma).
        self.sigma *= ((cs / self.d_sigma) * (norm_ps / self.chi_n - 1.0)).min(1.0).exp();

        self.update_eigensystem();
    }

    /// The first of [`stop_reasons`](Self::stop_reasons), or `None`.
    pub fn should_stop(&self) -> Option<&'static str> {
        self.stop_reasons().first().copied()
    }

    /// Number of phenotype coordinates (length of x0 and of every point passed to the cost function).
    pub fn dim(&self) -> usize {
        self.fixed.len()
    }

    /// Number of free (genotype) coordinates n.
    pub fn search_dim(&self) -> usize {
        self.n
    }

    /// Population size λ.
    pub fn lambda(&self) -> usize {
        self.lambda
    }

    /// Number of positively weighted parents μ.
    pub fn mu(&self) -> usize {
        self.mu
    }

    /// Recombination weights by rank (μ positive, summing to 1; then the non-positive active weights).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Variance-effective selection mass μ_eff.
    pub fn mu_eff(&self) -> f64 {
        self.mu_eff
    }

    /// Learning rates and constants `(c_σ, d_σ, c_c, c_1, c_μ)`.
    pub fn learning_rates(&self) -> (f64, f64, f64, f64, f64) {
        (self.c_sigma, self.d_sigma, self.c_c, self.c_1, self.c_mu)
    }

    /// Current step size σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Completed generations (number of `tell` calls).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Cost evaluations consumed so far (λ per completed generation).
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// Distribution mean in genotype space.
    pub fn mean_genotype(&self) -> &[f64] {
        &self.mean
    }

    /// Distribution mean mapped into the box (the recommended estimate under noise).
    pub fn mean_phenotype(&self) -> Vec<f64> {
        self.to_phenotype(&self.mean)
    }

    /// Best-ever evaluated phenotype and its (finite) cost, if any finite cost has been seen.
    pub fn best(&self) -> Option<(&[f64], f64)> {
        match (&self.best_x, self.best_cost) {
            (Some(x), Some(c)) => Some((x.as_slice(), c)),
            _ => None,
        }
    }

    /// Genotypes of the last sampled generation (sampling order).
    pub fn population_genotypes(&self) -> &[Vec<f64>] {
        &self.population
    }

    /// Covariance matrix C (genotype space) as an nalgebra matrix.
    pub fn covariance(&self) -> DMatrix<f64> {
        DMatrix::from_row_slice(self.n, self.n, &self.cov)
    }

    /// Condition number of C: (max D / min D)².
    pub fn condition_number(&self) -> f64 {
        match (self.eig_d.first(), self.eig_d.last()) {
            (Some(&lo), Some(&hi)) if lo > 0.0 => (hi / lo).powi(2),
            _ => f64::INFINITY,
        }
    }

    /// Maps a genotype (length n) to its phenotype (length [`dim`](Self::dim)), inside the bounds.
    pub fn to_phenotype(&self, genotype: &[f64]) -> Vec<f64> {
        let mut g = genotype.iter();
        self.fixed
            .iter()
            .zip(&self.transforms)
            .map(|(fixed, t)| match fixed {
                Some(v) => *v,
                None => t.forward(*g.next().expect("genotype shorter than the number of free coordinates")),
            })
            .collect()
    }

    /// Maps a phenotype inside the bounds to the genotype in the invertible domain (inverse of
    /// [`to_phenotype`](Self::to_phenotype) there).
    pub fn to_genotype(&self, phenotype: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .map(|&i| self.transforms[i].inverse(phenotype[i]))
            .collect()
    }

    /// TolFun history length 10 + ⌈30 n / λ⌉.
    fn history_len(&self) -> usize {
        10 + (30 * self.n).div_ceil(self.lambda)
    }

    /// C^{-1/2} v = B D⁻¹ Bᵀ v.
    fn inv_sqrt_c_times(&self, v: &[f64]) -> Vec<f64> {
        let n = self.n;
        let tmp: Vec<f64> = (0..n)
            .map(|k| (0..n).map(|i| self.eig_b[i * n + k] * v[i]).sum::<f64>() / self.eig_d[k])
            .collect();
        (0..n)
            .map(|i| (0..n).map(|k| self.eig_b[i * n + k] * tmp[k]).sum())
            .collect()
    }

    /// Recomputes B and D from C with nalgebra's `SymmetricEigen`, eigenpairs sorted ascending (ties by index).
    /// Non-positive eigenvalues (round-off) are raised to max·ε² so that D stays positive; a decomposition with
    /// non-finite values is discarded (B, D keep their previous values).
    fn update_eigensystem(&mut self) {
        let n = self.n;
        let eig = SymmetricEigen::new(DMatrix::from_row_slice(n, n, &self.cov));
        if eig.eigenvalues.iter().any(|v| !v.is_finite()) || eig.eigenvectors.iter().any(|v| !v.is_finite()) {
            return;
        }
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| eig.eigenvalues[a].total_cmp(&eig.eigenvalues[b]).then(a.cmp(&b)));
        let max_ev = eig.eigenvalues[idx[n - 1]].max(f64::MIN_POSITIVE);
        let floor = max_ev * f64::EPSILON * f64::EPSILON;
        for (k, &src) in idx.iter().enumerate() {
            self.eig_d[k] = eig.eigenvalues[src].max(floor).sqrt();
            for i in 0..n {
                self.eig_b[i * n + k] = eig.eigenvectors[(i, src)];
            }
        }
    }
}

/// Indices sorted by cost: finite costs ascending, then non-finite ones; ties keep the index order.
fn rank(costs: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| match (costs[a].is_finite(), costs[b].is_finite()) {
        (true, true) => costs[a].partial_cmp(&costs[b]).unwrap_or(Ordering::Equal),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => Ordering::Equal,
    });
    order
}

/// Euclidean norm.
fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// One CMA-ES generation per argmin iteration.
///
/// The population is evaluated with [`Problem::bulk_cost`] (in parallel with rayon unless the cost function's
/// `parallelize()` returns false; order is preserved, so the run does not depend on the thread count). The
/// state receives the generation's best phenotype and cost as `individual`/`cost` (argmin tracks the best-ever
/// from these; a generation without finite cost reports the mean with cost +∞) and all phenotypes as
/// `population`. The initial parameter comes from [`CmaEs::new`], not from the state; `init` does not modify
/// the solver, so a deserialised solver can be handed to a fresh `Executor` to continue a run.
impl<O> Solver<O, PopulationState<Vec<f64>, f64>> for CmaEs
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Sync,
{
    fn name(&self) -> &str {
        "CMA-ES"
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        state: PopulationState<Vec<f64>, f64>,
    ) -> Result<(PopulationState<Vec<f64>, f64>, Option<KV>), Error> {
        let points = self.ask();
        let costs = problem.bulk_cost(&points)?;
        self.tell(&costs);
        let best = rank(&costs)[0];
        let (individual, cost) = if costs[best].is_finite() {
            (points[best].clone(), costs[best])
        } else {
            (self.mean_phenotype(), f64::INFINITY)
        };
        let kv = argmin::kv!(
            "sigma" => self.sigma;
            "condition" => self.condition_number();
            "evaluations" => self.evaluations;
        );
        Ok((state.individual(individual).cost(cost).population(points), Some(kv)))
    }

    /// Reports [`CmaEs::should_stop`] as `TerminationReason::SolverExit(reason)`; argmin's own checks (max
    /// iterations, target cost) are applied by the default `terminate_internal`, which calls this.
    fn terminate(&mut self, _state: &PopulationState<Vec<f64>, f64>) -> TerminationStatus {
        match self.should_stop() {
            Some(reason) => TerminationStatus::Terminated(TerminationReason::SolverExit(reason.to_string())),
            None => TerminationStatus::NotTerminated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argmin::core::{Executor, State};

    struct Sphere;
    impl CostFunction for Sphere {
        type Param = Vec<f64>;
        type Output = f64;
        fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
            Ok(x.iter().map(|v| v * v).sum())
        }
    }

    fn sphere(x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum()
    }

    #[test]
    fn default_parameters_match_hansen_table_1() {
        let es = CmaEs::new(&[0.0; 10], &CmaEsConfig::new(1.0)).unwrap();
        assert_eq!(es.lambda(), 10);
        assert_eq!(es.mu(), 5);
        // pycma prints "(5_w,10)-aCMA-ES (mu_w=3.2,w_1=45%)" in 10-D.
        assert!((es.mu_eff() - 3.1672).abs() < 1e-4, "mu_eff {}", es.mu_eff());
        assert!((es.weights()[0] - 0.4563).abs() < 1e-4);
        let pos: f64 = es.weights()[..5].iter().sum();
        assert!((pos - 1.0).abs() < 1e-15);
        assert!(es.weights()[5..].iter().all(|&w| w <= 0.0));
        assert!(es.weights().windows(2).all(|p| p[0] >= p[1]));
        let (cs, ds, cc, c1, cmu) = es.learning_rates();
        let me = es.mu_eff();
        assert!((cs - (me + 2.0) / (10.0 + me + 5.0)).abs() < 1e-15);
        assert!((ds - (1.0 + cs)).abs() < 1e-15); // sqrt((μeff−1)/(n+1)) < 1 in 10-D
        assert!((cc - (4.0 + me / 10.0) / (14.0 + 2.0 * me / 10.0)).abs() < 1e-15);
        assert!((c1 - 2.0 / (11.3f64.powi(2) + me)).abs() < 1e-15);
        assert!((cmu - 2.0 * (me - 2.0 + 1.0 / me) / (144.0 + me)).abs() < 1e-15);
        // Active weights: Σ|w⁻| = min(α_μ⁻, α_μeff⁻, α_posdef⁻).
        let neg: f64 = es.weights()[5..].iter().sum();
        let expect = (1.0 + c1 / cmu)
            .min((1.0 - c1 - cmu) / (10.0 * cmu))
            .min(1.0 + 2.0 * es.mu_eff_neg / (me + 2.0));
        assert!((neg.abs() - expect).abs() < 1e-12);
    }

    #[test]
    fn config_validation_names_the_problem() {
        let ok = CmaEsConfig::new(0.5);
        let e = CmaEs::new(&[0.0, 0.0], &ok.clone().lambda(1)).unwrap_err();
        assert!(e.contains("lambda"), "{e}");
        let e = CmaEs::new(&[0.0, 0.0], &CmaEsConfig::new(0.0)).unwrap_err();
        assert!(e.contains("sigma0"), "{e}");
        let e = CmaEs::new(&[0.0, 0.0], &CmaEsConfig::new(-1.0)).unwrap_err();
        assert!(e.contains("sigma0"), "{e}");
        let e = CmaEs::new(&[0.0, 0.0], &ok.clone().bounds(vec![(-1.0, 1.0), (2.0, 1.0)])).unwrap_err();
        assert!(e.contains("bounds[1]") && e.contains("lower bound"), "{e}");
        let e = CmaEs::new(&[0.0, 3.0], &ok.clone().bounds(vec![(-1.0, 1.0), (-1.0, 1.0)])).unwrap_err();
        assert!(e.contains("x0[1]") && e.contains("outside"), "{e}");
        let e = CmaEs::new(&[0.0, 0.0], &ok.clone().bounds(vec![(-1.0, 1.0)])).unwrap_err();
        assert!(e.contains("bounds has 1"), "{e}");
        let e = CmaEs::new(&[0.0, f64::NAN], &ok).unwrap_err();
        assert!(e.contains("x0[1]"), "{e}");
        let e = CmaEs::new(&[], &ok).unwrap_err();
        assert!(e.contains("empty"), "{e}");
        assert!(CmaEs::new(&[0.0, 0.0], &ok.clone().lambda(2)).is_ok());
        assert!(CmaEs::new(&[1.0, 0.0], &ok.bounds(vec![(1.0, 1.0), (f64::NEG_INFINITY, 0.0)])).is_ok());
    }

    #[test]
    fn bound_transform_properties() {
        let cases = [
            (-1.0, 1.0),
            (0.0, 1e-3),
            (2.0, 300.0),
            (-1e6, -1e6 + 1.0),
            (0.0, f64::INFINITY),
            (f64::NEG_INFINITY, -3.0),
            (f64::NEG_INFINITY, f64::INFINITY),
        ];
        let mut rng = Rng::new(5);
        for &(lo, hi) in &cases {
            let t = BoundTransform::new(lo, hi);
            let scale = if (hi - lo).is_finite() { hi - lo } else { 10.0 };
            let centre = if lo.is_finite() {
                lo
            } else if hi.is_finite() {
                hi
            } else {
                0.0
            };
            for _ in 0..2000 {
                let x = centre + scale * 5.0 * rng.normal() / rng.uniform().max(1e-3);
                let y = t.forward(x);
                assert!(y >= lo && y <= hi, "T({x}) = {y} outside [{lo}, {hi}]");
                // Round trip on the invertible domain: T(T⁻¹(y)) = y.
                let back = t.forward(t.inverse(y));
                assert!(
                    (back - y).abs() <= 1e-9 * scale.max(y.abs()),
                    "[{lo},{hi}] y={y} back={back}"
                );
            }
            // Identity in the interior, continuity at the margins.
            if lo.is_finite() && hi.is_finite() {
                let mid = 0.5 * (lo + hi);
                assert_eq!(t.forward(mid), mid);
                let edge = lo - t.al;
                assert_eq!(t.forward(edge), lo);
                assert_eq!(t.forward(hi + t.au), hi);
                let eps = 1e-7 * (hi - lo);
                let kink = lo + t.al;
                assert!((t.forward(kink - eps) - t.forward(kink + eps)).abs() < 3.0 * eps);
            }
        }
        assert_eq!(BoundTransform::new(0.0, 1.0).forward(f64::NAN), 0.0);
    }

    #[test]
    fn ask_is_idempotent_until_tell_and_phenotypes_are_bounded() {
        let cfg = CmaEsConfig::new(3.0)
            .seed(9)
            .bounds(vec![(-1.0, 1.0), (0.0, 0.0), (0.0, f64::INFINITY)]);
        let mut es = CmaEs::new(&[0.5, 0.0, 2.0], &cfg).unwrap();
        assert_eq!(es.search_dim(), 2);
        let a = es.ask();
        let b = es.ask();
        assert_eq!(a, b);
        for x in &a {
            assert!(x[0] >= -1.0 && x[0] <= 1.0 && x[1] == 0.0 && x[2] >= 0.0, "{x:?}");
        }
        es.tell(&a.iter().map(|x| sphere(x)).collect::<Vec<_>>());
        assert_ne!(es.ask(), a);
    }

    #[test]
    #[should_panic(expected = "expected 7 costs")]
    fn tell_with_wrong_length_panics() {
        let mut es = CmaEs::new(&[0.0; 3], &CmaEsConfig::new(1.0)).unwrap();
        es.ask();
        es.tell(&[1.0, 2.0]);
    }

    #[test]
    fn ask_tell_converges_on_sphere_and_stops() {
        let mut es = CmaEs::new(&[1.0; 5], &CmaEsConfig::new(0.5).seed(1)).unwrap();
        let mut reason = None;
        while reason.is_none() && es.generation() < 2000 {
            let xs = es.ask();
            let f: Vec<f64> = xs.iter().map(|x| sphere(x)).collect();
            es.tell(&f);
            reason = es.should_stop();
        }
        let (_, best) = es.best().unwrap();
        assert!(best < 1e-12, "best {best}, reason {reason:?}");
        assert!(matches!(reason, Some("tol_fun") | Some("tol_x")), "{reason:?}");
    }

    #[test]
    fn ranking_puts_non_finite_last_and_breaks_ties_by_index() {
        let costs = [
            1.0,
            f64::NAN,
            0.5,
            1.0,
            f64::INFINITY,
            0.5,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
        ];
        assert_eq!(rank(&costs), vec![7, 8, 2, 5, 0, 3, 1, 4, 6]);
    }

    #[test]
    fn a_single_finite_cost_takes_all_the_weight() {
        let mut es = CmaEs::new(&[1.0; 4], &CmaEsConfig::new(0.5).seed(6)).unwrap();
        let xs = es.ask();
        let mut costs = vec![f64::NAN; xs.len()];
        costs[3] = 2.0;
        es.tell(&costs);
        for (m, x) in es.mean_genotype().iter().zip(&xs[3]) {
            assert!((m - x).abs() < 1e-12, "mean {m} vs the only finite sample {x}");
        }
        assert_eq!(es.best().unwrap(), (&xs[3][..], 2.0));
        assert!(es.covariance().iter().all(|v| v.is_finite()) && es.sigma().is_finite());
    }

    #[test]
    fn all_non_finite_generations_leave_distribution_unchanged_and_stop() {
        let mut es = CmaEs::new(&[1.0; 3], &CmaEsConfig::new(0.5).seed(2)).unwrap();
        let (m0, s0, c0) = (es.mean_genotype().to_vec(), es.sigma(), es.covariance());
        for _ in 0..NON_FINITE_LIMIT {
            assert_eq!(es.should_stop(), None);
            let xs = es.ask();
            es.tell(&vec![f64::NAN; xs.len()]);
        }
        assert_eq!(es.mean_genotype(), &m0[..]);
        assert_eq!(es.sigma(), s0);
        assert_eq!(es.covariance(), c0);
        assert!(es.best().is_none());
        assert_eq!(es.should_stop(), Some("no_finite_cost"));
    }

    #[test]
    fn executor_on_sphere() {
        let solver = CmaEs::new(&[3.0; 6], &CmaEsConfig::new(1.0).seed(4)).unwrap();
        let res = Executor::new(Sphere, solver)
            .configure(|s| s.max_iters(1000).target_cost(1e-10))
            .run()
            .unwrap();
        assert!(res.state.get_best_cost() <= 1e-10);
        assert_eq!(res.problem.counts["cost_count"], res.solver.evaluations());
        assert_eq!(res.state.get_iter(), res.solver.generation());
    }

    #[test]
    fn serde_round_trip_mid_run_is_bit_identical() {
        let cfg = CmaEsConfig::new(0.7).seed(11).bounds(vec![(-2.0, 2.0); 4]);
        let mut a = CmaEs::new(&[1.0, -1.0, 0.5, 1.5], &cfg).unwrap();
        let step = |es: &mut CmaEs| {
            let xs = es.ask();
            let f: Vec<f64> = xs.iter().map(|x| sphere(x) + x[0]).collect();
            es.tell(&f);
        };
        for _ in 0..15 {
            step(&mut a);
        }
        a.ask(); // save between ask and tell: the pending population must survive
        let json = serde_json::to_string(&a).unwrap();
        let mut b: CmaEs = serde_json::from_str(&json).unwrap();
        assert_eq!(a, b);
        for _ in 0..40 {
            step(&mut a);
            step(&mut b);
        }
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        assert_eq!(a, b);
        let cfg_json = serde_json::to_string(&CmaEsConfig::new(1.0).bounds(vec![(0.0, f64::INFINITY)])).unwrap();
        let cfg_back: CmaEsConfig = serde_json::from_str(&cfg_json).unwrap();
        assert_eq!(cfg_back.bounds, vec![(0.0, f64::INFINITY)]);
    }
}
