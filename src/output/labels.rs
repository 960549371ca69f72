//! Outcome columns as people say them: `kidal_column_status` = `arrived` is "FAMa column from
//! Gao arrived", `csp_killed` is "CMA/CSP (Tuareg separatists) killed". For the terminal only;
//! the files keep the column names, which scripts and `--precision` use.

use crate::scenario::Scenario;
use crate::sim::outcome::reported_sites;

/// The plain-words label of outcome column `column` (and `category`, for a categorical one) of
/// `scenario`'s `runs.csv`; the column name itself for a drawn number or a name it does not know.
pub fn outcome_label(scenario: &Scenario, column: &str, category: Option<&str>) -> String {
    let faction_name = |id: &str| {
        scenario
            .factions
            .iter()
            .position(|f| f.id == id)
            .map_or_else(
                || "nobody".to_string(),
                |f| scenario.faction_short_name(f).to_string(),
            )
    };
    for (i, c) in scenario.convoys.iter().enumerate() {
        let name = scenario.convoy_name(i);
        match column.strip_prefix(c.id.as_str()) {
            Some("_status") => {
                let how = category.unwrap_or("").replace('_', " ");
                return format!(
                    "{name} {}",
                    if how == "en route" {
                        "still on the road"
                    } else {
                        &how
                    }
                );
            }
            Some("_arrival_day") => return format!("{name}: arrival day"),
            Some("_vehicles_lost") => return format!("{name}: vehicles lost"),
            _ => {}
        }
    }
    for site in reported_sites(scenario) {
        let s = &scenario.sites[site];
        match column.strip_prefix(s.id.as_str()) {
            Some("_owner_end") => {
                let holder = faction_name(category.unwrap_or(""));
                return format!("{} held by {holder} at the end", s.name);
            }
            Some("_taken_day") => return format!("{}: day it first changes hands", s.name),
            _ => {}
        }
    }
    for f in &scenario.factions {
        match column.strip_prefix(f.id.as_str()) {
            Some("_killed") => return format!("{} killed", f.name),
            Some("_wounded") => return format!("{} wounded", f.name),
            Some("_sites_end") => return format!("sites {} holds at the end", f.name),
            _ => {}
        }
    }
    match column {
        "civilians_killed" => "civilians killed",
        "ied_strikes" => "IED strikes",
        "ambushes" => "ambushes",
        "camp_raids" => "camp raids",
        "engagements" => "engagements",
        other => other,
    }
    .to_string()
}

/// The outcome `drivers` explains, in words: the label of its column and category, after
/// "not:" when every other category counts (`kidal_column_status!=arrived`).
pub fn choice_label(scenario: &Scenario, choice: &crate::analysis::OutcomeChoice) -> String {
    let label = outcome_label(scenario, &choice.name, choice.category.as_deref());
    if choice.negated {
        format!("not: {label}")
    } else {
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_in_plain_words() {
        let s = crate::scenario::load_default(&[]).unwrap();
        let check = |column: &str, category: Option<&str>, expected: &str| {
            assert_eq!(outcome_label(&s, column, category), expected);
        };
        check(
            "kidal_column_status",
            Some("arrived"),
            "FAMa column from Gao arrived",
        );
        check(
            "kidal_column_status",
            Some("turned_back"),
            "FAMa column from Gao turned back",
        );
        check(
            "kidal_column_status",
            Some("en_route"),
            "FAMa column from Gao still on the road",
        );
        check(
            "kidal_column_vehicles_lost",
            None,
            "FAMa column from Gao: vehicles lost",
        );
        check(
            "kidal_owner_end",
            Some("csp"),
            "Kidal held by CMA/CSP at the end",
        );
        check(
            "kidal_owner_end",
            Some("none"),
            "Kidal held by nobody at the end",
        );
        check("fama_killed", None, "FAMa (Malian Armed Forces) killed");
        check("civilians_killed", None, "civilians killed");
        check("combat_night_factor", None, "combat_night_factor");
    }
}
