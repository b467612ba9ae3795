//! `hotline hub api-key`: keys for the city platform's systems to call the hub's APIs (the
//! JSON API, the event feed, Open311 submissions). A key reads as one enrolled certificate;
//! `--intake` enrols a service identity for the system (role kiosk: it submits for citizens,
//! reads nothing back) and sets up its store in the hub's data folder, so the hub can sign
//! what the system submits.

use std::path::Path;

use hotline_core::authority::{Authority, CENTER_UNIT, EnrolRequest};
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::identity::CertificateId;
use hotline_core::model::{PersonId, Role, UnitId};
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};
use crate::time::local;

/// What `hotline hub api-key` was asked to do.
#[derive(Debug)]
pub enum ApiKeyAction {
    Issue {
        system: String,
        /// Read as this certificate; `None` with `intake`.
        cert: Option<String>,
        intake: bool,
        valid_days: i64,
    },
    Revoke(String),
    List,
}

pub fn run(ctx: &Ctx, data: &Path, action: ApiKeyAction) -> Result<(), CliError> {
    let mut auth = Authority::open(data)?;
    match action {
        ApiKeyAction::List => {
            let keys = auth.api_keys();
            if ctx.json {
                return print_json(&keys);
            }
            for k in keys {
                crate::outln!(
                    "{}  {}  {}  {}{}",
                    k.id,
                    k.system,
                    k.cert,
                    local(k.issued_at),
                    k.revoked_at
                        .map_or_else(String::new, |t| format!("  已吊销 revoked {}", local(t)))
                );
            }
            Ok(())
        }
        ApiKeyAction::Revoke(id) => {
            let k = auth.revoke_api_key(&id, ctx.now)?;
            if ctx.json {
                return print_json(&k);
            }
            crate::outln!("已吊销接口密钥 / API key revoked: {}（{}）", k.id, k.system);
            Ok(())
        }
        ApiKeyAction::Issue {
            system,
            cert,
            intake,
            valid_days,
        } => {
            let cert = match (cert, intake) {
                (Some(c), false) => CertificateId::new(c),
                (None, true) => enrol_intake(ctx, data, &mut auth, &system, valid_days)?,
                _ => {
                    return Err(CliError::new(
                        ErrorCode::Usage,
                        "须指定 --cert（按该证书读取）或 --intake（新建受理服务身份），二者择一",
                        "give --cert (read as that certificate) or --intake (a new intake service identity), one of them",
                    ));
                }
            };
            let (record, token) = auth.issue_api_key(&system, &cert, ctx.now)?;
            if ctx.json {
                return print_json(&json!({
                    "id": record.id,
                    "system": record.system,
                    "cert": record.cert.0,
                    "intake": intake,
                    "token": token,
                }));
            }
            crate::outln!(
                "已签发接口密钥 / API key issued: {}（{}），证书 certificate {}",
                record.id,
                record.system,
                record.cert
            );
            crate::outln!("  密钥（只显示这一次）/ token (shown this once): {token}");
            Ok(())
        }
    }
}

/// Enrols the system's intake service identity and sets up its store under
/// `DATA/services/<certificate>/`, where the hub finds it.
fn enrol_intake(
    ctx: &Ctx,
    data: &Path,
    auth: &mut Authority,
    system: &str,
    valid_days: i64,
) -> Result<CertificateId, CliError> {
    if valid_days <= 0 {
        return Err(CliError::new(
            ErrorCode::Usage,
            "--valid-days 须为正数",
            "--valid-days must be positive",
        ));
    }
    let slug: String = system
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let req = EnrolRequest {
        role: Role::Kiosk,
        unit: UnitId::new(CENTER_UNIT),
        person: PersonId::new(format!("intake-{slug}")),
        display_name: format!("{system}（受理服务 intake service）"),
        area: String::new(),
        not_before: ctx.now,
        valid_days,
    };
    let cred = auth.enrol(&req, None, ctx.now)?;
    let id = cred.certificate.body.id.clone();
    let dir = data.join(hotline_hub::SERVICES_DIR).join(&id.0);
    Device::init(&dir, &cred, ctx.now)?;
    Ok(id)
}
