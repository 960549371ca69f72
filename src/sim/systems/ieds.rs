//! IED strikes: a Poisson process in kilometres driven. Each convoy carries the hazard left
//! before its next strike (an exponential draw); `move_convoys` spends it at the road's density.

use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use crate::sim::components::*;
use crate::sim::dice::Dice;
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::{convoy_km_per_hour, km_to_leg_end};
use crate::sim::lanchester;
use crate::sim::resources::*;

use super::combat::{is_destroyed, poisson};

/// Strikes the convoys whose hazard ran out, then asks for a pass when the next one will.
pub(crate) fn strike_ieds(
    mut convoys: Query<(&mut ConvoyState, &mut Force)>,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut dice: ResMut<Dice>,
    mut tally: ResMut<Tally>,
    mut log: ResMut<EventLog>,
) {
    let roster = &setup.roster;
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    for &e in &roster.convoys {
        let Ok((mut convoy, mut force)) = convoys.get_mut(e) else {
            continue;
        };
        if !matches!(
            convoy.status,
            ConvoyStatus::Moving | ConvoyStatus::AtSite(_)
        ) {
            continue;
        }
        let c = &scenario.convoys[convoy.convoy];
        let road = &scenario.roads[c.route[convoy.leg].road];
        if convoy.ied_hazard_left <= 1e-9 {
            let rng = &mut dice.ieds[convoy.convoy];
            detonate(
                &mut convoy,
                &mut force,
                &setup,
                rng,
                &mut tally,
                &mut log,
                now,
            );
        }
        if convoy.status == ConvoyStatus::Moving {
            let per_km = setup.value(road.ied_per_100km) / 100.0;
            let speed_km_per_hour = convoy_km_per_hour(&setup, convoy.convoy, convoy.leg);
            if per_km > 0.0 {
                let hours = convoy.ied_hazard_left / per_km / speed_km_per_hour;
                // Only within this leg: beyond it the next road's density applies.
                if hours <= km_to_leg_end(&setup, &convoy) / speed_km_per_hour + 1e-9 {
                    clock.propose(now + hours);
                }
            }
        }
    }
}

/// A roadside bomb goes off under a convoy: perhaps a vehicle lost, Poisson numbers killed
/// and wounded spread over its contingents by size, and the hazard to its next strike drawn
/// afresh.
fn detonate(
    convoy: &mut ConvoyState,
    force: &mut Force,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
    log: &mut EventLog,
    now: f64,
) {
    let scenario = &setup.scenario;
    let ied = &scenario.ied;
    let c = &scenario.convoys[convoy.convoy];
    tally.ied_strikes += 1;
    let vehicle = rng.random_bool(setup.value(ied.vehicle_destroyed_chance).clamp(0.0, 1.0))
        && convoy.vehicles >= 1.0;
    if vehicle {
        convoy.vehicles -= 1.0;
    }
    let troops = force.troops();
    let killed_total = poisson(setup.value(ied.killed_per_strike), rng).min(troops);
    let wounded_total =
        poisson(setup.value(ied.wounded_per_strike), rng).min(troops - killed_total);
    let sizes: Vec<f64> = force.parts.iter().map(|p| p.troops).collect();
    let killed = lanchester::split_by_size(killed_total, &sizes, Some(rng));
    let after_killed: Vec<f64> = sizes.iter().zip(&killed).map(|(s, k)| s - k).collect();
    let wounded = lanchester::split_by_size(wounded_total, &after_killed, Some(rng));
    for (i, part) in force.parts.iter_mut().enumerate() {
        part.troops -= killed[i] + wounded[i];
        tally.book(part.faction, killed[i], wounded[i]);
    }
    convoy.ied_hazard_left = Exp1.sample(rng);
    if is_destroyed(convoy, force.troops()) {
        convoy.status = ConvoyStatus::Destroyed;
    }
    log.record(|| Event {
        time_hours: now,
        kind: EventKind::Ied,
        place: scenario.road_name(c.route[convoy.leg].road),
        factions: scenario.factions[c.faction].id.clone(),
        losses: Losses {
            vehicles_lost: if vehicle { 1.0 } else { 0.0 },
            ..Losses::of_defender(killed_total, wounded_total)
        },
        detail: format!(
            "a roadside bomb (IED) hits the {}: {killed_total:.0} killed, {wounded_total:.0} wounded{}",
            scenario.convoy_name(convoy.convoy),
            if vehicle { ", 1 vehicle lost" } else { "" }
        ),
    });
}
