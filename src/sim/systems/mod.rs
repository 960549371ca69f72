//! The mechanics, one file per mechanic. Their run order is written only in `schedule.rs`.

pub mod air;
pub mod combat;
pub mod contact;
pub mod control;
pub mod decisions;
pub mod ieds;
pub mod movement;
pub mod scheduled;

use bevy_ecs::prelude::Res;

use crate::sim::resources::{Alarm, Clock};

/// Run condition of a system that has work only when its alarm is due: skipping it costs a
/// look at the clock instead of fetching everything the system reads.
pub fn alarm_due(alarm: Alarm) -> impl FnMut(Res<Clock>) -> bool + Clone {
    move |clock: Res<Clock>| clock.due(alarm)
}
