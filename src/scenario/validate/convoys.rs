//! `[[convoy]]`: columns on the move — their route (shortest road path through any `via`
//! sites), the allies travelling with them, their speed on each road surface, and where and
//! for what they wait.

use std::collections::BTreeMap;

use super::Result;
use super::builder::{Builder, COUNT, MAX_HORIZON_DAYS, MAX_STRENGTH, SHARE, closed, positive};
use super::network::Graph;
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::{ConvoyFile, SiteKind};
use crate::scenario::uncertain::ParamId;
use crate::scenario::{Convoy, FactionIdx, Leg, Road, Site, SiteIdx, Stance};

/// Every `[[convoy]]` in file order.
pub(super) fn convoys(
    b: &mut Builder,
    file: &[ConvoyFile],
    sites: &[Site],
    roads: &[Road],
    stances: &[Vec<Stance>],
    graph: &Graph,
) -> Result<Vec<Convoy>> {
    file.iter()
        .map(|cv| convoy(b, cv, sites, roads, stances, graph))
        .collect()
}

/// One convoy. Its numbers are registered in this order: attached troops (by faction id,
/// alphabetically), speeds (by surface, alphabetically), then the ones in the literal below.
fn convoy(
    b: &mut Builder,
    cv: &ConvoyFile,
    sites: &[Site],
    roads: &[Road],
    stances: &[Vec<Stance>],
    graph: &Graph,
) -> Result<Convoy> {
    let p = |key: &str| path(cv, key);
    let faction = b.faction(&p("faction"), &cv.faction)?;
    let route = route(b, cv, sites, graph)?;
    let attached = attached(b, cv, faction, stances)?;
    let leg_speed_km_per_day = leg_speeds(b, cv, &route, roads)?;
    let (wait_at, wait_until_vacated) = waiting(b, cv, &route, sites)?;
    Ok(Convoy {
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
    })
}

/// `convoy` › id › `key`.
fn path(cv: &ConvoyFile, key: &str) -> Vec<Seg> {
    vec![Seg::key("convoy"), Seg::id(&cv.id), Seg::key(key)]
}

/// The route from `from` through every `via` site to `to`, each stretch the shortest on mean
/// road lengths. A convoy must go somewhere: an empty route is an error.
fn route(b: &Builder, cv: &ConvoyFile, sites: &[Site], graph: &Graph) -> Result<Vec<Leg>> {
    let p = |key: &str| path(cv, key);
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
    Ok(route)
}

/// Troops of other factions travelling with the convoy; each must be allied with its faction.
fn attached(
    b: &mut Builder,
    cv: &ConvoyFile,
    faction: FactionIdx,
    stances: &[Vec<Stance>],
) -> Result<Vec<(FactionIdx, ParamId)>> {
    let mut attached = Vec::new();
    for (fid, troops) in &cv.attached {
        let ap = vec![
            Seg::key("convoy"),
            Seg::id(&cv.id),
            Seg::key("attached"),
            Seg::key(fid),
        ];
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
    Ok(attached)
}

/// The speed on each leg of the route, from its road's surface. Every surface given is
/// registered, even one the route does not use; every surface the route uses must be given.
fn leg_speeds(
    b: &mut Builder,
    cv: &ConvoyFile,
    route: &[Leg],
    roads: &[Road],
) -> Result<Vec<ParamId>> {
    let mut speed_ids = BTreeMap::new();
    for (surface, speed) in &cv.speed_km_per_day {
        let sp = vec![
            Seg::key("convoy"),
            Seg::id(&cv.id),
            Seg::key("speed_km_per_day"),
            Seg::key(surface),
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
    for leg in route {
        let surface = &roads[leg.road].surface;
        let id = speed_ids.get(surface).ok_or_else(|| {
            problem(&path(cv, "speed_km_per_day"), format!("convoy {} uses road '{}' ({surface}) but gives no speed for {surface}; add speed_km_per_day.{surface}", cv.id, roads[leg.road].id))
        })?;
        leg_speed_km_per_day.push(*id);
    }
    Ok(leg_speed_km_per_day)
}

/// Where the convoy waits (a site on its route before the destination) and the UN camps that
/// must be vacated before it moves on; camps to wait for need a place to wait at.
fn waiting(
    b: &Builder,
    cv: &ConvoyFile,
    route: &[Leg],
    sites: &[Site],
) -> Result<(Option<SiteIdx>, Vec<SiteIdx>)> {
    let p = |key: &str| path(cv, key);
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
    Ok((wait_at, wait_until_vacated))
}
