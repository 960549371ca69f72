//! Reading an interrupted batch back: which manifest describes it, whether it is the batch the
//! command describes, and which rows of its `runs.csv` and `failures.csv` reached the disk whole.
//! It reads and truncates; writing the rest of the batch is `files`' job.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::manifest::{BatchStatus, Manifest};
use super::runs::{RowKey, RowKeys, keyed_header, parse_field};
use super::{OutputError, io_error};
use crate::sim::{Outcome, OutcomeSchema};

/// Why a batch cannot be resumed. All of these are the user's to fix (exit code 2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResumeError {
    /// Nothing in the directory says a batch was interrupted there.
    #[error(
        "{dir}: no interrupted batch to resume (no manifest.json.partial, and no manifest.json \
         marked partial); start the batch with --out {dir}"
    )]
    NoBatch {
        /// The directory given to `--resume`.
        dir: String,
    },
    /// The batch there has every run already.
    #[error(
        "{dir}: the batch there is complete, there is nothing to resume; to compute it again, \
         use --out instead of --resume"
    )]
    Complete {
        /// The directory given to `--resume`.
        dir: String,
    },
    /// The command describes another batch than the one that was interrupted.
    #[error(
        "{dir}: this is not the interrupted batch: {differences}. Resume it with the same \
         scenario, --runs, --seed, --shard and --set: {command}"
    )]
    Mismatch {
        /// The directory given to `--resume`.
        dir: String,
        /// What differs, e.g. "its seed is 7, not 8".
        differences: String,
        /// The command that resumes the interrupted batch, from its manifest.
        command: String,
    },
    /// A file of the interrupted batch is not what sandtable writes.
    #[error("{path}: cannot resume from this file: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

/// The journal's file names: the files of `run --out` while a batch runs.
pub(super) const RUNS_PARTIAL: &str = "runs.csv.partial";
/// Failures while a batch runs.
pub(super) const FAILURES_PARTIAL: &str = "failures.csv.partial";
/// The manifest while a batch runs (status `running`).
pub(super) const MANIFEST_PARTIAL: &str = "manifest.json.partial";

/// Whether `dir` holds the journal of a batch that did not end (its `manifest.json.partial`):
/// what `--resume` continues from.
pub fn holds_journal(dir: &Path) -> bool {
    dir.join(MANIFEST_PARTIAL).is_file()
}

/// The interrupted batch's manifest in `dir`: `manifest.json.partial` while it ran (or was
/// killed), else `manifest.json` when it says partial.
///
/// # Errors
/// When there is none, the batch is complete, or the manifest cannot be read.
pub(super) fn read_manifest(dir: &Path) -> Result<Manifest, ResumeError> {
    let shown = dir.display().to_string();
    for name in [MANIFEST_PARTIAL, "manifest.json"] {
        let path = dir.join(name);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(unreadable(&path, e.to_string())),
        };
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| unreadable(&path, format!("not a sandtable manifest ({e})")))?;
        return match manifest.status {
            BatchStatus::Complete => Err(ResumeError::Complete { dir: shown }),
            BatchStatus::Running | BatchStatus::Partial => Ok(manifest),
        };
    }
    Err(ResumeError::NoBatch { dir: shown })
}

/// Checks that `current` (the batch the command describes) is the batch `journal` recorded:
/// the same [`BatchIdentity`](super::BatchIdentity).
///
/// # Errors
/// [`ResumeError::Mismatch`] listing every difference.
pub(super) fn check_same_batch(
    dir: &Path,
    journal: &Manifest,
    current: &Manifest,
) -> Result<(), ResumeError> {
    let differences = journal.identity.differences(&current.identity);
    if differences.is_empty() {
        return Ok(());
    }
    Err(ResumeError::Mismatch {
        dir: dir.display().to_string(),
        differences: differences.join("; "),
        command: journal
            .resume
            .clone()
            .unwrap_or_else(|| "(see its manifest)".to_string()),
    })
}

fn unreadable(path: &Path, message: String) -> ResumeError {
    ResumeError::Unreadable {
        path: path.display().to_string(),
        message,
    }
}

/// A row of an interrupted batch, as read back from its files.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalRow {
    /// A run with an outcome: its values as `runs.csv` holds them.
    Outcome(Outcome),
    /// A run that failed (listed in `failures.csv`).
    Failed,
}

/// What was kept of an interrupted batch's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recovered {
    /// The first run not in the files: where the batch goes on.
    pub next_run: u64,
    /// Rows kept.
    pub rows: u64,
    /// Bytes dropped from the end of `runs.csv.partial`: a line torn by the interruption, and
    /// anything after a line that is not a row of this batch.
    pub dropped_bytes: u64,
}

/// The length of `file` up to and including its last newline: the lines that were written
/// whole. Reads backwards from the end, a block at a time.
fn whole_lines_len(file: &mut File) -> io::Result<u64> {
    const BLOCK: u64 = 64 * 1024;
    let mut end = file.seek(SeekFrom::End(0))?;
    let mut buf = vec![0; BLOCK as usize];
    while end > 0 {
        let start = end.saturating_sub(BLOCK);
        let len = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf[..len])?;
        if let Some(i) = buf[..len].iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// Reads `failures.csv.partial`: the runs listed as failed, in order, before `end_run`, with
/// the offset just after each entry. A torn last line and anything unreadable after it are
/// ignored (and cut off by [`recover_runs`]'s caller).
fn read_failures(path: &Path, keys: RowKeys, seed: u64) -> io::Result<(Vec<(u64, u64)>, u64)> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let whole = whole_lines_len(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(file.take(whole)));
    let mut record = csv::StringRecord::new();
    let mut entries = Vec::new();
    let mut header_end = 0;
    let mut previous = None;
    while reader.read_record(&mut record).unwrap_or(false) {
        let end = reader.position().byte();
        if header_end == 0 {
            if record.iter().ne(keys.failure_header()) {
                break;
            }
            header_end = end;
            continue;
        }
        let run = record.get(0).and_then(|r| r.parse::<u64>().ok());
        let same_seed = record.get(1).and_then(|s| s.parse::<u64>().ok()) == Some(seed);
        match run {
            Some(run) if same_seed && record.len() == 3 && previous.is_none_or(|p| run > p) => {
                entries.push((run, end));
                previous = Some(run);
            }
            _ => break,
        }
    }
    Ok((entries, header_end))
}

/// Reads back the rows of an interrupted batch from `dir`'s `runs.csv.partial` and
/// `failures.csv.partial`, hands each to `on_row` in run order, and cuts both files after the
/// last row kept, so that the batch can append from [`Recovered::next_run`] on.
///
/// A row is kept while it is whole (ends in a newline), has the batch's columns, is the next
/// run of the shard (from `first_run`, below `end_run`) with the batch's seed, and each field
/// reads back as a value of its column. The first row that is not stops the reading: it and
/// what follows are dropped and will be computed again, which gives the same bytes.
///
/// # Errors
/// When a file cannot be read or cut (exit 2), its header is not this scenario's
/// ([`ResumeError::Unreadable`]), or `on_row` fails (an internal error).
pub(super) fn recover_runs(
    dir: &Path,
    (keys, schema): (RowKeys, &OutcomeSchema),
    seed: u64,
    runs: std::ops::Range<u64>,
    on_row: &mut dyn FnMut(u64, JournalRow) -> Result<(), String>,
) -> Result<Recovered, OutputError> {
    let runs_path = dir.join(RUNS_PARTIAL);
    let failures_path = dir.join(FAILURES_PARTIAL);
    let (failures, failures_header_end) =
        read_failures(&failures_path, keys, seed).map_err(|e| io_error(&failures_path, e))?;
    let io = |e| io_error(&runs_path, e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&runs_path)
        .map_err(io)?;
    let total = file.seek(SeekFrom::End(0)).map_err(io)?;
    let whole = whole_lines_len(&mut file).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let batch = JournalRows {
        keys,
        schema,
        seed,
        runs: runs.clone(),
        failures: &failures,
    };
    let (next_run, kept_len) = batch.read(&file, whole, &runs_path, on_row)?;
    file.set_len(kept_len).map_err(io)?;

    // Failures of runs that are computed again are dropped with them, so none is listed twice.
    let failures_len = failures
        .iter()
        .take_while(|(run, _)| *run < next_run)
        .last()
        .map_or(failures_header_end, |(_, end)| *end);
    match OpenOptions::new().write(true).open(&failures_path) {
        Ok(f) => f
            .set_len(failures_len)
            .map_err(|e| io_error(&failures_path, e))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(&failures_path, e)),
    }
    Ok(Recovered {
        next_run,
        rows: next_run - runs.start,
        dropped_bytes: total - kept_len,
    })
}

/// How far the rows of a finished `runs.csv` read back as the rows of their batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FinishedRows {
    /// The first run not read back: the shard's end when every row is there.
    pub next_run: u64,
    /// Bytes up to the end of the last row read back.
    pub rows_len: u64,
    /// The file's length.
    pub file_len: u64,
}

/// Reads a finished batch's `runs.csv` at `runs_path` (its failed runs listed in `failures_path`)
/// with the rules of [`recover_runs`], handing each row to `on_row` in run order, without
/// changing either file: `merge` reads its shards with it.
///
/// # Errors
/// As [`recover_runs`].
pub(super) fn read_finished_rows(
    (runs_path, failures_path): (&Path, &Path),
    (keys, schema): (RowKeys, &OutcomeSchema),
    seed: u64,
    runs: std::ops::Range<u64>,
    on_row: &mut dyn FnMut(u64, JournalRow) -> Result<(), String>,
) -> Result<FinishedRows, OutputError> {
    let (failures, _) =
        read_failures(failures_path, keys, seed).map_err(|e| io_error(failures_path, e))?;
    let io = |e| io_error(runs_path, e);
    let mut file = File::open(runs_path).map_err(io)?;
    let file_len = file.seek(SeekFrom::End(0)).map_err(io)?;
    let whole = whole_lines_len(&mut file).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let batch = JournalRows {
        keys,
        schema,
        seed,
        runs,
        failures: &failures,
    };
    let (next_run, rows_len) = batch.read(&file, whole, runs_path, on_row)?;
    Ok(FinishedRows {
        next_run,
        rows_len,
        file_len,
    })
}

/// What the rows of an interrupted batch's `runs.csv.partial` must be to be kept: the batch's
/// columns, seed and runs, with the failed runs of its `failures.csv.partial`.
struct JournalRows<'a> {
    keys: RowKeys,
    schema: &'a OutcomeSchema,
    seed: u64,
    runs: std::ops::Range<u64>,
    /// The failed runs, in order, with where each ends in `failures.csv.partial`.
    failures: &'a [(u64, u64)],
}

impl JournalRows<'_> {
    /// Reads the first `whole` bytes of `file` (`path`), hands each row kept to `on_row`, and
    /// returns the first run not kept and the length of the file up to it.
    fn read(
        &self,
        file: &File,
        whole: u64,
        path: &Path,
        on_row: &mut dyn FnMut(u64, JournalRow) -> Result<(), String>,
    ) -> Result<(u64, u64), OutputError> {
        let expected_header = keyed_header(self.keys, self.schema);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::new(file.take(whole)));
        let mut record = csv::StringRecord::new();
        // Not even the header written whole: the file starts again.
        let mut kept_len = 0;
        let mut next_run = self.runs.start;
        let mut failed = self.failures.iter().peekable();
        let mut header_seen = false;
        // A record that cannot be read at all (not UTF-8, say) ends the reading like any bad row.
        while let Ok(true) = reader.read_record(&mut record) {
            if !header_seen {
                if record.iter().ne(expected_header.iter().copied()) {
                    let why = "its columns are not this scenario's outcomes".to_string();
                    return Err(unreadable(path, why).into());
                }
                header_seen = true;
                kept_len = reader.position().byte();
                continue;
            }
            while failed.peek().is_some_and(|(run, _)| *run < next_run) {
                failed.next();
            }
            let is_failed = failed.peek().is_some_and(|(run, _)| *run == next_run);
            let Some(row) = self.row(&record, next_run, is_failed) else {
                break;
            };
            on_row(next_run, row).map_err(|message| {
                OutputError::Internal(format!("{}, run {next_run}: {message}", path.display()))
            })?;
            kept_len = reader.position().byte();
            next_run += 1;
        }
        Ok((next_run, kept_len))
    }

    /// `record` as the row of run `run` (failed when `failed`), or `None` when it is not that
    /// row of this batch: another run or seed, other columns, or a field that is not a value of
    /// its column.
    fn row(&self, record: &csv::StringRecord, run: u64, failed: bool) -> Option<JournalRow> {
        let key = RowKey {
            keys: self.keys,
            index: run,
            seed: self.seed,
        };
        let key_columns = self.keys.columns().len();
        let key_ok = record
            .iter()
            .zip(key.fields())
            .all(|(field, expected)| field == expected);
        let columns = key_columns + self.schema.columns.len();
        if !key_ok || run >= self.runs.end || record.len() != columns {
            return None;
        }
        if failed {
            return Some(JournalRow::Failed);
        }
        let values = record
            .iter()
            .skip(key_columns)
            .zip(&self.schema.columns)
            .map(|(field, column)| parse_field(field, &column.kind))
            .collect::<Result<Vec<_>, String>>()
            .ok()?;
        Some(JournalRow::Outcome(Outcome { values }))
    }
}
