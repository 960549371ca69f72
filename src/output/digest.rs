//! The digest `sandtable check` prints: a scenario as the engine understood it — factions and
//! stances, sites, roads, the withdrawal schedule, convoys with their routes, armed groups, air
//! wings, reinforcements, and every uncertain number with its range and source.

use std::fmt::Write as _;

use crate::scenario::{Dist, ParamId};
use crate::scenario::{FireKind, Posture, ReinforcementTarget, Scenario, SiteKind, Stance};

/// The digest of a validated scenario, for people checking what they wrote: a heading, then
/// one section per part of the scenario, then a count of everything.
pub fn render_digest(scenario: &Scenario) -> String {
    let mut out = Digest(String::new());
    heading(&mut out, scenario);
    factions(&mut out, scenario);
    sites(&mut out, scenario);
    roads(&mut out, scenario);
    withdrawals(&mut out, scenario);
    convoys(&mut out, scenario);
    groups(&mut out, scenario);
    air(&mut out, scenario);
    reinforcements(&mut out, scenario);
    let uncertain = uncertain_parameters(&mut out, scenario);
    let s = scenario;
    out.blank();
    out.line(format!(
        "OK: {} factions, {} sites, {} roads, {} convoys, {} groups, {} uncertain parameters.",
        s.factions.len(),
        s.sites.len(),
        s.roads.len(),
        s.convoys.len(),
        s.groups.len(),
        uncertain
    ));
    out.0
}

/// The digest's text, a line at a time.
struct Digest(String);

impl Digest {
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }

    /// The empty line before a section.
    fn blank(&mut self) {
        self.0.push('\n');
    }
}

/// Name and title, file, hash, time span and source.
fn heading(out: &mut Digest, s: &Scenario) {
    let end = s.datetime_at(s.horizon_days * 24.0);
    out.line(format!("{} — {}", s.name, s.title));
    out.line(format!("file     {}", s.origin));
    out.line(format!("sha256   {}", s.sha256()));
    out.line(format!(
        "time     from {} for {} days (to {})",
        s.start.strftime("%-d %b %Y"),
        s.horizon_days,
        end.strftime("%-d %b %Y %H:%M")
    ));
    if let Some(source) = &s.source {
        out.line(format!("source   {source}"));
    }
}

/// Each faction with its kind of fire, and whom it is allied with and hostile to.
fn factions(out: &mut Digest, s: &Scenario) {
    out.blank();
    out.line(format!("Factions ({})", s.factions.len()));
    let id_width = s.factions.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for (i, f) in s.factions.iter().enumerate() {
        let with = |stance: Stance| -> Vec<&str> {
            (0..s.factions.len())
                .filter(|&j| j != i && s.stance(i, j) == stance)
                .map(|j| s.factions[j].id.as_str())
                .collect()
        };
        let fire = match f.fire {
            FireKind::Aimed => "aimed fire",
            FireKind::Area => "area fire",
        };
        let mut text = format!("  {:id_width$}  {} · {fire}", f.id, f.name);
        for (label, stance) in [
            ("allied with", Stance::Allied),
            ("hostile to", Stance::Hostile),
        ] {
            let ids = with(stance);
            if !ids.is_empty() {
                let _ = write!(text, " · {label} {}", ids.join(", "));
            }
        }
        out.line(text);
    }
}

/// Each site: kind, owner, garrison, and whether its end owner is reported.
fn sites(out: &mut Digest, s: &Scenario) {
    out.blank();
    out.line(format!("Sites ({})", s.sites.len()));
    let id_width = s.sites.iter().map(|x| x.id.len()).max().unwrap_or(0);
    let name_width = s
        .sites
        .iter()
        .map(|x| x.name.chars().count())
        .max()
        .unwrap_or(0);
    for site in &s.sites {
        let kind = match site.kind {
            SiteKind::Town => "town",
            SiteKind::ArmyCamp => "army camp",
            SiteKind::UnCamp => "UN camp",
            SiteKind::Airport => "airport",
            SiteKind::Refuge => "refuge",
        };
        let owner = site.owner.map_or("held by no one".to_string(), |f| {
            format!("held by {}", s.factions[f].id)
        });
        let mut text = format!(
            "  {:id_width$}  {}{}  {kind:<9}  {owner}",
            site.id,
            site.name,
            " ".repeat(name_width - site.name.chars().count())
        );
        let garrison: Vec<String> = site
            .garrison
            .iter()
            .map(|(f, p)| format!("{} {}", s.factions[*f].id, amount(s, *p)))
            .collect();
        if !garrison.is_empty() {
            let _ = write!(text, " · garrison {}", garrison.join(", "));
        }
        if site.reported {
            text.push_str(" · reported");
        }
        out.line(text);
    }
}

/// Each road by its name, with its id for `--set road.ID.…`: length, surface, IEDs and ambush
/// chance.
fn roads(out: &mut Digest, s: &Scenario) {
    out.blank();
    out.line(format!("Roads ({})", s.roads.len()));
    for (i, road) in s.roads.iter().enumerate() {
        out.line(format!(
            "  {} ({}): {} km, {}, IEDs {} per 100 km, ambush chance {}",
            s.road_name(i),
            road.id,
            amount(s, road.length_km),
            road.surface,
            amount(s, road.ied_per_100km),
            amount(s, road.ambush)
        ));
    }
}

/// The peacekeepers' withdrawals, in date order, and who gets each camp.
fn withdrawals(out: &mut Digest, s: &Scenario) {
    out.blank();
    out.line(format!(
        "Peacekeepers' withdrawals ({})",
        s.withdrawals.len()
    ));
    let mut withdrawals: Vec<_> = s.withdrawals.iter().collect();
    withdrawals.sort_by(|a, b| a.hour.total_cmp(&b.hour));
    for w in withdrawals {
        let to = w.handover.map_or("left vacant".to_string(), |f| {
            format!("handed to {}", s.factions[f].id)
        });
        out.line(format!(
            "  {}  {} — {to}",
            when(s, w.hour),
            s.sites[w.camp].name
        ));
    }
}

/// Each convoy by its name, with its id for `--set convoy.ID.…`: departure, route, force,
/// waiting and breaking rules.
fn convoys(out: &mut Digest, s: &Scenario) {
    out.blank();
    out.line(format!("Convoys ({})", s.convoys.len()));
    for (i, c) in s.convoys.iter().enumerate() {
        let route_km: f64 = c
            .route
            .iter()
            .map(|l| s.mean(s.roads[l.road].length_km))
            .sum();
        let mut stops = vec![s.sites[c.route.first().map_or(0, |l| l.from)].name.as_str()];
        stops.extend(c.route.iter().map(|l| s.sites[l.to].name.as_str()));
        out.line(format!(
            "  {} ({}) departs {} for {}",
            s.convoy_name(i),
            c.id,
            when(s, c.depart_hour),
            s.sites[c.destination()].name
        ));
        out.line(format!(
            "    route: {} (about {route_km:.0} km)",
            stops.join(" → ")
        ));
        let mut force = format!(
            "    {} vehicles, {} troops",
            amount(s, c.vehicles),
            amount(s, c.troops)
        );
        for (f, p) in &c.attached {
            let _ = write!(
                force,
                ", {} {} attached",
                amount(s, *p),
                s.faction_short_name(*f)
            );
        }
        out.line(force);
        if let Some(wait) = c.wait_at {
            let camps: Vec<&str> = c
                .wait_until_vacated
                .iter()
                .map(|&x| s.sites[x].name.as_str())
                .collect();
            let until = if camps.is_empty() {
                String::new()
            } else {
                format!(" until {} is vacated, then", camps.join(" and "))
            };
            out.line(format!(
                "    waits at {}{until} {} more days",
                s.sites[wait].name,
                amount(s, c.pause_days)
            ));
        }
        out.line(format!(
            "    halts {} h after each fight; turns back after losing {} of its troops",
            amount(s, c.halt_after_contact_hours),
            amount(s, c.break_point)
        ));
    }
}

/// Each armed group by its name, with its id for `--set group.ID.…`: strength, home, posture,
/// target and refuge.
fn groups(out: &mut Digest, s: &Scenario) {
    out.blank();
    out.line(format!("Armed groups ({})", s.groups.len()));
    for (i, g) in s.groups.iter().enumerate() {
        let posture = match g.posture {
            Posture::Defend => "defend",
            Posture::Raid => "raid",
            Posture::Ambush => "ambush",
            Posture::Assault => "assault",
            Posture::Withdraw => "withdraw",
        };
        let mut text = format!(
            "  {} ({}): {} fighters, {} technicals, home {}, posture {posture}",
            s.group_name(i),
            g.id,
            amount(s, g.fighters),
            amount(s, g.technicals),
            s.sites[g.home].name
        );
        if let Some(target) = g.target {
            let _ = write!(text, " on {}", s.sites[target].name);
        }
        let _ = write!(text, ", refuge {}", s.sites[g.refuge].name);
        out.line(text);
    }
}

/// Each air wing by its name, with its id for `--set air.ID.…`, when there are any.
fn air(out: &mut Digest, s: &Scenario) {
    if s.air.is_empty() {
        return;
    }
    out.blank();
    out.line(format!("Air ({})", s.air.len()));
    for (i, a) in s.air.iter().enumerate() {
        out.line(format!(
            "  {} ({}): {} sorties a day from {}, range {} km",
            s.air_wing_name(i),
            a.id,
            amount(s, a.sorties_per_day),
            when(s, a.from_hour),
            amount(s, a.range_km)
        ));
    }
}

/// Each reinforcement, when there are any.
fn reinforcements(out: &mut Digest, s: &Scenario) {
    if s.reinforcements.is_empty() {
        return;
    }
    out.blank();
    out.line(format!("Reinforcements ({})", s.reinforcements.len()));
    for r in &s.reinforcements {
        let to = match r.to {
            ReinforcementTarget::Site(i) => s.sites[i].name.clone(),
            ReinforcementTarget::Group(i) => s.group_name(i),
            ReinforcementTarget::Convoy(i) => s.convoy_name(i),
        };
        out.line(format!(
            "  {} {} join {to} on day {}",
            amount(s, r.troops),
            s.faction_short_name(r.faction),
            amount(s, r.day)
        ));
    }
}

/// Every uncertain number with its range and source; returns how many there are.
fn uncertain_parameters(out: &mut Digest, s: &Scenario) -> usize {
    let uncertain: Vec<_> = s.uncertain_params().collect();
    out.blank();
    out.line(format!(
        "Uncertain parameters ({}, drawn anew in every run; each is a column of runs.csv)",
        uncertain.len()
    ));
    let width = uncertain
        .iter()
        .map(|(_, p)| p.path.len())
        .max()
        .unwrap_or(0);
    for (_, p) in &uncertain {
        let mut text = format!("  {:width$}  {}", p.path, p.dist);
        if let Some(source) = &p.source {
            let _ = write!(text, "  — {source}");
        }
        out.line(text);
    }
    uncertain.len()
}

/// A scenario number: its value, or its range when uncertain (`60–90`).
fn amount(s: &Scenario, id: ParamId) -> String {
    match s.params[id.0 as usize].dist {
        Dist::Fixed { value } => format!("{value}"),
        Dist::Uniform { min, max } => format!("{min}–{max}"),
        Dist::Triangular { min, mode, max } => format!("{min}–{max} (mode {mode})"),
    }
}

/// The date and time of an hour since the start.
fn when(s: &Scenario, hour: f64) -> String {
    s.datetime_at(hour).strftime("%-d %b %Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_the_default_names_its_parts() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let digest = render_digest(&scenario);
        for part in [
            "Factions (5)",
            "fama",
            "Kidal",
            "route: Gao → ",
            "Uncertain parameters",
            "combat.surprise_factor",
            "OK:",
        ] {
            assert!(digest.contains(part), "missing {part:?} in\n{digest}");
        }
    }
}
