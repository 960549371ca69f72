//! `sandtable merge`: the shards of a batch (`run` or `sweep --shard K/N --out DIR`) put
//! together into the files the whole batch would have written. The shards are checked to be one batch's, each
//! whole; their rows are copied in run order into the merged folder's journal and read once into
//! the same statistics a batch feeds, so the summaries come out byte for byte the unsharded
//! batch's; the folder is published like a batch's (manifest last, with its files' hashes).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::sweep::Points;
use super::{MergeArgs, claim_folder, print};
use crate::batch::sweep::SweepColumns;
use crate::batch::{BatchSummary, Plan, Shard, SummaryBuilder};
use crate::error::Error;
use crate::experiment::{self, Experiment};
use crate::output::{
    self, BatchFiles, BatchIdentity, BatchStatus, JournalRow, Manifest, RowKeys, ShardInfo,
    ShardSet, SpillDir, SweepDescription, SweepManifest, shell_quote,
};
use crate::scenario::{self, EMBEDDED_ORIGIN, Scenario};
use crate::sim::OutcomeSchema;

/// Merges the shard folders `args` names into `args.out`.
///
/// # Errors
/// Folders that are not the whole shards of one batch, or a shard missing without
/// `--allow-partial` (exit 2, naming the folder); an output folder that cannot be written.
pub(super) fn merge(args: &MergeArgs, command_line: &[String]) -> Result<(), Error> {
    let shards = output::read_shards(&args.shards, args.allow_partial)?;
    let first = &shards.shards[0];
    let plan = Plan {
        seed: first.manifest.identity.seed,
        runs: first.manifest.identity.runs,
        shard: Shard::WHOLE,
        threads: first.manifest.threads,
    };
    let experiment = match &first.experiment_file {
        Some(file) => Some(sweep_experiment(file, &first.manifest)?),
        None => None,
    };
    if first.parquet && !cfg!(feature = "parquet") {
        return Err(Error::Usage(format!(
            "{}: the shards hold runs.parquet, which the merged folder must hold too; merge \
             with a sandtable built with the parquet feature (cargo build --release --features \
             parquet)",
            first.dir.display()
        )));
    }
    let _folder = claim_folder(Some(&args.out), None, args.force, &[])?;
    let mut manifest = merged_manifest(&shards, &plan, &args.out, command_line);
    let (written, summary) = match &experiment {
        None => merge_run(args, &shards, &plan, &mut manifest)?,
        Some(experiment) => {
            let file = first.experiment_file.as_deref().unwrap_or(&experiment.file);
            manifest.reproduce = format!(
                "sandtable sweep {} --out {}",
                shell_quote(&file.display().to_string()),
                shell_quote(&args.out.display().to_string())
            );
            merge_sweep(args, &shards, experiment, &mut manifest)?
        }
    };
    print(&output::render_written(&args.out, &written))?;
    say_missing(&shards, &summary);
    Ok(())
}

/// Merges the shards of a `run` batch: the rows into the journal and the statistics, then the
/// batch's files.
fn merge_run(
    args: &MergeArgs,
    shards: &ShardSet,
    plan: &Plan,
    manifest: &mut Manifest,
) -> Result<(Vec<PathBuf>, BatchSummary), Error> {
    let first = &shards.shards[0];
    let scenario = shard_scenario(&first.dir, &first.manifest)?;
    let schema = OutcomeSchema::for_scenario(&scenario);
    let mut files = BatchFiles::create(&args.out, &schema, manifest)?;
    let spill = SpillDir::new(args.out.clone());
    let mut builder = SummaryBuilder::new(&schema, Some(Arc::new(spill)));
    let merged = output::merge_rows(
        shards,
        (RowKeys::Run, &schema),
        &mut files,
        &mut |run, row| match row {
            JournalRow::Outcome(outcome) => builder.push(&outcome),
            JournalRow::Failed => {
                builder.fail(run);
                Ok(())
            }
        },
    );
    if let Err(e) = merged {
        // Nothing of a refused merge is kept: the shards are still there to merge again.
        files.discard();
        return Err(e.into());
    }
    let summary = finish_statistics(builder, &args.out)?;
    complete(manifest, shards, &summary);
    let mut written = files.finish(&scenario, plan, &summary, manifest)?;
    // As `run --format csv,parquet` writes it: from the finished runs.csv.
    if first.parquet {
        written.push(super::run::write_parquet(&args.out, &scenario)?);
    }
    Ok((written, summary))
}

/// Merges the shards of a sweep: the rows into the journal, the statistics and each point's
/// (a point may straddle two shards), then `design.csv` of every point and the sweep's files.
fn merge_sweep(
    args: &MergeArgs,
    shards: &ShardSet,
    experiment: &Experiment,
    manifest: &mut Manifest,
) -> Result<(Vec<PathBuf>, BatchSummary), Error> {
    let columns = SweepColumns::of(experiment);
    let keys = output::sweep_keys(experiment);
    let mut files = BatchFiles::create_with_keys(&args.out, keys, &columns.all, manifest)?;
    let spill = Arc::new(SpillDir::new(args.out.clone()));
    let mut builder = SummaryBuilder::new(&columns.outcomes, Some(spill.clone()));
    let mut points = Points::create(&args.out, experiment, &columns, spill)?;
    let merged = output::merge_rows(
        shards,
        (keys, &columns.all),
        &mut files,
        &mut |row, journal| {
            points.take_journal_row((experiment, &columns), &mut builder, row, journal)
        },
    );
    if let Err(e) = merged {
        // Nothing of a refused merge is kept: the shards are still there to merge again.
        files.discard();
        return Err(e.into());
    }
    points.finish(experiment)?;
    let summary = finish_statistics(builder, &args.out)?;
    complete(manifest, shards, &summary);
    let described = SweepManifest {
        kind: "sweep",
        batch: manifest,
        experiment: SweepDescription::of(experiment),
    };
    let failed = !summary.failed_runs.is_empty();
    let every_row = 0..manifest.identity.runs;
    let written = output::finish_sweep(
        files,
        points.csv,
        experiment,
        &every_row,
        (&described, failed),
    )?;
    Ok((written, summary))
}

/// The statistics of every row merged.
fn finish_statistics(builder: SummaryBuilder, out: &Path) -> Result<BatchSummary, Error> {
    builder.finish().map_err(|e| Error::Io {
        path: out.display().to_string(),
        source: e,
    })
}

/// The merged manifest once every row is in: complete, or partial when shards are missing.
fn complete(manifest: &mut Manifest, shards: &ShardSet, summary: &BatchSummary) {
    manifest.status = if shards.missing.is_empty() {
        BatchStatus::Complete
    } else {
        BatchStatus::Partial
    };
    manifest.completed_runs = summary.completed_runs();
    manifest.failed_runs.clone_from(&summary.failed_runs);
    manifest.finished = Some(jiff::Timestamp::now().to_string());
}

/// A sweep's experiment, from the file its manifest names, checked to be the one it ran.
fn sweep_experiment(file: &Path, manifest: &Manifest) -> Result<Experiment, Error> {
    let experiment = experiment::load(file)?;
    if Some(&experiment.sha256) != manifest.identity.experiment_sha256.as_ref() {
        return Err(Error::Usage(format!(
            "{}: not the experiment file the shards ran (its SHA-256 differs from their \
             manifests'); merge from where the sweep was run, with the same file",
            file.display()
        )));
    }
    Ok(experiment)
}

/// The batch's scenario, from the shard's `scenario.resolved.toml`, checked to be the one its
/// manifest names by hash.
fn shard_scenario(dir: &Path, manifest: &Manifest) -> Result<Scenario, Error> {
    let path = dir.join(&manifest.identity.scenario.resolved);
    let scenario = scenario::load(&path, &[])?;
    if scenario.sha256() != manifest.identity.scenario.sha256 {
        return Err(Error::Usage(format!(
            "{}: not the scenario its manifest.json names (SHA-256 {}, not {})",
            path.display(),
            scenario.sha256(),
            manifest.identity.scenario.sha256
        )));
    }
    Ok(scenario)
}

/// The manifest of the whole batch, as `run` without `--shard` would write it: its identity with
/// shard 1/1, its reproduce command, started when its first shard started.
fn merged_manifest(
    shards: &ShardSet,
    plan: &Plan,
    out: &Path,
    command_line: &[String],
) -> Manifest {
    let first = &shards.shards[0].manifest;
    let identity = BatchIdentity {
        shard: ShardInfo::of(plan),
        ..first.identity.clone()
    };
    let origin = &identity.scenario.origin;
    let scenario_path = (origin != EMBEDDED_ORIGIN).then(|| Path::new(origin.as_str()));
    let started = shards
        .shards
        .iter()
        .map(|s| s.manifest.started.clone())
        .min()
        .unwrap_or_default();
    Manifest {
        reproduce: identity.reproduce_command(scenario_path, Some(out)),
        identity,
        status: BatchStatus::Running,
        completed_runs: 0,
        failed_runs: Vec::new(),
        resume: None,
        threads: plan.threads,
        command_line: command_line.to_vec(),
        started,
        resumed: Vec::new(),
        finished: None,
        files: Default::default(),
    }
}

/// With `--allow-partial`, says on standard error which runs the merged batch lacks.
fn say_missing(shards: &ShardSet, summary: &BatchSummary) {
    if shards.missing.is_empty() {
        return;
    }
    let _ = writeln!(
        std::io::stderr(),
        "merged {} runs; missing (the merged batch is marked partial): {}",
        summary.completed_runs(),
        shards.missing.join(", ")
    );
}
