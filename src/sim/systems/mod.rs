//! The mechanics, one file per mechanic. Their run order is written only in `schedule.rs`.

pub(crate) mod air;
pub(crate) mod combat;
pub(crate) mod contact;
pub(crate) mod control;
pub(crate) mod decisions;
pub(crate) mod ieds;
pub(crate) mod movement;
pub(crate) mod scheduled;

use bevy_ecs::prelude::Res;

use crate::sim::resources::{Alarm, Clock};

/// Run condition of a system that has work only when its alarm is due: skipping it costs a
/// look at the clock instead of fetching everything the system reads.
pub(crate) fn alarm_due(alarm: Alarm) -> impl FnMut(Res<Clock>) -> bool + Clone {
    move |clock: Res<Clock>| clock.due(alarm)
}
