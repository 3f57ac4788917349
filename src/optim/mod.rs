//! Optimisation: a resumable, deterministic CMA-ES (argmin `Solver`) with its stopping criteria and restart
//! strategies (IPOP/BIPOP), and its serialisable PRNG; the `optimize` driver that runs it through argmin's
//! `Executor` on a scenario (search space, parallel population, checkpoints, resume, history, best overlay), and
//! best-of-N: independent optimisations side by side, the best of them the result.
pub mod argmin_solvers;
pub mod best_of;
pub mod checkpoint;
pub mod cmaes;
pub mod driver;
pub mod history;
pub mod restarts;
pub mod rng;
pub mod search;
pub mod space;
