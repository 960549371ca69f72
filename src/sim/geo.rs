//! The ground of one replication: how far apart its sites are by road and across country, where
//! a convoy stands along its route, and how long a journey takes. Plain functions of `Setup`
//! (no queries, no random draws) over the distance tables the scenario computed with
//! `crate::geo`, so that every system measures the map the same way.

use crate::scenario::SiteIdx;

use super::components::{Activity, ConvoyState, ConvoyStatus, Intent};
use super::resources::Setup;

/// How much longer a journey across country is than the straight line between its ends
/// (assumption, see CALIBRATION.md: tracks wind around wadis and hills).
const ACROSS_COUNTRY_DETOUR: f64 = 1.3;

/// Shortest road distance between two sites in km (infinite when no road connects them).
pub(crate) fn road_km(setup: &Setup, a: SiteIdx, b: SiteIdx) -> f64 {
    setup.scenario.distance_km[a][b]
}

/// Great-circle distance between two sites in km: how far a drone flies.
pub(crate) fn straight_km(setup: &Setup, a: SiteIdx, b: SiteIdx) -> f64 {
    setup.scenario.straight_km[a][b]
}

/// How far a band travels between two sites: by road, or across country (the straight line
/// plus the detour) where that is shorter or no road connects them.
pub(crate) fn band_km(setup: &Setup, a: SiteIdx, b: SiteIdx) -> f64 {
    road_km(setup, a, b).min(straight_km(setup, a, b) * ACROSS_COUNTRY_DETOUR)
}

/// Hours to cover `km` at `speed_km_per_day`.
pub(crate) fn travel_hours(km: f64, speed_km_per_day: f64) -> f64 {
    km / speed_km_per_day * 24.0
}

/// A band setting out at `now` from `from` to `to` at `speed_km_per_day`, to do `intent` there.
pub(crate) fn travel(
    setup: &Setup,
    now: f64,
    from: SiteIdx,
    to: SiteIdx,
    speed_km_per_day: f64,
    intent: Intent,
) -> Activity {
    let km = band_km(setup, from, to);
    Activity::Travelling {
        to,
        arrive_hour: now + travel_hours(km, speed_km_per_day),
        intent,
    }
}

/// Length in km of leg `leg` of convoy `convoy`'s route in this replication.
pub(crate) fn leg_km(setup: &Setup, convoy: usize, leg: usize) -> f64 {
    let c = &setup.scenario.convoys[convoy];
    setup.value(setup.scenario.roads[c.route[leg].road].length_km)
}

/// How fast convoy `convoy` drives on leg `leg` of its route, in km per hour.
pub(crate) fn convoy_km_per_hour(setup: &Setup, convoy: usize, leg: usize) -> f64 {
    setup.value(setup.scenario.convoys[convoy].leg_speed_km_per_day[leg]) / 24.0
}

/// How far a convoy still has to go on its current leg, in its direction of travel.
pub(crate) fn km_to_leg_end(setup: &Setup, convoy: &ConvoyState) -> f64 {
    if convoy.returning {
        convoy.km
    } else {
        leg_km(setup, convoy.convoy, convoy.leg) - convoy.km
    }
}

/// The site a convoy stands at, if it is at the end of a leg in its direction of travel.
pub(crate) fn node_at(setup: &Setup, convoy: &ConvoyState) -> Option<SiteIdx> {
    let leg = setup.scenario.convoys[convoy.convoy].route[convoy.leg];
    if convoy.returning {
        (convoy.km <= 1e-9).then_some(leg.from)
    } else {
        (convoy.km >= leg_km(setup, convoy.convoy, convoy.leg) - 1e-9).then_some(leg.to)
    }
}

/// The site a convoy that is not on the road stands at, if any: a convoy that has just
/// reached one, or that waits, halts or has arrived at the end of a leg.
pub(crate) fn standing_at(setup: &Setup, convoy: &ConvoyState) -> Option<SiteIdx> {
    match convoy.status {
        ConvoyStatus::AtSite(s) => Some(s),
        ConvoyStatus::Halted | ConvoyStatus::Waiting | ConvoyStatus::Arrived => {
            node_at(setup, convoy)
        }
        _ => None,
    }
}
