//! Fuzzes the engine behind the loader: a scenario that validates must simulate one replication
//! without panicking (the engine "cannot fail on a validated scenario"). Slow scenarios are
//! skipped so the fuzzer spends its time on variety, not on long campaigns.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use sandtable::scenario::load_str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = load_str(text, "fuzz.toml", None, &[]) else {
        return;
    };
    // Long horizons with many units take seconds per replication; they are the batch tests'
    // business, not the fuzzer's.
    let units = scenario.convoys.len() + scenario.groups.len() + scenario.air.len();
    if scenario.horizon_days > 120.0 || units > 40 || scenario.sites.len() > 60 {
        return;
    }
    let _ = sandtable::simulate(&Arc::new(scenario), 1, 0, false);
});
