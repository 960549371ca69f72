//! `sandtable sweep`: loads the experiment, prints its design and diagnostics, opens its output
//! folder (or picks up the interrupted sweep there), drives its rows through the one batch
//! driver and journal, writes `points.csv` a point at a time, and ends with the files and a
//! short table of the first points.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::interrupt::Interrupts;
use super::progress::Progress;
use super::run::{FAIL_RUNS_VARIABLE, failing_runs, journal_kept};
use super::{SweepArgs, claim_folder, print};
use crate::batch::sweep::{PointSummaries, SweepColumns, sweep_job};
use crate::batch::{
    self, BatchOptions, BatchSummary, FailRuns, Plan, RecordedRun, Recording, Shard, Stop,
    SummaryBuilder,
};
use crate::error::Error;
use crate::experiment::{self, Experiment};
use crate::output::{
    self, BatchFiles, BatchIdentity, BatchStatus, JournalRow, Manifest, OutputError, PointsCsv,
    SpillDir, SweepDescription, SweepManifest, SweepRecorder, SweepTable, shell_quote,
};
use crate::sim::Outcome;

/// Runs the sweep `args` describes: the pipeline, one named step after the other.
///
/// # Errors
/// An experiment or scenario error (exit 2, at file:line:col), an output folder that cannot be
/// written or a `--resume` folder that holds no such sweep (exit 2); rows that failed (exit 1,
/// after the files are written); an interruption (after the partial files are written).
pub(super) fn sweep(
    args: &SweepArgs,
    command_line: &[String],
    interrupts: &Interrupts,
) -> Result<(), Error> {
    let experiment = experiment::load(&args.experiment)?;
    let sweep = Sweep::new(args, &experiment, command_line)?;
    if !args.quiet {
        print(&output::describe_design(&experiment))?;
    }
    let (stop, started) = (interrupts.watch(), jiff::Timestamp::now().to_string());
    batch::quiet_worker_panics();
    // Held until the command returns, after every file of the sweep is closed.
    let _folder = claim_folder(args.out.as_deref(), args.resume.as_deref(), args.force, &[])?;
    let state = open(&sweep, started)?;
    let (interrupted, first_failure, text, summary) = drive_and_write(&sweep, state, stop)
        .map_err(|e| journal_kept(sweep.dir, &sweep.command("--resume", sweep.dir), e))?;
    if !args.quiet {
        print(&text)?;
    }
    report(&sweep, interrupted, &summary, first_failure)
}

/// The sweep from its first row not yet done to its files. On an error the state is dropped on
/// the way out, which keeps the journal of the rows finished.
fn drive_and_write(
    sweep: &Sweep<'_>,
    mut state: State,
    stop: &Stop,
) -> Result<(bool, Option<String>, String, BatchSummary), Error> {
    let (interrupted, first_failure) = drive(sweep, &mut state, stop)?;
    let (text, summary) = write_outputs(sweep, state, interrupted)?;
    Ok((interrupted, first_failure, text, summary))
}

/// Turns the journal, `points.csv` and the design into the sweep's files, with the manifest
/// that says whether it is complete; returns the table of the first points and the files, and
/// the statistics of every row.
fn write_outputs(
    sweep: &Sweep<'_>,
    state: State,
    interrupted: bool,
) -> Result<(String, BatchSummary), Error> {
    let summary = state.builder.finish().map_err(|e| Error::Io {
        path: sweep.dir.display().to_string(),
        source: e,
    })?;
    let status = if interrupted {
        BatchStatus::Partial
    } else {
        BatchStatus::Complete
    };
    let finished = Some(jiff::Timestamp::now().to_string());
    let manifest = sweep.manifest(status, &state.history, Some(&summary), finished);
    let described = SweepManifest {
        kind: "sweep",
        batch: &manifest,
        experiment: SweepDescription::of(sweep.experiment),
    };
    let failed = !summary.failed_runs.is_empty();
    let written = output::finish_sweep(
        state.files,
        state.points.csv,
        sweep.experiment,
        &sweep.plan.run_indices(),
        (&described, failed),
    )?;
    let mut text = state.points.table.render(sweep.dir);
    text.push_str(&output::render_written(sweep.dir, &written));
    Ok((text, summary))
}

/// What makes a sweep what it is, for its manifests and commands.
struct Sweep<'a> {
    args: &'a SweepArgs,
    experiment: &'a Experiment,
    columns: SweepColumns,
    /// Seed, rows (points × replicates), shard and threads.
    plan: Plan,
    identity: BatchIdentity,
    command_line: &'a [String],
    /// The output folder: `--resume`'s or `--out`'s.
    dir: &'a Path,
}

impl<'a> Sweep<'a> {
    fn new(
        args: &'a SweepArgs,
        experiment: &'a Experiment,
        command_line: &'a [String],
    ) -> Result<Sweep<'a>, Error> {
        let plan = Plan {
            seed: experiment.seed,
            runs: experiment.rows(),
            shard: args.shard.unwrap_or(Shard::WHOLE),
            threads: args.threads.count(),
        };
        if plan.run_indices().is_empty() {
            return Err(Error::Usage(format!(
                "--shard {} of a sweep of {} rows holds no rows; use at most {} shards",
                plan.shard, plan.runs, plan.runs
            )));
        }
        let dir = args
            .resume
            .as_deref()
            .or(args.out.as_deref())
            .ok_or_else(|| Error::Usage("sweep needs --out DIR (or --resume DIR)".into()))?;
        let mut identity = BatchIdentity::of(&experiment.base, &plan, Vec::new());
        identity.experiment_sha256 = Some(experiment.sha256.clone());
        Ok(Sweep {
            args,
            experiment,
            columns: SweepColumns::of(experiment),
            plan,
            identity,
            command_line,
            dir,
        })
    }

    /// `sandtable sweep EXPERIMENT` with its shard, then `option DIR`.
    fn command(&self, option: &str, dir: &Path) -> String {
        let mut words = vec![
            "sandtable".to_string(),
            "sweep".to_string(),
            shell_quote(&self.args.experiment.display().to_string()),
        ];
        if !self.plan.shard.is_whole() {
            words.extend(["--shard".to_string(), self.plan.shard.to_string()]);
        }
        words.extend([option.to_string(), shell_quote(&dir.display().to_string())]);
        words.join(" ")
    }

    /// The batch part of the sweep's manifest in the state `status`.
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
            reproduce: self.command("--out", self.dir),
            resume: (status != BatchStatus::Complete).then(|| self.command("--resume", self.dir)),
            threads: self.plan.threads,
            command_line: self.command_line.to_vec(),
            started: history.started.clone(),
            resumed: history.resumed.clone(),
            finished,
            files: Default::default(),
        }
    }
}

/// When a sweep first started, and each time it was resumed since.
struct History {
    started: String,
    resumed: Vec<String>,
}

/// Where the sweep's results go: its journal, the points' side, the statistics over every row
/// (for the manifest's counts), where the rows start, and when the sweep began.
struct State {
    files: BatchFiles,
    points: Points,
    builder: SummaryBuilder,
    first_row: u64,
    history: History,
}

/// The points' side of a sweep: `points.csv`, the point under way and the table (`merge`
/// recomputes a merged sweep's `points.csv` with it).
pub(super) struct Points {
    pub(super) csv: PointsCsv,
    summaries: PointSummaries,
    table: SweepTable,
}

impl Points {
    /// `points.csv` started in `dir`, no point under way yet.
    pub(super) fn create(
        dir: &Path,
        experiment: &Experiment,
        columns: &SweepColumns,
        spill: Arc<SpillDir>,
    ) -> Result<Points, Error> {
        Ok(Points {
            csv: PointsCsv::create(dir, experiment)?,
            summaries: PointSummaries::new(&columns.outcomes, experiment.replicates, Some(spill)),
            table: SweepTable::default(),
        })
    }

    /// Takes row `row`'s outcomes (`None` when it failed) into the point under way, writing
    /// the previous point when this row begins another.
    pub(super) fn take(
        &mut self,
        experiment: &Experiment,
        row: u64,
        outcome: Option<&Outcome>,
    ) -> Result<(), OutputError> {
        let finished = self
            .summaries
            .push(row, outcome)
            .map_err(OutputError::Internal)?;
        self.write(experiment, finished)
    }

    /// Takes a row read back from a journal (`--resume`, or a shard `merge` reads) into the
    /// batch statistics `builder` and into the point under way.
    pub(super) fn take_journal_row(
        &mut self,
        (experiment, columns): (&Experiment, &SweepColumns),
        builder: &mut SummaryBuilder,
        row: u64,
        journal: JournalRow,
    ) -> Result<(), String> {
        let outcome = match journal {
            JournalRow::Outcome(values) => {
                let outcome = columns.outcome_part(&values);
                builder.push(&outcome)?;
                Some(outcome)
            }
            JournalRow::Failed => {
                builder.fail(row);
                None
            }
        };
        self.take(experiment, row, outcome.as_ref())
            .map_err(|e| e.to_string())
    }

    /// Writes the point under way, if any: at the end of the sweep (or of an interrupted one).
    pub(super) fn finish(&mut self, experiment: &Experiment) -> Result<(), OutputError> {
        let finished = self.summaries.finish().map_err(OutputError::Internal)?;
        self.write(experiment, finished)
    }

    fn write(
        &mut self,
        experiment: &Experiment,
        finished: Option<(u64, BatchSummary)>,
    ) -> Result<(), OutputError> {
        if let Some((point, summary)) = finished {
            self.csv.write(experiment, point, &summary)?;
            self.table.add(experiment, point, &summary);
        }
        Ok(())
    }
}

/// Opens the sweep's folder: a fresh journal and `points.csv` for `--out`; for `--resume`, the
/// interrupted sweep's journal, its rows read back into the statistics and `points.csv`.
fn open(sweep: &Sweep<'_>, started: String) -> Result<State, Error> {
    let spill = Arc::new(SpillDir::new(sweep.dir.to_path_buf()));
    let outcomes = &sweep.columns.outcomes;
    let mut builder = SummaryBuilder::new(outcomes, Some(spill.clone()));
    let mut points = Points::create(sweep.dir, sweep.experiment, &sweep.columns, spill)?;
    let history = History {
        started,
        resumed: Vec::new(),
    };
    let running = sweep.manifest(BatchStatus::Running, &history, None, None);
    let keys = (output::sweep_keys(sweep.experiment), &sweep.columns.all);
    if sweep.args.resume.is_none() {
        return Ok(State {
            files: BatchFiles::create_with_keys(sweep.dir, keys.0, keys.1, &running)?,
            points,
            builder,
            first_row: sweep.plan.run_indices().start,
            history,
        });
    }
    let experiment = sweep.experiment;
    let (files, resumed) =
        BatchFiles::resume_with_keys(sweep.dir, keys, &running, &mut |row, journal| {
            points.take_journal_row((experiment, &sweep.columns), &mut builder, row, journal)
        })?;
    let recovered = resumed.recovered;
    let rows = sweep.plan.run_indices();
    let _ = writeln!(
        std::io::stderr(),
        "resuming {}: {} of {} rows already done; going on from row {}",
        sweep.dir.display(),
        recovered.rows,
        rows.end - rows.start,
        recovered.next_run
    );
    Ok(State {
        files,
        points,
        builder,
        first_row: recovered.next_run,
        history: History {
            started: resumed.started,
            resumed: resumed
                .resumed
                .into_iter()
                .chain([history.started])
                .collect(),
        },
    })
}

/// Drives the sweep from its first row not yet done: the workers simulate and record each row,
/// this thread appends it to the journal and feeds the statistics and the point under way,
/// until the last row or `stop`. Returns whether it was interrupted, and the first failure.
fn drive(
    sweep: &Sweep<'_>,
    state: &mut State,
    stop: &Stop,
) -> Result<(bool, Option<String>), Error> {
    let fail_runs = failing_runs();
    let options = BatchOptions {
        threads: sweep.plan.threads,
        stop,
        fail_runs: FailRuns {
            runs: &fail_runs,
            asked_by: FAIL_RUNS_VARIABLE,
        },
    };
    let experiment = sweep.experiment;
    let recorder = SweepRecorder::new(experiment, &sweep.columns);
    let rows = state.first_row..sweep.plan.run_indices().end;
    let progress = Progress::new(rows.end - rows.start, sweep.args.quiet);
    let points = &mut state.points;
    let mut recording = Recording::new(Some(&mut state.files), &mut state.builder);
    let job = sweep_job(experiment, &options);
    let driven = batch::drive(
        rows,
        options.threads,
        stop,
        |row| recorder.record(row, job(row)),
        |row, recorded| {
            let outcome = match &recorded {
                Ok(RecordedRun::Done { outcome, .. }) => Some(outcome.clone()),
                _ => None,
            };
            recording.hand_over::<Error>(row, recorded)?;
            points
                .take(experiment, row, outcome.as_ref())
                .map_err(Error::from)
        },
        &mut |done| progress.set(done),
    )?;
    progress.finish();
    let first_failure = recording.first_failure().map(str::to_string);
    points.finish(experiment)?;
    Ok((driven.interrupted, first_failure))
}

/// How the sweep ended, as the exit code and standard error say it: an interruption (with the
/// command that continues it), failed rows (with where they are written down), or success.
fn report(
    sweep: &Sweep<'_>,
    interrupted: bool,
    summary: &BatchSummary,
    first_failure: Option<String>,
) -> Result<(), Error> {
    if interrupted {
        let rows = sweep.plan.run_indices();
        return Err(Error::Interrupted {
            completed: summary.completed_runs(),
            total: rows.end - rows.start,
            next_step: format!(
                "the finished rows are in {} (its manifest.json says \"partial\"); continue the \
                 sweep with: {}",
                sweep.dir.display(),
                sweep.command("--resume", sweep.dir)
            ),
        });
    }
    if summary.failed_runs.is_empty() {
        return Ok(());
    }
    let mut details = format!(
        "their rows in {0}/runs.csv have empty outcomes, and {0}/failures.csv says why (by row, \
         from 0). Replay one with `sandtable replay --run R --seed S` and the point's settings \
         as --set, and report it: it is a bug.",
        sweep.dir.display()
    );
    if let Some(first) = first_failure {
        details.push_str(&format!(" The first: {first}"));
    }
    Err(Error::FailedRuns {
        failed: summary.failed_runs.len() as u64,
        completed: summary.completed_runs(),
        runs: summary.failed_runs.clone(),
        details,
    })
}
