//! Numbers that may be uncertain: a fixed value, a uniform `{ min, max }` or a triangular
//! `{ min, mode, max }`, each with an optional `source`. Drawn once per replication, each from
//! its own stream keyed by its dotted path, so no number's draw depends on any other number.

use std::fmt;

use rand::Rng;
use rand_distr::{Distribution, Triangular, Uniform};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::streams::StreamKey;

/// A number as written in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberSpec {
    /// Its distribution.
    pub dist: Dist,
    /// Where the number comes from, or why it is assumed.
    pub source: Option<String>,
}

/// The distribution of one scenario number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Dist {
    /// Known: the same in every replication.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Any value between `min` and `max`, equally likely.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Most likely `mode`, never below `min` or above `max`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
}

impl Dist {
    /// Whether replications draw it (and `runs.csv` gets a column for it).
    pub fn is_uncertain(&self) -> bool {
        !matches!(self, Dist::Fixed { .. })
    }

    /// The smallest value it can take.
    pub fn min(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { min, .. } | Dist::Triangular { min, .. } => min,
        }
    }

    /// The largest value it can take.
    pub fn max(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { max, .. } | Dist::Triangular { max, .. } => max,
        }
    }

    /// The expected value; routes are planned on it.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }

    /// One draw. Degenerate ranges (min = max) return that value without touching the stream,
    /// so that narrowing a range to a point does not shift every later draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { min, max } if min == max => min,
            Dist::Uniform { min, max } => Uniform::new_inclusive(min, max)
                .map(|d| d.sample(rng))
                .unwrap_or(min),
            Dist::Triangular { min, max, .. } if min == max => min,
            Dist::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Fixed { value } => write!(f, "{value}"),
            Dist::Uniform { min, max } => write!(f, "uniform {min}–{max}"),
            Dist::Triangular { min, mode, max } => write!(f, "triangular {min}–{max}, mode {mode}"),
        }
    }
}

impl<'de> Deserialize<'de> for NumberSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

struct NumberVisitor;

const NUMBER_KEYS: &[&str] = &["value", "min", "mode", "max", "source"];

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = NumberSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // Turned into plain words by the loader's messages; this is what serde says by itself.
        f.write_str("a number, or a range { min, max } or { min, mode, max }")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(fixed(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(fixed(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(fixed(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut value, mut min, mut mode, mut max, mut source) = (None, None, None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => value = Some(map.next_value::<f64>()?),
                "min" => min = Some(map.next_value::<f64>()?),
                "mode" => mode = Some(map.next_value::<f64>()?),
                "max" => max = Some(map.next_value::<f64>()?),
                "source" => source = Some(map.next_value::<String>()?),
                other => return Err(de::Error::unknown_field(other, NUMBER_KEYS)),
            }
        }
        let dist = match (value, min, mode, max) {
            (Some(value), None, None, None) => Dist::Fixed { value },
            (None, Some(min), None, Some(max)) => Dist::Uniform { min, max },
            (None, Some(min), Some(mode), Some(max)) => Dist::Triangular { min, mode, max },
            _ => {
                return Err(de::Error::custom(
                    "a number table takes either `value`, or `min` and `max` (uniform), or `min`, `mode` and `max` (triangular)",
                ));
            }
        };
        Ok(NumberSpec { dist, source })
    }
}

fn fixed(value: f64) -> NumberSpec {
    NumberSpec {
        dist: Dist::Fixed { value },
        source: None,
    }
}

/// Index of a number in [`Scenario::params`](super::Scenario::params).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParamId(pub u32);

/// One number of the scenario, named by its path (`convoy.kidal_column.vehicles`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Dotted path, as `--set` takes it.
    pub path: String,
    /// Column name in `runs.csv` when uncertain: the path in snake_case.
    pub column: String,
    /// Its distribution.
    #[serde(flatten)]
    pub dist: Dist,
    /// Where it comes from.
    pub source: Option<String>,
    /// Its random stream's key, from its path (`param/<path>`).
    #[serde(skip)]
    pub stream: StreamKey,
}

impl Param {
    /// The number at dotted path `path`, as the scenario gives it.
    pub fn new(path: String, spec: &NumberSpec) -> Param {
        Param {
            column: path.replace('.', "_"),
            stream: StreamKey::new(&format!("param/{path}")),
            path,
            dist: spec.dist,
            source: spec.source.clone(),
        }
    }
}

/// The values of every scenario number in one replication, indexed by [`ParamId`].
#[derive(Debug, Clone, PartialEq)]
pub struct Draws(pub Vec<f64>);

impl Draws {
    /// The value of one number in this replication.
    pub fn get(&self, id: ParamId) -> f64 {
        self.0[id.0 as usize]
    }

    /// Draws every number of run `run` of the batch seeded `seed`, each from its own stream, so
    /// that adding, removing or overriding one number changes no other number's draw.
    pub fn sample(params: &[Param], seed: u64, run: u64) -> Draws {
        Draws(
            params
                .iter()
                .map(|p| match p.dist {
                    // A fixed number draws nothing: no stream to build.
                    Dist::Fixed { value } => value,
                    dist => dist.sample(&mut p.stream.stream(seed, run)),
                })
                .collect(),
        )
    }

    /// Every number at its mean: for planning and digests.
    pub fn means(params: &[Param]) -> Draws {
        Draws(params.iter().map(|p| p.dist.mean()).collect())
    }
}
