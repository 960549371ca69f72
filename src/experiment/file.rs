//! The experiment file as written: a serde mirror of the TOML (unknown keys refused), each value
//! that a later check may blame kept with its place in the text. Nothing here looks at a
//! scenario or builds a design.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::scenario::{ScenarioError, line_col};

/// An experiment file: the scenario, the design, the factors and how often to run each point.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExperimentFile {
    /// The scenario file, relative to the experiment file; the embedded default when absent.
    pub scenario: Option<Spanned<String>>,
    /// The batch seed; `batch::DEFAULT_SEED` when absent.
    pub seed: Option<u64>,
    /// Replications of every design point.
    pub replicates: Spanned<u64>,
    /// How the points are laid out.
    pub design: Spanned<DesignSpec>,
    /// The factors, `[[factor]]` in the file.
    #[serde(rename = "factor", default)]
    pub factors: Vec<Spanned<FactorSpec>>,
}

/// `[design]` (and, inside a crossed design, `decision` and `noise`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DesignSpec {
    /// Which construction.
    pub kind: Spanned<DesignKind>,
    /// Points of a NOLH (17, 33, 65, 129 or 257) or of a Latin hypercube.
    pub points: Option<Spanned<usize>>,
    /// Latin hypercube: where in its stratum a point lies.
    pub placement: Option<Placement>,
    /// Latin hypercube: swaps tried to spread the points apart (maximin); 0 for none.
    pub maximin_swaps: Option<usize>,
    /// Fractional factorial 2^(k−p): p.
    pub fraction: Option<Spanned<usize>>,
    /// Crossed: the design of the decision factors.
    pub decision: Option<Spanned<Box<DesignSpec>>>,
    /// Crossed: the design of the noise factors.
    pub noise: Option<Spanned<Box<DesignSpec>>>,
}

/// The constructions of `crate::design`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DesignKind {
    /// Nearly orthogonal Latin hypercube (Cioppa & Lucas 2007).
    Nolh,
    /// Random Latin hypercube, from the experiment's seed.
    Lhs,
    /// Every combination of every factor's levels.
    FullFactorial,
    /// Two-level fraction 2^(k−p).
    FractionalFactorial,
    /// Decision points × noise points.
    Crossed,
}

/// Where a Latin hypercube places a point in its stratum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Placement {
    /// At its middle.
    Midpoint,
    /// Uniformly within it.
    Jittered,
}

/// One `[[factor]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FactorSpec {
    /// The scenario path, as `--set` takes it.
    pub path: Spanned<String>,
    /// `[low, high]`, for a real or integer factor.
    pub range: Option<Spanned<Vec<f64>>>,
    /// The settings, for a categorical factor: numbers, booleans or text.
    pub levels: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    /// `real` (default for a range), `integer`, or `categorical` (default for levels).
    #[serde(rename = "type")]
    pub kind: Option<Spanned<FactorKind>>,
    /// Factorial designs: how many evenly spaced settings of a range (default 2).
    pub steps: Option<Spanned<usize>>,
    /// Crossed designs: `decision` or `noise`.
    pub role: Option<Spanned<Role>>,
}

/// What values a factor takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum FactorKind {
    /// Any number in the range.
    Real,
    /// A whole number in the range.
    Integer,
    /// One of the levels.
    Categorical,
}

/// A factor's side of a crossed design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A factor the user controls (e.g. mercenaries attached or not).
    Decision,
    /// A factor the user cannot control, averaged over.
    Noise,
}

/// The experiment file `name` holding `text`, its text kept to place later errors.
pub(super) struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// Parses the file.
    ///
    /// # Errors
    /// A TOML syntax error, an unknown key or a value of the wrong type, at its line and column.
    pub(super) fn parse(&self) -> Result<ExperimentFile, ScenarioError> {
        toml::from_str(self.text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => self.error(&span, message),
                None => ScenarioError {
                    file: self.name.to_string(),
                    line: None,
                    column: None,
                    message,
                },
            }
        })
    }

    /// `message` at the start of `span`.
    pub(super) fn error(&self, span: &Range<usize>, message: impl Into<String>) -> ScenarioError {
        let (line, column) = line_col(self.text, span.start);
        ScenarioError {
            file: self.name.to_string(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }
}
