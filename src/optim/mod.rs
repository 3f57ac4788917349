//! Derivative-free optimisation: a resumable, deterministic CMA-ES (argmin `Solver`) and its serialisable PRNG.
pub mod cmaes;
pub mod rng;
