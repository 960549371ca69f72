//! `runs.parquet`: the columns of `runs.csv`, typed, for Arrow, polars and DuckDB (a million
//! rows of 140 columns load in a second instead of a minute of CSV parsing). Written from the
//! finished `runs.csv`, so it holds exactly its values whether the batch ran in one go or was
//! resumed; read in blocks, so memory stays flat whatever the number of runs. Only built with
//! the `parquet` feature.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::runs::{KEY_COLUMNS, parse_field};
use super::{AtomicFile, OutputError, io_error};
use crate::scenario::{CombatMode, Scenario};
use crate::sim::{ColumnKind, OutcomeSchema, Value};

/// Rows per Parquet row group: large enough for fast scans, small enough to hold in memory.
const ROWS_PER_GROUP: usize = 65_536;

/// The Arrow type of each column of `runs.csv`: `run` Int64, `seed` UInt64, counts Int64 (Float64
/// in a mean-field scenario, whose counts are expected values), days and drawn numbers Float64,
/// categories Utf8. Every column but `run` and `seed` is nullable (a failed run, an event that
/// did not happen).
pub fn runs_arrow_schema(scenario: &Scenario) -> Schema {
    let schema = OutcomeSchema::for_scenario(scenario);
    let whole_counts = scenario.combat.mode != CombatMode::MeanField;
    let mut fields = vec![
        Field::new(KEY_COLUMNS[0], DataType::Int64, false),
        Field::new(KEY_COLUMNS[1], DataType::UInt64, false),
    ];
    for c in &schema.columns {
        let kind = match c.kind {
            ColumnKind::Count if whole_counts => DataType::Int64,
            ColumnKind::Count | ColumnKind::Day | ColumnKind::Parameter => DataType::Float64,
            ColumnKind::Category { .. } => DataType::Utf8,
        };
        fields.push(Field::new(&c.name, kind, true));
    }
    Schema::new(fields)
}

/// One column being filled, of the type [`runs_arrow_schema`] gives it.
enum ColumnBuilder {
    Int(Int64Builder),
    Unsigned(UInt64Builder),
    Float(Float64Builder),
    Text(StringBuilder),
}

impl ColumnBuilder {
    fn of(kind: &DataType) -> ColumnBuilder {
        match kind {
            DataType::Int64 => ColumnBuilder::Int(Int64Builder::new()),
            DataType::UInt64 => ColumnBuilder::Unsigned(UInt64Builder::new()),
            DataType::Utf8 => ColumnBuilder::Text(StringBuilder::new()),
            _ => ColumnBuilder::Float(Float64Builder::new()),
        }
    }

    /// Appends one `runs.csv` field of a column of `kind` (None for `run` and `seed`).
    fn push(&mut self, field: &str, kind: Option<&ColumnKind>) -> Result<(), String> {
        let Some(kind) = kind else {
            let key: u64 = field.parse().map_err(|e| format!("'{field}': {e}"))?;
            match self {
                ColumnBuilder::Int(b) => b.append_value(key as i64),
                ColumnBuilder::Unsigned(b) => b.append_value(key),
                _ => return Err(format!("'{field}' in a key column of another type")),
            }
            return Ok(());
        };
        match (self, parse_field(field, kind)?) {
            (ColumnBuilder::Text(b), Value::Empty) => b.append_null(),
            (ColumnBuilder::Text(b), _) => b.append_value(field),
            (ColumnBuilder::Int(b), Value::Number(v)) => b.append_value(v as i64),
            (ColumnBuilder::Float(b), Value::Number(v)) => b.append_value(v),
            (ColumnBuilder::Int(b), _) => b.append_null(),
            (ColumnBuilder::Float(b), _) => b.append_null(),
            (ColumnBuilder::Unsigned(b), _) => b.append_null(),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Int(b) => Arc::new(b.finish()),
            ColumnBuilder::Unsigned(b) => Arc::new(b.finish()),
            ColumnBuilder::Float(b) => Arc::new(b.finish()),
            ColumnBuilder::Text(b) => Arc::new(b.finish()),
        }
    }
}

/// Writes `dir/runs.parquet` from `dir/runs.csv` of a batch of `scenario` (under a temporary
/// name, renamed into place whole) and returns its path.
///
/// # Errors
/// When a file cannot be read or written, or `runs.csv` is not the scenario's (a bug, or a
/// file edited by hand).
pub fn write_runs_parquet(dir: &Path, scenario: &Scenario) -> Result<PathBuf, OutputError> {
    let csv_path = dir.join("runs.csv");
    let path = dir.join("runs.parquet");
    let input = File::open(&csv_path).map_err(|e| io_error(&csv_path, e))?;
    let mut reader = csv::Reader::from_reader(BufReader::new(input));
    let arrow = Arc::new(runs_arrow_schema(scenario));
    let outcome = OutcomeSchema::for_scenario(scenario);
    let kinds: Vec<Option<&ColumnKind>> = [None, None]
        .into_iter()
        .chain(outcome.columns.iter().map(|c| Some(&c.kind)))
        .collect();
    let header = reader
        .headers()
        .map_err(|e| bad(&csv_path, &e.to_string()))?;
    if header
        .iter()
        .ne(arrow.fields().iter().map(|f| f.name().as_str()))
    {
        return Err(bad(&csv_path, "its header is not the scenario's columns"));
    }
    let mut file = AtomicFile::create(&path).map_err(|e| io_error(&path, e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
        .build();
    let mut writer = ArrowWriter::try_new(&mut file, arrow.clone(), Some(properties))
        .map_err(|e| bad(&path, &e.to_string()))?;
    let mut builders: Vec<ColumnBuilder> = arrow
        .fields()
        .iter()
        .map(|f| ColumnBuilder::of(f.data_type()))
        .collect();
    let mut rows = 0;
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(&csv_path, &e.to_string()))?;
        for ((builder, field), kind) in builders.iter_mut().zip(record.iter()).zip(&kinds) {
            builder
                .push(field, *kind)
                .map_err(|e| bad(&csv_path, &format!("row {}: {e}", line + 1)))?;
        }
        rows += 1;
        if rows == ROWS_PER_GROUP {
            flush(&mut writer, &arrow, &mut builders, &path)?;
            rows = 0;
        }
    }
    if rows > 0 {
        flush(&mut writer, &arrow, &mut builders, &path)?;
    }
    writer.close().map_err(|e| bad(&path, &e.to_string()))?;
    file.commit().map_err(|e| io_error(&path, e))?;
    Ok(path)
}

/// Writes the rows gathered in `builders` as one batch.
fn flush(
    writer: &mut ArrowWriter<&mut AtomicFile>,
    arrow: &Arc<Schema>,
    builders: &mut [ColumnBuilder],
    path: &Path,
) -> Result<(), OutputError> {
    let columns: Vec<ArrayRef> = builders.iter_mut().map(ColumnBuilder::finish).collect();
    let batch =
        RecordBatch::try_new(arrow.clone(), columns).map_err(|e| bad(path, &e.to_string()))?;
    writer.write(&batch).map_err(|e| bad(path, &e.to_string()))
}

/// A failure converting or writing: an internal error (the batch wrote `runs.csv` itself).
fn bad(path: &Path, message: &str) -> OutputError {
    OutputError::Internal(format!("{}: {message}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_types_counts_days_and_categories() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let schema = runs_arrow_schema(&scenario);
        let kind = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
        assert_eq!(kind("run"), DataType::Int64);
        assert_eq!(kind("fama_killed"), DataType::Int64);
        assert_eq!(kind("kidal_column_arrival_day"), DataType::Float64);
        assert_eq!(kind("kidal_column_status"), DataType::Utf8);
        assert_eq!(kind("combat_surprise_factor"), DataType::Float64);
    }
}
