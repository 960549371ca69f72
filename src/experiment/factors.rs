//! An experiment's factors bound to its scenario: each `[[factor]]` checked (a range that is not
//! empty, levels that are there, a path the scenario has) and told how it is applied — a number
//! of the scenario as a given draw, anything else (a boolean, a text) as an override.

use std::ops::Range;

use toml::{Spanned, Value};

use super::file::{FactorKind, FactorSpec, Role, Source};
use crate::design::Factor;
use crate::scenario::{Override, Scenario, ScenarioError, did_you_mean};

/// How a factor's setting reaches a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A number of the scenario: the setting replaces that number's draw, and every other
    /// number keeps its own keyed stream.
    Draw,
    /// Anything else, and a road's length (which also sets the scenario's routes and distance
    /// tables, worked out on mean lengths when it is resolved): the scenario is resolved again
    /// with the setting as a `--set` (once per distinct set of such settings, not per run).
    Override,
}

/// One factor of an experiment, bound to the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentFactor {
    /// The scenario path, as `--set` takes it.
    pub path: String,
    /// Its `runs.csv` and `design.csv` column: the path with `.` → `_`.
    pub column: String,
    /// The values it takes.
    pub domain: Factor,
    /// A categorical factor's levels as written in `design.csv` and `runs.csv`.
    pub levels: Vec<String>,
    /// Its side of a crossed design.
    pub role: Option<Role>,
    /// How its setting is applied.
    pub applied: Applied,
    /// A categorical factor's levels as TOML values (what an override writes).
    pub(super) level_values: Vec<Value>,
    /// Settings in a factorial design.
    pub(super) steps: usize,
}

/// Loads the experiment's scenario with some overrides (the base has none).
pub(super) type LoadScenario<'a> = dyn Fn(&[Override]) -> Result<Scenario, ScenarioError> + 'a;

/// Binds `spec` to the scenario `base` (loaded again by `load` to check each setting).
///
/// # Errors
/// An empty range or list of levels, a type that does not fit them, a path that is not a
/// parameter of the scenario, or a setting the scenario refuses: at the key at fault.
pub(super) fn bind(
    source: &Source<'_>,
    spec: &Spanned<FactorSpec>,
    base: &Scenario,
    load: &LoadScenario<'_>,
) -> Result<ExperimentFactor, ScenarioError> {
    let factor = spec.get_ref();
    let path = factor.path.get_ref().trim().to_string();
    let (domain, level_values) = domain(source, spec)?;
    let is_number = base.params.iter().any(|p| p.path == path);
    let applied = if is_number {
        if let Some(levels) = &factor.levels
            && let Some(level) = levels
                .get_ref()
                .iter()
                .find(|l| number(l.get_ref()).is_none())
        {
            return Err(source.error(
                &level.span(),
                format!("'{path}' is a number of the scenario: its levels must be numbers"),
            ));
        }
        if shapes_the_network(&path) {
            Applied::Override
        } else {
            Applied::Draw
        }
    } else if factor.levels.is_some() {
        Applied::Override
    } else {
        return Err(not_a_number(source, &factor.path, &path, base));
    };
    check_settings(source, spec, &path, &domain, &level_values, load)?;
    let steps = match (&domain, &factor.steps) {
        (Factor::Categorical { levels }, _) => *levels,
        (_, Some(steps)) if *steps.get_ref() < 1 => {
            return Err(source.error(&steps.span(), "steps must be at least 1"));
        }
        (_, steps) => steps.as_ref().map_or(2, |s| *s.get_ref()),
    };
    Ok(ExperimentFactor {
        column: path.replace('.', "_"),
        path,
        levels: level_values.iter().map(level_text).collect(),
        domain,
        role: factor.role.as_ref().map(|r| *r.get_ref()),
        applied,
        level_values,
        steps,
    })
}

/// Whether the number at `path` is a road's length, which the scenario also uses, at its mean,
/// for its routes and distance tables: a draw alone would leave those as they were.
fn shapes_the_network(path: &str) -> bool {
    path.starts_with("road.") && path.ends_with(".length_km")
}

/// The values a factor takes: a range (real or integer) or a list of levels.
fn domain(
    source: &Source<'_>,
    spec: &Spanned<FactorSpec>,
) -> Result<(Factor, Vec<Value>), ScenarioError> {
    let factor = spec.get_ref();
    let kind = factor.kind.as_ref().map(|k| *k.get_ref());
    let kind_span = factor.kind.as_ref().map_or(spec.span(), Spanned::span);
    match (&factor.range, &factor.levels) {
        (Some(_), Some(levels)) => Err(source.error(
            &levels.span(),
            "give a factor `range = [low, high]` or `levels = [...]`, not both",
        )),
        (None, None) => Err(source.error(
            &spec.span(),
            "a factor needs `range = [low, high]` (a number) or `levels = [...]` (its settings)",
        )),
        (Some(range), None) => {
            let [low, high] = range.get_ref()[..] else {
                return Err(source.error(&range.span(), "a range is two numbers: [low, high]"));
            };
            if !(low.is_finite() && high.is_finite() && low < high) {
                return Err(source.error(
                    &range.span(),
                    format!("empty range [{low}, {high}]: a factor's low must be below its high"),
                ));
            }
            match kind {
                None | Some(FactorKind::Real) => Ok((Factor::Real { low, high }, Vec::new())),
                Some(FactorKind::Integer) if low.fract() == 0.0 && high.fract() == 0.0 => {
                    let (low, high) = (low as i64, high as i64);
                    Ok((Factor::Integer { low, high }, Vec::new()))
                }
                Some(FactorKind::Integer) => Err(source.error(
                    &range.span(),
                    format!("an integer factor's range needs whole ends; got [{low}, {high}]"),
                )),
                Some(FactorKind::Categorical) => Err(source.error(
                    &kind_span,
                    "a categorical factor takes `levels = [...]`, not a range",
                )),
            }
        }
        (None, Some(levels)) => {
            if levels.get_ref().is_empty() {
                return Err(source.error(&levels.span(), "empty list of levels: give at least one"));
            }
            if matches!(kind, Some(FactorKind::Real | FactorKind::Integer)) {
                return Err(source.error(
                    &kind_span,
                    "a real or integer factor takes `range = [low, high]`; levels make it \
                     categorical",
                ));
            }
            let written = levels.get_ref();
            if let Some(twice) = (1..written.len()).find(|&i| {
                let text = level_text(written[i].get_ref());
                written[..i].iter().any(|l| level_text(l.get_ref()) == text)
            }) {
                return Err(source.error(
                    &written[twice].span(),
                    "this level is listed twice; give each level once",
                ));
            }
            let values: Vec<Value> = levels
                .get_ref()
                .iter()
                .map(|l| l.get_ref().clone())
                .collect();
            Ok((
                Factor::Categorical {
                    levels: values.len(),
                },
                values,
            ))
        }
    }
}

/// The refusal of a range on `path`, which is no number of `base`.
fn not_a_number(
    source: &Source<'_>,
    at: &Spanned<String>,
    path: &str,
    base: &Scenario,
) -> ScenarioError {
    let numbers: Vec<String> = base.params.iter().map(|p| p.path.clone()).collect();
    let hint = match did_you_mean(path, &numbers) {
        Some(best) => format!(" — did you mean '{best}'?"),
        None => " (`sandtable check` lists the scenario's numbers; a setting that is not a \
                 number, such as a posture, takes `levels = [...]`)"
            .to_string(),
    };
    source.error(
        &at.span(),
        format!("'{path}' is not a number of the scenario, so it has no range{hint}"),
    )
}

/// Loads the scenario with each end of the range (or each level) set, so that a setting the
/// scenario refuses (a negative count, an unknown posture, a path it does not have) is refused
/// here, before anything runs.
fn check_settings(
    source: &Source<'_>,
    spec: &Spanned<FactorSpec>,
    path: &str,
    domain: &Factor,
    levels: &[Value],
    load: &LoadScenario<'_>,
) -> Result<(), ScenarioError> {
    let factor = spec.get_ref();
    let settings: Vec<(Value, Range<usize>)> = match (domain, &factor.range, &factor.levels) {
        (Factor::Real { low, high }, Some(range), _) => {
            vec![
                (Value::Float(*low), range.span()),
                (Value::Float(*high), range.span()),
            ]
        }
        (Factor::Integer { low, high }, Some(range), _) => vec![
            (Value::Integer(*low), range.span()),
            (Value::Integer(*high), range.span()),
        ],
        (_, _, Some(spans)) => levels
            .iter()
            .cloned()
            .zip(spans.get_ref().iter().map(Spanned::span))
            .collect(),
        _ => Vec::new(),
    };
    for (value, span) in settings {
        let set = setting_override(path, &value);
        if let Err(e) = load(std::slice::from_ref(&set)) {
            let unknown = e.message.contains("unknown path") || e.message.contains("unknown key");
            let span = if unknown { factor.path.span() } else { span };
            let message = e.message.trim_start_matches(&format!("{}: ", set.text));
            return Err(source.error(
                &span,
                format!("the scenario refuses {}: {message}", set.text),
            ));
        }
    }
    Ok(())
}

/// `path=value` as a `--set`.
pub(super) fn setting_override(path: &str, value: &Value) -> Override {
    Override {
        path: path.to_string(),
        value: value.clone(),
        text: format!("{path}={}", level_text(value)),
    }
}

/// A level as `design.csv` writes it: text without quotes, numbers and booleans as TOML has them.
fn level_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A TOML number as a float.
pub(super) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}
