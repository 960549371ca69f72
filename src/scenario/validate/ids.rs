//! Checks made before any reference is resolved: how many entries each block holds (so that a
//! runaway file fails fast and clearly), and that every id is snake_case and unique within its
//! kind.

use std::collections::BTreeMap;

use super::Result;
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::limits::{
    MAX_AIR, MAX_CONVOYS, MAX_FACTIONS, MAX_GROUPS, MAX_REINFORCEMENTS, MAX_ROADS, MAX_SITES,
};
use crate::scenario::schema::ScenarioFile;

/// No block holds more entries than its limit, and there is at least one faction and one site.
pub(super) fn check_counts(file: &ScenarioFile) -> Result<()> {
    let k = Seg::key;
    too_many(
        &[k("faction")],
        "factions",
        file.factions.len(),
        MAX_FACTIONS,
    )?;
    too_many(&[k("site")], "sites", file.sites.len(), MAX_SITES)?;
    too_many(&[k("road")], "roads", file.roads.len(), MAX_ROADS)?;
    too_many(&[k("convoy")], "convoys", file.convoys.len(), MAX_CONVOYS)?;
    too_many(&[k("group")], "groups", file.groups.len(), MAX_GROUPS)?;
    too_many(&[k("air")], "air wings", file.air.len(), MAX_AIR)?;
    too_many(
        &[k("reinforcement")],
        "reinforcements",
        file.reinforcements.len(),
        MAX_REINFORCEMENTS,
    )?;
    if file.factions.is_empty() {
        return Err(problem(&[], "a scenario needs at least one [[faction]]"));
    }
    if file.sites.is_empty() {
        return Err(problem(&[], "a scenario needs at least one [[site]]"));
    }
    Ok(())
}

/// Every id is snake_case (ids name `runs.csv` columns). Sites, groups and convoys share one
/// namespace, since a reinforcement's `to` may name any of them; factions and air wings each
/// have their own.
pub(super) fn check_ids(file: &ScenarioFile) -> Result<()> {
    let k = Seg::key;
    let mut ids = BTreeMap::new();
    let mut faction_seen = BTreeMap::new();
    for f in &file.factions {
        check_id(
            &[k("faction"), Seg::id(&f.id), k("id")],
            &f.id,
            &mut faction_seen,
            "faction",
        )?;
    }
    for s in &file.sites {
        check_id(
            &[k("site"), Seg::id(&s.id), k("id")],
            &s.id,
            &mut ids,
            "site",
        )?;
    }
    for g in &file.groups {
        check_id(
            &[k("group"), Seg::id(&g.id), k("id")],
            &g.id,
            &mut ids,
            "group",
        )?;
    }
    for c in &file.convoys {
        check_id(
            &[k("convoy"), Seg::id(&c.id), k("id")],
            &c.id,
            &mut ids,
            "convoy",
        )?;
    }
    let mut air_seen = BTreeMap::new();
    for a in &file.air {
        check_id(
            &[k("air"), Seg::id(&a.id), k("id")],
            &a.id,
            &mut air_seen,
            "air wing",
        )?;
    }
    Ok(())
}

/// One id: snake_case, at most 64 characters, not yet in `seen` (which records its kind).
fn check_id(
    path: &[Seg],
    id: &str,
    seen: &mut BTreeMap<String, &'static str>,
    kind: &'static str,
) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(problem(
            path,
            format!(
                "id '{id}' must be snake_case: a lowercase letter, then lowercase letters, digits or _ (it names output columns)"
            ),
        ));
    }
    if let Some(other) = seen.insert(id.to_string(), kind) {
        // Both places by their key paths: this entry is where the error is located.
        let section = |kind: &str| {
            match kind {
                "air wing" => "air",
                other => other,
            }
            .to_string()
        };
        return Err(problem(
            path,
            format!(
                "id '{id}' is used twice: by {}.{id} and by this {kind} ({}.{id}); ids of sites, \
                 groups and convoys must be unique",
                section(other),
                section(kind)
            ),
        ));
    }
    Ok(())
}

/// `n` entries of `what` are at most `max`.
fn too_many(path: &[Seg], what: &str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(problem(
            path,
            format!("{n} {what}; at most {max} are allowed"),
        ));
    }
    Ok(())
}
