//! Reading a finished `run` or `sweep` folder back for `drivers`: what kind of folder it is,
//! and its `runs.csv` by column in one streaming pass (one reused `ByteRecord`), keeping only
//! the chosen outcome and the input columns, so that a million runs of 120 inputs fit in a
//! few hundred megabytes.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::OutputError;
use super::manifest::RESOLVED_SCENARIO;
use super::publish::{Unpublished, verify_published};
use crate::analysis::{Cell, InputColumn, OutcomeRule, RunsTable};
use crate::sim::{ColumnKind, OutcomeSchema};

/// The columns that say which run a row is (`run`, `seed`; a sweep's `point`, `replicate`):
/// never inputs.
pub const ROW_KEYS: [&str; 4] = ["run", "seed", "point", "replicate"];

/// Distinct text values recorded per input column; a column with more is a category set aside
/// anyway, and its further values share one code.
const MAX_LEVELS: usize = 32;

/// Which command wrote a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// `sandtable run --out`: one row per run, the drawn numbers as inputs.
    Run,
    /// `sandtable sweep --out`: one row per (design point, replicate), the design's factors and
    /// the drawn numbers as inputs.
    Sweep,
}

/// A finished batch folder `drivers` can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedBatch {
    /// The folder.
    pub dir: PathBuf,
    /// Which command wrote it.
    pub kind: FolderKind,
    /// Its `scenario.resolved.toml`: the scenario (a sweep's base scenario) whose outcome
    /// columns say which `runs.csv` columns are outcomes rather than inputs.
    pub scenario: PathBuf,
}

/// Checks that `dir` holds a finished `run` or `sweep` and says which.
///
/// # Errors
/// [`OutputError::NotABatch`] saying what is missing, and for a `compare` folder which of its
/// subfolders to give instead; also when a file differs from what the manifest published.
pub fn open_batch_folder(dir: &Path) -> Result<FinishedBatch, OutputError> {
    let not_a_batch = |message: String| OutputError::NotABatch {
        dir: dir.display().to_string(),
        message,
    };
    if !dir.is_dir() {
        return Err(not_a_batch("no such folder".to_string()));
    }
    if !dir.join("runs.csv").is_file() {
        return Err(not_a_batch(match compare_subfolder(dir) {
            Some(sub) => format!(
                "it holds a comparison, whose runs are in one folder per scenario: give one of \
                 those, e.g. {}",
                sub.display()
            ),
            None => "it holds no runs.csv".to_string(),
        }));
    }
    let scenario = dir.join(RESOLVED_SCENARIO);
    if !scenario.is_file() {
        return Err(not_a_batch(
            "it holds no scenario.resolved.toml".to_string(),
        ));
    }
    let kind = match manifest_kind(dir).as_deref() {
        Some("sweep") => FolderKind::Sweep,
        Some("run") | None => FolderKind::Run,
        Some(other) => {
            return Err(not_a_batch(format!(
                "its manifest.json is of a '{other}', not of a run or a sweep"
            )));
        }
    };
    // Files that are not the ones the manifest published are not one batch's set: a hand
    // edit, a copy cut short, or files of two batches mixed. (A folder written before
    // manifests listed their files, or with no manifest, is read as it is.)
    if let Err(mismatch @ Unpublished::Mismatch { .. }) = verify_published(dir) {
        return Err(not_a_batch(mismatch.to_string()));
    }
    Ok(FinishedBatch {
        dir: dir.to_path_buf(),
        kind,
        scenario,
    })
}

/// The `kind` of the folder's `manifest.json`, if it has one (a plain run's has none).
fn manifest_kind(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    manifest.get("kind")?.as_str().map(str::to_string)
}

/// The first subfolder holding a `runs.csv`, when `dir` holds a comparison.
fn compare_subfolder(dir: &Path) -> Option<PathBuf> {
    if !dir.join("comparison.csv").is_file() && !dir.join("comparison.json").is_file() {
        return None;
    }
    let mut subfolders: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("runs.csv").is_file())
        .collect();
    subfolders.sort();
    subfolders.into_iter().next()
}

/// One input column as it is read.
struct ColumnReader<T> {
    index: usize,
    column: InputColumn<T>,
}

impl<T: Cell> ColumnReader<T> {
    /// Adds a run's field. The first field decides: a number makes a number column, text a
    /// category (a design factor's levels, e.g. `true`/`false`).
    fn push(&mut self, field: &str) -> Result<(), String> {
        if field.is_empty() {
            return Err("empty: every run with a value of the outcome needs one here".into());
        }
        let column = &mut self.column;
        if column.values.is_empty() && column.levels.is_none() && field.parse::<f64>().is_err() {
            column.levels = Some(Vec::new());
        }
        let value = match &mut column.levels {
            None => match field.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => return Err(format!("'{field}' is not a finite number")),
            },
            Some(levels) => match levels.iter().position(|l| l == field) {
                Some(i) => i as f64,
                None if levels.len() < MAX_LEVELS => {
                    levels.push(field.to_string());
                    (levels.len() - 1) as f64
                }
                None => {
                    if levels.len() == MAX_LEVELS {
                        levels.push("…".to_string());
                    }
                    MAX_LEVELS as f64
                }
            },
        };
        column.values.push(T::from_f64(value));
        Ok(())
    }
}

/// The columns of `header` that are inputs: neither [`ROW_KEYS`] nor an outcome of `schema`,
/// restricted to `only` when given.
fn input_indices(header: &[&str], schema: &OutcomeSchema, only: Option<&[String]>) -> Vec<usize> {
    let is_outcome = |name: &str| {
        schema
            .columns
            .iter()
            .any(|c| c.kind != ColumnKind::Parameter && c.name == name)
    };
    (0..header.len())
        .filter(|&i| !ROW_KEYS.contains(&header[i]) && !is_outcome(header[i]))
        .filter(|&i| only.is_none_or(|names| names.iter().any(|n| n == header[i])))
        .collect()
}

/// Where the outcome is in `header`, and a reader for each input column.
///
/// # Errors
/// When the header lacks one of `schema`'s outcomes (then the two files are not of one batch).
fn plan_columns<T: Cell>(
    header: &[&str],
    schema: &OutcomeSchema,
    rule: &OutcomeRule,
    only: Option<&[String]>,
) -> Result<(usize, Vec<ColumnReader<T>>), String> {
    if let Some(missing) = schema
        .columns
        .iter()
        .find(|c| c.kind != ColumnKind::Parameter && !header.contains(&c.name.as_str()))
    {
        return Err(format!(
            "has no column {}, an outcome of its scenario.resolved.toml: the two files are not \
             of one batch",
            missing.name
        ));
    }
    let outcome_index = header
        .iter()
        .position(|&h| h == rule.column)
        .ok_or_else(|| format!("has no column {}", rule.column))?;
    let readers = input_indices(header, schema, only)
        .into_iter()
        .map(|index| ColumnReader {
            index,
            column: InputColumn {
                name: header[index].to_string(),
                values: Vec::new(),
                levels: None,
            },
        })
        .collect();
    Ok((outcome_index, readers))
}

/// The runs of `folder` that have a value of `rule`'s outcome, by column: the outcome, and each
/// input column (every column but [`ROW_KEYS`] and `schema`'s outcomes; only those named in
/// `only` when given, in `runs.csv` order) stored as `T`. Rows where the outcome is empty are
/// counted, not kept.
///
/// # Errors
/// When `runs.csv` cannot be read, lacks one of the scenario's outcome columns, or a field is
/// not a value of its column ([`OutputError::BadRuns`], at its line).
pub fn read_runs_table<T: Cell>(
    folder: &FinishedBatch,
    schema: &OutcomeSchema,
    rule: &OutcomeRule,
    only: Option<&[String]>,
) -> Result<RunsTable<T>, OutputError> {
    let path = folder.dir.join("runs.csv");
    let place = |line: u64| format!("{}:{line}", path.display());
    let bad = |line: u64, message: String| OutputError::BadRuns {
        place: place(line),
        message,
    };
    let file = File::open(&path).map_err(|e| super::io_error(&path, e))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(BufReader::with_capacity(1 << 20, file));
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(1, format!("the header cannot be read: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let (outcome_index, mut readers) =
        plan_columns(&header, schema, rule, only).map_err(|why| bad(1, why))?;
    let (mut outcome, mut runs_skipped) = (Vec::new(), 0);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                return Err(bad(line, e.to_string()));
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize| {
            std::str::from_utf8(&record[i])
                .map_err(|_| bad(line, format!("column {}: not UTF-8 text", header[i])))
        };
        let value = rule
            .value(field(outcome_index)?)
            .map_err(|m| bad(line, format!("column {}: {m}", rule.column)))?;
        let Some(value) = value else {
            runs_skipped += 1;
            continue;
        };
        outcome.push(value);
        for reader in &mut readers {
            let index = reader.index;
            reader
                .push(field(index)?)
                .map_err(|m| bad(line, format!("column {}: {m}", header[index])))?;
        }
    }
    Ok(RunsTable {
        outcome,
        inputs: readers.into_iter().map(|r| r.column).collect(),
        runs_skipped,
    })
}
