//! The claim a batch lays on its output folder for as long as it runs: an exclusive OS lock on
//! `DIR/.sandtable.lock` (released by the OS when the process ends, however it ends), the check
//! that `--out` does not silently replace another batch, and the removal of the temporary files
//! an earlier, killed sandtable left there. It never touches a file sandtable does not name.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use fs4::{FileExt, TryLockError};

use super::resume::{FAILURES_PARTIAL, MANIFEST_PARTIAL, RUNS_PARTIAL};
use super::{OutputError, ResumeError, io_error};

/// The lock file in an output folder. Not an output: it stays in the folder (removing it while
/// locked would let two processes lock two different files of the same name).
pub const LOCK_FILE: &str = ".sandtable.lock";

/// The prefix of the spill files (see [`SpillDir`](super::SpillDir)), so that one a kill left
/// behind is known to be ours.
pub(crate) const SPILL_PREFIX: &str = ".sandtable-spill.";

/// The suffix of every temporary file sandtable names: atomic writes and spill files.
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// The files sandtable writes through [`AtomicFile`](super::AtomicFile), whose temporary files
/// are `.NAME.XXXXXX.tmp`.
const ATOMIC_NAMES: [&str; 11] = [
    "runs.csv",
    "summary.csv",
    "summary.json",
    "manifest.json",
    MANIFEST_PARTIAL,
    "scenario.resolved.toml",
    "precision.json",
    "comparison.csv",
    "comparison.json",
    "events.csv",
    "outcome.csv",
];

/// How a command means to use its output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderUse {
    /// `--out`: a new batch; with `force`, one that may replace the batch already there.
    Out {
        /// `--force` was given.
        force: bool,
    },
    /// `--resume`: the interrupted batch there goes on.
    Resume,
}

/// An output folder held by this process: no other sandtable batch can write it until this is
/// dropped (or the process ends).
#[derive(Debug)]
pub struct FolderLock {
    /// Held open: closing it releases the lock.
    file: File,
    dir: PathBuf,
    /// This command created the folder, so a failure before any output removes it again.
    created: bool,
}

impl FolderLock {
    /// Claims `dir` for a batch: creates it for `--out` when missing, locks it, refuses (for
    /// `--out` without `force`) a folder holding another batch — in `dir` or in one of its
    /// `subfolders` (a comparison's scenarios) — and removes the temporary files a killed
    /// sandtable left in them.
    ///
    /// # Errors
    /// [`OutputError::Busy`] when another process holds the folder, [`OutputError::Occupied`]
    /// when `--out` would replace a batch, [`ResumeError::NoBatch`] for `--resume` of a missing
    /// folder, [`OutputError::NotADirectory`], or an I/O error (all the user's to fix).
    pub fn claim(
        dir: &Path,
        subfolders: &[&str],
        use_: FolderUse,
    ) -> Result<FolderLock, OutputError> {
        let created = prepare(dir, use_)?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_error(&path, e))?;
        // Built before anything can fail, so that a refusal still removes a folder it created.
        let lock = FolderLock {
            file,
            dir: dir.to_path_buf(),
            created,
        };
        // fs4's trait method, named in full: std's `File::try_lock` has the same name.
        match FileExt::try_lock(&lock.file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                // Not ours to remove: the other batch holds the folder.
                let mut lock = lock;
                lock.created = false;
                return Err(OutputError::Busy {
                    dir: dir.display().to_string(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io_error(&path, e)),
        }
        let folders: Vec<PathBuf> = std::iter::once(dir.to_path_buf())
            .chain(subfolders.iter().map(|s| dir.join(s)))
            .collect();
        if use_ == (FolderUse::Out { force: false }) {
            refuse_a_batch_in(dir, &folders)?;
        }
        for folder in &folders {
            remove_stale_temporaries(folder)?;
        }
        Ok(lock)
    }

    /// The folder held.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // A folder this command created and left with nothing but the lock goes: a command that
        // failed leaves no trace. Anything else in it means it is an output folder now.
        if self.created {
            let only_lock = fs::read_dir(&self.dir).is_ok_and(|entries| {
                entries
                    .filter_map(Result::ok)
                    .all(|e| e.file_name() == LOCK_FILE)
            });
            if only_lock {
                let _ = fs::remove_file(self.dir.join(LOCK_FILE));
                let _ = fs::remove_dir(&self.dir);
            }
        }
    }
}

/// Makes sure `dir` is a folder the command can use; says whether it created it.
fn prepare(dir: &Path, use_: FolderUse) -> Result<bool, OutputError> {
    match (fs::metadata(dir), use_) {
        (Ok(meta), _) if meta.is_dir() => Ok(false),
        (Ok(_), FolderUse::Out { .. }) => Err(OutputError::NotADirectory {
            dir: dir.display().to_string(),
        }),
        (_, FolderUse::Resume) => Err(ResumeError::NoBatch {
            dir: dir.display().to_string(),
        }
        .into()),
        (Err(_), FolderUse::Out { .. }) => {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
            Ok(true)
        }
    }
}

/// Refuses the output folder `dir` when it or one of its subfolders (`folders`) holds a batch,
/// naming an interrupted one (which `--resume` can continue) before a finished one.
fn refuse_a_batch_in(dir: &Path, folders: &[PathBuf]) -> Result<(), OutputError> {
    let found: Vec<(PathBuf, bool)> = folders.iter().filter_map(|f| batch_in(f)).collect();
    let first = found
        .iter()
        .find(|(_, interrupted)| *interrupted)
        .or(found.first());
    match first {
        Some((file, interrupted)) => Err(OutputError::Occupied {
            dir: dir.display().to_string(),
            found: file.display().to_string(),
            interrupted: *interrupted,
        }),
        None => Ok(()),
    }
}

/// The file that shows a batch in `folder`, and whether that batch is interrupted (a journal,
/// or a manifest that says it did not end) rather than finished.
fn batch_in(folder: &Path) -> Option<(PathBuf, bool)> {
    for journal in [MANIFEST_PARTIAL, RUNS_PARTIAL, FAILURES_PARTIAL] {
        let path = folder.join(journal);
        if path.exists() {
            return Some((path, true));
        }
    }
    let manifest = folder.join("manifest.json");
    let bytes = fs::read(&manifest).ok()?;
    let status = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_string));
    let interrupted = matches!(status.as_deref(), Some("partial" | "running"));
    Some((manifest, interrupted))
}

/// Whether `name` is a temporary file sandtable names: `.NAME.XXXXXX.tmp` for an output NAME,
/// or a spill file.
fn is_our_temporary(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(TEMP_SUFFIX) else {
        return false;
    };
    let random = |s: &str| s.len() == 6 && s.chars().all(|c| c.is_ascii_alphanumeric());
    if let Some(rest) = stem.strip_prefix(SPILL_PREFIX) {
        return random(rest);
    }
    ATOMIC_NAMES.iter().any(|output| {
        stem.strip_prefix('.')
            .and_then(|s| s.strip_prefix(output))
            .and_then(|s| s.strip_prefix('.'))
            .is_some_and(random)
    })
}

/// Removes the temporary files a killed sandtable left in `folder` (missing: nothing to do).
/// Called with the folder locked, so none of them is in use.
fn remove_stale_temporaries(folder: &Path) -> Result<(), OutputError> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Ok(());
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && name.to_str().is_some_and(is_our_temporary) {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    const OUT: FolderUse = FolderUse::Out { force: false };

    #[test]
    fn a_held_folder_is_refused_and_free_again_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let held = FolderLock::claim(dir.path(), &[], OUT).unwrap();
        let error = FolderLock::claim(dir.path(), &[], OUT).unwrap_err();
        assert!(matches!(error, OutputError::Busy { .. }), "{error}");
        assert!(
            error.to_string().contains("another sandtable batch"),
            "{error}"
        );
        drop(held);
        FolderLock::claim(dir.path(), &[], OUT).unwrap();
    }

    #[test]
    fn a_folder_it_created_goes_when_nothing_was_written() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        drop(FolderLock::claim(&dir, &[], OUT).unwrap());
        assert!(!dir.exists());
        let lock = FolderLock::claim(&dir, &[], OUT).unwrap();
        fs::write(dir.join("runs.csv"), "x").unwrap();
        drop(lock);
        assert_eq!(names(&dir), [LOCK_FILE, "runs.csv"]);
    }

    #[test]
    fn out_refuses_a_batch_unless_forced() {
        let check = |files: &[(&str, &str)], sub: &str, interrupted: Option<bool>| {
            let dir = tempfile::tempdir().unwrap();
            fs::create_dir(dir.path().join("base")).unwrap();
            for (name, text) in files {
                fs::write(dir.path().join(sub).join(name), text).unwrap();
            }
            let result = FolderLock::claim(dir.path(), &["base"], OUT);
            match (result, interrupted) {
                (Ok(_), None) => {}
                (Err(OutputError::Occupied { interrupted, .. }), Some(expected)) => {
                    assert_eq!(interrupted, expected, "{files:?}");
                }
                (other, _) => panic!("{files:?}: {other:?}"),
            }
            FolderLock::claim(dir.path(), &["base"], FolderUse::Out { force: true }).unwrap();
        };
        check(&[], "", None);
        check(&[("notes.txt", "mine")], "", None);
        check(&[(RUNS_PARTIAL, "run\n")], "", Some(true));
        check(&[(MANIFEST_PARTIAL, "{}")], "base", Some(true));
        check(
            &[("manifest.json", r#"{"status":"partial"}"#)],
            "",
            Some(true),
        );
        check(
            &[("manifest.json", r#"{"status":"complete"}"#)],
            "",
            Some(false),
        );
        check(
            &[("manifest.json", r#"{"status":"complete"}"#)],
            "base",
            Some(false),
        );
    }

    #[test]
    fn only_sandtables_own_temporaries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let ours = [
            ".runs.csv.a1B2c3.tmp",
            ".manifest.json.partial.zzzzzz.tmp",
            ".sandtable-spill.Q9q9Q9.tmp",
        ];
        let theirs = [
            ".runs.csv.tmp",
            ".notes.txt.a1B2c3.tmp",
            ".tmpa1B2c3",
            "runs.csv.a1B2c3.tmp",
            ".sandtable-spill.toolong7.tmp",
            "notes.txt",
        ];
        for name in ours.iter().chain(&theirs) {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        FolderLock::claim(dir.path(), &[], FolderUse::Resume).unwrap();
        let mut expected: Vec<String> = theirs.iter().map(|s| s.to_string()).collect();
        expected.push(LOCK_FILE.to_string());
        expected.sort();
        assert_eq!(names(dir.path()), expected);
    }
}
