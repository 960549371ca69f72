//! `runs.csv`: one row per replication, in run order, streamed as the batch goes: `run`, `seed`,
//! then the scenario's outcome columns. Also the one-row `outcome.csv` of a replay, which has
//! the same header so the two can be compared line for line.

use std::io::{self, Write};

use crate::sim::{ColumnKind, Outcome, OutcomeSchema};

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
        let mut writer = csv::Writer::from_writer(writer);
        writer.write_record(["run", "seed"].into_iter().chain(schema.names()))?;
        let kinds = schema.columns.iter().map(|c| c.kind.clone()).collect();
        Ok(RunsCsv { writer, kinds })
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
