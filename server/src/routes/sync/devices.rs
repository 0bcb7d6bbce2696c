//! What the pushing phone said about itself, stored with the push's records.

use odf_mobile_api::DeviceReport;
use odf_store::DeviceRecord;

use super::Push;

/// The device's record after this push of `total` records.
pub fn record(push: &Push<'_>, report: &DeviceReport, total: usize) -> DeviceRecord {
    // The phone counts this push among its pending records, and every record of it is answered now,
    // so what it still holds unsent is the rest. (Its oldest unsent time may then be a little early:
    // the phone only reports the oldest of all.)
    let still_pending =
        i64::from(report.pending_count).saturating_sub(i64::try_from(total).unwrap_or(0)).max(0);
    DeviceRecord {
        device_id: report.device_id.chars().take(100).collect(),
        username: push.caller.user.username.clone(),
        app_version: report.app_version.chars().take(50).collect(),
        pending_count: still_pending,
        oldest_pending_at: report.oldest_pending_at.filter(|_| still_pending > 0),
        last_sync_at: push.now,
    }
}
