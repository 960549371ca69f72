//! Decisions: convoys advance, wait, halt, turn back or arrive; bands choose to defend, raid a
//! weakly held camp, lie in wait ahead of a convoy, or withdraw to the hills.

use bevy_ecs::prelude::*;
use rand::RngExt;

use crate::scenario::{Posture, SiteIdx, SiteKind};
use crate::sim::components::*;
use crate::sim::events::{Event, EventKind};
use crate::sim::geo::{band_km, km_to_leg_end, leg_km, node_at, travel, travel_hours};
use crate::sim::resources::*;

use super::combat::air_cover;

/// Hour of the day at which idle bands reconsider (assumption, see CALIBRATION.md): raids and
/// ambushes are planned for first light, and all bands deciding in the same pass keeps a
/// replication's cost down.
pub const DAWN_HOUR: f64 = 6.0;

/// The first dawn strictly after `hour`.
pub fn next_dawn_after(hour: f64) -> f64 {
    ((hour - DAWN_HOUR) / 24.0).floor() * 24.0 + 24.0 + DAWN_HOUR
}

/// The decision stage: convoys first, then bands (which see where the convoys now are).
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub fn make_decisions(
    mut convoys: Query<(&mut ConvoyState, &Force), Without<Band>>,
    mut bands: Query<(&mut Band, &Force), Without<SiteState>>,
    sites: Query<(&SiteState, &Force), Without<Band>>,
    engagements: Res<Engagements>,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut captures: ResMut<PendingCaptures>,
    mut log: ResMut<EventLog>,
    mut rng: ResMut<SimRng>,
) {
    let roster = &setup.roster;
    decide_convoys(
        &mut convoys,
        &sites,
        roster,
        &setup,
        &mut clock,
        &mut captures,
        &mut log,
    );
    decide_bands(
        &mut bands,
        &convoys,
        &sites,
        &engagements,
        roster,
        &setup,
        &mut clock,
        &mut rng,
    );
}

/// Convoys decide at sites and when halts end; any convoy past its break point turns back.
pub fn decide_convoys(
    convoys: &mut Query<(&mut ConvoyState, &Force), Without<Band>>,
    sites: &Query<(&SiteState, &Force), Without<Band>>,
    roster: &Roster,
    setup: &Setup,
    clock: &mut Clock,
    captures: &mut PendingCaptures,
    log: &mut EventLog,
) {
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    for &e in &roster.convoys {
        let Ok((mut convoy, force)) = convoys.get_mut(e) else {
            continue;
        };
        let c = &scenario.convoys[convoy.convoy];
        let say = |log: &mut EventLog, kind: EventKind, place: SiteIdx, detail: String| {
            log.record(|| Event {
                time_hours: now,
                kind,
                place: scenario.sites[place].name.clone(),
                factions: scenario.factions[c.faction].id.clone(),
                killed: 0.0,
                wounded: 0.0,
                vehicles: 0.0,
                detail,
            })
        };
        let active = matches!(
            convoy.status,
            ConvoyStatus::Moving
                | ConvoyStatus::AtSite(_)
                | ConvoyStatus::Waiting
                | ConvoyStatus::Halted
        );
        let lost_share = 1.0 - force.troops() / convoy.troops_start;
        if active && !convoy.returning && lost_share >= setup.value(c.break_point) {
            convoy.returning = true;
            convoy.ambush = None;
            let place = c.route[convoy.leg].from;
            say(
                log,
                EventKind::TurnBack,
                place,
                format!(
                    "{} has lost {:.0}% of its troops and turns back",
                    c.id,
                    lost_share * 100.0
                ),
            );
            if convoy.status == ConvoyStatus::Waiting {
                convoy.status = ConvoyStatus::Halted;
                convoy.resume_hour = now;
            }
        }
        match convoy.status {
            ConvoyStatus::AtSite(site) => {
                if convoy.returning && site == c.route[0].from {
                    convoy.status = ConvoyStatus::TurnedBack;
                    say(
                        log,
                        EventKind::TurnBack,
                        site,
                        format!("{} is back at {}", c.id, scenario.sites[site].name),
                    );
                } else if !convoy.returning && site == c.destination() {
                    convoy.status = ConvoyStatus::Arrived;
                    convoy.arrival_hour = Some(now);
                    let owner = sites
                        .get(roster.sites[site])
                        .ok()
                        .and_then(|(s, _)| s.owner);
                    if owner.is_none() {
                        captures.0.push(Capture {
                            site,
                            by: Some(c.faction),
                            cause: CaptureCause::Occupation,
                            garrison: Force::default(),
                            raid: None,
                            displaced: Force::default(),
                        });
                    }
                    say(
                        log,
                        EventKind::Arrive,
                        site,
                        format!("{} reaches {}", c.id, scenario.sites[site].name),
                    );
                } else if !convoy.returning && Some(site) == c.wait_at && !convoy.waited {
                    convoy.status = ConvoyStatus::Waiting;
                    let camps: Vec<&str> = c
                        .wait_until_vacated
                        .iter()
                        .map(|s| scenario.sites[*s].name.as_str())
                        .collect();
                    say(
                        log,
                        EventKind::Halt,
                        site,
                        format!(
                            "{} halts at {} until the peacekeepers leave {}",
                            c.id,
                            scenario.sites[site].name,
                            camps.join(", ")
                        ),
                    );
                    clock.propose(now);
                } else {
                    // On to the next leg.
                    if convoy.returning {
                        convoy.leg -= 1;
                        convoy.km = leg_km(setup, convoy.convoy, convoy.leg);
                    } else {
                        convoy.leg += 1;
                        convoy.km = 0.0;
                    }
                    convoy.status = ConvoyStatus::Moving;
                    convoy.last_move_hour = now;
                    clock.propose(now);
                }
            }
            ConvoyStatus::Waiting => {
                let vacated: Option<Vec<f64>> = c
                    .wait_until_vacated
                    .iter()
                    .map(|s| {
                        sites
                            .get(roster.sites[*s])
                            .ok()
                            .and_then(|(st, _)| st.vacated_hour)
                    })
                    .collect();
                if let Some(hours) = vacated {
                    let last = hours.into_iter().fold(now, f64::max);
                    convoy.waited = true;
                    convoy.status = ConvoyStatus::Halted;
                    convoy.resume_hour = last + setup.value(c.pause_days) * 24.0;
                    clock.propose(convoy.resume_hour);
                }
            }
            ConvoyStatus::Halted => {
                if convoy.resume_hour > now {
                    clock.propose(convoy.resume_hour);
                    continue;
                }
                let place = node_at(setup, &convoy).unwrap_or(c.route[convoy.leg].from);
                say(log, EventKind::Resume, place, format!("{} moves on", c.id));
                convoy.last_move_hour = now;
                convoy.status = match node_at(setup, &convoy) {
                    Some(site) => ConvoyStatus::AtSite(site),
                    None => ConvoyStatus::Moving,
                };
                clock.propose(now);
            }
            _ => {}
        }
    }
}

/// Idle bands pick what to do, by posture; bands in wait give up once their convoy has passed.
#[expect(clippy::too_many_arguments, reason = "shares the stage's data access")]
pub fn decide_bands(
    bands: &mut Query<(&mut Band, &Force), Without<SiteState>>,
    convoys: &Query<(&mut ConvoyState, &Force), Without<Band>>,
    sites: &Query<(&SiteState, &Force), Without<Band>>,
    engagements: &Engagements,
    roster: &Roster,
    setup: &Setup,
    clock: &mut Clock,
    rng: &mut SimRng,
) {
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    for &e in &roster.bands {
        let Ok((mut band, force)) = bands.get_mut(e) else {
            continue;
        };
        if force.troops() < 1.0 {
            continue;
        }
        let g = &scenario.groups[band.group];
        let speed = setup.value(g.speed_km_per_day);
        match band.activity {
            Activity::Resting { at, until_hour } => {
                if until_hour <= now {
                    band.activity = Activity::Idle { at };
                    band.next_decision_hour = now;
                    clock.propose(now);
                } else {
                    clock.propose(until_hour);
                }
            }
            Activity::InWait { near, convoy } => {
                let still_coming = convoys
                    .get(convoy)
                    .is_ok_and(|(c, _)| c.ambush.is_some_and(|a| a.band == e) && !c.returning);
                if !still_coming {
                    band.activity = Activity::Idle { at: near };
                    band.next_decision_hour = now;
                    clock.propose(now);
                }
            }
            Activity::Idle { at } => {
                if band.next_decision_hour > now {
                    clock.propose(band.next_decision_hour);
                    continue;
                }
                band.next_decision_hour = next_dawn_after(now);
                let next = match g.posture {
                    Posture::Defend => {
                        // A band whose home has fallen holds out in its refuge instead.
                        let home_lost = sites.get(roster.sites[g.home]).is_ok_and(|(s, _)| {
                            s.owner.is_some_and(|o| setup.hostile(o, band.faction))
                        });
                        let post = if home_lost { g.refuge } else { g.home };
                        (at != post).then(|| travel(setup, now, at, post, speed, Intent::Rest))
                    }
                    Posture::Withdraw => (at != g.refuge)
                        .then(|| travel(setup, now, at, g.refuge, speed, Intent::Rest)),
                    Posture::Assault => g.target.and_then(|t| {
                        if at != t {
                            return Some(travel(setup, now, at, t, speed, Intent::Assault));
                        }
                        // Already there: attack only if someone hostile holds it.
                        let held_by_enemy = sites.get(roster.sites[t]).is_ok_and(|(s, _)| {
                            !s.un_present && s.owner.is_some_and(|o| setup.hostile(o, band.faction))
                        });
                        held_by_enemy.then_some(Activity::Arrived {
                            at,
                            intent: Intent::Assault,
                        })
                    }),
                    Posture::Raid => {
                        let f = &scenario.factions[band.faction];
                        let p = setup.value(f.raid_propensity_per_day);
                        let roll: f64 = rng.0.random();
                        let target = if roll < p {
                            pick_raid_target(
                                setup,
                                clock,
                                &band,
                                force,
                                sites,
                                roster,
                                engagements,
                                rng,
                            )
                        } else {
                            None
                        };
                        match target {
                            Some(t) => Some(travel(setup, now, at, t, speed, Intent::Raid)),
                            None => (at != g.home)
                                .then(|| travel(setup, now, at, g.home, speed, Intent::Rest)),
                        }
                    }
                    Posture::Ambush => pick_ambush(setup, now, e, &band, at, convoys, roster).map(
                        |(convoy, leg, site)| {
                            travel(setup, now, at, site, speed, Intent::Ambush { convoy, leg })
                        },
                    ),
                };
                match next {
                    Some(activity) => {
                        match activity {
                            Activity::Travelling { arrive_hour, .. } => clock.propose(arrive_hour),
                            _ => clock.propose(now),
                        }
                        band.activity = activity;
                    }
                    None if matches!(g.posture, Posture::Raid | Posture::Ambush) => {
                        clock.propose(band.next_decision_hour)
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
}

/// A weakly held hostile camp within reach, chosen at random among those the band dares to hit.
#[expect(clippy::too_many_arguments, reason = "reads the world a band looks at")]
fn pick_raid_target(
    setup: &Setup,
    clock: &Clock,
    band: &Band,
    force: &Force,
    sites: &Query<(&SiteState, &Force), Without<Band>>,
    roster: &Roster,
    engagements: &Engagements,
    rng: &mut SimRng,
) -> Option<SiteIdx> {
    let scenario = &setup.scenario;
    let g = &scenario.groups[band.group];
    let f = &scenario.factions[band.faction];
    let own_fire = force.troops() * setup.value(f.kill_rate_per_hour);
    let mut candidates = Vec::new();
    for (i, site) in scenario.sites.iter().enumerate() {
        if !matches!(site.kind, SiteKind::ArmyCamp | SiteKind::Airport) {
            continue;
        }
        let Ok((state, garrison)) = sites.get(roster.sites[i]) else {
            continue;
        };
        let Some(owner) = state.owner else { continue };
        if state.un_present
            || state.raid.is_some()
            || !setup.hostile(owner, band.faction)
            || engagements.0.iter().any(|e| e.site == i)
        {
            continue;
        }
        if band_km(setup, g.home, i) > setup.value(g.range_km) {
            continue;
        }
        let air = if air_cover(setup, clock, owner, i) {
            setup.value(scenario.combat.air_support_factor)
        } else {
            1.0
        };
        let enemy_fire: f64 = garrison
            .parts
            .iter()
            .map(|c| c.troops * setup.value(scenario.factions[c.faction].kill_rate_per_hour))
            .sum::<f64>()
            * setup.value(site.fortification)
            * air;
        if own_fire > 0.0 && enemy_fire / own_fire <= setup.value(f.avoid_odds) {
            candidates.push(i);
        }
    }
    if candidates.is_empty() {
        return None;
    }
    Some(candidates[rng.0.random_range(0..candidates.len())])
}

/// The first leg ahead of a hostile convoy that the band can reach before the convoy does,
/// within the band's range of home, on a road where ambushes are possible.
fn pick_ambush(
    setup: &Setup,
    now: f64,
    me: Entity,
    band: &Band,
    at: SiteIdx,
    convoys: &Query<(&mut ConvoyState, &Force), Without<Band>>,
    roster: &Roster,
) -> Option<(Entity, usize, SiteIdx)> {
    let scenario = &setup.scenario;
    let g = &scenario.groups[band.group];
    let speed = setup.value(g.speed_km_per_day);
    for &ce in &roster.convoys {
        let Ok((convoy, _)) = convoys.get(ce) else {
            continue;
        };
        let c = &scenario.convoys[convoy.convoy];
        let active = matches!(
            convoy.status,
            ConvoyStatus::NotDeparted
                | ConvoyStatus::Moving
                | ConvoyStatus::AtSite(_)
                | ConvoyStatus::Waiting
                | ConvoyStatus::Halted
                | ConvoyStatus::Engaged
        );
        if !active
            || convoy.returning
            || !setup.hostile(c.faction, band.faction)
            || convoy.ambush.is_some_and(|a| a.band != me)
        {
            continue;
        }
        // Hours until the convoy reaches the start of each leg ahead, at its road speeds.
        // A convoy that is waiting for a camp to be vacated gives a band all the time it needs.
        let waiting_hours = match convoy.status {
            ConvoyStatus::Waiting => f64::INFINITY,
            ConvoyStatus::Halted => (convoy.resume_hour - now).max(0.0),
            _ => 0.0,
        };
        let mut convoy_hours = waiting_hours
            + (c.depart_hour - now).max(0.0)
            + travel_hours(
                km_to_leg_end(setup, convoy),
                setup.value(c.leg_speed_km_per_day[convoy.leg]),
            );
        for next in convoy.leg + 1..c.route.len() {
            let leg = c.route[next];
            let usable = setup.value(scenario.roads[leg.road].ambush) > 0.0
                && band_km(setup, g.home, leg.from) <= setup.value(g.range_km);
            if usable && travel_hours(band_km(setup, at, leg.from), speed) < convoy_hours {
                return Some((ce, next, leg.from));
            }
            convoy_hours += travel_hours(
                leg_km(setup, convoy.convoy, next),
                setup.value(c.leg_speed_km_per_day[next]),
            );
        }
    }
    None
}
