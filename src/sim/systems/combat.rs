//! Combat: open engagements fight in rounds of stochastic (or mean-field) Lanchester attrition
//! until a side breaks, is wiped out, or the fight times out; then each side's units are told
//! what to do next and any change of owner is handed to `update_control`.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

use crate::scenario::{FactionIdx, SiteIdx, SiteKind};
use crate::sim::budget::Budget;
use crate::sim::components::*;
use crate::sim::engagement::{ATTACKERS, DEFENDERS, Engagement, EngagementKind};
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::{straight_km, travel};
use crate::sim::lanchester::{self, Shooters};
use crate::sim::resources::*;

/// Lead faction of a side: the first contingent of its first unit with troops.
fn lead_faction(side: &[Entity], forces: &Query<&mut Force>) -> Option<FactionIdx> {
    side.iter()
        .filter_map(|e| forces.get(*e).ok())
        .flat_map(|f| f.parts.first())
        .map(|c| c.faction)
        .next()
}

/// Everyone still able to fight on a side.
fn side_troops(side: &[Entity], forces: &Query<&mut Force>) -> f64 {
    side.iter()
        .filter_map(|e| forces.get(*e).ok())
        .map(Force::troops)
        .sum()
}

/// Whether a faction (or an ally) flies air support over `site` at this hour.
pub(crate) fn air_cover(setup: &Setup, clock: &Clock, faction: FactionIdx, site: SiteIdx) -> bool {
    if clock.is_night() {
        return false;
    }
    setup.scenario.air.iter().any(|w| {
        setup.stance(w.faction, faction) == crate::scenario::Stance::Allied
            && clock.now_hour >= w.from_hour
            && setup.value(w.sorties_per_day) > 0.0
            && straight_km(setup, w.base, site) <= setup.value(w.range_km)
    })
}

/// Run condition of `resolve_engagements`: some fight is open.
pub(crate) fn fights_open(engagements: Res<Engagements>) -> bool {
    !engagements.0.is_empty()
}

/// The units in fights: their strengths, and the convoy or band state a fight's end changes.
#[derive(SystemParam)]
pub(crate) struct Fighters<'w, 's> {
    forces: Query<'w, 's, &'static mut Force>,
    convoys: Query<'w, 's, &'static mut ConvoyState>,
    bands: Query<'w, 's, &'static mut Band>,
}

/// Fires the rounds that are due and closes the fights that are over. Combat runs last in a
/// pass, when every other system has said when it next has work: until then nothing else can
/// happen, so the open fights are fought round after round here, the clock moving with them,
/// instead of one scheduler pass per round. It stops at the first fight that ends, so that the
/// rest of the world reacts at that instant.
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub(crate) fn resolve_engagements(
    mut engagements: ResMut<Engagements>,
    mut units: Fighters,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut tally: ResMut<Tally>,
    mut captures: ResMut<PendingCaptures>,
    mut log: ResMut<EventLog>,
    mut trace: ResMut<RoundTrace>,
    mut budget: ResMut<Budget>,
    mut shooters: Local<[Vec<Shooters>; 2]>,
) {
    let round_hours = setup.value(setup.scenario.combat.round_hours);
    let max_hours = setup.value(setup.scenario.combat.max_engagement_hours);
    // The first time anything outside the fights is due.
    let mut bound = clock.next_pass_hour();
    // The next round due in any fight, earliest first; ties go to the older fight.
    while let Some(i) = (0..engagements.0.len()).min_by(|&a, &b| {
        engagements.0[a]
            .next_round_hour
            .total_cmp(&engagements.0[b].next_round_hour)
    }) {
        let due = engagements.0[i].next_round_hour;
        if due > clock.now_hour && due >= bound {
            clock.propose(due);
            break;
        }
        clock.now_hour = clock.now_hour.max(due);
        let now = clock.now_hour;
        let e = &mut engagements.0[i];
        fire_round(e, &mut shooters, &mut units, &setup, &clock, &mut tally);
        e.next_round_hour = now + round_hours;
        // Every round is a step of the replication's budget, and a moment to heed a stop.
        if !budget.spend() {
            return;
        }
        if trace.enabled {
            let left = [0, 1].map(|s| side_troops(&e.sides[s], &units.forces));
            trace.rounds.push(RoundRecord {
                hour: now,
                troops: left,
            });
        }
        let broken = broken_sides(e, &units.forces, &setup);
        let timed_out = now + round_hours - e.start_hour > max_hours + 1e-9;
        if broken[0] || broken[1] || timed_out {
            let e = engagements.0.remove(i);
            let attacker_won = broken[DEFENDERS] && !broken[ATTACKERS];
            let books = Books {
                tally: &mut tally,
                captures: &mut captures,
                log: &mut log,
            };
            close(e, attacker_won, &mut units, &setup, now, books);
            // The world reacts now: fire only what else is due at this instant.
            bound = now;
            clock.propose(now);
        }
    }
}

/// Which sides have broken: a side breaks when it has no one left standing, or when its
/// losses in this fight reach its lead faction's break point.
fn broken_sides(e: &Engagement, forces: &Query<&mut Force>, setup: &Setup) -> [bool; 2] {
    [0, 1].map(|s| {
        let bp = lead_faction(&e.sides[s], forces)
            .map_or(1.0, |f| setup.value(setup.scenario.factions[f].break_point));
        let troops = side_troops(&e.sides[s], forces);
        troops < 0.5 || (e.committed[s] > 0.0 && e.lost[s] >= bp * e.committed[s] - 1e-9)
    })
}

/// One round: both sides fire on the strengths they had at its start.
fn fire_round(
    e: &mut Engagement,
    shooters: &mut [Vec<Shooters>; 2],
    units: &mut Fighters,
    setup: &Setup,
    clock: &Clock,
    tally: &mut Tally,
) {
    let round_hours = setup.value(setup.scenario.combat.round_hours);
    let troops = muster(e, shooters, &units.forces, setup, clock);
    let fortification = match e.kind {
        EngagementKind::Ambush => 1.0,
        _ => setup.value(setup.scenario.sites[e.site].fortification),
    };
    let p = [
        lanchester::casualty_probability(troops[0], &shooters[1], round_hours, 1.0),
        lanchester::casualty_probability(troops[1], &shooters[0], round_hours, fortification),
    ];
    for (s, p_side) in p.into_iter().enumerate() {
        for u in 0..e.sides[s].len() {
            let unit = e.sides[s][u];
            let hit = hit_unit(unit, p_side, units, setup, &mut e.dice, tally);
            e.killed[s] += hit.killed;
            e.wounded[s] += hit.wounded;
            e.lost[s] += hit.killed + hit.wounded;
            e.vehicles_lost += hit.vehicles_lost;
        }
    }
    e.rounds += 1;
}

/// Lists each side's shooters, with the side's modifiers (night, air cover, surprise in an
/// ambush's first round), on pre-round strengths, and returns each side's troops. The lists
/// are buffers the system keeps, since a fight may take thousands of rounds.
fn muster(
    e: &mut Engagement,
    shooters: &mut [Vec<Shooters>; 2],
    forces: &Query<&mut Force>,
    setup: &Setup,
    clock: &Clock,
) -> [f64; 2] {
    let combat = &setup.scenario.combat;
    let night = if clock.is_night() {
        setup.value(combat.night_factor)
    } else {
        1.0
    };
    shooters.iter_mut().for_each(Vec::clear);
    let mut troops = [0.0; 2];
    for s in 0..2 {
        let lead = lead_faction(&e.sides[s], forces);
        let air = lead.is_some_and(|f| air_cover(setup, clock, f, e.site));
        let mut factor = night
            * if air {
                setup.value(combat.air_support_factor)
            } else {
                1.0
            };
        if s == ATTACKERS && e.surprise && e.rounds == 0 {
            factor *= setup.value(combat.surprise_factor);
        }
        for unit in &e.sides[s] {
            if let Ok(force) = forces.get(*unit) {
                for c in &force.parts {
                    let f = &setup.scenario.factions[c.faction];
                    troops[s] += c.troops;
                    shooters[s].push(Shooters {
                        count: c.troops,
                        kill_rate_per_hour: setup.value(f.kill_rate_per_hour) * factor,
                        fire: f.fire,
                    });
                }
            }
        }
        e.committed[s] = e.committed[s].max(troops[s] + e.lost[s]);
    }
    troops
}

/// What one unit lost in a round.
#[derive(Debug, Clone, Copy, Default)]
struct Hit {
    killed: f64,
    wounded: f64,
    vehicles_lost: f64,
}

/// One unit takes the round's fire: each contingent loses members with chance `p_side`, some
/// of them killed; a convoy loses vehicles with its casualties and a band its technicals in
/// proportion. Draws from the fight's own stream, `rng`.
fn hit_unit(
    unit: Entity,
    p_side: f64,
    units: &mut Fighters,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
) -> Hit {
    let mean_field = setup.mean_field();
    let mut hit = Hit::default();
    let Ok(mut force) = units.forces.get_mut(unit) else {
        return hit;
    };
    let before = force.troops();
    for c in force.parts.iter_mut() {
        let cas = lanchester::casualties(c.troops, p_side, (!mean_field).then_some(&mut *rng))
            .min(c.troops);
        if cas <= 0.0 {
            continue;
        }
        let share = setup.value(setup.scenario.factions[c.faction].killed_share);
        let killed = lanchester::casualties(cas, share, (!mean_field).then_some(&mut *rng));
        c.troops -= cas;
        tally.book(c.faction, killed, cas - killed);
        hit.killed += killed;
        hit.wounded += cas - killed;
    }
    let unit_lost = hit.killed + hit.wounded;
    if unit_lost > 0.0 {
        if let Ok(mut convoy) = units.convoys.get_mut(unit) {
            let expected =
                unit_lost * setup.value(setup.scenario.combat.vehicles_lost_per_casualty);
            let lost = if mean_field {
                expected
            } else {
                poisson(expected, rng)
            }
            .min(convoy.vehicles);
            convoy.vehicles -= lost;
            hit.vehicles_lost = lost;
        }
        if let Ok(mut band) = units.bands.get_mut(unit) {
            let share = if before > 0.0 {
                unit_lost / before
            } else {
                1.0
            };
            band.technicals = (band.technicals * (1.0 - share)).max(0.0);
            if !mean_field {
                band.technicals = band.technicals.round();
            }
        }
    }
    hit
}

/// A Poisson draw (0 for a mean of 0).
pub(crate) fn poisson(mean: f64, rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    Poisson::new(mean).map(|d| d.sample(rng)).unwrap_or(0.0)
}

/// What a fight's end writes to besides its units: the tallies, the changes of owner and the
/// event log.
struct Books<'a> {
    tally: &'a mut Tally,
    captures: &'a mut PendingCaptures,
    log: &'a mut EventLog,
}

/// Ends a fight: counts the civilians a fight in a town killed, tells every unit what to do
/// next and hands any change of owner on.
fn close(
    mut e: Engagement,
    attacker_won: bool,
    units: &mut Fighters,
    setup: &Setup,
    now: f64,
    books: Books,
) {
    let Books {
        tally,
        captures,
        log,
    } = books;
    let scenario = &setup.scenario;
    let site = &scenario.sites[e.site];
    let mut civilians = 0.0;
    if site.kind == SiteKind::Town && e.kind != EngagementKind::Ambush {
        civilians = poisson(
            setup.value(scenario.combat.civilians_killed_per_town_fight),
            &mut e.dice,
        );
        tally.civilians_killed += civilians;
    }
    let attacker_faction = lead_faction(&e.sides[ATTACKERS], &units.forces);
    // Who fought, for the narrative's record (read before the units are sent away).
    let sides = [
        attacker_faction,
        lead_faction(&e.sides[DEFENDERS], &units.forces),
    ];
    dismiss_attackers(&e, attacker_won, units, setup, now);
    let displaced = dismiss_defenders(&e, attacker_won, units, setup, now);
    if attacker_won && e.kind != EngagementKind::Ambush {
        let raid = (e.kind == EngagementKind::Raid).then(|| {
            let hold =
                attacker_faction.map_or(0.0, |f| setup.value(scenario.factions[f].raid_hold_hours));
            (e.sides[ATTACKERS][0], now + hold)
        });
        captures.0.push(Capture {
            site: e.site,
            by: attacker_faction,
            cause: if raid.is_some() {
                CaptureCause::Raid
            } else {
                CaptureCause::Combat
            },
            garrison: Force::default(),
            raid,
            displaced,
        });
    }
    log.record(|| {
        let mut event = fight_end_event(&e, attacker_won, setup, now);
        event.losses.civilians_killed = civilians;
        if civilians > 0.0 {
            event
                .detail
                .push_str(&format!("; {civilians:.0} civilians killed"));
        }
        event.factions = sides
            .iter()
            .flatten()
            .map(|f| scenario.factions[*f].id.as_str())
            .collect::<Vec<_>>()
            .join(";");
        event
    });
}

/// After a fight the attacking bands hold or stay at the site they won, or fall back to their
/// refuge; attacking convoys regroup.
fn dismiss_attackers(
    e: &Engagement,
    attacker_won: bool,
    units: &mut Fighters,
    setup: &Setup,
    now: f64,
) {
    let scenario = &setup.scenario;
    for unit in &e.sides[ATTACKERS] {
        if let Ok(mut band) = units.bands.get_mut(*unit) {
            let g = &scenario.groups[band.group];
            band.activity = if attacker_won && e.kind != EngagementKind::Ambush {
                if e.kind == EngagementKind::Raid {
                    Activity::Holding { at: e.site }
                } else {
                    Activity::Idle { at: e.site }
                }
            } else {
                travel(
                    setup,
                    now,
                    e.site,
                    g.refuge,
                    setup.value(g.speed_km_per_day),
                    Intent::Rest,
                )
            };
        }
        if let Ok(mut convoy) = units.convoys.get_mut(*unit) {
            settle_convoy(
                &mut convoy,
                units.forces.get(*unit).map(Force::troops).unwrap_or(0.0),
                setup,
                now,
            );
        }
    }
}

/// After a fight the defending bands fall back to their refuge if they lost and stay
/// otherwise; defending convoys regroup; a site's garrison that lost falls back, and is
/// returned (it comes back when a raid ends).
fn dismiss_defenders(
    e: &Engagement,
    attacker_won: bool,
    units: &mut Fighters,
    setup: &Setup,
    now: f64,
) -> Force {
    let scenario = &setup.scenario;
    let mut displaced = Force::default();
    for unit in &e.sides[DEFENDERS] {
        if let Ok(mut band) = units.bands.get_mut(*unit) {
            let g = &scenario.groups[band.group];
            band.activity = if attacker_won {
                travel(
                    setup,
                    now,
                    e.site,
                    g.refuge,
                    setup.value(g.speed_km_per_day),
                    Intent::Rest,
                )
            } else {
                Activity::Idle { at: e.site }
            };
        } else if let Ok(mut convoy) = units.convoys.get_mut(*unit) {
            settle_convoy(
                &mut convoy,
                units.forces.get(*unit).map(Force::troops).unwrap_or(0.0),
                setup,
                now,
            );
        } else if attacker_won {
            // A site's garrison: survivors fall back (and return if this was only a raid).
            if let Ok(mut garrison) = units.forces.get_mut(*unit) {
                displaced = std::mem::take(&mut *garrison);
            }
        }
    }
    displaced
}

/// The narrative's line for a fight that ended.
fn fight_end_event(e: &Engagement, attacker_won: bool, setup: &Setup, now: f64) -> Event {
    let scenario = &setup.scenario;
    let place = match e.road {
        Some(r) => scenario.road_name(r),
        None => scenario.sites[e.site].name.clone(),
    };
    let result = match (e.kind, attacker_won) {
        (EngagementKind::Ambush, _) => "the ambushers pull back",
        (_, true) => "the attackers take it",
        (_, false) => "the attack fails",
    };
    Event {
        time_hours: now,
        kind: EventKind::FightEnd,
        place,
        factions: String::new(),
        losses: Losses {
            attacker_killed: e.killed[0],
            attacker_wounded: e.wounded[0],
            defender_killed: e.killed[1],
            defender_wounded: e.wounded[1],
            vehicles_lost: e.vehicles_lost,
            ..Losses::NONE
        },
        detail: format!(
            "{} over after {:.0} h: {} — attackers {:.0} killed, {:.0} wounded; defenders {:.0} killed, {:.0} wounded{}",
            e.kind.name(),
            (now - e.start_hour).max(1.0),
            result,
            e.killed[0],
            e.wounded[0],
            e.killed[1],
            e.wounded[1],
            if e.vehicles_lost > 0.0 {
                format!("; {:.0} vehicles lost", e.vehicles_lost)
            } else {
                String::new()
            }
        ),
    }
}

/// A convoy after a fight: destroyed, or halted to regroup. The decision system turns it back
/// if its losses passed its break point, and re-decides at the site when the halt ends.
fn settle_convoy(convoy: &mut ConvoyState, troops: f64, setup: &Setup, now: f64) {
    let c = &setup.scenario.convoys[convoy.convoy];
    if is_destroyed(convoy, troops) {
        convoy.status = ConvoyStatus::Destroyed;
        return;
    }
    convoy.status = ConvoyStatus::Halted;
    convoy.resume_hour = now + setup.value(c.halt_after_contact_hours);
}

/// A convoy is destroyed when fewer than 5% of its troops, or none of its vehicles, are left.
pub(crate) fn is_destroyed(convoy: &ConvoyState, troops: f64) -> bool {
    troops < 0.05 * convoy.troops_start || (convoy.vehicles_start > 0.0 && convoy.vehicles < 0.5)
}
