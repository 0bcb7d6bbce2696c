//! The demo's campaign: demo places and users, then a scripted field campaign run through the real
//! client core (`odf-client`) over HTTP against the real server, then the lines of the roll-up report.
//!
//! Every choice of the campaign (how many households, which category each visit finds, which
//! villages reach 100%, which slip back) comes from one SplitMix64 stream seeded by `--seed`, so a
//! seed always gives the same figures. Record ids and timestamps differ from run to run; the counts
//! do not.
//!
//! The way to ODF is done on the phones too (`verify.rs`): triggering and claims by the sanitarian,
//! the verification by a team of three kecamatan verifiers, Lulus and Gagal with certificates issued
//! by the server. A follow-up visit that finds open defecation slips a certified village; one
//! certificate is then revoked, as a kecamatan office does from its desk.

use std::path::Path;

use chrono::{Duration, Utc};
use odf_client::{Client, HouseholdDraft, HttpTransport, Saved, VisitDraft};
use odf_domain::verification::SplitMix64;
use odf_domain::{AreaCode, Level, Role, VillageStatus};
use odf_mobile_api::GpsDto;
use odf_rollup::AreaFigures;
use odf_store::AnyStore;
use thiserror::Error;

use odf_server::commands::{self, UserSpec};

use crate::verify;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "odf-demo-2026";
const ACCESS: [&str; 4] = ["aman", "layak_sendiri", "layak_bersama", "belum_layak"];
const OPEN: [&str; 2] = ["babs_terbuka", "babs_tertutup"];

#[derive(Debug, Error)]
pub enum DemoError {
    #[error(transparent)]
    Command(#[from] commands::CommandError),
    #[error(transparent)]
    Store(#[from] odf_store::StoreError),
    #[error("klien: {0}")]
    Client(#[from] odf_client::ClientError),
    #[error("transport: {0}")]
    Transport(#[from] odf_client::TransportError),
    #[error("{0}")]
    Other(String),
}

/// How big the campaign is and which random stream it follows.
#[derive(Debug, Clone, Copy)]
pub struct CampaignOptions {
    pub seed: u64,
    /// Multiplies the households per village.
    pub scale: u32,
}

/// What a village is made to do in the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Every household ends with access; claimed, verified, declared ODF.
    Full,
    /// Some households still practise open defecation.
    Partial,
    /// Not reached yet: no data, but still in the % desa SBS denominator.
    Untouched,
    /// Reaches 100%, is certified, then a visit finds BABS.
    Slips,
}

/// One generated kecamatan with its sanitarian and lead verifier (two more verifiers, named after
/// the lead, complete the team).
struct Team {
    kecamatan: AreaCode,
    sanitarian: String,
    verifier: String,
}

/// A registered household and the category its latest visit found.
type Home = (uuid::Uuid, String);

/// What the campaign did, for the report and the test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignReport {
    pub households: usize,
    /// Sanitarians' visits: the same for a seed.
    pub visits: usize,
    /// The verification teams' visits to the sampled households: how many depends on the samples,
    /// which the server draws from seeds it picks at random (so nobody can choose them); each
    /// sample can be re-derived from its recorded seed.
    pub verification_visits: usize,
    pub kk_registered: i64,
    pub kk_with_access: i64,
    pub villages_sbs: usize,
    pub villages_failed: usize,
    pub villages_slipped: usize,
    pub villages_revoked: usize,
    pub certificates_issued: usize,
    pub certificates_revoked: usize,
}

fn code(text: &str) -> Result<AreaCode, DemoError> {
    AreaCode::parse(text).map_err(|err| DemoError::Other(err.to_string()))
}

fn pick<'a>(rng: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    let index = usize::try_from(rng.below(items.len() as u64)).unwrap_or(0);
    items[index.min(items.len() - 1)]
}

fn teams() -> Result<Vec<Team>, DemoError> {
    let wilayah = odf_fixtures::demo_wilayah();
    wilayah
        .at_level(Level::Kecamatan)
        .map(|k| {
            let short = k.code.to_string().replace('.', "");
            Ok(Team { kecamatan: k.code, sanitarian: format!("san{short}"), verifier: format!("ver{short}") })
        })
        .collect()
}

/// Imports the demo places and boundaries and creates the demo accounts (all with [`DEMO_PASSWORD`]).
pub async fn seed(store: &AnyStore) -> Result<Vec<(String, Role, AreaCode)>, DemoError> {
    commands::import_areas_csv(store, odf_fixtures::WILAYAH_CSV_FILE, "demo").await?;
    commands::import_boundaries_geojson(store, odf_fixtures::BOUNDARIES_GEOJSON_FILE, "demo").await?;
    let mut accounts = vec![
        ("admin".to_owned(), Role::Admin, code("74")?),
        ("dasbor".to_owned(), Role::Viewer, code("74")?),
    ];
    for team in teams()? {
        accounts.push((team.sanitarian, Role::Sanitarian, team.kecamatan));
        for verifier in verify::member_names(&team.verifier) {
            accounts.push((verifier, Role::Verifier, team.kecamatan));
        }
    }
    for (username, role, area) in &accounts {
        let spec = UserSpec {
            username: username.clone(),
            display_name: None,
            role: *role,
            area: (*area).into(),
            villages: Vec::new(),
            password: DEMO_PASSWORD.to_owned(),
        };
        commands::add_user(store, spec, "demo").await?;
    }
    Ok(accounts)
}

/// A point inside a village square (the fixtures' villages are axis-aligned squares).
fn point_in(ring: &[[f64; 2]], rng: &mut SplitMix64) -> Option<GpsDto> {
    let (w, s) = (ring.first()?[0], ring.first()?[1]);
    let (e, n) = (ring.get(2)?[0], ring.get(2)?[1]);
    let fraction = |rng: &mut SplitMix64| 0.1 + 0.8 * (rng.below(1000) as f64 / 1000.0);
    Some(GpsDto { lat: s + (n - s) * fraction(rng), lng: w + (e - w) * fraction(rng) })
}

/// Runs the field campaign against the server at `base_url` (already serving `store`), keeping
/// each phone's data under `phones_dir`.
pub async fn run_campaign(
    store: &AnyStore,
    base_url: &str,
    phones_dir: &Path,
    options: CampaignOptions,
) -> Result<CampaignReport, DemoError> {
    let mut rng = SplitMix64::new(options.seed);
    let rings: Vec<(AreaCode, Vec<[f64; 2]>)> = odf_fixtures::demo_places()
        .into_iter()
        .filter(|d| d.place.code.is_village())
        .filter_map(|d| Some((d.place.code, d.ring?)))
        .collect();
    let now = Utc::now();
    let mut report = CampaignReport::default();
    let transport = HttpTransport::new(base_url)?;
    let mut failed_one = false;
    let mut revoked_one = false;

    for team in teams()? {
        let phone = Client::open(&phones_dir.join(&team.sanitarian)).await?;
        phone.login(&transport, base_url, &team.sanitarian, DEMO_PASSWORD).await?;
        verify::sync(&phone, &transport).await?;
        let mut planned: Vec<(AreaCode, Plan, Vec<Home>)> = Vec::new();

        for (village, ring) in rings.iter().filter(|(v, _)| team.kecamatan.contains(*v)) {
            let plan = match rng.below(10) {
                0..=3 => Plan::Full,
                4..=6 => Plan::Partial,
                7..=8 => Plan::Untouched,
                _ => Plan::Slips,
            };
            let mut homes = Vec::new();
            if plan != Plan::Untouched {
                let count = (4 + rng.below(5)) * u64::from(options.scale.max(1));
                for i in 0..count {
                    let kk = 1 + i64::try_from(rng.below(3)).unwrap_or(0);
                    let draft = HouseholdDraft {
                        village: village.to_string(),
                        head_name: format!("KK {} {}", village, i + 1),
                        kk_count: kk,
                        dusun: Some(format!("Dusun {}", 1 + rng.below(3))),
                        rw: Some(format!("{:03}", 1 + rng.below(2))),
                        rt: Some(format!("{:03}", 1 + rng.below(4))),
                        gps: point_in(ring, &mut rng),
                    };
                    let Saved::Saved { record, .. } = phone.register_household(draft, true).await? else {
                        return Err(DemoError::Other("household not saved".to_owned()));
                    };
                    report.households += 1;
                    report.kk_registered += kk;
                    // First visit two to three months ago: often still open defecation.
                    let first =
                        if rng.below(2) == 0 { pick(&mut rng, &OPEN) } else { pick(&mut rng, &ACCESS) };
                    let days_ago = 60 + i64::try_from(rng.below(30)).unwrap_or(0);
                    // Latest visit within the last month: everyone has access in Full and Slips
                    // villages, about one in three still does not in Partial ones.
                    let last = match plan {
                        Plan::Partial if rng.below(3) == 0 => pick(&mut rng, &OPEN),
                        _ => pick(&mut rng, &ACCESS),
                    };
                    if ACCESS.contains(&last) {
                        report.kk_with_access += kk;
                    }
                    let recent = 10 + i64::try_from(rng.below(20)).unwrap_or(0);
                    for (category, at) in
                        [(first, now - Duration::days(days_ago)), (last, now - Duration::days(recent))]
                    {
                        let draft = VisitDraft {
                            household_id: record.id,
                            category: category.to_owned(),
                            gps: record.gps.map(GpsDto::from),
                            visited_at: Some(at),
                            ..VisitDraft::default()
                        };
                        phone.record_visit(draft, true).await?;
                        report.visits += 1;
                    }
                    homes.push((record.id, last.to_owned()));
                }
            }
            planned.push((*village, plan, homes));
        }
        verify::sync(&phone, &transport).await?;

        // Triggering, and the claim where the phone says the village is eligible.
        let mut candidates = Vec::new();
        for (village, plan, homes) in &planned {
            if *plan == Plan::Untouched {
                continue;
            }
            let triggered_on = (now - Duration::days(100)).date_naive();
            phone.trigger_village(*village, triggered_on, Some("Pemicuan bersama warga".to_owned())).await?;
            if !matches!(plan, Plan::Full | Plan::Slips) {
                continue;
            }
            let eligibility = phone.village_eligibility(*village).await?;
            if !eligibility.eligible {
                return Err(DemoError::Other(format!("{village}: {}", eligibility.message)));
            }
            phone.claim_village(*village, Some("Semua KK sudah punya akses jamban".to_owned())).await?;
            let fails = *plan == Plan::Full && !failed_one;
            failed_one |= fails;
            candidates.push(verify::Candidate {
                village: *village,
                found: homes.iter().cloned().collect(),
                fails,
            });
        }
        verify::sync(&phone, &transport).await?;

        let verifiers =
            verify::VerificationTeam::sign_in(&team.verifier, phones_dir, &transport, base_url).await?;
        report.verification_visits += verifiers.verify(&candidates, &transport).await?;
        verifiers.close().await;
        for candidate in &candidates {
            if candidate.fails {
                report.villages_failed += 1;
            } else {
                report.villages_sbs += 1;
                report.certificates_issued += 1;
            }
        }

        // A follow-up visit finds a household of each Slips village back to open defecation; the
        // server marks the village slipped when it arrives.
        for (village, plan, homes) in &planned {
            let Some((home, _)) = homes.first().filter(|_| *plan == Plan::Slips) else { continue };
            let draft = VisitDraft {
                household_id: *home,
                category: "babs_terbuka".to_owned(),
                ..VisitDraft::default()
            };
            phone.record_visit(draft, true).await?;
            report.visits += 1;
            verify::sync(&phone, &transport).await?;
            if let Some(stored) = store.households_by_id(&[*home]).await?.first() {
                report.kk_with_access -= i64::from(stored.household.kk_count);
            }
            if store.village_state(*village).await?.status != VillageStatus::Slipped {
                return Err(DemoError::Other(format!(
                    "{village}: BABS setelah SBS tidak tercatat tergelincir"
                )));
            }
            report.villages_slipped += 1;
            if !revoked_one {
                revoked_one = true;
                let certificates = store.certificates(Some(*village)).await?;
                let Some(certificate) = certificates.iter().find(|c| !c.is_revoked()) else {
                    return Err(DemoError::Other(format!("{village}: tidak ada piagam untuk dicabut")));
                };
                let reason = "Dicabut: kunjungan ulang menemukan BABS, verifikasi ulang dijadwalkan \
                              (revoked: follow-up found open defecation)";
                store.revoke_certificate(certificate.id(), &team.verifier, reason).await?;
                report.villages_revoked += 1;
                report.villages_slipped -= 1;
                report.villages_sbs -= 1;
                report.certificates_revoked += 1;
            }
        }
        phone.close().await;
    }
    Ok(report)
}

/// The roll-up of Sulawesi Tenggara from the store, as the coverage API computes it.
pub async fn rollup_lines(store: &AnyStore) -> Result<Vec<String>, DemoError> {
    let wilayah = odf_server::places::load_wilayah(store).await?;
    let province = code("74")?;
    let rollup = odf_server::places::current_rollup(store, &wilayah, Some(province)).await?;
    let line = |f: &AreaFigures<'_>| {
        let code = f.code.map(|c| c.to_string()).unwrap_or_default();
        format!("{code:<6} {:<28} {}\n{:<35} {}", f.name, f.kk_akses, "", f.desa_sbs)
    };
    let mut lines: Vec<String> =
        rollup.children(province).iter().filter(|f| f.villages.total > 0).map(line).collect();
    if let Some(total) = rollup.area(province) {
        lines.push(line(&total));
    }
    Ok(lines)
}

/// The certificates of the demo, per kabupaten: how many were issued and revoked, and where the
/// public check of each answers.
pub async fn certificate_lines(store: &AnyStore, base_url: &str) -> Result<Vec<String>, DemoError> {
    let mut lines = Vec::new();
    let certificates = store.certificates(Some(code("74")?)).await?;
    let mut kabupaten: Vec<AreaCode> = certificates
        .iter()
        .filter_map(|c| c.signed.certificate.village_code.at_level(Level::Kabupaten))
        .collect();
    kabupaten.dedup();
    for kab in kabupaten {
        let of_kab: Vec<_> =
            certificates.iter().filter(|c| kab.contains(c.signed.certificate.village_code)).collect();
        let revoked = of_kab.iter().filter(|c| c.is_revoked()).count();
        let name = of_kab.first().map(|c| c.signed.certificate.kabupaten_name.clone()).unwrap_or_default();
        lines.push(format!("{kab:<6} {name:<28} {} piagam terbit, {revoked} dicabut", of_kab.len()));
        for c in of_kab {
            let state = if c.is_revoked() { "DICABUT" } else { "berlaku" };
            lines.push(format!(
                "         {} {} ({state})  {base_url}/v1/public/certificates/{}",
                c.signed.certificate.number,
                c.signed.certificate.village_name,
                c.id()
            ));
        }
    }
    Ok(lines)
}
