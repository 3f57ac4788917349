//! The search space of `optimize`: each free parameter `p` is searched as z = (p − init)/std, so CMA-ES starts
//! at z = 0 and the scenario's `std` is the initial spread of each parameter; bounds map to z-space. Shared by
//! the CMA-ES driver and argmin's other solvers.

use argmin::core::{CostFunction, Error as ArgminError};

use crate::measure::{evaluate, Evaluation};
use crate::scenario::Loaded;

/// Parameter values in scenario units from a z-space point.
pub fn to_values(loaded: &Loaded, z: &[f64]) -> Vec<f64> {
    loaded
        .params
        .iter()
        .zip(z)
        .map(|(p, &zi)| (p.init + p.std * zi).clamp(p.min, p.max))
        .collect()
}

/// The parameter box in z-space, one `(lo, hi)` per free parameter.
pub fn z_bounds(loaded: &Loaded) -> Vec<(f64, f64)> {
    loaded
        .params
        .iter()
        .map(|p| ((p.min - p.init) / p.std, (p.max - p.init) / p.std))
        .collect()
}

/// A candidate's score: cost, whether it kept balance (in the scenario and in every variant), and the scenario's
/// own evaluation.
pub struct Score {
    /// Cost (the mean over the scenario and its variants).
    pub cost: f64,
    /// Balance kept to the end everywhere (false for a failed load or a divergence).
    pub balanced: bool,
    /// The scenario's own rollout (`None` for a failed load).
    pub evaluation: Option<Evaluation>,
}

/// Scores one parameter vector (a failed load is a result too: +∞). With `[[optimize.variant]]`s the cost is the
/// mean over the scenario and its variants.
pub fn score(loaded: &Loaded, values: &[f64]) -> Score {
    let one = |l: &Loaded| match l.with_values(values) {
        Ok(l) => {
            let e = evaluate(&l);
            (e.cost, e.cost.is_finite() && e.balance_lost.is_none(), Some(e))
        }
        Err(_) => (f64::INFINITY, false, None),
    };
    let (mut cost, mut balanced, evaluation) = one(loaded);
    for v in &loaded.variants {
        let (c, b, _) = one(v);
        cost += c;
        balanced &= b;
    }
    if !loaded.variants.is_empty() {
        cost /= (1 + loaded.variants.len()) as f64;
    }
    Score {
        cost,
        balanced,
        evaluation,
    }
}

/// The scenario as an argmin cost function of z.
pub struct ScenarioCost<'a> {
    /// The scenario with its free parameters.
    pub loaded: &'a Loaded,
    /// Report non-finite costs as `f64::MAX` (Nelder–Mead and particle swarm, whose simplex or swarm NaN would
    /// poison); CMA-ES ranks them last itself.
    pub finite: bool,
}

impl ScenarioCost<'_> {
    /// Cost of z and whether the rollout kept balance to the end (false for a failed load or a divergence).
    pub fn cost_and_balance(&self, z: &[f64]) -> (f64, bool) {
        let s = score(self.loaded, &to_values(self.loaded, z));
        (s.cost, s.balanced)
    }
}

impl CostFunction for ScenarioCost<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, z: &Self::Param) -> Result<f64, ArgminError> {
        let c = score(self.loaded, &to_values(self.loaded, z)).cost;
        Ok(if c.is_finite() || !self.finite { c } else { f64::MAX })
    }
}
