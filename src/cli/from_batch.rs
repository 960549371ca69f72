//! Commands that start from a batch's folder (`replay --from DIR`, `run --resume DIR`): the
//! scenario, seed, runs, shard and overrides its manifest records fill in what the command line
//! leaves out, and what the command line gives must agree with them, so a forgotten `--set`
//! can never replay or continue another batch than the one in the folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{CompareArgs, ReplayArgs, RunArgs, load_scenario};
use crate::batch::Shard;
use crate::error::Error;
use crate::output::{BatchFolder, BatchIdentity};
use crate::scenario::{EMBEDDED_ORIGIN, Override, Scenario};

/// The batch `replay --from` replays: its scenario (checked by SHA-256) and seed.
///
/// # Errors
/// A folder that holds no batch; a `--seed`, `--set` or SCENARIO that contradicts its
/// manifest (each named); a `--run` beyond its runs; a scenario that is no longer the one the
/// batch ran (exit 2).
pub(super) fn replayed_batch(
    args: &ReplayArgs,
    from: &Path,
) -> Result<(Arc<Scenario>, u64), Error> {
    let folder = BatchFolder::read(from)?;
    let identity = &folder.manifest.identity;
    let mut contradictions = Vec::new();
    if let Some(seed) = args.seed.filter(|&s| s != identity.seed) {
        contradictions.push(format!(
            "--seed {seed}: the batch's seed is {}",
            identity.seed
        ));
    }
    let given = texts(&args.scenario.set);
    if !given.is_empty() && given != identity.overrides {
        contradictions.push(format!(
            "{}: the batch's overrides are {}",
            list_sets(&given),
            list_sets(&identity.overrides)
        ));
    }
    let overrides = manifest_overrides(identity)?;
    let scenario = match &args.scenario.scenario {
        Some(path) => {
            let scenario = load_scenario(Some(path), &overrides)?;
            if scenario.sha256() != identity.scenario.sha256 {
                contradictions.push(format!(
                    "{}: with the batch's overrides its SHA-256 is {}…, the batch's scenario's \
                     is {}… (another scenario, or it changed since)",
                    path.display(),
                    short(&scenario.sha256()),
                    short(&identity.scenario.sha256)
                ));
            }
            scenario
        }
        None => batch_scenario(&folder, &overrides)?,
    };
    if !contradictions.is_empty() {
        return Err(Error::Usage(format!(
            "{}: not the batch there: {}. Leave them out: --from takes the scenario, --seed \
             and --set from the batch",
            folder.dir.display(),
            contradictions.join("; ")
        )));
    }
    if args.run >= identity.runs {
        return Err(Error::Usage(format!(
            "--run {}: the batch in {} has runs 0 to {}",
            args.run,
            folder.dir.display(),
            identity.runs.saturating_sub(1)
        )));
    }
    Ok((scenario, identity.seed))
}

/// The scenario the batch in `folder` ran: its `scenario.resolved.toml`, else the file its
/// manifest names with its overrides, whichever still has the manifest's SHA-256.
fn batch_scenario(folder: &BatchFolder, overrides: &[Override]) -> Result<Arc<Scenario>, Error> {
    let identity = &folder.manifest.identity;
    if let Some(resolved) = &folder.resolved_scenario {
        let scenario = load_scenario(Some(resolved), &[])?;
        if scenario.sha256() == identity.scenario.sha256 {
            return Ok(scenario);
        }
    }
    let origin = origin_path(identity, &folder.dir)?;
    let scenario = load_scenario(origin.as_deref(), overrides)?;
    if scenario.sha256() == identity.scenario.sha256 {
        return Ok(scenario);
    }
    Err(Error::Usage(format!(
        "{}: the batch's scenario, {}, has changed since it ran (its SHA-256 was {}…, it is now \
         {}…); give the scenario the batch ran as SCENARIO",
        folder.dir.display(),
        identity.scenario.origin,
        short(&identity.scenario.sha256),
        short(&scenario.sha256())
    )))
}

/// `run --resume DIR` completed from the interrupted batch's manifest: the scenario, `--runs`,
/// `--seed`, `--shard` and `--set` the command line leaves out. What it gives is kept, and the
/// resume refuses it later, naming each difference, when it is not the batch in DIR.
///
/// # Errors
/// The batch was adaptive and no `--precision` is given; its scenario file is not where the
/// manifest says (exit 2). A DIR without an interrupted batch is left to the resume to report.
pub(super) fn resumed_run(args: &RunArgs) -> Result<RunArgs, Error> {
    let Some(dir) = &args.resume else {
        return Ok(args.clone());
    };
    // Without an interrupted batch to read, the resume itself says why, once the folder is
    // claimed: a folder another batch is writing is reported as such first.
    let Ok(manifest) = BatchFolder::interrupted(dir) else {
        return Ok(args.clone());
    };
    let identity = &manifest.identity;
    if manifest.reproduce.contains(" --precision ") && args.precision.targets.is_empty() {
        return Err(Error::Usage(format!(
            "{}: the batch there is adaptive; resume it with its --precision targets: {}",
            dir.display(),
            manifest.resume.as_deref().unwrap_or(&manifest.reproduce)
        )));
    }
    let mut filled = args.clone();
    // An adaptive batch's runs are its cap.
    if args.precision.targets.is_empty() {
        filled.runs.get_or_insert(identity.runs);
    } else {
        filled.precision.max_runs.get_or_insert(identity.runs);
    }
    filled.seed.get_or_insert(identity.seed);
    if filled.shard.is_none() && identity.shard.count != 1 {
        let shard = Shard::new(identity.shard.index, identity.shard.count)
            .map_err(|e| Error::Usage(format!("{}: its manifest's shard: {e}", dir.display())))?;
        filled.shard = Some(shard);
    }
    if filled.scenario.set.is_empty() {
        filled.scenario.set = manifest_overrides(identity)?;
    }
    if filled.scenario.scenario.is_none() {
        filled.scenario.scenario = origin_path(identity, dir)?;
    }
    Ok(filled)
}

/// `compare --resume DIR` completed from the interrupted comparison's manifest: the scenario
/// files, `--set`s and `--alt`s (when the command line gives none of them), `--runs` (or
/// `--precision` and `--max-runs`) and `--seed`. Each scenario's subfolder then checks that its
/// batch is the one the command describes, naming every difference.
///
/// # Errors
/// DIR holds no comparison or a complete one; one killed before it wrote its manifest, resumed
/// with nothing else given; a scenario file not where the manifest says (exit 2).
pub(super) fn resumed_compare(args: &CompareArgs) -> Result<CompareArgs, Error> {
    let Some(dir) = &args.resume else {
        return Ok(args.clone());
    };
    let given_scenarios =
        !args.scenarios.is_empty() || !args.alt.is_empty() || !args.set.is_empty();
    // With scenarios given, a folder without a comparison to read is the resume's to report,
    // once the folder is claimed (as for `run`); without, there is nothing to compare.
    let manifest = match BatchFolder::interrupted_comparison(dir) {
        Ok(manifest) => manifest,
        Err(_) if given_scenarios => return Ok(args.clone()),
        Err(e) => return Err(e.into()),
    };
    let Some(manifest) = manifest else {
        if given_scenarios {
            return Ok(args.clone());
        }
        return Err(Error::Usage(format!(
            "{}: no manifest.json of a comparison there, so --resume DIR alone cannot tell \
             what to compare (a comparison killed before it could write one leaves only its \
             scenarios' journals); give its whole command with --resume DIR, as the \"resume\" \
             of any of its scenarios' manifest.json.partial spells it",
            dir.display()
        )));
    };
    let usage = |what: &str, text: &str, e: String| {
        Error::Usage(format!(
            "{}: its manifest's {what} {text}: {e}",
            dir.display()
        ))
    };
    let mut filled = args.clone();
    filled.seed.get_or_insert(manifest.seed);
    if manifest.precision.is_empty() {
        filled.runs.get_or_insert(manifest.runs);
    } else if args.precision.targets.is_empty() && args.runs.is_none() {
        filled.precision.max_runs.get_or_insert(manifest.runs);
        filled.precision.targets = manifest
            .precision
            .iter()
            .map(|t| {
                t.parse()
                    .map_err(|e| usage("--precision", t, format!("{e}")))
            })
            .collect::<Result<_, _>>()?;
    }
    if given_scenarios {
        return Ok(filled);
    }
    for scenario in manifest.scenarios.iter().filter(|s| s.alt.is_none()) {
        if scenario.origin != EMBEDDED_ORIGIN {
            filled.scenarios.push(existing_file(&scenario.origin, dir)?);
        }
    }
    filled.set = manifest
        .overrides
        .iter()
        .map(|t| t.parse().map_err(|e| usage("--set", t, e)))
        .collect::<Result<_, _>>()?;
    filled.alt = manifest
        .alts
        .iter()
        .map(|t| t.parse().map_err(|e| usage("--alt", t, e)))
        .collect::<Result<_, _>>()?;
    Ok(filled)
}

/// The scenario file a manifest names, `None` for the embedded default.
///
/// # Errors
/// When that file is not there (a manifest records the path as it was given, relative to
/// where the batch was started).
fn origin_path(identity: &BatchIdentity, dir: &Path) -> Result<Option<PathBuf>, Error> {
    let origin = &identity.scenario.origin;
    if origin == EMBEDDED_ORIGIN {
        return Ok(None);
    }
    existing_file(origin, dir).map(Some)
}

/// The scenario file `origin` from the manifest in `dir`, when it is there.
///
/// # Errors
/// When it is not (a manifest records the path as it was given, relative to where the batch
/// was started).
fn existing_file(origin: &str, dir: &Path) -> Result<PathBuf, Error> {
    let path = PathBuf::from(origin);
    if !path.is_file() {
        return Err(Error::Usage(format!(
            "{}: the batch's scenario file {origin} is not there (its manifest gives the path as \
             it was written where the batch started); run from that folder, or give the \
             scenario file as SCENARIO",
            dir.display()
        )));
    }
    Ok(path)
}

/// A manifest's overrides as `--set` values.
fn manifest_overrides(identity: &BatchIdentity) -> Result<Vec<Override>, Error> {
    identity
        .overrides
        .iter()
        .map(|text| {
            text.parse()
                .map_err(|e| Error::Usage(format!("the manifest's --set {text}: {e}")))
        })
        .collect()
}

/// Overrides as written.
fn texts(set: &[Override]) -> Vec<String> {
    set.iter().map(|o| o.text.clone()).collect()
}

/// Overrides as `--set` options, or "none".
fn list_sets(texts: &[String]) -> String {
    if texts.is_empty() {
        return "none".to_string();
    }
    let sets: Vec<String> = texts.iter().map(|t| format!("--set {t}")).collect();
    sets.join(" ")
}

/// The first characters of a hash, enough to tell two apart in a message.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
