//! Where a batch's long statistics columns spill: anonymous temporary files in a directory the
//! command line picks (beside the outputs, or the system's temporary directory). The statistics
//! only see scratch space; the files are opened here.

use std::io;
use std::path::{Path, PathBuf};

use super::folder::{SPILL_PREFIX, TEMP_SUFFIX};
use crate::stats::{Scratch, SpillStore};

/// Spill files in one directory, each an anonymous temporary file (unlinked at once where the
/// platform allows, removed when closed elsewhere), so that none outlives its column, even
/// after `kill -9`.
#[derive(Debug, Clone)]
pub struct SpillDir {
    dir: PathBuf,
}

impl SpillDir {
    /// Spill files in `dir`, which is only touched once a column first spills.
    pub fn new(dir: PathBuf) -> SpillDir {
        SpillDir { dir }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl SpillStore for SpillDir {
    fn scratch(&self) -> io::Result<Box<dyn Scratch>> {
        // Named with sandtable's prefix, then unlinked at once: a file a kill leaves in that
        // instant is known to be ours, and removed when a batch next claims the folder.
        let named = tempfile::Builder::new()
            .prefix(SPILL_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(&self.dir);
        match named {
            Ok(file) => Ok(Box::new(file.into_file())),
            Err(error) => Err(io::Error::new(
                error.kind(),
                format!(
                    "cannot create a spill file in {} (set a writable spill directory): {error}",
                    self.dir.display()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::stats::NumericColumn;

    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn spilled_values_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut column = NumericColumn::with_spill(100, Arc::new(SpillDir::new(dir.path().into())));
        for i in 0..5_000 {
            column.push(Some(f64::from(i) / 7.0));
        }
        // Unlinked at creation where the platform allows it; gone after use everywhere.
        #[cfg(unix)]
        assert_eq!(count(dir.path()), 0);
        let summary = column.finish().unwrap();
        assert_eq!((summary.n, summary.max), (5_000, Some(4_999.0 / 7.0)));
        assert_eq!(count(dir.path()), 0);
    }

    #[test]
    fn a_missing_directory_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = SpillDir::new(dir.path().join("missing"));
        let error = store.scratch().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(error.to_string().contains("spill"), "{error}");
        // And by the column that needed it, when it finishes.
        let mut column = NumericColumn::with_spill(4, Arc::new(store));
        for i in 0..100 {
            column.push(Some(f64::from(i)));
        }
        assert_eq!(column.finish().unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
