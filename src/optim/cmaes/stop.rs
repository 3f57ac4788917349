//! Stopping criteria of a CMA-ES run (Hansen's reference implementations; definitions and defaults in
//! docs/optimiser.md and [`StopCriteria`]). All are evaluated, none short-circuits another.

use super::{CmaEs, StopCriteria, NON_FINITE_LIMIT};
use crate::optim::history::median as median_of;

/// Entries of the stagnation record kept at most (the tutorial's cap).
const STAGNATION_CAP: usize = 20_000;

impl CmaEs {
    /// Default generations per run: 100 + ⌊150 (n+3)² / √λ⌋ (pycma's `maxiter`).
    pub fn default_max_iter(n: usize, lambda: usize) -> u64 {
        100 + (150.0 * ((n + 3) as f64).powi(2) / (lambda as f64).sqrt()).floor() as u64
    }

    /// Generations after which `"max_iter"` fires.
    pub fn max_iter(&self) -> u64 {
        self.stop
            .max_iter
            .unwrap_or_else(|| Self::default_max_iter(self.n, self.lambda))
    }

    /// The stopping criteria in use.
    pub fn stop_criteria(&self) -> &StopCriteria {
        &self.stop
    }

    /// Minimum length of the stagnation record: `tol_stagnation`, default 120 + ⌈30n/λ⌉.
    fn stagnation_window(&self) -> usize {
        self.stop
            .tol_stagnation
            .map_or(120 + (30 * self.n).div_ceil(self.lambda), |t| t as usize)
    }

    /// Largest standard deviation along a principal axis, σ·√λmax(C) (genotype units): the effective step.
    pub fn effective_step(&self) -> f64 {
        self.sigma * self.eig_d.last().copied().unwrap_or(1.0)
    }

    /// Initial step size σ0.
    pub fn sigma0(&self) -> f64 {
        self.sigma0
    }

    /// Updates the records of the stagnation and flat-fitness criteria with a generation that has at least one
    /// finite cost (`order` ranks `costs`, the first `n_finite` are finite).
    pub(super) fn record_for_stop(&mut self, costs: &[f64], order: &[usize], n_finite: usize) {
        let ranked: Vec<f64> = order
            .iter()
            .map(|&k| if costs[k].is_finite() { costs[k] } else { f64::INFINITY })
            .collect();
        self.stagnation_best.push(ranked[0]);
        self.stagnation_median.push(median_of(&ranked));
        let keep = self
            .stagnation_window()
            .max((0.2 * self.generation as f64).ceil() as usize)
            .min(STAGNATION_CAP);
        for v in [&mut self.stagnation_best, &mut self.stagnation_median] {
            if v.len() > keep {
                v.drain(..v.len() - keep);
            }
        }
        // Flat fitness: f_(1) == f_(⌊3λ/4⌋+1), exact equality of finite costs.
        let k = 3 * self.lambda / 4;
        if k < n_finite && ranked[k] == ranked[0] {
            self.flat_streak += 1;
        } else {
            self.flat_streak = 0;
        }
    }

    /// Every satisfied stopping criterion, in this order (empty before the first generation):
    /// `no_finite_cost` ([`NON_FINITE_LIMIT`] generations without a finite cost), `max_iter`, `tol_fac_up_x`,
    /// `tol_x`, `tol_fun`, `tol_fun_hist`, `tol_stagnation`, `tol_up_sigma` (also for a non-finite σ),
    /// `no_effect_coord`, `no_effect_axis`, `tol_condition_cov`, `tol_flat_fitness`.
    pub fn stop_reasons(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.generation == 0 {
            return out;
        }
        let (n, st) = (self.n, &self.stop);
        let sd: Vec<f64> = (0..n).map(|i| self.sigma * self.cov[i * n + i].sqrt()).collect();
        if self.non_finite_streak >= NON_FINITE_LIMIT {
            out.push("no_finite_cost");
        }
        if self.generation >= self.max_iter() {
            out.push("max_iter");
        }
        if sd.iter().any(|&s| s > st.tol_fac_up_x * self.sigma0) {
            out.push("tol_fac_up_x");
        }
        if sd.iter().all(|&s| s < st.tol_x) && self.p_c.iter().all(|p| (self.sigma * p).abs() < st.tol_x) {
            out.push("tol_x");
        }
        let history_full = self.recent_best.len() >= self.history_len();
        let range = |init: (f64, f64)| {
            let lo = self.recent_best.iter().copied().fold(init.0, f64::min);
            let hi = self.recent_best.iter().copied().fold(init.1, f64::max);
            hi - lo
        };
        if history_full && self.last_all_finite {
            if let Some(r) = self.last_range {
                if range(r) < st.tol_fun {
                    out.push("tol_fun");
                }
            }
        }
        if history_full && range((f64::INFINITY, f64::NEG_INFINITY)) < st.tol_fun_hist {
            out.push("tol_fun_hist");
        }
        let len = self.stagnation_best.len();
        if len >= self.stagnation_window() {
            let k = (3 * len).div_ceil(10);
            let stalled = |v: &[f64]| median_of(&v[len - k..]) >= median_of(&v[..k]);
            if stalled(&self.stagnation_best) && stalled(&self.stagnation_median) {
                out.push("tol_stagnation");
            }
        }
        let max_d = self.eig_d.last().copied().unwrap_or(1.0);
        if !self.sigma.is_finite() || self.sigma / self.sigma0 > st.tol_up_sigma * max_d {
            out.push("tol_up_sigma");
        }
        if st.no_effect_coord && (0..n).any(|i| self.mean[i] + 0.2 * sd[i] == self.mean[i]) {
            out.push("no_effect_coord");
        }
        if st.no_effect_axis
            && (0..n).any(|k| {
                let step = 0.1 * self.sigma * self.eig_d[k];
                (0..n).all(|i| self.mean[i] + step * self.eig_b[i * n + k] == self.mean[i])
            })
        {
            out.push("no_effect_axis");
        }
        if self.condition_number() > st.tol_condition_cov {
            out.push("tol_condition_cov");
        }
        if self.flat_streak > st.tol_flat_fitness {
            out.push("tol_flat_fitness");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::CmaEsConfig;
    use super::*;

    /// Runs ask/tell on `f` until a criterion holds or `max_gen` generations; returns the reasons.
    fn run(es: &mut CmaEs, f: &dyn Fn(&[f64]) -> f64, max_gen: u64) -> Vec<&'static str> {
        while es.generation() < max_gen {
            let xs = es.ask();
            let costs: Vec<f64> = xs.iter().map(|x| f(x)).collect();
            es.tell(&costs);
            let r = es.stop_reasons();
            if !r.is_empty() {
                return r;
            }
        }
        Vec::new()
    }

    #[test]
    fn nothing_holds_before_the_first_generation() {
        let es = CmaEs::new(&[0.0; 3], &CmaEsConfig::new(1e-300)).unwrap();
        assert!(es.stop_reasons().is_empty());
    }

    #[test]
    fn a_flat_cost_stops_by_flat_fitness_after_two_generations() {
        let mut es = CmaEs::new(&[0.0; 4], &CmaEsConfig::new(1.0).seed(3)).unwrap();
        let r = run(&mut es, &|_| 1.0, 100);
        assert_eq!(es.generation(), 2, "{r:?}");
        assert!(r.contains(&"tol_flat_fitness"), "{r:?}");
    }

    #[test]
    fn a_far_too_small_sigma0_on_a_slope_stops_by_tol_fac_up_x() {
        let mut es = CmaEs::new(&[0.0; 3], &CmaEsConfig::new(1e-6).seed(1)).unwrap();
        let r = run(&mut es, &|x| x[0] + x[1] + x[2], 1000);
        assert!(r.contains(&"tol_fac_up_x"), "{r:?}");
        assert!(es.stop_criteria().tol_fac_up_x * es.sigma0() < es.effective_step());
    }

    #[test]
    fn max_iter_caps_the_generations() {
        let stop = StopCriteria {
            max_iter: Some(7),
            ..StopCriteria::default()
        };
        let mut es = CmaEs::new(&[1.0; 3], &CmaEsConfig::new(0.5).stop(stop)).unwrap();
        assert_eq!(run(&mut es, &|x| x.iter().map(|v| v * v).sum(), 100), vec!["max_iter"]);
        assert_eq!(es.generation(), 7);
        assert_eq!(
            CmaEs::default_max_iter(10, 10),
            100 + (150.0 * 169.0 / 10f64.sqrt()) as u64
        );
    }

    #[test]
    fn sphere_converges_and_stops_by_tol_fun_with_the_effective_step_collapsed() {
        let mut es = CmaEs::new(&[1.0; 5], &CmaEsConfig::new(0.5).seed(2)).unwrap();
        let r = run(&mut es, &|x| x.iter().map(|v| v * v).sum(), 5000);
        assert!(r.contains(&"tol_fun"), "{r:?}");
        assert!(es.effective_step() / es.sigma0() < 1e-4, "{}", es.effective_step());
    }

    #[test]
    fn a_noisy_plateau_stops_by_stagnation() {
        // Costs that never improve on average: hash noise of the generation's samples.
        let stop = StopCriteria {
            tol_fun: 0.0,
            tol_fun_hist: 0.0,
            tol_stagnation: Some(40),
            ..StopCriteria::default()
        };
        let mut es = CmaEs::new(&[0.0; 2], &CmaEsConfig::new(1.0).seed(4).stop(stop)).unwrap();
        let noise = |x: &[f64]| ((x[0] * 1e6).sin() * 43758.5453).fract().abs();
        let r = run(&mut es, &noise, 5000);
        assert!(r.contains(&"tol_stagnation"), "{r:?}");
    }

    #[test]
    fn a_step_below_the_resolution_of_the_mean_has_no_effect() {
        let mut es = CmaEs::new(&[1e6; 2], &CmaEsConfig::new(1e-12).seed(5)).unwrap();
        let r = run(&mut es, &|x| (x[0] - 1e6).abs() + (x[1] - 1e6).abs(), 10);
        assert!(r.contains(&"no_effect_coord") && r.contains(&"no_effect_axis"), "{r:?}");
    }
}
