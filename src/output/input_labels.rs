//! How `drivers` names an input for a reader: `faction_fama_kill_rate_per_hour` becomes
//! "FAMa kill rate" in "per hour", using the scenario's own names for factions, sites and
//! roads, so that a PRIM box reads as a sentence. The files keep the column names.

use crate::scenario::Scenario;

/// An input as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLabel {
    /// What the number is, in words (`Kidal fortification`, `CMA/CSP band from Kidal fighters`).
    pub name: String,
    /// Its unit, written after a value (`per hour`, `km`), if its name carries one.
    pub unit: Option<String>,
}

/// Unit suffixes of scenario keys and how a value's unit is written; longest first.
const UNITS: [(&str, &str); 9] = [
    ("_km_per_day", "km/day"),
    ("_per_100km", "per 100 km"),
    ("_per_hour", "per hour"),
    ("_per_day", "per day"),
    ("_km", "km"),
    ("_hours", "h"),
    ("_hour", "h"),
    ("_days", "days"),
    ("_day", "day"),
];

/// The label of each of `columns` (runs.csv names). A column that is a number of the scenario
/// reads from its path; any other (a design factor that is not a number) keeps its name.
pub fn input_labels(scenario: &Scenario, columns: &[String]) -> Vec<InputLabel> {
    columns
        .iter()
        .map(
            |column| match scenario.params.iter().find(|p| p.column == *column) {
                Some(param) => label_of_path(scenario, &param.path),
                None => InputLabel {
                    name: column.clone(),
                    unit: None,
                },
            },
        )
        .collect()
}

/// A faction's short name: its name up to a bracket ("FAMa (Malian Armed Forces)" → "FAMa").
fn faction_name(scenario: &Scenario, id: &str) -> Option<String> {
    let faction = scenario.factions.iter().find(|f| f.id == id)?;
    Some(match faction.name.split_once(" (") {
        Some((short, _)) => short.to_string(),
        None => faction.name.clone(),
    })
}

fn site_name(scenario: &Scenario, id: &str) -> Option<String> {
    scenario
        .sites
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.clone())
}

fn road_name(scenario: &Scenario, id: &str) -> Option<String> {
    let road = scenario.roads.iter().find(|r| r.id == id)?;
    let (from, to) = (
        &scenario.sites[road.from].name,
        &scenario.sites[road.to].name,
    );
    Some(format!("{from}–{to} road"))
}

/// A convoy by its display name (`FAMa column from Gao`).
fn convoy_name(scenario: &Scenario, id: &str) -> Option<String> {
    let index = scenario.convoys.iter().position(|c| c.id == id)?;
    Some(scenario.convoy_name(index))
}

/// A band by its display name (`CMA/CSP band from Kidal`).
fn group_name(scenario: &Scenario, id: &str) -> Option<String> {
    let index = scenario.groups.iter().position(|g| g.id == id)?;
    Some(scenario.group_name(index))
}

/// An air wing by its display name (`FAMa air wing at Gao`).
fn air_wing_name(scenario: &Scenario, id: &str) -> Option<String> {
    let index = scenario.air.iter().position(|w| w.id == id)?;
    Some(scenario.air_wing_name(index))
}

/// `key` in words, and the unit its suffix names.
fn words(key: &str) -> (String, Option<String>) {
    for (suffix, unit) in UNITS {
        if let Some(stem) = key.strip_suffix(suffix) {
            return (stem.replace('_', " "), Some(unit.to_string()));
        }
    }
    (key.replace('_', " "), None)
}

/// The label of the scenario number at dotted `path`: the thing it belongs to by its scenario
/// name, the key in words, further keys (a garrison's faction, a surface) in brackets.
pub(super) fn label_of_path(scenario: &Scenario, path: &str) -> InputLabel {
    let segments: Vec<&str> = path.split('.').collect();
    let named = |name: Option<String>, id: &str| name.unwrap_or_else(|| id.to_string());
    let (owner, rest) = match segments.as_slice() {
        ["faction", id, rest @ ..] => (named(faction_name(scenario, id), id), rest),
        ["site", id, rest @ ..] => (named(site_name(scenario, id), id), rest),
        ["road", id, rest @ ..] => (named(road_name(scenario, id), id), rest),
        ["convoy", id, rest @ ..] => (named(convoy_name(scenario, id), id), rest),
        ["group", id, rest @ ..] => (named(group_name(scenario, id), id), rest),
        ["air", id, rest @ ..] => (named(air_wing_name(scenario, id), id), rest),
        // Reinforcements have no display name; their id in words reads well enough
        // (`tessalit airlift wagner`).
        ["reinforcement", id, rest @ ..] => (id.replace('_', " "), rest),
        [block, rest @ ..] => (block.to_string(), rest),
        [] => (String::new(), &[][..]),
    };
    let Some((key, qualifiers)) = rest.split_first() else {
        return InputLabel {
            name: owner,
            unit: None,
        };
    };
    let (key, unit) = words(key);
    let mut name = format!("{owner} {key}");
    if !qualifiers.is_empty() {
        let shown: Vec<String> = qualifiers
            .iter()
            .map(|q| named(faction_name(scenario, q), &q.replace('_', " ")))
            .collect();
        name.push_str(&format!(" ({})", shown.join(", ")));
    }
    InputLabel { name, unit }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_the_scenarios_names_and_their_units() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let columns: Vec<String> = [
            "faction_fama_kill_rate_per_hour",
            "site_gao_garrison_fama",
            "site_kidal_fortification",
            "road_gao_tarkint_length_km",
            "group_csp_kidal_fighters",
            "convoy_kidal_column_speed_km_per_day_track",
            "convoy_kidal_column_attached_wagner",
            "combat_surprise_factor",
            "drones_enabled",
        ]
        .map(String::from)
        .to_vec();
        let labels: Vec<(String, Option<String>)> = input_labels(&scenario, &columns)
            .into_iter()
            .map(|l| (l.name, l.unit))
            .collect();
        let expected = [
            ("FAMa kill rate", Some("per hour")),
            ("Gao garrison (FAMa)", None),
            ("Kidal fortification", None),
            ("Gao–Tarkint road length", Some("km")),
            ("CMA/CSP band from Kidal fighters", None),
            ("FAMa column from Gao speed (track)", Some("km/day")),
            ("FAMa column from Gao attached (Wagner Group)", None),
            ("combat surprise factor", None),
            ("drones_enabled", None),
        ];
        for (got, (name, unit)) in labels.iter().zip(expected) {
            assert_eq!((got.0.as_str(), got.1.as_deref()), (name, unit));
        }
    }
}
