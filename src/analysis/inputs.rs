//! A batch's rows as `drivers` analyses them: the outcome and every input, one column each,
//! and which inputs take part: a column that never varies is dropped, a two-level category is
//! coded 0/1, a category of more levels is set aside. Pure data; `output` fills the table from
//! `runs.csv`.

use super::correlation::Cell;

/// One input column over the runs used.
#[derive(Debug, Clone, PartialEq)]
pub struct InputColumn<T> {
    /// The `runs.csv` column.
    pub name: String,
    /// Its value in each run used; for a category, the index of its level in `levels`.
    pub values: Vec<T>,
    /// For a column of text values (a categorical design factor), its levels in order of first
    /// appearance; `None` for numbers.
    pub levels: Option<Vec<String>>,
}

/// The runs of a batch that have a value of the outcome, by column.
#[derive(Debug, Clone, PartialEq)]
pub struct RunsTable<T> {
    /// The outcome in each run used (1/0 for a yes/no outcome).
    pub outcome: Vec<f64>,
    /// The candidate inputs, in `runs.csv` order.
    pub inputs: Vec<InputColumn<T>>,
    /// Runs left out because the outcome is empty (a failed run, or the event did not happen).
    pub runs_skipped: usize,
}

/// A two-level category coded as a number: `zero` is 0 and `one` is 1 (levels in text order,
/// so `false` is 0 and `true` is 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedInput {
    /// The column.
    pub input: String,
    /// The level coded 0.
    pub zero: String,
    /// The level coded 1.
    pub one: String,
}

/// An input left out of the analysis, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedInput {
    /// The column.
    pub input: String,
    /// Why, in words.
    pub reason: String,
}

/// What became of the candidate inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputNotes {
    /// Inputs with one value in every run used, dropped.
    pub constant: Vec<String>,
    /// Two-level categories, coded 0/1 and analysed.
    pub encoded: Vec<EncodedInput>,
    /// Categories of more than two levels, not analysed.
    pub skipped: Vec<SkippedInput>,
}

/// The inputs that take part, as numbers, with their names, and the notes on the others.
pub fn prepare_inputs<T: Cell + PartialEq>(
    columns: Vec<InputColumn<T>>,
) -> (Vec<String>, Vec<Vec<T>>, InputNotes) {
    let (mut names, mut kept, mut notes) = (Vec::new(), Vec::new(), InputNotes::default());
    for mut column in columns {
        let varies = column.values.iter().any(|v| *v != column.values[0]);
        match column.levels.take() {
            _ if !varies => notes.constant.push(column.name),
            Some(levels) if levels.len() == 2 => {
                // Recode so that the level first in text order is 0.
                let flip = levels[0] > levels[1];
                if flip {
                    for v in &mut column.values {
                        *v = T::from_f64(1.0 - v.to_f64());
                    }
                }
                let (zero, one) = if flip { (1, 0) } else { (0, 1) };
                notes.encoded.push(EncodedInput {
                    input: column.name.clone(),
                    zero: levels[zero].clone(),
                    one: levels[one].clone(),
                });
                names.push(column.name);
                kept.push(column.values);
            }
            Some(levels) => {
                let shown: Vec<&str> = levels.iter().take(5).map(String::as_str).collect();
                let more = if levels.len() > 5 { ", …" } else { "" };
                // The reader records a few dozen levels and marks the rest with a last "…".
                let count = match levels.last().map(String::as_str) {
                    Some("…") => format!("more than {}", levels.len() - 1),
                    _ => levels.len().to_string(),
                };
                notes.skipped.push(SkippedInput {
                    input: column.name,
                    reason: format!(
                        "a category of {count} levels ({}{more}): only numbers and two-level \
                         categories are ranked; run drivers on each level's runs, or make it a \
                         yes/no factor",
                        shown.join(", ")
                    ),
                });
            }
            None => {
                names.push(column.name);
                kept.push(column.values);
            }
        }
    }
    (names, kept, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, values: &[f32], levels: Option<&[&str]>) -> InputColumn<f32> {
        InputColumn {
            name: name.to_string(),
            values: values.to_vec(),
            levels: levels.map(|l| l.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn constants_drop_two_levels_code_in_text_order_and_more_levels_are_set_aside() {
        let (names, kept, notes) = prepare_inputs(vec![
            column("rate", &[0.1, 0.3, 0.2], None),
            column("fixed", &[4.0, 4.0, 4.0], None),
            column("drones", &[0.0, 1.0, 0.0], Some(&["true", "false"])),
            column(
                "posture",
                &[0.0, 1.0, 2.0],
                Some(&["raid", "ambush", "defend"]),
            ),
            column("one_level", &[0.0, 0.0, 0.0], Some(&["only"])),
        ]);
        assert_eq!(names, ["rate", "drones"]);
        assert_eq!(kept[1], [1.0, 0.0, 1.0], "true is 1, false is 0");
        assert_eq!(notes.constant, ["fixed", "one_level"]);
        assert_eq!(
            notes.encoded,
            [EncodedInput {
                input: "drones".into(),
                zero: "false".into(),
                one: "true".into()
            }]
        );
        assert_eq!(notes.skipped[0].input, "posture");
        assert!(
            notes.skipped[0]
                .reason
                .contains("3 levels (raid, ambush, defend)")
        );
    }
}
