//! The output directories of `run --out` and `replay --out`: every file is written under a
//! temporary name and renamed into place only when the whole command has succeeded, so a
//! failure leaves the directory as it was (and removes it if this command created it).

use std::fs;
use std::path::{Path, PathBuf};

use super::{
    AtomicFile, Manifest, RunsCsv, io_error, write_events_csv, write_summary_csv,
    write_summary_json,
};
use crate::batch::{BatchSummary, Plan};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::sim::{Outcome, OutcomeSchema, Replication};

/// An output directory being filled; nothing appears in it until [`commit`](Self::commit).
#[derive(Debug)]
struct OutputDir {
    dir: PathBuf,
    created: bool,
}

impl OutputDir {
    /// Makes sure `dir` is a directory, creating it (and its parents) if missing.
    fn open(dir: &Path) -> Result<OutputDir, Error> {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(OutputDir {
                dir: dir.to_path_buf(),
                created: false,
            }),
            Ok(_) => Err(Error::Usage(format!(
                "{}: exists and is not a directory; --out needs a directory (it is created if missing)",
                dir.display()
            ))),
            Err(_) => {
                fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
                Ok(OutputDir {
                    dir: dir.to_path_buf(),
                    created: true,
                })
            }
        }
    }

    fn file(&self, name: &str) -> Result<AtomicFile, Error> {
        let path = self.dir.join(name);
        AtomicFile::create(&path).map_err(|e| io_error(&path, e))
    }

    /// After a failure: removes the directory if this command created it and it is still empty
    /// (the temporary files must be gone first).
    fn abandon(&self) {
        if self.created {
            // Fails harmlessly if anything else was put there meanwhile.
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

fn commit_all(files: Vec<AtomicFile>) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = file.target().to_path_buf();
        file.commit().map_err(|e| io_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// The files of `run --out DIR`: `runs.csv` streamed during the batch, then `summary.csv`,
/// `summary.json` and `manifest.json` (renamed last, so its presence means the set is whole).
#[derive(Debug)]
pub struct BatchFiles {
    dir: OutputDir,
    runs: Option<RunsCsv<AtomicFile>>,
}

impl BatchFiles {
    /// Prepares `dir` (creating it if needed) and starts `runs.csv` with its header, before the
    /// batch runs, so a bad output path fails at once rather than after the batch.
    ///
    /// # Errors
    /// When `dir` is a file or cannot be created or written.
    pub fn create(dir: &Path, schema: &OutcomeSchema) -> Result<BatchFiles, Error> {
        let dir = OutputDir::open(dir)?;
        let runs = dir.file("runs.csv").and_then(|file| {
            let path = file.target().to_path_buf();
            RunsCsv::new(file, schema).map_err(|e| io_error(&path, e))
        });
        match runs {
            Ok(runs) => Ok(BatchFiles {
                dir,
                runs: Some(runs),
            }),
            Err(error) => {
                dir.abandon();
                Err(error)
            }
        }
    }

    /// Appends the row of replication `run`.
    ///
    /// # Errors
    /// When the row cannot be written (e.g. the disk is full).
    pub fn write_run(&mut self, run: u64, seed: u64, outcome: &Outcome) -> Result<(), Error> {
        let path = self.dir.dir.join("runs.csv");
        match &mut self.runs {
            Some(runs) => runs
                .write_row(run, seed, outcome)
                .map_err(|e| io_error(&path, e)),
            None => Err(Error::Internal(
                "runs.csv written after it was closed".to_string(),
            )),
        }
    }

    /// Writes the summaries and the manifest, then renames every file into place.
    ///
    /// # Errors
    /// When a file cannot be written or renamed.
    pub fn commit(
        mut self,
        scenario: &Scenario,
        plan: &Plan,
        summary: &BatchSummary,
        manifest: &Manifest,
    ) -> Result<Vec<PathBuf>, Error> {
        let runs_path = self.dir.dir.join("runs.csv");
        let runs = self
            .runs
            .take()
            .ok_or_else(|| Error::Internal("runs.csv closed twice".to_string()))?
            .finish()
            .map_err(|e| io_error(&runs_path, e))?;
        let mut summary_csv = self.dir.file("summary.csv")?;
        write_summary_csv(&mut summary_csv, summary)
            .map_err(|e| io_error(summary_csv.target(), e))?;
        let mut summary_json = self.dir.file("summary.json")?;
        write_summary_json(&mut summary_json, scenario, plan, summary)
            .map_err(|e| io_error(summary_json.target(), e))?;
        let mut manifest_json = self.dir.file("manifest.json")?;
        manifest
            .write(&mut manifest_json)
            .map_err(|e| io_error(manifest_json.target(), e))?;
        let written = commit_all(vec![runs, summary_csv, summary_json, manifest_json]);
        // The set is in place (or an error says which file is not); the directory stays.
        self.dir.created = false;
        written
    }
}

impl Drop for BatchFiles {
    fn drop(&mut self) {
        // Not committed: drop the temporary runs.csv first, so the directory can be emptied.
        self.runs.take();
        self.dir.abandon();
    }
}

/// The files of `replay --out DIR`: `events.csv` and `outcome.csv` (the run's row of
/// `runs.csv`, under the same header).
#[derive(Debug)]
pub struct ReplayFiles;

impl ReplayFiles {
    /// Writes both files into `dir` (created if missing), or neither.
    ///
    /// # Errors
    /// When `dir` is a file or a file cannot be written.
    pub fn write(
        dir: &Path,
        scenario: &Scenario,
        seed: u64,
        run: u64,
        replication: &Replication,
    ) -> Result<Vec<PathBuf>, Error> {
        let out = OutputDir::open(dir)?;
        let result = (|| {
            let mut events = out.file("events.csv")?;
            write_events_csv(&mut events, scenario, &replication.events)
                .map_err(|e| io_error(events.target(), e))?;
            let file = out.file("outcome.csv")?;
            let path = file.target().to_path_buf();
            let schema = OutcomeSchema::for_scenario(scenario);
            let mut outcome = RunsCsv::new(file, &schema).map_err(|e| io_error(&path, e))?;
            outcome
                .write_row(run, seed, &replication.outcome)
                .map_err(|e| io_error(&path, e))?;
            let outcome = outcome.finish().map_err(|e| io_error(&path, e))?;
            commit_all(vec![events, outcome])
        })();
        if result.is_err() {
            out.abandon();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Column, ColumnKind, Value};

    fn schema() -> OutcomeSchema {
        OutcomeSchema {
            columns: vec![Column {
                name: "ied_strikes".into(),
                kind: ColumnKind::Count,
            }],
        }
    }

    #[test]
    fn an_abandoned_batch_removes_the_directory_it_created() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out/batch");
        let mut files = BatchFiles::create(&dir, &schema()).unwrap();
        files
            .write_run(
                0,
                1,
                &Outcome {
                    values: vec![Value::Number(3.0)],
                },
            )
            .unwrap();
        drop(files);
        assert!(!dir.exists());
    }

    #[test]
    fn an_abandoned_batch_leaves_older_outputs_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("runs.csv"), "old").unwrap();
        let mut files = BatchFiles::create(dir.path(), &schema()).unwrap();
        files
            .write_run(
                0,
                1,
                &Outcome {
                    values: vec![Value::Number(3.0)],
                },
            )
            .unwrap();
        drop(files);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["runs.csv"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("runs.csv")).unwrap(),
            "old"
        );
    }

    #[test]
    fn a_file_is_not_an_output_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taken");
        std::fs::write(&file, "x").unwrap();
        let error = BatchFiles::create(&file, &schema()).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains("not a directory"), "{error}");
    }
}
