//! Movement: convoys drive along their route legs at road speed, stopping at sites and at
//! prepared ambushes; bands finish their cross-country journeys. Positions advance lazily
//! from the last move to `now`.

use bevy_ecs::prelude::*;

use crate::sim::components::*;
use crate::sim::geo::{convoy_km_per_hour, leg_km, node_at};
use crate::sim::resources::*;

/// The movement stage: convoys drive, then bands arrive.
pub(crate) fn move_units(
    mut convoys: Query<&mut ConvoyState>,
    mut bands: Query<&mut Band>,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
) {
    let roster = &setup.roster;
    move_convoys(&mut convoys, roster, &setup, &mut clock);
    move_bands(&mut bands, roster, &mut clock);
}

/// Advances moving convoys to `now` and asks for a pass when the next one reaches a stop.
pub(crate) fn move_convoys(
    convoys: &mut Query<&mut ConvoyState>,
    roster: &Roster,
    setup: &Setup,
    clock: &mut Clock,
) {
    let now = clock.now_hour;
    for &e in &roster.convoys {
        let Ok(mut convoy) = convoys.get_mut(e) else {
            continue;
        };
        if convoy.status != ConvoyStatus::Moving {
            convoy.last_move_hour = now;
            continue;
        }
        let c = &setup.scenario.convoys[convoy.convoy];
        let len = leg_km(setup, convoy.convoy, convoy.leg);
        let speed_km_per_hour = convoy_km_per_hour(setup, convoy.convoy, convoy.leg);
        let ied_per_km =
            setup.value(setup.scenario.roads[c.route[convoy.leg].road].ied_per_100km) / 100.0;
        // The next stop in the direction of travel: the end of the leg, or an ambush before it.
        let stop_km = if convoy.returning {
            0.0
        } else {
            match convoy.ambush {
                Some(a) if a.leg == convoy.leg && a.km >= convoy.km => a.km,
                _ => len,
            }
        };
        let step_km =
            ((now - convoy.last_move_hour) * speed_km_per_hour).min((stop_km - convoy.km).abs());
        convoy.km += if convoy.returning { -step_km } else { step_km };
        if (convoy.km - stop_km).abs() < 1e-9 {
            convoy.km = stop_km;
        }
        convoy.ied_hazard_left -= step_km * ied_per_km;
        convoy.last_move_hour = now;
        if let Some(site) = node_at(setup, &convoy) {
            convoy.status = ConvoyStatus::AtSite(site);
            clock.propose(now);
        } else if convoy.km == stop_km {
            clock.propose(now);
        } else {
            clock.propose(now + (stop_km - convoy.km).abs() / speed_km_per_hour);
        }
    }
}

/// Bands whose journey ends now arrive, carrying their intent to the contact system.
pub(crate) fn move_bands(bands: &mut Query<&mut Band>, roster: &Roster, clock: &mut Clock) {
    let now = clock.now_hour;
    for &e in &roster.bands {
        let Ok(mut band) = bands.get_mut(e) else {
            continue;
        };
        if let Activity::Travelling {
            to,
            arrive_hour,
            intent,
        } = band.activity
        {
            if arrive_hour <= now {
                band.activity = Activity::Arrived { at: to, intent };
                clock.propose(now);
            } else {
                clock.propose(arrive_hour);
            }
        }
    }
}
