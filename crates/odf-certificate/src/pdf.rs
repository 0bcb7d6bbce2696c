//! The printable certificate: one A4 landscape page in Bahasa Indonesia, with a QR code pointing to
//! the public check.
//!
//! Only the base-14 fonts Helvetica and Helvetica-Bold are used (every PDF reader has them, so nothing
//! is embedded or downloaded), with WinAnsi encoding; the QR code is drawn as filled squares. The
//! output has no creation time, so the same signed certificate always renders to the same bytes.

use chrono::{Datelike, NaiveDate};
use odf_domain::timestamp::INDONESIAN_MONTHS;
use odf_domain::{AreaKind, Level};
use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{Color, EcLevel, QrCode};

use crate::metrics::{Font, encode, width};
use crate::signing::SignedCertificate;

/// A4 landscape, in points.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const CENTRE: f32 = PAGE_W / 2.0;
const GREEN: (f32, f32, f32) = (0.0, 0.36, 0.22);
const GOLD: (f32, f32, f32) = (0.72, 0.57, 0.18);
const INK: (f32, f32, f32) = (0.1, 0.1, 0.1);
const GREY: (f32, f32, f32) = (0.35, 0.35, 0.35);

/// A date as written in Indonesian letters, e.g. "4 Mei 2026".
pub fn tanggal(date: NaiveDate) -> String {
    let month = INDONESIAN_MONTHS.get(date.month0() as usize).copied().unwrap_or_default();
    format!("{} {month} {}", date.day(), date.year())
}

/// Drops a leading word such as "Kota " from a name, ignoring case.
fn without_prefix<'a>(name: &'a str, prefix: &str) -> &'a str {
    match name.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => name[prefix.len()..].trim_start(),
        _ => name.trim(),
    }
}

struct Canvas {
    content: Content,
}

impl Canvas {
    fn colour(&mut self, (r, g, b): (f32, f32, f32)) {
        self.content.set_fill_rgb(r, g, b);
        self.content.set_stroke_rgb(r, g, b);
    }

    fn show(&mut self, font: Font, size: f32, x: f32, y: f32, bytes: &[u8]) {
        self.content.begin_text();
        self.content.set_font(Name(font.resource()), size);
        self.content.next_line(x, y);
        self.content.show(Str(bytes));
        self.content.end_text();
    }

    /// Shrinks `size` until the text fits in `max_width`; returns the encoded text, size and width.
    fn fit(font: Font, size: f32, max_width: f32, text: &str) -> (Vec<u8>, f32, f32) {
        let bytes = encode(text);
        let natural = width(font, size, &bytes);
        let size = if natural > max_width { size * max_width / natural } else { size };
        let w = width(font, size, &bytes);
        (bytes, size, w)
    }

    fn left(&mut self, font: Font, size: f32, x: f32, y: f32, max_width: f32, text: &str) {
        let (bytes, size, _) = Canvas::fit(font, size, max_width, text);
        self.show(font, size, x, y, &bytes);
    }

    /// Centred on `cx`; returns the width drawn.
    fn centred(&mut self, font: Font, size: f32, cx: f32, y: f32, max_width: f32, text: &str) -> f32 {
        let (bytes, size, w) = Canvas::fit(font, size, max_width, text);
        self.show(font, size, cx - w / 2.0, y, &bytes);
        w
    }

    fn frame(&mut self) {
        self.colour(GREEN);
        self.content.set_line_width(4.0);
        self.content.rect(18.0, 18.0, PAGE_W - 36.0, PAGE_H - 36.0).stroke();
        self.colour(GOLD);
        self.content.set_line_width(1.2);
        self.content.rect(28.0, 28.0, PAGE_W - 56.0, PAGE_H - 56.0).stroke();
    }

    fn line(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.content.set_line_width(width);
        self.content.move_to(x1, y).line_to(x2, y).stroke();
    }

    /// Draws `data` as a QR code (with its 4-module quiet zone) in the square at (`x`, `y`) of side
    /// `size`; false when the data is too long for a QR code.
    fn qr(&mut self, data: &str, x: f32, y: f32, size: f32) -> bool {
        let Ok(code) = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M) else {
            return false;
        };
        let n = code.width();
        #[allow(clippy::cast_precision_loss)] // a QR code is at most 177 modules wide
        let at = |modules: usize| modules as f32;
        let module = size / at(n + 8);
        self.content.set_fill_gray(1.0);
        self.content.rect(x, y, size, size).fill_nonzero();
        self.content.set_fill_gray(0.0);
        // One rectangle per horizontal run of dark modules keeps the page small.
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if code[(col, row)] != Color::Dark {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && code[(col, row)] == Color::Dark {
                    col += 1;
                }
                let top = y + size - at(4 + row + 1) * module;
                self.content.rect(x + at(4 + start) * module, top, at(col - start) * module, module);
            }
        }
        self.content.fill_nonzero();
        true
    }
}

/// Renders the signed certificate as a one-page PDF. `base_url` is the server's public address; the
/// QR code and the printed address point to `{base_url}/v1/public/certificates/{id}`. An address too
/// long for a QR code (over about 2,300 characters) leaves the QR box empty; the address is printed.
pub fn render_pdf(signed: &SignedCertificate, base_url: &str) -> Vec<u8> {
    let c = &signed.certificate;
    let url = c.public_url(base_url);
    let kota = c.village_code.at_level(Level::Kabupaten).and_then(|k| k.is_kota()).unwrap_or(false);
    let (regency_word, regency) = if kota {
        ("Kota", without_prefix(&c.kabupaten_name, "kota "))
    } else {
        ("Kabupaten", without_prefix(&c.kabupaten_name, "kabupaten "))
    };
    let village_word =
        if c.village_code.implied_kind() == AreaKind::Kelurahan { "Kelurahan" } else { "Desa" };
    let kecamatan = without_prefix(&c.kecamatan_name, "kecamatan ");

    let mut page = Canvas { content: Content::new() };
    page.frame();

    page.colour(INK);
    let header = format!("PEMERINTAH {} {}", regency_word.to_uppercase(), regency.to_uppercase());
    page.centred(Font::Bold, 12.5, CENTRE, 535.0, 600.0, &header);
    page.centred(Font::Bold, 11.5, CENTRE, 519.0, 600.0, &format!("KECAMATAN {}", kecamatan.to_uppercase()));
    page.colour(GOLD);
    page.line(250.0, PAGE_W - 250.0, 509.0, 1.0);

    page.colour(GREEN);
    page.centred(Font::Bold, 32.0, CENTRE, 466.0, 700.0, "PIAGAM PENGHARGAAN");
    page.colour(INK);
    let subtitle = "Desa Stop Buang Air Besar Sembarangan (SBS / ODF)";
    page.centred(Font::Bold, 14.0, CENTRE, 443.0, 700.0, subtitle);
    page.centred(Font::Regular, 11.0, CENTRE, 424.0, 700.0, &format!("Nomor: {}", c.number));
    page.colour(GREY);
    page.centred(Font::Regular, 12.0, CENTRE, 396.0, 700.0, "diberikan kepada");
    page.colour(GREEN);
    // The name keeps its recorded spelling, so a search for it finds it.
    let village = format!("{village_word} {}", c.village_name);
    page.centred(Font::Bold, 28.0, CENTRE, 362.0, 720.0, &village);
    page.colour(INK);
    let place = format!(
        "Kode wilayah {} \u{b7} Kecamatan {kecamatan} \u{b7} {regency_word} {regency}",
        c.village_code
    );
    page.centred(Font::Regular, 11.0, CENTRE, 340.0, 720.0, &place);
    let body = [
        "yang telah diverifikasi oleh tim verifikasi dan dinyatakan bahwa seluruh warganya tidak lagi buang air besar sembarangan,",
        &format!(
            "sebagai {village_word} Stop BABS (Open Defecation Free) sesuai Pilar 1 Sanitasi Total Berbasis Masyarakat (STBM)."
        ),
    ];
    for (i, line) in body.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)] // two lines
        let y = 313.0 - 15.0 * i as f32;
        page.centred(Font::Regular, 11.0, CENTRE, y, 720.0, line);
    }

    // Left: the team.
    page.left(Font::Bold, 10.0, 60.0, 262.0, 300.0, "Tim Verifikasi:");
    for (i, member) in c.team.iter().enumerate() {
        let line = match member.position.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(position) => format!("{}. {} \u{2013} {position}", i + 1, member.name),
            None => format!("{}. {}", i + 1, member.name),
        };
        #[allow(clippy::cast_precision_loss)] // a team has a handful of members
        let y = 247.0 - 13.0 * i as f32;
        page.left(Font::Regular, 9.5, 60.0, y, 300.0, &line);
    }

    // Middle: place, date and issuer.
    let cx = 500.0;
    page.centred(Font::Regular, 10.5, cx, 262.0, 240.0, &format!("{kecamatan}, {}", tanggal(c.issued_on)));
    page.centred(Font::Bold, 10.5, cx, 247.0, 240.0, &c.issuer_role);
    page.colour(GREY);
    page.centred(Font::Regular, 8.0, cx, 205.0, 240.0, "ditandatangani secara elektronik (Ed25519)");
    page.colour(INK);
    let w = page.centred(Font::Bold, 11.0, cx, 165.0, 240.0, &c.issuer_name);
    page.line(cx - w / 2.0, cx + w / 2.0, 162.5, 0.6);

    // Right: the QR code and the address it holds.
    let (qr_x, qr_y, qr_size) = (668.0, 140.0, 118.0);
    page.colour(GREY);
    page.centred(Font::Regular, 8.0, qr_x + qr_size / 2.0, 263.0, 150.0, "Pindai untuk memeriksa keaslian");
    if !page.qr(&url, qr_x, qr_y, qr_size) {
        page.centred(
            Font::Regular,
            8.0,
            qr_x + qr_size / 2.0,
            qr_y + qr_size / 2.0,
            150.0,
            "(kode QR tidak tersedia)",
        );
    }
    page.colour(INK);
    let (bytes, size, w) = Canvas::fit(Font::Regular, 6.5, 330.0, &url);
    let x = (qr_x + qr_size / 2.0 - w / 2.0).min(PAGE_W - 42.0 - w);
    page.show(Font::Regular, size, x, 128.0, &bytes);

    // Footer: what binds this paper to the data and the signature.
    page.colour(GREY);
    let footer = [
        format!("Hash data tersertifikasi (SHA-256): {}", c.data_hash),
        format!(
            "Tanda tangan digital Ed25519 \u{b7} sidik tanda tangan: {} \u{b7} sidik kunci publik: {}",
            signed.signature_fingerprint(),
            signed.public_key_fingerprint()
        ),
        format!("ID piagam: {} \u{b7} ID verifikasi: {}", c.id, c.verification_id),
        "Keaslian dan status piagam (berlaku atau dicabut) dapat diperiksa tanpa login di alamat pada kode QR.".to_owned(),
    ];
    for (i, line) in footer.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)] // four lines
        let y = 96.0 - 11.0 * i as f32;
        page.left(Font::Regular, 7.5, 60.0, y, 720.0, line);
    }

    let (catalog, tree, page_id, regular, bold, content_id, info) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6), Ref::new(7));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree).lang(TextStr("id"));
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page_dict = pdf.page(page_id);
    page_dict.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree).contents(content_id);
    page_dict
        .resources()
        .fonts()
        .pair(Name(Font::Regular.resource()), regular)
        .pair(Name(Font::Bold.resource()), bold);
    drop(page_dict);
    for (id, font) in [(regular, Font::Regular), (bold, Font::Bold)] {
        pdf.type1_font(id).base_font(Name(font.base_font())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let content = page.content.finish();
    pdf.stream(content_id, &content);
    let title = format!("Piagam ODF {} \u{2013} {} {}", c.number, village_word, c.village_name);
    pdf.document_info(info).title(TextStr(&title)).producer(TextStr("odf-verify"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::tests::certificate;
    use crate::signing::Signer;

    #[test]
    fn dates_are_written_in_indonesian() {
        assert_eq!(tanggal(NaiveDate::from_ymd_opt(2026, 5, 4).unwrap()), "4 Mei 2026");
        assert_eq!(tanggal(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()), "31 Desember 2025");
    }

    #[test]
    fn the_same_certificate_renders_to_the_same_bytes() {
        let signed = Signer::from_secret_bytes(&[3u8; 32]).sign(&certificate());
        let pdf = render_pdf(&signed, "https://odf.example.go.id");
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, render_pdf(&signed, "https://odf.example.go.id/"));
    }

    #[test]
    fn an_address_too_long_for_a_qr_code_still_renders() {
        let signed = Signer::from_secret_bytes(&[3u8; 32]).sign(&certificate());
        let pdf = render_pdf(&signed, &format!("https://{}", "a".repeat(5000)));
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
