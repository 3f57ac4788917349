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

/// Cost of one parameter vector (a failed load is a result too: +∞).
pub fn cost_of(loaded: &Loaded, values: &[f64]) -> (f64, Option<Evaluation>) {
    match loaded.with_values(values) {
        Ok(l) => {
            let e = evaluate(&l);
            (e.cost, Some(e))
        }
        Err(_) => (f64::INFINITY, None),
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
        let (c, e) = cost_of(self.loaded, &to_values(self.loaded, z));
        let balanced = c.is_finite() && e.is_some_and(|e| e.balance_lost.is_none());
        (c, balanced)
    }
}

impl CostFunction for ScenarioCost<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, z: &Self::Param) -> Result<f64, ArgminError> {
        let c = cost_of(self.loaded, &to_values(self.loaded, z)).0;
        Ok(if c.is_finite() || !self.finite { c } else { f64::MAX })
    }
}
