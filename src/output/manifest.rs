//! `manifest.json`: what a batch was (its [`BatchIdentity`]: engine version, scenario and its
//! hash, seed, runs, shard, overrides), whether it is whole (complete, partial, failed runs), and
//! how it was run (threads, command line, start and end time), with the commands that reproduce
//! and resume it. The only output file that may differ between two runs of one batch.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::batch::Plan;
use crate::scenario::Scenario;

/// The engine that produced a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engine {
    /// Always `sandtable`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Engine {
    /// The engine that is running now.
    pub fn current() -> Engine {
        Engine {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The scenario of a batch, named and hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestScenario {
    /// Its short name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Where it was loaded from: a path as given, or `<embedded default>`.
    pub origin: String,
    /// Hex SHA-256 of the resolved scenario (after `extends` and `--set`): of the bytes of
    /// [`resolved`](Self::resolved).
    pub sha256: String,
    /// The file beside the manifest that holds the resolved scenario, which `sandtable run`
    /// loads as it is (`scenario.resolved.toml`; empty in manifests written before there was
    /// one).
    #[serde(default)]
    pub resolved: String,
    /// The scenario's calendar start, `YYYY-MM-DD`: hour 0 of `time_hours` and day 0 of every
    /// `_day` column (midnight, local time of the theatre).
    #[serde(default)]
    pub start_date: String,
    /// The units of the outputs' columns, by the suffix of their names (`_day`, `_km`, …) and
    /// for the counts, so that a program can read them without the data dictionary.
    #[serde(default)]
    pub units: BTreeMap<String, String>,
}

/// The units of the columns of `runs.csv` and `events.csv`, by name suffix (and for the
/// counts that carry none); `docs/DATA.md` says the same column by column.
pub(crate) const UNITS: [(&str, &str); 8] = [
    (
        "_day",
        "days since start_date, fractional (1.5 = noon of the second day)",
    ),
    ("_hours", "hours"),
    ("_km", "kilometres"),
    ("_per_day", "per day"),
    ("_per_hour", "per hour"),
    ("_killed, _wounded", "people"),
    ("_lost", "vehicles"),
    ("time_hours", "hours since start_date"),
];

/// The file of every `--out` directory that holds the resolved scenario: the scenario after
/// `extends` and `--set`, as the batch ran it, in canonical TOML.
pub(crate) const RESOLVED_SCENARIO: &str = "scenario.resolved.toml";

impl ManifestScenario {
    /// The description of `scenario`.
    pub fn of(scenario: &Scenario) -> ManifestScenario {
        ManifestScenario {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            origin: scenario.origin.clone(),
            sha256: scenario.sha256(),
            resolved: RESOLVED_SCENARIO.to_string(),
            start_date: scenario.start.to_string(),
            units: UNITS
                .iter()
                .map(|(suffix, unit)| (suffix.to_string(), unit.to_string()))
                .collect(),
        }
    }
}

/// Which block of the batch's runs a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

impl BatchStatus {
    /// [`BatchStatus::Complete`], for manifests written before there was a status.
    fn complete() -> BatchStatus {
        BatchStatus::Complete
    }
}

/// What makes a batch the batch it is: the engine version, the resolved scenario (by its
/// SHA-256), the seed, the runs, the shard and the `--set` overrides as written. Two batches with
/// the same identity have the same `runs.csv` and summaries, byte for byte, whatever their
/// threads. The one statement of that rule: the manifest records it, `--resume` continues only a
/// batch whose identity is the command's ([`differences`](Self::differences)), and the
/// reproduce and resume commands are written from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchIdentity {
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
    /// `--set` overrides, as written, in order.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// A sweep's experiment file, by the SHA-256 of its bytes (absent for `run`): a sweep
    /// resumes only with the very experiment it began with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_sha256: Option<String>,
}

impl BatchIdentity {
    /// The identity of the batch `plan` runs on `scenario` with `overrides` (as written), on
    /// the engine that is running now.
    pub fn of(scenario: &Scenario, plan: &Plan, overrides: Vec<String>) -> BatchIdentity {
        BatchIdentity {
            engine: Engine::current(),
            scenario: ManifestScenario::of(scenario),
            seed: plan.seed,
            runs: plan.runs,
            shard: ShardInfo::of(plan),
            overrides,
            experiment_sha256: None,
        }
    }

    /// Every way `current` is another batch than this one, worded from this one ("its seed is
    /// 7, not 8"); empty when they are the same batch.
    pub fn differences(&self, current: &BatchIdentity) -> Vec<String> {
        let mut differences = Vec::new();
        if self.engine.version != current.engine.version {
            differences.push(format!(
                "it was started by sandtable {}, this is {} (results may differ between versions)",
                self.engine.version, current.engine.version
            ));
        }
        if self.scenario.sha256 != current.scenario.sha256 {
            differences.push(format!(
                "its scenario's SHA-256 is {}…, this one's is {}… (the scenario file or what it \
                 extends changed, or another file was given)",
                short(&self.scenario.sha256),
                short(&current.scenario.sha256)
            ));
        }
        if self.seed != current.seed {
            differences.push(format!("its seed is {}, not {}", self.seed, current.seed));
        }
        if self.runs != current.runs {
            differences.push(format!("it has {} runs, not {}", self.runs, current.runs));
        }
        let (shard, other) = (&self.shard, &current.shard);
        if (shard.index, shard.count) != (other.index, other.count) {
            differences.push(format!(
                "it is shard {}/{}, not {}/{}",
                shard.index, shard.count, other.index, other.count
            ));
        }
        if self.experiment_sha256 != current.experiment_sha256 {
            let hash = |h: &Option<String>| {
                h.as_deref()
                    .map_or("none".to_string(), |h| format!("{}…", short(h)))
            };
            differences.push(format!(
                "its experiment file's SHA-256 is {}, this one's is {} (the experiment file \
                 changed, or another was given)",
                hash(&self.experiment_sha256),
                hash(&current.experiment_sha256)
            ));
        }
        if self.overrides != current.overrides {
            differences.push(format!(
                "its overrides are {}, not {}",
                list_overrides(&self.overrides),
                list_overrides(&current.overrides)
            ));
        }
        differences
    }

    /// The `sandtable run` command that recomputes the batch: the scenario file (`None` for
    /// the embedded default), runs, seed, shard, overrides and output directory. Threads are
    /// left out because they never change a result.
    pub fn reproduce_command(&self, scenario: Option<&Path>, out: Option<&Path>) -> String {
        let mut words = self.command_words(scenario);
        if let Some(out) = out {
            words.extend(["--out".to_string(), shell_quote(&out.display().to_string())]);
        }
        words.join(" ")
    }

    /// The `sandtable run … --resume DIR` command that continues the interrupted batch.
    pub fn resume_command(&self, scenario: Option<&Path>, dir: &Path) -> String {
        let mut words = self.command_words(scenario);
        words.extend([
            "--resume".to_string(),
            shell_quote(&dir.display().to_string()),
        ]);
        words.join(" ")
    }

    /// `sandtable run` with what makes the batch: scenario, runs, seed, shard, overrides.
    fn command_words(&self, scenario: Option<&Path>) -> Vec<String> {
        let mut words = vec!["sandtable".to_string(), "run".to_string()];
        if let Some(path) = scenario {
            words.push(shell_quote(&path.display().to_string()));
        }
        words.extend([
            "--runs".to_string(),
            self.runs.to_string(),
            "--seed".to_string(),
            self.seed.to_string(),
        ]);
        if self.shard.count != 1 {
            words.extend([
                "--shard".to_string(),
                format!("{}/{}", self.shard.index, self.shard.count),
            ]);
        }
        for o in &self.overrides {
            words.extend(["--set".to_string(), shell_quote(o)]);
        }
        words
    }
}

/// The first characters of a hash, enough to tell two apart in a message.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Overrides as `--set` options, or "none".
fn list_overrides(overrides: &[String]) -> String {
    if overrides.is_empty() {
        "none".to_string()
    } else {
        overrides
            .iter()
            .map(|s| format!("--set {s}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Everything needed to reproduce a batch and to know how it was run. It reads back from the
/// `manifest.json` it writes; a manifest without a status (written before there was one) is
/// complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Which batch this is.
    #[serde(flatten)]
    pub identity: BatchIdentity,
    /// Whether the files hold every run of the shard.
    #[serde(default = "BatchStatus::complete")]
    pub status: BatchStatus,
    /// Rows in `runs.csv`: runs finished, failed ones included (from the shard's first run on).
    #[serde(default)]
    pub completed_runs: u64,
    /// Runs that failed (a panic in the simulation): empty rows in `runs.csv`, each explained
    /// in `failures.csv`.
    #[serde(default)]
    pub failed_runs: Vec<u64>,
    /// Worker threads used (never changes a result).
    #[serde(default)]
    pub threads: usize,
    /// The command line as given.
    #[serde(default)]
    pub command_line: Vec<String>,
    /// When the batch started, RFC 3339 (its first start, when it was resumed).
    pub started: String,
    /// When it was resumed, RFC 3339, each time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<String>,
    /// When it finished or was interrupted, RFC 3339; null while it runs.
    #[serde(default)]
    pub finished: Option<String>,
    /// A command that writes the same `runs.csv` and `summary.*` again.
    #[serde(default)]
    pub reproduce: String,
    /// A command that continues the batch where it stopped, while it is not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
    /// The SHA-256 (hex) of every file published with this manifest, by name: a reader trusts
    /// the folder only when they match (`output::verify_published`). Empty in the journal's
    /// manifest, which publishes nothing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
}

impl Manifest {
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

/// `text` as one word for a POSIX shell: unchanged when it holds only safe characters, else in
/// single quotes.
pub(crate) fn shell_quote(text: &str) -> String {
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

    fn identity(plan: &Plan, overrides: &[&str]) -> BatchIdentity {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        BatchIdentity::of(
            &scenario,
            plan,
            overrides.iter().map(|o| o.to_string()).collect(),
        )
    }

    #[test]
    fn reproduce_names_what_changes_the_result() {
        let plan = Plan {
            seed: 7,
            runs: 300,
            shard: Shard::new(2, 3).unwrap(),
            threads: 8,
        };
        let command = identity(&plan, &["convoy.kidal_column.vehicles=80"]).reproduce_command(
            Some(Path::new("my scenario.toml")),
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
            identity(&plain, &[]).reproduce_command(None, None),
            "sandtable run --runs 10 --seed 1"
        );
        assert_eq!(
            identity(&plain, &[]).resume_command(None, Path::new("out/my batch")),
            "sandtable run --runs 10 --seed 1 --resume 'out/my batch'"
        );
    }

    #[test]
    fn the_same_batch_differs_in_nothing_and_another_in_everything_it_changes() {
        let plan = Plan {
            seed: 7,
            runs: 300,
            shard: Shard::WHOLE,
            threads: 8,
        };
        let batch = identity(&plan, &[]);
        let more_threads = Plan { threads: 1, ..plan };
        assert!(batch.differences(&identity(&more_threads, &[])).is_empty());
        let other = Plan {
            seed: 8,
            runs: 400,
            shard: Shard::new(1, 2).unwrap(),
            threads: 8,
        };
        let mut other = identity(&other, &["combat.night_factor=0.5"]);
        other.engine.version = "0.0.1".into();
        other.scenario.sha256 = "f".repeat(64);
        let differences = batch.differences(&other);
        assert_eq!(differences.len(), 6, "{differences:?}");
        for part in [
            "this is 0.0.1",
            "this one's is ffffffffffff…",
            "its seed is 7, not 8",
            "it has 300 runs, not 400",
            "it is shard 1/1, not 1/2",
            "its overrides are none, not --set combat.night_factor=0.5",
        ] {
            assert!(
                differences.iter().any(|d| d.contains(part)),
                "{part}: {differences:?}"
            );
        }
    }

    #[test]
    fn a_manifest_reads_back_as_it_was_written() {
        let plan = Plan {
            seed: 7,
            runs: 300,
            shard: Shard::new(2, 3).unwrap(),
            threads: 8,
        };
        let identity = identity(&plan, &["convoy.kidal_column.vehicles=80"]);
        let mut manifest = Manifest {
            reproduce: identity.reproduce_command(None, Some(Path::new("out"))),
            resume: Some(identity.resume_command(None, Path::new("out"))),
            identity,
            status: BatchStatus::Partial,
            completed_runs: 40,
            failed_runs: vec![3, 17],
            threads: 8,
            command_line: vec!["sandtable".into(), "run".into()],
            started: "2025-01-01T00:00:00Z".into(),
            resumed: vec!["2025-01-02T00:00:00Z".into()],
            finished: Some("2025-01-03T00:00:00Z".into()),
            files: Default::default(),
        };
        for _ in 0..2 {
            let mut bytes = Vec::new();
            manifest.write(&mut bytes).unwrap();
            let read: Manifest = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(read, manifest);
            // Without the fields that are left out when empty, too.
            manifest.resumed.clear();
            manifest.resume = None;
        }
    }
}
