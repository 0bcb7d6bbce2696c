//! Text for the PDF's built-in fonts: WinAnsi encoding and glyph widths of Helvetica and
//! Helvetica-Bold, so text can be centred and shrunk to fit without embedding a font file.
//!
//! The widths (in 1/1000 em) are those of the standard Adobe font metrics for the two fonts, here
//! for codes 32-126 and 160-255, in code order; URW's metric-compatible Nimbus Sans has the same.

/// One of the two base-14 fonts the certificate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

impl Font {
    /// The page resource name.
    pub(crate) fn resource(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
        }
    }

    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
        }
    }
}

const REGULAR: [u16; 191] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
    500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 278, 333, 556, 556, 556, 556, 260, 556, 333, 737,
    370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834,
    611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778,
    778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 500, 556,
    556, 556, 556, 278, 278, 278, 278, 556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500,
    556, 500,
];
const BOLD: [u16; 191] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278,
    556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584,
    556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556,
    333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 278, 333, 556, 556, 556, 556, 280, 556, 333, 737,
    370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834,
    611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778,
    778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 556, 556,
    556, 556, 556, 278, 278, 278, 278, 611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556,
    611, 556,
];

/// WinAnsi codes for the few characters above U+00FF that Indonesian text may hold.
const EXTRA: [(char, u8, u16, u16); 7] = [
    ('\u{2013}', 0x96, 556, 556),
    ('\u{2014}', 0x97, 1000, 1000),
    ('\u{2022}', 0x95, 350, 350),
    ('\u{2018}', 0x91, 222, 278),
    ('\u{2019}', 0x92, 222, 278),
    ('\u{201C}', 0x93, 333, 500),
    ('\u{201D}', 0x94, 333, 500),
];

/// Encodes `text` in WinAnsi; a character it cannot hold becomes `?`, and a control character a space.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match u32::from(c) {
            0..=31 | 127..=159 => b' ',
            code @ (32..=126 | 160..=255) => u8::try_from(code).unwrap_or(b'?'),
            _ => EXTRA.iter().find(|e| e.0 == c).map_or(b'?', |e| e.1),
        })
        .collect()
}

fn glyph_width(font: Font, code: u8) -> u16 {
    let table = match font {
        Font::Regular => &REGULAR,
        Font::Bold => &BOLD,
    };
    let index = match code {
        32..=126 => usize::from(code - 32),
        160..=255 => usize::from(code - 160) + 95,
        _ => {
            return EXTRA
                .iter()
                .find(|e| e.1 == code)
                .map_or(556, |e| if font == Font::Bold { e.3 } else { e.2 });
        }
    };
    table.get(index).copied().unwrap_or(556)
}

/// The width in points of WinAnsi `bytes` set in `font` at `size`.
pub(crate) fn width(font: Font, size: f32, bytes: &[u8]) -> f32 {
    let units: u32 = bytes.iter().map(|b| u32::from(glyph_width(font, *b))).sum();
    #[allow(clippy::cast_precision_loss)] // a line is far below 2^24 units
    let units = units as f32;
    units * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_latin1_keep_their_codes_and_others_become_question_marks() {
        assert_eq!(encode("Desa Waangu-angu"), b"Desa Waangu-angu");
        assert_eq!(encode("Kelurahan Bont\u{e9} \u{2013} \u{4e2d}\n"), b"Kelurahan Bont\xe9 \x96 ? ");
    }

    #[test]
    fn widths_follow_the_helvetica_metrics() {
        assert!((width(Font::Regular, 10.0, b"Hi") - 9.44).abs() < 1e-3);
        assert!((width(Font::Bold, 10.0, b"Hi") - 10.0).abs() < 1e-3);
        assert!((width(Font::Regular, 1000.0, b"\xe9") - 556.0).abs() < 1e-3);
        assert!((width(Font::Bold, 1000.0, b"\x97") - 1000.0).abs() < 1e-3);
    }
}
