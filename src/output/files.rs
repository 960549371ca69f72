//! The output directories of `run --out` and `replay --out`: every output file is written under
//! a temporary name and renamed into place only when the command ends, so no output file is ever
//! half-written; a failure leaves the directory as it was (and removes it if this command
//! created it). A batch also keeps a journal as it runs, which `--resume` continues from.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::resume::{
    self, FAILURES_PARTIAL, JournalRow, MANIFEST_PARTIAL, RUNS_PARTIAL, Recovered, ResumeError,
};
use super::runs::RowKeys;
use super::{
    AtomicFile, Manifest, OutputError, RESOLVED_SCENARIO, RunsCsv, RunsRow, io_error,
    write_events_csv, write_summary_csv, write_summary_json,
};
use crate::batch::{BatchSummary, Journal, Plan};
use crate::scenario::Scenario;
use crate::sim::{OutcomeSchema, Replication};

/// An output directory being filled; nothing appears in it until [`commit`](Self::commit).
#[derive(Debug)]
struct OutputDir {
    dir: PathBuf,
    created: bool,
}

impl OutputDir {
    /// Makes sure `dir` is a directory, creating it (and its parents) if missing.
    fn open(dir: &Path) -> Result<OutputDir, OutputError> {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(OutputDir {
                dir: dir.to_path_buf(),
                created: false,
            }),
            Ok(_) => Err(OutputError::NotADirectory {
                dir: dir.display().to_string(),
            }),
            Err(_) => {
                fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
                Ok(OutputDir {
                    dir: dir.to_path_buf(),
                    created: true,
                })
            }
        }
    }

    fn file(&self, name: &str) -> Result<AtomicFile, OutputError> {
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

    /// [`RESOLVED_SCENARIO`]: the scenario as the command ran it, which `sandtable run` can load
    /// back to reproduce the batch; not yet in place.
    fn resolved_scenario(&self, scenario: &Scenario) -> Result<AtomicFile, OutputError> {
        let mut file = self.file(RESOLVED_SCENARIO)?;
        file.write_all(scenario.resolved_toml.as_bytes())
            .map_err(|e| io_error(file.target(), e))?;
        Ok(file)
    }
}

fn commit_all(files: Vec<AtomicFile>) -> Result<Vec<PathBuf>, OutputError> {
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = file.target().to_path_buf();
        file.commit().map_err(|e| io_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// How often the rows of a running batch are pushed to the disk. A kill loses at most this much
/// work; a push is one system call, so it costs nothing a replication would notice.
const FLUSH_INTERVAL: Duration = Duration::from_millis(100);

/// The files of `run --out DIR`.
///
/// While the batch runs, its rows go to a journal, flushed as they come: `runs.csv.partial`
/// (run order, the final bytes), `failures.csv.partial` (a line per failed run, always written
/// before that run's row) and `manifest.json.partial` (what batch this is, status `running`).
/// Whatever the journal holds when the process dies, even by `kill -9`, `--resume` can continue
/// from. When the batch ends — complete, or interrupted by Ctrl-C — [`finish`](Self::finish)
/// turns the journal into the output files: `runs.csv`, `failures.csv` (only when runs failed),
/// `summary.csv`, `summary.json`, the resolved scenario ([`RESOLVED_SCENARIO`]) and
/// `manifest.json` (renamed last).
pub struct BatchFiles {
    dir: OutputDir,
    /// The key columns that start each row: a plain batch's or a sweep's.
    keys: RowKeys,
    /// The batch seed, for `failures.csv`.
    seed: u64,
    runs: Option<RunsCsv<File>>,
    failures: Option<csv::Writer<File>>,
    last_flush: Instant,
    /// Whether this command began the journal (a fresh batch), and so removes it on a failure
    /// before any run is in it. A journal with runs — or a resumed batch's — is kept on any
    /// failure (a full disk, say), for `--resume` to continue once the cause is fixed.
    began_journal: bool,
    /// Rows handed to the journal by this command.
    rows_written: u64,
    /// The test seam's hook (see [`BatchFiles::set_step_hook`]).
    step_hook: Option<StepHook>,
}

/// Writes a batch's manifest (a plain batch's, or a sweep's that adds its experiment) with the
/// given file hashes.
pub(super) type WriteManifest<'a> = dyn Fn(&Manifest, &mut AtomicFile) -> std::io::Result<()> + 'a;

/// TEST SEAM: what [`BatchFiles::set_step_hook`] installs, told each named step.
#[doc(hidden)]
pub type StepHook = Box<dyn FnMut(&str)>;

impl std::fmt::Debug for BatchFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchFiles")
            .field("dir", &self.dir)
            .field("rows_written", &self.rows_written)
            .finish_non_exhaustive()
    }
}

/// The state of a batch picked up by `--resume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumedBatch {
    /// When the batch first started, from its manifest.
    pub started: String,
    /// When it was resumed before this time.
    pub resumed: Vec<String>,
    /// What was kept of its rows, and where it goes on.
    pub recovered: Recovered,
}

impl BatchFiles {
    /// Prepares `dir` (creating it if needed) and starts the journal of a fresh batch described
    /// by `manifest` (status `running`), before the batch runs, so a bad output path fails at
    /// once rather than after the batch. Any older journal in `dir` is replaced.
    ///
    /// # Errors
    /// When `dir` is a file or cannot be created or written.
    pub fn create(
        dir: &Path,
        schema: &OutcomeSchema,
        manifest: &Manifest,
    ) -> Result<BatchFiles, OutputError> {
        BatchFiles::create_with_keys(dir, RowKeys::Run, schema, manifest)
    }

    /// [`create`](Self::create) for rows that start with the key columns `keys` (a sweep's).
    ///
    /// # Errors
    /// As [`create`](Self::create).
    pub fn create_with_keys(
        dir: &Path,
        keys: RowKeys,
        schema: &OutcomeSchema,
        manifest: &Manifest,
    ) -> Result<BatchFiles, OutputError> {
        let dir = OutputDir::open(dir)?;
        let mut files = BatchFiles {
            dir,
            keys,
            seed: manifest.identity.seed,
            runs: None,
            failures: None,
            last_flush: Instant::now(),
            began_journal: true,
            rows_written: 0,
            step_hook: None,
        };
        // The rows' files before the manifest, so that a manifest.json.partial never stands
        // beside an older batch's runs.csv.partial.
        let runs_path = files.path(RUNS_PARTIAL);
        let mut runs = File::create(&runs_path)
            .and_then(|f| RunsCsv::new(f, schema, keys))
            .map_err(|e| io_error(&runs_path, e))?;
        runs.flush().map_err(|e| io_error(&runs_path, e))?;
        files.runs = Some(runs);
        files.failures = Some(files.start_failures(true)?);
        files.write_journal_manifest(manifest)?;
        Ok(files)
    }

    /// Picks up the interrupted batch in `dir`: checks that `manifest` (status `running`)
    /// describes the same batch, reads back the rows that reached the disk whole and hands them
    /// to `on_row` in run order, cuts off a torn last line, and opens the journal to append the
    /// runs from [`Recovered::next_run`] on.
    ///
    /// # Errors
    /// [`ResumeError`] when there is no interrupted batch in `dir`, it is complete, or it is
    /// another batch (exit code 2); an I/O error when its files cannot be read or written.
    pub fn resume(
        dir: &Path,
        schema: &OutcomeSchema,
        manifest: &Manifest,
        on_row: &mut dyn FnMut(u64, JournalRow) -> Result<(), String>,
    ) -> Result<(BatchFiles, ResumedBatch), OutputError> {
        BatchFiles::resume_with_keys(dir, (RowKeys::Run, schema), manifest, on_row)
    }

    /// [`resume`](Self::resume) for rows that start with the key columns `keys` (a sweep's).
    ///
    /// # Errors
    /// As [`resume`](Self::resume).
    pub fn resume_with_keys(
        dir: &Path,
        (keys, schema): (RowKeys, &OutcomeSchema),
        manifest: &Manifest,
        on_row: &mut dyn FnMut(u64, JournalRow) -> Result<(), String>,
    ) -> Result<(BatchFiles, ResumedBatch), OutputError> {
        let shown = dir.display().to_string();
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            _ => return Err(ResumeError::NoBatch { dir: shown }.into()),
        }
        let journal = resume::read_manifest(dir)?;
        resume::check_same_batch(dir, &journal, manifest)?;
        let mut files = BatchFiles {
            dir: OutputDir {
                dir: dir.to_path_buf(),
                created: false,
            },
            keys,
            seed: manifest.identity.seed,
            runs: None,
            failures: None,
            last_flush: Instant::now(),
            began_journal: false,
            rows_written: 0,
            step_hook: None,
        };
        let mut resumed = journal.resumed.clone();
        resumed.push(manifest.started.clone());
        let running = Manifest {
            started: journal.started.clone(),
            resumed: resumed.clone(),
            ..manifest.clone()
        };
        // The manifest first: from here on the directory holds a running batch, whichever of
        // the renames below an interruption stops before.
        files.write_journal_manifest(&running)?;
        for (partial, whole) in [
            (RUNS_PARTIAL, "runs.csv"),
            (FAILURES_PARTIAL, "failures.csv"),
        ] {
            let (partial, whole) = (files.path(partial), files.path(whole));
            if !partial.exists() && whole.exists() {
                fs::rename(&whole, &partial).map_err(|e| io_error(&whole, e))?;
            }
        }
        let runs_path = files.path(RUNS_PARTIAL);
        if !runs_path.exists() {
            File::create(&runs_path).map_err(|e| io_error(&runs_path, e))?;
        }
        let range = manifest.identity.shard.first_run..manifest.identity.shard.end_run;
        let recovered =
            resume::recover_runs(dir, (keys, schema), manifest.identity.seed, range, on_row)?;
        let append = |path: &Path| {
            OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(|e| io_error(path, e))
        };
        let runs_file = append(&runs_path)?;
        let empty = runs_file.metadata().map_or(true, |m| m.len() == 0);
        files.runs = Some(if empty {
            RunsCsv::new(runs_file, schema, keys).map_err(|e| io_error(&runs_path, e))?
        } else {
            RunsCsv::appending(runs_file, schema, keys)
        });
        files.failures = Some(files.start_failures(false)?);
        Ok((
            files,
            ResumedBatch {
                started: journal.started,
                resumed: journal.resumed,
                recovered,
            },
        ))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.dir.join(name)
    }

    /// Opens `failures.csv.partial` for appending (from scratch when `fresh`), with its header
    /// when it has none, flushed at once.
    fn start_failures(&self, fresh: bool) -> Result<csv::Writer<File>, OutputError> {
        let path = self.path(FAILURES_PARTIAL);
        let file = if fresh {
            File::create(&path)
        } else {
            OpenOptions::new().append(true).create(true).open(&path)
        }
        .map_err(|e| io_error(&path, e))?;
        let empty = file.metadata().map_or(true, |m| m.len() == 0);
        let mut writer = csv::Writer::from_writer(file);
        if empty {
            writer
                .write_record(self.keys.failure_header())
                .and_then(|()| writer.flush().map_err(csv::Error::from))
                .map_err(|e| io_error(&path, e.into()))?;
        }
        Ok(writer)
    }

    fn write_journal_manifest(&self, manifest: &Manifest) -> Result<(), OutputError> {
        let mut file = self.dir.file(MANIFEST_PARTIAL)?;
        manifest
            .write(&mut file)
            .map_err(|e| io_error(file.target(), e))?;
        let path = file.target().to_path_buf();
        file.commit().map_err(|e| io_error(&path, e))
    }

    /// Ends the batch: writes the summaries, the resolved scenario and `manifest` (whose status
    /// says whether the batch is complete or was interrupted), then publishes them with the
    /// journal's rows (see [`publish`](Self::publish)). `failures.csv` is there only when runs
    /// failed; an older one is removed.
    ///
    /// # Errors
    /// When a file cannot be written or renamed; the journal is then kept.
    pub fn finish(
        mut self,
        scenario: &Scenario,
        plan: &Plan,
        summary: &BatchSummary,
        manifest: &Manifest,
    ) -> Result<Vec<PathBuf>, OutputError> {
        self.close_journal()?;
        let mut summary_csv = self.dir.file("summary.csv")?;
        write_summary_csv(&mut summary_csv, summary)
            .map_err(|e| io_error(summary_csv.target(), e))?;
        let mut summary_json = self.dir.file("summary.json")?;
        write_summary_json(&mut summary_json, scenario, plan, manifest.status, summary)
            .map_err(|e| io_error(summary_json.target(), e))?;
        let outputs = vec![summary_csv, summary_json];
        let failed = !summary.failed_runs.is_empty();
        self.publish(
            scenario,
            outputs,
            (manifest, &|m, file| m.write(file)),
            failed,
        )
    }

    /// A file of the batch's own beside the journal (a sweep's `design.csv`, `points.csv`), in
    /// place only when it is handed to [`publish`](Self::publish).
    ///
    /// # Errors
    /// When it cannot be created.
    pub(super) fn output_file(&self, name: &str) -> Result<AtomicFile, OutputError> {
        self.dir.file(name)
    }

    /// Closes the journal's writers and pushes their rows to the disk, so that a crash cannot
    /// leave a published name on unwritten data.
    pub(super) fn close_journal(&mut self) -> Result<(), OutputError> {
        let runs_path = self.path(RUNS_PARTIAL);
        let failures_path = self.path(FAILURES_PARTIAL);
        let runs = self
            .runs
            .take()
            .ok_or_else(|| OutputError::Internal("runs.csv closed twice".to_string()))?
            .finish()
            .map_err(|e| io_error(&runs_path, e))?;
        let failures = self
            .failures
            .take()
            .ok_or_else(|| OutputError::Internal("failures.csv closed twice".to_string()))?
            .into_inner()
            .map_err(|e| io_error(&failures_path, e.into_error()))?;
        runs.sync_all().map_err(|e| io_error(&runs_path, e))?;
        failures
            .sync_all()
            .map_err(|e| io_error(&failures_path, e))?;
        self.step("journal synced");
        Ok(())
    }

    /// Publishes the closed journal, `outputs` and the resolved scenario under `manifest`,
    /// written by `write` with each file's SHA-256 in its `files`: the old `manifest.json`
    /// removed first, every file renamed into place, and the new manifest renamed last. Until
    /// that last rename the journal's manifest stays, so an interruption anywhere leaves a batch
    /// that `--resume` finishes; after it, a set whose manifest matches its files.
    /// `failures.csv` only when runs `failed`. Returns the files in the order to list them.
    ///
    /// # Errors
    /// When a file cannot be written or renamed; the journal is then kept.
    pub(super) fn publish(
        mut self,
        scenario: &Scenario,
        outputs: Vec<AtomicFile>,
        (manifest, write): (&Manifest, &WriteManifest<'_>),
        failed: bool,
    ) -> Result<Vec<PathBuf>, OutputError> {
        let runs_path = self.path(RUNS_PARTIAL);
        let failures_path = self.path(FAILURES_PARTIAL);
        let resolved = self.dir.resolved_scenario(scenario)?;
        let mut manifest = manifest.clone();
        let mut hash = |name: &str, path: &Path| -> Result<(), OutputError> {
            let sha = super::publish::sha256_of_file(path).map_err(|e| io_error(path, e))?;
            manifest.files.insert(name.to_string(), sha);
            Ok(())
        };
        hash("runs.csv", &runs_path)?;
        if failed {
            hash("failures.csv", &failures_path)?;
        }
        for file in outputs.iter().chain([&resolved]) {
            manifest.files.insert(target_name(file), file.sha256());
        }
        let mut manifest_json = self.dir.file("manifest.json")?;
        write(&manifest, &mut manifest_json).map_err(|e| io_error(manifest_json.target(), e))?;
        self.step("files written");

        // The older batch's manifest goes before any of its files is replaced, so that no
        // manifest.json ever stands beside files it does not describe.
        remove_if_there(&self.path("manifest.json"))?;
        self.step("old manifest removed");
        let mut written = Vec::new();
        let failures_csv = self.path("failures.csv");
        if failed {
            fs::rename(&failures_path, &failures_csv).map_err(|e| io_error(&failures_csv, e))?;
        } else {
            remove_if_there(&failures_path)?;
            remove_if_there(&failures_csv)?;
        }
        self.step("failures published");
        let runs_csv = self.path("runs.csv");
        fs::rename(&runs_path, &runs_csv).map_err(|e| io_error(&runs_csv, e))?;
        written.push(runs_csv);
        if failed {
            written.push(failures_csv);
        }
        self.step("runs published");
        // The resolved scenario is listed after the outputs proper.
        written.extend(commit_all(outputs)?);
        self.step("summaries published");
        let resolved = commit_all(vec![resolved])?;
        self.step("scenario published");
        written.extend(commit_all(vec![manifest_json])?);
        written.extend(resolved);
        self.step("manifest published");
        // Published: the journal's manifest is all that is left of the journal.
        self.began_journal = false;
        remove_if_there(&self.path(MANIFEST_PARTIAL))?;
        self.step("journal removed");
        self.dir.created = false;
        Ok(written)
    }

    /// Appends `count` finished rows read from `rows` and the `failures.csv` lines read from
    /// `failures`, as written (after their headers): how `merge` puts its shards' rows
    /// together in run order, byte for byte.
    ///
    /// # Errors
    /// When a shard's file cannot be read or the journal written.
    pub(super) fn append_finished(
        &mut self,
        (rows, count): (&mut dyn std::io::Read, u64),
        failures: &mut dyn std::io::Read,
    ) -> Result<(), OutputError> {
        let runs_path = self.path(RUNS_PARTIAL);
        let failures_path = self.path(FAILURES_PARTIAL);
        let closed = || OutputError::Internal("journal written after it was closed".into());
        let runs = self.runs.as_mut().ok_or_else(closed)?;
        runs.append_bytes(rows)
            .map_err(|e| io_error(&runs_path, e))?;
        let failed = self.failures.as_mut().ok_or_else(closed)?;
        // Read and written again by the csv crate that wrote them: the same bytes.
        let mut lines = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(failures);
        let mut record = csv::ByteRecord::new();
        let copied: Result<(), csv::Error> = (|| {
            while lines.read_byte_record(&mut record)? {
                failed.write_byte_record(&record)?;
            }
            Ok(failed.flush()?)
        })();
        copied.map_err(|e| io_error(&failures_path, e.into()))?;
        self.rows_written += count;
        Ok(())
    }

    /// Gives up a journal whose rows can be made again from where they came (a merge that
    /// met a bad shard): its files are removed, and the folder if this command created it.
    pub fn discard(mut self) {
        self.rows_written = 0;
    }

    /// TEST SEAM: tells the hook the command line installed (if any) that the batch reached
    /// `step`, so that a test can kill the process exactly there.
    fn step(&mut self, step: &str) {
        if let Some(hook) = self.step_hook.as_mut() {
            hook(step);
        }
    }

    /// TEST SEAM, not a feature: `hook` is told each named step of the batch's files — `row N`
    /// after run N's row is handed to the journal, then each step of [`finish`](Self::finish)
    /// (`journal synced`, `files written`, `old manifest removed`, `failures published`, `runs
    /// published`, `summaries published`, `scenario published`, `manifest published`, `journal
    /// removed`). The command line installs one from an environment variable, to abort there.
    #[doc(hidden)]
    pub fn set_step_hook(&mut self, hook: StepHook) {
        self.step_hook = Some(hook);
    }
}

/// The file name an atomic file will have.
fn target_name(file: &AtomicFile) -> String {
    file.target()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The journal of a batch on disk: `runs.csv.partial` and `failures.csv.partial`.
impl Journal for BatchFiles {
    type Row = RunsRow;
    type Error = OutputError;

    /// Appends a run's row, formatted (on a worker) with the [`RowFormat`](super::RowFormat) of
    /// this batch's schema.
    ///
    /// # Errors
    /// When the row cannot be written (e.g. the disk is full).
    fn write_run(&mut self, run: u64, row: &RunsRow) -> Result<(), OutputError> {
        let path = self.path(RUNS_PARTIAL);
        let runs = self.runs.as_mut().ok_or_else(|| {
            OutputError::Internal("runs.csv written after it was closed".to_string())
        })?;
        runs.append(row).map_err(|e| io_error(&path, e))?;
        self.rows_written += 1;
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            runs.flush().map_err(|e| io_error(&path, e))?;
            self.last_flush = Instant::now();
        }
        if self.step_hook.is_some() {
            self.step(&format!("row {run}"));
        }
        Ok(())
    }

    /// Records that replication `run` failed with `error`: its line in `failures.csv`, pushed to
    /// the disk at once so that it is there before the row, then its row (outcomes empty, the
    /// drawn numbers filled).
    ///
    /// # Errors
    /// When either cannot be written.
    fn write_failure(&mut self, run: u64, row: &RunsRow, error: &str) -> Result<(), OutputError> {
        let path = self.path(FAILURES_PARTIAL);
        let failures = self.failures.as_mut().ok_or_else(|| {
            OutputError::Internal("failures.csv written after it was closed".to_string())
        })?;
        // One line per failure, whatever the panic message holds, so that a torn line is always
        // the last one.
        let error = error.replace(['\n', '\r'], " ");
        failures
            .write_record([run.to_string(), self.seed.to_string(), error])
            .and_then(|()| failures.flush().map_err(csv::Error::from))
            .map_err(|e| io_error(&path, e.into()))?;
        self.write_run(run, row)
    }
}

fn remove_if_there(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path, e)),
        _ => Ok(()),
    }
}

impl Drop for BatchFiles {
    fn drop(&mut self) {
        // Not finished: the journal is kept (its writers push what they hold as they close), so
        // the batch can be resumed; only a fresh batch that recorded no run removes what it
        // began, leaving the directory as it was.
        self.runs.take();
        self.failures.take();
        if self.began_journal && self.rows_written == 0 {
            for name in [RUNS_PARTIAL, FAILURES_PARTIAL, MANIFEST_PARTIAL] {
                let _ = fs::remove_file(self.path(name));
            }
            self.dir.abandon();
        }
    }
}

/// The files of `replay --out DIR`: `events.csv`, `outcome.csv` (the run's row of `runs.csv`,
/// under the same header) and the resolved scenario ([`RESOLVED_SCENARIO`]).
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
    ) -> Result<Vec<PathBuf>, OutputError> {
        let out = OutputDir::open(dir)?;
        let result = (|| {
            let mut events = out.file("events.csv")?;
            write_events_csv(&mut events, scenario, &replication.events)
                .map_err(|e| io_error(events.target(), e))?;
            let file = out.file("outcome.csv")?;
            let path = file.target().to_path_buf();
            let schema = OutcomeSchema::for_scenario(scenario);
            let mut outcome =
                RunsCsv::new(file, &schema, RowKeys::Run).map_err(|e| io_error(&path, e))?;
            outcome
                .write_row(run, seed, &replication.outcome)
                .map_err(|e| io_error(&path, e))?;
            let outcome = outcome.finish().map_err(|e| io_error(&path, e))?;
            let resolved = out.resolved_scenario(scenario)?;
            commit_all(vec![events, outcome, resolved])
        })();
        if result.is_err() {
            out.abandon();
        }
        result
    }
}

/// The line the CLI prints after writing output files: "Wrote runs.csv, … to DIR".
pub fn render_written(dir: &Path, written: &[PathBuf]) -> String {
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    format!("\nWrote {} to {}\n", names.join(", "), dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Shard, SummaryBuilder};
    use crate::output::{BatchIdentity, BatchStatus, Engine, ManifestScenario};
    use crate::sim::{Column, ColumnKind, Outcome, Value};

    fn schema() -> OutcomeSchema {
        OutcomeSchema {
            columns: vec![Column {
                name: "ied_strikes".into(),
                kind: ColumnKind::Count,
            }],
        }
    }

    fn plan() -> Plan {
        Plan {
            seed: 1,
            runs: 10,
            shard: Shard::WHOLE,
            threads: 1,
        }
    }

    fn manifest(seed: u64) -> Manifest {
        Manifest {
            identity: BatchIdentity {
                engine: Engine::current(),
                scenario: ManifestScenario {
                    name: "t".into(),
                    title: "t".into(),
                    origin: "t.toml".into(),
                    sha256: "ab".repeat(32),
                    resolved: RESOLVED_SCENARIO.into(),
                    start_date: "2023-09-11".into(),
                    units: Default::default(),
                },
                seed,
                runs: 10,
                shard: crate::output::ShardInfo::of(&plan()),
                overrides: Vec::new(),
                experiment_sha256: None,
            },
            status: BatchStatus::Running,
            completed_runs: 0,
            failed_runs: Vec::new(),
            threads: 1,
            command_line: Vec::new(),
            started: "2025-01-01T00:00:00Z".into(),
            resumed: Vec::new(),
            finished: None,
            reproduce: String::new(),
            resume: Some("sandtable run --resume d".into()),
            files: Default::default(),
        }
    }

    fn strikes(n: f64) -> Outcome {
        Outcome {
            values: vec![Value::Number(n)],
        }
    }

    /// The row of run `run` (seed 1) as a worker formats it.
    fn row(run: u64, outcome: &Outcome) -> RunsRow {
        crate::output::runs::RowFormat::new(&schema())
            .row(run, 1, outcome)
            .unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_batch_abandoned_before_its_first_run_removes_the_directory_it_created() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out/batch");
        let files = BatchFiles::create(&dir, &schema(), &manifest(1)).unwrap();
        drop(files);
        assert!(!dir.exists());
    }

    #[test]
    fn a_batch_abandoned_after_some_runs_keeps_its_journal_beside_older_outputs() {
        // A write that fails part-way (a full disk) must not cost the runs already finished.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("runs.csv"), "old").unwrap();
        let mut files = BatchFiles::create(dir.path(), &schema(), &manifest(1)).unwrap();
        files.write_run(0, &row(0, &strikes(3.0))).unwrap();
        drop(files);
        assert_eq!(
            names(dir.path()),
            [FAILURES_PARTIAL, MANIFEST_PARTIAL, "runs.csv", RUNS_PARTIAL]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("runs.csv")).unwrap(),
            "old"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(RUNS_PARTIAL)).unwrap(),
            "run,seed,ied_strikes\n0,1,3\n"
        );
        let (_files, resumed, _rows) = resume(dir.path(), 1).unwrap();
        assert_eq!(resumed.recovered.next_run, 1);
    }

    #[test]
    fn a_file_is_not_an_output_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taken");
        std::fs::write(&file, "x").unwrap();
        let error = BatchFiles::create(&file, &schema(), &manifest(1)).unwrap_err();
        // The user's to fix: exit code 2 (the command line maps it).
        assert!(
            matches!(error, OutputError::NotADirectory { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("not a directory"), "{error}");
    }

    /// What a resume gives back, with the rows it handed over.
    type Resumed = (BatchFiles, ResumedBatch, Vec<(u64, JournalRow)>);

    /// Runs 0..n into a journal, failing the runs in `failing`, and leaves it as a kill would.
    fn killed_batch(dir: &Path, n: u64, failing: &[u64]) {
        let mut files = BatchFiles::create(dir, &schema(), &manifest(1)).unwrap();
        for run in 0..n {
            if failing.contains(&run) {
                let empty = Outcome {
                    values: vec![Value::Empty],
                };
                files
                    .write_failure(run, &row(run, &empty), "boom\nat line 2")
                    .unwrap();
            } else {
                files
                    .write_run(run, &row(run, &strikes(run as f64)))
                    .unwrap();
            }
        }
        files.runs.as_mut().unwrap().flush().unwrap();
        // What `kill -9` leaves: the journal as flushed, nothing cleaned up.
        std::mem::forget(files);
    }

    fn resume(dir: &Path, seed: u64) -> Result<Resumed, OutputError> {
        let mut rows = Vec::new();
        let mut current = manifest(seed);
        current.started = "2025-01-02T00:00:00Z".into();
        let (files, resumed) = BatchFiles::resume(dir, &schema(), &current, &mut |run, row| {
            rows.push((run, row));
            Ok(())
        })?;
        Ok((files, resumed, rows))
    }

    #[test]
    fn a_resumed_batch_drops_the_torn_line_and_goes_on_after_the_last_whole_row() {
        let dir = tempfile::tempdir().unwrap();
        killed_batch(dir.path(), 4, &[2]);
        // A row cut short by the kill, and a failure of a run whose row never made it.
        let runs_partial = dir.path().join(RUNS_PARTIAL);
        let mut text = std::fs::read_to_string(&runs_partial).unwrap();
        text.push_str("4,1,1");
        std::fs::write(&runs_partial, &text).unwrap();
        let failures_partial = dir.path().join(FAILURES_PARTIAL);
        let mut failures = std::fs::read_to_string(&failures_partial).unwrap();
        assert_eq!(failures, "run,seed,error\n2,1,boom at line 2\n");
        failures.push_str("5,1,later\n");
        std::fs::write(&failures_partial, &failures).unwrap();

        let (mut files, resumed, rows) = resume(dir.path(), 1).unwrap();
        assert_eq!(resumed.recovered.next_run, 4);
        assert_eq!(resumed.recovered.dropped_bytes, 5);
        assert_eq!(resumed.started, "2025-01-01T00:00:00Z");
        assert_eq!(
            rows,
            [
                (0, JournalRow::Outcome(strikes(0.0))),
                (1, JournalRow::Outcome(strikes(1.0))),
                (2, JournalRow::Failed),
                (3, JournalRow::Outcome(strikes(3.0))),
            ]
        );
        files.write_run(4, &row(4, &strikes(4.0))).unwrap();
        let mut builder = SummaryBuilder::new(&schema(), None);
        builder.fail(2);
        let summary = builder.finish().unwrap();
        let mut done = manifest(1);
        done.status = BatchStatus::Complete;
        files
            .finish(
                &crate::scenario::load_default(&[]).unwrap(),
                &plan(),
                &summary,
                &done,
            )
            .unwrap();
        assert_eq!(
            names(dir.path()),
            [
                "failures.csv",
                "manifest.json",
                "runs.csv",
                "scenario.resolved.toml",
                "summary.csv",
                "summary.json"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("runs.csv")).unwrap(),
            "run,seed,ied_strikes\n0,1,0\n1,1,1\n2,1,\n3,1,3\n4,1,4\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("failures.csv")).unwrap(),
            "run,seed,error\n2,1,boom at line 2\n"
        );
    }

    #[test]
    fn a_row_that_is_not_this_batchs_stops_the_reading() {
        let dir = tempfile::tempdir().unwrap();
        killed_batch(dir.path(), 3, &[]);
        let runs_partial = dir.path().join(RUNS_PARTIAL);
        let text = std::fs::read_to_string(&runs_partial).unwrap();
        std::fs::write(&runs_partial, text.replace("1,1,1\n", "1,1,x\n")).unwrap();
        let (_files, resumed, rows) = resume(dir.path(), 1).unwrap();
        assert_eq!((resumed.recovered.next_run, rows.len()), (1, 1));
    }

    #[test]
    fn only_the_same_batch_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let error = resume(dir.path(), 1).unwrap_err().to_string();
        assert!(error.contains("no interrupted batch"), "{error}");
        killed_batch(dir.path(), 3, &[]);
        let error = resume(dir.path(), 2).unwrap_err();
        // The user's to fix: exit code 2 (the command line maps it).
        assert!(
            matches!(error, OutputError::Resume(ResumeError::Mismatch { .. })),
            "{error}"
        );
        assert!(
            error.to_string().contains("its seed is 1, not 2"),
            "{error}"
        );
        // Refused: the journal is left as it was.
        assert_eq!(resume(dir.path(), 1).unwrap().1.recovered.next_run, 3);
    }
}
