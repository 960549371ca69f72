//! Turns the serde mirror into a [`Scenario`]: resolves every reference to an index, registers
//! every number as a parameter with its path, checks ranges, dates and routes. Each problem
//! carries the path of the value at fault, which `locate` turns into file:line:col.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use toml::value::Datetime;

use super::diagnostic::{Problem, problem};
use super::keypath::{self, Seg};
use super::schema::*;
use super::uncertain::{Dist, NumberSpec, Param, ParamId};
use super::*;

type Result<T> = std::result::Result<T, Problem>;

/// Largest numbers of each kind of thing, so that a runaway file fails fast and clearly.
const MAX_FACTIONS: usize = 64;
const MAX_SITES: usize = 2_000;
const MAX_ROADS: usize = 10_000;
const MAX_CONVOYS: usize = 500;
const MAX_GROUPS: usize = 2_000;
const MAX_AIR: usize = 200;
const MAX_REINFORCEMENTS: usize = 10_000;
/// Largest number of troops, fighters or vehicles in one unit.
const MAX_STRENGTH: f64 = 10_000_000.0;

/// Allowed interval of a number, closed at both ends unless `open_low`.
#[derive(Clone, Copy)]
struct Range {
    low: f64,
    high: f64,
    open_low: bool,
    what: &'static str,
}

const fn closed(low: f64, high: f64, what: &'static str) -> Range {
    Range {
        low,
        high,
        open_low: false,
        what,
    }
}
const fn positive(high: f64, what: &'static str) -> Range {
    Range {
        low: 0.0,
        high,
        open_low: true,
        what,
    }
}
const PROBABILITY: Range = closed(0.0, 1.0, "a probability between 0 and 1");
const SHARE: Range = positive(1.0, "a share greater than 0 and at most 1");
const COUNT: Range = closed(0.0, MAX_STRENGTH, "a count between 0 and 10,000,000");
const RATE: Range = closed(0.0, 1.0e6, "a rate of 0 or more");
const FACTOR: Range = closed(0.0, 1000.0, "a factor between 0 and 1000");

struct Builder {
    params: Vec<Param>,
    faction_ids: Vec<String>,
    site_ids: Vec<String>,
    start: jiff::civil::Date,
    horizon_days: f64,
}

impl Builder {
    fn number(&mut self, path: &[Seg], spec: &NumberSpec, range: Range) -> Result<ParamId> {
        let check = |v: f64, which: &str| -> Result<()> {
            let low_ok = if range.open_low {
                v > range.low
            } else {
                v >= range.low
            };
            if v.is_finite() && low_ok && v <= range.high {
                Ok(())
            } else {
                let shown = dotted_name(path);
                Err(problem(
                    path,
                    format!("{shown}{which} is {v}; it must be {}", range.what),
                ))
            }
        };
        match spec.dist {
            Dist::Fixed { value } => check(value, "")?,
            Dist::Uniform { min, max } => {
                check(min, ".min")?;
                check(max, ".max")?;
                if min > max {
                    return Err(problem(
                        path,
                        format!(
                            "{}: min ({min}) is greater than max ({max})",
                            dotted_name(path)
                        ),
                    ));
                }
            }
            Dist::Triangular { min, mode, max } => {
                check(min, ".min")?;
                check(max, ".max")?;
                if min > max {
                    return Err(problem(
                        path,
                        format!(
                            "{}: min ({min}) is greater than max ({max})",
                            dotted_name(path)
                        ),
                    ));
                }
                if !(min..=max).contains(&mode) {
                    return Err(problem(
                        path,
                        format!(
                            "{}: mode ({mode}) must lie between min ({min}) and max ({max})",
                            dotted_name(path)
                        ),
                    ));
                }
            }
        }
        let dotted = keypath::dotted(path);
        self.params.push(Param {
            column: dotted.replace('.', "_"),
            path: dotted,
            dist: spec.dist,
            source: spec.source.clone(),
        });
        Ok(ParamId(self.params.len() as u32 - 1))
    }

    fn number_or(
        &mut self,
        path: &[Seg],
        spec: &Option<NumberSpec>,
        default: f64,
        range: Range,
    ) -> Result<ParamId> {
        let spec = spec.clone().unwrap_or(NumberSpec {
            dist: Dist::Fixed { value: default },
            source: Some("default".into()),
        });
        self.number(path, &spec, range)
    }

    fn faction(&self, path: &[Seg], id: &str) -> Result<FactionIdx> {
        self.faction_ids
            .iter()
            .position(|f| f == id)
            .ok_or_else(|| {
                problem(
                    path,
                    format!(
                        "{} refers to faction '{id}', which is not defined (factions: {})",
                        dotted_name(path),
                        self.faction_ids.join(", ")
                    ),
                )
            })
    }

    fn site(&self, path: &[Seg], id: &str) -> Result<SiteIdx> {
        self.site_ids.iter().position(|s| s == id).ok_or_else(|| {
            problem(
                path,
                format!(
                    "{} refers to site '{id}', which is not defined (sites: {})",
                    dotted_name(path),
                    list_some(&self.site_ids)
                ),
            )
        })
    }

    fn hour(&self, path: &[Seg], dt: &Datetime) -> Result<f64> {
        let date = to_date(path, dt)?;
        let time = dt
            .time
            .map_or(0.0, |t| t.hour as f64 + t.minute as f64 / 60.0);
        let days = (date - self.start).get_days() as f64;
        let hour = days * 24.0 + time;
        if hour < 0.0 || hour > self.horizon_days * 24.0 {
            let end = self
                .start
                .checked_add(jiff::Span::new().days(self.horizon_days as i64))
                .unwrap_or(self.start);
            return Err(problem(
                path,
                format!(
                    "{} is {date}, outside the scenario ({} to {end})",
                    dotted_name(path),
                    self.start
                ),
            ));
        }
        Ok(hour)
    }
}

fn dotted_name(path: &[Seg]) -> String {
    keypath::dotted(path)
}

fn list_some(ids: &[String]) -> String {
    if ids.len() <= 12 {
        ids.join(", ")
    } else {
        format!("{}, … ({} in all)", ids[..12].join(", "), ids.len())
    }
}

fn to_date(path: &[Seg], dt: &Datetime) -> Result<jiff::civil::Date> {
    let d = dt.date.ok_or_else(|| {
        problem(
            path,
            format!("{} must be a date like 2023-10-02", dotted_name(path)),
        )
    })?;
    jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|e| {
        problem(
            path,
            format!("{} is not a valid date: {e}", dotted_name(path)),
        )
    })
}

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
        return Err(problem(
            path,
            format!(
                "id '{id}' is used twice (already a {other}); ids of sites, groups and convoys must be unique"
            ),
        ));
    }
    Ok(())
}

fn too_many(path: &[Seg], what: &str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(problem(
            path,
            format!("{n} {what}; at most {max} are allowed"),
        ));
    }
    Ok(())
}

/// Validates a scenario and resolves it into plain data.
pub fn validate(file: ScenarioFile, origin: String, resolved_toml: String) -> Result<Scenario> {
    let k = |s: &str| Seg::key(s);
    let start = to_date(&[k("start")], &file.start)?;
    let horizon_days = match file.horizon_days.dist {
        Dist::Fixed { value } if (1.0..=MAX_HORIZON_DAYS).contains(&value) => value,
        Dist::Fixed { value } => {
            return Err(problem(
                &[k("horizon_days")],
                format!(
                    "horizon_days must be between 1 and {MAX_HORIZON_DAYS} days; it is {value}"
                ),
            ));
        }
        _ => {
            return Err(problem(
                &[k("horizon_days")],
                "horizon_days must be a single number of days, not a range",
            ));
        }
    };
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

    let mut b = Builder {
        params: Vec::new(),
        faction_ids: file.factions.iter().map(|f| f.id.clone()).collect(),
        site_ids: file.sites.iter().map(|s| s.id.clone()).collect(),
        start,
        horizon_days,
    };

    let c = &file.combat;
    let cp = |key: &str| vec![k("combat"), k(key)];
    let combat = Combat {
        mode: c.mode.unwrap_or(CombatMode::Stochastic),
        round_hours: b.number_or(
            &cp("round_hours"),
            &c.round_hours,
            1.0,
            positive(24.0, "a number of hours greater than 0 and at most 24"),
        )?,
        surprise_factor: b.number_or(&cp("surprise_factor"), &c.surprise_factor, 1.0, FACTOR)?,
        air_support_factor: b.number_or(
            &cp("air_support_factor"),
            &c.air_support_factor,
            1.0,
            FACTOR,
        )?,
        night_factor: b.number_or(&cp("night_factor"), &c.night_factor, 1.0, FACTOR)?,
        max_engagement_hours: b.number_or(
            &cp("max_engagement_hours"),
            &c.max_engagement_hours,
            24.0 * 365.0,
            positive(24.0 * 3650.0, "a number of hours greater than 0"),
        )?,
        vehicles_lost_per_casualty: b.number_or(
            &cp("vehicles_lost_per_casualty"),
            &c.vehicles_lost_per_casualty,
            0.0,
            closed(0.0, 10.0, "a number between 0 and 10"),
        )?,
        civilians_killed_per_town_fight: b.number_or(
            &cp("civilians_killed_per_town_fight"),
            &c.civilians_killed_per_town_fight,
            0.0,
            RATE,
        )?,
    };

    let ip = |key: &str| vec![k("ied"), k(key)];
    let ied = Ied {
        vehicle_destroyed_chance: b.number_or(
            &ip("vehicle_destroyed_chance"),
            &file.ied.vehicle_destroyed_chance,
            0.0,
            PROBABILITY,
        )?,
        killed_per_strike: b.number_or(
            &ip("killed_per_strike"),
            &file.ied.killed_per_strike,
            0.0,
            RATE,
        )?,
        wounded_per_strike: b.number_or(
            &ip("wounded_per_strike"),
            &file.ied.wounded_per_strike,
            0.0,
            RATE,
        )?,
    };

    let mut factions = Vec::new();
    for f in &file.factions {
        let p = |key: &str| vec![k("faction"), Seg::id(&f.id), k(key)];
        factions.push(Faction {
            id: f.id.clone(),
            name: f.name.clone().unwrap_or_else(|| f.id.clone()),
            fire: f.fire.unwrap_or(FireKind::Aimed),
            kill_rate_per_hour: b.number(&p("kill_rate_per_hour"), &f.kill_rate_per_hour, RATE)?,
            break_point: b.number(&p("break_point"), &f.break_point, SHARE)?,
            killed_share: b.number_or(&p("killed_share"), &f.killed_share, 1.0, PROBABILITY)?,
            raid_propensity_per_day: b.number_or(
                &p("raid_propensity_per_day"),
                &f.raid_propensity_per_day,
                0.0,
                PROBABILITY,
            )?,
            raid_hold_hours: b.number_or(
                &p("raid_hold_hours"),
                &f.raid_hold_hours,
                8.0,
                closed(0.0, 24.0 * 365.0, "a number of hours of 0 or more"),
            )?,
            avoid_odds: b.number_or(
                &p("avoid_odds"),
                &f.avoid_odds,
                1.0e9,
                positive(1.0e9, "odds greater than 0"),
            )?,
        });
    }

    let n = factions.len();
    let mut stances = vec![vec![Stance::Neutral; n]; n];
    for (i, row) in stances.iter_mut().enumerate() {
        row[i] = Stance::Allied;
    }
    for (list, stance, key) in [
        (&file.stances.allied, Stance::Allied, "allied"),
        (&file.stances.hostile, Stance::Hostile, "hostile"),
    ] {
        for (i, [x, y]) in list.iter().enumerate() {
            let p = [k("stances"), k(key), Seg::Index(i)];
            let (a, bb) = (b.faction(&p, x)?, b.faction(&p, y)?);
            if a == bb {
                return Err(problem(
                    &p,
                    format!("a faction cannot be {key} with itself ('{x}')"),
                ));
            }
            if stances[a][bb] != Stance::Neutral && stances[a][bb] != stance {
                return Err(problem(
                    &p,
                    format!("'{x}' and '{y}' are listed both as allied and as hostile"),
                ));
            }
            stances[a][bb] = stance;
            stances[bb][a] = stance;
        }
    }

    let mut sites = Vec::new();
    for s in &file.sites {
        let p = |key: &str| vec![k("site"), Seg::id(&s.id), k(key)];
        if !(-90.0..=90.0).contains(&s.lat) || !(-180.0..=180.0).contains(&s.lon) {
            return Err(problem(
                &p("lat"),
                format!(
                    "site '{}': lat must be within ±90 and lon within ±180",
                    s.id
                ),
            ));
        }
        let owner = s
            .owner
            .as_deref()
            .map(|o| b.faction(&p("owner"), o))
            .transpose()?;
        let mut garrison = Vec::new();
        for (fid, troops) in &s.garrison {
            let gp = vec![k("site"), Seg::id(&s.id), k("garrison"), k(fid)];
            let f = b.faction(&gp, fid)?;
            if let Some(o) = owner {
                if stances[o][f] == Stance::Hostile {
                    return Err(problem(
                        &gp,
                        format!(
                            "site '{}' is held by '{}' but garrisoned by hostile '{fid}'",
                            s.id, factions[o].id
                        ),
                    ));
                }
            } else {
                return Err(problem(
                    &gp,
                    format!(
                        "site '{}' has a garrison but no owner; add owner = \"{fid}\"",
                        s.id
                    ),
                ));
            }
            garrison.push((f, b.number(&gp, troops, COUNT)?));
        }
        sites.push(Site {
            id: s.id.clone(),
            name: s.name.clone().unwrap_or_else(|| s.id.clone()),
            kind: s.kind,
            lat: s.lat,
            lon: s.lon,
            owner,
            garrison,
            fortification: b.number_or(
                &p("fortification"),
                &s.fortification,
                1.0,
                closed(0.1, 100.0, "a factor between 0.1 and 100"),
            )?,
            reported: s.report.unwrap_or(false),
        });
    }

    let mut roads: Vec<Road> = Vec::new();
    for (i, r) in file.roads.iter().enumerate() {
        let id =
            r.id.clone()
                .unwrap_or_else(|| format!("{}_{}", r.from, r.to));
        let p = |key: &str| vec![k("road"), Seg::id(&id), k(key)];
        let from = b.site(&p("from"), &r.from)?;
        let to = b.site(&p("to"), &r.to)?;
        if from == to {
            return Err(problem(
                &p("to"),
                format!("road {} ('{id}') starts and ends at '{}'", i + 1, r.from),
            ));
        }
        if roads.iter().any(|o| o.id == id) {
            return Err(problem(
                &p("from"),
                format!("road id '{id}' is used twice; give one of them an id"),
            ));
        }
        roads.push(Road {
            from,
            to,
            length_km: b.number(
                &p("length_km"),
                &r.length_km,
                positive(20_000.0, "a length in km greater than 0"),
            )?,
            surface: r.surface.clone(),
            ied_per_100km: b.number_or(
                &p("ied_per_100km"),
                &r.ied_per_100km,
                0.0,
                closed(0.0, 1000.0, "a rate between 0 and 1000 per 100 km"),
            )?,
            ambush: b.number_or(&p("ambush"), &r.ambush, 0.0, PROBABILITY)?,
            id,
        });
    }

    let mean = |params: &[Param], id: ParamId| params[id.0 as usize].dist.mean();
    let graph = Graph::new(
        sites.len(),
        roads
            .iter()
            .map(|r| (r.from, r.to, mean(&b.params, r.length_km)))
            .collect(),
    );

    let mut withdrawals = Vec::new();
    for w in &file.withdrawals {
        let p = |key: &str| vec![k("withdrawal"), Seg::id(&w.camp), k(key)];
        let camp = b.site(&p("camp"), &w.camp)?;
        if sites[camp].kind != SiteKind::UnCamp {
            return Err(problem(
                &p("camp"),
                format!("withdrawal from '{}', which is not a un_camp", w.camp),
            ));
        }
        let handover = w
            .handover
            .as_deref()
            .map(|h| b.faction(&p("handover"), h))
            .transpose()?;
        withdrawals.push(Withdrawal {
            camp,
            hour: b.hour(&p("date"), &w.date)?,
            handover,
        });
    }

    let mut convoys = Vec::new();
    for cv in &file.convoys {
        let p = |key: &str| vec![k("convoy"), Seg::id(&cv.id), k(key)];
        let faction = b.faction(&p("faction"), &cv.faction)?;
        let from = b.site(&p("from"), &cv.from)?;
        let to = b.site(&p("to"), &cv.to)?;
        let mut stops = vec![from];
        for v in &cv.via {
            stops.push(b.site(&p("via"), v)?);
        }
        stops.push(to);
        let mut route = Vec::new();
        for pair in stops.windows(2) {
            let legs = graph.shortest_route(pair[0], pair[1]).ok_or_else(|| {
                problem(
                    &p(if pair[1] == to { "to" } else { "via" }),
                    format!(
                        "no road connects {} to {} for convoy {}",
                        sites[pair[0]].id, sites[pair[1]].id, cv.id
                    ),
                )
            })?;
            route.extend(legs.into_iter().map(|(road, a, z)| Leg {
                road,
                from: a,
                to: z,
            }));
        }
        if route.is_empty() {
            return Err(problem(
                &p("to"),
                format!("convoy {} starts at its destination '{}'", cv.id, cv.to),
            ));
        }
        let mut attached = Vec::new();
        for (fid, troops) in &cv.attached {
            let ap = vec![k("convoy"), Seg::id(&cv.id), k("attached"), k(fid)];
            let f = b.faction(&ap, fid)?;
            if stances[faction][f] != Stance::Allied {
                return Err(problem(
                    &ap,
                    format!(
                        "'{fid}' travels with convoy {} but is not allied with '{}'; add it to [stances] allied",
                        cv.id, cv.faction
                    ),
                ));
            }
            attached.push((f, b.number(&ap, troops, COUNT)?));
        }
        let mut speed_ids = BTreeMap::new();
        for (surface, speed) in &cv.speed_km_per_day {
            let sp = vec![
                k("convoy"),
                Seg::id(&cv.id),
                k("speed_km_per_day"),
                k(surface),
            ];
            speed_ids.insert(
                surface.clone(),
                b.number(
                    &sp,
                    speed,
                    positive(5_000.0, "a speed in km per day greater than 0"),
                )?,
            );
        }
        let mut leg_speed_km_per_day = Vec::new();
        for leg in &route {
            let surface = &roads[leg.road].surface;
            let id = speed_ids.get(surface).ok_or_else(|| {
                problem(&p("speed_km_per_day"), format!("convoy {} uses road '{}' ({surface}) but gives no speed for {surface}; add speed_km_per_day.{surface}", cv.id, roads[leg.road].id))
            })?;
            leg_speed_km_per_day.push(*id);
        }
        let wait_at = cv
            .wait_at
            .as_deref()
            .map(|w| b.site(&p("wait_at"), w))
            .transpose()?;
        if let Some(w) = wait_at
            && !route.iter().any(|l| l.from == w)
        {
            return Err(problem(
                &p("wait_at"),
                format!(
                    "convoy {} waits at '{}', which is not on its route before the destination",
                    cv.id, sites[w].id
                ),
            ));
        }
        let mut wait_until_vacated = Vec::new();
        for camp in &cv.wait_until_vacated {
            let s = b.site(&p("wait_until_vacated"), camp)?;
            if sites[s].kind != SiteKind::UnCamp {
                return Err(problem(
                    &p("wait_until_vacated"),
                    format!(
                        "convoy {} waits for '{camp}' to be vacated, but it is not a un_camp",
                        cv.id
                    ),
                ));
            }
            wait_until_vacated.push(s);
        }
        if wait_at.is_none() && !wait_until_vacated.is_empty() {
            return Err(problem(
                &p("wait_until_vacated"),
                format!(
                    "convoy {} waits for camps to be vacated but names no wait_at site",
                    cv.id
                ),
            ));
        }
        convoys.push(Convoy {
            id: cv.id.clone(),
            faction,
            depart_hour: b.hour(&p("depart"), &cv.depart)?,
            vehicles: b.number(&p("vehicles"), &cv.vehicles, COUNT)?,
            troops: b.number(
                &p("troops"),
                &cv.troops,
                closed(
                    1.0,
                    MAX_STRENGTH,
                    "a number of troops between 1 and 10,000,000",
                ),
            )?,
            attached,
            leg_speed_km_per_day,
            wait_at,
            wait_until_vacated,
            pause_days: b.number_or(
                &p("pause_days"),
                &cv.pause_days,
                0.0,
                closed(0.0, MAX_HORIZON_DAYS, "a number of days of 0 or more"),
            )?,
            halt_after_contact_hours: b.number_or(
                &p("halt_after_contact_hours"),
                &cv.halt_after_contact_hours,
                0.0,
                closed(0.0, 24.0 * 365.0, "a number of hours of 0 or more"),
            )?,
            break_point: b.number(&p("break_point"), &cv.break_point, SHARE)?,
            route,
        });
    }

    let mut groups = Vec::new();
    for g in &file.groups {
        let p = |key: &str| vec![k("group"), Seg::id(&g.id), k(key)];
        let faction = b.faction(&p("faction"), &g.faction)?;
        let home = b.site(&p("home"), &g.home)?;
        let target = g
            .target
            .as_deref()
            .map(|t| b.site(&p("target"), t))
            .transpose()?;
        if g.posture == Posture::Assault && target.is_none() {
            return Err(problem(
                &p("posture"),
                format!(
                    "group {} has posture \"assault\" but no target site; add target = \"<site id>\"",
                    g.id
                ),
            ));
        }
        let refuge = g
            .refuge
            .as_deref()
            .map(|r| b.site(&p("refuge"), r))
            .transpose()?
            .unwrap_or(home);
        groups.push(Group {
            id: g.id.clone(),
            faction,
            fighters: b.number(&p("fighters"), &g.fighters, COUNT)?,
            technicals: b.number_or(&p("technicals"), &g.technicals, 0.0, COUNT)?,
            home,
            posture: g.posture,
            target,
            refuge,
            range_km: b.number_or(
                &p("range_km"),
                &g.range_km,
                300.0,
                closed(0.0, 20_000.0, "a distance of 0 km or more"),
            )?,
            speed_km_per_day: b.number_or(
                &p("speed_km_per_day"),
                &g.speed_km_per_day,
                200.0,
                positive(5_000.0, "a speed in km per day greater than 0"),
            )?,
        });
    }

    let mut air = Vec::new();
    for a in &file.air {
        let p = |key: &str| vec![k("air"), Seg::id(&a.id), k(key)];
        air.push(AirWing {
            id: a.id.clone(),
            faction: b.faction(&p("faction"), &a.faction)?,
            base: b.site(&p("base"), &a.base)?,
            sorties_per_day: b.number(
                &p("sorties_per_day"),
                &a.sorties_per_day,
                closed(0.0, 1000.0, "sorties per day between 0 and 1000"),
            )?,
            find_chance: b.number(&p("find_chance"), &a.find_chance, PROBABILITY)?,
            kills_per_strike: b.number(&p("kills_per_strike"), &a.kills_per_strike, RATE)?,
            town_strike_chance: b.number_or(
                &p("town_strike_chance"),
                &a.town_strike_chance,
                0.0,
                PROBABILITY,
            )?,
            civilians_killed_per_town_strike: b.number_or(
                &p("civilians_killed_per_town_strike"),
                &a.civilians_killed_per_town_strike,
                0.0,
                RATE,
            )?,
            range_km: b.number_or(
                &p("range_km"),
                &a.range_km,
                1000.0,
                closed(0.0, 20_000.0, "a distance of 0 km or more"),
            )?,
            from_hour: a
                .from
                .as_ref()
                .map(|d| b.hour(&p("from"), d))
                .transpose()?
                .unwrap_or(0.0),
        });
    }

    let mut reinforcements = Vec::new();
    for (i, r) in file.reinforcements.iter().enumerate() {
        let entry = r.id.as_deref().map_or(Seg::Index(i), Seg::id);
        let p = |key: &str| vec![k("reinforcement"), entry.clone(), k(key)];
        let to = if let Some(s) = b.site_ids.iter().position(|s| *s == r.to) {
            ReinforcementTarget::Site(s)
        } else if let Some(g) = file.groups.iter().position(|g| g.id == r.to) {
            ReinforcementTarget::Group(g)
        } else if let Some(c) = file.convoys.iter().position(|c| c.id == r.to) {
            ReinforcementTarget::Convoy(c)
        } else {
            return Err(problem(
                &p("to"),
                format!(
                    "reinforcement {} goes to '{}', which is no site, group or convoy",
                    i + 1,
                    r.to
                ),
            ));
        };
        let faction = b.faction(&p("faction"), &r.faction)?;
        let day = match (&r.day, &r.date) {
            (Some(day), None) => b.number(
                &p("day"),
                day,
                closed(0.0, horizon_days, "a day within the scenario's horizon"),
            )?,
            (None, Some(date)) => {
                let hour = b.hour(&p("date"), date)?;
                let source = Some(format!(
                    "date {date}{}",
                    r.source
                        .as_deref()
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default()
                ));
                b.number(
                    &p("day"),
                    &NumberSpec {
                        dist: Dist::Fixed { value: hour / 24.0 },
                        source,
                    },
                    closed(0.0, horizon_days, "a day within the horizon"),
                )?
            }
            _ => {
                return Err(problem(
                    &p("to"),
                    format!(
                        "reinforcement {} needs exactly one of day = <days from start> or date = YYYY-MM-DD",
                        i + 1
                    ),
                ));
            }
        };
        reinforcements.push(Reinforcement {
            to,
            faction,
            troops: b.number(&p("troops"), &r.troops, COUNT)?,
            day,
        });
    }

    let distance_km = (0..sites.len()).map(|s| graph.distances_from(s)).collect();
    let straight_km = sites
        .iter()
        .map(|a| {
            sites
                .iter()
                .map(|b| crate::geo::great_circle_km(a.lat, a.lon, b.lat, b.lon))
                .collect()
        })
        .collect();
    Ok(Scenario {
        name: file.name.clone(),
        title: file.title.clone().unwrap_or_else(|| file.name.clone()),
        description: file.description.clone().unwrap_or_default(),
        source: file.source.clone(),
        origin,
        start,
        horizon_days,
        combat,
        ied,
        factions,
        stances,
        sites,
        roads,
        withdrawals,
        convoys,
        groups,
        air,
        reinforcements,
        params: b.params,
        distance_km,
        straight_km,
        resolved_toml,
    })
}

/// The road network on mean lengths, for routes and distances.
struct Graph {
    adjacency: Vec<Vec<(SiteIdx, RoadIdx, f64)>>,
}

#[derive(PartialEq)]
struct Entry(f64, SiteIdx);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed for a min-heap; ties broken by site index so routes never depend on heap order.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl Graph {
    fn new(n: usize, edges: Vec<(SiteIdx, SiteIdx, f64)>) -> Graph {
        let mut adjacency = vec![Vec::new(); n];
        for (road, (a, b, len)) in edges.into_iter().enumerate() {
            adjacency[a].push((b, road, len));
            adjacency[b].push((a, road, len));
        }
        Graph { adjacency }
    }

    fn dijkstra(&self, from: SiteIdx) -> (Vec<f64>, Vec<Option<(SiteIdx, RoadIdx)>>) {
        let n = self.adjacency.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut prev = vec![None; n];
        let mut heap = BinaryHeap::new();
        dist[from] = 0.0;
        heap.push(Entry(0.0, from));
        while let Some(Entry(d, u)) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            for &(v, road, len) in &self.adjacency[u] {
                let nd = d + len;
                if nd < dist[v] {
                    dist[v] = nd;
                    prev[v] = Some((u, road));
                    heap.push(Entry(nd, v));
                }
            }
        }
        (dist, prev)
    }

    fn distances_from(&self, from: SiteIdx) -> Vec<f64> {
        self.dijkstra(from).0
    }

    /// Legs (road, from, to) of the shortest route, or None when no road connects them.
    fn shortest_route(
        &self,
        from: SiteIdx,
        to: SiteIdx,
    ) -> Option<Vec<(RoadIdx, SiteIdx, SiteIdx)>> {
        let (dist, prev) = self.dijkstra(from);
        if !dist[to].is_finite() {
            return None;
        }
        let mut legs = Vec::new();
        let mut at = to;
        while at != from {
            let (p, road) = prev[at]?;
            legs.push((road, p, at));
            at = p;
        }
        legs.reverse();
        Some(legs)
    }
}
