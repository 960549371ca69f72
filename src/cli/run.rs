//! `sandtable run`: loads the scenario, plans the batch, opens its output directory (or picks up
//! the interrupted batch there), drives the batch, summarises it, writes the files and reports
//! how it went. A failed replication becomes a failed row rather than the end of the batch, and
//! Ctrl-C or SIGTERM stops it cleanly with the finished runs saved.

use std::cell::RefCell;
use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::interrupt::Interrupts;
use super::progress::Progress;
use super::{RunArgs, claim_folder, from_batch, load_scenario, print, quiet_needs_files};
use crate::batch::precision::{self, Adaptive, RunPrecision, TargetsAndCheckpoints};
use crate::batch::{
    self, BatchOptions, BatchSummary, Driven, FailRuns, Plan, RecordedRun, Recording, Shard, Stop,
    SummaryBuilder,
};
use crate::error::Error;
use crate::output::{
    self, AtomicFile, BatchFiles, BatchIdentity, BatchStatus, JournalRow, Manifest, OutputError,
    PrecisionReport, RunRecorder, SpillDir, StepHook,
};
use crate::scenario::Scenario;
use crate::sim::OutcomeSchema;

/// The environment variable of the failure test seam (see [`failing_runs`]).
pub(super) const FAIL_RUNS_VARIABLE: &str = "SANDTABLE_TEST_FAIL_RUNS";
/// The environment variable of the kill test seam (see [`kill_at_hook`]).
pub(super) const KILL_AT_VARIABLE: &str = "SANDTABLE_TEST_KILL_AT";

/// Runs the batch `args` describes: the pipeline, one named step after the other.
///
/// # Errors
/// A scenario or usage error (exit 2), an output directory that cannot be written or a
/// `--resume` directory that holds no such batch (exit 2); runs that failed (exit 1, after the
/// files are written); an interruption (exit 1, after the partial files are written). No
/// output file is ever left half-written.
pub(super) fn run(
    args: &RunArgs,
    command_line: &[String],
    interrupts: &Interrupts,
) -> Result<(), Error> {
    quiet_needs_files(args.quiet, args.out.as_deref(), args.resume.as_deref())?;
    // `--resume DIR` alone: the rest of the batch's description from its manifest.
    let args = &from_batch::resumed_run(args)?;
    let stop = interrupts.watch();
    batch::quiet_worker_panics();
    let started = jiff::Timestamp::now().to_string();
    check_format(args)?;
    let scenario = load_scenario(args.scenario.scenario.as_deref(), &args.scenario.set)?;
    let adaptive = adaptive(args, &scenario)?;
    let plan = plan(args, adaptive.is_some())?;
    let batch = BatchDescription::new(args, &scenario, &plan, command_line, adaptive);
    // Held until the command returns, after every file of the batch is closed.
    let _folder = claim_folder(args.out.as_deref(), args.resume.as_deref(), args.force, &[])?;
    let outputs = open_outputs(&batch, &started)?;
    let (recorded, summary, text) =
        drive_and_write(&batch, outputs, stop).map_err(|e| journal_kept(&batch, e))?;
    if !args.quiet {
        print(&text)?;
    }
    report(&batch, &recorded, &summary)
}

/// The batch from its first run to its files: driven, summarised and written. On an error the
/// outputs are dropped on the way out, which keeps the journal of the runs finished.
fn drive_and_write(
    batch: &BatchDescription<'_>,
    mut outputs: Outputs,
    stop: &Stop,
) -> Result<(Recorded, BatchSummary, String), Error> {
    let recorded = drive(batch, &mut outputs, stop)?;
    let summary = summarise(batch, outputs.builder)?;
    let text = write_outputs(batch, outputs.files, &outputs.history, &recorded, &summary)?;
    Ok((recorded, summary, text))
}

/// A write that failed while the batch ran or published (a full disk, a quota, a file grown
/// too large) is not the user's input: exit 1, with the cause, and — since the journal of the
/// finished runs is kept — the command that continues the batch once the cause is fixed.
fn journal_kept(batch: &BatchDescription<'_>, error: Error) -> Error {
    let Some(dir) = batch.dir else {
        return error;
    };
    let written = matches!(
        error,
        Error::Io { .. } | Error::Output(OutputError::Io { .. })
    );
    if !written || !output::holds_journal(dir) {
        return error;
    }
    Error::WriteFailed {
        cause: Box::new(error),
        next_step: format!(
            "the runs finished before it are kept in {} (its journal); fix the cause (free \
             some space) and continue the batch with: {}",
            dir.display(),
            batch.resume_command(dir)
        ),
    }
}

/// The batch's plan: seed, runs, shard and threads, with a shard that holds no runs refused.
fn plan(args: &RunArgs, adaptive: bool) -> Result<Plan, Error> {
    let plan = Plan {
        seed: args.seed(),
        // An adaptive batch is planned to its cap; it stops at the first checkpoint that
        // meets every target.
        runs: if adaptive {
            args.precision.max_runs()
        } else {
            args.runs()
        },
        shard: args.shard.unwrap_or(Shard::WHOLE),
        threads: args.threads.count(),
    };
    if plan.run_indices().is_empty() {
        return Err(Error::Usage(format!(
            "--shard {} of --runs {} holds no runs; use at most {} shards",
            plan.shard, plan.runs, plan.runs
        )));
    }
    Ok(plan)
}

/// The `--precision` targets bound to the scenario's columns, and the checkpoints up to
/// `--max-runs`; `None` without `--precision`. Checked before anything is written.
fn adaptive(args: &RunArgs, scenario: &Scenario) -> Result<Option<TargetsAndCheckpoints>, Error> {
    if args.precision.targets.is_empty() {
        return Ok(None);
    }
    let schema = OutcomeSchema::for_scenario(scenario);
    let usage = |e: precision::PrecisionError| Error::Usage(e.to_string());
    let targets = args
        .precision
        .targets
        .iter()
        .map(|t| t.bind(&schema).map_err(usage))
        .collect::<Result<Vec<_>, _>>()?;
    let checkpoints = precision::checkpoints(args.precision.max_runs()).map_err(usage)?;
    Ok(Some((targets, checkpoints.collect())))
}

/// Where the batch's results go before it runs: its journal (when it has an output directory),
/// the statistics (with the runs of an interrupted batch already in them), the run it starts
/// from, and when it started and was resumed.
struct Outputs {
    files: Option<BatchFiles>,
    builder: SummaryBuilder,
    first_run: u64,
    history: History,
    /// The targets' half-widths, with `--precision`.
    precision: Option<RunPrecision>,
}

/// When a batch first started, and each time it was resumed since.
struct History {
    started: String,
    resumed: Vec<String>,
}

/// Opens the batch's output: a fresh journal for `--out`, the interrupted batch's for
/// `--resume` (its rows read back into the statistics), nothing without either.
fn open_outputs(batch: &BatchDescription<'_>, started: &str) -> Result<Outputs, Error> {
    let schema = OutcomeSchema::for_scenario(batch.scenario);
    let builder = SummaryBuilder::new(&schema, Some(Arc::new(batch.spill_dir())));
    let mut outputs = Outputs {
        files: None,
        builder,
        first_run: batch.plan.run_indices().start,
        history: History {
            started: started.to_string(),
            resumed: Vec::new(),
        },
        precision: batch
            .adaptive
            .as_ref()
            .map(|(targets, _)| RunPrecision::new(targets.clone())),
    };
    let running = batch.manifest(BatchStatus::Running, &outputs.history, None, None);
    match (batch.args.resume.as_deref(), batch.args.out.as_deref()) {
        (Some(dir), _) => resume_outputs(batch, dir, &schema, &running, &mut outputs)?,
        (None, Some(dir)) => outputs.files = Some(BatchFiles::create(dir, &schema, &running)?),
        (None, None) => {}
    }
    if let (Some(files), Some(hook)) = (outputs.files.as_mut(), kill_at_hook()) {
        files.set_step_hook(hook);
    }
    Ok(outputs)
}

/// Picks up the interrupted batch in `dir`: reads its rows back into the statistics, says on
/// standard error how far it got, and goes on from the next run.
fn resume_outputs(
    batch: &BatchDescription<'_>,
    dir: &Path,
    schema: &OutcomeSchema,
    running: &Manifest,
    outputs: &mut Outputs,
) -> Result<(), Error> {
    let builder = &mut outputs.builder;
    let tracker = &mut outputs.precision;
    let (files, resumed) = BatchFiles::resume(dir, schema, running, &mut |run, row| match row {
        JournalRow::Outcome(outcome) => {
            if let Some(tracker) = tracker.as_mut() {
                tracker.push(&outcome);
            }
            builder.push(&outcome)
        }
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
    let runs = batch.plan.run_indices();
    let _ = writeln!(
        std::io::stderr(),
        "resuming {}: {} of {} runs already done{torn}; going on from run {}",
        dir.display(),
        recovered.rows,
        runs.end - runs.start,
        recovered.next_run
    );
    outputs.first_run = recovered.next_run;
    let now = std::mem::take(&mut outputs.history.started);
    outputs.history = History {
        started: resumed.started,
        resumed: resumed.resumed.into_iter().chain([now]).collect(),
    };
    outputs.files = Some(files);
    Ok(())
}

/// How the runs of a batch went, beyond what the statistics hold.
struct Recorded {
    /// Ctrl-C or SIGTERM stopped the batch before its last run.
    interrupted: bool,
    /// The first failed run, as "run N: why".
    first_failure: Option<String>,
    /// How an adaptive batch went, with `--precision`.
    adaptive: Option<Adaptive>,
}

/// Drives the batch from its first run not yet done: the workers simulate and record each run
/// (its outcome as `runs.csv` holds it and, with files, its row), this thread appends the rows
/// to the journal and feeds the statistics, until the last run or `stop`.
fn drive(
    batch: &BatchDescription<'_>,
    outputs: &mut Outputs,
    stop: &Stop,
) -> Result<Recorded, Error> {
    let (scenario, plan) = (batch.scenario, batch.plan);
    let fail_runs = failing_runs();
    let options = BatchOptions {
        threads: plan.threads,
        stop,
        fail_runs: FailRuns {
            runs: &fail_runs,
            asked_by: FAIL_RUNS_VARIABLE,
        },
    };
    let schema = OutcomeSchema::for_scenario(scenario);
    let recorder = RunRecorder::new(scenario, &schema, plan.seed, outputs.files.is_some());
    let record = |run, result| recorder.record(run, result);
    let mut recording = Recording::new(outputs.files.as_mut(), &mut outputs.builder);
    let (driven, adaptive) = match (&batch.adaptive, outputs.precision.as_mut()) {
        (Some((targets, checkpoints)), Some(tracker)) => {
            let wanted: Vec<f64> = targets.iter().map(|t| t.half_width).collect();
            let tracker = RefCell::new(tracker);
            let first = outputs.first_run;
            let progress = Progress::new(plan.run_indices().end - first, batch.args.quiet);
            // The same replications and recording as a fixed batch, a block at a time, with
            // each outcome also counted towards the targets, in run order.
            let block = |runs: Range<u64>| -> Result<Driven, Error> {
                let done_before = runs.start - first;
                batch::run_replications(
                    scenario,
                    plan.seed,
                    runs,
                    &options,
                    record,
                    |run, recorded| {
                        if let Ok(RecordedRun::Done { outcome, .. }) = &recorded {
                            tracker.borrow_mut().push(outcome);
                        }
                        recording.hand_over::<Error>(run, recorded)
                    },
                    &mut |done| progress.set(done_before + done),
                )
            };
            let a = precision::drive_to_precision(
                first,
                checkpoints.iter().copied(),
                &wanted,
                block,
                || tracker.borrow().half_widths(),
            );
            progress.finish();
            let a = a?;
            (a.driven, Some(a))
        }
        _ => {
            let runs = outputs.first_run..plan.run_indices().end;
            (
                fixed_batch(batch, runs, &options, record, &mut recording)?,
                None,
            )
        }
    };
    Ok(Recorded {
        interrupted: driven.interrupted,
        first_failure: recording.first_failure().map(str::to_string),
        adaptive,
    })
}

/// The runs `runs` of a batch of fixed size through `record_batch`, with its progress shown.
fn fixed_batch(
    batch: &BatchDescription<'_>,
    runs: Range<u64>,
    options: &BatchOptions<'_>,
    record: impl Fn(u64, batch::RunResult) -> Result<RecordedRun<output::RunsRow>, String> + Sync,
    recording: &mut Recording<'_, BatchFiles>,
) -> Result<Driven, Error> {
    let progress = Progress::new(runs.end - runs.start, batch.args.quiet);
    let driven = batch::record_batch(
        batch.scenario,
        batch.plan.seed,
        runs,
        options,
        record,
        recording,
        &mut |done| progress.set(done),
    );
    progress.finish();
    driven
}

/// TEST SEAM, not a feature: the run indices listed in `SANDTABLE_TEST_FAIL_RUNS` (e.g. `3,17`)
/// panic instead of simulating, so that the integration tests can watch a failed replication go
/// through the real binary. Not documented for users; unset, or anything unparsable, fails
/// nothing.
pub(super) fn failing_runs() -> Vec<u64> {
    std::env::var(FAIL_RUNS_VARIABLE)
        .ok()
        .and_then(|list| {
            list.split(',')
                .map(|r| r.trim().parse::<u64>().ok())
                .collect::<Option<Vec<u64>>>()
        })
        .unwrap_or_default()
}

/// TEST SEAM, not a feature: with `SANDTABLE_TEST_KILL_AT` set to a step of the batch's files
/// (`row 12`, `runs published`, … see `BatchFiles::set_step_hook`), the process aborts right
/// after that step, as `kill -9` would stop it there, so that the integration tests can check
/// what an interruption at each step leaves on disk. Unset, nothing happens.
pub(super) fn kill_at_hook() -> Option<StepHook> {
    let at = std::env::var(KILL_AT_VARIABLE).ok()?;
    Some(Box::new(move |step: &str| {
        if step == at {
            std::process::abort();
        }
    }))
}

/// The statistics of every run recorded, the runs read back from an interrupted batch included.
fn summarise(batch: &BatchDescription<'_>, builder: SummaryBuilder) -> Result<BatchSummary, Error> {
    builder.finish().map_err(|e| Error::Io {
        path: batch.spill_dir().dir().display().to_string(),
        source: e,
    })
}

/// The summary table, headed by a word on an interruption; with an output directory, the
/// journal turned into the output files, and the line that lists them.
fn write_outputs(
    batch: &BatchDescription<'_>,
    files: Option<BatchFiles>,
    history: &History,
    recorded: &Recorded,
    summary: &BatchSummary,
) -> Result<String, Error> {
    let mut text = String::new();
    if recorded.interrupted {
        text.push_str(&format!(
            "Interrupted after {} of {} runs: the figures below are over those runs only.\n\n",
            summary.completed_runs(),
            batch.total_runs()
        ));
    }
    // A complete adaptive batch is the fixed batch of the runs it used, and says so.
    let stopped_at = recorded
        .adaptive
        .as_ref()
        .filter(|_| !recorded.interrupted)
        .map(|a| Plan {
            runs: a.driven.next_run,
            ..*batch.plan
        });
    let used = stopped_at.as_ref().map(|plan| {
        BatchDescription::new(batch.args, batch.scenario, plan, batch.command_line, None)
    });
    let described = used.as_ref().unwrap_or(batch);
    let overrides: Vec<String> = batch
        .args
        .scenario
        .set
        .iter()
        .map(|o| o.text.clone())
        .collect();
    text.push_str(&output::render_batch_table(
        batch.scenario,
        described.plan,
        &overrides,
        summary,
    ));
    let precision = recorded.adaptive.as_ref().zip(batch.adaptive.as_ref());
    let precision = precision
        .map(|(a, (targets, _))| PrecisionReport::of(targets, batch.args.precision.max_runs(), a));
    if let Some(report) = &precision {
        text.push_str(&output::render_precision(report));
    }
    if let (Some(files), Some(dir)) = (files, batch.dir) {
        let status = if recorded.interrupted {
            BatchStatus::Partial
        } else {
            BatchStatus::Complete
        };
        let finished = jiff::Timestamp::now().to_string();
        let manifest = described.manifest(status, history, Some(summary), Some(finished));
        let mut written = Vec::new();
        if let Some(report) = &precision {
            written.push(write_precision(dir, report)?);
        }
        written.extend(files.finish(batch.scenario, described.plan, summary, &manifest)?);
        if batch.args.format.contains(&super::RowsFormat::Parquet) {
            written.push(write_parquet(dir, batch.scenario)?);
        }
        text.push_str(&output::render_written(dir, &written));
    }
    Ok(text)
}

/// Refuses `--format parquet` up front where it cannot be honoured: without --out, or in a
/// build without the `parquet` feature (saying how to build one).
fn check_format(args: &RunArgs) -> Result<(), Error> {
    if !args.format.contains(&super::RowsFormat::Parquet) {
        return Ok(());
    }
    if args.out.is_none() && args.resume.is_none() {
        return Err(Error::Usage(
            "--format parquet writes runs.parquet into the --out folder; add --out DIR".into(),
        ));
    }
    if cfg!(feature = "parquet") {
        Ok(())
    } else {
        Err(Error::Usage(
            "--format parquet needs a sandtable built with the parquet feature: \
             cargo build --release --features parquet (or cargo install --path . --features \
             parquet); runs.csv holds the same columns"
                .into(),
        ))
    }
}

/// Writes `runs.parquet` from the finished `runs.csv`.
#[cfg(feature = "parquet")]
pub(super) fn write_parquet(dir: &Path, scenario: &Scenario) -> Result<std::path::PathBuf, Error> {
    Ok(output::write_runs_parquet(dir, scenario)?)
}

/// Without the `parquet` feature `check_format` has refused `--format parquet` already.
#[cfg(not(feature = "parquet"))]
pub(super) fn write_parquet(
    _dir: &Path,
    _scenario: &Scenario,
) -> Result<std::path::PathBuf, Error> {
    Err(Error::Usage(
        "--format parquet needs the parquet feature".into(),
    ))
}

/// Writes `precision.json`, the adaptive batch's report, before the batch's own files (whose
/// manifest is renamed last).
fn write_precision(dir: &Path, report: &PrecisionReport) -> Result<std::path::PathBuf, Error> {
    let path = dir.join("precision.json");
    let io = |e| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    let mut file = AtomicFile::create(&path).map_err(io)?;
    report.write(&mut file).map_err(io)?;
    file.commit().map_err(io)?;
    Ok(path)
}

/// How the batch ended, as the exit code and standard error say it: an interruption (with the
/// command that continues it), failed runs (with where they are written down), or success.
fn report(
    batch: &BatchDescription<'_>,
    recorded: &Recorded,
    summary: &BatchSummary,
) -> Result<(), Error> {
    if recorded.interrupted {
        let next_step = match batch.dir {
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
            total: batch.total_runs(),
            next_step,
        });
    }
    if summary.failed_runs.is_empty() {
        return Ok(());
    }
    let mut details = match batch.dir {
        Some(dir) => format!(
            "their rows in {0}/runs.csv have empty outcomes, and {0}/failures.csv says why. \
             Replay one with `sandtable replay --from {1} --run N`",
            dir.display(),
            output::shell_quote(&dir.display().to_string())
        ),
        None => "they are left out of the figures above. Replay one with `sandtable replay \
                 --run N` and the batch's scenario, --seed and --set"
            .to_string(),
    };
    details.push_str(
        ", and report it: it is a bug (unless the reason is the run's step budget: then the \
         scenario's fights never end, see docs/ERRORS.md).",
    );
    if let Some(first) = &recorded.first_failure {
        let when = if batch.args.resume.is_some() {
            "The first since the batch resumed"
        } else {
            "The first"
        };
        details.push_str(&format!(" {when}: {first}"));
    }
    Err(Error::FailedRuns {
        failed: summary.failed_runs.len() as u64,
        completed: summary.completed_runs(),
        runs: summary.failed_runs.clone(),
        details,
    })
}

/// What makes a batch what it is, for its manifests and commands.
struct BatchDescription<'a> {
    args: &'a RunArgs,
    scenario: &'a Arc<Scenario>,
    plan: &'a Plan,
    command_line: &'a [String],
    /// The output directory: `--resume`'s or `--out`'s.
    dir: Option<&'a Path>,
    identity: BatchIdentity,
    /// The `--precision` targets and checkpoints of an adaptive batch still to stop.
    adaptive: Option<TargetsAndCheckpoints>,
}

impl<'a> BatchDescription<'a> {
    fn new(
        args: &'a RunArgs,
        scenario: &'a Arc<Scenario>,
        plan: &'a Plan,
        command_line: &'a [String],
        adaptive: Option<TargetsAndCheckpoints>,
    ) -> BatchDescription<'a> {
        let overrides = args.scenario.set.iter().map(|o| o.text.clone()).collect();
        BatchDescription {
            args,
            scenario,
            plan,
            command_line,
            dir: args.resume.as_deref().or(args.out.as_deref()),
            identity: BatchIdentity::of(scenario, plan, overrides),
            adaptive,
        }
    }

    /// Where long statistics columns spill: beside the outputs when there are outputs (the user
    /// chose that disk), else the system's temporary directory.
    fn spill_dir(&self) -> SpillDir {
        SpillDir::new(self.dir.map_or_else(std::env::temp_dir, Path::to_path_buf))
    }

    /// The runs of the batch (of its shard, with `--shard`).
    fn total_runs(&self) -> u64 {
        let runs = self.plan.run_indices();
        runs.end - runs.start
    }

    fn resume_command(&self, dir: &Path) -> String {
        let command = self
            .identity
            .resume_command(self.args.scenario.scenario.as_deref(), dir);
        self.adaptive_command(command)
    }

    /// An adaptive batch's command: its targets and cap in place of `--runs` (which
    /// `--precision` replaces).
    fn adaptive_command(&self, command: String) -> String {
        if self.adaptive.is_none() {
            return command;
        }
        let mut command = command.replacen(&format!(" --runs {}", self.plan.runs), "", 1);
        for t in &self.args.precision.targets {
            command.push_str(&format!(" --precision {}", output::shell_quote(&t.text)));
        }
        command.push_str(&format!(" --max-runs {}", self.args.precision.max_runs()));
        command
    }

    /// The manifest of the batch in the state `status`, with what `summary` says of its runs
    /// (none yet while it starts).
    fn manifest(
        &self,
        status: BatchStatus,
        history: &History,
        summary: Option<&BatchSummary>,
        finished: Option<String>,
    ) -> Manifest {
        Manifest {
            identity: self.identity.clone(),
            status,
            completed_runs: summary.map_or(0, BatchSummary::completed_runs),
            failed_runs: summary.map_or_else(Vec::new, |s| s.failed_runs.clone()),
            reproduce: self.adaptive_command(
                self.identity
                    .reproduce_command(self.args.scenario.scenario.as_deref(), self.dir),
            ),
            resume: match (status, self.dir) {
                (BatchStatus::Complete, _) | (_, None) => None,
                (_, Some(dir)) => Some(self.resume_command(dir)),
            },
            threads: self.plan.threads,
            command_line: self.command_line.to_vec(),
            started: history.started.clone(),
            resumed: history.resumed.clone(),
            finished,
            files: Default::default(),
        }
    }
}
