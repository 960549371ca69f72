//! `runs.csv`: one row per replication, in run order, streamed as the batch goes: `run`, `seed`,
//! then the scenario's outcome columns; and reading its fields back, exactly, when a batch
//! resumes. Also the one-row `outcome.csv` of a replay, which has the same header. Rows are
//! formatted straight into bytes ([`RowFormat`]), so that a batch's workers can format them.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::sim::{ColumnKind, Outcome, OutcomeSchema, Value};

/// The columns every `runs.csv` row of a plain batch starts with, before the outcome columns:
/// which run of which batch the row is.
pub(crate) const KEY_COLUMNS: [&str; 2] = ["run", "seed"];

/// The columns every `runs.csv` row of a sweep starts with: the design point and replicate,
/// then the run whose streams the row drew from (its replicate) and the seed.
pub(crate) const SWEEP_KEY_COLUMNS: [&str; 4] = ["point", "replicate", "run", "seed"];

/// Which key columns start a `runs.csv` row, and what they hold for the row at an index (the
/// index the batch driver counts in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKeys {
    /// A plain batch: [`KEY_COLUMNS`]; row `index` is run `index`.
    Run,
    /// A sweep of `replicates` replicates per point: [`SWEEP_KEY_COLUMNS`]; row `index` is
    /// point `index / replicates`, replicate and run `index % replicates`.
    Sweep {
        /// Replicates of every design point (at least 1).
        replicates: u64,
    },
}

impl RowKeys {
    /// The key columns' names.
    pub(crate) fn columns(self) -> &'static [&'static str] {
        match self {
            RowKeys::Run => &KEY_COLUMNS,
            RowKeys::Sweep { .. } => &SWEEP_KEY_COLUMNS,
        }
    }

    /// The first column of `failures.csv`: the run, or for a sweep the row (from 0, in
    /// `runs.csv` order), which names a failed row without ambiguity.
    pub(crate) fn failure_header(self) -> [&'static str; 3] {
        match self {
            RowKeys::Run => ["run", "seed", "error"],
            RowKeys::Sweep { .. } => ["row", "seed", "error"],
        }
    }
}

/// The header of a plain batch's `runs.csv`, for tests: [`keyed_header`] with the run's keys.
#[cfg(test)]
pub(crate) fn runs_header(schema: &OutcomeSchema) -> Vec<&str> {
    keyed_header(RowKeys::Run, schema)
}

/// The header of a `runs.csv` (and of a replay's `outcome.csv`) whose rows start with `keys`,
/// then `schema`'s columns in order. The one statement of the column order: the header written,
/// the rows ([`RowFormat`], through [`RowKey`]) and the reader of an interrupted batch all
/// follow it.
pub(crate) fn keyed_header(keys: RowKeys, schema: &OutcomeSchema) -> Vec<&str> {
    keys.columns()
        .iter()
        .copied()
        .chain(schema.names())
        .collect()
}

/// A row's values for its key columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowKey {
    /// Which key columns.
    pub keys: RowKeys,
    /// The row's index in the batch: the run, or a sweep's row.
    pub index: u64,
    /// The batch seed.
    pub seed: u64,
}

impl RowKey {
    /// The values, in the order of the key columns: the first `len` of the array.
    fn values(self) -> ([u64; SWEEP_KEY_COLUMNS.len()], usize) {
        match self.keys {
            RowKeys::Run => ([self.index, self.seed, 0, 0], KEY_COLUMNS.len()),
            RowKeys::Sweep { replicates } => {
                let (point, replicate) = (self.index / replicates, self.index % replicates);
                (
                    [point, replicate, replicate, self.seed],
                    SWEEP_KEY_COLUMNS.len(),
                )
            }
        }
    }

    /// The fields as `runs.csv` holds them, in the order of the key columns.
    pub(crate) fn fields(self) -> Vec<String> {
        let (values, len) = self.values();
        values[..len].iter().map(u64::to_string).collect()
    }
}

/// `value` as written in a `runs.csv` field of a column of `kind`: empty, a category name, a
/// whole number, days to the minute (3 decimals), or the shortest text that reads back to the
/// same float. The reference text: [`RowFormat`] writes the same bytes faster, the replay
/// narrative shows it, and the tests compare against it.
pub fn field_text(value: &Value, kind: &ColumnKind) -> String {
    match (*value, kind) {
        (Value::Empty, _) => String::new(),
        (Value::Category(i), ColumnKind::Category { categories }) => {
            categories.get(i).cloned().unwrap_or_default()
        }
        (Value::Category(i), _) => i.to_string(),
        (Value::Number(v), ColumnKind::Day) => format!("{v:.3}"),
        (Value::Number(v), _) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        (Value::Number(v), _) => format!("{v}"),
    }
}

/// The value a `runs.csv` field stands for: the inverse of [`field_text`] on what it
/// writes, so that `parse_field(field_text(v, k), k)` is `v` to the bit for every value a run can
/// produce (but `-0`, which is written `0`, and NaN's payload).
///
/// # Errors
/// When the text is neither empty nor a value of the column's kind.
pub(crate) fn parse_field(text: &str, kind: &ColumnKind) -> Result<Value, String> {
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
/// Each value is `parse_field(&field_text(value, kind), kind)`, but the text is only made where
/// reading it back can change the value (days, rounded to the minute), so this costs little
/// more than copying the outcome; see `canonical_value`.
///
/// # Errors
/// When the outcome does not fit the schema (a bug in the simulation): the wrong number of
/// values, or a category a column does not have.
pub(crate) fn canonical_outcome(
    outcome: &Outcome,
    schema: &OutcomeSchema,
) -> Result<Outcome, String> {
    if outcome.values.len() != schema.columns.len() {
        return Err(format!(
            "the outcome has {} values for {} columns",
            outcome.values.len(),
            schema.columns.len()
        ));
    }
    // One buffer for the day fields of the whole outcome, rather than a String per field.
    let mut text = String::new();
    let mut values = Vec::with_capacity(outcome.values.len());
    for (value, column) in outcome.values.iter().zip(&schema.columns) {
        if let (Value::Category(i), ColumnKind::Category { categories }) = (value, &column.kind)
            && *i >= categories.len()
        {
            return Err(format!(
                "outcome column {} got category {i} of {}",
                column.name,
                categories.len()
            ));
        }
        let value = canonical_value(*value, &column.kind, &mut text)
            .map_err(|e| format!("outcome column {}: {e}", column.name))?;
        values.push(value);
    }
    Ok(Outcome { values })
}

/// `parse_field(&field_text(value, kind), kind)`, going through the text (in `text`, reused) only
/// where it can change the value:
/// - a finite number in a count or parameter column is written either as the integer it is
///   (whole and below 1e15, so exact in an `i64` and back) or as the shortest text that reads
///   back to the same float; either way it reads back unchanged, but for `-0`, written `0`;
/// - a category reads back as the first category of its name (empty when the name is empty);
/// - a day is rounded to the minute by its text, so it takes the text, as do the rare others:
///   NaN and infinities (written `NaN`, `inf`, `-inf`, read back as NaN without its sign or
///   payload, and as themselves), a category index in a numeric column, a number in a category
///   column.
fn canonical_value(value: Value, kind: &ColumnKind, text: &mut String) -> Result<Value, String> {
    match (value, kind) {
        (Value::Empty, _) => Ok(Value::Empty),
        (Value::Number(v), ColumnKind::Count | ColumnKind::Parameter) if v.is_finite() => {
            Ok(Value::Number(if v == 0.0 { 0.0 } else { v }))
        }
        (Value::Category(i), ColumnKind::Category { categories }) => match categories.get(i) {
            Some(name) => parse_field(name, kind),
            // An index past the names is written as an empty field.
            None => Ok(Value::Empty),
        },
        (Value::Number(v), ColumnKind::Day) => {
            text.clear();
            // The very text `field_text` makes; writing into a String cannot fail.
            let _ = write!(text, "{v:.3}");
            parse_field(text, kind)
        }
        _ => parse_field(&field_text(&value, kind), kind),
    }
}

/// How each field of a `runs.csv` row is written, made once per batch so that a row goes
/// straight into a byte buffer, with no `String` per field: the text of [`field_text`]
/// (which stays the reference: replay narratives and the tests use it), quoted as the csv crate
/// quotes it.
#[derive(Debug, Clone)]
pub(crate) struct RowFormat {
    keys: RowKeys,
    columns: Vec<FieldFormat>,
}

#[derive(Debug, Clone)]
enum FieldFormat {
    /// Each category's name as a CSV field, quoted when the csv crate would quote it.
    Category(Vec<Box<[u8]>>),
    /// Days since the start, to the minute.
    Day,
    /// A count or a drawn number.
    Number,
}

/// One finished `runs.csv` row: its fields and the line end, ready to be appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunsRow(Vec<u8>);

impl RunsRow {
    /// The row's bytes, line end included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl RowFormat {
    /// The format of `schema`'s rows in a plain batch.
    pub fn new(schema: &OutcomeSchema) -> RowFormat {
        RowFormat::with_keys(schema, RowKeys::Run)
    }

    /// The format of `schema`'s rows, after the key columns `keys`.
    pub fn with_keys(schema: &OutcomeSchema, keys: RowKeys) -> RowFormat {
        let columns = schema
            .columns
            .iter()
            .map(|c| match &c.kind {
                ColumnKind::Category { categories } => {
                    FieldFormat::Category(categories.iter().map(|n| csv_field(n)).collect())
                }
                ColumnKind::Day => FieldFormat::Day,
                ColumnKind::Count | ColumnKind::Parameter => FieldFormat::Number,
            })
            .collect();
        RowFormat { keys, columns }
    }

    /// The row of replication `run` of the batch seeded `seed`.
    ///
    /// # Errors
    /// When the outcome does not have one value per column.
    pub fn row(&self, run: u64, seed: u64, outcome: &Outcome) -> Result<RunsRow, String> {
        // Room for a shortest float in every column (up to 17 digits, a point, a comma), so
        // that the buffer does not grow as the row is written.
        let mut bytes = Vec::with_capacity(48 + 20 * self.columns.len());
        self.write_row(&mut bytes, run, seed, outcome)?;
        Ok(RunsRow(bytes))
    }

    /// Appends the row of replication `run` of the batch seeded `seed` to `out`.
    ///
    /// # Errors
    /// When the outcome does not have one value per column; `out` is left as it was.
    pub fn write_row(
        &self,
        out: &mut Vec<u8>,
        run: u64,
        seed: u64,
        outcome: &Outcome,
    ) -> Result<(), String> {
        if outcome.values.len() != self.columns.len() {
            return Err(format!(
                "run {run} has {} outcome values for {} columns",
                outcome.values.len(),
                self.columns.len()
            ));
        }
        let mut integers = itoa::Buffer::new();
        let key = RowKey {
            keys: self.keys,
            index: run,
            seed,
        };
        let (values, len) = key.values();
        for (i, &value) in values[..len].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(integers.format(value).as_bytes());
        }
        for (value, format) in outcome.values.iter().zip(&self.columns) {
            out.push(b',');
            write_field(out, *value, format);
        }
        out.push(b'\n');
        Ok(())
    }
}

/// `name` as the csv crate writes a field with its default settings: in quotes, quotes doubled,
/// when it holds a comma, a quote or a line break; as it is otherwise. A test holds this to the
/// crate.
fn csv_field(name: &str) -> Box<[u8]> {
    let field = if name.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    };
    field.into_bytes().into_boxed_slice()
}

/// Appends `value`'s field: what [`field_text`] writes for it, arm for arm.
fn write_field(out: &mut Vec<u8>, value: Value, format: &FieldFormat) {
    match (value, format) {
        (Value::Empty, _) => {}
        (Value::Category(i), FieldFormat::Category(names)) => {
            if let Some(name) = names.get(i) {
                out.extend_from_slice(name);
            }
        }
        (Value::Category(i), _) => out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
        (Value::Number(v), FieldFormat::Day) => {
            // Writing into a Vec cannot fail.
            let _ = write!(out, "{v:.3}");
        }
        (Value::Number(v), _) => write_number(out, v),
    }
}

/// Appends `v` as [`field_text`] writes a number outside a day column: a whole number
/// below 1e15 as the integer it is (so `-0` is `0`), anything else as `Display` does, which is
/// the shortest text that reads back to `v`, never in exponent notation.
///
/// ryu finds the same shortest digits as `Display` at a fraction of the cost: both take the
/// shortest decimals that read back to `v` (bounds included for even mantissas) and, of those,
/// the closest to `v`. They part only where two are equally close: ryu rounds half to even,
/// `Display` half up. Those ties, and ryu's exponent notation outside about 1e-5..1e16, are
/// left to `Display`; the `.0` ryu writes after a whole number is cut off. The tests compare
/// the two.
fn write_number(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        return;
    }
    if v.is_finite() {
        let mut digits = ryu::Buffer::new();
        let text = digits.format_finite(v);
        if let Some(decimals) = plain_decimals(text) {
            if let Some(whole) = text.strip_suffix(".0") {
                out.extend_from_slice(whole.as_bytes());
                return;
            }
            if !may_be_halfway(v, decimals) {
                out.extend_from_slice(text.as_bytes());
                return;
            }
        }
    }
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{v}");
}

/// The digits after the point of ryu's `text`, or `None` when it is in exponent notation.
/// Scans from the end, so it reads only the decimals (a search for `e` and one for `.` cost
/// as much as ryu itself).
fn plain_decimals(text: &str) -> Option<usize> {
    let mut decimals = 0;
    for &byte in text.as_bytes().iter().rev() {
        match byte {
            b'e' => return None,
            b'.' => return Some(decimals),
            _ => decimals += 1,
        }
    }
    Some(0)
}

/// Whether the finite, non-whole `v`, written by ryu with `f` decimals, may lie exactly halfway
/// between two numbers of `f` decimals. Halfway, `v = (2D + 1)·10^-f / 2`, which is
/// `q·2^(-f-1)` with `q = (2D + 1)/5^f` odd, so the lowest bit set in `v` is `2^(-f-1)`. (Neither
/// neighbour can end in 0, or it would be a shorter text, so `f` is the decimals of ryu's pick.)
/// Random draws almost never pass this; numbers above 2^49 often do.
fn may_be_halfway(v: f64, decimals: usize) -> bool {
    lowest_bit_exponent(v) == -(decimals as i64) - 1
}

/// The `e` of the lowest bit set in the finite, non-zero `v`, as a power of two `2^e`.
fn lowest_bit_exponent(v: f64) -> i64 {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    exponent + i64::from(mantissa.trailing_zeros())
}

/// Writes `runs.csv` rows onto any writer.
pub(crate) struct RunsCsv<W: Write> {
    writer: io::BufWriter<W>,
    format: RowFormat,
    /// The row being written, kept to reuse its memory.
    row: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for RunsCsv<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunsCsv")
            .field("columns", &self.format.columns.len())
            .finish_non_exhaustive()
    }
}

impl<W: Write> RunsCsv<W> {
    /// Starts the file: writes the header ([`keyed_header`]: `keys`' columns, e.g. `run,seed`,
    /// then the outcome columns).
    ///
    /// # Errors
    /// When the writer fails.
    pub fn new(writer: W, schema: &OutcomeSchema, keys: RowKeys) -> io::Result<RunsCsv<W>> {
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(keyed_header(keys, schema))?;
        let header = header
            .into_inner()
            .map_err(|e| io::Error::other(e.error().to_string()))?;
        let mut runs = RunsCsv::appending(writer, schema, keys);
        runs.writer.write_all(&header)?;
        Ok(runs)
    }

    /// Goes on with a file that already has its header and some rows (a resumed batch), whose
    /// rows start with `keys`.
    pub fn appending(writer: W, schema: &OutcomeSchema, keys: RowKeys) -> RunsCsv<W> {
        RunsCsv {
            writer: io::BufWriter::new(writer),
            format: RowFormat::with_keys(schema, keys),
            row: Vec::new(),
        }
    }

    /// Writes the row of replication `run` of the batch seeded `seed`.
    ///
    /// # Errors
    /// When the writer fails, or the outcome does not have one value per column.
    pub fn write_row(&mut self, run: u64, seed: u64, outcome: &Outcome) -> io::Result<()> {
        self.row.clear();
        self.format
            .write_row(&mut self.row, run, seed, outcome)
            .map_err(io::Error::other)?;
        self.writer.write_all(&self.row)
    }

    /// Appends a row formatted beforehand (on a worker thread) with this file's [`RowFormat`].
    ///
    /// # Errors
    /// When the writer fails.
    pub fn append(&mut self, row: &RunsRow) -> io::Result<()> {
        self.writer.write_all(row.as_bytes())
    }

    /// Appends finished rows as they are, read from `rows` (another `runs.csv` of the same
    /// columns, after its header): `merge`'s copy of a shard's rows.
    ///
    /// # Errors
    /// When reading or writing fails.
    pub(super) fn append_bytes(&mut self, rows: &mut dyn io::Read) -> io::Result<u64> {
        io::copy(rows, &mut self.writer)
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
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::sim::{Column, Value};

    /// The columns the property tests write: every kind, and categories that need quoting,
    /// repeat a name or have none.
    fn mixed_schema() -> OutcomeSchema {
        let column = |name: &str, kind: ColumnKind| Column {
            name: name.into(),
            kind,
        };
        let categories = |names: &[&str]| ColumnKind::Category {
            categories: names.iter().map(|n| n.to_string()).collect(),
        };
        OutcomeSchema {
            columns: vec![
                column("status", categories(&["arrived", "halted", "turned_back"])),
                column("day", ColumnKind::Day),
                column("count", ColumnKind::Count),
                column("parameter", ColumnKind::Parameter),
                column(
                    "odd",
                    categories(&[
                        "a,b",
                        "say \"hi\"",
                        "two\nlines",
                        "cr\r",
                        "",
                        "none",
                        "none",
                    ]),
                ),
            ],
        }
    }

    /// What `RunsCsv` wrote before rows were formatted into bytes, kept as the reference: each
    /// field's [`field_text`] text through the csv crate.
    fn reference_row(run: u64, seed: u64, outcome: &Outcome, schema: &OutcomeSchema) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_field(run.to_string()).unwrap();
        writer.write_field(seed.to_string()).unwrap();
        for (value, column) in outcome.values.iter().zip(&schema.columns) {
            writer.write_field(field_text(value, &column.kind)).unwrap();
        }
        writer.write_record(None::<&[u8]>).unwrap();
        writer.into_inner().unwrap()
    }

    /// Numbers of every sort: any bit pattern (subnormals, NaNs, infinities included), days to
    /// the minute and next to them, whole numbers around the 1e15 and 1e16 edges, ryu's
    /// exponent edges, and the extremes.
    fn any_number() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            proptest::num::f64::ANY,
            (0..1u64 << 52, any::<bool>())
                .prop_map(|(m, negative)| f64::from_bits(m | u64::from(negative) << 63)),
            (-10_000_000i64..10_000_000).prop_map(|k| k as f64 / 1000.0),
            (-10_000_000i64..10_000_000, -3i64..=3).prop_map(|(k, ulps)| {
                f64::from_bits((k as f64 / 1000.0).to_bits().wrapping_add_signed(ulps))
            }),
            (-20_000_000i64..20_000_000).prop_map(|k| (k as f64 + 0.5) / 1000.0),
            (-100_000_000_000_000_000i64..100_000_000_000_000_000).prop_map(|k| k as f64),
            (-1e17..1e17),
            (-1e-4..1e-4),
            (-1e-3..1e-3).prop_map(|v: f64| v * 1e-3),
            (0.5..2.0, -330i32..330).prop_map(|(m, e): (f64, i32)| m * 10f64.powi(e)),
            // Mantissas ending in zeros, at every exponent: the numbers that can lie halfway
            // between two shortest decimals.
            (any::<u64>(), 0u32..53, 0u64..2047).prop_map(|(m, zeros, e)| {
                f64::from_bits(e << 52 | (m & ((1 << 52) - 1)) >> zeros << zeros)
            }),
            (1e14..1e16).prop_map(|v: f64| (v * 8.0).round() / 8.0),
            prop::sample::select(vec![
                0.0,
                -0.0,
                f64::NAN,
                -f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MIN_POSITIVE,
                f64::MAX,
                f64::MIN,
                f64::EPSILON,
                5e-324,
                1e15,
                -1e15,
                1e15 - 1.0,
                1e15 + 0.5,
                1e16,
                1e16 - 2.0,
                1e-5,
                9.999_999_999_999_999e-6,
                0.1 + 0.2,
                2f64.powi(53),
                2f64.powi(53) + 2.0,
            ]),
        ]
    }

    fn any_value(categories: usize) -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Empty),
            any_number().prop_map(Value::Number),
            (0..categories + 2).prop_map(Value::Category),
        ]
    }

    /// The same value to the bit (`Value`'s `==` would call two NaNs different).
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.to_bits() == y.to_bits(),
            _ => a == b,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        #[test]
        fn fields_are_the_reference_text(v in any_number(), i in 0usize..4) {
            let kinds = [ColumnKind::Count, ColumnKind::Parameter, ColumnKind::Day];
            let formats = [FieldFormat::Number, FieldFormat::Number, FieldFormat::Day];
            let k = i % 3;
            let mut field = Vec::new();
            write_field(&mut field, Value::Number(v), &formats[k]);
            prop_assert_eq!(
                String::from_utf8(field).unwrap(),
                field_text(&Value::Number(v), &kinds[k]),
                "{:e} ({:#x})", v, v.to_bits()
            );
        }

        #[test]
        fn canonical_values_are_the_text_read_back(v in any_number(), i in 0usize..3) {
            let kind = [ColumnKind::Count, ColumnKind::Parameter, ColumnKind::Day][i].clone();
            let value = Value::Number(v);
            let through_text = parse_field(&field_text(&value, &kind), &kind);
            let fast = canonical_value(value, &kind, &mut String::new());
            match (&fast, &through_text) {
                (Ok(a), Ok(b)) => prop_assert!(same(a, b), "{:e}: {:?} vs {:?}", v, a, b),
                _ => prop_assert_eq!(fast, through_text),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn rows_are_the_reference_bytes(
            run in any::<u64>(),
            seed in any::<u64>(),
            values in (any_value(3), any_value(3), any_value(3), any_value(3), any_value(7)),
        ) {
            let schema = mixed_schema();
            let outcome = Outcome {
                values: vec![values.0, values.1, values.2, values.3, values.4],
            };
            let row = RowFormat::new(&schema).row(run, seed, &outcome).unwrap();
            let reference = reference_row(run, seed, &outcome, &schema);
            prop_assert_eq!(
                String::from_utf8_lossy(row.as_bytes()),
                String::from_utf8_lossy(&reference)
            );
        }

        #[test]
        fn canonical_outcomes_are_the_fields_read_back(
            values in (any_value(3), any_value(3), any_value(3), any_value(3), any_value(7)),
        ) {
            let schema = mixed_schema();
            let outcome = Outcome {
                values: vec![values.0, values.1, values.2, values.3, values.4],
            };
            let fast = canonical_outcome(&outcome, &schema);
            // The old definition, field by field: an index past a column's categories is an
            // error, anything else is its text read back.
            let through_text = outcome
                .values
                .iter()
                .zip(&schema.columns)
                .map(|(value, column)| {
                    if let (Value::Category(i), ColumnKind::Category { categories }) =
                        (value, &column.kind)
                        && *i >= categories.len()
                    {
                        return Err(format!(
                            "outcome column {} got category {i} of {}",
                            column.name,
                            categories.len()
                        ));
                    }
                    parse_field(&field_text(value, &column.kind), &column.kind)
                        .map_err(|e| format!("outcome column {}: {e}", column.name))
                })
                .collect::<Result<Vec<Value>, String>>();
            match (&fast, &through_text) {
                (Ok(a), Ok(b)) => prop_assert!(
                    a.values.iter().zip(b).all(|(x, y)| same(x, y)),
                    "{:?} vs {:?}", a, b
                ),
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                _ => prop_assert!(false, "{:?} vs {:?}", fast, through_text),
            }
        }

        #[test]
        fn category_names_are_quoted_as_the_csv_crate_quotes_them(name in any::<String>()) {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(["x", name.as_str()]).unwrap();
            let record = writer.into_inner().unwrap();
            let mut ours = b"x,".to_vec();
            ours.extend_from_slice(&csv_field(&name));
            ours.push(b'\n');
            prop_assert_eq!(ours, record);
        }
    }

    #[test]
    fn numbers_at_the_edges_of_each_way_of_writing_them() {
        for (v, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (-7.0, "-7"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e15, "1000000000000000"),
            // Halfway between two shortest texts: ryu would round to even (…148.2).
            (1_960_997_772_009_148.0 + 0.25, "1960997772009148.3"),
            (524_288.0 + 1.0 / 2048.0, "524288.0004882813"),
            (-1.5e15, "-1500000000000000"),
            (1e16, "10000000000000000"),
            (2.5e20, "250000000000000000000"),
            (0.5, "0.5"),
            (1e-5, "0.00001"),
            (1.5e-7, "0.00000015"),
            (5e-324, &format!("0.{}5", "0".repeat(323))),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let mut field = Vec::new();
            write_number(&mut field, v);
            assert_eq!(String::from_utf8(field).unwrap(), text, "{v:e}");
            assert_eq!(
                field_text(&Value::Number(v), &ColumnKind::Count),
                text,
                "{v:e}"
            );
        }
    }

    #[test]
    fn odd_values_read_back_as_their_text_says() {
        let mut text = String::new();
        let count = ColumnKind::Count;
        let read = |v: f64, text: &mut String| canonical_value(Value::Number(v), &count, text);
        assert_eq!(
            read(-0.0, &mut text).unwrap().number().map(f64::to_bits),
            Some(0)
        );
        assert!(
            read(f64::NAN, &mut text)
                .unwrap()
                .number()
                .unwrap()
                .is_nan()
        );
        assert_eq!(
            read(f64::INFINITY, &mut text),
            Ok(Value::Number(f64::INFINITY))
        );
        // A category index in a numeric column is written as the index, and read as a number.
        assert_eq!(
            canonical_value(Value::Category(3), &count, &mut text),
            Ok(Value::Number(3.0))
        );
        // A repeated category name reads back as its first place; an empty one as empty.
        let schema = mixed_schema();
        let odd = &schema.columns[4].kind;
        assert_eq!(
            canonical_value(Value::Category(6), odd, &mut text),
            Ok(Value::Category(5))
        );
        assert_eq!(
            canonical_value(Value::Category(4), odd, &mut text),
            Ok(Value::Empty)
        );
        // A number in a category column is no category.
        assert!(canonical_value(Value::Number(1.0), odd, &mut text).is_err());
        // Days are rounded to the minute by their text.
        assert_eq!(
            canonical_value(Value::Number(61.2504), &ColumnKind::Day, &mut text),
            Ok(Value::Number(61.25))
        );
    }

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
        let mut w = RunsCsv::new(Vec::new(), &schema, RowKeys::Run).unwrap();
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
            let field = field_text(&value, &kinds[k]);
            assert_eq!(parse_field(&field, &kinds[k]), Ok(value), "{field}");
        }
        // -0 is written 0 and reads back as +0: the statistics see what the file says.
        assert_eq!(
            parse_field(&field_text(&Value::Number(-0.0), &kinds[1]), &kinds[1]),
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
        let mut w = RunsCsv::new(Vec::new(), &schema, RowKeys::Run).unwrap();
        assert!(w.write_row(0, 1, &Outcome { values: vec![] }).is_err());
    }
}
