//! A file that appears whole or not at all: written to a hidden temporary file beside its target
//! and renamed over it on commit. Dropped without a commit, the temporary file is removed and
//! the target is left as it was.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

/// A file being written, invisible under its own name until [`commit`](Self::commit).
#[derive(Debug)]
pub(crate) struct AtomicFile {
    target: PathBuf,
    writer: BufWriter<NamedTempFile>,
    /// The SHA-256 of what was written so far, for the manifest that publishes the file.
    hash: Sha256,
}

impl AtomicFile {
    /// Starts writing `target`: creates a temporary file in the same directory, so the final
    /// rename stays on one file system and is atomic.
    ///
    /// # Errors
    /// When the directory is missing or not writable.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // A temporary file is private (0600) by default; an output file gets the permissions of
        // any file the user creates (0666 less the umask).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder.tempfile_in(dir)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            writer: BufWriter::new(temp),
            hash: Sha256::new(),
        })
    }

    /// Hex SHA-256 of the bytes written so far.
    pub fn sha256(&self) -> String {
        self.hash
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The path the file will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs to disk, and renames the file into place (replacing any older one).
    ///
    /// # Errors
    /// When the data cannot be written or the rename fails; the target is then untouched.
    pub fn commit(self) -> io::Result<()> {
        let temp = self
            .writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        // Synced before the rename, so a crash cannot leave the new name on unwritten data.
        temp.as_file().sync_all()?;
        temp.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.writer.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn invisible_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("runs.csv");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"run,seed\n").unwrap();
        assert!(!target.exists());
        file.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"run,seed\n");
        assert_eq!(names(dir.path()), ["runs.csv"]);
    }

    #[test]
    fn dropped_leaves_the_old_file_and_no_litter() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("summary.csv");
        std::fs::write(&target, "old").unwrap();
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"half a fi").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(dir.path()), ["summary.csv"]);
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(AtomicFile::create(&dir.path().join("nope/runs.csv")).is_err());
    }
}
