//! `manifest.json`: what a batch was (engine version, scenario and its hash, seed, runs, shard,
//! overrides), whether it is whole (complete, partial, failed runs), and how it was run (threads,
//! command line, start and end time), with the commands that reproduce and resume it. The only
//! output file that may differ between two runs of one batch.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::batch::Plan;
use crate::scenario::Scenario;

/// The engine that produced a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Engine {
    /// Always `sandtable`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// The scenario of a batch, named and hashed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestScenario {
    /// Its short name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Where it was loaded from: a path as given, or `<embedded default>`.
    pub origin: String,
    /// Hex SHA-256 of the resolved scenario (after `extends` and `--set`).
    pub sha256: String,
}

impl ManifestScenario {
    /// The description of `scenario`.
    pub fn of(scenario: &Scenario) -> ManifestScenario {
        ManifestScenario {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            origin: scenario.origin.clone(),
            sha256: scenario.sha256(),
        }
    }
}

/// Which block of the batch's runs a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShardInfo {
    /// K of K/N, from 1.
    pub index: u64,
    /// N of K/N.
    pub count: u64,
    /// First run index held.
    pub first_run: u64,
    /// One past the last run index held.
    pub end_run: u64,
}

impl ShardInfo {
    /// The shard of `plan`.
    pub fn of(plan: &Plan) -> ShardInfo {
        let runs = plan.run_indices();
        ShardInfo {
            index: plan.shard.index(),
            count: plan.shard.count(),
            first_run: runs.start,
            end_run: runs.end,
        }
    }
}

/// How far a batch got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Still running, or stopped without a chance to say so (`kill -9`, a power cut): only in
    /// `manifest.json.partial`, beside `runs.csv.partial`.
    Running,
    /// Interrupted (Ctrl-C, SIGTERM): the files hold the runs finished so far; `--resume`
    /// continues the batch.
    Partial,
    /// Every run of the batch (or shard) is in the files, failed ones included.
    Complete,
}

/// Everything needed to reproduce a batch and to know how it was run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// Engine name and version.
    pub engine: Engine,
    /// The scenario and its hash.
    pub scenario: ManifestScenario,
    /// The batch seed.
    pub seed: u64,
    /// Runs in the whole batch (all shards).
    pub runs: u64,
    /// The block of runs this output holds.
    pub shard: ShardInfo,
    /// Whether the files hold every run of the shard.
    pub status: BatchStatus,
    /// Rows in `runs.csv`: runs finished, failed ones included (from the shard's first run on).
    pub completed_runs: u64,
    /// Runs that failed (a panic in the simulation): empty rows in `runs.csv`, each explained
    /// in `failures.csv`.
    pub failed_runs: Vec<u64>,
    /// `--set` overrides, as written, in order.
    pub overrides: Vec<String>,
    /// Worker threads used (never changes a result).
    pub threads: usize,
    /// The command line as given.
    pub command_line: Vec<String>,
    /// When the batch started, RFC 3339 (its first start, when it was resumed).
    pub started: String,
    /// When it was resumed, RFC 3339, each time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<String>,
    /// When it finished or was interrupted, RFC 3339; null while it runs.
    pub finished: Option<String>,
    /// A command that writes the same `runs.csv` and `summary.*` again.
    pub reproduce: String,
    /// A command that continues the batch where it stopped, while it is not complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
}

impl Manifest {
    /// The engine that is running now.
    pub fn engine() -> Engine {
        Engine {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Writes the manifest as pretty JSON.
    ///
    /// # Errors
    /// When the writer fails.
    pub fn write<W: Write>(&self, mut writer: W) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")?;
        writer.flush()
    }
}

/// The `sandtable run` command that recomputes a batch: the scenario file (none for the
/// embedded default), runs, seed, shard, overrides and output directory. Threads are left out
/// because they never change a result.
pub fn reproduce_command(
    scenario: Option<&Path>,
    plan: &Plan,
    overrides: &[String],
    out: Option<&Path>,
) -> String {
    let mut words = batch_words(scenario, plan, overrides);
    if let Some(out) = out {
        words.extend(["--out".to_string(), shell_quote(&out.display().to_string())]);
    }
    words.join(" ")
}

/// The `sandtable run … --resume DIR` command that continues an interrupted batch.
pub fn resume_command(
    scenario: Option<&Path>,
    plan: &Plan,
    overrides: &[String],
    dir: &Path,
) -> String {
    let mut words = batch_words(scenario, plan, overrides);
    words.extend([
        "--resume".to_string(),
        shell_quote(&dir.display().to_string()),
    ]);
    words.join(" ")
}

/// `sandtable run` with what makes the batch: scenario, runs, seed, shard, overrides.
fn batch_words(scenario: Option<&Path>, plan: &Plan, overrides: &[String]) -> Vec<String> {
    let mut words = vec!["sandtable".to_string(), "run".to_string()];
    if let Some(path) = scenario {
        words.push(shell_quote(&path.display().to_string()));
    }
    words.extend([
        "--runs".to_string(),
        plan.runs.to_string(),
        "--seed".to_string(),
        plan.seed.to_string(),
    ]);
    if !plan.shard.is_whole() {
        words.extend(["--shard".to_string(), plan.shard.to_string()]);
    }
    for o in overrides {
        words.extend(["--set".to_string(), shell_quote(o)]);
    }
    words
}

/// `text` as one word for a POSIX shell: unchanged when it holds only safe characters, else in
/// single quotes.
pub fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Shard;

    #[test]
    fn quoting() {
        assert_eq!(
            shell_quote("scenarios/variants/no-drones.toml"),
            "scenarios/variants/no-drones.toml"
        );
        assert_eq!(
            shell_quote("convoy.kidal_column.vehicles=80"),
            "convoy.kidal_column.vehicles=80"
        );
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(
            shell_quote("x={ min = 1, max = 2 }"),
            "'x={ min = 1, max = 2 }'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn reproduce_names_what_changes_the_result() {
        let plan = Plan {
            seed: 7,
            runs: 300,
            shard: Shard::new(2, 3).unwrap(),
            threads: 8,
        };
        let command = reproduce_command(
            Some(Path::new("my scenario.toml")),
            &plan,
            &["convoy.kidal_column.vehicles=80".to_string()],
            Some(Path::new("out/a")),
        );
        assert_eq!(
            command,
            "sandtable run 'my scenario.toml' --runs 300 --seed 7 --shard 2/3 --set convoy.kidal_column.vehicles=80 --out out/a"
        );
        let plain = Plan {
            seed: 1,
            runs: 10,
            shard: Shard::WHOLE,
            threads: 1,
        };
        assert_eq!(
            reproduce_command(None, &plain, &[], None),
            "sandtable run --runs 10 --seed 1"
        );
        assert_eq!(
            resume_command(None, &plain, &[], Path::new("out/my batch")),
            "sandtable run --runs 10 --seed 1 --resume 'out/my batch'"
        );
    }
}
