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

/// A service identity the hub keeps a store for.
#[derive(Debug)]
pub enum ServiceKind {
    /// Submits through Open311 (role kiosk).
    Intake,
    /// Opens contacts through the API: the center's callback desk, or a unit's staff.
    Reader { unit: Option<String> },
}

/// What `hotline hub api-key` was asked to do.
#[derive(Debug)]
pub enum ApiKeyAction {
    Issue {
        system: String,
        /// Read as this certificate; `None` with a service.
        cert: Option<String>,
        service: Option<ServiceKind>,
        valid_days: i64,
        area: String,
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
            service,
            valid_days,
            area,
        } => {
            let intake = matches!(service, Some(ServiceKind::Intake));
            let cert = match (cert, service) {
                (Some(c), None) => CertificateId::new(c),
                (None, Some(kind)) => {
                    enrol_service(ctx, data, &mut auth, &system, kind, valid_days, area)?
                }
                _ => {
                    return Err(CliError::new(
                        ErrorCode::Usage,
                        "须指定 --cert（按该证书读取）、--intake 或 --reader（新建服务身份），三者择一",
                        "give --cert (read as that certificate), --intake or --reader (a new service identity), one of them",
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

/// Enrols the system's service identity and sets up its store under
/// `DATA/services/<certificate>/`, where the hub finds it.
fn enrol_service(
    ctx: &Ctx,
    data: &Path,
    auth: &mut Authority,
    system: &str,
    kind: ServiceKind,
    valid_days: i64,
    area: String,
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
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let (role, unit, prefix, label) = match kind {
        ServiceKind::Intake => (
            Role::Kiosk,
            CENTER_UNIT.to_string(),
            "intake",
            "受理服务 intake service",
        ),
        ServiceKind::Reader { unit: None } => (
            Role::Callback,
            CENTER_UNIT.to_string(),
            "reader",
            "读取服务 reader service",
        ),
        ServiceKind::Reader { unit: Some(u) } => {
            (Role::Staff, u, "reader", "读取服务 reader service")
        }
    };
    let req = EnrolRequest {
        role,
        unit: UnitId::new(unit),
        person: PersonId::new(format!("{prefix}-{slug}")),
        display_name: format!("{system}（{label}）"),
        area,
        not_before: ctx.now,
        valid_days,
    };
    let cred = auth.enrol(&req, None, ctx.now)?;
    let id = cred.certificate.body.id.clone();
    let dir = data.join(hotline_hub::SERVICES_DIR).join(&id.0);
    Device::init(&dir, &cred, ctx.now)?;
    Ok(id)
}

/// `hotline hub webhook`: add (the key must exist), remove or list the webhooks.
pub fn webhook(
    ctx: &Ctx,
    data: &Path,
    add: Option<(String, String)>,
    remove: Option<String>,
    list: bool,
) -> Result<(), CliError> {
    use hotline_hub::api::webhooks;
    if let Some((key, url)) = add {
        let auth = Authority::open(data)?;
        if !auth
            .api_keys()
            .iter()
            .any(|k| k.id == key && k.revoked_at.is_none())
        {
            return Err(hotline_core::device::DeviceError::UnknownApiKey(key).into());
        }
        let hook = webhooks::add(data, &key, &url)?;
        if ctx.json {
            return print_json(&hook);
        }
        crate::outln!("已配置事件推送 / webhook set: {} → {}", hook.key, hook.url);
        crate::outln!(
            "  签名密钥（只显示这一次）/ signing secret (shown this once): {}",
            hook.secret
        );
        return Ok(());
    }
    if let Some(key) = remove {
        let removed = webhooks::remove(data, &key)?;
        if ctx.json {
            return print_json(&json!({ "key": key, "removed": removed }));
        }
        crate::outln!("已移除 / removed: {key} ({removed})");
        return Ok(());
    }
    if !list {
        return Err(CliError::new(
            ErrorCode::Usage,
            "须指定 --key 与 --url、--remove 或 --list",
            "give --key with --url, --remove or --list",
        ));
    }
    let hooks: Vec<_> = webhooks::list(data)?
        .into_iter()
        .map(|h| json!({ "key": h.key, "url": h.url }))
        .collect();
    if ctx.json {
        return print_json(&hooks);
    }
    for h in &hooks {
        crate::outln!(
            "{}  {}",
            h["key"].as_str().unwrap_or(""),
            h["url"].as_str().unwrap_or("")
        );
    }
    Ok(())
}
