//! The files of `compare --out DIR` beside the scenarios' own folders: `comparison.csv` (tidy,
//! one row per outcome × category × scenario), `comparison.json` (the same for programs, with
//! what was compared and how precisely) and the comparison's `manifest.json`, written whole or
//! not at all, the manifest last. Also the precision report of an adaptive batch. No printing.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AtomicFile, BatchStatus, Engine, OutputError, io_error, number_field, statistic};
use crate::batch::BatchSummary;
use crate::batch::comparison::ComparisonBuilder;
use crate::batch::precision::{Adaptive, Target};

/// The header of `comparison.csv`.
pub const COMPARISON_HEADER: [&str; 9] = [
    "outcome",
    "category",
    "scenario",
    "n",
    "mean",
    "diff",
    "ci95_low",
    "ci95_high",
    "var_ratio",
];

/// One scenario on one outcome (or category): a row of `comparison.csv`.
///
/// For the base, `n` is its runs with a value and `mean` is over those, and the difference
/// fields are empty. For any other scenario, `n` is the runs paired with the base (both had a
/// value) and `mean` is this scenario's mean over those runs, so that `diff` is exactly the mean
/// of the paired differences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The outcome column, e.g. `fama_killed`.
    pub outcome: String,
    /// The category of a categorical outcome (the mean is then a share), e.g. `arrived`.
    pub category: Option<String>,
    /// The scenario's name (or its `--alt` name).
    pub scenario: String,
    /// Runs the mean is over (see the type's documentation).
    pub n: u64,
    /// Mean, or share for a category.
    pub mean: Option<f64>,
    /// Mean paired difference, this scenario − base.
    pub diff: Option<f64>,
    /// Lower end of its 95 % interval (paired t; Newcombe's hybrid score for a share).
    pub ci95_low: Option<f64>,
    /// Upper end of its 95 % interval.
    pub ci95_high: Option<f64>,
    /// var(paired differences) / (var(base) + var(this)): 1 for independent runs, lower the
    /// more the common random numbers narrowed the interval.
    pub var_ratio: Option<f64>,
    /// For a share, the lowest ratio the two shares allow (only in `comparison.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub var_ratio_limit: Option<f64>,
}

/// The rows of a comparison: for every outcome and category compared, the base (from its
/// batch summary) and then each other scenario (from the paired statistics), in `names` order.
/// Statistics are rounded as in `summary.csv` (12 significant digits), so the base's mean is
/// the very number its summary holds.
pub fn comparison_rows(
    comparison: &ComparisonBuilder,
    names: &[String],
    base: &BatchSummary,
) -> Vec<ComparisonRow> {
    let mut rows = Vec::new();
    for compared in &comparison.compared {
        let (n, mean) = base_statistic(base, &compared.outcome, compared.category.as_deref());
        let mean = mean.map(statistic);
        let row = |scenario: &String| ComparisonRow {
            outcome: compared.outcome.clone(),
            category: compared.category.clone(),
            scenario: scenario.clone(),
            n,
            mean,
            diff: None,
            ci95_low: None,
            ci95_high: None,
            var_ratio: None,
            var_ratio_limit: None,
        };
        rows.push(row(&names[0]));
        for (pair, name) in compared.pairs.iter().zip(&names[1..]) {
            let d = pair.difference();
            rows.push(ComparisonRow {
                n: d.pairs,
                mean: d.other_mean.map(statistic),
                diff: d.diff.map(statistic),
                ci95_low: d.ci95.map(|(low, _)| statistic(low)),
                ci95_high: d.ci95.map(|(_, high)| statistic(high)),
                var_ratio: d.var_ratio.map(statistic),
                var_ratio_limit: d.var_ratio_limit.map(statistic),
                ..row(name)
            });
        }
    }
    rows
}

/// The base's runs with a value and its mean (or share) over them, as its `summary.csv` says.
fn base_statistic(
    base: &BatchSummary,
    outcome: &str,
    category: Option<&str>,
) -> (u64, Option<f64>) {
    match category {
        None => base
            .numeric(outcome)
            .map_or((0, None), |s| (s.present, s.mean)),
        Some(c) => base
            .categories(outcome)
            .and_then(|cats| cats.iter().find(|x| x.category == c))
            .map_or((0, None), |x| {
                (x.n, (!x.proportion.is_nan()).then_some(x.proportion))
            }),
    }
}

/// Writes `comparison.csv`.
///
/// # Errors
/// When the writer fails.
pub fn write_comparison_csv<W: Write>(writer: W, rows: &[ComparisonRow]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(COMPARISON_HEADER)?;
    for r in rows {
        csv.write_record([
            r.outcome.clone(),
            r.category.clone().unwrap_or_default(),
            r.scenario.clone(),
            r.n.to_string(),
            number_field(r.mean),
            number_field(r.diff),
            number_field(r.ci95_low),
            number_field(r.ci95_high),
            number_field(r.var_ratio),
        ])?;
    }
    csv.flush()
}

/// One scenario of a comparison, as its files and the printout name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparedScenario {
    /// The name of its subfolder and its rows: the scenario's `name`, or the `--alt` NAME.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The file it was loaded from (for an `--alt`, the base's), or `<embedded default>`.
    pub origin: String,
    /// Hex SHA-256 of the resolved scenario, after every override.
    pub sha256: String,
    /// The `--alt` NAME that built it, if one did.
    pub alt: Option<String>,
    /// Every override applied to it, as written: the global `--set`s, then its `--alt`s.
    pub overrides: Vec<String>,
    /// Runs of it that failed.
    pub failed_runs: Vec<u64>,
}

/// One `--precision` target and the half-width reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionEntry {
    /// `OUTCOME` or `OUTCOME.CATEGORY`.
    pub target: String,
    /// The 95 % half-width asked for.
    pub half_width: f64,
    /// The half-width at the last checkpoint (for `compare`: of the difference from the base,
    /// the largest over the alternatives).
    pub achieved: Option<f64>,
}

/// One checkpoint of an adaptive batch: runs done, and each target's half-width there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionCheckpoint {
    /// Runs recorded at the checkpoint.
    pub runs: u64,
    /// Each target's half-width, in the targets' order.
    pub half_widths: Vec<Option<f64>>,
}

/// How an adaptive batch (`--precision`) went: the targets, what was reached, the runs used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionReport {
    /// `--max-runs`.
    pub max_runs: u64,
    /// Runs the batch used: where it stopped.
    pub runs_used: u64,
    /// Every target was met (false when `--max-runs` was reached first, or it was interrupted).
    pub met: bool,
    /// The targets and the half-widths reached.
    pub targets: Vec<PrecisionEntry>,
    /// Every checkpoint looked at, in order (since the last resume, for a resumed batch).
    pub checkpoints: Vec<PrecisionCheckpoint>,
}

impl PrecisionReport {
    /// The report of `adaptive`, a batch with `targets` capped at `max_runs`.
    pub fn of(targets: &[Target], max_runs: u64, adaptive: &Adaptive) -> PrecisionReport {
        let last = adaptive.checkpoints.last();
        PrecisionReport {
            max_runs,
            runs_used: adaptive.driven.next_run,
            met: adaptive.met,
            targets: targets
                .iter()
                .enumerate()
                .map(|(k, t)| PrecisionEntry {
                    target: t.label.clone(),
                    half_width: t.half_width,
                    achieved: last.and_then(|c| c.half_widths[k]),
                })
                .collect(),
            checkpoints: adaptive
                .checkpoints
                .iter()
                .map(|c| PrecisionCheckpoint {
                    runs: c.runs,
                    half_widths: c.half_widths.clone(),
                })
                .collect(),
        }
    }

    /// Writes the report as pretty JSON (`precision.json` of `run --precision --out`).
    ///
    /// # Errors
    /// When the writer fails.
    pub fn write<W: Write>(&self, mut writer: W) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")?;
        writer.flush()
    }
}

/// `comparison.json`: the rows of `comparison.csv` (with `var_ratio_limit` for shares), and what
/// was compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonFile {
    /// The engine that computed it.
    pub engine: Engine,
    /// `complete`, or `partial` for an interrupted comparison.
    pub status: BatchStatus,
    /// The seed every scenario ran on.
    pub seed: u64,
    /// Runs of every scenario (failed ones included).
    pub runs: u64,
    /// The base's name.
    pub base: String,
    /// Every scenario, base first.
    pub scenarios: Vec<ComparedScenario>,
    /// Outcomes (or `OUTCOME.CATEGORY`) not every scenario has: left out.
    pub not_shared: Vec<String>,
    /// The adaptive batch's report, with `--precision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionReport>,
    /// One per outcome × category × scenario.
    pub rows: Vec<ComparisonRow>,
}

/// The `manifest.json` of a comparison: enough to reproduce or resume it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareManifest {
    /// Engine name and version.
    pub engine: Engine,
    /// Always `compare`.
    pub command: String,
    /// The seed every scenario ran on.
    pub seed: u64,
    /// `--runs`, or `--max-runs` for an adaptive comparison.
    pub runs: u64,
    /// Whether every run is in the files.
    pub status: BatchStatus,
    /// Runs recorded for every scenario.
    pub completed_runs: u64,
    /// The scenarios, base first, with their SHA-256 and overrides.
    pub scenarios: Vec<ComparedScenario>,
    /// The global `--set`s, as written.
    pub overrides: Vec<String>,
    /// The `--alt`s, as written.
    pub alts: Vec<String>,
    /// The `--precision` targets, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub precision: Vec<String>,
    /// Worker threads used (never changes a result).
    pub threads: usize,
    /// The command line as given.
    pub command_line: Vec<String>,
    /// When it started, RFC 3339 (its first start, when it was resumed).
    pub started: String,
    /// When it was resumed, RFC 3339, each time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<String>,
    /// When it finished or was interrupted.
    pub finished: Option<String>,
    /// A command that writes the same files again.
    pub reproduce: String,
    /// A command that continues it, while it is not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
}

/// Writes `comparison.csv`, `comparison.json` and `manifest.json` into `dir` (which exists),
/// each whole, renamed into place in that order so the manifest comes last.
///
/// # Errors
/// When a file cannot be written or renamed.
pub fn write_comparison(
    dir: &Path,
    file: &ComparisonFile,
    manifest: &CompareManifest,
) -> Result<Vec<PathBuf>, OutputError> {
    let open = |name: &str| {
        let path = dir.join(name);
        AtomicFile::create(&path).map_err(|e| io_error(&path, e))
    };
    let mut csv = open("comparison.csv")?;
    write_comparison_csv(&mut csv, &file.rows).map_err(|e| io_error(csv.target(), e))?;
    let mut json = open("comparison.json")?;
    write_json(&mut json, file).map_err(|e| io_error(json.target(), e))?;
    let mut manifest_json = open("manifest.json")?;
    write_json(&mut manifest_json, manifest).map_err(|e| io_error(manifest_json.target(), e))?;
    let mut written = Vec::new();
    for file in [csv, json, manifest_json] {
        let path = file.target().to_path_buf();
        file.commit().map_err(|e| io_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

fn write_json<W: Write, T: Serialize>(mut writer: W, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut writer, value)?;
    writer.write_all(b"\n")?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_row_has_no_difference_and_numbers_round_trip() {
        let rows = [
            ComparisonRow {
                outcome: "kidal_column_status".into(),
                category: Some("arrived".into()),
                scenario: "base".into(),
                n: 4,
                mean: Some(0.75),
                diff: None,
                ci95_low: None,
                ci95_high: None,
                var_ratio: None,
                var_ratio_limit: None,
            },
            ComparisonRow {
                outcome: "fama_killed".into(),
                category: None,
                scenario: "fewer".into(),
                n: 4,
                mean: Some(1.0 / 3.0),
                diff: Some(-2.0),
                ci95_low: Some(-3.5),
                ci95_high: Some(-0.5),
                var_ratio: Some(0.25),
                var_ratio_limit: None,
            },
        ];
        let mut bytes = Vec::new();
        write_comparison_csv(&mut bytes, &rows).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "outcome,category,scenario,n,mean,diff,ci95_low,ci95_high,var_ratio\n\
             kidal_column_status,arrived,base,4,0.75,,,,\n\
             fama_killed,,fewer,4,0.3333333333333333,-2,-3.5,-0.5,0.25\n"
        );
    }
}
