//! `sandtable merge`: the shards of a batch (`run --shard K/N --out DIR`) put together into the
//! files the whole batch would have written. The shards are checked to be one batch's, each
//! whole; their rows are copied in run order into the merged folder's journal and read once into
//! the same statistics a batch feeds, so the summaries come out byte for byte the unsharded
//! batch's; the folder is published like a batch's (manifest last, with its files' hashes).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{MergeArgs, claim_folder, print};
use crate::batch::{BatchSummary, Plan, Shard, SummaryBuilder};
use crate::error::Error;
use crate::output::{
    self, BatchFiles, BatchIdentity, BatchStatus, JournalRow, Manifest, ShardInfo, ShardSet,
    SpillDir,
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
    let scenario = shard_scenario(&first.dir, &first.manifest)?;
    let plan = Plan {
        seed: first.manifest.identity.seed,
        runs: first.manifest.identity.runs,
        shard: Shard::WHOLE,
        threads: first.manifest.threads,
    };
    let _folder = claim_folder(Some(&args.out), None, args.force, &[])?;
    let schema = OutcomeSchema::for_scenario(&scenario);
    let mut manifest = merged_manifest(&shards, &plan, &args.out, command_line);
    let mut files = BatchFiles::create(&args.out, &schema, &manifest)?;
    let spill = SpillDir::new(args.out.clone());
    let mut builder = SummaryBuilder::new(&schema, Some(Arc::new(spill)));
    output::merge_rows(&shards, &schema, &mut files, &mut |run, row| match row {
        JournalRow::Outcome(outcome) => builder.push(&outcome),
        JournalRow::Failed => {
            builder.fail(run);
            Ok(())
        }
    })?;
    let summary = builder.finish().map_err(|e| Error::Io {
        path: args.out.display().to_string(),
        source: e,
    })?;
    manifest.status = if shards.missing.is_empty() {
        BatchStatus::Complete
    } else {
        BatchStatus::Partial
    };
    manifest.completed_runs = summary.completed_runs();
    manifest.failed_runs.clone_from(&summary.failed_runs);
    manifest.finished = Some(jiff::Timestamp::now().to_string());
    let written = files.finish(&scenario, &plan, &summary, &manifest)?;
    print(&output::render_written(&args.out, &written))?;
    say_missing(&shards, &summary);
    Ok(())
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
