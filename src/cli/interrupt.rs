//! Ctrl-C and SIGTERM (and SIGHUP): the first asks the running batch to stop, and it saves its
//! finished runs; a second ends the process at once, leaving the journal as `kill -9` would
//! (still resumable). The signal handler belongs to the process; the batch only sees the flag.

use std::io::Write;
use std::sync::{Arc, Once};

use crate::batch::Stop;
use crate::error::EXIT_INTERRUPTED;

/// The process's watch on interrupting signals, and the [`Stop`] flag they raise. Make one per
/// process (the `sandtable` binary makes it in [`super::main`]): a process has one handler.
#[derive(Debug)]
pub struct Interrupts {
    stop: Arc<Stop>,
    install: Once,
}

impl Default for Interrupts {
    fn default() -> Self {
        Interrupts::new()
    }
}

impl Interrupts {
    /// Nothing watched yet: the handler is installed by the first [`watch`](Self::watch), so
    /// commands that run no batch (`check`, `replay`) keep the default behaviour of Ctrl-C.
    pub fn new() -> Interrupts {
        Interrupts {
            stop: Arc::new(Stop::new()),
            install: Once::new(),
        }
    }

    /// Starts watching, if not yet, and returns the flag of the batch about to run, lowered: a
    /// library caller may run several batches in one process, and each starts uninterrupted.
    pub fn watch(&self) -> &Stop {
        self.install.call_once(|| {
            let stop = Arc::clone(&self.stop);
            // If no handler can be installed, a signal ends the process as it would anyway, and
            // the journal still lets `--resume` continue: nothing to report.
            let _ = ctrlc::set_handler(move || {
                if stop.request() {
                    std::process::exit(EXIT_INTERRUPTED);
                }
                let _ = writeln!(
                    std::io::stderr(),
                    "\ninterrupted: saving the finished runs (press Ctrl-C again to stop at once)"
                );
            });
        });
        self.stop.clear();
        &self.stop
    }
}
