//! The bodies of the admin commands: each calls [`odf_server::commands`] and prints what it did for
//! the person at the terminal. Failures carry what was being done.

use std::path::Path;

use anyhow::{Context, bail};
use odf_server::commands::{self, AreasImport, UserSpec};
use odf_store::AnyStore;
use tokio::io::AsyncBufReadExt;

use odf_server::Settings;
use odf_server::keyring::{self, Keyring};

use crate::cli::{KeyCommand, UserCommand};

pub async fn migrate(store: &AnyStore) -> anyhow::Result<()> {
    store.migrate().await.context("migrating the database")?;
    println!("Migrasi selesai ({}).", store.backend_name());
    Ok(())
}

pub async fn import_areas(store: &AnyStore, file: &Path, actor: &str) -> anyhow::Result<()> {
    let done = commands::import_areas_file(store, file, actor)
        .await
        .with_context(|| format!("importing areas from {}", file.display()))?;
    print_import("wilayah", &done);
    Ok(())
}

pub async fn import_boundaries(store: &AnyStore, file: &Path, actor: &str) -> anyhow::Result<()> {
    let done = commands::import_boundaries_file(store, file, actor)
        .await
        .with_context(|| format!("importing boundaries from {}", file.display()))?;
    print_import("batas wilayah", &done);
    Ok(())
}

fn print_import(what: &str, done: &AreasImport) {
    let r = &done.report;
    println!(
        "Impor {what}: {} baru, {} diperbarui, {} tetap, {} tidak dikenal, {} baris ditolak.",
        r.inserted,
        r.updated,
        r.unchanged,
        r.unknown.len(),
        done.row_errors.len()
    );
    for error in done.row_errors.iter().take(20) {
        println!("  {error}");
    }
    for code in r.unknown.iter().take(20) {
        println!("  {code}: induk/wilayah tidak dikenal (unknown parent or area)");
    }
}

pub async fn user(store: &AnyStore, command: UserCommand, actor: &str) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { username, role, area, villages, name, password_stdin } => {
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                tokio::io::BufReader::new(tokio::io::stdin())
                    .read_line(&mut line)
                    .await
                    .context("reading the password from stdin")?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (odf_server::auth::random_password().map_err(anyhow::Error::msg)?, true)
            };
            let spec = UserSpec {
                username: username.clone(),
                display_name: name,
                role,
                area,
                villages,
                password: password.clone(),
            };
            let user = commands::add_user(store, spec, actor)
                .await
                .with_context(|| format!("adding user {username:?}"))?;
            println!(
                "Pengguna {} ({}) dibuat untuk wilayah {}.",
                user.username,
                user.role.as_str(),
                user.area
            );
            if generated {
                println!("Kata sandi awal (tampil sekali): {password}");
            }
        }
        UserCommand::List => {
            for user in store.list_users().await.context("listing users")? {
                let villages: Vec<String> = user.villages.iter().map(ToString::to_string).collect();
                println!(
                    "{:<20} {:<10} {:<14} {:<9} {}",
                    user.username,
                    user.role.as_str(),
                    user.area.to_string(),
                    if user.disabled { "nonaktif" } else { "aktif" },
                    villages.join(",")
                );
            }
        }
        UserCommand::Disable { username } => {
            commands::set_disabled(store, &username, true, actor)
                .await
                .with_context(|| format!("disabling user {username:?}"))?;
            println!("Pengguna {username} dinonaktifkan.");
        }
        UserCommand::Enable { username } => {
            commands::set_disabled(store, &username, false, actor)
                .await
                .with_context(|| format!("enabling user {username:?}"))?;
            println!("Pengguna {username} diaktifkan.");
        }
        UserCommand::ResetPassword { username } => {
            let password = commands::reset_password(store, &username, actor)
                .await
                .with_context(|| format!("resetting the password of {username:?}"))?;
            println!("Kata sandi baru {username} (tampil sekali): {password}");
        }
    }
    Ok(())
}

pub async fn create_token(store: &AnyStore, username: &str, days: i64, actor: &str) -> anyhow::Result<()> {
    let (token, expires) = commands::create_viewer_token(store, username, days, actor)
        .await
        .with_context(|| format!("creating a dashboard token for {username:?}"))?;
    println!("Token dasbor untuk {username} (berlaku sampai {expires}):\n{token}");
    println!("Simpan sekarang: token ini tidak dapat ditampilkan lagi.");
    Ok(())
}

pub async fn recount(store: &AnyStore) -> anyhow::Result<()> {
    let report = commands::recount(store).await.context("recounting village tallies")?;
    println!(
        "Hitung ulang: {} desa, {} rumah tangga, {} kunjungan; {} selisih.",
        report.villages_checked,
        report.households,
        report.visits,
        report.differences.len()
    );
    for d in &report.differences {
        println!("  {}: tersimpan {:?}, hitung ulang {:?}", d.village, d.stored, d.recounted);
    }
    // The per-level sums (kecamatan up to the nation) must add up to the recounted villages too.
    for d in &report.area_differences {
        let area = d.area.map_or_else(|| "nasional".to_owned(), |code| code.to_string());
        println!("  {area} (rekap wilayah): tersimpan {:?}, hitung ulang {:?}", d.stored, d.recounted);
    }
    if !report.differences.is_empty() || !report.area_differences.is_empty() {
        bail!("rekap tidak cocok (tallies differ)");
    }
    Ok(())
}

pub async fn audit_verify(store: &AnyStore) -> anyhow::Result<()> {
    let check = store.verify_audit_chain().await.context("reading the audit log")?;
    match check.first_broken {
        None => {
            println!("Log audit utuh: {} entri.", check.entries);
            Ok(())
        }
        Some(seq) => bail!("log audit rusak mulai entri {seq} (audit chain broken)"),
    }
}

pub async fn backup(store: &AnyStore, file: &Path, actor: &str) -> anyhow::Result<()> {
    let done = commands::backup(store, file, actor)
        .await
        .with_context(|| format!("backing up into {}", file.display()))?;
    println!(
        "Cadangan selesai: {} ({} byte, {} kunjungan). Pulihkan dengan `odf-server restore {}`.",
        done.path.display(),
        done.bytes,
        done.visits,
        done.path.display()
    );
    Ok(())
}

pub async fn restore(file: &Path, database_url: &str) -> anyhow::Result<()> {
    let (done, recount, audit) = commands::restore(file, database_url)
        .await
        .with_context(|| format!("restoring {}", file.display()))?;
    println!(
        "Dipulihkan ke {} ({} byte, {} kunjungan); rekap: {} selisih; log audit: {} entri.",
        done.path.display(),
        done.bytes,
        done.visits,
        recount.differences.len() + recount.area_differences.len(),
        audit.entries
    );
    if !recount.differences.is_empty() || !recount.area_differences.is_empty() {
        bail!("rekap cadangan tidak cocok dengan kunjungannya (tallies differ)");
    }
    if let Some(seq) = audit.first_broken {
        bail!("log audit cadangan rusak mulai entri {seq} (audit chain broken)");
    }
    Ok(())
}

pub fn key(command: &KeyCommand, settings: &Settings) -> anyhow::Result<()> {
    let dir = settings.server.data_dir.clone().context("no data folder configured")?;
    match command {
        KeyCommand::Rotate(_) => {
            let keys =
                keyring::rotate(&dir).with_context(|| format!("rotating the key in {}", dir.display()))?;
            println!(
                "Kunci baru: {} (berlaku untuk piagam baru setelah server dijalankan ulang). Kunci lama tetap \
                 memverifikasi piagam yang sudah terbit.",
                keys.current().public_key().fingerprint()
            );
        }
        KeyCommand::Compromised { key, .. } => {
            let marked = keyring::mark_compromised(&dir, key).context("marking the key compromised")?;
            println!(
                "Kunci {} ditandai bocor: piagam yang ditandatanganinya tidak lagi dianggap asli (setelah \
                 server dijalankan ulang).",
                marked.public_key.fingerprint()
            );
        }
        KeyCommand::List(_) => {
            let keys =
                Keyring::load(&dir).with_context(|| format!("reading the keys in {}", dir.display()))?;
            println!("berlaku  {}", keys.current().public_key().fingerprint());
            for k in keys.earlier() {
                let state = match k.compromised_at {
                    Some(at) => format!("BOCOR sejak {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "lama, tetap memverifikasi".to_owned(),
                };
                println!(
                    "lama     {}  dipensiunkan {}  {state}",
                    k.public_key.fingerprint(),
                    k.retired_at.format("%Y-%m-%d")
                );
            }
        }
    }
    Ok(())
}
