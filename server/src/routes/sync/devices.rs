//! What the pushing phone said about itself, stored with the push's records.
//!
//! The report is not a record: when it breaks the text rule it is left out (the records of the push
//! are still stored), and its pending count is bounded, so one phone cannot claim billions of unsent
//! records in the freshness figures. The store keeps a device id with the user who first reported it.

use odf_domain::check_text;
use odf_domain::input::has_forbidden_character;
use odf_mobile_api::DeviceReport;
use odf_store::DeviceRecord;

use super::Push;

/// More unsent records than any phone holds: larger counts are capped here.
pub const MAX_PENDING_COUNT: i64 = 100_000;

/// The device's record after this push of `total` records; `None` when the report is unusable.
pub fn record(push: &Push<'_>, report: &DeviceReport, total: usize) -> Option<DeviceRecord> {
    // Over-long texts are cut as before; hostile characters drop the report.
    let device_id: String = report.device_id.chars().take(100).collect();
    let app_version: String = report.app_version.chars().take(50).collect();
    check_text("device.device_id", &device_id, 100).ok()?;
    if has_forbidden_character(&app_version) {
        return None;
    }
    // The phone counts this push among its pending records, and every record of it is answered now,
    // so what it still holds unsent is the rest. (Its oldest unsent time may then be a little early:
    // the phone only reports the oldest of all.)
    let still_pending = i64::from(report.pending_count)
        .saturating_sub(i64::try_from(total).unwrap_or(0))
        .clamp(0, MAX_PENDING_COUNT);
    Some(DeviceRecord {
        device_id,
        username: push.caller.user.username.clone(),
        app_version,
        pending_count: still_pending,
        oldest_pending_at: report.oldest_pending_at.filter(|_| still_pending > 0),
        last_sync_at: push.now,
    })
}
