//! Runs a batch: one driver ([`drive`]) computes the runs on a pool of worker threads and hands
//! them to one sink in run order, streaming, in memory that does not grow with the number of
//! runs, until they are done or the caller's [`Stop`] is raised. On it, a scenario's
//! replications ([`run_replications`]: a replication that panics is a failed run, not the end of
//! the batch) and a recorded batch ([`record_batch`]: each run into a [`Journal`] and the
//! statistics). It never writes files or prints: the journal is the caller's.

pub mod comparison;
mod drive;
pub mod precision;
mod record;
mod replicate;
mod shard;
mod summary;
pub mod sweep;

use std::ops::Range;

pub use drive::{Driven, Stop, drive, quiet_worker_panics};
pub use record::{Journal, RecordedRun, Recording, record_batch};
#[doc(hidden)]
pub use replicate::FailRuns;
pub use replicate::{BatchOptions, RunFailure, RunResult, failed_row, replay, run_replications};
pub use shard::{Shard, ShardError, SlurmArrayTask};
pub use summary::{BatchSummary, OutcomeStats, OutcomeSummary, SummaryBuilder};

pub use crate::streams::DEFAULT_SEED;

/// What to run: which replications of which seed, on how many threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The batch seed; replication `i` draws from the stream (seed, i).
    pub seed: u64,
    /// Replications in the whole batch (all shards together).
    pub runs: u64,
    /// Which contiguous block of the runs this process computes.
    pub shard: Shard,
    /// Worker threads. Never changes a result, only how fast it comes.
    pub threads: usize,
}

impl Plan {
    /// The run indices this plan computes, in order.
    pub fn run_indices(&self) -> Range<u64> {
        self.shard.runs(self.runs)
    }
}

/// Why a batch stopped that was not the caller's doing: all bugs or a system that cannot start
/// threads, so the command line reports them as internal errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// What the system said.
        message: String,
    },
    /// A job panicked where nothing caught it (a replication's own panics become failed runs):
    /// a bug, reported with the run that shows it.
    #[error("replication {run} failed: {message} (replay it with `sandtable replay --run {run}`)")]
    Panicked {
        /// The run index.
        run: u64,
        /// The panic message.
        message: String,
    },
    /// A worker could not make a run ready for the journal (its row could not be formatted).
    #[error("run {run}: {message}")]
    Unrecorded {
        /// The run index.
        run: u64,
        /// Why.
        message: String,
    },
    /// A run's outcome does not fit the statistics' columns.
    #[error("{0}")]
    Unsummarised(String),
    /// A run reached the journal without the row the journal keeps.
    #[error("run {run} reached the journal without its row")]
    MissingRow {
        /// The run index.
        run: u64,
    },
}
