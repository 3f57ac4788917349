//! CMA-ES (`sprintlab::optim::cmaes`) against Hansen's reference behaviour, in 10-D with the default λ = 10.
//!
//! Reference evaluation counts to reach f < 1e-8 in 10-D, default λ = 10:
//!
//! | function (x0, σ0) | published | pycma 4.5.0 / purecma, same setup (12 seeds, median) | here (3 seeds) |
//! |---|---|---|---|
//! | sphere (3·1, 2) | — | 1445 / 1630 | see output |
//! | ellipsoid, cond 1e6 (3·1, 2) | ≈ 6000 to 5e-10, 6510 to 3e-13 (purecma, non-active CMA) [1] | 4265 / 6060 | see output |
//! | Rosenbrock (3·1, 2) | < 8000 to 1e-12 (pycma aCMA, x0 = 0.1·1, σ0 = 0.3) [2] | 5485 / 6550 | see output |
//!
//! [1] `cma/purecma.py` v3.0.0 (N. Hansen, 2017), docstring of `fmin`: `purecma.fmin(ff.elli, 10 * [0.5], 0.3)`
//!     prints f = 5.27e-10 at 6000 evaluations and terminates at 6510 (tolfun) with f = 3.34e-13; `ff.elli` uses
//!     `aratio**(2 i/(n-1))` with aratio 1e3, i.e. the same coefficients 10^(6 (i-1)/(n-1)) as here.
//! [2] pycma (github CMA-ES/pycma), `cma/evolution_strategy.py`, docstring of `fmin`:
//!     `cma.fmin(cma.ff.rosen, [0.1] * 10, 0.3, {'CMA_diagonal':100, 'seed':1234})` then
//!     `assert res[1] < 1e-12` and `assert res[2] < 8000  # evaluations`.
//!
//! The middle column was measured for this test file with pycma 4.5.0 (`CMAEvolutionStrategy(10*[3], 2,
//! {'ftarget':1e-8, 'seed':s})`, active CMA like this implementation) and its `purecma` module (positive
//! weights only), seeds 1–12. No published sphere figure was found; pycma's 1445 matches the ~1.5e3 of the
//! task brief. This implementation measured (12 seeds, same setup): sphere median ≈ 1450, ellipsoid ≈ 4240,
//! Rosenbrock ≈ 5430 (12/12 seeds reach the global optimum from 3·1), i.e. within a few per cent of pycma.
//! The assertions below allow a factor ≈ 2 around these figures.
//!
//! Noise (measured with this file's setup, seeds 1–5, x0 = 3·1, σ0 = 2): with 5 % multiplicative noise
//! f·(1 + 0.05 N) on the sphere, f(mean) was 4e-6–4e-5 after 1000 evaluations, 1e-12–3e-11 after 2000, and runs
//! stopped on `tol_fun` after ≈ 2500 evaluations with f(mean) ≈ 1e-15: the noise floor is 0 and CMA-ES
//! converges. With an added 1e-4·N(0,1), f(mean) stalls at 3e-5–1e-4 (≈ the noise standard deviation) from
//! ≈ 1000 evaluations on and nothing stops the run (the costs never become flat): give such runs a budget.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use argmin::core::{CostFunction, Error, Executor, State};
use sprintlab::optim::cmaes::{CmaEs, CmaEsConfig};
use sprintlab::optim::rng::Rng;

const N: usize = 10;

/// A cost function from a closure.
struct Fun<F>(F);

impl<F: Fn(&[f64]) -> f64 + Sync> CostFunction for Fun<F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok((self.0)(x))
    }
}

fn sphere(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// Ellipsoid with condition number 1e6: Σ 10^(6 (i-1)/(n-1)) x_i².
fn ellipsoid(x: &[f64]) -> f64 {
    let n = x.len();
    x.iter()
        .enumerate()
        .map(|(i, v)| 10f64.powf(6.0 * i as f64 / (n - 1) as f64) * v * v)
        .sum()
}

fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[0] * w[0] - w[1]).powi(2) + (w[0] - 1.0).powi(2))
        .sum()
}

/// A standard normal deviate that is a pure function of the point (and a salt), so noisy costs stay
/// deterministic under parallel evaluation.
fn point_noise(x: &[f64], salt: u64) -> f64 {
    let h = x.iter().fold(0xcbf2_9ce4_8422_2325u64 ^ salt, |h, v| {
        (h ^ v.to_bits()).wrapping_mul(0x100_0000_01b3)
    });
    Rng::new(h).normal()
}

/// Runs the Executor until f ≤ `target`, a CMA-ES stop or `max_iters`; returns (solver, best cost).
fn run_to_target<F: Fn(&[f64]) -> f64 + Sync>(
    f: F,
    x0: &[f64],
    config: &CmaEsConfig,
    target: f64,
    max_iters: u64,
) -> (CmaEs, f64) {
    let solver = CmaEs::new(x0, config).unwrap();
    let res = Executor::new(Fun(f), solver)
        .configure(|s| s.max_iters(max_iters).target_cost(target))
        .run()
        .unwrap();
    let best = res.state.get_best_cost();
    (res.solver, best)
}

/// Evaluations to reach f < 1e-8 from 3·1 with σ0 = 2 for seeds 1..=3; asserts success, returns them sorted.
fn evals_to_1e_8(name: &str, f: fn(&[f64]) -> f64) -> Vec<u64> {
    let mut evals = Vec::new();
    for seed in 1..=3 {
        let (es, best) = run_to_target(f, &[3.0; N], &CmaEsConfig::new(2.0).seed(seed), 1e-8, 5000);
        assert!(
            best < 1e-8,
            "{name} seed {seed}: best {best:e}, stop {:?}",
            es.should_stop()
        );
        evals.push(es.evaluations());
    }
    evals.sort();
    println!(
        "{name} 10-D: evaluations to f < 1e-8 (seeds 1-3, sorted): {evals:?}, median {}",
        evals[1]
    );
    evals
}

#[test]
fn sphere_evaluations_match_reference() {
    let e = evals_to_1e_8("sphere", sphere);
    assert!((700..=3000).contains(&e[1]), "median {} vs pycma 1445", e[1]);
}

#[test]
fn ellipsoid_evaluations_match_reference() {
    let e = evals_to_1e_8("ellipsoid(1e6)", ellipsoid);
    assert!(
        (2500..=9000).contains(&e[1]),
        "median {} vs pycma 4265, purecma 6060",
        e[1]
    );
}

#[test]
fn rosenbrock_evaluations_match_reference() {
    // All of seeds 1-12 reach the global optimum from 3·1 (no local-minimum run among them); the assertion is
    // on the median of seeds 1-3.
    let e = evals_to_1e_8("rosenbrock", rosenbrock);
    assert!(
        (3000..=10000).contains(&e[1]),
        "median {} vs published < 8000, pycma 5485",
        e[1]
    );
}

#[test]
fn multiplicative_noise_mean_converges() {
    let noisy = |x: &[f64]| sphere(x) * (1.0 + 0.05 * point_noise(x, 1));
    for seed in 1..=3 {
        let (es, _) = run_to_target(
            noisy,
            &[3.0; N],
            &CmaEsConfig::new(2.0).seed(seed),
            f64::NEG_INFINITY,
            300,
        );
        let f_mean = sphere(&es.mean_phenotype());
        println!(
            "sphere·(1+0.05N), seed {seed}: f(mean) = {f_mean:.2e} after {} evaluations (stop: {:?})",
            es.evaluations(),
            es.should_stop()
        );
        assert!(f_mean < 1e-6, "seed {seed}: f(mean) = {f_mean:e}");
    }
}

#[test]
fn additive_noise_reaches_the_floor() {
    let noisy = |x: &[f64]| sphere(x) * (1.0 + 0.05 * point_noise(x, 1)) + 1e-4 * point_noise(x, 2);
    for seed in 1..=3 {
        let (es, _) = run_to_target(
            noisy,
            &[3.0; N],
            &CmaEsConfig::new(2.0).seed(seed),
            f64::NEG_INFINITY,
            300,
        );
        let f_mean = sphere(&es.mean_phenotype());
        println!(
            "sphere·(1+0.05N) + 1e-4 N, seed {seed}: f(mean) = {f_mean:.2e} after {} evaluations",
            es.evaluations()
        );
        assert!(f_mean < 1e-3, "seed {seed}: f(mean) = {f_mean:e}");
        assert!(es.mean_phenotype().iter().all(|v| v.is_finite()) && es.sigma().is_finite());
    }
}

#[test]
fn bounds_hold_at_every_evaluated_point_and_optimum_on_the_boundary_is_found() {
    // Sphere centred at 2, box [-1, 1]^10: the constrained optimum is x = 1 (f = 10).
    let seen = Mutex::new(Vec::<Vec<f64>>::new());
    let f = |x: &[f64]| {
        seen.lock().unwrap().push(x.to_vec());
        x.iter().map(|v| (v - 2.0).powi(2)).sum::<f64>()
    };
    let mut r = Rng::new(77);
    let x0: Vec<f64> = (0..N).map(|_| 2.0 * r.uniform() - 1.0).collect();
    let config = CmaEsConfig::new(0.5).seed(5).bounds(vec![(-1.0, 1.0); N]);
    let (es, best) = run_to_target(f, &x0, &config, f64::NEG_INFINITY, 3000);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len() as u64, es.evaluations());
    assert!(
        seen.iter().flatten().all(|v| (-1.0..=1.0).contains(v)),
        "a point left the box"
    );
    let (x_best, f_best) = es.best().unwrap();
    println!(
        "box [-1,1]^10, optimum at 2: f_best - 10 = {:.1e}, max |x-1| = {:.1e} after {} evaluations (stop {:?})",
        f_best - 10.0,
        x_best.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max),
        es.evaluations(),
        es.should_stop()
    );
    assert_eq!(best, f_best);
    assert!(f_best - 10.0 < 1e-9);
    assert!(x_best.iter().all(|v| (v - 1.0).abs() < 1e-9), "{x_best:?}");
    assert!(es.mean_phenotype().iter().all(|v| (v - 1.0).abs() < 1e-6));
    assert!(es.should_stop().is_some());
}

#[test]
fn one_sided_and_fixed_bounds_hold() {
    // Even coordinates in [0, ∞) with the optimum at -1 (→ 0), odd ones unbounded (→ -1), the last fixed at 0.5.
    let bounds: Vec<(f64, f64)> = (0..N)
        .map(|i| match i {
            9 => (0.5, 0.5),
            i if i % 2 == 0 => (0.0, f64::INFINITY),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        })
        .collect();
    let ok = |x: &[f64]| x.iter().zip(&bounds).all(|(v, &(lo, hi))| *v >= lo && *v <= hi);
    let violations = AtomicUsize::new(0);
    let f = |x: &[f64]| {
        if !ok(x) {
            violations.fetch_add(1, Ordering::Relaxed);
        }
        x.iter().map(|v| (v + 1.0).powi(2)).sum::<f64>()
    };
    let mut x0 = vec![3.0; N];
    x0[9] = 0.5;
    let (es, _) = run_to_target(
        f,
        &x0,
        &CmaEsConfig::new(1.0).seed(8).bounds(bounds.clone()),
        f64::NEG_INFINITY,
        3000,
    );
    assert_eq!(violations.load(Ordering::Relaxed), 0);
    assert_eq!(es.search_dim(), N - 1);
    let (x, _) = es.best().unwrap();
    for (i, v) in x.iter().enumerate() {
        let want = match i {
            9 => 0.5,
            i if i % 2 == 0 => 0.0,
            _ => -1.0,
        };
        assert!((v - want).abs() < 1e-6, "x[{i}] = {v}, want {want}");
    }
}

#[test]
fn non_finite_region_does_not_break_the_run() {
    // NaN where x0 > 3 (half of the first generation), +∞ on the slab 1 < x1 < 1.2, -∞ where x2 < -2.5.
    let bad = AtomicUsize::new(0);
    let f = |x: &[f64]| {
        let v = if x[0] > 3.0 {
            f64::NAN
        } else if x[1] > 1.0 && x[1] < 1.2 {
            f64::INFINITY
        } else if x[2] < -2.5 {
            f64::NEG_INFINITY
        } else {
            sphere(x)
        };
        if !v.is_finite() {
            bad.fetch_add(1, Ordering::Relaxed);
        }
        v
    };
    let (es, best) = run_to_target(f, &[3.0; N], &CmaEsConfig::new(2.0).seed(3), 1e-8, 5000);
    let bad = bad.load(Ordering::Relaxed);
    println!(
        "non-finite region: {bad} non-finite costs, f < 1e-8 after {} evaluations",
        es.evaluations()
    );
    assert!(bad > 10, "the non-finite region was never hit ({bad})");
    assert!(best < 1e-8, "best {best:e}");
    let (_, b) = es.best().unwrap();
    assert!(b.is_finite() && b < 1e-8);
    assert!(es.sigma().is_finite() && es.mean_genotype().iter().all(|v| v.is_finite()));
    assert!(es.covariance().iter().all(|v| v.is_finite()));
}

#[test]
fn bit_identical_with_one_and_two_threads() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let noisy = |x: &[f64]| rosenbrock(x) * (1.0 + 0.05 * point_noise(x, 3));
            let solver = CmaEs::new(&[3.0; N], &CmaEsConfig::new(2.0).seed(21)).unwrap();
            let res = Executor::new(Fun(noisy), solver)
                .configure(|s| s.max_iters(200))
                .run()
                .unwrap();
            let best = res
                .state
                .get_best_param()
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>();
            (
                serde_json::to_string(&res.solver).unwrap(),
                best,
                res.state.get_best_cost().to_bits(),
            )
        })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one.0, two.0, "solver states differ");
    assert_eq!(one.1, two.1);
    assert_eq!(one.2, two.2);
}

#[test]
fn serialised_mid_run_and_resumed_is_bit_identical() {
    let (total, first) = (150u64, 53u64);
    let config = CmaEsConfig::new(2.0).seed(13).bounds(vec![(-4.0, 4.0); N]);
    let fresh = || CmaEs::new(&[3.0; N], &config).unwrap();
    let full = Executor::new(Fun(ellipsoid), fresh())
        .configure(|s| s.max_iters(total))
        .run()
        .unwrap();
    assert_eq!(full.solver.generation(), total, "the reference run stopped early");

    let part = Executor::new(Fun(ellipsoid), fresh())
        .configure(|s| s.max_iters(first))
        .run()
        .unwrap();
    let json = serde_json::to_string(&part.solver).unwrap();
    let restored: CmaEs = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, part.solver);
    let rest = Executor::new(Fun(ellipsoid), restored)
        .configure(|s| s.max_iters(total - first))
        .run()
        .unwrap();

    assert_eq!(
        serde_json::to_string(&rest.solver).unwrap(),
        serde_json::to_string(&full.solver).unwrap()
    );
    assert_eq!(rest.solver, full.solver);
    let (xa, fa) = rest.solver.best().unwrap();
    let (xb, fb) = full.solver.best().unwrap();
    assert_eq!(fa.to_bits(), fb.to_bits());
    assert!(xa.iter().zip(xb).all(|(a, b)| a.to_bits() == b.to_bits()));
}
