//! Contact: turns meetings into fights. A convoy at a hostile site assaults it; a convoy
//! reaching a prepared ambush is hit; a band arriving at its target raids, assaults or lies in
//! wait. Bands facing hopeless odds give ground instead of fighting.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use rand::RngExt;

use crate::scenario::{Convoy, FactionIdx, SiteIdx, Stance};
use crate::sim::components::*;
use crate::sim::dice::Dice;
use crate::sim::engagement::{Engagement, EngagementKind};
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::{leg_km, standing_at, travel};
use crate::sim::resources::*;

use super::combat::air_cover;
use super::decisions::next_dawn_after;

/// Every site with its garrison: contact reads them and never changes them (a change of owner
/// goes through `PendingCaptures`).
type Sites<'w, 's> = Query<'w, 's, (&'static SiteState, &'static Force)>;

/// What contact changes: the units that meet, the fights they start, and the books.
#[derive(SystemParam)]
pub(crate) struct Contact<'w, 's> {
    convoys: Query<'w, 's, (&'static mut ConvoyState, &'static Force)>,
    bands: Query<'w, 's, (&'static mut Band, &'static Force)>,
    engagements: ResMut<'w, Engagements>,
    dice: ResMut<'w, Dice>,
    clock: ResMut<'w, Clock>,
    tally: ResMut<'w, Tally>,
    captures: ResMut<'w, PendingCaptures>,
    log: ResMut<'w, EventLog>,
}

/// A band that has just reached a site with a purpose.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    band: Entity,
    group: usize,
    faction: FactionIdx,
    at: SiteIdx,
    intent: Intent,
}

/// Starts fights where hostile forces meet, case by case: convoys first (one that has reached
/// a site, then one that has driven into an ambush), then bands arriving where they were going.
pub(crate) fn make_contact(setup: Res<Setup>, sites: Sites, mut contact: Contact) {
    let roster = &setup.roster;
    for &ce in &roster.convoys {
        let Ok((convoy, _)) = contact.convoys.get(ce) else {
            continue;
        };
        match convoy.status {
            ConvoyStatus::AtSite(site) => contact.convoy_reaches_site(&setup, &sites, ce, site),
            ConvoyStatus::Moving => contact.spring_ambush(&setup, ce),
            _ => {}
        }
    }
    for &be in &roster.bands {
        contact.band_arrives(&setup, &sites, be);
    }
}

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

/// A fight other than an ambush is going on at `site`: nobody starts another there.
fn fight_at(engagements: &Engagements, site: SiteIdx) -> bool {
    engagements
        .0
        .iter()
        .any(|en| en.site == site && en.kind != EngagementKind::Ambush)
}

impl Contact<'_, '_> {
    /// A convoy that has reached a site held by enemies, or where hostile bands stand, attacks
    /// it. Bands facing hopeless odds pull back first; a site nobody defends is simply taken.
    fn convoy_reaches_site(&mut self, setup: &Setup, sites: &Sites, ce: Entity, site: SiteIdx) {
        let Ok((convoy, force)) = self.convoys.get(ce) else {
            return;
        };
        let c = &setup.scenario.convoys[convoy.convoy];
        let fight_here = fight_at(&self.engagements, site);
        let Ok((state, garrison)) = sites.get(setup.roster.sites[site]) else {
            return;
        };
        let hostile_owner =
            !state.un_present && state.owner.is_some_and(|o| setup.hostile(o, c.faction));
        let hostile_bands: Vec<Entity> = setup
            .roster
            .bands
            .iter()
            .copied()
            .filter(|b| {
                self.bands.get(*b).is_ok_and(|(band, f)| {
                    present_at(band, site)
                        && setup.hostile(band.faction, c.faction)
                        && f.troops() >= 1.0
                })
            })
            .collect();
        if fight_here || (!hostile_owner && hostile_bands.is_empty()) {
            return;
        }
        let held = hostile_owner.then_some(garrison);
        let odds = self.convoy_odds(setup, c, force, site, held, &hostile_bands);
        let troops = force.troops();
        let mut defenders = Vec::new();
        if hostile_owner && garrison.troops() >= 1.0 {
            defenders.push(setup.roster.sites[site]);
        }
        for b in hostile_bands {
            if self.stand_or_give_ground(setup, c, b, site, odds) {
                defenders.push(b);
            }
        }
        if defenders.is_empty() {
            if hostile_owner {
                self.captures.0.push(Capture {
                    site,
                    by: Some(c.faction),
                    cause: CaptureCause::Combat,
                    garrison: Force::default(),
                    raid: None,
                    displaced: garrison.clone(),
                });
            }
            return;
        }
        self.start_convoy_assault(setup, c, ce, troops, site, defenders);
    }

    /// The convoy's fire (with air cover) against that of the site's hostile garrison, if
    /// `held`, and of the hostile bands there, both behind the site's fortification.
    fn convoy_odds(
        &self,
        setup: &Setup,
        c: &Convoy,
        force: &Force,
        site: SiteIdx,
        held: Option<&Force>,
        hostile_bands: &[Entity],
    ) -> f64 {
        let scenario = &setup.scenario;
        let air = if air_cover(setup, &self.clock, c.faction, site) {
            setup.value(scenario.combat.air_support_factor)
        } else {
            1.0
        };
        let attacker_fire = fire(setup, force) * air;
        let fortification = setup.value(scenario.sites[site].fortification);
        let garrison_fire = match held {
            Some(garrison) => fire(setup, garrison) * fortification,
            None => 0.0,
        };
        let bands_fire: f64 = hostile_bands
            .iter()
            .filter_map(|b| self.bands.get(*b).ok())
            .map(|(_, f)| fire(setup, f) * fortification)
            .sum();
        attacker_fire / (garrison_fire + bands_fire).max(f64::MIN_POSITIVE)
    }

    /// A hostile band at the site a convoy reached pulls back to its refuge if the odds are
    /// beyond what its faction will face, and stands to fight (true) otherwise.
    fn stand_or_give_ground(
        &mut self,
        setup: &Setup,
        c: &Convoy,
        b: Entity,
        site: SiteIdx,
        odds: f64,
    ) -> bool {
        let scenario = &setup.scenario;
        let now = self.clock.now_hour;
        let Ok((mut band, _)) = self.bands.get_mut(b) else {
            return false;
        };
        if odds > setup.value(scenario.factions[band.faction].avoid_odds) {
            let g = &scenario.groups[band.group];
            band.activity = travel(
                setup,
                now,
                site,
                g.refuge,
                setup.value(g.speed_km_per_day),
                Intent::Rest,
            );
            self.log.record(|| Event {
                time_hours: now,
                kind: EventKind::Withdraw,
                place: scenario.sites[site].name.clone(),
                factions: scenario.factions[band.faction].id.clone(),
                losses: Losses::NONE,
                detail: format!(
                    "{} pulls back to {} rather than face the {} (odds {odds:.1} to 1)",
                    scenario.group_name(band.group),
                    scenario.sites[g.refuge].name,
                    scenario.name_of_convoy(c)
                ),
            });
            self.clock.propose(now);
            false
        } else {
            band.activity = Activity::Engaged { at: site };
            true
        }
    }

    /// The convoy attacks the site's `defenders` (its garrison, then the bands that stood).
    fn start_convoy_assault(
        &mut self,
        setup: &Setup,
        c: &Convoy,
        ce: Entity,
        troops: f64,
        site: SiteIdx,
        defenders: Vec<Entity>,
    ) {
        let scenario = &setup.scenario;
        let now = self.clock.now_hour;
        self.tally.engagements += 1;
        self.log.record(|| Event {
            time_hours: now,
            kind: EventKind::Assault,
            place: scenario.sites[site].name.clone(),
            factions: scenario.factions[c.faction].id.clone(),
            losses: Losses::NONE,
            detail: format!(
                "{} attacks {} ({troops:.0} troops against {} defending units)",
                scenario.name_of_convoy(c),
                scenario.sites[site].name,
                defenders.len()
            ),
        });
        self.engagements.0.push(Engagement::new(
            EngagementKind::Assault,
            site,
            None,
            vec![ce],
            defenders,
            now,
            false,
            self.dice.next_fight(site),
        ));
        if let Ok((mut convoy, _)) = self.convoys.get_mut(ce) {
            convoy.status = ConvoyStatus::Engaged;
        }
        self.clock.propose(now);
    }

    /// A moving convoy that has reached the point where a band lies in wait for it is hit, if
    /// the band is still there and able to fight; either way the ambush point is used up.
    fn spring_ambush(&mut self, setup: &Setup, ce: Entity) {
        let scenario = &setup.scenario;
        let now = self.clock.now_hour;
        let Ok((convoy, force)) = self.convoys.get(ce) else {
            return;
        };
        let Some(ambush) = convoy.ambush else {
            return;
        };
        if ambush.leg != convoy.leg || (convoy.km - ambush.km).abs() > 1e-9 {
            return;
        }
        let c = &scenario.convoys[convoy.convoy];
        let leg = c.route[convoy.leg];
        let troops = force.troops();
        let ready = self.bands.get(ambush.band).is_ok_and(|(b, f)| {
            matches!(b.activity, Activity::InWait { convoy, .. } if convoy == ce)
                && f.troops() >= 1.0
        });
        if let Ok((mut convoy, _)) = self.convoys.get_mut(ce) {
            convoy.ambush = None;
            if !ready {
                return;
            }
            convoy.status = ConvoyStatus::Engaged;
        }
        let Ok((mut band, band_force)) = self.bands.get_mut(ambush.band) else {
            return;
        };
        band.activity = Activity::Engaged { at: leg.from };
        self.tally.ambushes += 1;
        self.tally.engagements += 1;
        self.log.record(|| Event {
            time_hours: now,
            kind: EventKind::Ambush,
            place: scenario.road_name(leg.road),
            factions: format!(
                "{};{}",
                scenario.factions[band.faction].id, scenario.factions[c.faction].id
            ),
            losses: Losses::NONE,
            detail: format!(
                "{} (~{:.0} fighters) ambushes the {} ({troops:.0} troops) {:.0} km out of {}",
                scenario.group_name(band.group),
                band_force.troops(),
                scenario.name_of_convoy(c),
                ambush.km,
                scenario.sites[leg.from].name
            ),
        });
        self.engagements.0.push(Engagement::new(
            EngagementKind::Ambush,
            leg.from,
            Some(leg.road),
            vec![ambush.band],
            vec![ce],
            now,
            true,
            self.dice.next_fight(leg.from),
        ));
        self.clock.propose(now);
    }

    /// A band that has arrived where it was going does what it came for: rests, lies in wait
    /// for a convoy, or raids or assaults the site.
    fn band_arrives(&mut self, setup: &Setup, sites: &Sites, be: Entity) {
        let Ok((band, _)) = self.bands.get(be) else {
            return;
        };
        let Activity::Arrived { at, intent } = band.activity else {
            return;
        };
        let arrival = Arrival {
            band: be,
            group: band.group,
            faction: band.faction,
            at,
            intent,
        };
        let Ok(site) = sites.get(setup.roster.sites[at]) else {
            return;
        };
        let next = match intent {
            // At least half a day's rest, then up at the next dawn.
            Intent::Rest => Activity::Resting {
                at,
                until_hour: next_dawn_after(self.clock.now_hour + 12.0),
            },
            Intent::Ambush { convoy, leg } => self.lie_in_wait(setup, &arrival, convoy, leg),
            Intent::Raid | Intent::Assault => self.attack_site(setup, &arrival, site),
        };
        self.settle_arrival(be, next);
    }

    /// A band come to ambush a convoy on a leg of its route lies in wait, at a point drawn
    /// along the leg, if the convoy is still to come and the road lends itself to an ambush
    /// this time; otherwise it stands idle.
    fn lie_in_wait(
        &mut self,
        setup: &Setup,
        arrival: &Arrival,
        convoy: Entity,
        leg: usize,
    ) -> Activity {
        let scenario = &setup.scenario;
        let (be, at) = (arrival.band, arrival.at);
        let still_ahead = self
            .convoys
            .get(convoy)
            .ok()
            .filter(|(c, _)| {
                c.leg < leg
                    && !c.returning
                    && c.ambush.is_none()
                    && !matches!(
                        c.status,
                        ConvoyStatus::Arrived | ConvoyStatus::Destroyed | ConvoyStatus::TurnedBack
                    )
            })
            .map(|(c, _)| c.convoy);
        match still_ahead {
            Some(ci) => {
                let road = &scenario.roads[scenario.convoys[ci].route[leg].road];
                let rng = &mut self.dice.bands[arrival.group];
                if rng.random_bool(setup.value(road.ambush).clamp(0.0, 1.0)) {
                    let km = leg_km(setup, ci, leg) * rng.random_range(0.2..0.8);
                    if let Ok((mut cv, _)) = self.convoys.get_mut(convoy) {
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

    /// A band come to raid or assault a site attacks it if that is worth it (a hostile owner,
    /// or for an assault anyone hostile there) and no other fight or raid holds the site;
    /// otherwise a raider goes home and an assault party waits.
    fn attack_site(
        &mut self,
        setup: &Setup,
        arrival: &Arrival,
        (state, garrison): (&SiteState, &Force),
    ) -> Activity {
        let (at, intent, faction) = (arrival.at, arrival.intent, arrival.faction);
        let fight_here = fight_at(&self.engagements, at);
        let hostile_owner =
            !state.un_present && state.owner.is_some_and(|o| setup.hostile(o, faction));
        let (defending_bands, defending_convoys) = self.defenders_at(setup, arrival, state.owner);
        let mut defenders = Vec::new();
        if hostile_owner && garrison.troops() >= 1.0 {
            defenders.push(setup.roster.sites[at]);
        }
        defenders.extend(defending_bands.iter().copied());
        defenders.extend(defending_convoys.iter().copied());
        let worth_it = hostile_owner || (intent == Intent::Assault && !defenders.is_empty());
        if !worth_it || fight_here || state.raid.is_some() {
            return if intent == Intent::Raid {
                let g = &setup.scenario.groups[arrival.group];
                let speed = setup.value(g.speed_km_per_day);
                travel(setup, self.clock.now_hour, at, g.home, speed, Intent::Rest)
            } else {
                Activity::Idle { at }
            };
        }
        let kind = if intent == Intent::Raid {
            EngagementKind::Raid
        } else {
            EngagementKind::Assault
        };
        self.announce_attack(setup, arrival, kind, garrison);
        if defenders.is_empty() {
            return self.take_undefended(setup, arrival, kind, garrison);
        }
        self.tally.engagements += 1;
        for b in &defending_bands {
            if let Ok((mut other, _)) = self.bands.get_mut(*b) {
                other.activity = Activity::Engaged { at };
            }
        }
        for c in &defending_convoys {
            if let Ok((mut cv, _)) = self.convoys.get_mut(*c) {
                cv.status = ConvoyStatus::Engaged;
            }
        }
        self.engagements.0.push(Engagement::new(
            kind,
            at,
            None,
            vec![arrival.band],
            defenders,
            self.clock.now_hour,
            kind == EngagementKind::Raid,
            self.dice.next_fight(at),
        ));
        Activity::Engaged { at }
    }

    /// Who would fight an arriving band besides the site's garrison, in scenario order: bands
    /// there allied to the owner (and, against an assault, any band hostile to the attacker),
    /// then hostile convoys standing there.
    fn defenders_at(
        &self,
        setup: &Setup,
        arrival: &Arrival,
        owner: Option<FactionIdx>,
    ) -> (Vec<Entity>, Vec<Entity>) {
        let scenario = &setup.scenario;
        let (at, intent, faction) = (arrival.at, arrival.intent, arrival.faction);
        let friends_of_owner =
            |f: FactionIdx| owner.is_some_and(|o| setup.stance(o, f) == Stance::Allied);
        let bands: Vec<Entity> = setup
            .roster
            .bands
            .iter()
            .copied()
            .filter(|b| {
                *b != arrival.band
                    && self.bands.get(*b).is_ok_and(|(other, f)| {
                        present_at(other, at)
                            && f.troops() >= 1.0
                            && (friends_of_owner(other.faction)
                                || (intent == Intent::Assault
                                    && setup.hostile(other.faction, faction)))
                    })
            })
            .collect();
        let convoys: Vec<Entity> = setup
            .roster
            .convoys
            .iter()
            .copied()
            .filter(|c| {
                self.convoys.get(*c).is_ok_and(|(cv, f)| {
                    f.troops() >= 1.0
                        && setup.hostile(scenario.convoys[cv.convoy].faction, faction)
                        && standing_at(setup, cv) == Some(at)
                })
            })
            .collect();
        (bands, convoys)
    }

    /// Counts a raid and tells of the attack.
    fn announce_attack(
        &mut self,
        setup: &Setup,
        arrival: &Arrival,
        kind: EngagementKind,
        garrison: &Force,
    ) {
        let scenario = &setup.scenario;
        let (at, faction, now) = (arrival.at, arrival.faction, self.clock.now_hour);
        if kind == EngagementKind::Raid {
            self.tally.camp_raids += 1;
        }
        let bands = &self.bands;
        self.log.record(|| Event {
            time_hours: now,
            kind: if kind == EngagementKind::Raid {
                EventKind::Raid
            } else {
                EventKind::Assault
            },
            place: scenario.sites[at].name.clone(),
            factions: scenario.factions[faction].id.clone(),
            losses: Losses::NONE,
            detail: format!(
                "{} (~{:.0} fighters) attacks {} (garrison {:.0})",
                scenario.group_name(arrival.group),
                bands.get(arrival.band).map_or(0.0, |(_, f)| f.troops()),
                scenario.sites[at].name,
                garrison.troops()
            ),
        });
    }

    /// Nobody defends the site: the attackers take it, raiders to hold it a few hours.
    fn take_undefended(
        &mut self,
        setup: &Setup,
        arrival: &Arrival,
        kind: EngagementKind,
        garrison: &Force,
    ) -> Activity {
        let (at, faction) = (arrival.at, arrival.faction);
        let hold = setup.value(setup.scenario.factions[faction].raid_hold_hours);
        let raid =
            (kind == EngagementKind::Raid).then_some((arrival.band, self.clock.now_hour + hold));
        self.captures.0.push(Capture {
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
    }

    /// The band takes up what it does next and decides again at once, or, if it came for
    /// nothing (target gone, ambush not set up), at the next dawn.
    fn settle_arrival(&mut self, be: Entity, next: Activity) {
        let now = self.clock.now_hour;
        if let Ok((mut band, _)) = self.bands.get_mut(be) {
            if let Activity::Travelling { arrive_hour, .. }
            | Activity::Resting {
                until_hour: arrive_hour,
                ..
            } = next
            {
                self.clock.propose(arrive_hour);
            }
            band.activity = next;
            band.next_decision_hour = if matches!(next, Activity::Idle { .. }) {
                next_dawn_after(now)
            } else {
                now
            };
        }
        self.clock.propose(now);
    }
}
