//! The replications of one scenario, through the driver: replication `i` of seed `S` is one
//! call of the simulation (the only one in the batch layer), and a replication that panics is a
//! failed run with its drawn numbers, not the end of the batch.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::BatchError;
use super::drive::{Driven, Stop, drive, panic_message, take_panic_message};
use crate::scenario::{Draws, Scenario};
use crate::sim::{self, ColumnKind, Outcome, OutcomeSchema, Replication, Value};

/// How a batch runs, as its caller decides: on how many threads, until when, and (for the
/// integration tests only) which runs fail on purpose.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions<'a> {
    /// Worker threads. Never changes a result, only how fast it comes.
    pub threads: usize,
    /// Raised to stop the batch early (Ctrl-C); the runs handed over so far are kept.
    pub stop: &'a Stop,
    /// TEST SEAM: runs that panic instead of simulating.
    #[doc(hidden)]
    pub fail_runs: FailRuns<'a>,
}

/// TEST SEAM, not a feature: runs that panic instead of simulating, so that the integration
/// tests can watch a failed replication go through the real binary. The command line fills it
/// from an environment variable, named in the panic message as `asked_by`.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct FailRuns<'a> {
    /// The run indices that fail.
    pub runs: &'a [u64],
    /// Who asked, for the failure's message.
    pub asked_by: &'a str,
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

/// What a replication hands on: its results, or why it has none.
pub type RunResult = Result<Replication, RunFailure>;

/// The one call of the simulation: replication `run` of the batch seeded `seed`, with the event
/// log when `log`, drawing its numbers unless `draws` gives them, abandoned at its next step
/// once `stop` is raised. Everything the batch layer simulates goes through here.
fn simulate(
    scenario: &Arc<Scenario>,
    draws: Option<Draws>,
    (seed, run): (u64, u64),
    log: bool,
    stop: Option<Arc<AtomicBool>>,
) -> Replication {
    thread_local! {
        /// Each worker's engine, reused from one replication to the next: building a World and
        /// its Schedule costs more than a small replication. (An engine whose replication
        /// panicked rebuilds itself before the next one.)
        static ENGINE: std::cell::RefCell<sim::Engine> = std::cell::RefCell::new(sim::Engine::new());
    }
    ENGINE.with_borrow_mut(|engine| {
        engine.watch(stop);
        match draws {
            Some(draws) => engine.run(scenario, draws, seed, run, log, &mut |_| {}),
            None => engine.simulate(scenario, seed, run, log),
        }
    })
}

/// `simulate`, with a panic in it (or one asked for by `fail` for `index`) caught as its
/// message.
///
/// A replication cut short is a failure too: over its step budget, with that reason; stopped
/// by the batch's stop, with a reason no one reads, since the driver hands nothing over once the
/// stop is raised (the run is computed again on resume).
fn caught(
    fail: FailRuns<'_>,
    index: u64,
    simulate: impl FnOnce() -> Replication,
) -> Result<Replication, String> {
    // Caught here rather than by the driver, so that one bad replication becomes one failed row
    // instead of the end of the batch.
    catch_unwind(AssertUnwindSafe(|| {
        if fail.runs.contains(&index) {
            panic!("{} asked run {index} to fail", fail.asked_by);
        }
        simulate()
    }))
    .map_err(|payload| take_panic_message(&*payload))
    .and_then(uncut)
}

/// A replication cut short (step budget, stop) as the failure it is.
fn uncut(replication: Replication) -> Result<Replication, String> {
    match replication.cut {
        Some(cut) => Err(cut.to_string()),
        None => Ok(replication),
    }
}

/// Replication `run` of the batch seeded `seed`, on this thread; a panic in it is caught and
/// becomes a [`RunFailure`] (with its message and, under [`quiet_worker_panics`], where it was
/// raised).
///
/// [`quiet_worker_panics`]: super::quiet_worker_panics
pub(crate) fn replicate(
    scenario: &Arc<Scenario>,
    seed: u64,
    run: u64,
    options: &BatchOptions<'_>,
) -> RunResult {
    let stop = Some(options.stop.shared());
    let simulated = caught(options.fail_runs, run, || {
        simulate(scenario, None, (seed, run), false, stop)
    });
    simulated.map_err(|message| RunFailure {
        message,
        outcome: failed_row(scenario, &OutcomeSchema::for_scenario(scenario), seed, run),
    })
}

/// Replication `run` of the batch seeded `seed` with given `draws` (a sweep's point), on this
/// thread, as row `row` of its batch (which `fail` names); a panic in it is caught as its
/// message.
pub(crate) fn replicate_given(
    scenario: &Arc<Scenario>,
    draws: Draws,
    (seed, run): (u64, u64),
    row: u64,
    options: &BatchOptions<'_>,
) -> Result<Replication, String> {
    let stop = Some(options.stop.shared());
    caught(options.fail_runs, row, || {
        simulate(scenario, Some(draws), (seed, run), false, stop)
    })
}

/// Replication `run` of the batch seeded `seed` again, with its event log: the outcome is the
/// batch's (the log never draws randomness).
///
/// # Errors
/// The panic message when the replication fails, as it failed in its batch.
pub fn replay(scenario: &Arc<Scenario>, seed: u64, run: u64) -> Result<Replication, String> {
    catch_unwind(AssertUnwindSafe(|| {
        simulate(scenario, None, (seed, run), true, None)
    }))
    .map_err(|payload| panic_message(&*payload))
    .and_then(uncut)
}

/// The row of a failed run: outcomes empty, the uncertain numbers as the run drew them. The
/// draws are redone from the run's own stream, exactly as `sim::simulate` starts.
pub fn failed_row(scenario: &Scenario, schema: &OutcomeSchema, seed: u64, run: u64) -> Outcome {
    let drawn = catch_unwind(AssertUnwindSafe(|| {
        let draws = Draws::sample(&scenario.params, seed, run);
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

/// Runs the replications `runs` of `scenario` in the batch seeded `seed` (all of its runs, or
/// what is left of them when a batch resumes) through [`drive`], passes each through `record`
/// on the worker thread that computed it, and hands what `record` made of it to `sink` in run
/// order.
///
/// Replication `i` is [`replicate`]`(scenario, seed, i)` and nothing else, so the sink sees the
/// same values in the same order whatever `options.threads`. A replication that panics does
/// not stop the batch: `record` gets a [`RunFailure`] for it instead. `record` is where per-run
/// work that need not be in run order belongs (formatting a row, say): it runs in parallel,
/// while the sink runs on the calling thread, one run after the other. A panic in `record`
/// itself stops the batch.
///
/// # Errors
/// The sink's first error, which stops the batch; or a [`BatchError`] when the threads cannot
/// start or `record` panics.
pub fn run_replications<R, F, S, E>(
    scenario: &Arc<Scenario>,
    seed: u64,
    runs: Range<u64>,
    options: &BatchOptions<'_>,
    record: F,
    sink: S,
    progress: &mut dyn FnMut(u64),
) -> Result<Driven, E>
where
    R: Send,
    F: Fn(u64, RunResult) -> R + Sync,
    S: FnMut(u64, R) -> Result<(), E>,
    E: From<BatchError>,
{
    drive(
        runs,
        options.threads,
        options.stop,
        |run| record(run, replicate(scenario, seed, run, options)),
        sink,
        progress,
    )
}
