//! Low-level I/O below everything that writes: atomic file writes, pretty JSON, exact float text and the
//! provenance manifest. Nothing here imports another sprintlab module except [`crate::error`].

mod format;
mod manifest;
pub mod progress;

pub use format::format_f64;
pub use manifest::{utc_now, Manifest, SlurmIds};

use std::path::Path;

use crate::error::Error;

/// A value as pretty-printed JSON with a final newline (every JSON file sprintlab writes).
pub fn pretty_json<T: serde::Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Error::io("(json)", std::io::Error::other(e)))
}

/// Writes a value as pretty-printed JSON, atomically (see [`write_atomic`]).
pub fn write_json<T: serde::Serialize>(path: &Path, v: &T) -> Result<(), Error> {
    write_atomic(path, pretty_json(v)?.as_bytes())
}

/// Writes `bytes` to `path` through a hidden temporary beside it (`.NAME.tmp-PID`) and a rename, so readers
/// never see half a file; on failure the temporary is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let r = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = r {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
