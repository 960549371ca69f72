//! `sandtable run`: loads the scenario, runs the batch, and prints the summary table; with
//! `--out`, keeps a journal of the rows as the batch goes and writes the output files at the end;
//! with `--resume`, continues an interrupted batch. Ctrl-C and SIGTERM stop a batch cleanly, and
//! a failed replication becomes a failed row rather than the end of the batch.

use std::io::{IsTerminal, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{RunArgs, load_scenario, print};
use crate::batch::{self, BatchSummary, Plan, Shard, SummaryBuilder};
use crate::error::{EXIT_INTERRUPTED, Error};
use crate::output::{
    self, BatchFiles, BatchIdentity, BatchStatus, JournalRow, Manifest, RecordedRun, RunRecorder,
    RunsRow,
};
use crate::scenario::Scenario;
use crate::sim::OutcomeSchema;

/// Batches smaller than this finish too fast for a progress bar to help.
const PROGRESS_MIN_RUNS: u64 = 1000;

/// Set by the first Ctrl-C or SIGTERM: the batch stops taking new runs and saves what it has.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Catches Ctrl-C and SIGTERM for the rest of the process. The first sets [`INTERRUPTED`]; a
/// second one exits at once, leaving the journal as `kill -9` would (still resumable).
fn watch_for_interrupts() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // If no handler can be installed, a signal ends the process as it would anyway, and the
        // journal still lets `--resume` continue: nothing to report.
        let _ = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                std::process::exit(EXIT_INTERRUPTED);
            }
            let _ = writeln!(
                std::io::stderr(),
                "\ninterrupted: saving the finished runs (press Ctrl-C again to stop at once)"
            );
        });
    });
}

/// Runs the batch `args` describes.
///
/// # Errors
/// A scenario or usage error (exit 2), an output directory that cannot be written or a
/// `--resume` directory that holds no such batch (exit 2); runs that failed (exit 1, after the
/// files are written); an interruption (exit 1, after the partial files are written). No
/// output file is ever left half-written.
pub fn run(args: &RunArgs, command_line: &[String]) -> Result<(), Error> {
    // A library caller may run several batches in one process; each starts uninterrupted.
    INTERRUPTED.store(false, Ordering::SeqCst);
    watch_for_interrupts();
    batch::quiet_worker_panics();
    let started = jiff::Timestamp::now().to_string();
    let scenario = load_scenario(args.scenario.scenario.as_deref(), &args.scenario.set)?;
    let plan = Plan {
        seed: args.seed,
        runs: args.runs,
        shard: args.shard.unwrap_or(Shard::WHOLE),
        threads: args.threads as usize,
    };
    let indices = plan.run_indices();
    if indices.is_empty() {
        return Err(Error::Usage(format!(
            "--shard {} of --runs {} holds no runs; use at most {} shards",
            plan.shard, plan.runs, plan.runs
        )));
    }
    let schema = OutcomeSchema::for_scenario(&scenario);
    let out_dir = args.resume.as_deref().or(args.out.as_deref());
    let batch = BatchDescription {
        args,
        scenario: &scenario,
        plan: &plan,
        command_line,
        dir: out_dir,
    };
    // Long columns spill beside the outputs when there are outputs: the user chose that disk.
    let mut builder = SummaryBuilder::new(&schema, out_dir.map(Path::to_path_buf));
    let mut history = (started.clone(), Vec::new());
    let mut first_run = indices.start;
    let mut files = match (args.resume.as_deref(), args.out.as_deref()) {
        (Some(dir), _) => {
            let running = batch.manifest(BatchStatus::Running, &started, &[], None, None);
            let (files, resumed) =
                BatchFiles::resume(dir, &schema, &running, &mut |run, row| match row {
                    JournalRow::Outcome(outcome) => builder.push(&outcome),
                    JournalRow::Failed => {
                        builder.fail(run);
                        Ok(())
                    }
                })?;
            let recovered = resumed.recovered;
            let torn = if recovered.dropped_bytes > 0 {
                format!(
                    " ({} bytes after the last whole row dropped)",
                    recovered.dropped_bytes
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                std::io::stderr(),
                "resuming {}: {} of {} runs already done{torn}; going on from run {}",
                dir.display(),
                recovered.rows,
                indices.end - indices.start,
                recovered.next_run
            );
            first_run = recovered.next_run;
            history = (resumed.started, resumed.resumed);
            history.1.push(started.clone());
            Some(files)
        }
        (None, Some(dir)) => {
            let running = batch.manifest(BatchStatus::Running, &started, &[], None, None);
            Some(BatchFiles::create(dir, &schema, &running)?)
        }
        (None, None) => None,
    };

    let bar = progress_bar(indices.end - first_run);
    let recorded = record_batch(
        &scenario,
        &plan,
        first_run..indices.end,
        files.as_mut(),
        &mut builder,
        &mut |done| {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let RecordedBatch {
        interrupted,
        first_failure,
    } = recorded?;
    let spill_dir = out_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let summary = builder.finish().map_err(|e| Error::Io {
        path: spill_dir.display().to_string(),
        source: e,
    })?;
    let status = if interrupted {
        BatchStatus::Partial
    } else {
        BatchStatus::Complete
    };

    let total = indices.end - indices.start;
    let mut text = String::new();
    if interrupted {
        text.push_str(&format!(
            "Interrupted after {} of {total} runs: the figures below are over those runs only.\n\n",
            summary.completed_runs()
        ));
    }
    text.push_str(&output::render_batch_table(&scenario, &plan, &summary));
    if let (Some(files), Some(dir)) = (files.take(), out_dir) {
        let finished = jiff::Timestamp::now().to_string();
        let manifest = batch.manifest(
            status,
            &history.0,
            &history.1,
            Some(&summary),
            Some(finished),
        );
        let written = files.finish(&scenario, &plan, &summary, &manifest)?;
        text.push_str(&output::render_written(dir, &written));
    }
    print(&text)?;

    if interrupted {
        let next_step = match out_dir {
            Some(dir) => format!(
                "the finished runs are in {} (its manifest.json says \"partial\"); continue the \
                 batch with: {}",
                dir.display(),
                batch.resume_command(dir)
            ),
            None => "nothing was written; give --out DIR to keep the finished runs of a batch \
                     and continue it later with --resume DIR"
                .to_string(),
        };
        return Err(Error::Interrupted {
            completed: summary.completed_runs(),
            total,
            next_step,
        });
    }
    if !summary.failed_runs.is_empty() {
        let mut details = match out_dir {
            Some(dir) => format!(
                "their rows in {0}/runs.csv have empty outcomes, and {0}/failures.csv says why.",
                dir.display()
            ),
            None => "they are left out of the figures above.".to_string(),
        };
        details.push_str(
            " Replay one with `sandtable replay --run N` and the batch's scenario, --seed and \
             --set, and report it: it is a bug.",
        );
        if let Some(first) = &first_failure {
            let when = if args.resume.is_some() {
                "The first since the batch resumed"
            } else {
                "The first"
            };
            details.push_str(&format!(" {when}: {first}"));
        }
        return Err(Error::FailedRuns {
            failed: summary.failed_runs.len() as u64,
            completed: summary.completed_runs(),
            runs: summary.failed_runs.clone(),
            details,
        });
    }
    Ok(())
}

/// How the runs of a batch went, beyond what the summary builder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedBatch {
    /// Ctrl-C or SIGTERM stopped the batch before its last run.
    pub interrupted: bool,
    /// The first failed run, as "run N: why".
    pub first_failure: Option<String>,
}

/// The batch loop of `sandtable run`: runs `runs` of `plan` on `scenario` and records each run.
/// The workers do the per-run work (the outcome as `runs.csv` holds it and, when there are
/// `files`, its row: see [`RunRecorder`]); this thread takes the runs in order, appends their
/// rows to the journal and feeds `builder`. A failed run gets its line in `failures.csv` and a
/// row with empty outcomes. Once [`run`] has installed its handler, the first Ctrl-C or SIGTERM
/// stops the loop with the runs so far recorded.
///
/// # Errors
/// When the journal cannot be written, the threads cannot start, or a run cannot be recorded
/// (a bug).
pub fn record_batch(
    scenario: &Arc<Scenario>,
    plan: &Plan,
    runs: Range<u64>,
    mut files: Option<&mut BatchFiles>,
    builder: &mut SummaryBuilder,
    progress: &mut dyn FnMut(u64),
) -> Result<RecordedBatch, Error> {
    let schema = OutcomeSchema::for_scenario(scenario);
    let recorder = RunRecorder::new(scenario, &schema, plan.seed, files.is_some());
    let mut first_failure: Option<String> = None;
    let result = batch::run_replications(
        scenario,
        plan,
        runs,
        |run, result| recorder.record(run, result),
        |run, recorded| {
            // Checked before the row is written: the runs not written are computed again on
            // resume, so where exactly the batch stops does not matter.
            if INTERRUPTED.load(Ordering::SeqCst) {
                return Err(interrupted_marker());
            }
            let recorded = recorded.map_err(|e| Error::Internal(format!("run {run}: {e}")))?;
            match recorded {
                RecordedRun::Done { outcome, row } => {
                    if let Some(files) = files.as_deref_mut() {
                        files.write_run(&journal_row(run, row)?)?;
                    }
                    builder.push(&outcome).map_err(Error::Internal)
                }
                RecordedRun::Failed { message, row } => {
                    if let Some(files) = files.as_deref_mut() {
                        files.write_failure(run, plan.seed, &journal_row(run, row)?, &message)?;
                    }
                    first_failure.get_or_insert_with(|| format!("run {run}: {message}"));
                    builder.fail(run);
                    Ok(())
                }
            }
        },
        progress,
    );
    let interrupted = match result {
        Ok(()) => false,
        Err(Error::Interrupted { .. }) => true,
        Err(error) => return Err(error),
    };
    Ok(RecordedBatch {
        interrupted,
        first_failure,
    })
}

/// The row the recorder formatted for the journal; it formats one for every run when the batch
/// has files.
fn journal_row(run: u64, row: Option<RunsRow>) -> Result<RunsRow, Error> {
    row.ok_or_else(|| Error::Internal(format!("run {run} reached the journal without its row")))
}

/// What the sink returns to stop the batch on an interruption; the real counts are filled in
/// once the batch has stopped.
fn interrupted_marker() -> Error {
    Error::Interrupted {
        completed: 0,
        total: 0,
        next_step: String::new(),
    }
}

/// What makes a batch what it is, for its manifests and commands.
struct BatchDescription<'a> {
    args: &'a RunArgs,
    scenario: &'a Scenario,
    plan: &'a Plan,
    command_line: &'a [String],
    dir: Option<&'a Path>,
}

impl BatchDescription<'_> {
    /// The batch's identity: what `--resume` checks and the commands are written from.
    fn identity(&self) -> BatchIdentity {
        let overrides = self.args.scenario.set.iter().map(|o| o.text.clone());
        BatchIdentity::of(self.scenario, self.plan, overrides.collect())
    }

    fn resume_command(&self, dir: &Path) -> String {
        self.identity()
            .resume_command(self.args.scenario.scenario.as_deref(), dir)
    }

    /// The manifest of the batch in the state `status`, with what `summary` says of its runs
    /// (none yet while it starts).
    fn manifest(
        &self,
        status: BatchStatus,
        started: &str,
        resumed: &[String],
        summary: Option<&BatchSummary>,
        finished: Option<String>,
    ) -> Manifest {
        let identity = self.identity();
        Manifest {
            status,
            completed_runs: summary.map_or(0, BatchSummary::completed_runs),
            failed_runs: summary.map_or_else(Vec::new, |s| s.failed_runs.clone()),
            reproduce: identity.reproduce_command(self.args.scenario.scenario.as_deref(), self.dir),
            resume: match (status, self.dir) {
                (BatchStatus::Complete, _) | (_, None) => None,
                (_, Some(dir)) => Some(self.resume_command(dir)),
            },
            identity,
            threads: self.plan.threads,
            command_line: self.command_line.to_vec(),
            started: started.to_string(),
            resumed: resumed.to_vec(),
            finished,
        }
    }
}

/// A progress bar on standard error, only when a person is watching it and the batch is long
/// enough to need one; `None` otherwise, so pipes and logs stay clean.
fn progress_bar(runs: u64) -> Option<ProgressBar> {
    if runs < PROGRESS_MIN_RUNS || !std::io::stderr().is_terminal() {
        return None;
    }
    let style =
        ProgressStyle::with_template("{wide_bar} {pos}/{len} runs · {per_sec} · {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    Some(ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr()).with_style(style))
}
