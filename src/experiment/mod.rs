//! Experiment files for `sandtable sweep`: the scenario, the design, the factors and the
//! replications of each point, loaded and checked like a scenario (every mistake at its
//! file:line:col), and what a design point means for a replication: which scenario it runs and
//! which numbers it is given. No I/O past reading the files, no simulation.
//!
//! Design point p, replicate r runs as run r of a plain batch with the experiment's seed: every
//! number that is not a factor keeps its own keyed stream, so points differ only by their
//! factors (common random numbers).

mod designs;
mod factors;
mod file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use factors::{Applied, ExperimentFactor};
pub use file::Role;

use designs::DesignFactor;
use file::Source;

use crate::design::{Design, Diagnostics, Setting, scale};
use crate::scenario::{self, Draws, Override, ParamId, Scenario, ScenarioError};
use crate::sim::{ColumnKind, OutcomeSchema};
use crate::streams::DEFAULT_SEED;

/// The largest experiment file read: it is a page of text, so anything larger is a mistake.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The most rows (points × replicates) one sweep may have.
pub const MAX_ROWS: u64 = 1 << 40;

/// A loaded, checked experiment.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The experiment file, as given.
    pub file: PathBuf,
    /// SHA-256 of the experiment file's bytes, in hex.
    pub sha256: String,
    /// The scenario file as the experiment names it, resolved against the experiment's folder;
    /// `None` for the embedded default.
    pub scenario_file: Option<PathBuf>,
    /// The base scenario, with no factor applied.
    pub base: Arc<Scenario>,
    /// The batch seed.
    pub seed: u64,
    /// Replications of every design point.
    pub replicates: u64,
    /// The design, factors in the order of [`factors`](Self::factors).
    pub design: Design,
    /// How good the design is.
    pub diagnostics: Diagnostics,
    /// The factors: a crossed design's decision factors first, then its noise factors; else
    /// in file order.
    pub factors: Vec<ExperimentFactor>,
    /// The uncertain numbers of the base scenario that are not factors: their paths, in the
    /// order of a plain `runs.csv`.
    pub remaining: Vec<String>,
    /// Every factor's setting at every point, point-major.
    settings: Vec<Setting>,
    /// The scenarios the points run (the base and one per distinct set of overrides).
    variants: Vec<Variant>,
    /// Which variant each point runs.
    point_variant: Vec<usize>,
}

/// A scenario some points run, with where the factors and the remaining numbers sit in it.
#[derive(Debug, Clone)]
struct Variant {
    scenario: Arc<Scenario>,
    /// Per factor: the number it replaces, for a factor applied as a draw.
    factor_params: Vec<Option<ParamId>>,
    /// Per remaining number (see [`Experiment::remaining`]): where it is in this scenario.
    remaining_params: Vec<Option<ParamId>>,
}

/// What one row of a sweep runs: the scenario and the numbers it is given.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The scenario of the point.
    pub scenario: &'a Arc<Scenario>,
    /// Every number of the scenario for this replicate: drawn from run `replicate`'s keyed
    /// streams, the factors' numbers replaced by the point's settings.
    pub draws: Draws,
    /// The remaining numbers' values, in [`Experiment::remaining`] order (`None` where the
    /// point's scenario does not have that number).
    pub remaining: Vec<Option<f64>>,
}

/// Loads and checks the experiment file at `path`.
///
/// # Errors
/// A file that cannot be read, bad TOML, an unknown key, a factor with an empty range or a path
/// the scenario does not have, a design that cannot hold the factors, a scenario that does not
/// load: each at its file:line:col (exit 2).
pub fn load(path: &Path) -> Result<Experiment, ScenarioError> {
    let name = path.display().to_string();
    let (bytes, text) = read(path, &name)?;
    let source = Source {
        name: &name,
        text: &text,
    };
    let parsed = source.parse()?;
    let scenario_file = parsed.scenario.as_ref().map(|s| {
        let dir = path.parent().unwrap_or(Path::new(""));
        dir.join(s.get_ref())
    });
    let load_scenario = |overrides: &[Override]| match &scenario_file {
        Some(file) => scenario::load(file, overrides),
        None => scenario::load_default(overrides),
    };
    let base = load_scenario(&[]).map_err(|e| match &parsed.scenario {
        // A scenario that cannot even be read is placed at `scenario =`; its own errors
        // keep their place in the scenario file.
        Some(at) if e.line.is_none() => source.error(&at.span(), e.to_string()),
        _ => e,
    })?;
    let replicates = *parsed.replicates.get_ref();
    if replicates == 0 {
        return Err(source.error(&parsed.replicates.span(), "replicates must be at least 1"));
    }
    let mut factors = parsed
        .factors
        .iter()
        .map(|f| factors::bind(&source, f, &base, &load_scenario))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(twice) =
        (1..factors.len()).find(|&i| factors[..i].iter().any(|f| f.path == factors[i].path))
    {
        let at = parsed.factors[twice].get_ref().path.span();
        return Err(source.error(&at, "this path is a factor already; give each factor once"));
    }
    if factors.is_empty() {
        return Err(source.error(
            &parsed.design.span(),
            "an experiment needs at least one [[factor]] to vary",
        ));
    }
    let design = build_design(&source, &parsed, &mut factors)?;
    let points = design.points() as u64;
    if points
        .checked_mul(replicates)
        .is_none_or(|rows| rows > MAX_ROWS)
    {
        let why = format!("{points} points × {replicates} replicates is more than {MAX_ROWS} rows");
        return Err(source.error(&parsed.replicates.span(), why));
    }
    let settings = settings(&source, &parsed, &design, &factors)?;
    let mut experiment = Experiment {
        file: path.to_path_buf(),
        sha256: Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        scenario_file: scenario_file.clone(),
        seed: parsed.seed.unwrap_or(DEFAULT_SEED),
        replicates,
        diagnostics: design.diagnostics(),
        design,
        remaining: Vec::new(),
        factors,
        settings,
        variants: Vec::new(),
        point_variant: Vec::new(),
        base: Arc::new(base),
    };
    experiment.remaining = experiment
        .base
        .uncertain_params()
        .filter(|(_, p)| experiment.factors.iter().all(|f| f.path != p.path))
        .map(|(_, p)| p.path.clone())
        .collect();
    experiment.resolve_variants(&load_scenario)?;
    Ok(experiment)
}

/// The file's bytes, at most [`MAX_FILE_BYTES`], and its text.
fn read(path: &Path, name: &str) -> Result<(Vec<u8>, String), ScenarioError> {
    use std::io::Read;
    let error = |message: String| ScenarioError {
        file: name.to_string(),
        line: None,
        column: None,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| error(format!("cannot read: {e}")))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(error(
            "is not a regular file; give an experiment file (TOML)".into(),
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(error(format!(
            "larger than {MAX_FILE_BYTES} bytes; is it an experiment file?"
        )));
    }
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| error("not UTF-8 text; an experiment file is TOML".to_string()))?;
    Ok((bytes, text))
}

/// The design the file asks for; for a crossed design, the factors reordered decision first.
fn build_design(
    source: &Source<'_>,
    parsed: &file::ExperimentFile,
    factors: &mut [ExperimentFactor],
) -> Result<Design, ScenarioError> {
    let as_design = |f: &ExperimentFactor| DesignFactor { steps: f.steps };
    let seed = parsed.seed.unwrap_or(DEFAULT_SEED);
    let is_crossed = parsed.design.get_ref().kind.get_ref() == &file::DesignKind::Crossed;
    let role_at = |i: usize| parsed.factors[i].get_ref().role.as_ref();
    if !is_crossed {
        if let Some(role) = (0..factors.len()).find_map(role_at) {
            return Err(source.error(
                &role.span(),
                "`role` belongs to the factors of a design of kind = \"crossed\"",
            ));
        }
        let all: Vec<DesignFactor> = factors.iter().map(as_design).collect();
        return designs::build(source, &parsed.design, &all, None, seed);
    }
    if let Some(i) = (0..factors.len()).find(|&i| role_at(i).is_none()) {
        return Err(source.error(
            &parsed.factors[i].span(),
            "every factor of a crossed design needs role = \"decision\" or role = \"noise\"",
        ));
    }
    // Stable: decision factors, then noise factors, each in file order.
    factors.sort_by_key(|f| f.role != Some(Role::Decision));
    let part = |role| {
        factors
            .iter()
            .filter(|f| f.role == Some(role))
            .map(as_design)
            .collect::<Vec<_>>()
    };
    let (decision, noise) = (part(Role::Decision), part(Role::Noise));
    if decision.is_empty() || noise.is_empty() {
        return Err(source.error(
            &parsed.design.span(),
            "a crossed design needs at least one decision factor and one noise factor",
        ));
    }
    designs::build(source, &parsed.design, &[], Some((&decision, &noise)), seed)
}

/// Every factor's setting at every point.
fn settings(
    source: &Source<'_>,
    parsed: &file::ExperimentFile,
    design: &Design,
    factors: &[ExperimentFactor],
) -> Result<Vec<Setting>, ScenarioError> {
    design
        .rows()
        .flat_map(|row| row.iter().zip(factors))
        .map(|(&value, factor)| {
            scale(value, &factor.domain)
                .map_err(|e| source.error(&parsed.design.span(), format!("design: {e}")))
        })
        .collect()
}

impl Experiment {
    /// Design points.
    pub fn points(&self) -> u64 {
        self.design.points() as u64
    }

    /// Rows of the whole sweep: points × replicates.
    pub fn rows(&self) -> u64 {
        self.points() * self.replicates
    }

    /// The design point and replicate of row `row` (rows run point by point).
    pub fn point_and_replicate(&self, row: u64) -> (u64, u64) {
        (row / self.replicates, row % self.replicates)
    }

    /// Factor `factor`'s setting at `point`.
    pub fn setting(&self, point: u64, factor: usize) -> Setting {
        self.settings[point as usize * self.factors.len() + factor]
    }

    /// The scenarios the points run: the base, and one per distinct set of overrides.
    pub fn scenarios(&self) -> impl Iterator<Item = &Arc<Scenario>> {
        self.variants.iter().map(|v| &v.scenario)
    }

    /// The scenario and the numbers of `replicate` at `point`: run `replicate`'s draws of every
    /// number, each factor applied as a draw replaced by its setting.
    pub fn prepare(&self, point: u64, replicate: u64) -> Prepared<'_> {
        let variant = &self.variants[self.point_variant[point as usize]];
        let mut draws = Draws::sample(&variant.scenario.params, self.seed, replicate);
        for (factor, id) in variant.factor_params.iter().enumerate() {
            if let Some(id) = id {
                draws.0[id.0 as usize] = self.number(point, factor);
            }
        }
        let remaining = variant
            .remaining_params
            .iter()
            .map(|id| id.map(|id| draws.get(id)))
            .collect();
        Prepared {
            scenario: &variant.scenario,
            draws,
            remaining,
        }
    }

    /// The number a factor applied as a draw takes at `point`.
    fn number(&self, point: u64, factor: usize) -> f64 {
        match self.setting(point, factor) {
            Setting::Real(x) => x,
            Setting::Integer(i) => i as f64,
            Setting::Category(k) => {
                factors::number(&self.factors[factor].level_values[k]).unwrap_or(f64::NAN)
            }
        }
    }

    /// Resolves the scenario of every point: the base when no factor is an override, else one
    /// scenario per distinct set of override settings, each loaded once.
    fn resolve_variants(&mut self, load: &factors::LoadScenario<'_>) -> Result<(), ScenarioError> {
        let overriding: Vec<usize> = (0..self.factors.len())
            .filter(|&f| self.factors[f].applied == Applied::Override)
            .collect();
        let mut seen: BTreeMap<Vec<u64>, usize> = BTreeMap::new();
        let mut point_variant = Vec::with_capacity(self.design.points());
        for point in 0..self.points() {
            // The point's override settings, as a key: a level's index, a number's bits.
            let key: Vec<u64> = overriding
                .iter()
                .map(|&f| match self.setting(point, f) {
                    Setting::Category(k) => k as u64,
                    Setting::Real(x) => x.to_bits(),
                    Setting::Integer(i) => i as u64,
                })
                .collect();
            let next = seen.len();
            let index = *seen.entry(key).or_insert(next);
            if index == next {
                let sets: Vec<Override> = overriding
                    .iter()
                    .map(|&f| {
                        let factor = &self.factors[f];
                        let value = match self.setting(point, f) {
                            Setting::Category(k) => factor.level_values[k].clone(),
                            Setting::Real(x) => toml::Value::Float(x),
                            Setting::Integer(i) => toml::Value::Integer(i),
                        };
                        factors::setting_override(&factor.path, &value)
                    })
                    .collect();
                let scenario = if sets.is_empty() {
                    Arc::clone(&self.base)
                } else {
                    Arc::new(load(&sets)?)
                };
                self.variants.push(self.variant(scenario)?);
            }
            point_variant.push(index);
        }
        self.point_variant = point_variant;
        Ok(())
    }

    /// Where the factors and remaining numbers sit in `scenario`, which must report the same
    /// outcomes as the base.
    fn variant(&self, scenario: Arc<Scenario>) -> Result<Variant, ScenarioError> {
        let outcomes = |s: &Scenario| {
            OutcomeSchema::for_scenario(s)
                .columns
                .into_iter()
                .filter(|c| c.kind != ColumnKind::Parameter)
                .collect::<Vec<_>>()
        };
        if outcomes(&scenario) != outcomes(&self.base) {
            return Err(ScenarioError {
                file: self.file.display().to_string(),
                line: None,
                column: None,
                message: "a factor's level changes which outcomes the scenario reports (its \
                          convoys or reported sites); a sweep compares points on one set of \
                          outcome columns"
                    .to_string(),
            });
        }
        let find = |path: &str| {
            scenario
                .params
                .iter()
                .position(|p| p.path == path)
                .map(|i| ParamId(i as u32))
        };
        Ok(Variant {
            factor_params: self
                .factors
                .iter()
                .map(|f| {
                    (f.applied == Applied::Draw)
                        .then(|| find(&f.path))
                        .flatten()
                })
                .collect(),
            remaining_params: self.remaining.iter().map(|p| find(p)).collect(),
            scenario,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The experiment `text`, loaded from a file of its own.
    fn load_text(text: &str) -> Experiment {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("experiment.toml");
        std::fs::write(&path, text).unwrap();
        load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    const CROSSED: &str = r#"
        replicates = 3
        [design]
        kind = "crossed"
        decision = { kind = "full_factorial" }
        noise = { kind = "nolh" }
        [[factor]]
        path = "faction.csp.kill_rate_per_hour"
        range = [0.03, 0.08]
        role = "noise"
        [[factor]]
        path = "group.csp_kidal.posture"
        levels = ["defend", "ambush", "withdraw"]
        role = "decision"
    "#;

    #[test]
    fn a_point_draws_run_r_with_only_its_factors_replaced() {
        let experiment = load_text(CROSSED);
        let base = &experiment.base;
        let rate = base
            .params
            .iter()
            .position(|p| p.path == "faction.csp.kill_rate_per_hour")
            .unwrap();
        for (point, replicate) in [(0, 0), (20, 2), (50, 1)] {
            let prepared = experiment.prepare(point, replicate);
            let plain = Draws::sample(&prepared.scenario.params, experiment.seed, replicate);
            let Setting::Real(setting) = experiment.setting(point, 1) else {
                panic!("the rate is a real factor");
            };
            for (i, (given, drawn)) in prepared.draws.0.iter().zip(&plain.0).enumerate() {
                let expected = if i == rate { setting } else { *drawn };
                assert_eq!(
                    given.to_bits(),
                    expected.to_bits(),
                    "number {i} of point {point}"
                );
            }
            let remaining = base
                .uncertain_params()
                .filter(|(_, p)| p.path != base.params[rate].path);
            let drawn: Vec<Option<f64>> = remaining.map(|(id, _)| Some(plain.get(id))).collect();
            assert_eq!(prepared.remaining, drawn);
        }
    }

    #[test]
    fn a_crossed_design_puts_decisions_first_and_resolves_each_override_once() {
        let experiment = load_text(CROSSED);
        let paths: Vec<&str> = experiment.factors.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["group.csp_kidal.posture", "faction.csp.kill_rate_per_hour"]
        );
        // 3 postures × the 17-point NOLH; every noise point meets every posture.
        assert_eq!((experiment.points(), experiment.rows()), (51, 153));
        assert_eq!(experiment.point_and_replicate(100), (33, 1));
        for point in 0..51 {
            assert_eq!(
                experiment.setting(point, 0),
                Setting::Category(point as usize / 17)
            );
            assert_eq!(
                experiment.setting(point, 1),
                experiment.setting(point % 17, 1)
            );
        }
        // One scenario per posture, each resolved once, the point's own.
        assert_eq!(experiment.scenarios().count(), 3);
        let posture = |point| {
            let scenario = experiment.prepare(point, 0).scenario;
            scenario.groups[scenario
                .groups
                .iter()
                .position(|g| g.id == "csp_kidal")
                .unwrap()]
            .posture
        };
        assert_eq!(
            [posture(0), posture(17), posture(34)],
            [
                scenario::Posture::Defend,
                scenario::Posture::Ambush,
                scenario::Posture::Withdraw
            ]
        );
    }
}
