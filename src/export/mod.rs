//! Run folders: written into a hidden staging folder and renamed into place, so a run folder appears whole
//! or not at all.

mod csv_out;
mod manifest;
pub mod opensim;

pub use csv_out::{format_f64, write_table};
pub use manifest::{utc_now, Manifest};

use std::path::{Path, PathBuf};

use crate::error::Error;

/// A value as pretty-printed JSON with a final newline (every JSON file sprintlab writes).
pub fn pretty_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("serialisable") + "\n"
}

/// Writes a value as pretty-printed JSON, atomically (see [`write_atomic`]).
pub fn write_json<T: serde::Serialize>(path: &Path, v: &T) -> Result<(), Error> {
    write_atomic(path, pretty_json(v).as_bytes())
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

/// A run folder being written. Dropped without [`RunFolder::commit`], it removes its staging folder.
pub struct RunFolder {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl RunFolder {
    /// Starts a run folder at `target`, which must not exist yet.
    pub fn create(target: &Path) -> Result<Self, Error> {
        if target.exists() {
            return Err(Error::io(
                target,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "output folder exists; choose another --out",
                ),
            ));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(Self {
            staging,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Path of a file inside the (staging) folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Writes a whole file into the folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let p = self.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    }

    /// Moves the finished folder into place.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        std::fs::rename(&self.staging, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
