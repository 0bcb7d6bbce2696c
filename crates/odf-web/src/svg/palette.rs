//! Colours. The map's scale is ColorBrewer YlGnBu in 5 classes (sequential, readable by the common
//! forms of colour blindness and in greyscale, light = low); no data is a grey hatch, so it cannot be
//! mistaken for the lightest class (0-20 %). The trend's two lines use Okabe-Ito blue and vermillion,
//! and also differ by dash pattern and marker shape.

/// Fill of each map class, lowest first. Class `i` holds percents in `[20·i, 20·(i+1))`, the last
/// one including 100 %.
pub(crate) const STEPS: [&str; 5] = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];

/// Hatch of the no-data pattern and its background.
pub(crate) const NO_DATA_LINE: &str = "#737373";
pub(crate) const NO_DATA_BACKGROUND: &str = "#f0f0f0";

/// Shape borders: mid grey, visible between two neighbours of the lightest class and against the
/// page (white borders vanish there), thin enough not to darken a map of small villages.
pub(crate) const BORDER: &str = "#707070";

/// Text and axes.
pub(crate) const INK: &str = "#333333";
pub(crate) const GRID: &str = "#d9d9d9";

/// Trend lines: % KK akses, % desa SBS.
pub(crate) const KK_AKSES: &str = "#0072b2";
pub(crate) const DESA_SBS: &str = "#d55e00";

/// The class of a measure, or `None` for no data (zero denominator).
pub(crate) fn step(numerator: u64, denominator: u64) -> Option<usize> {
    if denominator == 0 {
        return None;
    }
    let numerator = u128::from(numerator.min(denominator));
    let class = numerator * 5 / u128::from(denominator);
    Some(usize::try_from(class).map_or(STEPS.len() - 1, |c| c.min(STEPS.len() - 1)))
}
