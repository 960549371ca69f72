//! Contact: turns meetings into fights. A convoy at a hostile site assaults it; a convoy
//! reaching a prepared ambush is hit; a band arriving at its target raids, assaults or lies in
//! wait. Bands facing hopeless odds give ground instead of fighting.

use bevy_ecs::prelude::*;
use rand::RngExt;

use crate::scenario::{FactionIdx, SiteIdx};
use crate::sim::components::*;
use crate::sim::engagement::{Engagement, EngagementKind};
use crate::sim::events::{Event, EventKind};
use crate::sim::geo::{leg_km, standing_at, travel};
use crate::sim::resources::*;

use super::combat::air_cover;
use super::decisions::next_dawn_after;

/// Casualty-causing power of a force per hour.
fn fire(setup: &Setup, force: &Force) -> f64 {
    force
        .parts
        .iter()
        .map(|c| c.troops * setup.value(setup.scenario.factions[c.faction].kill_rate_per_hour))
        .sum()
}

/// A band that is at a site and would fight for it.
fn present_at(band: &Band, site: SiteIdx) -> bool {
    matches!(band.activity, Activity::Idle { at } | Activity::Resting { at, .. } | Activity::Holding { at } if at == site)
}

/// Starts fights where hostile forces meet.
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub fn make_contact(
    mut convoys: Query<(&mut ConvoyState, &Force)>,
    mut bands: Query<(&mut Band, &Force)>,
    sites: Query<(&SiteState, &Force)>,
    setup: Res<Setup>,
    mut engagements: ResMut<Engagements>,
    mut clock: ResMut<Clock>,
    mut rng: ResMut<SimRng>,
    mut tally: ResMut<Tally>,
    mut captures: ResMut<PendingCaptures>,
    mut log: ResMut<EventLog>,
) {
    let roster = &setup.roster;
    let now = clock.now_hour;
    let scenario = &setup.scenario;

    for &ce in &roster.convoys {
        let Ok((convoy, force)) = convoys.get(ce) else {
            continue;
        };
        let c = &scenario.convoys[convoy.convoy];
        match convoy.status {
            ConvoyStatus::AtSite(site) => {
                let fight_here = engagements
                    .0
                    .iter()
                    .any(|en| en.site == site && en.kind != EngagementKind::Ambush);
                let Ok((state, garrison)) = sites.get(roster.sites[site]) else {
                    continue;
                };
                let hostile_owner =
                    !state.un_present && state.owner.is_some_and(|o| setup.hostile(o, c.faction));
                let hostile_bands: Vec<Entity> = roster
                    .bands
                    .iter()
                    .copied()
                    .filter(|b| {
                        bands.get(*b).is_ok_and(|(band, f)| {
                            present_at(band, site)
                                && setup.hostile(band.faction, c.faction)
                                && f.troops() >= 1.0
                        })
                    })
                    .collect();
                if fight_here || (!hostile_owner && hostile_bands.is_empty()) {
                    continue;
                }
                let air = if air_cover(&setup, &clock, c.faction, site) {
                    setup.value(scenario.combat.air_support_factor)
                } else {
                    1.0
                };
                let attacker_fire = fire(&setup, force) * air;
                let fortification = setup.value(scenario.sites[site].fortification);
                let garrison_fire = if hostile_owner {
                    fire(&setup, garrison) * fortification
                } else {
                    0.0
                };
                let bands_fire: f64 = hostile_bands
                    .iter()
                    .filter_map(|b| bands.get(*b).ok())
                    .map(|(_, f)| fire(&setup, f) * fortification)
                    .sum();
                let odds = attacker_fire / (garrison_fire + bands_fire).max(f64::MIN_POSITIVE);
                let mut defenders = Vec::new();
                if hostile_owner && garrison.troops() >= 1.0 {
                    defenders.push(roster.sites[site]);
                }
                for b in hostile_bands {
                    let Ok((mut band, _)) = bands.get_mut(b) else {
                        continue;
                    };
                    let g = &scenario.groups[band.group];
                    if odds > setup.value(scenario.factions[band.faction].avoid_odds) {
                        band.activity = travel(
                            &setup,
                            now,
                            site,
                            g.refuge,
                            setup.value(g.speed_km_per_day),
                            Intent::Rest,
                        );
                        log.record(|| Event {
                            time_hours: now,
                            kind: EventKind::Withdraw,
                            place: scenario.sites[site].name.clone(),
                            factions: scenario.factions[band.faction].id.clone(),
                            killed: 0.0,
                            wounded: 0.0,
                            vehicles: 0.0,
                            detail: format!(
                                "{} pulls back to {} rather than face {} (odds {odds:.1} to 1)",
                                g.id, scenario.sites[g.refuge].name, c.id
                            ),
                        });
                        clock.propose(now);
                    } else {
                        band.activity = Activity::Engaged { at: site };
                        defenders.push(b);
                    }
                }
                if defenders.is_empty() {
                    if hostile_owner {
                        captures.0.push(Capture {
                            site,
                            by: Some(c.faction),
                            cause: CaptureCause::Combat,
                            garrison: Force::default(),
                            raid: None,
                            displaced: garrison.clone(),
                        });
                    }
                    continue;
                }
                tally.engagements += 1;
                log.record(|| Event {
                    time_hours: now,
                    kind: EventKind::Assault,
                    place: scenario.sites[site].name.clone(),
                    factions: scenario.factions[c.faction].id.clone(),
                    killed: 0.0,
                    wounded: 0.0,
                    vehicles: 0.0,
                    detail: format!(
                        "{} attacks {} ({:.0} troops against {} defending units)",
                        c.id,
                        scenario.sites[site].name,
                        force.troops(),
                        defenders.len()
                    ),
                });
                engagements.0.push(Engagement::new(
                    EngagementKind::Assault,
                    site,
                    None,
                    vec![ce],
                    defenders,
                    now,
                    false,
                ));
                if let Ok((mut convoy, _)) = convoys.get_mut(ce) {
                    convoy.status = ConvoyStatus::Engaged;
                }
                clock.propose(now);
            }
            ConvoyStatus::Moving => {
                let Some(ambush) = convoy.ambush else {
                    continue;
                };
                if ambush.leg != convoy.leg || (convoy.km - ambush.km).abs() > 1e-9 {
                    continue;
                }
                let leg = c.route[convoy.leg];
                let troops = force.troops();
                let ready = bands.get(ambush.band).is_ok_and(|(b, f)| {
                    matches!(b.activity, Activity::InWait { convoy, .. } if convoy == ce)
                        && f.troops() >= 1.0
                });
                if let Ok((mut convoy, _)) = convoys.get_mut(ce) {
                    convoy.ambush = None;
                    if !ready {
                        continue;
                    }
                    convoy.status = ConvoyStatus::Engaged;
                }
                let Ok((mut band, band_force)) = bands.get_mut(ambush.band) else {
                    continue;
                };
                band.activity = Activity::Engaged { at: leg.from };
                tally.ambushes += 1;
                tally.engagements += 1;
                let g = &scenario.groups[band.group];
                log.record(|| Event {
                    time_hours: now,
                    kind: EventKind::Ambush,
                    place: format!("{} road", scenario.roads[leg.road].id),
                    factions: format!(
                        "{};{}",
                        scenario.factions[band.faction].id, scenario.factions[c.faction].id
                    ),
                    killed: 0.0,
                    wounded: 0.0,
                    vehicles: 0.0,
                    detail: format!(
                        "{} band {} (~{:.0}) hits {} ({troops:.0} troops) {:.0} km out of {}",
                        scenario.factions[band.faction].name,
                        g.id,
                        band_force.troops(),
                        c.id,
                        ambush.km,
                        scenario.sites[leg.from].name
                    ),
                });
                engagements.0.push(Engagement::new(
                    EngagementKind::Ambush,
                    leg.from,
                    Some(leg.road),
                    vec![ambush.band],
                    vec![ce],
                    now,
                    true,
                ));
                clock.propose(now);
            }
            _ => {}
        }
    }

    for &be in &roster.bands {
        let Ok((band, force)) = bands.get(be) else {
            continue;
        };
        let Activity::Arrived { at, intent } = band.activity else {
            continue;
        };
        let g = &scenario.groups[band.group];
        let faction = band.faction;
        let speed = setup.value(g.speed_km_per_day);
        let Ok((state, garrison)) = sites.get(roster.sites[at]) else {
            continue;
        };
        let fight_here = engagements
            .0
            .iter()
            .any(|en| en.site == at && en.kind != EngagementKind::Ambush);
        let next = match intent {
            // At least half a day's rest, then up at the next dawn.
            Intent::Rest => Activity::Resting {
                at,
                until_hour: next_dawn_after(now + 12.0),
            },
            Intent::Ambush { convoy, leg } => {
                let still_ahead = convoys
                    .get(convoy)
                    .ok()
                    .filter(|(c, _)| {
                        c.leg < leg
                            && !c.returning
                            && c.ambush.is_none()
                            && !matches!(
                                c.status,
                                ConvoyStatus::Arrived
                                    | ConvoyStatus::Destroyed
                                    | ConvoyStatus::TurnedBack
                            )
                    })
                    .map(|(c, _)| c.convoy);
                match still_ahead {
                    Some(ci) => {
                        let road = &scenario.roads[scenario.convoys[ci].route[leg].road];
                        if rng.0.random_bool(setup.value(road.ambush).clamp(0.0, 1.0)) {
                            let km = leg_km(&setup, ci, leg) * rng.0.random_range(0.2..0.8);
                            if let Ok((mut cv, _)) = convoys.get_mut(convoy) {
                                cv.ambush = Some(AmbushPoint { leg, km, band: be });
                            }
                            Activity::InWait { near: at, convoy }
                        } else {
                            Activity::Idle { at }
                        }
                    }
                    None => Activity::Idle { at },
                }
            }
            Intent::Raid | Intent::Assault => {
                let hostile_owner =
                    !state.un_present && state.owner.is_some_and(|o| setup.hostile(o, faction));
                let owner = state.owner;
                let friends_of_owner = |f: FactionIdx| {
                    owner.is_some_and(|o| setup.stance(o, f) == crate::scenario::Stance::Allied)
                };
                let defending_bands: Vec<Entity> = roster
                    .bands
                    .iter()
                    .copied()
                    .filter(|b| {
                        *b != be
                            && bands.get(*b).is_ok_and(|(other, f)| {
                                present_at(other, at)
                                    && f.troops() >= 1.0
                                    && (friends_of_owner(other.faction)
                                        || (intent == Intent::Assault
                                            && setup.hostile(other.faction, faction)))
                            })
                    })
                    .collect();
                let defending_convoys: Vec<Entity> = roster
                    .convoys
                    .iter()
                    .copied()
                    .filter(|c| {
                        convoys.get(*c).is_ok_and(|(cv, f)| {
                            f.troops() >= 1.0
                                && setup.hostile(scenario.convoys[cv.convoy].faction, faction)
                                && standing_at(&setup, cv) == Some(at)
                        })
                    })
                    .collect();
                let mut defenders = Vec::new();
                if hostile_owner && garrison.troops() >= 1.0 {
                    defenders.push(roster.sites[at]);
                }
                defenders.extend(defending_bands.iter().copied());
                defenders.extend(defending_convoys.iter().copied());
                let worth_it =
                    hostile_owner || (intent == Intent::Assault && !defenders.is_empty());
                if !worth_it || fight_here || state.raid.is_some() {
                    if intent == Intent::Raid {
                        travel(&setup, now, at, g.home, speed, Intent::Rest)
                    } else {
                        Activity::Idle { at }
                    }
                } else {
                    let kind = if intent == Intent::Raid {
                        EngagementKind::Raid
                    } else {
                        EngagementKind::Assault
                    };
                    if kind == EngagementKind::Raid {
                        tally.camp_raids += 1;
                    }
                    log.record(|| Event {
                        time_hours: now,
                        kind: if kind == EngagementKind::Raid {
                            EventKind::Raid
                        } else {
                            EventKind::Assault
                        },
                        place: scenario.sites[at].name.clone(),
                        factions: scenario.factions[faction].id.clone(),
                        killed: 0.0,
                        wounded: 0.0,
                        vehicles: 0.0,
                        detail: format!(
                            "{} band {} (~{:.0}) attacks {} (garrison {:.0})",
                            scenario.factions[faction].name,
                            g.id,
                            force.troops(),
                            scenario.sites[at].name,
                            garrison.troops()
                        ),
                    });
                    if defenders.is_empty() {
                        let hold = setup.value(scenario.factions[faction].raid_hold_hours);
                        let raid = (kind == EngagementKind::Raid).then_some((be, now + hold));
                        captures.0.push(Capture {
                            site: at,
                            by: Some(faction),
                            cause: if raid.is_some() {
                                CaptureCause::Raid
                            } else {
                                CaptureCause::Combat
                            },
                            garrison: Force::default(),
                            raid,
                            displaced: garrison.clone(),
                        });
                        if raid.is_some() {
                            Activity::Holding { at }
                        } else {
                            Activity::Idle { at }
                        }
                    } else {
                        tally.engagements += 1;
                        for b in &defending_bands {
                            if let Ok((mut other, _)) = bands.get_mut(*b) {
                                other.activity = Activity::Engaged { at };
                            }
                        }
                        for c in &defending_convoys {
                            if let Ok((mut cv, _)) = convoys.get_mut(*c) {
                                cv.status = ConvoyStatus::Engaged;
                            }
                        }
                        engagements.0.push(Engagement::new(
                            kind,
                            at,
                            None,
                            vec![be],
                            defenders,
                            now,
                            kind == EngagementKind::Raid,
                        ));
                        Activity::Engaged { at }
                    }
                }
            }
        };
        if let Ok((mut band, _)) = bands.get_mut(be) {
            if let Activity::Travelling { arrive_hour, .. }
            | Activity::Resting {
                until_hour: arrive_hour,
                ..
            } = next
            {
                clock.propose(arrive_hour);
            }
            band.activity = next;
            // A band that came for nothing (target gone, ambush not set up) waits for the
            // next dawn before trying again; anyone else decides at once.
            band.next_decision_hour = if matches!(next, Activity::Idle { .. }) {
                next_dawn_after(now)
            } else {
                now
            };
        }
        clock.propose(now);
    }
}
