//! Air strikes: each wing flies sorties at random times (a Poisson process at its daily rate).
//! A sortie strikes a hostile band caught in the open if it finds one; otherwise it may strike
//! a hostile-held town, where civilians die too.

use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use crate::scenario::SiteKind;
use crate::sim::components::*;
use crate::sim::events::{Event, EventKind};
use crate::sim::lanchester;
use crate::sim::resources::*;

use super::combat::poisson;

/// The hours until a wing's next sortie.
pub fn next_sortie_in_hours(sorties_per_day: f64, rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    if sorties_per_day <= 0.0 {
        return f64::INFINITY;
    }
    let e: f64 = Exp1.sample(rng);
    e * 24.0 / sorties_per_day
}

/// Flies the sorties that are due.
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub fn fly_air_strikes(
    mut wings: Query<&mut AirWingState>,
    mut bands: Query<(&mut Band, &mut Force), Without<SiteState>>,
    mut sites: Query<(&SiteState, &mut Force), Without<Band>>,
    roster: Res<Roster>,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut rng: ResMut<SimRng>,
    mut tally: ResMut<Tally>,
    mut log: ResMut<EventLog>,
) {
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    let mean_field = setup.mean_field();
    for &we in &roster.air {
        let Ok(mut wing) = wings.get_mut(we) else {
            continue;
        };
        if wing.next_sortie_hour > now {
            clock.propose(wing.next_sortie_hour);
            continue;
        }
        let w = &scenario.air[wing.wing];
        wing.next_sortie_hour =
            now + next_sortie_in_hours(setup.value(w.sorties_per_day), &mut rng.0);
        clock.propose(wing.next_sortie_hour);
        let range = setup.value(w.range_km);
        let in_reach = |site| setup.straight_km(w.base, site) <= range;

        let targets: Vec<Entity> = roster
            .bands
            .iter()
            .copied()
            .filter(|b| {
                bands.get(*b).is_ok_and(|(band, f)| {
                    setup.hostile(w.faction, band.faction)
                        && band.activity.in_the_open()
                        && f.troops() >= 1.0
                        && in_reach(band.activity.site())
                })
            })
            .collect();
        let found = !targets.is_empty()
            && rng
                .0
                .random_bool(setup.value(w.find_chance).clamp(0.0, 1.0));
        let expected = setup.value(w.kills_per_strike);
        if found {
            let target = targets[rng.0.random_range(0..targets.len())];
            let Ok((mut band, mut force)) = bands.get_mut(target) else {
                continue;
            };
            let (killed, wounded) = strike(
                &mut force, expected, &setup, &mut rng, &mut tally, mean_field,
            );
            let before = killed + wounded + force.troops();
            if before > 0.0 {
                band.technicals = (band.technicals * force.troops() / before).floor();
            }
            tally.air_strikes += 1;
            let g = &scenario.groups[band.group];
            log.record(|| Event {
                time_hours: now,
                kind: EventKind::AirStrike,
                place: scenario.sites[band.activity.site()].name.clone(),
                factions: format!(
                    "{};{}",
                    scenario.factions[w.faction].id, scenario.factions[band.faction].id
                ),
                killed,
                wounded,
                vehicles: 0.0,
                detail: format!(
                    "{} strikes {} in the open: {killed:.0} killed, {wounded:.0} wounded",
                    w.id, g.id
                ),
            });
            continue;
        }
        if !rng
            .0
            .random_bool(setup.value(w.town_strike_chance).clamp(0.0, 1.0))
        {
            continue;
        }
        let towns: Vec<usize> = (0..scenario.sites.len())
            .filter(|&s| {
                scenario.sites[s].kind == SiteKind::Town
                    && in_reach(s)
                    && sites.get(roster.sites[s]).is_ok_and(|(st, _)| {
                        !st.un_present && st.owner.is_some_and(|o| setup.hostile(w.faction, o))
                    })
            })
            .collect();
        if towns.is_empty() {
            continue;
        }
        let town = towns[rng.0.random_range(0..towns.len())];
        let civilians = poisson(setup.value(w.civilians_killed_per_town_strike), &mut rng.0);
        tally.civilians_killed += civilians;
        tally.air_strikes += 1;
        // Fighters in the town: its garrison and the hostile bands staying there.
        let mut hit: Option<(f64, f64)> = None;
        let in_town: Vec<Entity> = roster
            .bands
            .iter()
            .copied()
            .filter(|b| {
                bands.get(*b).is_ok_and(|(band, f)| {
                    setup.hostile(w.faction, band.faction)
                        && band.activity.site() == town
                        && !band.activity.in_the_open()
                        && f.troops() >= 1.0
                })
            })
            .collect();
        if !in_town.is_empty() {
            let target = in_town[rng.0.random_range(0..in_town.len())];
            if let Ok((_, mut force)) = bands.get_mut(target) {
                hit = Some(strike(
                    &mut force, expected, &setup, &mut rng, &mut tally, mean_field,
                ));
            }
        } else if let Ok((_, mut garrison)) = sites.get_mut(roster.sites[town])
            && garrison.troops() >= 1.0
        {
            hit = Some(strike(
                &mut garrison,
                expected,
                &setup,
                &mut rng,
                &mut tally,
                mean_field,
            ));
        }
        let (killed, wounded) = hit.unwrap_or((0.0, 0.0));
        log.record(|| Event {
            time_hours: now,
            kind: EventKind::AirStrike,
            place: scenario.sites[town].name.clone(),
            factions: scenario.factions[w.faction].id.clone(),
            killed: killed + civilians,
            wounded,
            vehicles: 0.0,
            detail: format!("{} strikes {}: {killed:.0} fighters killed, {wounded:.0} wounded; {civilians:.0} civilians killed", w.id, scenario.sites[town].name),
        });
    }
}

/// Casualties of one strike on a force: Poisson around the wing's expected effect.
fn strike(
    force: &mut Force,
    expected: f64,
    setup: &Setup,
    rng: &mut SimRng,
    tally: &mut Tally,
    mean_field: bool,
) -> (f64, f64) {
    let troops = force.troops();
    let total = if mean_field {
        expected
    } else {
        poisson(expected, &mut rng.0)
    }
    .min(troops);
    let sizes: Vec<f64> = force.parts.iter().map(|c| c.troops).collect();
    let split = lanchester::split_by_size(total, &sizes, (!mean_field).then_some(&mut rng.0));
    let (mut killed_all, mut wounded_all) = (0.0, 0.0);
    for (c, cas) in force.parts.iter_mut().zip(split) {
        let share = setup.value(setup.scenario.factions[c.faction].killed_share);
        let killed = lanchester::casualties(cas, share, (!mean_field).then_some(&mut rng.0));
        c.troops -= cas;
        tally.book(c.faction, killed, cas - killed);
        killed_all += killed;
        wounded_all += cas - killed;
    }
    (killed_all, wounded_all)
}
