//! Linshu 年终 4: a unit's on-site supervision forms (现场督办情况表) of a month, one printable
//! page each — photos, place, GPS, times, people, findings, signer — with the event id, change
//! hash, certificate and signature that tie the page to the signed record.

use std::io::Read;

use base64::Engine;
use hotline_core::center::{Period, StoreLog, walk_orders};
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::model::{AttachmentRef, GpsFix, UnitId};
use hotline_core::store::DB_FILE;
use hotline_core::workflow::fold;

use super::html::{PhotoCell, SiteFormPage, SiteFormsReport, Text};
use super::{ReportArgs, at, write_html};
use crate::ctx::Ctx;
use crate::output::CliError;

/// Photos larger than this are listed but not embedded (a printable page, not an archive).
const MAX_EMBEDDED_PHOTO: u64 = 8 * 1024 * 1024;

pub fn site_forms(a: &ReportArgs, ctx: &Ctx) -> Result<(), CliError> {
    let (Some(unit), Some(month), Some(path)) = (&a.unit, &a.month, &a.html) else {
        return Err(CliError::new(
            ErrorCode::BadInput,
            "现场督办情况表需要 --unit、--month 和 --html",
            "the on-site forms need --unit, --month and --html",
        ));
    };
    let period = Period::month(month)?;
    let device = open(a, ctx)?;
    let report = collect(&device, &UnitId::new(unit.as_str()), &period)?;
    let count = report.forms.len();
    write_html(path, &super::html::render_site_forms(&report))?;
    if ctx.json {
        return crate::output::print_json(&serde_json::json!({
            "unit": unit, "month": period.label, "forms": count, "html": path.display().to_string(),
        }));
    }
    crate::outln!(
        "{count} 张现场督办情况表 → {} / {count} on-site forms written",
        path.display()
    );
    Ok(())
}

/// The forms of the month on the unit's orders (and those it filled elsewhere), oldest first.
pub fn collect(
    device: &Device,
    unit: &UnitId,
    period: &Period,
) -> Result<SiteFormsReport, CliError> {
    let mut forms = Vec::new();
    let store = device.store();
    walk_orders(
        &mut StoreLog(store),
        device.trust(),
        &mut |order, events| {
            let state = fold(events, device.policy(), device.calendar());
            let Some(details) = &state.details else {
                return Ok(());
            };
            let ours = state.is_handling_unit(unit) || state.returned_by.contains(unit);
            let wanted: Vec<_> = state
                .site_supervisions
                .iter()
                .filter(|f| period.contains(f.content.held_at))
                .filter(|f| ours || &f.by.unit == unit)
                .collect();
            if wanted.is_empty() {
                return Ok(());
            }
            let changes = store.changes_for(order)?;
            for f in wanted {
                let change = changes.iter().find(|c| c.event_id == f.event.0);
                forms.push(SiteFormPage {
                    order: order.0.clone(),
                    receipt: details.receipt.0.clone(),
                    kind: Text {
                        zh: details.kind.zh().to_string(),
                        en: details.kind.as_str().to_string(),
                    },
                    place: f.content.place.clone(),
                    held_at: at(f.content.held_at),
                    recorded_at: at(f.at),
                    gps: f.content.gps.as_ref().map(gps),
                    people_present: f.content.people_present.clone(),
                    findings: f.content.findings.clone(),
                    action_taken: f.content.action_taken.clone(),
                    signer: format!("{} ({}, {})", f.by.person, f.by.role.zh(), f.by.unit),
                    event_id: f.event.0.clone(),
                    change_hash: change.map(|c| c.hash.clone()).unwrap_or_default(),
                    signature: change
                        .map(|c| hex::encode(&c.signature))
                        .unwrap_or_default(),
                    certificate: change.map(|c| c.cert_id.clone()).unwrap_or_default(),
                    photos: f.content.photos.iter().map(|p| photo(device, p)).collect(),
                });
            }
            Ok(())
        },
    )?;
    forms.sort_by(|x, y| {
        x.held_at
            .cmp(&y.held_at)
            .then_with(|| x.order.cmp(&y.order))
    });
    Ok(SiteFormsReport {
        title: Text {
            zh: format!("现场督办情况表 {} {}", unit, period.label),
            en: format!("On-site supervision forms, {unit}, {}", period.label),
        },
        unit: unit.0.clone(),
        month: period.label.clone(),
        hub_hint: Text {
            zh: "核验：在平台或任一持有该工单的设备上运行 hotline show 工单号 --json，对照事件编号与变更哈希；hotline verify 逐一重验签名与照片哈希。".into(),
            en: "To check: run `hotline show ORDER --json` on the hub or any device holding the order and compare the event id and change hash; `hotline verify` re-checks every signature and photo hash.".into(),
        },
        forms,
    })
}

/// The hub's SQLite store (`--data DIR`) or a device store (`--store DIR`).
fn open(a: &ReportArgs, ctx: &Ctx) -> Result<Device, CliError> {
    match &a.data {
        Some(_) if a.database.is_some() => Err(CliError::new(
            ErrorCode::BadInput,
            "现场督办情况表读取平台的 SQLite 存储或设备存储（照片随之读取）；PostgreSQL 平台请在同步了该单位工单的设备上生成",
            "the on-site forms read a hub's SQLite store or a device store (photos included); for a PostgreSQL hub, run it on a device that synced the unit's orders",
        )),
        Some(dir) => {
            let store = dir.join(hotline_hub::STORE_DIR);
            if !store.join(DB_FILE).is_file() {
                return Err(CliError::new(
                    ErrorCode::StoreNotFound,
                    format!("{} 没有平台存储", dir.display()),
                    format!("{} has no hub store", dir.display()),
                ));
            }
            Ok(Device::open_read_only(&store)?)
        }
        None => ctx.open(),
    }
}

fn gps(g: &GpsFix) -> String {
    match g.accuracy_m {
        Some(acc) => format!("{:.5}, {:.5} ±{acc:.0} m", g.lat, g.lon),
        None => format!("{:.5}, {:.5}", g.lat, g.lon),
    }
}

fn photo(device: &Device, p: &AttachmentRef) -> PhotoCell {
    // A signed record names the type; only plain image types go into the page.
    let image = p.media_type.starts_with("image/")
        && p.media_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/+.-".contains(c));
    let data_uri = (image && p.size <= MAX_EMBEDDED_PHOTO)
        .then(|| device.store().open_blob(&p.sha256).ok())
        .flatten()
        .and_then(|mut f| {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).ok().map(|_| bytes)
        })
        // Only a photo whose bytes still match its signed name is shown as that photo.
        .filter(|_| device.store().verify_blob(&p.sha256).is_ok())
        .map(|bytes| {
            format!(
                "data:{};base64,{}",
                p.media_type,
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        });
    PhotoCell {
        name: p.sha256.clone(),
        media_type: p.media_type.clone(),
        taken_at: p.captured_at.map(at).unwrap_or_default(),
        gps: p.gps.as_ref().map(gps),
        data_uri,
    }
}
