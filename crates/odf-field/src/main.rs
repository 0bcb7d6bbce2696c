//! `odf-field`: the command-line face of the odf-verify client core, for sanitarians and verifiers.
//!
//! Exit codes: 0 done; 1 error (message on stderr); 2 wrong use of the command line; 3 not saved
//! because a GPS warning was not confirmed (run again with `--yes`).

#![forbid(unsafe_code)]

mod cli;
mod commands;
mod context;
mod messages;
mod output;

use std::process::ExitCode;

use crate::cli::Lang;
use crate::messages::Failure;

fn main() -> ExitCode {
    let cli = match cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            let text = cli::localize_text(&err.render().to_string());
            // Help and version are not errors: they go to stdout with exit 0.
            if err.use_stderr() {
                eprint!("{text}");
                return ExitCode::from(2);
            }
            print!("{text}");
            return ExitCode::SUCCESS;
        }
    };
    let lang = cli.lang;
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Unconfirmed(text)) => {
            eprintln!("{text}");
            ExitCode::from(3)
        }
        Err(failure) => {
            let prefix = match lang {
                Lang::Id => "Galat",
                Lang::En => "Error",
            };
            eprintln!("{prefix}: {}", failure.text(lang));
            ExitCode::FAILURE
        }
    }
}
