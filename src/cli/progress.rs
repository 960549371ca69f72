//! How far a long batch has got, on standard error. On a terminal: a bar with the runs done,
//! a rounded rate, the time elapsed and the time left, cleared when the batch ends. Anywhere
//! else (a pipe, a CI or SLURM log): a plain line every [`LOG_INTERVAL`], the first one only
//! after that long, so a log gains a line a minute and a short batch prints nothing at all.

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{
    FormattedDuration, HumanCount, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState,
    ProgressStyle,
};

/// Batches smaller than this finish too fast for a progress display to help.
const MIN_RUNS: u64 = 1000;

/// How often a batch that is not on a terminal says how far it got.
pub(crate) const LOG_INTERVAL: Duration = Duration::from_secs(60);

/// The progress display of one batch.
pub(super) struct Progress {
    display: Display,
}

enum Display {
    /// Nothing: a short batch, or `--quiet`.
    Off,
    /// A bar redrawn in place, on a terminal.
    Bar(ProgressBar),
    /// A line now and then, for logs.
    Lines {
        total: u64,
        started: Instant,
        last_line: Cell<Instant>,
    },
}

impl Progress {
    /// The display for a batch of `runs` runs: off when `quiet` or the batch is short, a bar
    /// when standard error is a terminal, lines otherwise.
    pub(super) fn new(runs: u64, quiet: bool) -> Progress {
        let display = if quiet || runs < MIN_RUNS {
            Display::Off
        } else if std::io::stderr().is_terminal() {
            Display::Bar(bar(runs))
        } else {
            let now = Instant::now();
            Display::Lines {
                total: runs,
                started: now,
                last_line: Cell::new(now),
            }
        };
        Progress { display }
    }

    /// `done` runs of the batch are finished.
    pub(super) fn set(&self, done: u64) {
        match &self.display {
            Display::Off => {}
            Display::Bar(bar) => bar.set_position(done),
            Display::Lines {
                total,
                started,
                last_line,
            } => {
                let now = Instant::now();
                if now.duration_since(last_line.get()) >= LOG_INTERVAL {
                    last_line.set(now);
                    let line = progress_line(done, *total, now.duration_since(*started));
                    // A log that cannot be written to is no reason to stop the batch.
                    let _ = writeln!(std::io::stderr(), "{line}");
                }
            }
        }
    }

    /// The batch is over: the bar is cleared, so the table that follows stands alone.
    pub(super) fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }
}

/// The bar: `[####    ] 12,000/100,000 runs · 1,234 runs/s · 00:01:10 elapsed · 8m left`.
fn bar(runs: u64) -> ProgressBar {
    let rate = |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{}", rate_text(state.per_sec()));
    };
    let style = ProgressStyle::with_template(
        "{wide_bar} {human_pos}/{human_len} runs · {rate} · {elapsed_precise} elapsed · {eta} left",
    )
    .map(|style| style.with_key("rate", rate))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr()).with_style(style)
}

/// A rate rounded to whole runs a second, with thousands separated: `1,234 runs/s`.
fn rate_text(per_second: f64) -> String {
    let rounded = if per_second.is_finite() && per_second > 0.0 {
        per_second.round() as u64
    } else {
        0
    };
    format!("{} runs/s", HumanCount(rounded))
}

/// The line a log gets: `progress: 12,000/100,000 runs (12%) · 1,234 runs/s · 00:01:10
/// elapsed · about 8m left`.
fn progress_line(done: u64, total: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let per_second = if seconds > 0.0 {
        done as f64 / seconds
    } else {
        0.0
    };
    let mut line = format!(
        "progress: {}/{} runs ({}%) · {} · {} elapsed",
        HumanCount(done),
        HumanCount(total),
        done * 100 / total.max(1),
        rate_text(per_second),
        FormattedDuration(elapsed)
    );
    if per_second > 0.0 {
        let left = Duration::from_secs_f64(total.saturating_sub(done) as f64 / per_second);
        let _ = write!(line, " · about {:#} left", HumanDuration(left));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_rounded_and_grouped() {
        assert_eq!(rate_text(1234.5678), "1,235 runs/s");
        assert_eq!(rate_text(0.4), "0 runs/s");
        assert_eq!(rate_text(f64::NAN), "0 runs/s");
    }

    #[test]
    fn a_log_line_says_how_far_how_fast_and_how_long() {
        let line = progress_line(12_000, 100_000, Duration::from_secs(10));
        assert_eq!(
            line,
            "progress: 12,000/100,000 runs (12%) · 1,200 runs/s · 00:00:10 elapsed · about 73s left"
        );
        assert!(!progress_line(0, 100, Duration::ZERO).contains("left"));
    }

    #[test]
    fn short_or_quiet_batches_show_nothing() {
        assert!(matches!(Progress::new(999, false).display, Display::Off));
        assert!(matches!(
            Progress::new(1_000_000, true).display,
            Display::Off
        ));
    }
}
