//! Filled in by the command-line tests.
