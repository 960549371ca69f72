//! The error type of the command line: what went wrong, and the exit code it maps to
//! (2 for the user's input, 1 for anything else, an interrupted batch included).

use crate::output::ResumeError;
use crate::scenario::ScenarioError;

/// The exit code of a batch stopped by Ctrl-C or SIGTERM. SPEC.md fixes three codes (0, 2,
/// 1); an interrupted batch is not a success and not the user's input, so it is 1, and its
/// message and `manifest.json` ("status": "partial") say it was interrupted. (Shells'
/// convention would be 130; the contract wins.)
pub const EXIT_INTERRUPTED: i32 = 1;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// The scenario is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// `--resume` was given a directory that holds no batch to resume, or another batch.
    #[error(transparent)]
    Resume(#[from] ResumeError),
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
            Error::Usage(_) | Error::Scenario(_) | Error::Resume(_) => 2,
            Error::Io { .. } => 2,
            Error::FailedRuns { .. } | Error::Internal(_) => 1,
            Error::Interrupted { .. } => EXIT_INTERRUPTED,
        }
    }
}
