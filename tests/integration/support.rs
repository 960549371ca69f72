//! Helpers shared by the test modules: loading scenarios and running small batches in process.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sandtable::Scenario;
use sandtable::output::field_text;
use sandtable::sim::{Engine, OutcomeSchema, Replication};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scenario from `scenarios/`, e.g. `variants/no-drones.toml`.
pub fn scenario(relative: &str) -> Arc<Scenario> {
    let path = root().join("scenarios").join(relative);
    Arc::new(sandtable::scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}")))
}

/// The embedded default scenario.
pub fn default_scenario() -> Arc<Scenario> {
    Arc::new(sandtable::scenario::load_default(&[]).unwrap_or_else(|e| panic!("{e}")))
}

/// Runs `runs` replications of `scenario` with `seed`, in order, on one engine as a batch's
/// worker would.
pub fn batch(scenario: &Arc<Scenario>, seed: u64, runs: u64, log: bool) -> Vec<Replication> {
    let mut engine = Engine::new();
    (0..runs)
        .map(|i| engine.simulate(scenario, seed, i, log))
        .collect()
}

/// One outcome column across a batch, as `runs.csv` would write it.
pub fn column(scenario: &Scenario, reps: &[Replication], name: &str) -> Vec<String> {
    let schema = OutcomeSchema::for_scenario(scenario);
    let i = schema
        .columns
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    reps.iter()
        .map(|r| field_text(&r.outcome.values[i], &schema.columns[i].kind))
        .collect()
}

/// One numeric outcome column; empty fields are None.
pub fn numbers(scenario: &Scenario, reps: &[Replication], name: &str) -> Vec<Option<f64>> {
    let schema = OutcomeSchema::for_scenario(scenario);
    let i = schema
        .columns
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    reps.iter().map(|r| r.outcome.values[i].number()).collect()
}

/// Share of the batch where the categorical column equals `value`.
pub fn share(scenario: &Scenario, reps: &[Replication], name: &str, value: &str) -> f64 {
    let col = column(scenario, reps, name);
    col.iter().filter(|v| *v == value).count() as f64 / col.len() as f64
}

/// Mean of the present values of a numeric column.
pub fn mean(values: &[Option<f64>]) -> f64 {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    present.iter().sum::<f64>() / present.len() as f64
}

/// Writes `files` (name, text) into a fresh temporary directory.
pub fn files(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path: &Path = Path::new(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(dir.path().join(parent)).expect("mkdir");
        }
        std::fs::write(dir.path().join(path), text).expect("write");
    }
    dir
}
