//! Everything sprintlab writes and reads back: run folders (one writer, [`run_folder`]; one reader,
//! [`read`]), the typed tables (CSV), and the OpenSim files. The low-level helpers (atomic writes, JSON,
//! float text, manifests) live below in [`crate::io`].

pub mod opensim;
pub mod read;
pub mod run_folder;
pub mod tables;

pub use read::Table;
pub use run_folder::{default_out, resolved_scenario_toml, simulate, write_rollout_into, RunFolder};
