//! The files of `sandtable sweep --out DIR` beyond a batch's journal (which [`BatchFiles`]
//! keeps, with the sweep's key columns): `design.csv` (the points in the factors' units),
//! `points.csv` (each point's statistics, written a point at a time as the rows arrive) and the
//! sweep's `manifest.json`; and each row made ready on its worker ([`SweepRecorder`]).

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::runs::{RowFormat, RowKeys, RunsRow, canonical_outcome, field_text};
use super::{AtomicFile, BatchFiles, Manifest, OutputError, io_error, number_field};
use crate::batch::sweep::{SweepColumns, SweepRun};
use crate::batch::{BatchSummary, OutcomeStats, RecordedRun};
use crate::design::{Diagnostics, Factor, Setting};
use crate::experiment::{Applied, Experiment, Role};
use crate::sim::{ColumnKind, Outcome, Value};

/// The statistics columns of `points.csv`, after `point` and the factor columns.
pub const POINTS_STATISTICS: [&str; 9] = [
    "outcome",
    "category",
    "n",
    "mean",
    "ci95_low",
    "ci95_high",
    "p05",
    "p50",
    "p95",
];

/// The key columns of a sweep's `runs.csv`, for `experiment`.
pub fn sweep_keys(experiment: &Experiment) -> RowKeys {
    RowKeys::Sweep {
        replicates: experiment.replicates,
    }
}

/// Turns each row of a sweep into a [`RecordedRun`]: its outcome columns as `runs.csv` holds
/// them (what the statistics take) and its finished row. Shared by the worker threads.
#[derive(Debug)]
pub struct SweepRecorder<'a> {
    columns: &'a SweepColumns,
    seed: u64,
    format: RowFormat,
}

impl<'a> SweepRecorder<'a> {
    /// A recorder for `experiment`'s rows, in `columns`.
    pub fn new(experiment: &Experiment, columns: &'a SweepColumns) -> SweepRecorder<'a> {
        SweepRecorder {
            columns,
            seed: experiment.seed,
            format: RowFormat::with_keys(&columns.all, sweep_keys(experiment)),
        }
    }

    /// Records row `row`: a failed replication, or an outcome that does not fit the columns,
    /// is a failed row (outcomes empty, settings and drawn numbers filled).
    ///
    /// # Errors
    /// When a row cannot be formatted (a bug), which stops the sweep.
    pub fn record(&self, row: u64, run: SweepRun) -> Result<RecordedRun<RunsRow>, String> {
        let (canonical, failure) =
            match (canonical_outcome(&run.row, &self.columns.all), run.failure) {
                (_, Some(message)) => (None, Some(message)),
                (Ok(outcome), None) => (Some(outcome), None),
                (Err(message), None) => (
                    None,
                    Some(format!(
                        "its outcome does not fit the sweep's columns: {message}"
                    )),
                ),
            };
        match (canonical, failure) {
            (Some(outcome), _) => Ok(RecordedRun::Done {
                row: Some(self.format.row(row, self.seed, &outcome)?),
                outcome: self.columns.outcome_part(&outcome),
            }),
            (None, message) => Ok(RecordedRun::Failed {
                row: Some(self.format.row(row, self.seed, &self.emptied(run.row))?),
                message: message.unwrap_or_default(),
            }),
        }
    }

    /// `row` with its outcome columns empty.
    fn emptied(&self, mut row: Outcome) -> Outcome {
        let outcomes =
            self.columns.factors..self.columns.factors + self.columns.outcomes.columns.len();
        for value in row.values.get_mut(outcomes).unwrap_or_default() {
            *value = Value::Empty;
        }
        row
    }
}

/// A factor's setting as `design.csv`, `points.csv` and `runs.csv` write it.
pub(super) fn setting_text(experiment: &Experiment, point: u64, factor: usize) -> String {
    match experiment.setting(point, factor) {
        Setting::Real(x) => field_text(&Value::Number(x), &ColumnKind::Parameter),
        Setting::Integer(i) => i.to_string(),
        Setting::Category(k) => experiment.factors[factor].levels[k].clone(),
    }
}

/// `point` and its settings, the first fields of a `design.csv` or `points.csv` row.
fn point_fields(experiment: &Experiment, point: u64) -> Vec<String> {
    std::iter::once(point.to_string())
        .chain((0..experiment.factors.len()).map(|f| setting_text(experiment, point, f)))
        .collect()
}

/// `point`, then the factors' columns.
fn point_header(experiment: &Experiment) -> Vec<&str> {
    std::iter::once("point")
        .chain(experiment.factors.iter().map(|f| f.column.as_str()))
        .collect()
}

/// The design points whose first row lies in `rows`: a shard's `design.csv` lists these, so
/// the shards' files, concatenated, list every point once.
pub fn points_starting_in(experiment: &Experiment, rows: &Range<u64>) -> Range<u64> {
    let r = experiment.replicates;
    rows.start.div_ceil(r)..rows.end.div_ceil(r)
}

/// `points.csv`, written one point at a time as the sweep goes (under a temporary name until
/// the sweep ends).
pub struct PointsCsv {
    writer: csv::Writer<AtomicFile>,
}

impl PointsCsv {
    /// Starts `points.csv` in the sweep's folder `dir` (which exists), with its header.
    ///
    /// # Errors
    /// When the file cannot be created or written.
    pub fn create(dir: &Path, experiment: &Experiment) -> Result<PointsCsv, OutputError> {
        let path = dir.join("points.csv");
        let file = AtomicFile::create(&path).map_err(|e| io_error(&path, e))?;
        let mut writer = csv::Writer::from_writer(file);
        let header = point_header(experiment)
            .into_iter()
            .chain(POINTS_STATISTICS);
        writer
            .write_record(header)
            .map_err(|e| io_error(&path, e.into()))?;
        Ok(PointsCsv { writer })
    }

    /// Writes the rows of `point`: one per outcome, and one per category of a categorical
    /// outcome (its `mean` the share of the point's runs in it, the interval Wilson's, the
    /// quantiles empty). `n` is the runs the mean is over: for a numeric outcome, those that
    /// had a value (a convoy that never arrived has no arrival day).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(
        &mut self,
        experiment: &Experiment,
        point: u64,
        summary: &BatchSummary,
    ) -> Result<(), OutputError> {
        let fields = point_fields(experiment, point);
        let path = self.writer.get_ref().target().to_path_buf();
        let writer = &mut self.writer;
        let mut write = |outcome: &str, category: &str, numbers: [Option<f64>; 6], n: u64| {
            let record = fields
                .iter()
                .cloned()
                .chain([outcome.to_string(), category.to_string(), n.to_string()])
                .chain(numbers.map(number_field));
            writer.write_record(record)
        };
        for outcome in &summary.outcomes {
            let name = outcome.column.name.as_str();
            let written = match &outcome.stats {
                OutcomeStats::Numeric(s) => {
                    let numbers = [s.mean, s.ci95_low, s.ci95_high, s.p05, s.p50, s.p95];
                    write(name, "", numbers, s.present)
                }
                OutcomeStats::Categories(categories) => categories.iter().try_for_each(|c| {
                    let share = [Some(c.proportion), Some(c.ci95_low), Some(c.ci95_high)];
                    let numbers = [share[0], share[1], share[2], None, None, None];
                    write(name, &c.category, numbers, c.n)
                }),
            };
            written.map_err(|e| io_error(&path, e.into()))?;
        }
        Ok(())
    }
}

/// The top of a sweep's `manifest.json`: what kind of folder it is and the experiment, then
/// the batch's own manifest (its identity with the experiment file's SHA-256, status, times,
/// commands).
#[derive(Debug, Clone, Serialize)]
pub struct SweepManifest<'a> {
    /// Always `sweep`.
    pub kind: &'static str,
    /// The batch: identity, status, rows done, commands.
    #[serde(flatten)]
    pub batch: &'a Manifest,
    /// The experiment: its file, design, factors and diagnostics.
    pub experiment: SweepDescription<'a>,
}

/// The experiment as the manifest states it.
#[derive(Debug, Clone, Serialize)]
pub struct SweepDescription<'a> {
    /// The experiment file, as given.
    pub file: String,
    /// The design's construction, e.g. `NOLH 17×5 (Cioppa & Lucas 2007)`.
    pub design: &'a str,
    /// Design points.
    pub points: u64,
    /// Replications of every point.
    pub replicates: u64,
    /// The factors, in the order of their columns.
    pub factors: Vec<ManifestFactor<'a>>,
    /// How good the design is.
    pub diagnostics: Diagnostics,
}

/// A factor as the manifest states it.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestFactor<'a> {
    /// Its scenario path.
    pub path: &'a str,
    /// Its column in `design.csv`, `runs.csv` and `points.csv`.
    pub column: &'a str,
    /// `real`, `integer` or `categorical`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `[low, high]` of a real or integer factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    /// The levels of a categorical factor.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub levels: &'a [String],
    /// `decision` or `noise`, in a crossed design.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `draw` (it replaces a number's draw) or `override` (the scenario is resolved with it).
    pub applied: &'static str,
}

impl<'a> SweepDescription<'a> {
    /// The description of `experiment`.
    pub fn of(experiment: &'a Experiment) -> SweepDescription<'a> {
        let factors = experiment
            .factors
            .iter()
            .map(|f| {
                let (kind, range) = match f.domain {
                    Factor::Real { low, high } => ("real", Some([low, high])),
                    Factor::Integer { low, high } => ("integer", Some([low as f64, high as f64])),
                    Factor::Categorical { .. } => ("categorical", None),
                };
                ManifestFactor {
                    path: &f.path,
                    column: &f.column,
                    kind,
                    range,
                    levels: &f.levels,
                    role: f.role,
                    applied: match f.applied {
                        Applied::Draw => "draw",
                        Applied::Override => "override",
                    },
                }
            })
            .collect();
        SweepDescription {
            file: experiment.file.display().to_string(),
            design: experiment.design.name(),
            points: experiment.points(),
            replicates: experiment.replicates,
            factors,
            diagnostics: experiment.diagnostics,
        }
    }
}

/// Ends a sweep: writes `design.csv` (the points whose first row is in `rows`), closes
/// `points.csv` and the journal, writes `manifest`, and renames everything into place, the
/// manifest last. `failures.csv` is there only when rows `failed`.
///
/// # Errors
/// When a file cannot be written or renamed.
pub fn finish_sweep(
    mut files: BatchFiles,
    points: PointsCsv,
    experiment: &Experiment,
    rows: &Range<u64>,
    (manifest, failed): (&SweepManifest<'_>, bool),
) -> Result<Vec<PathBuf>, OutputError> {
    let design = files.output_file("design.csv")?;
    let design_path = design.target().to_path_buf();
    let mut writer = csv::Writer::from_writer(design);
    let written: Result<(), csv::Error> = (|| {
        writer.write_record(point_header(experiment))?;
        for point in points_starting_in(experiment, rows) {
            writer.write_record(point_fields(experiment, point))?;
        }
        writer.flush()?;
        Ok(())
    })();
    written.map_err(|e| io_error(&design_path, e.into()))?;
    let design = writer
        .into_inner()
        .map_err(|e| io_error(&design_path, e.into_error()))?;
    let points = points
        .writer
        .into_inner()
        .map_err(|e| io_error(Path::new("points.csv"), e.into_error()))?;
    files.close_journal()?;
    let write = |batch: &Manifest, file: &mut AtomicFile| {
        let published = SweepManifest {
            kind: manifest.kind,
            batch,
            experiment: manifest.experiment.clone(),
        };
        serde_json::to_writer_pretty(&mut *file, &published)
            .map_err(std::io::Error::from)
            .and_then(|()| file.write_all(b"\n"))
    };
    files.publish(
        &experiment.base,
        vec![design, points],
        (manifest.batch, &write),
        failed,
    )
}
