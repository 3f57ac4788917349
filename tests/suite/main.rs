//! The integration tests, one module per subject, linked into one test binary (`cargo test --test suite`;
//! one module: `cargo test --release --test suite sprint::`).

mod bad_input;
mod cli_runs;
mod cmaes_reference;
mod common;
mod conservation;
mod contact_models;
mod contributions;
mod figures;
mod figures_common;
mod free_fall;
mod induced;
mod measures;
mod opensim_export;
mod optimize;
mod parser_fuzz;
mod peer_trajectory;
mod plateau;
mod restarts;
mod sparse_mass_matrix;
mod sprint;
mod standing;
mod strength_mix;
mod sweep_plan;
mod sweep_run;
mod torque_bounds;
mod viewer;
