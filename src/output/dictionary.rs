//! The data dictionary: what every column of every file sandtable writes means. Each writer
//! states its columns as [`ColumnDoc`]s next to the code that writes them (and takes its header
//! from them), and `docs/DATA.md` is rendered from those statements, so the page cannot drift
//! from the files: a test renders it again and compares.

use std::fmt::Write as _;

#[cfg(test)]
use super::column_doc::matches_pattern;
use super::column_doc::{ColumnDoc, column};

/// One file of the dictionary.
#[derive(Debug, Clone)]
pub struct FileDoc {
    /// Its name, e.g. `runs.csv`.
    pub file: &'static str,
    /// Which command writes it, and what a row (or the file) is.
    pub about: &'static str,
    /// Its columns, in file order (for JSON: its keys).
    pub columns: Vec<ColumnDoc>,
}

/// `docs/DATA.md`: every file's columns as a table, from `files`, under `preamble`.
pub fn render_dictionary(preamble: &str, files: &[FileDoc]) -> String {
    let mut out = String::from(preamble);
    for f in files {
        let _ = write!(out, "\n## `{}`\n\n{}\n", f.file, f.about);
        if f.columns.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str("| column | type | unit | meaning | empty when |\n");
        out.push_str("|---|---|---|---|---|\n");
        for c in &f.columns {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                c.name,
                c.kind,
                c.unit,
                c.meaning.replace('|', "\\|"),
                c.empty_when.replace('|', "\\|")
            );
        }
    }
    out
}

/// The data dictionary of every file sandtable writes, as `docs/DATA.md` holds it.
pub fn data_dictionary() -> String {
    render_dictionary(PREAMBLE, &files())
}

const PREAMBLE: &str = "# Data dictionary\n\n\
Every file sandtable writes, column by column: type, unit, meaning, and when a field is empty.\n\
This page is generated from the code that writes the columns (`src/output/dictionary.rs` and the\n\
writers it names); a test fails when the two differ. To refresh it after changing a column, run\n\
`SANDTABLE_BLESS=1 cargo test --release --locked --lib data_dictionary`.\n\n\
Conventions. Names are snake_case with the unit in the name (`_day`, `_km`, `_hours`). Ids\n\
(`kidal_column`, `fama`) are the scenario's own; in the patterns below `<convoy>`, `<site>` and\n\
`<faction>` stand for them. Days count from the scenario's start date (`scenario.start_date` in\n\
`manifest.json`; day 0 is its midnight, 1.5 is noon of the next day). Numbers are written in the\n\
shortest form that reads back to the same value; derived statistics (means, intervals,\n\
quantiles) are rounded to 12 significant digits. An empty CSV field is a missing value (pandas\n\
NaN, R NA); in JSON it is null. Files are UTF-8 with a header row and `\\n` line ends.\n\n\
Size: `runs.csv` takes about 2.2 KB a row for the default scenario (140 columns), so 2.2 GB for\n\
10⁶ runs; `runs.parquet` (`--format parquet`, a build with the `parquet` feature) holds the same\n\
columns typed and compressed.\n";

/// The columns of `runs.csv`, by pattern: the run's key, the outcomes, the drawn numbers.
const RUNS_COLUMNS: [ColumnDoc; 16] = [
    column(
        "run",
        "integer",
        "",
        "Replication index, 0 to runs − 1: `replay --run` re-runs it.",
        "",
    ),
    column("seed", "integer", "", "The batch seed (`--seed`).", ""),
    column(
        "<convoy>_status",
        "category",
        "",
        "How the convoy ended: arrived, halted, turned_back, destroyed, en_route (still under way at the horizon).",
        "the run failed",
    ),
    column(
        "<convoy>_arrival_day",
        "number",
        "days",
        "When it reached its destination.",
        "it never arrived",
    ),
    column(
        "<convoy>_vehicles_lost",
        "integer",
        "vehicles",
        "Vehicles lost to IEDs and fights.",
        "the run failed",
    ),
    column(
        "<site>_owner_end",
        "category",
        "",
        "Faction id holding the site at the end, or `none`; for every convoy destination and site marked `report = true`.",
        "the run failed",
    ),
    column(
        "<site>_taken_day",
        "number",
        "days",
        "When the site first changed hands.",
        "it never changed hands",
    ),
    column(
        "<faction>_killed",
        "integer",
        "people",
        "The faction's fighters killed in the run.",
        "the run failed",
    ),
    column(
        "<faction>_wounded",
        "integer",
        "people",
        "The faction's fighters wounded.",
        "the run failed",
    ),
    column(
        "civilians_killed",
        "integer",
        "people",
        "Civilians killed (fights in towns, air strikes on towns).",
        "the run failed",
    ),
    column(
        "ied_strikes",
        "integer",
        "strikes",
        "Roadside bombs that hit a convoy.",
        "the run failed",
    ),
    column(
        "ambushes",
        "integer",
        "fights",
        "Ambushes sprung on convoys.",
        "the run failed",
    ),
    column(
        "camp_raids",
        "integer",
        "fights",
        "Raids on held sites.",
        "the run failed",
    ),
    column(
        "engagements",
        "integer",
        "fights",
        "All fights: ambushes, raids and assaults.",
        "the run failed",
    ),
    column(
        "<faction>_sites_end",
        "integer",
        "sites",
        "Sites the faction holds at the end.",
        "the run failed",
    ),
    column(
        "<parameter path>",
        "number",
        "in its name",
        "Each uncertain number of the scenario as drawn for this run, named by its `--set` path with `_` for `.` (`combat_surprise_factor` is `combat.surprise_factor`), in the order `sandtable check` lists them.",
        "never",
    ),
];

/// The columns of a replay's `outcome.csv`.
const OUTCOME_ABOUT: &str = "`replay --out`: one row, the replayed run's outcome under the \
header of `runs.csv` (the same columns as above), equal to row `--run` of that batch's `runs.csv`.";

/// The columns of `comparison.csv` (the header is `COMPARISON_HEADER`, checked by a test).
const COMPARISON_COLUMNS: [ColumnDoc; 9] = [
    column(
        "outcome",
        "text",
        "",
        "An outcome shared by every scenario compared.",
        "",
    ),
    column(
        "category",
        "text",
        "",
        "The category, for a categorical outcome (its share is compared).",
        "a numeric outcome",
    ),
    column(
        "scenario",
        "text",
        "",
        "The scenario's name (or the `--alt` name); the base first.",
        "",
    ),
    column(
        "n",
        "integer",
        "runs",
        "Base: its runs with a value. Others: runs paired with the base (both have a value).",
        "",
    ),
    column(
        "mean",
        "number",
        "the outcome's",
        "Mean (or share) over those runs.",
        "no run had a value",
    ),
    column(
        "diff",
        "number",
        "the outcome's",
        "Mean per-run difference from the base (share difference for a category).",
        "the base's row",
    ),
    column(
        "ci95_low",
        "number",
        "the outcome's",
        "Lower end of the 95% interval of `diff` (paired t; Newcombe's hybrid score interval for a share).",
        "the base's row; too few pairs",
    ),
    column(
        "ci95_high",
        "number",
        "the outcome's",
        "Upper end of that interval.",
        "the base's row; too few pairs",
    ),
    column(
        "var_ratio",
        "number",
        "",
        "var(paired differences) / (var base + var other): 1 is what independent batches would give, below 1 is what the common random numbers saved.",
        "the base's row; no variance",
    ),
];

/// The columns of `drivers.csv` (the header is `DRIVERS_HEADER`, checked by a test).
const DRIVERS_COLUMNS: [ColumnDoc; 7] = [
    column(
        "outcome",
        "text",
        "",
        "The outcome explained (`NAME`, `NAME=CATEGORY` or `NAME!=CATEGORY`).",
        "",
    ),
    column(
        "input",
        "text",
        "",
        "A drawn input of `runs.csv` that varies in the batch.",
        "",
    ),
    column(
        "prcc",
        "number",
        "",
        "Partial rank correlation coefficient with the outcome (−1 to 1).",
        "",
    ),
    column(
        "prcc_ci95_low",
        "number",
        "",
        "Lower end of its 95% interval (Fisher z).",
        "",
    ),
    column(
        "prcc_ci95_high",
        "number",
        "",
        "Upper end of its 95% interval.",
        "",
    ),
    column(
        "src",
        "number",
        "",
        "Standardized regression coefficient (linear fit on the inputs).",
        "",
    ),
    column(
        "label",
        "text",
        "",
        "The input in words, with its unit in brackets, as the printed table names it (`CMA/CSP kill rate (per hour)`).",
        "",
    ),
];

/// The keys of `summary.json` (checked by a test against a written file).
const SUMMARY_JSON_KEYS: [ColumnDoc; 34] = [
    column("format", "text", "", "`sandtable-summary-1`.", ""),
    column("scenario.name", "text", "", "The scenario's name.", ""),
    column(
        "scenario.sha256",
        "text",
        "",
        "SHA-256 of the resolved scenario.",
        "",
    ),
    column("seed", "integer", "", "The batch seed.", ""),
    column(
        "runs",
        "integer",
        "runs",
        "Runs in the whole batch (all shards).",
        "",
    ),
    column(
        "shard.index",
        "integer",
        "",
        "This shard's number K of `--shard K/N` (1 when not sharded).",
        "",
    ),
    column("shard.count", "integer", "", "N of `--shard K/N`.", ""),
    column(
        "shard.first_run",
        "integer",
        "",
        "First run index of the shard.",
        "",
    ),
    column(
        "shard.end_run",
        "integer",
        "",
        "One past its last run index.",
        "",
    ),
    column(
        "status",
        "text",
        "",
        "`complete` or `partial` (interrupted).",
        "",
    ),
    column(
        "completed_runs",
        "integer",
        "runs",
        "Runs recorded, failed ones included.",
        "",
    ),
    column(
        "failed_runs[]",
        "integer",
        "",
        "Indices of the runs that failed.",
        "",
    ),
    column(
        "outcomes[].outcome",
        "text",
        "",
        "The column, as in `runs.csv`.",
        "",
    ),
    column(
        "outcomes[].kind",
        "text",
        "",
        "`count`, `day`, `parameter` or `category`.",
        "",
    ),
    column(
        "outcomes[].n",
        "integer",
        "runs",
        "As in `summary.csv`.",
        "",
    ),
    column(
        "outcomes[].present",
        "integer",
        "runs",
        "As in `summary.csv` (numeric outcomes).",
        "",
    ),
    column(
        "outcomes[].mean",
        "number",
        "",
        "As in `summary.csv`.",
        "no value",
    ),
    column(
        "outcomes[].sd",
        "number",
        "",
        "As in `summary.csv`.",
        "fewer than two values",
    ),
    column(
        "outcomes[].ci95_low",
        "number",
        "",
        "As in `summary.csv`.",
        "fewer than two values",
    ),
    column(
        "outcomes[].ci95_high",
        "number",
        "",
        "As in `summary.csv`.",
        "fewer than two values",
    ),
    column(
        "outcomes[].p05",
        "number",
        "",
        "5th percentile, as in `summary.csv`.",
        "no value",
    ),
    column(
        "outcomes[].min",
        "number",
        "",
        "As in `summary.csv`.",
        "no value",
    ),
    column(
        "outcomes[].max",
        "number",
        "",
        "As in `summary.csv`.",
        "no value",
    ),
    column(
        "outcomes[].histogram.edges[]",
        "number",
        "",
        "Bin boundaries, ascending, one more than the counts.",
        "",
    ),
    column(
        "outcomes[].histogram.counts[]",
        "integer",
        "runs",
        "Values in each bin.",
        "",
    ),
    column(
        "outcomes[].categories[].category",
        "text",
        "",
        "A category of a categorical outcome.",
        "",
    ),
    column(
        "outcomes[].categories[].present",
        "integer",
        "runs",
        "Runs in it.",
        "",
    ),
    column(
        "outcomes[].categories[].mean",
        "number",
        "",
        "Its share (0–1).",
        "no run",
    ),
    column(
        "outcomes[].categories[].ci95_low",
        "number",
        "",
        "Wilson 95% interval, lower end.",
        "",
    ),
    column(
        "outcomes[].categories[].ci95_high",
        "number",
        "",
        "Wilson 95% interval, upper end.",
        "",
    ),
    column(
        "outcomes[].p25",
        "number",
        "",
        "25th percentile.",
        "no value",
    ),
    column("outcomes[].p50", "number", "", "Median.", "no value"),
    column(
        "outcomes[].p75",
        "number",
        "",
        "75th percentile.",
        "no value",
    ),
    column(
        "outcomes[].p95",
        "number",
        "",
        "95th percentile.",
        "no value",
    ),
];

/// The keys of `manifest.json` (checked by a test against a written file).
const MANIFEST_KEYS: [ColumnDoc; 27] = [
    column("engine.name", "text", "", "`sandtable`.", ""),
    column(
        "engine.version",
        "text",
        "",
        "The engine version: a batch reproduces bit for bit on the same version.",
        "",
    ),
    column("scenario.name", "text", "", "The scenario's name.", ""),
    column("scenario.title", "text", "", "Its title.", ""),
    column(
        "scenario.origin",
        "text",
        "",
        "The file it was loaded from, or `<embedded default>`.",
        "",
    ),
    column(
        "scenario.sha256",
        "text",
        "",
        "SHA-256 of `scenario.resolved.toml`.",
        "",
    ),
    column(
        "scenario.resolved",
        "text",
        "",
        "`scenario.resolved.toml`: the scenario as run, `extends` and `--set` applied.",
        "",
    ),
    column(
        "scenario.start_date",
        "date",
        "YYYY-MM-DD",
        "The scenario's start: day 0 of every `_day` column, hour 0 of `time_hours`.",
        "",
    ),
    column(
        "scenario.units.<suffix>",
        "text",
        "",
        "The unit of the columns whose name ends so (`_day`, `_km`, `_hours`, `_killed, _wounded`, …).",
        "",
    ),
    column("seed", "integer", "", "The batch seed.", ""),
    column("runs", "integer", "runs", "Runs in the whole batch.", ""),
    column("shard.index", "integer", "", "K of `--shard K/N`.", ""),
    column("shard.count", "integer", "", "N of `--shard K/N`.", ""),
    column(
        "shard.first_run",
        "integer",
        "",
        "First run of the shard.",
        "",
    ),
    column("shard.end_run", "integer", "", "One past its last run.", ""),
    column(
        "overrides[]",
        "text",
        "",
        "Each `--set KEY=VALUE`, as given, in order.",
        "",
    ),
    column("status", "text", "", "`complete` or `partial`.", ""),
    column(
        "completed_runs",
        "integer",
        "runs",
        "Rows in `runs.csv`.",
        "",
    ),
    column(
        "failed_runs[]",
        "integer",
        "",
        "Runs that failed (see `failures.csv`).",
        "",
    ),
    column(
        "threads",
        "integer",
        "",
        "Worker threads (never changes a result).",
        "",
    ),
    column(
        "command_line[]",
        "text",
        "",
        "The command line as given.",
        "",
    ),
    column(
        "started",
        "date-time",
        "RFC 3339, UTC",
        "When the batch started.",
        "",
    ),
    column(
        "resumed[]",
        "date-time",
        "RFC 3339, UTC",
        "When it was resumed, each time.",
        "key absent when never resumed",
    ),
    column(
        "finished",
        "date-time",
        "RFC 3339, UTC",
        "When it finished or was interrupted.",
        "while it runs",
    ),
    column(
        "reproduce",
        "text",
        "",
        "A command that writes the same `runs.csv` and `summary.*` again.",
        "",
    ),
    column(
        "resume",
        "text",
        "",
        "A command that continues an interrupted batch.",
        "key absent when complete",
    ),
    column(
        "files.<file>",
        "text",
        "hex SHA-256",
        "The SHA-256 of each file the batch published (`runs.csv`, `summary.csv`, …): a folder \
         is one whole batch only when every file matches (it is renamed into place last).",
        "key absent in the journal's manifest, which publishes nothing",
    ),
];

/// The keys of `comparison.json`.
const COMPARISON_JSON_KEYS: [ColumnDoc; 9] = [
    column("engine", "object", "", "Engine name and version.", ""),
    column("status", "text", "", "`complete` or `partial`.", ""),
    column("seed", "integer", "", "The seed every scenario ran on.", ""),
    column("runs", "integer", "runs", "Runs of each scenario.", ""),
    column("base", "text", "", "The base scenario's name.", ""),
    column(
        "scenarios[]",
        "object",
        "",
        "Every scenario: name, file, SHA-256, overrides.",
        "",
    ),
    column(
        "not_shared[]",
        "text",
        "",
        "Outcomes left out because not every scenario has them.",
        "",
    ),
    column(
        "precision",
        "object",
        "",
        "With `--precision`: targets, runs used, each checkpoint's half-widths.",
        "key absent without `--precision`",
    ),
    column(
        "rows[]",
        "object",
        "",
        "The rows of `comparison.csv` (same names), plus `var_ratio_limit` for shares: the lowest ratio two shares allow.",
        "",
    ),
];

/// Columns of `failures.csv`.
const FAILURES_COLUMNS: [ColumnDoc; 3] = [
    column("run", "integer", "", "The run that failed.", ""),
    column("seed", "integer", "", "The batch seed.", ""),
    column(
        "error",
        "text",
        "",
        "What the simulation reported (an internal error: please report it).",
        "",
    ),
];

/// The columns a sweep's `runs.csv` has before those of a plain batch's.
const SWEEP_RUNS_COLUMNS: [ColumnDoc; 5] = [
    column(
        "point",
        "integer",
        "",
        "Design point, from 0 (a row of `design.csv`).",
        "",
    ),
    column(
        "replicate",
        "integer",
        "",
        "Replicate of the point, from 0. Replicate r draws from the streams of run r of a plain \
         batch with the same seed, so points are compared on common random numbers.",
        "",
    ),
    column(
        "run",
        "integer",
        "",
        "The run whose streams this row used: the replicate.",
        "",
    ),
    column("seed", "integer", "", "The experiment's seed.", ""),
    column(
        "<factor>",
        "number or text",
        "the factor's",
        "One column per factor (its scenario path with `.` → `_`): the point's setting. Then the \
         outcomes of `runs.csv`, then every drawn number that is not a factor.",
        "",
    ),
];

/// The columns of `design.csv`.
const SWEEP_DESIGN_COLUMNS: [ColumnDoc; 2] = [
    column("point", "integer", "", "Design point, from 0.", ""),
    column(
        "<factor>",
        "number or text",
        "the factor's",
        "One column per factor of the experiment (its scenario path with `.` → `_`): its \
         setting at this point, in the factor's units; an integer factor as a whole number, a \
         categorical one as its level.",
        "",
    ),
];

/// The columns of `points.csv` (its statistics are `output::sweep::POINTS_STATISTICS`).
const SWEEP_POINTS_COLUMNS: [ColumnDoc; 11] = [
    column("point", "integer", "", "Design point.", ""),
    column(
        "<factor>",
        "number or text",
        "the factor's",
        "The point's settings, as in `design.csv`.",
        "",
    ),
    column(
        "outcome",
        "text",
        "",
        "An outcome column of `runs.csv`.",
        "",
    ),
    column(
        "category",
        "text",
        "",
        "A category of a categorical outcome; the row's mean is its share of the point's runs.",
        "a numeric outcome",
    ),
    column(
        "n",
        "integer",
        "",
        "Runs that had a value: for a number, the point's runs where it happened; for a \
         category, all the point's runs (failed ones left out).",
        "",
    ),
    column(
        "mean",
        "number",
        "the outcome's",
        "Mean over those runs (a share for a category).",
        "n is 0",
    ),
    column(
        "ci95_low",
        "number",
        "the outcome's",
        "95% interval of the mean, low end: Student t for a number, Wilson for a share.",
        "n below 2 for a number",
    ),
    column(
        "ci95_high",
        "number",
        "the outcome's",
        "95% interval of the mean, high end.",
        "as ci95_low",
    ),
    column(
        "p05",
        "number",
        "the outcome's",
        "5th percentile over the point's runs.",
        "a category, or n is 0",
    ),
    column(
        "p50",
        "number",
        "the outcome's",
        "Median over the point's runs.",
        "a category, or n is 0",
    ),
    column(
        "p95",
        "number",
        "the outcome's",
        "95th percentile over the point's runs.",
        "a category, or n is 0",
    ),
];

/// Every file of the dictionary, in the order a user meets them.
fn files() -> Vec<FileDoc> {
    vec![
        FileDoc {
            file: "runs.csv",
            about: "`run --out`: one row per replication, in run order: the run's key, its outcomes, then every uncertain number as drawn. A failed run keeps `run`, `seed` and the drawn numbers and has its outcomes empty. Counts are whole numbers, except in a scenario run in mean-field mode (`combat.mode`), which writes expected values.",
            columns: RUNS_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "runs.parquet",
            about: "`run --out --format parquet` (or `csv,parquet`), built with `--features parquet`: the columns of `runs.csv` with types — Int64 for `run` and the counts (Float64 in a mean-field scenario), UInt64 for `seed`, Float64 for days and drawn numbers, Utf8 for categories — and null where `runs.csv` has an empty field.",
            columns: Vec::new(),
        },
        FileDoc {
            file: "summary.csv",
            about: "`run --out`: one row per numeric outcome and drawn parameter, one per category of a categorical outcome, and a `run_status,failed` row when runs failed.",
            columns: crate::output::summary::SUMMARY_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "summary.json",
            about: "`run --out`: what `summary.csv` holds, plus a histogram per numeric outcome and the batch it summarises. Keys as dotted paths; `[]` marks the entries of an array.",
            columns: SUMMARY_JSON_KEYS.to_vec(),
        },
        FileDoc {
            file: "manifest.json",
            about: "`run --out`: enough to reproduce the batch. (`compare --out` writes a manifest of its own: engine, command, seed, runs, status, completed_runs, scenarios with their name, file, SHA-256 and overrides. `sweep --out`'s is this one plus `kind` (`sweep`), `experiment_sha256` and `experiment`: the file, design, points, replicates, factors with their ranges or levels, and the design's diagnostics.)",
            columns: MANIFEST_KEYS.to_vec(),
        },
        FileDoc {
            file: "failures.csv",
            about: "`run --out`, only when some runs failed.",
            columns: FAILURES_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "events.csv",
            about: "`replay --out`: one row per event of the replayed run, in the order they happened; each side's losses apart. `outcome.csv` beside it: see below.",
            columns: crate::output::events::EVENTS_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "outcome.csv",
            about: OUTCOME_ABOUT,
            columns: Vec::new(),
        },
        FileDoc {
            file: "comparison.csv",
            about: "`compare --out`: one row per outcome × category × scenario.",
            columns: COMPARISON_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "comparison.json",
            about: "`compare --out`: what `comparison.csv` holds, and about what.",
            columns: COMPARISON_JSON_KEYS.to_vec(),
        },
        FileDoc {
            file: "drivers.csv",
            about: "`drivers --out`: one row per drawn input, strongest first. `drivers.json` holds the same and the PRIM trajectory.",
            columns: DRIVERS_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "design.csv",
            about: "`sweep --out`: the experiment's design, one row per point.",
            columns: SWEEP_DESIGN_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "points.csv",
            about: "`sweep --out`: one row per design point × outcome (× category), written a point at a time.",
            columns: SWEEP_POINTS_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "runs.csv of a sweep",
            about: "`sweep --out`: one row per design point × replicate, in that order; a failed row keeps its keys, settings and drawn numbers. Its columns begin as below, then follow `runs.csv` from its outcomes on (the factors' own drawn numbers are not repeated).",
            columns: SWEEP_RUNS_COLUMNS.to_vec(),
        },
        FileDoc {
            file: "scenario.resolved.toml",
            about: "`run`, `compare` and `replay --out`: the scenario as run, in plain TOML; its keys are documented in `src/scenario/schema.rs` and by `sandtable check`.",
            columns: Vec::new(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::super::column_doc::header;
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn patterns_stand_for_ids() {
        assert!(matches_pattern("<faction>_killed", "fama_killed"));
        assert!(matches_pattern("<convoy>_status", "kidal_column_status"));
        assert!(matches_pattern("<site>_owner_end", "kidal_owner_end"));
        assert!(matches_pattern("run", "run"));
        assert!(!matches_pattern("<faction>_killed", "_killed"));
        assert!(!matches_pattern("<faction>_killed", "fama_wounded"));
        assert!(!matches_pattern("run", "runs"));
    }

    /// The committed page is the one the code renders. Refresh with
    /// `SANDTABLE_BLESS=1 cargo test --release --locked --lib data_dictionary`.
    #[test]
    fn data_dictionary_is_docs_data_md() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/DATA.md");
        let rendered = data_dictionary();
        if std::env::var_os("SANDTABLE_BLESS").is_some() {
            std::fs::write(path, &rendered).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == rendered,
            "docs/DATA.md differs from the columns the code writes; refresh it with \
             SANDTABLE_BLESS=1 cargo test --release --locked --lib data_dictionary"
        );
    }

    #[test]
    fn every_runs_csv_column_of_every_shipped_scenario_is_described() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/variants");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let mut scenarios = vec![crate::scenario::load_default(&[]).unwrap()];
        for p in paths {
            scenarios.push(crate::scenario::load(&p, &[]).unwrap());
        }
        let mut used = BTreeSet::new();
        for s in &scenarios {
            let schema = crate::sim::OutcomeSchema::for_scenario(s);
            for name in crate::output::runs::runs_header(&schema) {
                // Drawn numbers: every column after the outcomes.
                let is_parameter = schema
                    .columns
                    .iter()
                    .any(|c| c.name == name && c.kind == crate::sim::ColumnKind::Parameter);
                let doc = if is_parameter {
                    RUNS_COLUMNS.iter().find(|d| d.name == "<parameter path>")
                } else {
                    // A name stated as it is first (`civilians_killed`), then the patterns.
                    let exact = RUNS_COLUMNS.iter().find(|d| d.name == name);
                    exact.or_else(|| {
                        RUNS_COLUMNS
                            .iter()
                            .find(|d| d.name != "<parameter path>" && matches_pattern(d.name, name))
                    })
                };
                let doc = doc.unwrap_or_else(|| panic!("{name} of {} is not in DATA.md", s.name));
                used.insert(doc.name);
            }
        }
        for doc in RUNS_COLUMNS.iter().filter(|d| !d.name.starts_with('(')) {
            assert!(used.contains(doc.name), "{} describes no column", doc.name);
        }
    }

    #[test]
    fn the_csv_headers_are_the_described_columns() {
        assert_eq!(
            header(&COMPARISON_COLUMNS),
            crate::output::COMPARISON_HEADER.to_vec()
        );
        assert_eq!(
            header(&DRIVERS_COLUMNS),
            crate::output::DRIVERS_HEADER.to_vec()
        );
    }

    /// Every key path of `value` (objects as dotted paths, arrays as `[]`).
    fn key_paths(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    key_paths(v, &path, out);
                }
            }
            serde_json::Value::Array(items) => {
                let path = format!("{prefix}[]");
                if items.is_empty() {
                    out.insert(path.clone());
                }
                for v in items {
                    key_paths(v, &path, out);
                }
            }
            _ => {
                out.insert(prefix.to_string());
            }
        }
    }

    /// Asserts that `docs` describe exactly the key paths of `json` (patterns allowed).
    fn assert_describes(docs: &[ColumnDoc], json: &serde_json::Value, optional: &[&str]) {
        let mut keys = BTreeSet::new();
        key_paths(json, "", &mut keys);
        for key in &keys {
            assert!(
                docs.iter().any(|d| matches_pattern(d.name, key)),
                "{key} is written but not described"
            );
        }
        for d in docs.iter().filter(|d| !d.name.starts_with('(')) {
            assert!(
                optional.contains(&d.name) || keys.iter().any(|k| matches_pattern(d.name, k)),
                "{} is described but not written",
                d.name
            );
        }
    }

    #[test]
    fn every_column_a_sweep_writes_is_described() {
        let described = |docs: &[ColumnDoc], name: &str| docs.iter().any(|d| d.name == name);
        for name in crate::output::sweep::POINTS_STATISTICS {
            assert!(described(&SWEEP_POINTS_COLUMNS, name), "points.csv {name}");
        }
        for name in crate::output::runs::SWEEP_KEY_COLUMNS {
            assert!(described(&SWEEP_RUNS_COLUMNS, name), "runs.csv {name}");
        }
        for docs in [
            &SWEEP_POINTS_COLUMNS[..],
            &SWEEP_DESIGN_COLUMNS,
            &SWEEP_RUNS_COLUMNS,
        ] {
            assert!(described(docs, "<factor>"));
        }
    }

    #[test]
    fn summary_json_and_manifest_json_keys_are_the_described_ones() {
        use crate::batch::{Plan, Shard, SummaryBuilder};
        let scenario = std::sync::Arc::new(crate::scenario::load_default(&[]).unwrap());
        let schema = crate::sim::OutcomeSchema::for_scenario(&scenario);
        let mut builder = SummaryBuilder::new(&schema, None);
        for run in 0..20 {
            let outcome = crate::sim::simulate(&scenario, 3, run, false).outcome;
            let outcome = crate::output::runs::canonical_outcome(&outcome, &schema).unwrap();
            builder.push(&outcome).unwrap();
        }
        builder.fail(20);
        let plan = Plan {
            seed: 3,
            runs: 21,
            shard: Shard::WHOLE,
            threads: 1,
        };
        let summary = builder.finish().unwrap();
        let file = crate::output::SummaryFile::of(
            &scenario,
            &plan,
            crate::output::BatchStatus::Complete,
            &summary,
        );
        assert_describes(
            &SUMMARY_JSON_KEYS,
            &serde_json::to_value(&file).unwrap(),
            &[],
        );
        let manifest = crate::output::Manifest {
            identity: crate::output::BatchIdentity::of(&scenario, &plan, vec!["a=1".into()]),
            status: crate::output::BatchStatus::Partial,
            completed_runs: 21,
            failed_runs: vec![20],
            threads: 1,
            command_line: vec!["sandtable".into()],
            started: "2026-01-01T00:00:00Z".into(),
            resumed: vec!["2026-01-01T00:01:00Z".into()],
            finished: Some("2026-01-01T00:02:00Z".into()),
            reproduce: "sandtable run".into(),
            resume: Some("sandtable run --resume out".into()),
            files: [("runs.csv".to_string(), "00".repeat(32))].into(),
        };
        assert_describes(
            &MANIFEST_KEYS,
            &serde_json::to_value(&manifest).unwrap(),
            &[],
        );
    }
}
