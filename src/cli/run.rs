//! `sandtable run`: loads the scenario, runs the batch, and prints the summary table; with
//! `--out`, writes runs.csv as the batch goes and the summaries and manifest at the end.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{RunArgs, load_scenario, print};
use crate::batch::{self, Plan, Shard, SummaryBuilder};
use crate::error::Error;
use crate::output::{self, BatchFiles, Manifest, ManifestScenario, ShardInfo};
use crate::sim::OutcomeSchema;

/// Batches smaller than this finish too fast for a progress bar to help.
const PROGRESS_MIN_RUNS: u64 = 1000;

/// Runs the batch `args` describes.
///
/// # Errors
/// A scenario or usage error (exit 2), an output directory that cannot be written (exit 2), or a
/// failed replication (exit 1). On any error no output file is left half-written.
pub fn run(args: &RunArgs, command_line: &[String]) -> Result<(), Error> {
    let started = jiff::Timestamp::now();
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
    let mut files = args
        .out
        .as_deref()
        .map(|dir| BatchFiles::create(dir, &schema))
        .transpose()?;
    // Long columns spill beside the outputs when there are outputs: the user chose that disk.
    let mut builder = SummaryBuilder::new(&schema, args.out.clone());

    let bar = progress_bar(indices.end - indices.start);
    let seed = plan.seed;
    let result = batch::run_replications(
        &scenario,
        &plan,
        |run, replication| {
            if let Some(files) = files.as_mut() {
                files.write_run(run, seed, &replication.outcome)?;
            }
            builder.push(&replication.outcome).map_err(Error::Internal)
        },
        &mut |done| {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result?;
    let spill_dir = args.out.clone().unwrap_or_else(std::env::temp_dir);
    let summary = builder.finish().map_err(|e| Error::Io {
        path: spill_dir.display().to_string(),
        source: e,
    })?;

    let mut text = output::render_batch_table(&scenario, &plan, &summary);
    if let (Some(files), Some(dir)) = (files, args.out.as_deref()) {
        let overrides: Vec<String> = args.scenario.set.iter().map(|o| o.text.clone()).collect();
        let manifest = Manifest {
            engine: Manifest::engine(),
            scenario: ManifestScenario::of(&scenario),
            seed: plan.seed,
            runs: plan.runs,
            shard: ShardInfo::of(&plan),
            reproduce: output::reproduce_command(
                args.scenario.scenario.as_deref(),
                &plan,
                &overrides,
                Some(dir),
            ),
            overrides,
            threads: plan.threads,
            command_line: command_line.to_vec(),
            started: started.to_string(),
            finished: jiff::Timestamp::now().to_string(),
        };
        let written = files.commit(&scenario, &plan, &summary, &manifest)?;
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        text.push_str(&format!(
            "\nWrote {} to {}\n",
            names.join(", "),
            dir.display()
        ));
    }
    print(&text)
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
