//! The one batch driver: any job of a run index, computed on a pool of worker threads and handed
//! to one sink in run order, streaming, in memory that does not grow with the number of runs,
//! until the runs are done or the caller's [`Stop`] is raised. It knows nothing of what a job
//! computes, and never writes files or prints.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use super::BatchError;

/// Runs per chunk. Workers never claim a run beyond the current chunk, so however slow one
/// replication is, at most a chunk of results waits for it, whatever the number of runs. The
/// pause at a chunk's end (waiting for its last replications) costs about one replication per
/// chunk, well under 1% of the time.
const CHUNK_RUNS: u64 = 1024;

/// Runs a worker claims at a time, and hands over together: the calling thread then wakes once
/// per block instead of once per run, which on two cores left the workers a few per cent more
/// of the machine. Small, so that results still stream and Ctrl-C is heard within a block.
const CLAIM_RUNS: u64 = 8;

/// A request to stop a batch before its last run, shared between the batch and whoever may ask
/// for it (the command line's Ctrl-C handler). The driver looks at it before handing each run
/// over, so a batch stops within a block of runs, with every run before the stop handed over;
/// the replications in progress look at it between steps (see [`Stop::shared`]), so even a
/// long one ends at once, unrecorded.
#[derive(Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A flag not raised.
    pub fn new() -> Stop {
        Stop(Arc::new(AtomicBool::new(false)))
    }

    /// The flag itself, for the simulation to look at between the steps of a replication
    /// (`sim::Engine::watch`).
    pub fn shared(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }

    /// Asks the batch to stop; returns whether it had been asked already.
    pub fn request(&self) -> bool {
        self.0.swap(true, Ordering::SeqCst)
    }

    /// Whether the batch has been asked to stop.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Lowers the flag, so that the next batch starts unasked.
    pub fn clear(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Where a driven batch got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Driven {
    /// The first run not handed over: the end of the range when the batch is complete, the run
    /// to go on from when it was stopped.
    pub next_run: u64,
    /// The [`Stop`] was raised before the last run was handed over.
    pub interrupted: bool,
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
pub(super) fn take_panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    LAST_PANIC
        .with(|last| last.borrow_mut().take())
        .unwrap_or_else(|| panic_message(payload))
}

/// The text of a panic payload, as the default hook would print it.
pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// The batch driver: computes `job(i)` for every `i` in `runs` on a pool of exactly `threads`
/// worker threads and hands each result to `sink` in index order, as soon as it and every
/// result before it are done, until every run is handed over or `stop` is raised.
///
/// The sink runs on the calling thread (not a worker), so it needs no locking and may write
/// files while the workers compute. `job` must be a pure function of its index for the batch to
/// be reproducible; the driver adds no randomness and no dependence on scheduling. A batch that
/// resumes passes the runs that are left; `progress` is called on the calling thread with the
/// number of runs handed over so far.
///
/// ```
/// use sandtable::batch::{BatchError, Stop, drive};
/// let mut squares = Vec::new();
/// let stop = Stop::new();
/// let sink = |_, v| { squares.push(v); Ok::<_, BatchError>(()) };
/// let driven = drive(0..10, 2, &stop, |i| i * i, sink, &mut |_| {})?;
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
/// assert_eq!((driven.next_run, driven.interrupted), (10, false));
/// # Ok::<(), BatchError>(())
/// ```
///
/// # Errors
/// The sink's first error, which stops the batch (workers skip what is left of the chunk); or a
/// [`BatchError`] when the threads cannot start or `job` panics (a job that may fail must catch
/// its own panics, as a replication does).
pub fn drive<T, J, S, E>(
    runs: Range<u64>,
    threads: usize,
    stop: &Stop,
    job: J,
    mut sink: S,
    progress: &mut dyn FnMut(u64),
) -> Result<Driven, E>
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
    let mut counted = |_: u64| {
        handed_over += 1;
        progress(handed_over);
    };
    let mut start = runs.start;
    while start < runs.end {
        let chunk = Chunk::new(start..start + CHUNK_RUNS.min(runs.end - start));
        let next_run = chunk.drive(&pool, threads, stop, &job, &mut sink, &mut counted)?;
        if next_run < chunk.runs.end {
            return Ok(Driven {
                next_run,
                interrupted: true,
            });
        }
        start = chunk.runs.end;
    }
    Ok(Driven {
        next_run: runs.end,
        interrupted: false,
    })
}

/// The results of a block of runs, as one worker hands them over.
type Block<T> = Vec<(u64, std::thread::Result<T>)>;

/// One chunk of runs being computed: which runs, the next one a worker may claim, and whether
/// the workers must stop early.
struct Chunk {
    runs: Range<u64>,
    next_claim: AtomicU64,
    halt: AtomicBool,
}

impl Chunk {
    fn new(runs: Range<u64>) -> Chunk {
        Chunk {
            next_claim: AtomicU64::new(runs.start),
            runs,
            halt: AtomicBool::new(false),
        }
    }

    /// Computes the chunk on `threads` workers of `pool` and hands its results to `sink` in run
    /// order. Returns the first run not handed over: the chunk's end, or where `stop` was found
    /// raised.
    fn drive<T, J, S, E>(
        &self,
        pool: &rayon::ThreadPool,
        threads: usize,
        stop: &Stop,
        job: &J,
        sink: &mut S,
        handed_over: &mut dyn FnMut(u64),
    ) -> Result<u64, E>
    where
        T: Send,
        J: Fn(u64) -> T + Sync,
        S: FnMut(u64, T) -> Result<(), E>,
        E: From<BatchError>,
    {
        let (sender, receiver) = mpsc::channel::<Block<T>>();
        pool.in_place_scope(|scope| {
            for _ in 0..threads {
                let sender = sender.clone();
                scope.spawn(move |_| self.work(job, &sender));
            }
            // Only the workers' senders remain, so the loop below ends when they are done.
            drop(sender);
            // Each result waits in its slot until every earlier run has been handed over, so
            // the sink sees run order whatever order the workers finish in.
            let start = self.runs.start;
            let mut slots: Vec<Option<T>> = self.runs.clone().map(|_| None).collect();
            let mut next = start;
            for (run, result) in receiver.into_iter().flatten() {
                let value = result.map_err(|payload| {
                    self.halt.store(true, Ordering::Relaxed);
                    BatchError::Panicked {
                        run,
                        message: take_panic_message(&*payload),
                    }
                })?;
                slots[(run - start) as usize] = Some(value);
                while let Some(value) = slots
                    .get_mut((next - start) as usize)
                    .and_then(Option::take)
                {
                    // Checked before the run is handed over: the runs not handed over are
                    // computed again on resume, so where exactly the batch stops does not matter.
                    if stop.is_requested() {
                        self.halt.store(true, Ordering::Relaxed);
                        return Ok(next);
                    }
                    if let Err(error) = sink(next, value) {
                        self.halt.store(true, Ordering::Relaxed);
                        return Err(error);
                    }
                    handed_over(next);
                    next += 1;
                }
            }
            Ok(next)
        })
    }

    /// A worker: claims blocks of runs in index order, so results arrive nearly in order and
    /// only a few (about a block per thread) wait for an earlier one, and sends each block's
    /// results at once.
    fn work<T, J>(&self, job: &J, sender: &mpsc::Sender<Block<T>>)
    where
        J: Fn(u64) -> T,
    {
        let end = self.runs.end;
        while !self.halt.load(Ordering::Relaxed) {
            let first = self.next_claim.fetch_add(CLAIM_RUNS, Ordering::Relaxed);
            if first >= end {
                break;
            }
            let mut block = Vec::with_capacity(CLAIM_RUNS as usize);
            for run in first..end.min(first + CLAIM_RUNS) {
                // A panic is caught here so it can be reported with its run index and become an
                // exit code, instead of tearing the pool down.
                let result = catch_unwind(AssertUnwindSafe(|| job(run)));
                let failed = result.is_err();
                block.push((run, result));
                if failed || self.halt.load(Ordering::Relaxed) {
                    break;
                }
            }
            // The receiver is gone only when the sink has failed; stop then.
            if sender.send(block).is_err() {
                break;
            }
        }
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
            &Stop::new(),
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
            &Stop::new(),
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
            &Stop::new(),
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

    /// A sink's own error, beside the driver's.
    #[derive(Debug)]
    enum SinkError {
        Stop,
        Batch,
    }

    impl From<BatchError> for SinkError {
        fn from(_: BatchError) -> Self {
            SinkError::Batch
        }
    }

    #[test]
    fn a_sink_error_stops_the_batch() {
        let mut seen = 0;
        let result: Result<Driven, SinkError> = drive(
            0..100_000,
            2,
            &Stop::new(),
            |i| i,
            |i, _| {
                seen += 1;
                if i == 9 { Err(SinkError::Stop) } else { Ok(()) }
            },
            &mut |_| {},
        );
        assert!(matches!(result, Err(SinkError::Stop)));
        assert_eq!(seen, 10);
    }

    #[test]
    fn a_raised_stop_ends_the_batch_after_the_runs_handed_over() {
        let stop = Stop::new();
        let mut seen = Vec::new();
        let driven = drive(
            5..(5 + 3 * CHUNK_RUNS),
            2,
            &stop,
            |i| i,
            |i, _| {
                seen.push(i);
                // Raised while run 1500 is handed over, as a signal arriving then would.
                if i == 1500 {
                    stop.request();
                }
                Ok::<_, BatchError>(())
            },
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(
            driven,
            Driven {
                next_run: 1501,
                interrupted: true
            }
        );
        assert_eq!(seen, (5..1501).collect::<Vec<u64>>());
        // Raised before the batch starts: nothing is handed over.
        let driven = drive(
            0..10,
            2,
            &stop,
            |i| i,
            |_, _| Ok::<_, BatchError>(()),
            &mut |_| {},
        );
        assert_eq!(
            driven.unwrap(),
            Driven {
                next_run: 0,
                interrupted: true
            }
        );
        stop.clear();
        assert!(!stop.is_requested() && !stop.request() && stop.request());
    }

    #[test]
    fn a_panicking_job_is_an_error_naming_the_run() {
        // The panic message printed below this test is expected.
        let result = drive(
            0..50,
            2,
            &Stop::new(),
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
