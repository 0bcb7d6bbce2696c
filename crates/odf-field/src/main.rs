//! `odf-field`: the command-line face of the odf-verify client core, for sanitarians and verifiers.
//!
//! Exit codes: 0 done; 1 error (message on stderr, and with `--json` a JSON error object with a
//! stable code on stdout); 2 wrong use of the command line; 3 not saved because a GPS warning was
//! not confirmed (run again with `--yes`).

#![forbid(unsafe_code)]

mod cli;
mod commands;
mod context;
mod messages;
mod output;

use std::process::ExitCode;

use odf_client::i18n;

use crate::messages::{Failure, t};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let asked = cli::requested_lang(&args);
    let cli = match cli::parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // Help is Indonesian only (its text is the doc comments), so clap's own words in it are
            // too; a usage error is said in the language asked for.
            let raw = err.render().to_string();
            let text =
                if err.use_stderr() && asked == cli::Lang::En { raw } else { cli::localize_text(&raw) };
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
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let failure = match runtime.block_on(commands::run(cli)) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(failure) => failure,
    };
    if json {
        // A script reads the failure from stdout, as it reads results: `{"error": {"code", ...}}`.
        println!("{}", failure.json(lang));
    }
    if let Failure::Unconfirmed(text) = &failure {
        eprintln!("{text}");
        return ExitCode::from(3);
    }
    let prefix = t(lang, i18n::ERROR);
    eprintln!("{prefix}: {}", failure.text(lang));
    if let Some(detail) = failure.detail() {
        // The technical cause, in the words of the library that gave it, on a line of its own.
        eprintln!("  {}: {detail}", i18n::DETAIL.get(lang.into()));
    }
    ExitCode::FAILURE
}
