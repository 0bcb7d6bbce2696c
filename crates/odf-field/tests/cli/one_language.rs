//! Each output of `odf-field` in one language (issue 18): the main commands, their summaries and
//! their errors, run with `--lang en` and with `--lang id`. An English output must hold no
//! Indonesian text of the catalogue and none of the Indonesian marker words; an Indonesian output
//! no English text of the catalogue (where it differs from the Indonesian) and none of the English
//! marker words. Technical causes on the detail line, codes and proper nouns are not language.

use odf_client::i18n::{self, ENGLISH_WORDS, INDONESIAN_WORDS, Text};

use serde_json::{Value, json};

use crate::honest::quiet;
use crate::support::{VILLAGE, odf_with_stdin, serve};

/// The quiet server of `honest`, refusing every pushed record with a code and its own (bilingual)
/// text, so that the status lists refused records.
fn refusing_server() -> String {
    serve(|head, body| {
        if !head.starts_with("POST /v1/sync/push") {
            return quiet(head, body);
        }
        // Pushes are gzipped.
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(body), &mut text).unwrap();
        let request: Value = serde_json::from_str(&text).unwrap();
        let lists = [
            ("households", "household"),
            ("visits", "visit"),
            ("household_edits", "household_edit"),
            ("village_actions", "village_action"),
        ];
        let results: Vec<Value> = lists
            .iter()
            .flat_map(|(list, kind)| {
                let records = request[*list].as_array().cloned().unwrap_or_default();
                records.into_iter().map(move |r| {
                    let id = if r["id"].is_null() { &r["edit_id"] } else { &r["id"] };
                    json!({"kind": kind, "id": id, "status": "rejected", "code": "out_of_scope",
                           "message": "desa di luar wilayah tugas (village outside your assignment)"})
                })
            })
            .collect();
        ("200 OK", json!({"results": results, "server_time": chrono::Utc::now().to_rfc3339()}))
    })
}

/// Indonesian words an English output must not carry, beyond the catalogue's own list.
const MORE_INDONESIAN: &[&str] = &[
    "belum",
    "terkirim",
    "desa",
    "kata",
    "sandi",
    "galat",
    "jawaban",
    "coba",
    "rumah",
    "hp",
    "kunjungan",
    "pengguna",
    "sesi",
    "perangkat",
    "konflik",
    "sinkron",
    "terakhir",
    "jalankan",
    "lalu",
    "atau",
    "perlu",
    "ya",
    "tidak",
    "akses",
    "simpan",
    "menunggu",
    "diterima",
    "halaman",
    "perubahan",
    "wilayah",
    "tugas",
];
/// English words an Indonesian output must not carry, beyond the catalogue's own list.
const MORE_ENGLISH: &[&str] = &[
    "village",
    "villages",
    "household",
    "households",
    "visit",
    "visits",
    "saved",
    "never",
    "none",
    "yet",
    "user",
    "device",
    "session",
    "last",
    "waiting",
    "received",
    "changes",
    "pages",
    "rejected",
    "conflicts",
    "warning",
    "clock",
    "minutes",
    "full",
    "area",
    "assigned",
    "logged",
    "in",
    "yes",
    "no",
    "access",
];
/// Names and codes that are the same in both languages (the domain's words).
const SHARED: &[&str] = &["lulus", "gagal", "babs", "kk", "sbs", "odf", "jsp", "jssp", "rt", "rw", "gps"];

/// The words of `line`, without codes (`belum_dipicu`, `--yes`), numbers, and quoted or
/// backquoted parts (`"La Ode"`, `` `odf-field sync` ``).
fn words(line: &str) -> Vec<String> {
    line.split(['`', '"'])
        .step_by(2)
        .flat_map(|outside| outside.split(|c: char| !(c.is_alphanumeric() || "_-.'/".contains(c))))
        .map(|token| token.trim_matches(|c: char| ".'/".contains(c)))
        .filter(|token| {
            let code = token.contains(['_', '-', '.', '/']) || token.chars().any(|c| c.is_ascii_digit());
            !token.is_empty() && !code
        })
        .map(str::to_lowercase)
        .collect()
}

/// The longest literal part of a catalogue text (between its `{placeholders}`), when it is long
/// enough to be a phrase rather than a word that may be part of another.
fn phrase(text: &str) -> Option<&str> {
    let longest = text.split(['{', '}']).step_by(2).map(str::trim).max_by_key(|part| part.len())?;
    (longest.len() >= 8 && longest.contains(' ')).then_some(longest)
}

/// What is wrong with `output` said in `lang` ("en" or "id").
pub(crate) fn mixed(output: &str, lang: &str) -> Vec<String> {
    let (foreign_words, more): (&[&str], &[&str]) =
        if lang == "en" { (INDONESIAN_WORDS, MORE_INDONESIAN) } else { (ENGLISH_WORDS, MORE_ENGLISH) };
    let foreign_text = |text: &Text| if lang == "en" { text.id } else { text.en };
    let mut problems = Vec::new();
    for line in output.lines() {
        let trimmed = line.trim_start();
        // The technical cause, in the words of the library that gave it (see `i18n::DETAIL`).
        if trimmed.starts_with("detail:") || trimmed.starts_with("rincian:") {
            continue;
        }
        // A usage line is command syntax: its words are the commands' and options' names.
        let syntax = trimmed.starts_with("Usage:") || trimmed.starts_with("Cara pakai:");
        for word in words(line).into_iter().filter(|_| !syntax) {
            if (foreign_words.contains(&word.as_str()) || more.contains(&word.as_str()))
                && !SHARED.contains(&word.as_str())
            {
                problems.push(format!("word {word:?} in {line:?}"));
            }
        }
        for text in i18n::all().filter(|t| t.id != t.en) {
            if let Some(phrase) = phrase(foreign_text(text))
                && line.contains(phrase)
            {
                problems.push(format!("{} {phrase:?} in {line:?}", text.key));
            }
        }
    }
    problems
}

/// Runs the main commands in `lang` in a fresh data folder; returns each command with its output.
fn run_everything(lang: &str) -> Vec<(String, String)> {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let server = refusing_server();
    let mut outputs = Vec::new();
    let mut run = |args: &[&str], stdin: &str| {
        let mut full = vec!["--lang", lang];
        full.extend_from_slice(args);
        let out = odf_with_stdin(h, &full, stdin);
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        outputs.push((args.join(" "), text.clone()));
        text
    };
    // Errors before anything is set up.
    run(&["status"], "");
    run(&["sync"], "");
    run(&["visit", "abcd1234", "--category", "JSP"], "");
    run(&["households"], "");
    run(&["villages"], "");
    run(&["coverage"], "");
    run(&["verification", "list"], "");
    run(&["certificates"], "");
    let login = ["login", "--server", server.as_str(), "--username", "sani", "--password-stdin"];
    run(&login, "salah\n");
    run(&login, "\n");
    run(&login, "rahasia\n");
    run(&["sync"], "");
    run(&["pull"], "");
    run(&["villages"], "");
    // Recording offline, with its mistakes.
    run(&["household", "add", "--village", "74.04", "--head", "A"], "");
    run(&["household", "add", "--village", "x", "--head", "A"], "");
    let added = run(&["household", "add", "--village", VILLAGE, "--head", "La Ode Hamid", "--kk", "2"], "");
    let id = added.split_whitespace().find(|w| w.len() == 36 && w.matches('-').count() == 4);
    let id = id.map(|w| w.trim_matches(|c: char| !c.is_ascii_hexdigit()).to_owned()).unwrap_or_default();
    let short = &id[id.len().saturating_sub(8)..];
    run(&["eligibility", VILLAGE], "");
    run(&["visit", short, "--category", "JSP", "--check", "closed_toilet=ya"], "");
    run(&["visit", short, "--category", "BABS", "--check", "nonsense=ya"], "");
    run(&["household", "edit", short, "--kk", "3"], "");
    run(&["household", "edit", short], "");
    run(&["households"], "");
    run(&["coverage"], "");
    run(&["status"], "");
    run(&["retry", "not-an-id"], "");
    run(&["eligibility", VILLAGE], "");
    run(&["trigger", VILLAGE, "--date", "2026/01/05"], "");
    run(&["visit", short, "--category", "JSP", "--lat", "-5.49"], "");
    run(&["trigger", VILLAGE, "--date", "2026-01-05"], "");
    run(&["claim", VILLAGE], "");
    run(&["verification", "open", VILLAGE, "--team", "a,b,c"], "");
    run(&["verification", "show", "abcd"], "");
    run(&["sync"], "");
    run(&["status"], "");
    run(&["logout"], "");
    run(&["sync"], "");
    outputs
}

#[test]
fn every_output_is_in_the_chosen_language_only() {
    // The texts the runs must reach, so that the check looks at what it is meant to.
    let expect: &[Text] = &[
        i18n::SYNC_RECEIVED_SUMMARY,
        i18n::HOUSEHOLD_SAVED,
        i18n::VISIT_SAVED,
        i18n::LABEL_LAST_SYNC,
        i18n::NOT_LOGGED_IN,
        i18n::WRONG_CREDENTIALS,
        i18n::LOGGED_IN,
        i18n::SAVED_TRIGGER,
        i18n::COLUMN_HEAD_OF_FAMILY,
        i18n::COVERAGE_TITLE,
        i18n::LOGOUT_DONE,
        i18n::INVALID_DATE,
        i18n::SOME_REFUSED_SEE_STATUS,
        i18n::FIX_THEN_RETRY,
    ];
    let mut problems = Vec::new();
    for (lang, code) in [("en", odf_client::Lang::En), ("id", odf_client::Lang::Id)] {
        let outputs = run_everything(lang);
        for (args, text) in &outputs {
            problems.extend(mixed(text, lang).into_iter().map(|p| format!("{lang} `{args}`: {p}")));
        }
        let all: String = outputs.iter().map(|(_, text)| text.as_str()).collect();
        for text in expect {
            let start = text.get(code).split('{').next().unwrap_or_default();
            if !all.contains(start) {
                problems.push(format!("{lang}: {} not reached ({start:?})", text.key));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_check_finds_a_mixed_output() {
    assert!(!mixed("Error: jawaban server tidak dapat dibaca", "en").is_empty());
    assert!(!mixed("Received: 0 changes in 1 pages.\nBelum terkirim: 1", "en").is_empty());
    assert!(!mixed("Galat: error sending request", "id").is_empty());
    assert!(!mixed("Kunjungan tersimpan: La Ode — Sent: 1 records stored on the server", "id").is_empty());
    assert!(mixed("Received: 0 changes in 1 pages.\n  detail: jaringan putus", "en").is_empty());
    assert!(
        mixed("Diterima: 0 perubahan dalam 1 halaman.\n  rincian: error sending request", "id").is_empty()
    );
    assert!(mixed("VILLAGE  STATUS  KK BABS  belum_dipicu  `odf-field login`", "en").is_empty());
}
