//! The outcome `drivers` explains: a `runs.csv` column chosen on the command line
//! (`NAME`, `NAME=CATEGORY`, `NAME!=CATEGORY`), checked against the scenario's columns, and the
//! rule that turns that column's fields into numbers (1/0 for a yes/no outcome).

use std::str::FromStr;

use super::AnalysisError;
use crate::sim::{ColumnKind, OutcomeSchema};

/// The outcome to explain: a column, and for a category column the category that counts as
/// "yes" (`kidal_column_status=arrived`), or with `!=` every other category
/// (`kidal_column_status!=arrived`: the column does not arrive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeChoice {
    /// The `runs.csv` column.
    pub name: String,
    /// The category, for a category column.
    pub category: Option<String>,
    /// Whether "yes" is every category but `category` (written `NAME!=CATEGORY`).
    pub negated: bool,
}

impl FromStr for OutcomeChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, category, negated) = match (s.split_once("!="), s.split_once('=')) {
            (Some((name, category)), _) => (name, Some(category.trim().to_string()), true),
            (None, Some((name, category))) => (name, Some(category.trim().to_string()), false),
            (None, None) => (s, None, false),
        };
        if name.trim().is_empty() || category.as_ref().is_some_and(String::is_empty) {
            return Err(format!(
                "'{s}' is not NAME, NAME=CATEGORY or NAME!=CATEGORY, e.g. \
                 kidal_column_status!=arrived"
            ));
        }
        Ok(OutcomeChoice {
            name: name.trim().to_string(),
            category,
            negated,
        })
    }
}

impl std::fmt::Display for OutcomeChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.category {
            Some(c) if self.negated => write!(f, "{}!={c}", self.name),
            Some(c) => write!(f, "{}={c}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The default outcome: whether the scenario's first convoy arrived.
pub fn default_outcome(schema: &OutcomeSchema) -> Option<OutcomeChoice> {
    schema
        .columns
        .iter()
        .find(|c| c.name.ends_with("_status") && matches!(c.kind, ColumnKind::Category { .. }))
        .map(|c| OutcomeChoice {
            name: c.name.clone(),
            category: Some("arrived".to_string()),
            negated: false,
        })
}

/// How the chosen outcome's `runs.csv` fields become numbers: a number column's values as they
/// are, a category column's as 1 where the run is a "yes" and 0 otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRule {
    /// The `runs.csv` column.
    pub column: String,
    /// For a category column: its categories, the one named, and whether "yes" is every other.
    yes: Option<(Vec<String>, usize, bool)>,
}

impl OutcomeRule {
    /// The rule for `choice` among `schema`'s outcome columns (its parameter columns are inputs,
    /// not outcomes).
    ///
    /// # Errors
    /// An unknown column (listing the outcomes), a category column without a category (listing
    /// the choices), an unknown category, or a category given for a number column.
    pub fn new(schema: &OutcomeSchema, choice: &OutcomeChoice) -> Result<Self, AnalysisError> {
        let outcomes = || {
            schema
                .columns
                .iter()
                .filter(|c| c.kind != ColumnKind::Parameter)
        };
        let unknown = || AnalysisError::UnknownOutcome {
            name: choice.name.clone(),
            valid: outcomes()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let column = outcomes()
            .find(|c| c.name == choice.name)
            .ok_or_else(unknown)?;
        let yes = match (&column.kind, &choice.category) {
            (ColumnKind::Category { categories }, None) => {
                return Err(AnalysisError::NeedsCategory {
                    name: choice.name.clone(),
                    categories: categories.clone(),
                });
            }
            (ColumnKind::Category { categories }, Some(c)) => {
                let index = categories.iter().position(|k| k == c).ok_or_else(|| {
                    AnalysisError::UnknownCategory {
                        name: choice.name.clone(),
                        category: c.clone(),
                        valid: categories.join(", "),
                    }
                })?;
                Some((categories.clone(), index, choice.negated))
            }
            (_, Some(c)) => {
                return Err(AnalysisError::UnknownCategory {
                    name: choice.name.clone(),
                    category: c.clone(),
                    valid: format!(
                        "none: {} is a number, give it without =CATEGORY",
                        choice.name
                    ),
                });
            }
            (_, None) => None,
        };
        Ok(OutcomeRule {
            column: column.name.clone(),
            yes,
        })
    }

    /// Whether the outcome is yes/no (a category chosen), which PRIM can explain.
    pub fn is_yes_no(&self) -> bool {
        self.yes.is_some()
    }

    /// The outcome's value in a run whose field reads `field`: `None` where it is empty (a
    /// failed run, or the event did not happen) or not a finite number.
    ///
    /// # Errors
    /// When the field is neither empty nor a value of the column.
    pub fn value(&self, field: &str) -> Result<Option<f64>, String> {
        if field.is_empty() {
            return Ok(None);
        }
        match &self.yes {
            Some((categories, yes, negated)) => match categories.iter().position(|c| c == field) {
                Some(i) => Ok(Some(if (i == *yes) != *negated { 1.0 } else { 0.0 })),
                None => Err(format!("'{field}' is not one of {}", categories.join(", "))),
            },
            None => field
                .parse::<f64>()
                .map(|v| v.is_finite().then_some(v))
                .map_err(|_| format!("'{field}' is not a number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Column;

    #[test]
    fn outcome_choices_read_as_name_and_category() {
        let c: OutcomeChoice = "kidal_column_status=arrived".parse().unwrap();
        assert_eq!(
            (c.name.as_str(), c.category.as_deref()),
            ("kidal_column_status", Some("arrived"))
        );
        assert_eq!(c.to_string(), "kidal_column_status=arrived");
        let not: OutcomeChoice = "kidal_column_status!=arrived".parse().unwrap();
        assert!(not.negated && not.category.as_deref() == Some("arrived"));
        assert_eq!(not.to_string(), "kidal_column_status!=arrived");
        assert!("=x".parse::<OutcomeChoice>().is_err() && "a=".parse::<OutcomeChoice>().is_err());
    }

    #[test]
    fn fields_become_yes_no_or_numbers_and_empty_fields_are_left_out() {
        let schema = OutcomeSchema {
            columns: vec![
                Column {
                    name: "status".into(),
                    kind: ColumnKind::Category {
                        categories: vec!["arrived".into(), "halted".into()],
                    },
                },
                Column {
                    name: "arrival_day".into(),
                    kind: ColumnKind::Day,
                },
                Column {
                    name: "rate".into(),
                    kind: ColumnKind::Parameter,
                },
            ],
        };
        let rule = |s: &str| OutcomeRule::new(&schema, &s.parse().unwrap());
        let not_arrived = rule("status!=arrived").unwrap();
        assert!(not_arrived.is_yes_no());
        assert_eq!(not_arrived.value("halted"), Ok(Some(1.0)));
        assert_eq!(not_arrived.value("arrived"), Ok(Some(0.0)));
        assert_eq!(not_arrived.value(""), Ok(None));
        assert!(
            not_arrived
                .value("lost")
                .unwrap_err()
                .contains("arrived, halted")
        );
        let day = rule("arrival_day").unwrap();
        assert_eq!(day.value("12.250"), Ok(Some(12.25)));
        assert!(day.value("soon").is_err());
        assert!(matches!(
            rule("rate"),
            Err(AnalysisError::UnknownOutcome { valid, .. }) if valid == "status, arrival_day"
        ));
    }
}
