//! The `sprintlab` binary: parses the command line and hands it to [`sprintlab::cli::run`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    sprintlab::cli::run(sprintlab::cli::Cli::parse())
}
