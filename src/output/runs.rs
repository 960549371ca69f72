//! `runs.csv`: one row per replication, in run order, streamed as the batch goes: `run`, `seed`,
//! then the scenario's outcome columns; and reading its fields back, exactly, when a batch
//! resumes. Also the one-row `outcome.csv` of a replay, which has the same header.

use std::io::{self, Write};

use crate::sim::{ColumnKind, Outcome, OutcomeSchema, Value};

/// The value a `runs.csv` field stands for: the inverse of [`Value::to_field`] on what it
/// writes, so that `parse_field(v.to_field(k), k)` is `v` to the bit for every value a run can
/// produce (but `-0`, which is written `0`, and NaN's payload).
///
/// # Errors
/// When the text is neither empty nor a value of the column's kind.
pub fn parse_field(text: &str, kind: &ColumnKind) -> Result<Value, String> {
    if text.is_empty() {
        return Ok(Value::Empty);
    }
    match kind {
        ColumnKind::Category { categories } => categories
            .iter()
            .position(|c| c == text)
            .map(Value::Category)
            .ok_or_else(|| format!("'{text}' is not one of {}", categories.join(", "))),
        ColumnKind::Count | ColumnKind::Day | ColumnKind::Parameter => text
            .parse::<f64>()
            .map(Value::Number)
            .map_err(|_| format!("'{text}' is not a number")),
    }
}

/// The outcome as `runs.csv` holds it: each value written as its field and read back.
///
/// The statistics are computed on this, not on the values in memory, so that a batch resumed
/// from its `runs.csv` (whose values come from the text) summarises to the same bytes as one
/// that ran in one go, whatever rounding the text does.
///
/// # Errors
/// When the outcome does not fit the schema (a bug in the simulation): the wrong number of
/// values, or a category a column does not have.
pub fn canonical_outcome(outcome: &Outcome, schema: &OutcomeSchema) -> Result<Outcome, String> {
    if outcome.values.len() != schema.columns.len() {
        return Err(format!(
            "the outcome has {} values for {} columns",
            outcome.values.len(),
            schema.columns.len()
        ));
    }
    let values = outcome
        .values
        .iter()
        .zip(&schema.columns)
        .map(|(value, column)| {
            if let (Value::Category(i), ColumnKind::Category { categories }) = (value, &column.kind)
                && *i >= categories.len()
            {
                return Err(format!(
                    "outcome column {} got category {i} of {}",
                    column.name,
                    categories.len()
                ));
            }
            parse_field(&value.to_field(&column.kind), &column.kind)
                .map_err(|e| format!("outcome column {}: {e}", column.name))
        })
        .collect::<Result<Vec<Value>, String>>()?;
    Ok(Outcome { values })
}

/// Writes `runs.csv` rows onto any writer.
pub struct RunsCsv<W: Write> {
    writer: csv::Writer<W>,
    kinds: Vec<ColumnKind>,
}

impl<W: Write> std::fmt::Debug for RunsCsv<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunsCsv")
            .field("columns", &self.kinds.len())
            .finish_non_exhaustive()
    }
}

impl<W: Write> RunsCsv<W> {
    /// Starts the file: writes the header `run,seed,<outcome columns>`.
    ///
    /// # Errors
    /// When the writer fails.
    pub fn new(writer: W, schema: &OutcomeSchema) -> io::Result<RunsCsv<W>> {
        let mut runs = RunsCsv::appending(writer, schema);
        runs.writer
            .write_record(["run", "seed"].into_iter().chain(schema.names()))?;
        Ok(runs)
    }

    /// Goes on with a file that already has its header and some rows (a resumed batch).
    pub fn appending(writer: W, schema: &OutcomeSchema) -> RunsCsv<W> {
        let writer = csv::Writer::from_writer(writer);
        let kinds = schema.columns.iter().map(|c| c.kind.clone()).collect();
        RunsCsv { writer, kinds }
    }

    /// Writes the row of replication `run` of the batch seeded `seed`.
    ///
    /// # Errors
    /// When the writer fails, or the outcome does not have one value per column.
    pub fn write_row(&mut self, run: u64, seed: u64, outcome: &Outcome) -> io::Result<()> {
        if outcome.values.len() != self.kinds.len() {
            return Err(io::Error::other(format!(
                "run {run} has {} outcome values for {} columns",
                outcome.values.len(),
                self.kinds.len()
            )));
        }
        self.writer.write_field(run.to_string())?;
        self.writer.write_field(seed.to_string())?;
        for (value, kind) in outcome.values.iter().zip(&self.kinds) {
            self.writer.write_field(value.to_field(kind))?;
        }
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Pushes what is buffered to the writer, so the rows so far reach the file.
    ///
    /// # Errors
    /// When the writer fails.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Flushes and returns the writer.
    ///
    /// # Errors
    /// When the last bytes cannot be written.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| io::Error::other(e.error().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Column, Value};

    #[test]
    fn header_and_rows() {
        let schema = OutcomeSchema {
            columns: vec![
                Column {
                    name: "c_status".into(),
                    kind: ColumnKind::Category {
                        categories: vec!["arrived".into(), "halted".into()],
                    },
                },
                Column {
                    name: "c_arrival_day".into(),
                    kind: ColumnKind::Day,
                },
                Column {
                    name: "ied_strikes".into(),
                    kind: ColumnKind::Count,
                },
                Column {
                    name: "combat_night_factor".into(),
                    kind: ColumnKind::Parameter,
                },
            ],
        };
        let mut w = RunsCsv::new(Vec::new(), &schema).unwrap();
        w.write_row(
            0,
            7,
            &Outcome {
                values: vec![
                    Value::Category(0),
                    Value::Number(61.25),
                    Value::Number(4.0),
                    Value::Number(0.1 + 0.2),
                ],
            },
        )
        .unwrap();
        w.write_row(
            1,
            7,
            &Outcome {
                values: vec![
                    Value::Category(1),
                    Value::Empty,
                    Value::Number(0.0),
                    Value::Number(0.5),
                ],
            },
        )
        .unwrap();
        let bytes = w.finish().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "run,seed,c_status,c_arrival_day,ied_strikes,combat_night_factor\n\
             0,7,arrived,61.250,4,0.30000000000000004\n\
             1,7,halted,,0,0.5\n"
        );
    }

    #[test]
    fn fields_read_back_to_the_same_values() {
        let kinds = [
            ColumnKind::Day,
            ColumnKind::Count,
            ColumnKind::Parameter,
            ColumnKind::Category {
                categories: vec!["arrived".into(), "halted".into()],
            },
        ];
        let values = [
            (Value::Number(61.25), 0),
            (
                Value::Number((1234.0_f64 / 24.0 * 1000.0).round() / 1000.0),
                0,
            ),
            (Value::Number(17.0), 1),
            (Value::Number(2.5e15), 1),
            (Value::Number(0.1 + 0.2), 2),
            (Value::Number(1.0 / 3.0), 2),
            (Value::Number(-7.25e-9), 2),
            (Value::Category(1), 3),
            (Value::Empty, 0),
            (Value::Empty, 3),
        ];
        for (value, k) in values {
            let field = value.to_field(&kinds[k]);
            assert_eq!(parse_field(&field, &kinds[k]), Ok(value), "{field}");
        }
        // -0 is written 0 and reads back as +0: the statistics see what the file says.
        assert_eq!(
            parse_field(&Value::Number(-0.0).to_field(&kinds[1]), &kinds[1]),
            Ok(Value::Number(0.0))
        );
        assert!(parse_field("stuck", &kinds[3]).is_err());
        assert!(parse_field("x1", &kinds[0]).is_err());
    }

    #[test]
    fn canonical_outcomes_are_what_the_file_holds() {
        let schema = OutcomeSchema {
            columns: vec![
                Column {
                    name: "lost".into(),
                    kind: ColumnKind::Count,
                },
                Column {
                    name: "s".into(),
                    kind: ColumnKind::Category {
                        categories: vec!["a".into()],
                    },
                },
            ],
        };
        let outcome = Outcome {
            values: vec![Value::Number(-0.0), Value::Category(0)],
        };
        let canonical = canonical_outcome(&outcome, &schema).unwrap();
        assert_eq!(canonical.values[0].number().map(f64::to_bits), Some(0));
        let misfit = Outcome {
            values: vec![Value::Number(1.0), Value::Category(3)],
        };
        assert!(canonical_outcome(&misfit, &schema).is_err());
        assert!(canonical_outcome(&Outcome { values: vec![] }, &schema).is_err());
    }

    #[test]
    fn a_short_outcome_is_an_error() {
        let schema = OutcomeSchema {
            columns: vec![Column {
                name: "x".into(),
                kind: ColumnKind::Count,
            }],
        };
        let mut w = RunsCsv::new(Vec::new(), &schema).unwrap();
        assert!(w.write_row(0, 1, &Outcome { values: vec![] }).is_err());
    }
}
