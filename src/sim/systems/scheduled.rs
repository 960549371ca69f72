//! Scheduled events: peacekeepers' withdrawals, convoy departures and reinforcements, each at
//! its date. The only system that reads the calendar of the scenario.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::scenario::{FactionIdx, Reinforcement, ReinforcementTarget, SiteIdx, Withdrawal};
use crate::sim::components::*;
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::{band_km, travel_hours};
use crate::sim::resources::*;

/// Share of a band that stays behind to hold a camp it occupies (assumption, see CALIBRATION.md).
pub(crate) const OCCUPATION_SHARE: f64 = 0.2;

/// A convoy's state and strength, both writable.
type ConvoyForce = (&'static mut ConvoyState, &'static mut Force);

/// What the scheduled-events stage reads and writes.
#[derive(SystemParam)]
pub(crate) struct Calendar<'w, 's> {
    sites: Query<'w, 's, (&'static mut SiteState, &'static mut Force)>,
    bands: Query<'w, 's, (&'static Band, &'static mut Force), Without<SiteState>>,
    convoys: Query<'w, 's, ConvoyForce, (Without<SiteState>, Without<Band>)>,
    setup: Res<'w, Setup>,
    clock: ResMut<'w, Clock>,
    captures: ResMut<'w, PendingCaptures>,
    tally: ResMut<'w, Tally>,
    log: ResMut<'w, EventLog>,
    done: ResMut<'w, ReinforcementsDone>,
}

/// The scheduled-events stage: withdrawals, then departures, then reinforcements, each on its
/// date; runs only when [`Alarm::Calendar`] is due.
pub(crate) fn apply_scheduled_events(mut calendar: Calendar) {
    calendar.clock.clear(Alarm::Calendar);
    apply_withdrawals(&mut calendar);
    depart_convoys(&mut calendar);
    apply_reinforcements(&mut calendar);
}

/// Peacekeepers leave their camps on schedule: handed over, or left for the first to arrive.
fn apply_withdrawals(c: &mut Calendar) {
    let Calendar {
        sites,
        bands,
        setup,
        clock,
        captures,
        tally,
        log,
        ..
    } = c;
    let roster = &setup.roster;
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    for w in &scenario.withdrawals {
        let Ok((mut site, mut garrison)) = sites.get_mut(roster.sites[w.camp]) else {
            continue;
        };
        if !site.un_present {
            continue;
        }
        if w.hour > now {
            clock.set(Alarm::Calendar, w.hour);
            continue;
        }
        let leaving = site.owner;
        site.un_present = false;
        site.vacated_hour = Some(now);
        for c in garrison.parts.iter().filter(|c| Some(c.faction) == leaving) {
            tally.departed[c.faction] += c.troops;
        }
        garrison.parts.retain(|c| Some(c.faction) != leaving);
        log.record(|| withdrawal_event(setup, w, leaving, now));
        match w.handover {
            // Troops already flown in (reinforcements) stay as the new holder's garrison.
            Some(f) => captures.0.push(Capture {
                site: w.camp,
                by: Some(f),
                cause: CaptureCause::Withdrawal,
                garrison: garrison.clone(),
                raid: None,
                displaced: Force::default(),
            }),
            None => {
                captures.0.push(Capture {
                    site: w.camp,
                    by: None,
                    cause: CaptureCause::Withdrawal,
                    garrison: Force::default(),
                    raid: None,
                    displaced: Force::default(),
                });
                if let Some(occupation) = first_to_arrive(bands, setup, w.camp, leaving, now) {
                    site.pending_occupation = Some(occupation);
                    clock.set(Alarm::Holds, occupation.arrive_hour);
                }
            }
        }
    }
}

/// The narrative's line for peacekeepers leaving a camp.
fn withdrawal_event(setup: &Setup, w: &Withdrawal, leaving: Option<FactionIdx>, now: f64) -> Event {
    let scenario = &setup.scenario;
    Event {
        time_hours: now,
        kind: EventKind::Withdrawal,
        place: scenario.sites[w.camp].name.clone(),
        factions: leaving
            .map(|f| scenario.factions[f].id.clone())
            .unwrap_or_default(),
        losses: Losses::NONE,
        detail: match w.handover {
            Some(f) => format!(
                "peacekeepers leave {} and hand it to {}",
                scenario.sites[w.camp].name,
                scenario.faction_short_name(f)
            ),
            None => format!(
                "peacekeepers leave {}; the camp stands empty",
                scenario.sites[w.camp].name
            ),
        },
    }
}

/// Who will take a camp the peacekeepers left empty: the first force to get there, i.e. the
/// band (not of the leaving faction, able to fight, within its range) that can arrive
/// soonest, detaching a share of its fighters as the new garrison.
fn first_to_arrive(
    bands: &Query<(&Band, &mut Force), Without<SiteState>>,
    setup: &Setup,
    camp: SiteIdx,
    leaving: Option<FactionIdx>,
    now: f64,
) -> Option<Occupation> {
    let scenario = &setup.scenario;
    let mut best: Option<(f64, Entity, usize)> = None;
    for &e in &setup.roster.bands {
        let Ok((band, force)) = bands.get(e) else {
            continue;
        };
        let g = &scenario.groups[band.group];
        let at = band.activity.site();
        let km = band_km(setup, at, camp);
        if force.troops() < 1.0 || km > setup.value(g.range_km) || Some(band.faction) == leaving {
            continue;
        }
        let hours = travel_hours(km, setup.value(g.speed_km_per_day));
        if best.is_none_or(|(h, ..)| hours < h) {
            best = Some((hours, e, band.faction));
        }
    }
    let (hours, band, faction) = best?;
    let troops = bands
        .get(band)
        .map(|(_, f)| (f.troops() * OCCUPATION_SHARE).floor().max(1.0))
        .unwrap_or(1.0);
    Some(Occupation {
        faction,
        troops,
        arrive_hour: now + hours,
        band,
    })
}

/// Convoys set out on their departure date.
fn depart_convoys(c: &mut Calendar) {
    let Calendar {
        convoys,
        setup,
        clock,
        log,
        ..
    } = c;
    let roster = &setup.roster;
    let now = clock.now_hour;
    for &e in &roster.convoys {
        let Ok((mut convoy, _)) = convoys.get_mut(e) else {
            continue;
        };
        if convoy.status != ConvoyStatus::NotDeparted {
            continue;
        }
        let c = &setup.scenario.convoys[convoy.convoy];
        if c.depart_hour > now {
            clock.set(Alarm::Calendar, c.depart_hour);
            continue;
        }
        convoy.status = ConvoyStatus::Moving;
        convoy.last_move_hour = now;
        clock.propose(now);
        log.record(|| Event {
            time_hours: now,
            kind: EventKind::Depart,
            place: setup.scenario.sites[c.route[0].from].name.clone(),
            factions: setup.scenario.factions[c.faction].id.clone(),
            losses: Losses::NONE,
            detail: format!(
                "{} sets out for {}: {:.0} vehicles, {:.0} troops",
                setup.scenario.convoy_name(convoy.convoy),
                setup.scenario.sites[c.destination()].name,
                convoy.vehicles,
                convoy.troops_start
            ),
        });
    }
}

/// Troops arrive at a site, a band or a convoy on their day.
fn apply_reinforcements(c: &mut Calendar) {
    let Calendar {
        sites,
        bands,
        convoys,
        setup,
        done,
        clock,
        captures,
        tally,
        log,
        ..
    } = c;
    let roster = &setup.roster;
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    for (i, r) in scenario.reinforcements.iter().enumerate() {
        if done.0[i] {
            continue;
        }
        let hour = setup.value(r.day) * 24.0;
        if hour > now {
            clock.set(Alarm::Calendar, hour);
            continue;
        }
        done.0[i] = true;
        // Whole people when sampling; expected values in mean-field mode.
        let troops = if setup.mean_field() {
            setup.value(r.troops)
        } else {
            setup.value(r.troops).round()
        };
        let (entity, name) = match r.to {
            ReinforcementTarget::Site(s) => (roster.sites[s], scenario.sites[s].name.clone()),
            ReinforcementTarget::Group(g) => (roster.bands[g], scenario.group_name(g)),
            ReinforcementTarget::Convoy(c) => (roster.convoys[c], scenario.convoy_name(c)),
        };
        if let ReinforcementTarget::Site(s) = r.to {
            let owner = sites.get(entity).ok().and_then(|(site, _)| site.owner);
            match owner {
                Some(o) if setup.hostile(o, r.faction) => continue,
                None => {
                    tally.reinforced[r.faction] += troops;
                    // Troops landing at an empty site take it.
                    let mut garrison = Force::default();
                    garrison.add(r.faction, troops);
                    captures.0.push(Capture {
                        site: s,
                        by: Some(r.faction),
                        cause: CaptureCause::Occupation,
                        garrison,
                        raid: None,
                        displaced: Force::default(),
                    });
                    continue;
                }
                Some(_) => {}
            }
        }
        let force = match r.to {
            ReinforcementTarget::Site(_) => sites.get_mut(entity).ok().map(|(_, f)| f),
            ReinforcementTarget::Group(_) => bands.get_mut(entity).ok().map(|(_, f)| f),
            ReinforcementTarget::Convoy(_) => convoys.get_mut(entity).ok().map(|(_, f)| f),
        };
        if let Some(mut force) = force {
            force.add(r.faction, troops);
            tally.reinforced[r.faction] += troops;
        }
        log.record(|| reinforcement_event(setup, r, name, troops, now));
    }
}

/// The narrative's line for troops joining `name`.
fn reinforcement_event(
    setup: &Setup,
    r: &Reinforcement,
    name: String,
    troops: f64,
    now: f64,
) -> Event {
    let scenario = &setup.scenario;
    let faction = &scenario.factions[r.faction];
    Event {
        time_hours: now,
        kind: EventKind::Reinforcement,
        place: name.clone(),
        factions: faction.id.clone(),
        losses: Losses::NONE,
        detail: format!(
            "{troops:.0} {} troops join the {name}",
            scenario.faction_short_name(r.faction)
        ),
    }
}
