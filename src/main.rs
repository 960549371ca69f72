//! The `sandtable` binary: runs the command line and turns its result into an exit code
//! (0 success, 2 the user's input is wrong, 1 an internal failure). All the work is in the library.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Err(error) = sandtable::cli::main() else {
        return ExitCode::SUCCESS;
    };
    // Each cause on its own line, unless the message above already said it.
    let mut message = format!("error: {error}");
    let mut cause = std::error::Error::source(&error);
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(&format!("\n  caused by: {text}"));
        }
        cause = c.source();
    }
    // If even stderr is gone there is no one left to tell.
    let _ = writeln!(std::io::stderr(), "{message}");
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(1))
}
