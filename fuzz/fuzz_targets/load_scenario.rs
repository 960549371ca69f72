//! Fuzzes scenario loading: any text, with any `--set` lines, must load or give a located error,
//! never panic. Inputs are scenario files whose first lines may be `--set KEY=VALUE`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sandtable::scenario::{Override, load_str};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Leading `--set KEY=VALUE` lines become overrides, so `--set` parsing and applying are
    // fuzzed together with the file they apply to.
    let mut overrides = Vec::new();
    let mut rest = text;
    while let Some(line) = rest.strip_prefix("--set ") {
        let (set, tail) = line.split_once('\n').unwrap_or((line, ""));
        if let Ok(o) = set.parse::<Override>() {
            overrides.push(o);
        }
        rest = tail;
    }
    if let Err(error) = load_str(rest, "fuzz.toml", None, &overrides) {
        // Rendering the message is part of what a user sees; it must not panic either.
        let _ = error.to_string();
    }
});
