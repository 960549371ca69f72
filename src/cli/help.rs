//! The examples each `--help` ends with: a few command lines a newcomer can copy, from the
//! plainest to the most useful.

/// `sandtable --help`.
pub(super) const TOP: &str = "\
Examples:
  sandtable                                  the default scenario, 1000 runs, a summary table
  sandtable run -n 10k -o out/base           10 000 runs, files written to out/base
  sandtable check my-scenario.toml           is my scenario valid? what is in it?
  sandtable replay --from out/base --run 17  tell run 17 of that batch as dated events
  sandtable compare --alt big:convoy.kidal_column.vehicles=80   what if the column were larger?

Each command's --help has more.";

/// `sandtable run --help`.
pub(super) const RUN: &str = "\
Examples:
  sandtable run                                    the default scenario, 1000 runs
  sandtable run scenarios/variants/no-drones.toml -n 100k -o out/no-drones
  sandtable run --set convoy.kidal_column.vehicles=80 -n 1e6 -s 7 -j 8 -o out/big --quiet
  sandtable run --precision kidal_column_status.arrived=0.01 -o out/adaptive
  sandtable run -n 1M --shard 3/10 -o out/shard3   one tenth of a batch, on one machine
  sandtable run -n 1M --shard slurm -o /shared/gk  a SLURM array task: /shared/gk/shard-K-of-N
  sandtable run --resume out/big                   continue an interrupted batch";

/// `sandtable check --help`.
pub(super) const CHECK: &str = "\
Examples:
  sandtable check                                  the embedded default scenario
  sandtable check my-scenario.toml
  sandtable check my-scenario.toml --set combat.night_factor=0.5";

/// `sandtable replay --help`.
pub(super) const REPLAY: &str = "\
Examples:
  sandtable replay --from out/base --run 17        run 17 of the batch in out/base, as it ran
  sandtable replay --from out/base/manifest.json --run 17 -o out/run17
  sandtable replay --run 4                         run 4 of the default scenario and seed
  sandtable replay my-scenario.toml --set convoy.kidal_column.vehicles=80 -s 7 --run 3";

/// `sandtable compare --help`.
pub(super) const COMPARE: &str = "\
Examples:
  sandtable compare --alt big:convoy.kidal_column.vehicles=80
  sandtable compare scenarios/gao-kidal-2023.toml scenarios/variants/no-drones.toml -n 10k -o out/drones
  sandtable compare --alt night:combat.night_factor=0.5 --precision fama_killed=5 -o out/night
  sandtable compare scenarios/gao-kidal-2023.toml scenarios/variants/no-drones.toml -n 10k --resume out/drones";

/// `sandtable drivers --help`.
pub(super) const DRIVERS: &str = "\
Examples:
  sandtable drivers out/base                       what decides whether the column arrives
  sandtable drivers out/base --outcome fama_killed -o out/base/drivers.csv
  sandtable drivers out/base --outcome kidal_column_status!=arrived";

/// `sandtable sweep --help`.
pub(super) const SWEEP: &str = "\
Examples:
  sandtable sweep experiments/rates-nolh.toml -o out/rates    17 points of a NOLH, 40 runs each
  sandtable sweep experiments/mercenaries-drones-crossed.toml -o out/crossed -j 8
  sandtable sweep experiments/broad-nolh-129.toml -o out/shard2 --shard 2/4
  sandtable sweep experiments/rates-nolh.toml --resume out/rates
  sandtable drivers out/rates                          which factors move the outcome";

/// `sandtable merge --help`.
pub(super) const MERGE: &str = "\
Examples:
  sandtable run -n 1M --shard 1/3 -o out/s1        (and 2/3, 3/3, on three machines)
  sandtable merge out/s1 out/s2 out/s3 --out out/all   the batch as if run in one go
  sandtable merge out/s* --out out/all --allow-partial   the shards that finished, gaps listed";
