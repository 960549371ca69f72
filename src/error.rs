//! The error type of the command line: what went wrong, and the exit code it maps to
//! (2 for the user's input, 1 for anything else, an interrupted batch included). It wraps each
//! layer's own error; no layer below the command line uses it.

use crate::analysis::AnalysisError;
use crate::batch::BatchError;
use crate::output::OutputError;
use crate::scenario::ScenarioError;

/// The exit code of a batch stopped by Ctrl-C or SIGTERM. SPEC.md fixes three codes (0, 2,
/// 1); an interrupted batch is not a success and not the user's input, so it is 1, and its
/// message and `manifest.json` ("status": "partial") say it was interrupted. (Shells'
/// convention would be 130; the contract wins.)
pub(crate) const EXIT_INTERRUPTED: i32 = 1;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// The scenario is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A file the command line itself reads or writes (standard output, the spill directory)
    /// could not be.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// An output file could not be written, or `--resume` was given a directory that holds no
    /// batch to resume, or another batch.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The batch driver stopped: its threads could not start, or a run could not be recorded
    /// (a bug).
    #[error("internal error: {0}")]
    Batch(#[from] BatchError),
    /// Some replications failed (a panic in the simulation); the batch went on without them,
    /// and its files and summary say which.
    #[error("internal error: {failed} of {completed} runs failed ({}): {details}", list_runs(.runs))]
    FailedRuns {
        /// How many failed.
        failed: u64,
        /// Runs recorded, failed or not.
        completed: u64,
        /// The failed runs, in order.
        runs: Vec<u64>,
        /// Where the failures are written down, and the first one's message.
        details: String,
    },
    /// A file could not be written while a batch ran or published its files (a full disk, a
    /// quota): not the input's fault, so exit 1; the journal of the finished runs is kept.
    #[error("{cause}; {next_step}")]
    WriteFailed {
        /// The write that failed.
        cause: Box<Error>,
        /// Where the finished runs are, and the command that continues the batch.
        next_step: String,
    },
    /// The batch was stopped by Ctrl-C or SIGTERM before it was complete.
    #[error("interrupted after {completed} of {total} runs; {next_step}")]
    Interrupted {
        /// Runs recorded before the interruption.
        completed: u64,
        /// Runs the batch (or shard) has.
        total: u64,
        /// What the user can do now: where the partial results are, how to resume.
        next_step: String,
    },
    /// `drivers` cannot rank the inputs: an unknown outcome, too few runs, nothing that varies.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A bug or an unexpected failure.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `3, 17, 42` — at most ten, then how many more.
fn list_runs(runs: &[u64]) -> String {
    let shown: Vec<String> = runs.iter().take(10).map(u64::to_string).collect();
    let mut text = format!(
        "run{} {}",
        if runs.len() == 1 { "" } else { "s" },
        shown.join(", ")
    );
    if runs.len() > 10 {
        text.push_str(&format!(" and {} more", runs.len() - 10));
    }
    text
}

impl Error {
    /// The process exit code: 2 when the user can fix the input, 1 otherwise (an internal
    /// failure, failed runs, or an interrupted batch).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Scenario(_) | Error::Io { .. } | Error::Analysis(_) => 2,
            Error::Output(OutputError::Internal(_)) => 1,
            Error::Output(_) => 2,
            Error::Batch(_)
            | Error::FailedRuns { .. }
            | Error::WriteFailed { .. }
            | Error::Internal(_) => 1,
            Error::Interrupted { .. } => EXIT_INTERRUPTED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::ResumeError;

    #[test]
    fn each_layers_errors_get_the_exit_code_of_whose_problem_they_are() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let check = |error: Error, code: i32| assert_eq!(error.exit_code(), code, "{error}");
        check(OutputError::NotADirectory { dir: "d".into() }.into(), 2);
        check(
            OutputError::Io {
                path: "p".into(),
                source: io(),
            }
            .into(),
            2,
        );
        check(
            OutputError::from(ResumeError::NoBatch { dir: "d".into() }).into(),
            2,
        );
        check(
            OutputError::from(ResumeError::Mismatch {
                dir: "d".into(),
                differences: "its seed is 1, not 2".into(),
                command: "sandtable run".into(),
            })
            .into(),
            2,
        );
        check(OutputError::Busy { dir: "d".into() }.into(), 2);
        check(
            OutputError::Occupied {
                dir: "d".into(),
                found: "d/manifest.json".into(),
                interrupted: false,
            }
            .into(),
            2,
        );
        check(OutputError::Internal("closed twice".into()).into(), 1);
        check(
            BatchError::ThreadPool {
                threads: 2,
                message: "no".into(),
            }
            .into(),
            1,
        );
    }

    #[test]
    fn wrapped_errors_read_as_they_always_did() {
        let error: Error = OutputError::Internal("runs.csv closed twice".into()).into();
        assert_eq!(error.to_string(), "internal error: runs.csv closed twice");
        let error: Error = BatchError::Panicked {
            run: 3,
            message: "boom".into(),
        }
        .into();
        assert_eq!(
            error.to_string(),
            "internal error: replication 3 failed: boom (replay it with `sandtable replay --run 3`)"
        );
    }
}
