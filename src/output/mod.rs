//! Everything sandtable writes: the files of `run --out` and `replay --out` (each written to a
//! temporary file and renamed into place, so a failure never leaves half a file; a batch's
//! journal, which `--resume` reads back), and the text the commands show (summary table, replay
//! narrative, scenario digest). It never prints: only `cli` talks to the terminal.

mod atomic;
mod batch_folder;
mod column_doc;
mod comparison;
mod comparison_table;
mod dictionary;
mod digest;
mod drivers;
mod events;
mod files;
mod folder;
mod input_labels;
mod labels;
mod manifest;
mod merge;
#[cfg(feature = "parquet")]
mod parquet;
mod publish;
mod record;
mod resume;
mod runs;
mod runs_table;
mod spill;
mod summary;
mod sweep;
mod sweep_table;
mod table;

use std::io;
use std::path::Path;

pub(crate) use atomic::AtomicFile;
pub use batch_folder::BatchFolder;
pub use column_doc::ColumnDoc;
pub use comparison::{
    COMPARISON_HEADER, CompareManifest, ComparedScenario, ComparisonFile, ComparisonRow,
    PrecisionCheckpoint, PrecisionEntry, PrecisionReport, comparison_rows, write_comparison,
    write_comparison_csv,
};
pub use comparison_table::{render_comparison_table, render_precision};
pub use dictionary::{FileDoc, data_dictionary};
pub use digest::render_digest;
pub use drivers::{
    DRIVERS_HEADER, box_rule, drivers_json, render_drivers, write_drivers, write_drivers_csv,
};
pub use events::render_narrative;
use events::write_events_csv;
pub use files::{BatchFiles, ReplayFiles, ResumedBatch, StepHook, render_written};
pub use folder::{FolderLock, FolderUse, LOCK_FILE};
pub use input_labels::{InputLabel, input_labels};
pub use labels::choice_label;
use manifest::RESOLVED_SCENARIO;
pub(crate) use manifest::shell_quote;
pub use manifest::{BatchIdentity, BatchStatus, Engine, Manifest, ManifestScenario, ShardInfo};
pub use merge::{MergeError, ShardFolder, ShardSet, merge_rows, read_shards};
#[cfg(feature = "parquet")]
pub use parquet::{runs_arrow_schema, write_runs_parquet};
pub use publish::{Unpublished, verify_published};
pub use record::RunRecorder;
pub use resume::{JournalRow, Recovered, ResumeError, holds_journal};
use runs::RunsCsv;
pub use runs::{RowKeys, RunsRow, field_text};
pub use runs_table::{FinishedBatch, FolderKind, ROW_KEYS, open_batch_folder, read_runs_table};
pub use spill::SpillDir;
pub use summary::{
    CategoryEntry, HistogramEntry, NumericEntry, OutcomeEntry, SummaryFile, SummaryScenario,
};
use summary::{write_summary_csv, write_summary_json};
pub use sweep::{
    POINTS_STATISTICS, PointsCsv, SweepDescription, SweepManifest, SweepRecorder, finish_sweep,
    points_starting_in, sweep_keys,
};
pub use sweep_table::{SweepTable, TABLE_POINTS, describe_design};
pub use table::render_batch_table;

/// What can go wrong writing output files or reading a batch back.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file could not be read or written: the user's to fix (a full disk, a missing or
    /// read-only directory).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// `--out` names something that exists and is not a directory.
    #[error(
        "{dir}: exists and is not a directory; --out needs a directory (it is created if missing)"
    )]
    NotADirectory {
        /// The path given.
        dir: String,
    },
    /// Another process (a sandtable batch) holds the lock on the output folder.
    #[error(
        "{dir}: another sandtable batch is writing this folder (it holds {dir}/.sandtable.lock); \
         wait for it to end, or give another folder"
    )]
    Busy {
        /// The folder.
        dir: String,
    },
    /// `--out` (without `--force`) names a folder that holds a batch, interrupted or finished.
    #[error(
        "{dir}: {}", occupied_advice(dir, found, *interrupted)
    )]
    Occupied {
        /// The folder given to `--out`.
        dir: String,
        /// The file that shows the batch.
        found: String,
        /// The batch there did not end: `--resume` can continue it.
        interrupted: bool,
    },
    /// `--resume` was given a directory that holds no batch to resume, or another batch.
    #[error(transparent)]
    Resume(#[from] ResumeError),
    /// `drivers` was given a folder that is not a finished batch of `run --out` or
    /// `sweep --out`.
    #[error(
        "{dir}: not a batch folder ({message}); give the folder of a finished `sandtable run \
         --out DIR` or `sandtable sweep --out DIR`"
    )]
    NotABatch {
        /// The folder given.
        dir: String,
        /// What is missing or wrong.
        message: String,
    },
    /// `merge` was given folders that are not the whole shards of one batch.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A `runs.csv` read back for `drivers` has a field that is not a value of its column.
    #[error("{place}: {message}")]
    BadRuns {
        /// The file and line.
        place: String,
        /// What is wrong, and in which column.
        message: String,
    },
    /// The files were used out of order, or a row read back did not fit the statistics: a bug.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a folder `--out` will not replace on its own holds, and what to do about it.
fn occupied_advice(dir: &str, found: &str, interrupted: bool) -> String {
    if interrupted {
        format!(
            "holds an interrupted batch ({found}); continue it with --resume {} in place of \
             --out, or start it over with --force (which replaces it)",
            shell_quote(dir)
        )
    } else {
        format!(
            "holds a finished batch ({found}); give another folder, or add --force to replace it"
        )
    }
}

/// A number as written in summary files: Rust's shortest text that reads back to the same
/// float (so the bytes are reproducible and lose nothing), or empty where it is undefined.
pub(crate) fn number_field(value: Option<f64>) -> String {
    match value {
        Some(v) if !v.is_nan() => format!("{v}"),
        _ => String::new(),
    }
}

/// Significant digits a derived statistic (a mean, an interval, an interpolated quantile) keeps
/// in the files: far more than any batch can estimate, few enough that the last bits of
/// floating-point arithmetic (`64.40549999999999` for 64.4055) do not show.
pub(crate) const STATISTIC_DIGITS: usize = 12;

/// A derived statistic as the files publish it: rounded to [`STATISTIC_DIGITS`] significant
/// digits, so that `number_field` writes `14.967`, not `14.967000000000004`. Values read from
/// runs (min, max, a run's own numbers) are written as they are.
pub(crate) fn statistic(value: f64) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    format!("{value:.prec$e}", prec = STATISTIC_DIGITS - 1)
        .parse()
        .unwrap_or(value)
}

/// An I/O failure on `path`.
pub(crate) fn io_error(path: &Path, source: io::Error) -> OutputError {
    OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_lose_the_noise_of_arithmetic_and_nothing_else() {
        for (noisy, clean) in [
            (64.40549999999999, "64.4055"),
            (14.967000000000004, "14.967"),
            (0.004999999999999998, "0.005"),
            (0.1 + 0.2, "0.3"),
            (-1.9500000000000028, "-1.95"),
            (0.7772091460935387, "0.777209146094"),
            (123_456_789.123_456_78, "123456789.123"),
            (0.0, "0"),
        ] {
            assert_eq!(number_field(Some(statistic(noisy))), clean, "{noisy}");
        }
        assert!(statistic(f64::NAN).is_nan());
    }

    #[test]
    fn numbers_round_trip_and_undefined_is_empty() {
        assert_eq!(number_field(Some(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(number_field(Some(3.0)), "3");
        assert_eq!(number_field(Some(-0.5)), "-0.5");
        assert_eq!(number_field(None), "");
        assert_eq!(number_field(Some(f64::NAN)), "");
        let v = 1.0 / 3.0;
        assert_eq!(
            number_field(Some(v)).parse::<f64>().unwrap().to_bits(),
            v.to_bits()
        );
    }
}
