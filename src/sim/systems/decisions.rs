//! Decisions: convoys advance, wait, halt, turn back or arrive; bands choose to defend, raid a
//! weakly held camp, lie in wait ahead of a convoy, or withdraw to the hills.

use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::scenario::{Posture, SiteIdx, SiteKind};
use crate::sim::components::*;
use crate::sim::dice::Dice;
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::{band_km, km_to_leg_end, leg_km, node_at, travel, travel_hours};
use crate::sim::resources::*;

use super::combat::air_cover;

/// Hour of the day at which idle bands reconsider (assumption, see CALIBRATION.md): raids and
/// ambushes are planned for first light, and all bands deciding in the same pass keeps a
/// replication's cost down.
pub(crate) const DAWN_HOUR: f64 = 6.0;

/// The first dawn strictly after `hour`.
pub(crate) fn next_dawn_after(hour: f64) -> f64 {
    ((hour - DAWN_HOUR) / 24.0).floor() * 24.0 + 24.0 + DAWN_HOUR
}

/// Convoys with their strength, as the decision stage sees them.
pub(crate) type Convoys<'w, 's> =
    Query<'w, 's, (&'static mut ConvoyState, &'static Force), Without<Band>>;
/// Bands with their strength, as the decision stage sees them.
pub(crate) type Bands<'w, 's> =
    Query<'w, 's, (&'static mut Band, &'static Force), Without<SiteState>>;
/// Sites with their garrisons, which the decision stage only reads.
pub(crate) type Sites<'w, 's> = Query<'w, 's, (&'static SiteState, &'static Force), Without<Band>>;

/// What a band looks at when it decides: the map, the sites, the convoys and the open fights.
struct Outlook<'a, 'w, 's> {
    setup: &'a Setup,
    sites: &'a Sites<'w, 's>,
    convoys: &'a Convoys<'w, 's>,
    engagements: &'a Engagements,
}

/// The decision stage: convoys first, then bands (which see where the convoys now are).
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub(crate) fn make_decisions(
    mut convoys: Convoys,
    mut bands: Bands,
    sites: Sites,
    engagements: Res<Engagements>,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut captures: ResMut<PendingCaptures>,
    mut log: ResMut<EventLog>,
    mut dice: ResMut<Dice>,
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
        &mut dice,
    );
}

/// Convoys decide at sites and when halts end; any convoy past its break point turns back.
pub(crate) fn decide_convoys(
    convoys: &mut Convoys,
    sites: &Sites,
    roster: &Roster,
    setup: &Setup,
    clock: &mut Clock,
    captures: &mut PendingCaptures,
    log: &mut EventLog,
) {
    for &e in &roster.convoys {
        let Ok((mut convoy, force)) = convoys.get_mut(e) else {
            continue;
        };
        turn_back_if_broken(&mut convoy, force, setup, clock.now_hour, log);
        match convoy.status {
            ConvoyStatus::AtSite(site) => {
                decide_at_site(&mut convoy, site, sites, setup, clock, captures, log)
            }
            ConvoyStatus::Waiting => end_wait_once_vacated(&mut convoy, sites, setup, clock),
            ConvoyStatus::Halted => resume_after_halt(&mut convoy, setup, clock, log),
            _ => {}
        }
    }
}

/// A line of the narrative about a convoy.
fn convoy_event(
    setup: &Setup,
    convoy: &ConvoyState,
    now: f64,
    kind: EventKind,
    place: SiteIdx,
    detail: String,
) -> Event {
    let scenario = &setup.scenario;
    Event {
        time_hours: now,
        kind,
        place: scenario.sites[place].name.clone(),
        factions: scenario.factions[scenario.convoys[convoy.convoy].faction]
            .id
            .clone(),
        losses: Losses::NONE,
        detail,
    }
}

/// A convoy under way that has lost its break point's share of its troops turns back (a
/// waiting one sets out back at once).
fn turn_back_if_broken(
    convoy: &mut ConvoyState,
    force: &Force,
    setup: &Setup,
    now: f64,
    log: &mut EventLog,
) {
    let c = &setup.scenario.convoys[convoy.convoy];
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
        log.record(|| {
            let detail = format!(
                "{} has lost {:.0}% of its troops and turns back",
                setup.scenario.convoy_name(convoy.convoy),
                lost_share * 100.0
            );
            convoy_event(setup, convoy, now, EventKind::TurnBack, place, detail)
        });
        if convoy.status == ConvoyStatus::Waiting {
            convoy.status = ConvoyStatus::Halted;
            convoy.resume_hour = now;
        }
    }
}

/// A convoy that has just reached a site is back home (if returning), arrives (at its
/// destination: an empty one it takes), halts to wait for named UN camps to be vacated, or
/// drives on to the next leg.
fn decide_at_site(
    convoy: &mut ConvoyState,
    site: SiteIdx,
    sites: &Sites,
    setup: &Setup,
    clock: &mut Clock,
    captures: &mut PendingCaptures,
    log: &mut EventLog,
) {
    let scenario = &setup.scenario;
    let now = clock.now_hour;
    let c = &scenario.convoys[convoy.convoy];
    let name = &scenario.sites[site].name;
    if convoy.returning && site == c.route[0].from {
        convoy.status = ConvoyStatus::TurnedBack;
        let detail = || format!("{} is back at {name}", scenario.convoy_name(convoy.convoy));
        log.record(|| convoy_event(setup, convoy, now, EventKind::TurnBack, site, detail()));
    } else if !convoy.returning && site == c.destination() {
        convoy.status = ConvoyStatus::Arrived;
        convoy.arrival_hour = Some(now);
        let owner = sites
            .get(setup.roster.sites[site])
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
        let detail = || format!("{} reaches {name}", scenario.convoy_name(convoy.convoy));
        log.record(|| convoy_event(setup, convoy, now, EventKind::Arrive, site, detail()));
    } else if !convoy.returning && Some(site) == c.wait_at && !convoy.waited {
        convoy.status = ConvoyStatus::Waiting;
        let detail = || {
            let camps: Vec<&str> = c
                .wait_until_vacated
                .iter()
                .map(|s| scenario.sites[*s].name.as_str())
                .collect();
            format!(
                "{} halts at {name} until the peacekeepers leave {}",
                scenario.convoy_name(convoy.convoy),
                camps.join(", ")
            )
        };
        log.record(|| convoy_event(setup, convoy, now, EventKind::Halt, site, detail()));
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

/// A waiting convoy, once every camp it waits for has been vacated, pauses a few more days
/// from the last departure and then moves on.
fn end_wait_once_vacated(
    convoy: &mut ConvoyState,
    sites: &Sites,
    setup: &Setup,
    clock: &mut Clock,
) {
    let c = &setup.scenario.convoys[convoy.convoy];
    let vacated: Option<Vec<f64>> = c
        .wait_until_vacated
        .iter()
        .map(|s| {
            sites
                .get(setup.roster.sites[*s])
                .ok()
                .and_then(|(st, _)| st.vacated_hour)
        })
        .collect();
    if let Some(hours) = vacated {
        let last = hours.into_iter().fold(clock.now_hour, f64::max);
        convoy.waited = true;
        convoy.status = ConvoyStatus::Halted;
        convoy.resume_hour = last + setup.value(c.pause_days) * 24.0;
        clock.propose(convoy.resume_hour);
    }
}

/// A halted convoy moves on when its halt ends: from the site it stands at, or on the road.
fn resume_after_halt(
    convoy: &mut ConvoyState,
    setup: &Setup,
    clock: &mut Clock,
    log: &mut EventLog,
) {
    let now = clock.now_hour;
    if convoy.resume_hour > now {
        clock.propose(convoy.resume_hour);
        return;
    }
    let c = &setup.scenario.convoys[convoy.convoy];
    let place = node_at(setup, convoy).unwrap_or(c.route[convoy.leg].from);
    let detail = || format!("{} moves on", setup.scenario.convoy_name(convoy.convoy));
    log.record(|| convoy_event(setup, convoy, now, EventKind::Resume, place, detail()));
    convoy.last_move_hour = now;
    convoy.status = match node_at(setup, convoy) {
        Some(site) => ConvoyStatus::AtSite(site),
        None => ConvoyStatus::Moving,
    };
    clock.propose(now);
}

/// Idle bands pick what to do, by posture; bands in wait give up once their convoy has passed.
#[expect(clippy::too_many_arguments, reason = "shares the stage's data access")]
pub(crate) fn decide_bands(
    bands: &mut Bands,
    convoys: &Convoys,
    sites: &Sites,
    engagements: &Engagements,
    roster: &Roster,
    setup: &Setup,
    clock: &mut Clock,
    dice: &mut Dice,
) {
    let now = clock.now_hour;
    let look = Outlook {
        setup,
        sites,
        convoys,
        engagements,
    };
    for &e in &roster.bands {
        let Ok((mut band, force)) = bands.get_mut(e) else {
            continue;
        };
        if force.troops() < 1.0 {
            continue;
        }
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
                let rng = &mut dice.bands[band.group];
                decide_idle_band(&look, clock, rng, e, &mut band, force, at);
            }
            _ => {}
        }
    }
}

/// An idle band whose decision time has come picks what to do next by its posture and
/// decides again at the next dawn; a raider or ambusher that found nothing to do asks for a
/// pass then.
fn decide_idle_band(
    look: &Outlook,
    clock: &mut Clock,
    rng: &mut ChaCha8Rng,
    e: Entity,
    band: &mut Band,
    force: &Force,
    at: SiteIdx,
) {
    let now = clock.now_hour;
    if band.next_decision_hour > now {
        clock.propose(band.next_decision_hour);
        return;
    }
    band.next_decision_hour = next_dawn_after(now);
    let posture = look.setup.scenario.groups[band.group].posture;
    match choose_activity(look, clock, rng, e, band, force, at) {
        Some(activity) => {
            match activity {
                Activity::Travelling { arrive_hour, .. } => clock.propose(arrive_hour),
                _ => clock.propose(now),
            }
            band.activity = activity;
        }
        None if matches!(posture, Posture::Raid | Posture::Ambush) => {
            clock.propose(band.next_decision_hour)
        }
        None => {}
    }
}

/// What an idle band at `at` does next by its posture, if anything: a defender goes to its
/// post (its refuge once its home has fallen), a withdrawing band to its refuge, an assault
/// party to its target (attacking at once if already there and the target is held by
/// enemies), a raider raids or goes home, an ambusher sets out to meet a convoy.
fn choose_activity(
    look: &Outlook,
    clock: &Clock,
    rng: &mut ChaCha8Rng,
    e: Entity,
    band: &Band,
    force: &Force,
    at: SiteIdx,
) -> Option<Activity> {
    let setup = look.setup;
    let now = clock.now_hour;
    let g = &setup.scenario.groups[band.group];
    let speed = setup.value(g.speed_km_per_day);
    let sites = look.sites;
    let roster = &setup.roster;
    match g.posture {
        Posture::Defend => {
            // A band whose home has fallen holds out in its refuge instead.
            let home_lost = sites
                .get(roster.sites[g.home])
                .is_ok_and(|(s, _)| s.owner.is_some_and(|o| setup.hostile(o, band.faction)));
            let post = if home_lost { g.refuge } else { g.home };
            (at != post).then(|| travel(setup, now, at, post, speed, Intent::Rest))
        }
        Posture::Withdraw => {
            (at != g.refuge).then(|| travel(setup, now, at, g.refuge, speed, Intent::Rest))
        }
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
            let f = &setup.scenario.factions[band.faction];
            let p = setup.value(f.raid_propensity_per_day);
            let roll: f64 = rng.random();
            let target = if roll < p {
                pick_raid_target(look, clock, band, force, rng)
            } else {
                None
            };
            match target {
                Some(t) => Some(travel(setup, now, at, t, speed, Intent::Raid)),
                None => (at != g.home).then(|| travel(setup, now, at, g.home, speed, Intent::Rest)),
            }
        }
        Posture::Ambush => pick_ambush(look, now, e, band, at).map(|(convoy, leg, site)| {
            travel(setup, now, at, site, speed, Intent::Ambush { convoy, leg })
        }),
    }
}

/// A weakly held hostile camp within reach, chosen at random among those the band dares to hit.
fn pick_raid_target(
    look: &Outlook,
    clock: &Clock,
    band: &Band,
    force: &Force,
    rng: &mut ChaCha8Rng,
) -> Option<SiteIdx> {
    let setup = look.setup;
    let scenario = &setup.scenario;
    let g = &scenario.groups[band.group];
    let f = &scenario.factions[band.faction];
    let own_fire = force.troops() * setup.value(f.kill_rate_per_hour);
    let mut candidates = Vec::new();
    for (i, site) in scenario.sites.iter().enumerate() {
        if !matches!(site.kind, SiteKind::ArmyCamp | SiteKind::Airport) {
            continue;
        }
        let Ok((state, garrison)) = look.sites.get(setup.roster.sites[i]) else {
            continue;
        };
        let Some(owner) = state.owner else { continue };
        if state.un_present
            || state.raid.is_some()
            || !setup.hostile(owner, band.faction)
            || look.engagements.0.iter().any(|e| e.site == i)
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
    Some(candidates[rng.random_range(0..candidates.len())])
}

/// The first leg ahead of a hostile convoy that the band can reach before the convoy does,
/// within the band's range of home, on a road where ambushes are possible.
fn pick_ambush(
    look: &Outlook,
    now: f64,
    me: Entity,
    band: &Band,
    at: SiteIdx,
) -> Option<(Entity, usize, SiteIdx)> {
    let setup = look.setup;
    let scenario = &setup.scenario;
    let g = &scenario.groups[band.group];
    let speed = setup.value(g.speed_km_per_day);
    for &ce in &setup.roster.convoys {
        let Ok((convoy, _)) = look.convoys.get(ce) else {
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
