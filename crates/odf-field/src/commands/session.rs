//! `init`, `login` and `logout`: who uses this home folder, and the session with the server.

use std::io::{BufRead, IsTerminal};

use odf_client::HttpTransport;
use odf_client::i18n;

use crate::cli::{Lang, LoginArgs};
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, t};
use crate::output;

fn read_password(from_stdin: bool, lang: Lang) -> Result<String, Failure> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|err| Failure::caused(t(lang, i18n::CANNOT_READ_INPUT), err))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(t(lang, i18n::PASSWORD_PROMPT))
            .map_err(|err| Failure::caused(t(lang, i18n::CANNOT_READ_INPUT), err))?
    } else {
        return Err(Failure::say(t(lang, i18n::NO_TERMINAL_FOR_PASSWORD)));
    };
    if password.is_empty() {
        return Err(Failure::say(t(lang, i18n::EMPTY_PASSWORD)));
    }
    Ok(password)
}

pub(super) async fn login(ctx: &Ctx, args: LoginArgs) -> Outcome {
    let lang = ctx.lang;
    let missing = |text| Failure::say(t(lang, text));
    let server = match args.server {
        Some(server) => server,
        None => ctx.client.server_url().await?.ok_or_else(|| missing(i18n::SERVER_REQUIRED))?,
    };
    let username = match args.username {
        Some(username) => username,
        None => ctx.client.username().await?.ok_or_else(|| missing(i18n::USERNAME_REQUIRED))?,
    };
    let transport =
        HttpTransport::new(&server).map_err(|_| odf_client::ClientError::BadServerUrl(server.clone()))?;
    let password = read_password(args.password_stdin, lang)?;
    let user = ctx.client.login(&transport, &server, &username, &password).await?;
    if ctx.json {
        return output::json(&user);
    }
    println!("{} {} ({}, {})", t(lang, i18n::LOGGED_IN), user.display_name, user.username, user.role);
    println!("{} {}", t(lang, i18n::AREA), user.area);
    if !user.villages.is_empty() {
        println!("{} {}", t(lang, i18n::ASSIGNED_VILLAGES), user.villages.join(", "));
    }
    println!("{}", t(lang, i18n::RUN_PULL_AFTER_LOGIN));
    Ok(())
}

pub(super) async fn init(ctx: &Ctx, server: &str, username: &str) -> Outcome {
    ctx.client.set_up(server, username).await?;
    if ctx.json {
        return output::json(
            &serde_json::json!({ "username": username.trim(), "device_id": ctx.client.device_id() }),
        );
    }
    println!(
        "{} {} ({})",
        t(ctx.lang, i18n::DATA_FOLDER_READY),
        username.trim(),
        ctx.client.home().display()
    );
    println!("{}", t(ctx.lang, i18n::RECORD_NOW_LOGIN_LATER));
    Ok(())
}

pub(super) async fn logout(ctx: &Ctx) -> Outcome {
    let revoked = match ctx.client.server_url().await? {
        Some(server) => match HttpTransport::new(&server) {
            Ok(transport) => ctx.client.logout_from_server(&transport).await?,
            Err(_) => {
                ctx.client.logout().await?;
                false
            }
        },
        None => {
            ctx.client.logout().await?;
            true
        }
    };
    if !ctx.json && !revoked {
        println!("{}", t(ctx.lang, i18n::LOGOUT_SERVER_UNREACHED));
    }
    if !ctx.json {
        println!("{}", t(ctx.lang, i18n::LOGOUT_DONE));
    }
    Ok(())
}
