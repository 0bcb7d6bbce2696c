//! `odf-server`: parses the command line, resolves the settings, and dispatches to the command's
//! body (`admin.rs`, `serve.rs`), which calls into the library.

mod admin;
mod cli;
mod logging;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command, TokenCommand};
use odf_server::Settings;
use odf_server::commands::open_store;

/// mimalloc rather than glibc's malloc: glibc keeps what a thread freed in that thread's arena and
/// raises its mmap threshold after the first large free, so each password check's ~19 MB (and each
/// large read) stayed resident per thread: 50 sign-ins left the server at ~380 MB with two checks
/// at a time. mimalloc gives large blocks back to the system when freed and purges idle pages.
/// Only the binary: tests and the in-process benchmark keep the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo(_) => logging::Verbosity::Quiet,
        _ => logging::Verbosity::Normal,
    };
    logging::init(cli.log_format, verbosity);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("galat (error): {}", odf_server::commands::describe(err.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref(), cli.flags(), |name| std::env::var(name).ok())
        .context("reading the settings")?;
    #[cfg(feature = "demo")]
    if let Command::Demo(flags) = cli.command {
        return demo(flags).await;
    }
    if let Command::Config(_) = cli.command {
        serve::print_config(&settings);
        return Ok(());
    }
    // Keys live in the data folder, not in the database.
    if let Command::Key(command) = &cli.command {
        return admin::key(command, &settings);
    }
    // A restore makes the database: opening it first would create an empty one in its place.
    if let Command::Restore { file } = &cli.command {
        return admin::restore(file, &settings.database_url).await;
    }
    let store = open_store(&settings.database_url).await?;
    let actor = cli.actor.as_str();
    let result = match cli.command {
        Command::Serve(_) => serve::serve(&store, settings).await,
        Command::Config(_) => Ok(()),
        Command::Migrate => admin::migrate(&store).await,
        Command::ImportAreas { file } => admin::import_areas(&store, &file, actor).await,
        Command::ImportBoundaries { file } => admin::import_boundaries(&store, &file, actor).await,
        Command::User(command) => admin::user(&store, command, actor).await,
        Command::Token(TokenCommand::Create { username, days }) => {
            admin::create_token(&store, &username, days, actor).await
        }
        Command::Recount => admin::recount(&store).await,
        Command::AuditVerify => admin::audit_verify(&store).await,
        Command::Backup { file } => admin::backup(&store, &file, actor).await,
        Command::Restore { .. } | Command::Key(_) => Ok(()),
        #[cfg(feature = "demo")]
        Command::Demo(_) => Ok(()),
    };
    store.close().await;
    result
}

/// The demo makes its own database and settings; none of the server's settings apply to it.
#[cfg(feature = "demo")]
async fn demo(flags: cli::DemoFlags) -> anyhow::Result<()> {
    use odf_server::demo::{CampaignOptions, DemoOptions};
    odf_server::demo::run(DemoOptions {
        dir: flags.dir,
        bind: flags.bind,
        campaign: CampaignOptions { seed: flags.seed, scale: flags.scale },
        keep_serving: !flags.no_serve,
    })
    .await
}
