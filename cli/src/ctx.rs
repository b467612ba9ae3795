//! What every device command shares: the store, the person acting, the instant, the output mode;
//! and the small parsers for what people type (GPS fixes, photo files, names from a list).

use hotline_core::device::{Device, DeviceError, PhotoInput, PhotoSource};
use hotline_core::error::ErrorCode;
use hotline_core::model::{GpsFix, Timestamp};
use hotline_core::store::DB_FILE;
use std::path::{Path, PathBuf};

use crate::output::CliError;

/// The global options, resolved.
#[derive(Debug)]
pub struct Ctx {
    pub json: bool,
    pub now: Timestamp,
    /// `--as PERSON` (person id or certificate id).
    pub who: Option<String>,
    /// `--store DIR`, else `$HOTLINE_STORE`.
    pub store: Option<PathBuf>,
}

impl Ctx {
    pub fn who(&self) -> Option<&str> {
        self.who.as_deref()
    }

    pub fn store_dir(&self) -> Result<&Path, CliError> {
        self.store.as_deref().ok_or_else(|| {
            CliError::new(
                ErrorCode::StoreRequired,
                "请用 --store DIR 或环境变量 HOTLINE_STORE 指定设备存储目录",
                "give the device store with --store DIR or the HOTLINE_STORE environment variable",
            )
        })
    }

    /// Opens an existing, set-up store. A missing directory is an error here rather than a new
    /// empty store, so a typo in `--store` never scatters stores around the disk.
    pub fn open(&self) -> Result<Device, CliError> {
        let dir = self.store_dir()?;
        if !dir.join(DB_FILE).is_file() {
            return Err(CliError::new(
                ErrorCode::StoreNotFound,
                format!(
                    "{} 不是设备存储（没有 {DB_FILE}）；请先运行 hotline device init",
                    dir.display()
                ),
                format!(
                    "{} is not a device store (no {DB_FILE}); run `hotline device init` first",
                    dir.display()
                ),
            ));
        }
        match Device::open(dir) {
            // A store this user may read but not write (a write-protected card, an auditor's
            // copy) is still shown; commands that change it say why they cannot.
            Err(e) if read_only(&e) => Ok(Device::open_read_only(dir)?),
            other => Ok(other?),
        }
    }
}

/// Whether opening for writing failed only because the store cannot be written here.
fn read_only(e: &DeviceError) -> bool {
    matches!(
        hotline_core::Coded::code(e),
        ErrorCode::StoreReadOnly | ErrorCode::StoreIo | ErrorCode::DeviceIo
    )
}

/// Reads and validates a jurisdiction's policy file (the policy module itself reads no files).
pub fn load_policy_file(
    path: &Path,
) -> Result<hotline_core::policy::LoadedPolicy, hotline_core::policy::PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        hotline_core::policy::PolicyError::Unreadable {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    })?;
    hotline_core::policy::parse_policy_toml(&text)
}

/// `LAT,LON` (decimal degrees, WGS-84 as the phone reports it) into a manual fix.
pub fn parse_gps(s: &str, accuracy_m: Option<f64>) -> Result<GpsFix, CliError> {
    let bad = |why_zh: &str, why_en: &str| {
        CliError::new(
            ErrorCode::BadGps,
            format!("定位“{s}”无效：{why_zh}（格式：纬度,经度，例如 35.76,115.03）"),
            format!("bad GPS fix `{s}`: {why_en} (use LAT,LON, e.g. 35.76,115.03)"),
        )
    };
    let (lat, lon) = s
        .split_once(',')
        .ok_or_else(|| bad("缺少逗号", "no comma"))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| bad("纬度不是数字", "latitude is not a number"))?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| bad("经度不是数字", "longitude is not a number"))?;
    let fix = GpsFix {
        accuracy_m,
        ..GpsFix::manual(lat, lon)
    };
    if fix.is_valid() {
        Ok(fix)
    } else {
        Err(bad(
            "超出范围（纬度 −90…90，经度 −180…180，精度 ≥ 0）",
            "out of range (latitude −90…90, longitude −180…180, accuracy ≥ 0)",
        ))
    }
}

pub fn parse_gps_opt(s: Option<&str>) -> Result<Option<GpsFix>, CliError> {
    s.map(|s| parse_gps(s, None)).transpose()
}

/// The media type a photo file is stored with, from its extension.
pub fn media_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// A photo file, streamed by the core (never read whole). Missing files are refused here with
/// the file's name, before anything is stored.
pub fn photo(
    path: &Path,
    captured_at: Option<Timestamp>,
    gps: Option<GpsFix>,
) -> Result<PhotoInput, CliError> {
    if !path.is_file() {
        return Err(CliError::new(
            ErrorCode::FileNotFound,
            format!("找不到照片文件 {}", path.display()),
            format!("photo file {} not found", path.display()),
        ));
    }
    Ok(PhotoInput {
        source: PhotoSource::Path(path.to_path_buf()),
        media_type: media_type(path).to_string(),
        captured_at,
        gps,
    })
}

/// A value that is not one of a fixed list.
pub fn unknown(
    code: ErrorCode,
    what_zh: &str,
    what_en: &str,
    value: &str,
    known: &[&str],
) -> CliError {
    CliError::new(
        code,
        format!("未知的{what_zh}“{value}”；可用：{}", known.join("、")),
        format!(
            "unknown {what_en} `{value}`; use one of: {}",
            known.join(", ")
        ),
    )
}

/// Reads a JSON file the hub or a device wrote.
pub fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    code: ErrorCode,
    what_zh: &str,
    what_en: &str,
) -> Result<T, CliError> {
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::new(
            ErrorCode::FileIo,
            format!("无法读取{what_zh} {}：{e}", path.display()),
            format!("cannot read {what_en} {}: {e}", path.display()),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CliError::new(
            code,
            format!("{} 不是有效的{what_zh}：{e}", path.display()),
            format!("{} is not a valid {what_en}: {e}", path.display()),
        )
    })
}

/// Writes `bytes` to a new file (never over an existing one); `private` files are 0600 on Unix.
pub fn write_new_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), CliError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let io = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::new(
                ErrorCode::FileExists,
                format!("文件 {} 已存在，拒绝覆盖", path.display()),
                format!(
                    "{} already exists; refusing to overwrite it",
                    path.display()
                ),
            )
        } else {
            CliError::new(
                ErrorCode::FileIo,
                format!("无法写入 {}：{e}", path.display()),
                format!("cannot write {}: {e}", path.display()),
            )
        }
    };
    let mut file = opts.open(path).map_err(io)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io)
}

pub fn to_json_bytes<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CliError> {
    serde_json::to_vec_pretty(value).map_err(|e| {
        CliError::new(
            ErrorCode::Output,
            format!("无法生成 JSON：{e}"),
            format!("cannot encode JSON: {e}"),
        )
    })
}

/// A value of one of the model's enums by its stable name, or the typed error listing them all.
pub fn parse_named<T: Copy>(
    value: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    (code, what_zh, what_en): (ErrorCode, &str, &str),
) -> Result<T, CliError> {
    all.iter()
        .copied()
        .find(|v| name(*v) == value)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            unknown(code, what_zh, what_en, value, &names)
        })
}

/// `--origin`: local provincial_hotline city_hotline county_center diverted_110.
pub fn parse_origin(s: &str) -> Result<hotline_core::model::Origin, CliError> {
    use hotline_core::model::Origin;
    parse_named(
        s,
        &Origin::ALL,
        Origin::as_str,
        (ErrorCode::UnknownOrigin, "来源", "origin"),
    )
}
