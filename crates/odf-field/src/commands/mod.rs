//! Running each command against the client core. Offline commands touch only the local database
//! ([`records`], [`field`]); [`session`] (`login`), `pull` and `sync` ([`sync`]) talk to the server.

mod field;
mod records;
mod session;
mod sync;
mod ui;

use std::path::PathBuf;

use odf_client::Client;
use odf_client::i18n;

use crate::cli::{Cli, Cmd, HouseholdCmd};
use crate::context::{Ctx, Outcome, parse_village};
use crate::messages::{Failure, t};
use crate::output;

fn home_dir(cli: &Cli) -> Result<PathBuf, Failure> {
    if let Some(home) = &cli.home {
        return Ok(home.clone());
    }
    dirs::data_dir()
        .map(|dir| dir.join("odf-field"))
        .ok_or_else(|| Failure::say(t(cli.lang, i18n::NO_USER_DATA_FOLDER)))
}

pub async fn run(cli: Cli) -> Outcome {
    let home = home_dir(&cli)?;
    let client = Client::open(&home).await?;
    let ctx = Ctx { client, lang: cli.lang, json: cli.json };
    let outcome = match cli.command {
        Cmd::Login(args) => session::login(&ctx, args).await,
        Cmd::Init(args) => session::init(&ctx, &args.server, &args.username).await,
        Cmd::Logout => session::logout(&ctx).await,
        Cmd::Pull => sync::run(&ctx, false).await,
        Cmd::Sync => sync::run(&ctx, true).await,
        Cmd::Villages => output::villages(&ctx, &ctx.client.villages().await?),
        Cmd::Households(args) => {
            let village = args.village.as_deref().map(|v| parse_village(v, ctx.lang)).transpose()?;
            let names = output::village_names(&ctx.client.villages().await?);
            output::households(&ctx, &ctx.client.households(village).await?, &names)
        }
        Cmd::Household(HouseholdCmd::Add(args)) => records::household_add(&ctx, args).await,
        Cmd::Household(HouseholdCmd::Edit(args)) => records::household_edit(&ctx, args).await,
        Cmd::Visit(args) => records::visit(&ctx, args).await,
        Cmd::Status => output::status(&ctx, &ctx.client.status().await?),
        Cmd::Coverage(args) => {
            let village = args.village.as_deref().map(|v| parse_village(v, ctx.lang)).transpose()?;
            output::coverage(&ctx, &ctx.client.coverage(village).await?)
        }
        Cmd::Retry(args) => records::retry(&ctx, &args.record).await,
        Cmd::Eligibility(args) => field::eligibility(&ctx, &args.village).await,
        Cmd::Trigger(args) => field::trigger(&ctx, args).await,
        Cmd::Claim(args) => field::claim(&ctx, args).await,
        Cmd::Verification(cmd) => field::verification(&ctx, cmd).await,
        Cmd::Certificates(args) => field::certificates(&ctx, args.village.as_deref()).await,
        Cmd::Ui(args) => ui::run(&ctx, &args).await,
    };
    ctx.client.close().await;
    outcome
}
