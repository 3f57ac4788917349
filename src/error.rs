//! Library errors. A diverging or falling rollout is an *outcome*, never an error: errors are for loading,
//! validation and I/O.

use std::path::PathBuf;

/// Where in a file something went wrong (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// Line (1-based), 0 if unknown.
    pub line: usize,
    /// Column (1-based), 0 if unknown.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Every error sprintlab's library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario or model file is invalid: where, which field, what is wrong and what is allowed.
    #[error("{location}: `{path}`: {msg}")]
    Invalid {
        /// File, line and column.
        location: Location,
        /// Dotted path of the field (`world.dt`), or `(file)` for the whole file.
        path: String,
        /// What is wrong and what is allowed.
        msg: String,
    },
    /// A data table (CSV) shipped with or given to sprintlab is malformed.
    #[error("{file}:{line}: {msg}")]
    Data {
        /// The file.
        file: String,
        /// Line (1-based).
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A model is structurally unusable (unknown parent, bad axis…).
    #[error("model `{model}`: {msg}")]
    Model {
        /// Model name.
        model: String,
        /// What is wrong.
        msg: String,
    },
    /// An optimisation was stopped by Ctrl-C after a generation; its checkpoint is written (continue with
    /// `--resume`).
    #[error(
        "{dir}: interrupted after generation {generation}: checkpoint written; continue with the same command and --resume"
    )]
    Interrupted {
        /// The run folder.
        dir: PathBuf,
        /// Generations completed (of the current CMA-ES run).
        generation: u64,
    },
    /// A sweep shard was stopped by Ctrl-C: the points in flight were finished (or, for optimisations,
    /// checkpointed) and recorded; no point was left half-written.
    #[error(
        "{dir}: interrupted (Ctrl-C) after the points in flight: {recorded} of {points} points of this shard recorded; \
         resume with the same `sprintlab sweep` command"
    )]
    SweepInterrupted {
        /// The sweep folder.
        dir: PathBuf,
        /// Points of the shard with a row in its shard file.
        recorded: u64,
        /// Points in the shard.
        points: u64,
    },
    /// An optimisation ended without a single finite cost (every evaluated point diverged).
    #[error("{dir}: no evaluation gave a finite cost")]
    NoFiniteCost {
        /// The run folder.
        dir: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
