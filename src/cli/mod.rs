//! The command line: clap-derive definitions of every command, parsed once into typed,
//! validated values, and one handler file per command. The only module that prints.

mod check;
mod compare;
mod count;
mod drivers;
mod from_batch;
mod help;
mod interrupt;
mod merge;
mod progress;
mod replay;
mod run;
mod shard_arg;
mod sweep;

use interrupt::Interrupts;
use shard_arg::ShardChoice;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::analysis::OutcomeChoice;
use crate::batch::precision::{DEFAULT_MAX_RUNS, PrecisionTarget};
use crate::batch::{DEFAULT_SEED, Shard};
use crate::error::Error;
use crate::output::{FolderLock, FolderUse};
use crate::scenario::{self, Override, Scenario};

/// The most replications one `run` accepts; beyond this, split the batch with `--shard`.
pub(crate) const MAX_RUNS: u64 = 100_000_000;
/// The most worker threads one `run` accepts.
pub(crate) const MAX_THREADS: u32 = 1024;

/// sandtable: Monte Carlo batches of convoys, camps and armed factions in northern Mali after
/// the UN peacekeepers leave.
#[derive(Debug, Parser)]
#[command(
    name = "sandtable",
    version,
    about = "Monte Carlo batches of convoys, camps and armed factions in northern Mali after MINUSMA",
    long_about = "Monte Carlo batches of convoys, camps and armed factions in northern Mali after the UN \
                  peacekeepers (MINUSMA) leave.\n\nWithout a command, runs the embedded default scenario \
                  (Gao → Kidal, autumn 2023) with the default settings of `sandtable run`.",
    after_help = help::TOP
)]
pub(crate) struct Cli {
    /// What to do; `run` on the embedded default scenario when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a Monte Carlo batch and print its outcome distribution; with --out, write
    /// runs.csv, summary.csv, summary.json and manifest.json.
    #[command(after_help = help::RUN)]
    Run(RunArgs),
    /// Load and validate a scenario (the embedded default without one), and print a digest
    /// of it.
    #[command(after_help = help::CHECK)]
    Check(CheckArgs),
    /// Re-run one replication of a batch, bit for bit, and tell it as dated events; --from a
    /// batch's folder takes its scenario, seed and overrides.
    #[command(after_help = help::REPLAY)]
    Replay(ReplayArgs),
    /// Run several scenarios on the same seed and run indices and print each outcome's paired
    /// difference from the base, with its 95 % interval; with --out, write comparison.csv,
    /// comparison.json, manifest.json and each scenario's run output in a subfolder.
    #[command(after_help = help::COMPARE)]
    Compare(CompareArgs),
    /// Rank the drawn inputs of a finished batch by how much they move one outcome: partial
    /// rank correlations with 95 % intervals, standardized regression coefficients with their
    /// R², and for a yes/no outcome the PRIM box where it happens most.
    #[command(after_help = help::DRIVERS)]
    Drivers(DriversArgs),
    /// Run an experiment file's design points (factorial, Latin hypercube, NOLH, crossed
    /// decision × noise), each replicated on the same random streams, and write design.csv,
    /// runs.csv, points.csv and manifest.json.
    #[command(after_help = help::SWEEP)]
    Sweep(SweepArgs),
    /// Merge the folders of a batch's shards (`run` or `sweep` with --shard K/N --out DIR) into
    /// the files the whole batch would have written: runs.csv, summaries, manifest.
    #[command(after_help = help::MERGE)]
    Merge(MergeArgs),
    // Room for the later commands, each with its own handler file beside run.rs:
    // `report` (charts and HTML from a batch).
}

/// The scenario a command works on, and the overrides applied to it.
#[derive(Debug, Clone, Args)]
pub(crate) struct ScenarioArgs {
    /// Scenario file (TOML); without it, the embedded default (Gao → Kidal, autumn 2023).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// Override one scenario value by its path, e.g. --set convoy.kidal_column.vehicles=80 or
    /// --set 'combat.night_factor={ min = 0.4, max = 0.6 }'. Repeatable; applied in order.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Override>,
}

/// `sandtable run`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RunArgs {
    /// The scenario and its overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Replications in the batch, 1 to 100000000: 1000, 1_000, 10k, 2.5M or 1e6 (k and M in
    /// either case) [default: 1000; with --resume, the batch's]
    #[arg(short = 'n', long, value_name = "N", value_parser = count::parse_runs,
          allow_negative_numbers = true)]
    pub runs: Option<u64>,
    /// Batch seed: replication i draws only from the random stream (seed, i) [default:
    /// 20231002; with --resume, the batch's]
    #[arg(short = 's', long, value_name = "S")]
    pub seed: Option<u64>,
    /// Directory to write runs.csv, summary.csv, summary.json and manifest.json into
    /// (created if missing; files appear when the batch ends, and runs.csv.partial grows while
    /// it runs).
    #[arg(short = 'o', long, value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the interrupted batch in DIR (one run with --out DIR and stopped by Ctrl-C, a
    /// kill or a crash); its manifest gives the scenario, --runs, --seed, --shard and --set
    /// (any of them given here must agree with it). The files come out as if it had never
    /// stopped.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// With --out: replace the batch already in DIR, finished or interrupted (without it,
    /// --out refuses a folder that holds one).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Worker threads.
    #[command(flatten)]
    pub threads: ThreadsArg,
    /// No summary table on standard output and no progress display: only the files (so
    /// --out or --resume is needed); messages still go to standard error.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Run only block K of N of the batch's runs (K from 1 to N), to split a batch across
    /// machines; the shards' runs.csv rows, concatenated in K order, are the whole batch's.
    /// `slurm`: K/N from the SLURM job array's variables (task index − lowest + 1 of the task
    /// count), writing into DIR/shard-K-of-N under --out DIR (see docs/CLUSTER.md).
    #[arg(long = "shard", value_name = "K/N|slurm", conflicts_with = "targets")]
    pub shard_choice: Option<ShardChoice>,
    /// The shard to run, once --shard is resolved (`slurm` by the array's variables).
    #[arg(skip)]
    pub shard: Option<Shard>,
    /// Formats of the rows with --out, comma-separated: csv (runs.csv, always written) and
    /// parquet (runs.parquet as well, typed, for Arrow, polars and DuckDB; needs a build with
    /// `--features parquet`).
    #[arg(
        long,
        value_name = "FORMATS",
        value_delimiter = ',',
        default_value = "csv"
    )]
    pub format: Vec<RowsFormat>,
    /// Adaptive replication.
    #[command(flatten)]
    pub precision: PrecisionArgs,
}

/// A format of a batch's rows (`run --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RowsFormat {
    /// runs.csv.
    Csv,
    /// runs.parquet beside runs.csv.
    Parquet,
}

/// Adaptive replication, for `run` and `compare`.
#[derive(Debug, Clone, Args)]
pub struct PrecisionArgs {
    /// Run blocks of 200 runs until this outcome's 95 % half-width is at most HALF_WIDTH (for
    /// `run`: of the mean, or of a category's share; for `compare`: of the difference from the
    /// base), e.g. kidal_column_status.arrived=0.02 or fama_killed=5. Repeatable: every target
    /// must be met. Replaces --runs (the batch stops at the first block end where all are met,
    /// or at --max-runs).
    #[arg(
        long = "precision",
        value_name = "OUTCOME[.CATEGORY]=HALF_WIDTH",
        conflicts_with = "runs"
    )]
    pub targets: Vec<PrecisionTarget>,
    /// With --precision: the most runs to use (at least one block of 200), written as for
    /// --runs [default: 100000; with --resume, the batch's]
    #[arg(long = "max-runs", value_name = "N", value_parser = count::parse_runs,
          allow_negative_numbers = true)]
    pub max_runs: Option<u64>,
}

/// `sandtable compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// BASE then OTHER scenario files (TOML); without any, the base is the embedded default.
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Override one value in every scenario, e.g. --set convoy.kidal_column.vehicles=80.
    /// Repeatable; applied in order.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Override>,
    /// An alternative without a file: the base with KEY=VALUE (after the --sets), named NAME
    /// ([a-z0-9_-]+). Repeat with the same NAME to change several values in one alternative.
    #[arg(long = "alt", value_name = "NAME:KEY=VALUE")]
    pub alt: Vec<compare::AltOverride>,
    /// Replications of every scenario, 1 to 100000000: 1000, 1_000, 10k, 2.5M or 1e6 (k and M
    /// in either case) [default: 1000; with --resume, the comparison's]
    #[arg(short = 'n', long, value_name = "N", value_parser = count::parse_runs,
          allow_negative_numbers = true)]
    pub runs: Option<u64>,
    /// Batch seed, the same for every scenario [default: 20231002; with --resume, the
    /// comparison's]
    #[arg(short = 's', long, value_name = "S")]
    pub seed: Option<u64>,
    /// Directory to write comparison.csv, comparison.json, manifest.json and a subfolder per
    /// scenario (its runs.csv, summary.csv, summary.json, manifest.json) into.
    #[arg(short = 'o', long, value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the interrupted comparison in DIR; its manifest gives the scenarios, --alt,
    /// --set, --runs (or --precision and --max-runs) and --seed (any of them given here must
    /// agree with it).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// With --out: replace the comparison already in DIR, finished or interrupted (without it,
    /// --out refuses a folder that holds one).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Worker threads.
    #[command(flatten)]
    pub threads: ThreadsArg,
    /// No comparison table on standard output: only the files (so --out or --resume is
    /// needed); messages still go to standard error.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Adaptive replication.
    #[command(flatten)]
    pub precision: PrecisionArgs,
}

/// `sandtable drivers`.
#[derive(Debug, Clone, Args)]
pub(crate) struct DriversArgs {
    /// The folder of a finished `sandtable run --out DIR` or `sandtable sweep --out DIR`
    /// (runs.csv, scenario.resolved.toml). Inputs are every column but the outcomes and run,
    /// seed, point, replicate: the drawn numbers, and a sweep's design factors.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The outcome to explain: a runs.csv column, with =CATEGORY (or !=CATEGORY, every other
    /// category) for a category column: a yes/no outcome, which also gets a PRIM box, e.g.
    /// kidal_column_status!=arrived. Default: the first convoy's status=arrived.
    #[arg(long, value_name = "NAME[=CATEGORY]")]
    pub outcome: Option<OutcomeChoice>,
    /// Write the table to FILE.csv (outcome, input, prcc, prcc_ci95_low, prcc_ci95_high, src)
    /// and everything, the PRIM trajectory included, to FILE.json beside it.
    #[arg(short = 'o', long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
}

/// `sandtable sweep`.
#[derive(Debug, Clone, Args)]
pub(crate) struct SweepArgs {
    /// The experiment file (TOML): scenario, design, factors, replicates and seed (see
    /// experiments/ for commented examples).
    #[arg(value_name = "EXPERIMENT")]
    pub experiment: PathBuf,
    /// Directory to write design.csv, runs.csv, points.csv, manifest.json and
    /// scenario.resolved.toml into (created if missing; runs.csv.partial grows while it runs).
    #[arg(
        short = 'o',
        long,
        value_name = "DIR",
        conflicts_with = "resume",
        required_unless_present = "resume"
    )]
    pub out: Option<PathBuf>,
    /// Continue the interrupted sweep in DIR, with the same experiment file and --shard; the
    /// files come out as if it had never stopped.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// With --out: replace the sweep or batch already in DIR (without it, --out refuses a
    /// folder that holds one).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Worker threads.
    #[command(flatten)]
    pub threads: ThreadsArg,
    /// No table on standard output and no progress display: only the files; messages still go
    /// to standard error.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Run only block K of N of the sweep's rows (point by point, replicate by replicate), to
    /// split it across machines; the shards' runs.csv rows, concatenated in K order, are the
    /// whole sweep's. `slurm`: K/N from the SLURM job array's variables, writing into
    /// DIR/shard-K-of-N under --out DIR (see docs/CLUSTER.md).
    #[arg(long = "shard", value_name = "K/N|slurm")]
    pub shard_choice: Option<ShardChoice>,
    /// The shard to run, once --shard is resolved (`slurm` by the array's variables).
    #[arg(skip)]
    pub shard: Option<Shard>,
}

/// `sandtable merge`.
#[derive(Debug, Clone, Args)]
pub(crate) struct MergeArgs {
    /// The shards' folders, in any order: each the --out of a finished `sandtable run` or
    /// `sandtable sweep` with --shard K/N.
    #[arg(value_name = "DIR", required = true)]
    pub shards: Vec<PathBuf>,
    /// Directory to write the merged batch's files into (created if missing).
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the batch already in the --out folder (without it, a folder that holds one is
    /// refused).
    #[arg(long)]
    pub force: bool,
    /// Merge the shards given even when some of the batch's are missing; the merged batch is
    /// marked partial and the missing runs are listed.
    #[arg(long)]
    pub allow_partial: bool,
}

/// `sandtable check`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CheckArgs {
    /// Scenario file (TOML) to check; without it, the embedded default.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// Override one scenario value by its path before checking (as for `run`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Override>,
}

/// `sandtable replay`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ReplayArgs {
    /// The scenario and its overrides (as given to the batch; with --from, the batch's, and
    /// any given here must agree with them).
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The batch whose run to replay: the folder of a `run --out` (or of one scenario of a
    /// `compare --out`), or its manifest.json. Its scenario, --seed and --set are used.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// The replication to re-run: the `run` column of runs.csv (from 0).
    #[arg(long, value_name = "I")]
    pub run: u64,
    /// The batch seed [default: 20231002; with --from, the batch's]
    #[arg(short = 's', long, value_name = "S")]
    pub seed: Option<u64>,
    /// Directory to write events.csv and outcome.csv (the run's row of runs.csv) into.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `--threads`, for every command that runs a batch.
#[derive(Debug, Clone, Copy, Args)]
pub struct ThreadsArg {
    /// Worker threads, 1 to 1024; never changes a result [default: all cores]
    #[arg(short = 'j', long = "threads", value_name = "T",
          value_parser = parse_threads)]
    pub threads: Option<u32>,
}

impl ThreadsArg {
    /// The threads to run on: as given, or every core the system offers us.
    pub fn count(self) -> usize {
        self.threads.unwrap_or_else(all_cores) as usize
    }
}

/// A `--threads` value: 1 to [`MAX_THREADS`]; all cores is the default, not a number.
fn parse_threads(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Ok(0) => Err("at least 1 thread; leave --threads out to use all cores".to_string()),
        _ => Err(format!(
            "a whole number of threads from 1 to {MAX_THREADS}; leave --threads out to use all \
             cores"
        )),
    }
}

/// Every core the system offers us, within [`MAX_THREADS`].
fn all_cores() -> u32 {
    std::thread::available_parallelism()
        .map_or(1, |n| u32::try_from(n.get()).unwrap_or(MAX_THREADS))
        .clamp(1, MAX_THREADS)
}

impl PrecisionArgs {
    /// `--max-runs`, or its default.
    pub fn max_runs(&self) -> u64 {
        self.max_runs.unwrap_or(DEFAULT_MAX_RUNS)
    }
}

impl CompareArgs {
    /// `--runs`, or its default.
    pub fn runs(&self) -> u64 {
        self.runs.unwrap_or(DEFAULT_RUNS)
    }

    /// `--seed`, or the default seed.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }
}

impl RunArgs {
    /// `--runs`, or its default.
    pub fn runs(&self) -> u64 {
        self.runs.unwrap_or(DEFAULT_RUNS)
    }

    /// `--seed`, or the default seed.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }
}

/// A batch's runs when `--runs` is not given.
pub(crate) const DEFAULT_RUNS: u64 = 1000;

/// `--quiet` with nowhere to write: the command would show nothing and keep nothing.
fn quiet_needs_files(quiet: bool, out: Option<&Path>, resume: Option<&Path>) -> Result<(), Error> {
    if quiet && out.is_none() && resume.is_none() {
        return Err(Error::Usage(
            "--quiet prints nothing, so without --out DIR (or --resume DIR) the batch would \
             leave no trace; give --out DIR, or leave out --quiet"
                .to_string(),
        ));
    }
    Ok(())
}

/// The program: parses the process's arguments and runs the command. clap handles `--help`,
/// `--version` and usage errors itself (exit 0, 0 and 2).
///
/// # Errors
/// Whatever stopped the command; [`Error::exit_code`] says how to exit.
pub fn main() -> Result<(), Error> {
    let command_line: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = Cli::parse();
    execute(cli, &command_line, &Interrupts::new())
}

/// Runs a parsed command line; `command_line` is recorded in manifests, and `interrupts` (one
/// per process) is what Ctrl-C and SIGTERM stop a batch through.
///
/// # Errors
/// Whatever stopped the command.
pub(crate) fn execute(
    cli: Cli,
    command_line: &[String],
    interrupts: &Interrupts,
) -> Result<(), Error> {
    let command = match cli.command {
        Some(command) => command,
        // No command: exactly `sandtable run`, with clap filling in the same defaults.
        None => Cli::try_parse_from(["sandtable", "run"])
            .ok()
            .and_then(|c| c.command)
            .ok_or_else(|| Error::Internal("cannot build the default run command".to_string()))?,
    };
    match command {
        Command::Run(mut args) => {
            let placed = shard_arg::place(args.shard_choice, args.out.as_deref())?;
            (args.shard, args.out) = (placed.shard, placed.out);
            run::run(&args, command_line, interrupts)
        }
        Command::Check(args) => check::check(&args),
        Command::Replay(args) => replay::replay(&args),
        Command::Compare(args) => compare::compare(&args, command_line, interrupts),
        Command::Drivers(args) => drivers::drivers(&args),
        Command::Sweep(mut args) => {
            let placed = shard_arg::place(args.shard_choice, args.out.as_deref())?;
            (args.shard, args.out) = (placed.shard, placed.out);
            sweep::sweep(&args, command_line, interrupts)
        }
        Command::Merge(args) => merge::merge(&args, command_line),
    }
}

/// Loads the scenario at `path`, or the embedded default, with the overrides applied.
fn load_scenario(path: Option<&Path>, overrides: &[Override]) -> Result<Arc<Scenario>, Error> {
    let scenario = match path {
        Some(path) => scenario::load(path, overrides)?,
        None => scenario::load_default(overrides)?,
    };
    Ok(Arc::new(scenario))
}

/// Claims the output folder of a batch (`--resume`'s or `--out`'s) for as long as the returned
/// lock lives; `subfolders` are a comparison's scenarios. `None` without an output folder.
fn claim_folder(
    out: Option<&Path>,
    resume: Option<&Path>,
    force: bool,
    subfolders: &[&str],
) -> Result<Option<FolderLock>, Error> {
    let (dir, use_) = match (resume, out) {
        (Some(dir), _) => (dir, FolderUse::Resume),
        (None, Some(dir)) => (dir, FolderUse::Out { force }),
        (None, None) => return Ok(None),
    };
    Ok(Some(FolderLock::claim(dir, subfolders, use_)?))
}

/// Writes `text` to standard output. A closed pipe (`sandtable replay … | head`) is not an
/// error: the reader has seen what it wanted.
fn print(text: &str) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Io {
            path: "<standard output>".to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let Some(Command::Run(run)) = Cli::try_parse_from(["sandtable", "run"]).unwrap().command
        else {
            panic!("expected run");
        };
        assert_eq!((run.runs(), run.seed()), (1000, DEFAULT_SEED));
        assert_eq!(run.threads.count(), all_cores() as usize);
        assert!(run.scenario.scenario.is_none() && run.out.is_none() && run.shard.is_none());
        assert!(run.resume.is_none() && !run.quiet);
    }

    #[test]
    fn short_flags_are_the_long_ones() {
        let Some(Command::Run(run)) = Cli::try_parse_from([
            "sandtable",
            "run",
            "-n",
            "10k",
            "-s",
            "7",
            "-o",
            "out",
            "-j",
            "2",
            "-q",
        ])
        .unwrap()
        .command
        else {
            panic!("expected run");
        };
        assert_eq!(
            (run.runs(), run.seed(), run.threads.count()),
            (10_000, 7, 2)
        );
        assert_eq!(run.out.as_deref(), Some(Path::new("out")));
        assert!(run.quiet);
        let Some(Command::Compare(compare)) = Cli::try_parse_from([
            "sandtable",
            "compare",
            "-n",
            "1e3",
            "-s",
            "7",
            "-o",
            "out",
            "-j",
            "3",
        ])
        .unwrap()
        .command
        else {
            panic!("expected compare");
        };
        assert_eq!(
            (compare.runs(), compare.seed(), compare.threads.count()),
            (1000, 7, 3)
        );
        assert!(
            Cli::try_parse_from(["sandtable", "replay", "--run", "1", "-s", "3", "-o", "r"])
                .is_ok()
        );
        assert!(Cli::try_parse_from(["sandtable", "drivers", "d", "-o", "x.csv"]).is_ok());
    }

    #[test]
    fn every_example_in_the_help_parses() {
        let examples = [
            help::TOP,
            help::RUN,
            help::CHECK,
            help::REPLAY,
            help::COMPARE,
            help::DRIVERS,
            help::SWEEP,
            help::MERGE,
        ];
        let mut seen = 0;
        for text in examples {
            for line in text.lines().filter(|l| l.starts_with("  sandtable")) {
                // The command, before the explanation that follows two spaces.
                let command = line.trim_start().split("  ").next().unwrap_or_default();
                let words: Vec<&str> = command.split_whitespace().collect();
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("{command}: {e}");
                }
                seen += 1;
            }
        }
        assert!(seen >= 20, "{seen} examples");
    }

    #[test]
    fn limits_are_usage_errors() {
        for args in [
            &["sandtable", "run", "--runs", "0"][..],
            &["sandtable", "run", "--runs", "100000001"],
            &["sandtable", "run", "-n", "-5"],
            &["sandtable", "run", "--max-runs", "1.5"],
            &["sandtable", "compare", "--runs", "1e9"],
            &["sandtable", "run", "--threads", "0"],
            &["sandtable", "run", "--threads", "1025"],
            &["sandtable", "run", "--shard", "4/3"],
            &["sandtable", "run", "--shard", "0/3"],
            &["sandtable", "run", "--set", "novalue"],
            &["sandtable", "run", "--out", "a", "--resume", "a"],
            &["sandtable", "replay"],
            &["sandtable", "replay", "--from"],
        ] {
            let error = Cli::try_parse_from(args).expect_err(&args.join(" "));
            assert_eq!(error.exit_code(), 2, "{}", args.join(" "));
        }
    }

    #[test]
    fn check_without_a_scenario_checks_the_default() {
        let Some(Command::Check(check)) =
            Cli::try_parse_from(["sandtable", "check"]).unwrap().command
        else {
            panic!("expected check");
        };
        assert!(check.scenario.is_none());
    }

    #[test]
    fn quiet_needs_somewhere_to_write() {
        let dir = Some(Path::new("out"));
        assert!(quiet_needs_files(true, None, None).is_err());
        assert!(quiet_needs_files(true, dir, None).is_ok());
        assert!(quiet_needs_files(true, None, dir).is_ok());
        assert!(quiet_needs_files(false, None, None).is_ok());
    }
}
