//! The mechanics, one file per mechanic. Their run order is written only in `schedule.rs`.

pub mod air;
pub mod combat;
pub mod contact;
pub mod control;
pub mod decisions;
pub mod ieds;
pub mod movement;
pub mod scheduled;
