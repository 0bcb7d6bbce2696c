//! The command line of a village's way to ODF: eligibility, triggering, claiming, the verification
//! (open, list, show, community criteria, decision) and certificates. Help text in Indonesian.

use chrono::NaiveDate;
use clap::{ArgAction, Args, Subcommand, ValueEnum};
use odf_client::i18n::{self, Text};
use odf_mobile_api::SamplingPlanDto;
use odf_mobile_api::verification::{PlanKind, UnitLevelDto};

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct EligibilityArgs {
    /// Kode desa/kelurahan Kemendagri, mis. 74.04.81.2001.
    #[arg(value_name = "KODE_DESA", help_heading = "Argumen")]
    pub village: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct TriggerArgs {
    /// Kode desa/kelurahan Kemendagri, mis. 74.04.81.2001.
    #[arg(value_name = "KODE_DESA", help_heading = "Argumen")]
    pub village: String,
    /// Tanggal pemicuan diadakan, TTTT-BB-HH (tidak boleh di masa depan).
    #[arg(long, value_name = "TANGGAL", value_parser = parse_date)]
    pub date: NaiveDate,
    /// Catatan, mis. tempat atau fasilitator pemicuan.
    #[arg(long, value_name = "TEKS")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct ClaimArgs {
    /// Kode desa/kelurahan Kemendagri, mis. 74.04.81.2001.
    #[arg(value_name = "KODE_DESA", help_heading = "Argumen")]
    pub village: String,
    /// Catatan untuk tim verifikasi.
    #[arg(long, value_name = "TEKS")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct VillageFilterArgs {
    /// Hanya desa ini (kode Kemendagri).
    #[arg(long, value_name = "KODE")]
    pub village: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum VerificationCmd {
    /// Buka verifikasi desa yang sudah klaim SBS (verifikator). Sampel diundi server dan sampai di
    /// HP setelah `sync`.
    Open(OpenArgs),
    /// Daftar verifikasi yang diketahui HP ini, dengan kemajuan kunjungan.
    List(VillageFilterArgs),
    /// Rincian verifikasi: rumah tangga sampel (sudah/belum dikunjungi, temuan), kriteria
    /// masyarakat, saran aturan dengan alasannya, keputusan dan piagam.
    Show(VerificationIdArgs),
    /// Catat kriteria masyarakat (verifikator); pencatatan berikutnya menggantikan yang lama sampai
    /// keputusan dibuat.
    Community(CommunityArgs),
    /// Putuskan Lulus atau Gagal (verifikator). Gagal, atau keputusan yang berbeda dari saran aturan,
    /// wajib disertai alasan.
    Decide(DecideArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct OpenArgs {
    /// Kode desa/kelurahan Kemendagri, mis. 74.04.81.2001.
    #[arg(value_name = "KODE_DESA", help_heading = "Argumen")]
    pub village: String,
    /// Anggota tim: nama pengguna dipisah koma, ganjil, 3-5 orang, tidak terdaftar di desa ini.
    /// Nama lengkap boleh ditulis setelah `=` (mis. budi=Budi Santoso); bila tidak, server
    /// mengambilnya dari data pengguna.
    #[arg(long, value_name = "PENGGUNA,...", value_delimiter = ',', required = true)]
    pub team: Vec<String>,
    /// Rencana sampel: all (semua rumah tangga) atau LEVEL:JUMLAH unit acak, LEVEL dusun, rw atau rt
    /// (mis. rt:3).
    #[arg(long, value_name = "RENCANA", default_value = "all", value_parser = parse_plan)]
    pub plan: SamplingPlanDto,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct VerificationIdArgs {
    /// Id verifikasi: lengkap, atau 8 karakter terakhir seperti di `verification list`.
    #[arg(value_name = "ID_VERIFIKASI", help_heading = "Argumen")]
    pub id: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct CommunityArgs {
    /// Id verifikasi: lengkap, atau 8 karakter terakhir seperti di `verification list`.
    #[arg(value_name = "ID_VERIFIKASI", help_heading = "Argumen")]
    pub id: String,
    /// Bebas tinja: tidak ada tinja terlihat di bekas tempat BAB sembarangan? ya|tidak.
    #[arg(long, value_name = "ya|tidak", value_parser = parse_yes_no, action = ArgAction::Set)]
    pub bebas_tinja: bool,
    /// Masyarakat punya aturan atau sanksi terhadap BAB sembarangan? ya|tidak.
    #[arg(long, value_name = "ya|tidak", value_parser = parse_yes_no, action = ArgAction::Set)]
    pub aturan: bool,
    /// Ada mekanisme pemantauan agar tidak kembali BAB sembarangan? ya|tidak.
    #[arg(long, value_name = "ya|tidak", value_parser = parse_yes_no, action = ArgAction::Set)]
    pub pemantauan: bool,
    /// Catatan untuk ketiga kriteria (dipakai bila kriteria itu tidak punya catatan sendiri).
    #[arg(long, value_name = "TEKS")]
    pub catatan: Option<String>,
    /// Catatan khusus kriteria bebas tinja.
    #[arg(long, value_name = "TEKS")]
    pub catatan_tinja: Option<String>,
    /// Catatan khusus kriteria aturan/sanksi.
    #[arg(long, value_name = "TEKS")]
    pub catatan_aturan: Option<String>,
    /// Catatan khusus kriteria pemantauan.
    #[arg(long, value_name = "TEKS")]
    pub catatan_pemantauan: Option<String>,
}

/// Lulus or Gagal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    // Lulus: the village is declared ODF and a certificate is issued.
    Lulus,
    // Gagal: the village goes back to dipicu.
    Gagal,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct DecideArgs {
    /// Id verifikasi: lengkap, atau 8 karakter terakhir seperti di `verification list`.
    #[arg(value_name = "ID_VERIFIKASI", help_heading = "Argumen")]
    pub id: String,
    /// Hasil: lulus atau gagal.
    #[arg(value_enum, value_name = "HASIL", help_heading = "Argumen")]
    pub outcome: OutcomeArg,
    /// Alasan keputusan, bisa berulang. Wajib untuk gagal dan untuk keputusan yang berbeda dari
    /// saran aturan (lihat `verification show`).
    #[arg(long = "reason", visible_alias = "alasan", value_name = "TEKS")]
    pub reasons: Vec<String>,
    /// Nama penerbit piagam bila Lulus, biasanya Camat (bawaan: verifikator yang memutuskan).
    #[arg(long, value_name = "NAMA")]
    pub issuer_name: Option<String>,
    /// Jabatan penerbit piagam, mis. "Camat Pasarwajo".
    #[arg(long, value_name = "JABATAN")]
    pub issuer_role: Option<String>,
}

/// A value check's refusal, from the catalogue in the language asked for on the command line.
fn refuse(text: Text, value: &str) -> String {
    text.fill(super::parse_lang().into(), &[("value", &format!("{value:?}"))])
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| refuse(i18n::INVALID_DATE, text))
}

/// Accepts ya/tidak as well as yes/no (and y/t/n), in any case.
pub fn parse_yes_no(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "ya" | "y" | "yes" | "true" | "1" => Ok(true),
        "tidak" | "t" | "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(refuse(i18n::NOT_YES_OR_NO, text)),
    }
}

/// `all`, or `LEVEL:COUNT` with LEVEL dusun, rw or rt.
pub fn parse_plan(text: &str) -> Result<SamplingPlanDto, String> {
    let text = text.trim().to_lowercase();
    if matches!(text.as_str(), "all" | "semua") {
        return Ok(SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None });
    }
    let bad = || refuse(i18n::INVALID_PLAN, &text);
    let (level, count) = text.split_once(':').ok_or_else(bad)?;
    let level = match level.trim() {
        "dusun" => UnitLevelDto::Dusun,
        "rw" => UnitLevelDto::Rw,
        "rt" => UnitLevelDto::Rt,
        _ => return Err(bad()),
    };
    let count: u32 = count.trim().parse().map_err(|_| bad())?;
    Ok(SamplingPlanDto { kind: PlanKind::RandomUnits, level: Some(level), count: Some(count) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_yes_no_and_dates_read_as_a_person_writes_them() {
        assert_eq!(parse_plan("all").unwrap().kind, PlanKind::AllHouseholds);
        let rt = parse_plan(" RT:3 ").unwrap();
        assert_eq!((rt.kind, rt.level, rt.count), (PlanKind::RandomUnits, Some(UnitLevelDto::Rt), Some(3)));
        assert_eq!(parse_plan("dusun:2").unwrap().level, Some(UnitLevelDto::Dusun));
        assert!(parse_plan("rt").is_err() && parse_plan("kampung:2").is_err() && parse_plan("rw:x").is_err());
        assert_eq!(
            (parse_yes_no("Ya"), parse_yes_no("no"), parse_yes_no("tidak")),
            (Ok(true), Ok(false), Ok(false))
        );
        assert!(parse_yes_no("mungkin").is_err());
        assert_eq!(parse_date("2026-03-02"), Ok(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()));
        assert!(parse_date("02/03/2026").is_err());
    }
}
