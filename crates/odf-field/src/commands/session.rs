//! `init`, `login` and `logout`: who uses this home folder, and the session with the server.

use std::io::{BufRead, IsTerminal};

use odf_client::HttpTransport;

use crate::cli::{Lang, LoginArgs};
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, t};
use crate::output;

fn read_password(from_stdin: bool, lang: Lang) -> Result<String, Failure> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|err| Failure::Message(err.to_string()))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(t(lang, "Kata sandi: ", "Password: "))
            .map_err(|err| Failure::Message(err.to_string()))?
    } else {
        return Err(Failure::Message(
            t(
                lang,
                "tidak ada terminal untuk meminta kata sandi; pakai --password-stdin",
                "no terminal to ask for the password; use --password-stdin",
            )
            .to_owned(),
        ));
    };
    if password.is_empty() {
        return Err(Failure::Message(t(lang, "kata sandi kosong", "empty password").to_owned()));
    }
    Ok(password)
}

pub(super) async fn login(ctx: &Ctx, args: LoginArgs) -> Outcome {
    let lang = ctx.lang;
    let missing = |id: &str, en: &str| Failure::Message(t(lang, id, en).to_owned());
    let server = match args.server {
        Some(server) => server,
        None => ctx.client.server_url().await?.ok_or_else(|| {
            missing("--server wajib diisi pada login pertama", "--server is required at the first login")
        })?,
    };
    let username = match args.username {
        Some(username) => username,
        None => ctx.client.username().await?.ok_or_else(|| {
            missing("--username wajib diisi pada login pertama", "--username is required at the first login")
        })?,
    };
    let transport =
        HttpTransport::new(&server).map_err(|_| odf_client::ClientError::BadServerUrl(server.clone()))?;
    let password = read_password(args.password_stdin, lang)?;
    let user = ctx.client.login(&transport, &server, &username, &password).await?;
    if ctx.json {
        return output::json(&user);
    }
    println!(
        "{} {} ({}, {})",
        t(lang, "Login berhasil:", "Logged in:"),
        user.display_name,
        user.username,
        user.role
    );
    println!("{} {}", t(lang, "Wilayah:", "Area:"), user.area);
    if !user.villages.is_empty() {
        println!("{} {}", t(lang, "Desa tugas:", "Assigned villages:"), user.villages.join(", "));
    }
    println!(
        "{}",
        t(
            lang,
            "Jalankan `odf-field pull` untuk mengambil data desa.",
            "Run `odf-field pull` to fetch your villages."
        )
    );
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
        t(ctx.lang, "Folder data siap untuk", "Data folder set up for"),
        username.trim(),
        ctx.client.home().display()
    );
    println!(
        "{}",
        t(
            ctx.lang,
            "Catatan bisa dibuat sekarang; jalankan `odf-field login` saat ada sinyal untuk mengirimnya.",
            "You can record now; run `odf-field login` when online to send the records."
        )
    );
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
        println!(
            "{}",
            t(
                ctx.lang,
                "Server tidak dapat dihubungi; sesi di server berakhir sendiri pada masa berlakunya.",
                "The server could not be reached; its session ends by itself when it expires."
            )
        );
    }
    if !ctx.json {
        println!(
            "{}",
            t(
                ctx.lang,
                "Sesi dihapus dari HP ini. Catatan tetap tersimpan.",
                "Session removed from this device. Records are kept."
            )
        );
    }
    Ok(())
}
