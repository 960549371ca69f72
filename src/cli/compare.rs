//! `sandtable compare`: loads the base, the other scenarios and the `--alt` alternatives, runs
//! them all in one pass of the batch driver on the same seed and run indices (common random
//! numbers), and prints each outcome's paired difference from the base. With `--out`, each
//! scenario's `run` output goes in its own subfolder, beside `comparison.csv`/`.json`.

use std::cell::RefCell;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use super::interrupt::Interrupts;
use super::progress::Progress;
use super::{CompareArgs, claim_folder, from_batch, load_scenario, print, quiet_needs_files};
use crate::batch::comparison::{ComparisonBuilder, record_comparison};
use crate::batch::precision::{self, Adaptive, Target, TargetsAndCheckpoints};
use crate::batch::{
    self, BatchOptions, BatchSummary, Driven, FailRuns, Plan, Recording, Shard, Stop,
    SummaryBuilder,
};
use crate::error::Error;
use crate::output::{
    self, BatchFiles, BatchIdentity, BatchStatus, CompareManifest, ComparedScenario,
    ComparisonFile, Engine, JournalRow, Manifest, PrecisionReport, RunRecorder, SpillDir,
    shell_quote,
};
use crate::scenario::{Override, Scenario};
use crate::sim::{Outcome, OutcomeSchema};

/// One `--alt NAME:KEY=VALUE`: an override of the alternative NAME.
#[derive(Debug, Clone, PartialEq)]
pub struct AltOverride {
    /// The alternative's name, `[a-z0-9_-]+`: its subfolder and its rows.
    pub name: String,
    /// The override.
    pub set: Override,
    /// As written, for the manifest.
    pub text: String,
}

impl FromStr for AltOverride {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, set) = text.split_once(':').ok_or_else(|| {
            format!("'{text}' is not NAME:KEY=VALUE (e.g. fewer:convoy.kidal_column.vehicles=60)")
        })?;
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c);
        if name.is_empty() || !name.chars().all(valid) {
            return Err(format!(
                "'{name}' is not an alternative's name: use lower-case letters, digits, '_' and \
                 '-' (e.g. fewer:convoy.kidal_column.vehicles=60)"
            ));
        }
        Ok(AltOverride {
            name: name.to_string(),
            set: set.parse()?,
            text: text.to_string(),
        })
    }
}

/// One scenario of the comparison, loaded.
struct Entry {
    /// Its subfolder's name and its rows' `scenario`.
    name: String,
    /// Its file (for an alternative, the base's); `None` for the embedded default.
    path: Option<PathBuf>,
    scenario: Arc<Scenario>,
    schema: OutcomeSchema,
    /// The `--alt` NAME that built it.
    alt: Option<String>,
    /// Every override applied: the global `--set`s, then the alternative's.
    overrides: Vec<Override>,
}

impl Entry {
    fn load(
        path: Option<&Path>,
        overrides: Vec<Override>,
        alt: Option<&str>,
    ) -> Result<Entry, Error> {
        let scenario = load_scenario(path, &overrides)?;
        Ok(Entry {
            name: alt.map_or_else(|| scenario.name.clone(), str::to_string),
            path: path.map(Path::to_path_buf),
            schema: OutcomeSchema::for_scenario(&scenario),
            scenario,
            alt: alt.map(str::to_string),
            overrides,
        })
    }

    fn override_texts(&self) -> Vec<String> {
        self.overrides.iter().map(|o| o.text.clone()).collect()
    }
}

/// Runs the comparison `args` describes: the pipeline, one named step after the other.
///
/// # Errors
/// Bad input, before anything is written (exit 2); runs that failed (exit 1, after the files
/// are written); an interruption (exit 1, after the partial files are written).
pub(super) fn compare(
    args: &CompareArgs,
    command_line: &[String],
    interrupts: &Interrupts,
) -> Result<(), Error> {
    quiet_needs_files(args.quiet, args.out.as_deref(), args.resume.as_deref())?;
    // `--resume DIR` alone: the rest of the comparison's description from its manifest.
    let args = &from_batch::resumed_compare(args)?;
    let stop = interrupts.watch();
    batch::quiet_worker_panics();
    let started = jiff::Timestamp::now().to_string();
    let study = Study::new(args, command_line, load_entries(args)?)?;
    let names = study.names();
    let subfolders: Vec<&str> = names.iter().map(String::as_str).collect();
    // Held until the command returns, after every file of the comparison is closed.
    let _folder = claim_folder(
        args.out.as_deref(),
        args.resume.as_deref(),
        args.force,
        &subfolders,
    )?;
    let mut outputs = open_outputs(&study, &started)?;
    let recorded = drive(&study, &mut outputs, stop)?;
    let (text, failures) = finish(&study, outputs, &recorded)?;
    if !args.quiet {
        print(&text)?;
    }
    report(&study, &recorded, failures)
}

/// The base (the first file, or the embedded default), the other files, then the alternatives
/// in the order their names first appear, each named; two with one name are refused.
fn load_entries(args: &CompareArgs) -> Result<Vec<Entry>, Error> {
    let (base, others) = match args.scenarios.split_first() {
        Some((base, others)) => (Some(base.as_path()), others),
        None => (None, &[][..]),
    };
    let mut entries = vec![Entry::load(base, args.set.clone(), None)?];
    for path in others {
        entries.push(Entry::load(Some(path), args.set.clone(), None)?);
    }
    let mut names: Vec<&str> = Vec::new();
    for alt in &args.alt {
        if !names.contains(&alt.name.as_str()) {
            names.push(&alt.name);
        }
    }
    for name in names {
        let mut overrides = args.set.clone();
        overrides.extend(
            args.alt
                .iter()
                .filter(|a| a.name == name)
                .map(|a| a.set.clone()),
        );
        // The scenario's error says "--set"; name the alternative the user wrote.
        let entry = Entry::load(base, overrides, Some(name)).map_err(|e| match e {
            Error::Scenario(e) => Error::Usage(format!("--alt {name}: {e}")),
            other => other,
        })?;
        entries.push(entry);
    }
    if entries.len() < 2 {
        return Err(Error::Usage(
            "compare needs something to compare with the base: give OTHER scenario files after \
             it, or --alt NAME:KEY=VALUE (e.g. --alt fewer:convoy.kidal_column.vehicles=60)"
                .to_string(),
        ));
    }
    for (i, a) in entries.iter().enumerate() {
        if let Some(b) = entries[..i].iter().find(|b| b.name == a.name) {
            return Err(Error::Usage(format!(
                "two scenarios are named {:?} ({} and {}): each needs its own name for its \
                 subfolder and rows; change `name` in one file, or give the --alt another NAME",
                a.name,
                b.scenario.origin,
                a.alt
                    .as_ref()
                    .map_or(a.scenario.origin.as_str(), |_| "an --alt")
            )));
        }
    }
    Ok(entries)
}

/// What makes the comparison what it is: its scenarios, plan, targets and output directory.
struct Study<'a> {
    args: &'a CompareArgs,
    command_line: &'a [String],
    entries: Vec<Entry>,
    plan: Plan,
    /// The `--precision` targets bound to the base's columns, and the checkpoints.
    adaptive: Option<TargetsAndCheckpoints>,
    dir: Option<&'a Path>,
}

impl<'a> Study<'a> {
    fn new(
        args: &'a CompareArgs,
        command_line: &'a [String],
        entries: Vec<Entry>,
    ) -> Result<Study<'a>, Error> {
        let comparison = shared_outcomes(&entries)?;
        let targets = &args.precision.targets;
        let adaptive = if targets.is_empty() {
            None
        } else {
            let bound = targets
                .iter()
                .map(|t| bind_target(t, &entries[0].schema, &comparison))
                .collect::<Result<Vec<_>, _>>()?;
            let checkpoints = precision::checkpoints(args.precision.max_runs())
                .map_err(|e| Error::Usage(e.to_string()))?;
            Some((bound, checkpoints.collect()))
        };
        let plan = Plan {
            seed: args.seed(),
            runs: if adaptive.is_some() {
                args.precision.max_runs()
            } else {
                args.runs()
            },
            shard: Shard::WHOLE,
            threads: args.threads.count(),
        };
        Ok(Study {
            args,
            command_line,
            entries,
            plan,
            adaptive,
            dir: args.resume.as_deref().or(args.out.as_deref()),
        })
    }

    fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.clone()).collect()
    }

    fn scenario_dir(&self, k: usize) -> Option<PathBuf> {
        self.dir.map(|d| d.join(&self.entries[k].name))
    }

    /// `sandtable compare …` with what makes the comparison, and then `tail`.
    fn command(&self, tail: &[&str], dir: Option<&Path>) -> String {
        let mut words = vec!["sandtable".to_string(), "compare".to_string()];
        words.extend(
            self.args
                .scenarios
                .iter()
                .map(|p| shell_quote(&p.display().to_string())),
        );
        match &self.adaptive {
            None => words.extend(["--runs".to_string(), self.args.runs().to_string()]),
            Some(_) => {
                for t in &self.args.precision.targets {
                    words.extend(["--precision".to_string(), shell_quote(&t.text)]);
                }
                words.extend([
                    "--max-runs".to_string(),
                    self.args.precision.max_runs().to_string(),
                ]);
            }
        }
        words.extend(["--seed".to_string(), self.args.seed().to_string()]);
        for o in &self.args.set {
            words.extend(["--set".to_string(), shell_quote(&o.text)]);
        }
        for a in &self.args.alt {
            words.extend(["--alt".to_string(), shell_quote(&a.text)]);
        }
        if let Some(dir) = dir {
            words.extend(tail.iter().map(|s| s.to_string()));
            words.push(shell_quote(&dir.display().to_string()));
        }
        words.join(" ")
    }

    /// The `run` manifest of scenario `k`'s subfolder: its own batch, as `sandtable run` of it
    /// would describe it (so the folder is a `run` output), resumed through the comparison.
    fn scenario_manifest(&self, k: usize, state: &State<'_>, plan: &Plan) -> Manifest {
        let e = &self.entries[k];
        let identity = BatchIdentity::of(&e.scenario, plan, e.override_texts());
        let dir = self.scenario_dir(k);
        // An adaptive batch that has not stopped yet is reproduced by the comparison only.
        let reproduce = if self.adaptive.is_some() && state.status != BatchStatus::Complete {
            self.command(&["--out"], self.dir)
        } else {
            identity.reproduce_command(e.path.as_deref(), dir.as_deref())
        };
        Manifest {
            identity,
            status: state.status,
            completed_runs: state.summaries.map_or(0, |s| s[k].completed_runs()),
            failed_runs: state
                .summaries
                .map_or_else(Vec::new, |s| s[k].failed_runs.clone()),
            reproduce,
            resume: (state.status != BatchStatus::Complete)
                .then(|| self.command(&["--resume"], self.dir))
                .filter(|_| self.dir.is_some()),
            threads: plan.threads,
            command_line: self.command_line.to_vec(),
            started: state.history.started.clone(),
            resumed: state.history.resumed.clone(),
            finished: state.finished.clone(),
            files: Default::default(),
        }
    }

    fn compared_scenarios(&self, summaries: &[BatchSummary]) -> Vec<ComparedScenario> {
        self.entries
            .iter()
            .zip(summaries)
            .map(|(e, s)| ComparedScenario {
                name: e.name.clone(),
                title: e.scenario.title.clone(),
                origin: e.scenario.origin.clone(),
                sha256: e.scenario.sha256(),
                alt: e.alt.clone(),
                overrides: e.override_texts(),
                failed_runs: s.failed_runs.clone(),
            })
            .collect()
    }
}

/// A comparison's state for its manifests: status, history, the summaries once there are.
struct State<'s> {
    status: BatchStatus,
    history: &'s History,
    summaries: Option<&'s [BatchSummary]>,
    finished: Option<String>,
}

/// The outcomes every scenario has; none in common is the user's mistake.
fn shared_outcomes(entries: &[Entry]) -> Result<ComparisonBuilder, Error> {
    let schemas: Vec<OutcomeSchema> = entries.iter().map(|e| e.schema.clone()).collect();
    let comparison = ComparisonBuilder::new(&schemas);
    if comparison.compared.is_empty() {
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "the scenarios {} have no outcome in common, so there is nothing to compare; compare \
             variants of one scenario (files that `extends` the same base, or --alt)",
            names.join(", ")
        )));
    }
    Ok(comparison)
}

/// A `--precision` target bound to the base's columns, and compared in every scenario.
fn bind_target(
    target: &precision::PrecisionTarget,
    base: &OutcomeSchema,
    comparison: &ComparisonBuilder,
) -> Result<Target, Error> {
    let bound = target.bind(base).map_err(|e| Error::Usage(e.to_string()))?;
    let compared = comparison
        .compared
        .iter()
        .any(|x| x.outcome == target.outcome && x.category == target.category);
    if !compared {
        return Err(Error::Usage(format!(
            "--precision {target}: {} is not an outcome of every scenario compared (left out: {})",
            bound.label,
            comparison.not_shared.join(", ")
        )));
    }
    Ok(bound)
}

/// When the comparison first started, and each time it was resumed since.
struct History {
    started: String,
    resumed: Vec<String>,
}

/// Where the runs go: each scenario's journal and statistics, the paired statistics, the run
/// each journal has reached, and the run the pass starts from.
struct Outputs {
    files: Vec<Option<BatchFiles>>,
    builders: Vec<SummaryBuilder>,
    comparison: ComparisonBuilder,
    recorded_up_to: Vec<u64>,
    first_run: u64,
    history: History,
}

/// Opens the subfolders: fresh journals for `--out`, the interrupted ones for `--resume` (read
/// back into the statistics), nothing without either.
fn open_outputs(study: &Study<'_>, started: &str) -> Result<Outputs, Error> {
    let spill = Arc::new(SpillDir::new(
        study.dir.map_or_else(std::env::temp_dir, Path::to_path_buf),
    ));
    let mut outputs = Outputs {
        files: study.entries.iter().map(|_| None).collect(),
        builders: study
            .entries
            .iter()
            .map(|e| SummaryBuilder::new(&e.schema, Some(spill.clone())))
            .collect(),
        comparison: shared_outcomes(&study.entries)?,
        recorded_up_to: vec![0; study.entries.len()],
        first_run: 0,
        history: History {
            started: started.to_string(),
            resumed: Vec::new(),
        },
    };
    match (study.args.resume.as_deref(), study.args.out.as_deref()) {
        (Some(dir), _) => resume_outputs(study, dir, &mut outputs)?,
        (None, Some(_)) => {
            let state = running(&outputs.history);
            for k in 0..study.entries.len() {
                let manifest = study.scenario_manifest(k, &state, &study.plan);
                let dir = study.scenario_dir(k).unwrap_or_default();
                outputs.files[k] = Some(BatchFiles::create(
                    &dir,
                    &study.entries[k].schema,
                    &manifest,
                )?);
            }
        }
        (None, None) => {}
    }
    Ok(outputs)
}

fn running(history: &History) -> State<'_> {
    State {
        status: BatchStatus::Running,
        history,
        summaries: None,
        finished: None,
    }
}

/// Picks up every subfolder of the interrupted comparison in `dir` (each must be the same batch
/// as this command's), and goes on from the smallest run any of them reached: the runs below it
/// go into the paired statistics from the rows read back.
fn resume_outputs(study: &Study<'_>, dir: &Path, outputs: &mut Outputs) -> Result<(), Error> {
    let mut read_back: Vec<Vec<Option<Outcome>>> = Vec::new();
    let now = outputs.history.started.clone();
    for k in 0..study.entries.len() {
        let state = running(&outputs.history);
        let manifest = study.scenario_manifest(k, &state, &study.plan);
        let builder = &mut outputs.builders[k];
        let mut rows = Vec::new();
        let sub = dir.join(&study.entries[k].name);
        let (files, resumed) = BatchFiles::resume(
            &sub,
            &study.entries[k].schema,
            &manifest,
            &mut |run, row| match row {
                JournalRow::Outcome(outcome) => {
                    rows.push(Some(outcome.clone()));
                    builder.push(&outcome)
                }
                JournalRow::Failed => {
                    rows.push(None);
                    builder.fail(run);
                    Ok(())
                }
            },
        )?;
        outputs.recorded_up_to[k] = resumed.recovered.next_run;
        if k == 0 {
            outputs.history = History {
                started: resumed.started,
                resumed: resumed.resumed.into_iter().chain([now.clone()]).collect(),
            };
        }
        outputs.files[k] = Some(files);
        read_back.push(rows);
    }
    outputs.first_run = outputs.recorded_up_to.iter().copied().min().unwrap_or(0);
    for run in 0..outputs.first_run as usize {
        let outcomes: Vec<Option<&Outcome>> = read_back.iter().map(|r| r[run].as_ref()).collect();
        outputs.comparison.push(&outcomes);
    }
    let _ = writeln!(
        std::io::stderr(),
        "resuming {}: {} of {} runs of every scenario already done; going on from run {}",
        dir.display(),
        outputs.first_run,
        study.plan.runs,
        outputs.first_run
    );
    Ok(())
}

/// How the pass went, beyond what the statistics hold.
struct Recorded {
    interrupted: bool,
    /// Each scenario's first failed run, as "run N: why".
    first_failures: Vec<Option<String>>,
    adaptive: Option<Adaptive>,
}

/// Drives every scenario together from the first run not yet done, in one pass of the driver
/// (block by block to the first checkpoint that meets every `--precision` target).
fn drive(study: &Study<'_>, outputs: &mut Outputs, stop: &Stop) -> Result<Recorded, Error> {
    let fail_runs = super::run::failing_runs();
    let options = BatchOptions {
        threads: study.plan.threads,
        stop,
        fail_runs: FailRuns {
            runs: &fail_runs,
            asked_by: super::run::FAIL_RUNS_VARIABLE,
        },
    };
    let with_rows = outputs.files.iter().any(Option::is_some);
    let recorders: Vec<RunRecorder<'_>> = study
        .entries
        .iter()
        .map(|e| RunRecorder::new(&e.scenario, &e.schema, study.plan.seed, with_rows))
        .collect();
    let scenarios: Vec<Arc<Scenario>> = study.entries.iter().map(|e| e.scenario.clone()).collect();
    let comparison = RefCell::new(&mut outputs.comparison);
    let mut recordings: Vec<Recording<'_, BatchFiles>> = outputs
        .files
        .iter_mut()
        .zip(outputs.builders.iter_mut())
        .map(|(f, b)| Recording::new(f.as_mut(), b))
        .collect();
    let up_to = &outputs.recorded_up_to;
    let first = outputs.first_run;
    let progress = Progress::new(study.plan.runs - first, study.args.quiet);
    let mut block = |runs: Range<u64>| -> Result<Driven, Error> {
        let done_before = runs.start - first;
        record_comparison(
            &scenarios,
            study.plan.seed,
            runs,
            &options,
            |k, run, result| recorders[k].record(run, result),
            &mut recordings,
            up_to,
            &mut comparison.borrow_mut(),
            &mut |done| progress.set(done_before + done),
        )
    };
    let (driven, adaptive) = match &study.adaptive {
        None => {
            let driven = block(first..study.plan.runs);
            progress.finish();
            (driven?, None)
        }
        Some((targets, checkpoints)) => {
            let wanted: Vec<f64> = targets.iter().map(|t| t.half_width).collect();
            let half_widths = || {
                let c = comparison.borrow();
                study
                    .args
                    .precision
                    .targets
                    .iter()
                    .map(|t| c.half_width(&t.outcome, t.category.as_deref()))
                    .collect()
            };
            let a = precision::drive_to_precision(
                first,
                checkpoints.iter().copied(),
                &wanted,
                &mut block,
                half_widths,
            );
            progress.finish();
            let a = a?;
            (a.driven, Some(a))
        }
    };
    Ok(Recorded {
        interrupted: driven.interrupted,
        first_failures: recordings
            .iter()
            .map(|r| r.first_failure().map(str::to_string))
            .collect(),
        adaptive,
    })
}

/// Summarises every scenario, renders the comparison and, with an output directory, writes each
/// subfolder's files and then the comparison's. Returns the text and the failed runs.
fn finish(
    study: &Study<'_>,
    outputs: Outputs,
    recorded: &Recorded,
) -> Result<(String, Vec<BatchSummary>), Error> {
    let spill = study.dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let summaries = outputs
        .builders
        .into_iter()
        .map(|b| b.finish())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Io {
            path: spill.display().to_string(),
            source: e,
        })?;
    let status = if recorded.interrupted {
        BatchStatus::Partial
    } else {
        BatchStatus::Complete
    };
    // A complete adaptive comparison is the fixed comparison of the runs it used.
    let mut plan = study.plan;
    if let (Some(a), false) = (&recorded.adaptive, recorded.interrupted) {
        plan.runs = a.driven.next_run;
    }
    let precision = recorded
        .adaptive
        .as_ref()
        .zip(study.adaptive.as_ref())
        .map(|(a, (targets, _))| PrecisionReport::of(targets, study.args.precision.max_runs(), a));
    let file = ComparisonFile {
        engine: Engine::current(),
        status,
        seed: plan.seed,
        runs: summaries[0].completed_runs(),
        base: study.entries[0].name.clone(),
        scenarios: study.compared_scenarios(&summaries),
        not_shared: outputs.comparison.not_shared.clone(),
        precision,
        rows: output::comparison_rows(&outputs.comparison, &study.names(), &summaries[0]),
    };
    let mut text = String::new();
    if recorded.interrupted {
        text.push_str(&format!(
            "Interrupted after {} runs of every scenario: the figures below are over those runs only.\n\n",
            file.runs
        ));
    }
    text.push_str(&output::render_comparison_table(
        &file,
        &study.entries[0].scenario,
    ));
    if let Some(dir) = study.dir {
        let state = State {
            status,
            history: &outputs.history,
            summaries: Some(&summaries),
            finished: Some(jiff::Timestamp::now().to_string()),
        };
        for (k, files) in outputs.files.into_iter().enumerate() {
            if let Some(files) = files {
                let manifest = study.scenario_manifest(k, &state, &plan);
                files.finish(&study.entries[k].scenario, &plan, &summaries[k], &manifest)?;
            }
        }
        let manifest = compare_manifest(study, &state, &file);
        let written = output::write_comparison(dir, &file, &manifest)?;
        text.push_str(&output::render_written(dir, &written));
        let names: Vec<String> = study.names().iter().map(|n| format!("{n}/")).collect();
        text.push_str(&format!(
            "and each scenario's run output in {}\n",
            names.join(", ")
        ));
    }
    Ok((text, summaries))
}

/// The comparison's own `manifest.json`.
fn compare_manifest(
    study: &Study<'_>,
    state: &State<'_>,
    file: &ComparisonFile,
) -> CompareManifest {
    CompareManifest {
        engine: Engine::current(),
        command: "compare".to_string(),
        seed: study.plan.seed,
        runs: study.plan.runs,
        status: state.status,
        completed_runs: file.runs,
        scenarios: file.scenarios.clone(),
        overrides: study.args.set.iter().map(|o| o.text.clone()).collect(),
        alts: study.args.alt.iter().map(|a| a.text.clone()).collect(),
        precision: study
            .args
            .precision
            .targets
            .iter()
            .map(|t| t.text.clone())
            .collect(),
        threads: study.plan.threads,
        command_line: study.command_line.to_vec(),
        started: state.history.started.clone(),
        resumed: state.history.resumed.clone(),
        finished: state.finished.clone(),
        reproduce: study.command(&["--out"], study.dir),
        resume: (state.status != BatchStatus::Complete)
            .then(|| study.command(&["--resume"], study.dir))
            .filter(|_| study.dir.is_some()),
    }
}

/// How the comparison ended, as the exit code and standard error say it.
fn report(
    study: &Study<'_>,
    recorded: &Recorded,
    summaries: Vec<BatchSummary>,
) -> Result<(), Error> {
    let completed = summaries[0].completed_runs();
    if recorded.interrupted {
        let next_step = match study.dir {
            Some(dir) => format!(
                "the finished runs are in {}; continue the comparison with: {}",
                dir.display(),
                study.command(&["--resume"], Some(dir))
            ),
            None => "nothing was written; give --out DIR to keep the finished runs and continue \
                     later with --resume DIR"
                .to_string(),
        };
        return Err(Error::Interrupted {
            completed,
            total: study.plan.runs,
            next_step,
        });
    }
    let mut runs: Vec<u64> = summaries
        .iter()
        .flat_map(|s| s.failed_runs.iter().copied())
        .collect();
    if runs.is_empty() {
        return Ok(());
    }
    runs.sort_unstable();
    runs.dedup();
    let mut details = String::from(
        "each failed run is left out of its scenario's figures and of the pairs it is in",
    );
    if study.dir.is_some() {
        details.push_str("; each subfolder's failures.csv says why");
    }
    for (entry, first) in study.entries.iter().zip(&recorded.first_failures) {
        if let Some(first) = first {
            details.push_str(&format!(". {}: {first}", entry.name));
        }
    }
    Err(Error::FailedRuns {
        failed: summaries.iter().map(|s| s.failed_runs.len() as u64).sum(),
        completed: completed * summaries.len() as u64,
        runs,
        details,
    })
}
