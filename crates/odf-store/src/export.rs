//! The visits export for analysts ([`Exports`](crate::Exports)): visits with their household's
//! current details, read in pages by a keyset cursor so an export of any size holds one page.

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, GpsFlag, Visit};
use uuid::Uuid;

/// The most rows one page returns: bounds what an export holds at a time.
pub const MAX_EXPORT_PAGE: u32 = 10_000;

/// Which visits to export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitFilter {
    /// Visits of villages at or under this area (`None`: everywhere).
    pub under: Option<AreaCode>,
    /// Only visits made at or before this moment (`None`: all). The store may return a few rows
    /// after it when its stored timestamps compare coarsely: the caller applies its exact day rule.
    pub visited_by: Option<DateTime<Utc>>,
}

/// Where the next page starts: the last row's village and visit id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCursor {
    pub village: AreaCode,
    pub visit: Uuid,
}

/// One exported visit, with its household as stored now.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportVisit {
    pub visit: Visit,
    pub village: AreaCode,
    pub flags: Vec<GpsFlag>,
    pub received_at: DateTime<Utc>,
    pub head_name: String,
    pub kk_count: u16,
    pub dusun: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
}

impl ExportVisit {
    /// The cursor that continues after this row.
    pub fn cursor(&self) -> ExportCursor {
        ExportCursor { village: self.village, visit: self.visit.id }
    }
}
