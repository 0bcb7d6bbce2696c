//! The command-line definition: parsing and the Indonesian help pages.

use super::*;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    parse_from(std::iter::once("odf-field").chain(args.iter().copied()))
}

#[test]
fn the_command_definition_is_consistent() {
    command().debug_assert();
}

#[test]
fn a_household_add_reads_every_field_and_negative_latitudes() {
    let cli = parse(&[
        "household",
        "add",
        "--village",
        "74.04.81.2001",
        "--head",
        "La Ode Hamid",
        "--kk",
        "3",
        "--dusun",
        "Dusun I",
        "--rw",
        "02",
        "--rt",
        "005",
        "--lat",
        "-5.49",
        "--lng",
        "122.61",
        "--yes",
    ])
    .unwrap();
    let Cmd::Household(HouseholdCmd::Add(args)) = cli.command else { panic!("{:?}", cli.command) };
    assert_eq!((args.village.as_str(), args.head.as_str(), args.kk), ("74.04.81.2001", "La Ode Hamid", 3));
    assert_eq!(
        (args.dusun.as_deref(), args.rw.as_deref(), args.rt.as_deref()),
        (Some("Dusun I"), Some("02"), Some("005"))
    );
    assert_eq!((args.lat, args.lng), (Some(-5.49), Some(122.61)));
    assert!(args.yes);
}

#[test]
fn a_latitude_without_a_longitude_is_refused() {
    let err = parse(&["visit", "abcd1234", "--category", "JSP", "--lat", "-5.49"]).unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
}

#[test]
fn global_options_work_before_and_after_the_command() {
    let cli =
        parse(&["--lang", "en", "households", "--village", "74.04.81.2001", "--json", "--home", "/tmp/x"])
            .unwrap();
    assert_eq!(cli.lang, Lang::En);
    assert!(cli.json);
    assert_eq!(cli.home.as_deref(), Some(std::path::Path::new("/tmp/x")));
    let Cmd::Households(args) = cli.command else { panic!() };
    assert_eq!(args.village.as_deref(), Some("74.04.81.2001"));
}

#[test]
fn a_visit_takes_the_household_category_photo_and_checklist() {
    let cli = parse(&[
        "visit",
        "1a2b3c4d",
        "-c",
        "babs_tertutup",
        "--photo",
        "jamban.jpg",
        "--check",
        "closed_toilet=ya",
        "--check",
        "strong_slab=tidak",
        "--force",
    ])
    .unwrap();
    let Cmd::Visit(args) = cli.command else { panic!() };
    assert_eq!(args.household, "1a2b3c4d");
    assert_eq!(args.category, "babs_tertutup");
    assert_eq!(args.checks, vec!["closed_toilet=ya", "strong_slab=tidak"]);
    assert!(args.yes);
}

#[test]
fn login_takes_a_server_a_username_and_password_stdin() {
    let cli = parse(&["login", "--server", "https://odf.example", "--username", "sani", "--password-stdin"])
        .unwrap();
    let Cmd::Login(args) = cli.command else { panic!() };
    assert_eq!(args.server.as_deref(), Some("https://odf.example"));
    assert!(args.password_stdin);
    assert!(parse(&["login", "--password", "x"]).is_err(), "a password is never an argument");
}

#[test]
fn an_unknown_language_is_refused() {
    assert!(parse(&["--lang", "jv", "status"]).is_err());
}

#[test]
fn every_help_page_is_written_in_indonesian() {
    fn walk(cmd: &mut Command, path: &mut Vec<String>) {
        let help = localize_text(&cmd.render_long_help().to_string());
        for english in
            ["Usage:", "Options:", "Commands:", "Arguments:", "Print help", "Print version", "[default:"]
        {
            assert!(!help.contains(english), "{path:?}: {english:?} in\n{help}");
        }
        assert!(help.contains("Tampilkan bantuan ini"), "{path:?}");
        let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
        assert!(!about.is_empty() || path.is_empty(), "{path:?} has no description");
        for sub in cmd.get_subcommands_mut() {
            path.push(sub.get_name().to_owned());
            walk(sub, path);
            path.pop();
        }
    }
    let mut cmd = command();
    cmd.build();
    walk(&mut cmd, &mut Vec::new());
}

#[test]
fn help_and_version_are_not_errors() {
    let help = parse(&["--help"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    assert!(!help.use_stderr());
    let text = localize_text(&help.render().to_string());
    assert!(text.contains("Cara pakai: odf-field [OPSI] <PERINTAH>"), "{text}");
    assert_eq!(parse(&["-V"]).unwrap_err().kind(), clap::error::ErrorKind::DisplayVersion);
}

#[test]
fn the_verification_commands_read_team_plan_criteria_and_reasons() {
    use crate::cli::field::{OutcomeArg, VerificationCmd};
    use odf_mobile_api::verification::{PlanKind, UnitLevelDto};

    let cli = parse(&[
        "verification",
        "open",
        "74.04.81.2001",
        "--team",
        "budi,wati=Wati Ode,sani",
        "--plan",
        "rt:3",
    ])
    .unwrap();
    let Cmd::Verification(VerificationCmd::Open(args)) = cli.command else { panic!() };
    assert_eq!(args.team, ["budi", "wati=Wati Ode", "sani"]);
    assert_eq!(
        (args.plan.kind, args.plan.level, args.plan.count),
        (PlanKind::RandomUnits, Some(UnitLevelDto::Rt), Some(3))
    );
    let cli = parse(&["verification", "open", "74.04.81.2001", "--team", "a,b,c"]).unwrap();
    let Cmd::Verification(VerificationCmd::Open(args)) = cli.command else { panic!() };
    assert_eq!(args.plan.kind, PlanKind::AllHouseholds, "every household by default");
    assert!(parse(&["verification", "open", "74.04.81.2001"]).is_err(), "a team is required");

    let cli = parse(&[
        "verification",
        "community",
        "1a2b3c4d",
        "--bebas-tinja",
        "ya",
        "--aturan",
        "no",
        "--pemantauan",
        "Tidak",
        "--catatan-aturan",
        "belum ada perdes",
    ])
    .unwrap();
    let Cmd::Verification(VerificationCmd::Community(args)) = cli.command else { panic!() };
    assert_eq!((args.bebas_tinja, args.aturan, args.pemantauan), (true, false, false));
    assert_eq!(args.catatan_aturan.as_deref(), Some("belum ada perdes"));
    assert!(
        parse(&[
            "verification",
            "community",
            "1a2b3c4d",
            "--bebas-tinja",
            "mungkin",
            "--aturan",
            "ya",
            "--pemantauan",
            "ya"
        ])
        .is_err()
    );

    let cli = parse(&[
        "verification",
        "decide",
        "1a2b3c4d",
        "gagal",
        "--reason",
        "BABS",
        "--alasan",
        "tanpa pemantauan",
    ])
    .unwrap();
    let Cmd::Verification(VerificationCmd::Decide(args)) = cli.command else { panic!() };
    assert_eq!((args.outcome, args.reasons.len()), (OutcomeArg::Gagal, 2));
    assert!(parse(&["verification", "decide", "1a2b3c4d", "mungkin"]).is_err());

    let cli = parse(&["trigger", "74.04.81.2001", "--date", "2026-03-02", "--note", "balai desa"]).unwrap();
    let Cmd::Trigger(args) = cli.command else { panic!() };
    assert_eq!(args.date.to_string(), "2026-03-02");
    assert_eq!(
        parse(&["trigger", "74.04.81.2001", "--date", "2/3/2026"]).unwrap_err().kind(),
        clap::error::ErrorKind::ValueValidation
    );
}
