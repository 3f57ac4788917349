//! Optimisation: a resumable, deterministic CMA-ES (argmin `Solver`) and its serialisable PRNG; problems that
//! turn a scenario's free parameters into a cost by one rollout; the `optimize` driver (parallel population,
//! checkpoints, resume, history, best overlay).
pub mod argmin_solvers;
pub mod cmaes;
pub mod driver;
pub mod problem;
pub mod rng;
