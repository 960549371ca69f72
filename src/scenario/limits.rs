//! The sizes a scenario may reach, in one place, so that a runaway or hostile file fails at
//! once with a clear message instead of exhausting memory or time. Read by the loader (per
//! file, before merging) and by the validator (on the merged scenario); it checks nothing.

/// Largest scenario file read; anything bigger is not a hand-written scenario.
pub(super) const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// How deep `extends` may nest before it is called a mistake.
pub(super) const MAX_EXTENDS_DEPTH: usize = 16;
/// Largest total of a scenario and every file it extends: two files at the limit. It bounds
/// the memory and time of a merge however the files are crafted.
pub(super) const MAX_CHAIN_BYTES: u64 = 8 * 1024 * 1024;

/// Most `[[faction]]` entries.
pub(super) const MAX_FACTIONS: usize = 64;
/// Most `[[site]]` entries.
pub(super) const MAX_SITES: usize = 2_000;
/// Most `[[road]]` entries.
pub(super) const MAX_ROADS: usize = 10_000;
/// Most `[[convoy]]` entries.
pub(super) const MAX_CONVOYS: usize = 500;
/// Most `[[group]]` entries.
pub(super) const MAX_GROUPS: usize = 2_000;
/// Most `[[air]]` entries.
pub(super) const MAX_AIR: usize = 200;
/// Most `[[reinforcement]]` entries.
pub(super) const MAX_REINFORCEMENTS: usize = 10_000;
/// Most `[[withdrawal]]` entries: one per site at most.
pub(super) const MAX_WITHDRAWALS: usize = MAX_SITES;

/// The most entries the array of tables `section` may hold, and what they are called; `None`
/// for a key that is no such block.
pub(super) fn max_entries(section: &str) -> Option<(usize, &'static str)> {
    Some(match section {
        "faction" => (MAX_FACTIONS, "factions"),
        "site" => (MAX_SITES, "sites"),
        "road" => (MAX_ROADS, "roads"),
        "convoy" => (MAX_CONVOYS, "convoys"),
        "group" => (MAX_GROUPS, "groups"),
        "air" => (MAX_AIR, "air wings"),
        "reinforcement" => (MAX_REINFORCEMENTS, "reinforcements"),
        "withdrawal" => (MAX_WITHDRAWALS, "withdrawals"),
        _ => return None,
    })
}
