//! `run --format parquet`: `runs.parquet` read back with the parquet crate holds the columns of
//! `runs.csv` with the dictionary's types and the same values, nulls where the CSV is empty. A
//! build without the `parquet` feature refuses the option with exit 2 and says how to build one.

use super::cli::sandtable;

#[cfg(feature = "parquet")]
#[test]
fn runs_parquet_reads_back_as_runs_csv_with_types() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::cli::run_file;

    let dir = tempfile::tempdir().unwrap();
    let csv = run_file(
        dir.path(),
        &["--runs", "250", "--format", "csv,parquet"],
        "runs.csv",
    );
    let mut rows = csv::Reader::from_reader(csv.as_slice());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();

    let file = std::fs::File::open(dir.path().join("runs.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, header.iter().collect::<Vec<_>>());
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 250);
    let kind = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(kind("run"), DataType::Int64);
    assert_eq!(kind("seed"), DataType::UInt64);
    assert_eq!(kind("fama_killed"), DataType::Int64);
    assert_eq!(kind("kidal_column_arrival_day"), DataType::Float64);
    assert_eq!(kind("kidal_column_status"), DataType::Utf8);
    assert_eq!(kind("combat_night_factor"), DataType::Float64);

    // Every field, row by row: the same value as runs.csv, null where it is empty.
    let mut row = 0;
    let mut nulls = 0;
    for batch in &batches {
        for i in 0..batch.num_rows() {
            let record = &records[row];
            for (c, column) in batch.columns().iter().enumerate() {
                let text = &record[c];
                if text.is_empty() {
                    assert!(column.is_null(i), "{} row {row}", header[c]);
                    nulls += 1;
                    continue;
                }
                let same = match column.data_type() {
                    DataType::Int64 => {
                        column.as_primitive::<Int64Type>().value(i).to_string() == text
                    }
                    DataType::UInt64 => {
                        column.as_primitive::<UInt64Type>().value(i).to_string() == text
                    }
                    DataType::Float64 => {
                        column.as_primitive::<Float64Type>().value(i)
                            == text.parse::<f64>().unwrap()
                    }
                    _ => column.as_string::<i32>().value(i) == text,
                };
                assert!(same, "{} row {row}: runs.csv has {text}", header[c]);
            }
            row += 1;
        }
    }
    // Runs where the column never arrived have no arrival day: nulls, not zeros.
    assert!(nulls > 0);
}

#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_parquet_feature_format_parquet_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let output = sandtable()
        .args(["run", "--runs", "5", "--format", "parquet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--features parquet"), "{stderr}");
    // Refused before anything ran: no folder, no half a batch.
    assert!(!out.exists());
}

#[test]
fn format_parquet_without_out_is_a_usage_error() {
    let output = sandtable()
        .args(["run", "--runs", "5", "--format", "parquet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--out"));
}
