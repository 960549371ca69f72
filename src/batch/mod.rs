//! Runs a batch: replications spread over a pool of worker threads and handed back to one sink
//! in run order, streaming, in memory that does not grow with the number of runs; a replication
//! that panics is handed over as a failed run, not the end of the batch. It never writes files
//! or prints; what happens to each replication is the caller's business: a record step on the
//! workers, then a sink in run order.

mod shard;
mod summary;

use std::cell::RefCell;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

pub use shard::{Shard, ShardError};
pub use summary::{
    BatchSummary, OutcomeStats, OutcomeSummary, SPILL_BUFFER_VALUES, SummaryBuilder,
};

use crate::error::Error;
use crate::scenario::{Draws, Scenario};
use crate::sim::{self, ColumnKind, Outcome, OutcomeSchema, Replication, Value};

/// The seed a batch uses when none is given: the day the column left Gao, 2 October 2023.
/// Fixed, so that two plain runs give the same output.
pub const DEFAULT_SEED: u64 = 20_231_002;

/// Runs per chunk. Workers never claim a run beyond the current chunk, so however slow one
/// replication is, at most a chunk of results waits for it, whatever the number of runs. The
/// pause at a chunk's end (waiting for its last replications) costs about one replication per
/// chunk, well under 1% of the time.
pub const CHUNK_RUNS: u64 = 1024;

/// Runs a worker claims at a time, and hands over together: the calling thread then wakes once
/// per block instead of once per run, which on two cores left the workers a few per cent more
/// of the machine. Small, so that results still stream and Ctrl-C is heard within a block.
pub const CLAIM_RUNS: u64 = 8;

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

/// Why the driver itself stopped (as opposed to the sink).
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
    /// A replication panicked: a bug in the simulation, reported with the run that shows it.
    #[error("replication {run} failed: {message} (replay it with `sandtable replay --run {run}`)")]
    Panicked {
        /// The run index.
        run: u64,
        /// The panic message.
        message: String,
    },
}

impl From<BatchError> for Error {
    fn from(error: BatchError) -> Self {
        Error::Internal(error.to_string())
    }
}

/// A replication that did not produce an outcome: the simulation panicked (a bug, or a numeric
/// blow-up it did not guard against). The batch goes on; the run is reported as failed.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    /// What went wrong: the panic message and, in the `sandtable` binary, where it was raised.
    pub message: String,
    /// The row to write for it: every outcome empty, the uncertain numbers as drawn for this run
    /// (so that a failure can be related to the parameters that caused it), or all empty when
    /// even the drawing failed.
    pub outcome: Outcome,
}

/// What a replication hands to the sink: its results, or why it has none.
pub type RunResult = Result<Replication, RunFailure>;

/// Runs the replications `runs` of `plan` on `scenario` (all of the plan's runs, or what is left
/// of them when a batch resumes), passes each through `record` on the worker thread that
/// computed it, and hands what `record` made of it to `sink` in run order.
///
/// Replication `i` is `sim::simulate(scenario, plan.seed, i, false)` and nothing else, so the
/// sink sees the same values in the same order whatever `plan.threads`. A replication that
/// panics does not stop the batch: `record` gets a [`RunFailure`] for it instead. `record` is
/// where per-run work that need not be in run order belongs (formatting a row, say): it runs in
/// parallel, while the sink runs on the calling thread, one run after the other. A panic in
/// `record` itself stops the batch. `progress` is called on the calling thread with the number
/// of runs handed over so far.
///
/// # Errors
/// The sink's first error, which stops the batch; or a [`BatchError`] when the threads cannot
/// start or `record` panics.
pub fn run_replications<R, F, S, E>(
    scenario: &Arc<Scenario>,
    plan: &Plan,
    runs: Range<u64>,
    record: F,
    sink: S,
    progress: &mut dyn FnMut(u64),
) -> Result<(), E>
where
    R: Send,
    F: Fn(u64, RunResult) -> R + Sync,
    S: FnMut(u64, R) -> Result<(), E>,
    E: From<BatchError>,
{
    thread_local! {
        /// Each worker's engine, reused from one replication to the next: building a World and
        /// its Schedule costs more than a small replication.
        static ENGINE: RefCell<sim::Engine> = RefCell::new(sim::Engine::new());
    }
    let seed = plan.seed;
    let schema = OutcomeSchema::for_scenario(scenario);
    let fail_on_purpose = test_seam_failing_runs();
    drive(
        runs,
        plan.threads,
        |run| {
            // Caught here rather than by `drive`, so that one bad replication becomes one failed
            // row instead of the end of the batch.
            let result = catch_unwind(AssertUnwindSafe(|| {
                if fail_on_purpose.contains(&run) {
                    panic!("{TEST_SEAM_VARIABLE} asked run {run} to fail");
                }
                ENGINE.with_borrow_mut(|engine| engine.simulate(scenario, seed, run, false))
            }))
            .map_err(|payload| RunFailure {
                message: take_panic_message(&*payload),
                outcome: failed_row(scenario, &schema, seed, run),
            });
            record(run, result)
        },
        sink,
        progress,
    )
}

/// The row of a failed run: outcomes empty, the uncertain numbers as the run drew them. The
/// draws are redone from the run's own stream, exactly as `sim::simulate` starts.
pub fn failed_row(scenario: &Scenario, schema: &OutcomeSchema, seed: u64, run: u64) -> Outcome {
    let drawn = catch_unwind(AssertUnwindSafe(|| {
        let draws = Draws::sample(&scenario.params, &mut sim::stream(seed, run));
        scenario
            .uncertain_params()
            .map(|(id, _)| draws.get(id))
            .collect::<Vec<f64>>()
    }))
    .unwrap_or_default();
    let mut drawn = drawn.into_iter();
    let values = schema
        .columns
        .iter()
        .map(|c| match c.kind {
            // The schema lists the uncertain numbers last, in the order they are drawn.
            ColumnKind::Parameter => drawn.next().map_or(Value::Empty, Value::Number),
            _ => Value::Empty,
        })
        .collect();
    Outcome { values }
}

/// The environment variable of the failure test seam.
const TEST_SEAM_VARIABLE: &str = "SANDTABLE_TEST_FAIL_RUNS";

/// TEST SEAM, not a feature: the run indices listed in `SANDTABLE_TEST_FAIL_RUNS` (e.g. `3,17`)
/// panic instead of simulating, so that the integration tests can watch a failed replication go
/// through the real binary. Not documented for users; unset, or anything unparsable, fails
/// nothing.
fn test_seam_failing_runs() -> Vec<u64> {
    std::env::var(TEST_SEAM_VARIABLE)
        .ok()
        .and_then(|list| {
            list.split(',')
                .map(|r| r.trim().parse::<u64>().ok())
                .collect::<Option<Vec<u64>>>()
        })
        .unwrap_or_default()
}

/// Worker threads are named with this prefix, which the quiet panic hook looks for.
const WORKER_PREFIX: &str = "sandtable-worker-";

thread_local! {
    /// The last panic on this worker thread, with its location, as the quiet hook recorded it.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Makes panics on the batch's worker threads quiet: instead of the default hook's message on
/// standard error (one per failed run, which would bury the summary when thousands fail), the
/// message and its source location are kept for the run's failure report. Panics on any other
/// thread still go to the default hook. For the `sandtable` binary; installed once per process.
pub fn quiet_worker_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(WORKER_PREFIX));
            if !on_worker {
                default(info);
                return;
            }
            let mut text = panic_message(info.payload());
            if let Some(at) = info.location() {
                text = format!("{text} (at {}:{}:{})", at.file(), at.line(), at.column());
            }
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(text));
        }));
    });
}

/// The message of the panic just caught on this thread: the quiet hook's record when it made one
/// (it has the location), else the payload's text.
fn take_panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    LAST_PANIC
        .with(|last| last.borrow_mut().take())
        .unwrap_or_else(|| panic_message(payload))
}

/// The generic driver: computes `job(i)` for every `i` in `runs` on a pool of exactly `threads`
/// worker threads and hands each result to `sink` in index order, as soon as it and every
/// result before it are done.
///
/// The sink runs on the calling thread (not a worker), so it needs no locking and may write
/// files while the workers compute. `job` must be a pure function of its index for the batch to
/// be reproducible; the driver adds no randomness and no dependence on scheduling.
///
/// ```
/// use sandtable::batch::{BatchError, drive};
/// let mut squares = Vec::new();
/// drive(0..10, 2, |i| i * i, |_, v| { squares.push(v); Ok::<_, BatchError>(()) }, &mut |_| {})?;
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
/// # Ok::<(), BatchError>(())
/// ```
///
/// # Errors
/// The sink's first error, which stops the batch (workers skip what is left of the chunk); or a
/// [`BatchError`] when the threads cannot start or `job` panics.
pub fn drive<T, J, S, E>(
    runs: Range<u64>,
    threads: usize,
    job: J,
    mut sink: S,
    progress: &mut dyn FnMut(u64),
) -> Result<(), E>
where
    T: Send,
    J: Fn(u64) -> T + Sync,
    S: FnMut(u64, T) -> Result<(), E>,
    E: From<BatchError>,
{
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("{WORKER_PREFIX}{i}"))
        .build()
        .map_err(|e| BatchError::ThreadPool {
            threads,
            message: e.to_string(),
        })?;
    let mut handed_over = 0;
    let mut start = runs.start;
    while start < runs.end {
        let end = start + CHUNK_RUNS.min(runs.end - start);
        let stop = AtomicBool::new(false);
        // Workers claim blocks of runs in index order, so results arrive nearly in order and
        // only a few (about a block per thread) wait for an earlier one: the sink streams
        // steadily.
        let next_claim = AtomicU64::new(start);
        let (sender, receiver) = mpsc::channel::<Vec<(u64, std::thread::Result<T>)>>();
        let (job, stop_ref, claim) = (&job, &stop, &next_claim);
        let outcome: Result<(), E> = pool.in_place_scope(|scope| {
            for _ in 0..threads {
                let sender = sender.clone();
                scope.spawn(move |_| {
                    while !stop_ref.load(Ordering::Relaxed) {
                        let first = claim.fetch_add(CLAIM_RUNS, Ordering::Relaxed);
                        if first >= end {
                            break;
                        }
                        let mut block = Vec::with_capacity(CLAIM_RUNS as usize);
                        for run in first..end.min(first + CLAIM_RUNS) {
                            // A panic is caught here so it can be reported with its run index
                            // and become an exit code, instead of tearing the pool down.
                            let result = catch_unwind(AssertUnwindSafe(|| job(run)));
                            let failed = result.is_err();
                            block.push((run, result));
                            if failed || stop_ref.load(Ordering::Relaxed) {
                                break;
                            }
                        }
                        // The receiver is gone only when the sink has failed; stop then.
                        if sender.send(block).is_err() {
                            break;
                        }
                    }
                });
            }
            // Only the workers' senders remain, so the loop below ends when they are done.
            drop(sender);
            // Each result waits in its slot until every earlier run has been handed over, so
            // the sink sees run order whatever order the workers finish in.
            let mut slots: Vec<Option<T>> = (start..end).map(|_| None).collect();
            let mut next = start;
            for (run, result) in receiver.into_iter().flatten() {
                let value = match result {
                    Ok(value) => value,
                    Err(payload) => {
                        stop.store(true, Ordering::Relaxed);
                        return Err(BatchError::Panicked {
                            run,
                            message: take_panic_message(&*payload),
                        }
                        .into());
                    }
                };
                slots[(run - start) as usize] = Some(value);
                while next < end {
                    let Some(value) = slots[(next - start) as usize].take() else {
                        break;
                    };
                    if let Err(error) = sink(next, value) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(error);
                    }
                    next += 1;
                    handed_over += 1;
                    progress(handed_over);
                }
            }
            Ok(())
        });
        outcome?;
        start = end;
    }
    Ok(())
}

/// The text of a panic payload, as the default hook would print it.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(runs: Range<u64>, threads: usize) -> Vec<(u64, u64)> {
        let mut seen = Vec::new();
        drive(
            runs,
            threads,
            // Uneven work, so later runs often finish before earlier ones.
            |i| {
                let spins = (i * 7919) % 5000;
                (0..spins).fold(i, |acc, k| acc.wrapping_mul(31).wrapping_add(k))
            },
            |i, v| {
                seen.push((i, v));
                Ok::<_, BatchError>(())
            },
            &mut |_| {},
        )
        .unwrap();
        seen
    }

    #[test]
    fn results_come_in_run_order_whatever_the_threads() {
        let runs = 3..(3 + 2 * CHUNK_RUNS + 17);
        let one = collect(runs.clone(), 1);
        assert_eq!(
            one.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            runs.collect::<Vec<_>>()
        );
        assert_eq!(collect(3..(3 + 2 * CHUNK_RUNS + 17), 2), one);
        assert_eq!(collect(3..(3 + 2 * CHUNK_RUNS + 17), 5), one);
    }

    #[test]
    fn jobs_run_on_the_pool_only() {
        let names = std::sync::Mutex::new(std::collections::BTreeSet::new());
        drive(
            0..2000,
            3,
            |i| {
                let name = std::thread::current().name().unwrap_or("").to_string();
                names.lock().unwrap().insert(name);
                i
            },
            |_, _| Ok::<_, BatchError>(()),
            &mut |_| {},
        )
        .unwrap();
        let names = names.into_inner().unwrap();
        assert!(!names.is_empty() && names.len() <= 3, "{names:?}");
        assert!(
            names.iter().all(|n| n.starts_with("sandtable-worker-")),
            "{names:?}"
        );
    }

    #[test]
    fn progress_counts_every_run_once() {
        let mut calls = Vec::new();
        drive(
            10..20,
            2,
            |i| i,
            |_, _| Ok::<_, BatchError>(()),
            &mut |done| calls.push(done),
        )
        .unwrap();
        assert_eq!(calls, (1..=10).collect::<Vec<u64>>());
    }

    #[test]
    fn an_empty_range_runs_nothing() {
        assert!(collect(5..5, 2).is_empty());
    }

    #[test]
    fn a_sink_error_stops_the_batch() {
        let mut seen = 0;
        let result: Result<(), Error> = drive(
            0..100_000,
            2,
            |i| i,
            |i, _| {
                seen += 1;
                if i == 9 {
                    Err(Error::Usage("stop".into()))
                } else {
                    Ok(())
                }
            },
            &mut |_| {},
        );
        assert!(matches!(result, Err(Error::Usage(_))));
        assert_eq!(seen, 10);
    }

    #[test]
    fn a_panicking_job_is_an_error_naming_the_run() {
        // The panic message printed below this test is expected.
        let result = drive(
            0..50,
            2,
            |i| {
                assert!(i != 17, "run seventeen is cursed");
                i
            },
            |_, _| Ok::<_, BatchError>(()),
            &mut |_| {},
        );
        match result {
            Err(BatchError::Panicked { run, message }) => {
                assert_eq!(run, 17);
                assert!(message.contains("cursed"), "{message}");
            }
            other => panic!("expected a panic error, got {other:?}"),
        }
    }
}
