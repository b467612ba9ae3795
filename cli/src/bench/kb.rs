//! `hotline bench kb`: the kiosk's numbers (issue 13) —
//! * search: p50/p99 of `kb_search` over a device store of N items, with the same queries over
//!   N/10 items as the baseline measured in the same run (how it grows), and a lookup by id;
//! * sync: time and bytes to carry an update of U items from the publishing desk through the
//!   hub to a kiosk, each way, against an idle sync round of the same devices;
//! * duplicates: p50/p99 of the duplicate check at intake with M orders stored — spread over
//!   20 townships, and all in the township asked about (the worst case) — against the same
//!   check with M/10 orders.
//!
//! Devices and the hub are in this process; every sync message is encoded and decoded as on
//! the wire (the sans-IO protocol, HTTP left out).

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use clap::Args;
use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::device::{Device, KbDraft, MatchWindow, SubmitRequest};
use hotline_core::error::ErrorCode;
use hotline_core::kb::KbFields;
use hotline_core::model::{
    Channel, Location, Origin, PersonId, RequestKind, Role, UnitId, Urgency,
};
use hotline_core::policy::preset;
use hotline_core::sync::wire::{self, SignedRequest};
use hotline_core::sync::{Directory, SqliteHub, SyncClient, serve};
use serde_json::{Value, json};

use super::{fail, stats, tempfile_dir};
use crate::output::CliError;

#[derive(Args, Debug)]
pub struct KbArgs {
    /// Items in the searched store.
    #[arg(long, default_value_t = 10_000)]
    pub items: usize,
    /// Items in the update carried to the kiosk.
    #[arg(long, default_value_t = 100)]
    pub update: usize,
    /// Orders stored for the duplicate check.
    #[arg(long, default_value_t = 10_000)]
    pub orders: usize,
    /// Queries timed in each search and duplicate pass.
    #[arg(long, default_value_t = 300)]
    pub queries: usize,
    /// Work folder (default: a new temporary folder, removed afterwards).
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
}

/// Matters people ask the hotline about: (title, answer, the words a citizen uses).
const TOPICS: &[(&str, &str, &str)] = &[
    (
        "居住证办理",
        "在本市居住满半年并有稳定就业或住所的，可到居住地派出所申领居住证。",
        "怎么办居住证",
    ),
    (
        "新生儿落户",
        "新生儿出生一个月内由监护人到户籍所在地派出所申报出生登记。",
        "孩子出生怎么上户口",
    ),
    (
        "医保异地就医备案",
        "参保人员异地就医前通过国家医保服务平台App备案，备案后直接结算。",
        "去外地看病医保怎么备案",
    ),
    (
        "低保申请",
        "家庭人均收入低于当地低保标准的，可向户籍所在地乡镇申请最低生活保障。",
        "低保申请条件",
    ),
    (
        "住房公积金提取",
        "购房、租房、退休等情形可以提取住房公积金，可在公积金App办理。",
        "公积金怎么取",
    ),
    (
        "ETC办理与注销",
        "ETC卡可在合作银行网点办理，车辆过户前须先注销ETC。",
        "ETC注销",
    ),
    (
        "不动产权证书办理",
        "新建商品房买受人交房后可申请不动产权证书，一般5个工作日办结。",
        "新房不动产证多久能办",
    ),
    (
        "身份证补领",
        "身份证丢失的可到派出所补领，异地也可办理。",
        "身份证丢了",
    ),
    (
        "养老保险缴费",
        "灵活就业人员可通过税务App按月或按年缴纳养老保险。",
        "灵活就业交养老保险",
    ),
    (
        "失业保险金申领",
        "非因本人意愿中断就业且缴费满一年的，可申领失业保险金。",
        "失业金怎么领",
    ),
    (
        "营业执照办理",
        "个体工商户可通过政务服务网全程网办营业执照，一般1个工作日办结。",
        "开店办营业执照",
    ),
    (
        "机动车驾驶证换证",
        "驾驶证有效期满前90日内可到车管所或通过交管12123App申请换证。",
        "驾照到期换证",
    ),
    (
        "供暖费缴纳",
        "供暖费可在供热公司营业厅或微信公众号缴纳，逾期影响供暖。",
        "暖气费在哪交",
    ),
    (
        "自来水开户",
        "新房用水开户携带房产证明到自来水公司营业厅办理。",
        "新房怎么开通自来水",
    ),
    (
        "高龄津贴申领",
        "年满80周岁的老人可向社区申请高龄津贴，按月发放。",
        "80岁老人补贴",
    ),
    (
        "残疾证办理",
        "持户口簿和身份证到县残联申请残疾评定，评定后发放残疾证。",
        "怎么办残疾证",
    ),
    (
        "义务教育入学",
        "适龄儿童按户籍和房产划片入学，5月中旬网上报名。",
        "孩子上小学怎么报名",
    ),
    (
        "5G基站电磁辐射",
        "5G基站辐射须符合国家标准GB 8702-2014，生态环境部门可上门检测。",
        "5G基站有辐射吗",
    ),
    (
        "PM2.5空气质量",
        "空气质量和PM2.5实时数据可在生态环境局网站查询。",
        "PM2.5数据",
    ),
    (
        "12345热线受理范围",
        "12345受理咨询、求助、投诉、举报和建议，紧急事项请拨110、119、120。",
        "12345管什么",
    ),
];

const PLACES: &[&str] = &[
    "华龙区",
    "濮阳县",
    "清丰县",
    "南乐县",
    "范县",
    "台前县",
    "开发区",
    "工业园区",
    "示范区",
    "古城街道",
    "胜利路街道",
    "中原路街道",
    "人民路街道",
    "孟轲乡",
    "岳村镇",
    "王助镇",
    "新习镇",
    "皇甫街道",
    "昆吾街道",
    "京开街道",
];

/// Complaints as citizens word them, for the stored orders: (place, text).
const COMPLAINTS: &[&str] = &[
    "夜间施工噪音扰民，晚上十一点还在打桩",
    "路灯全都不亮，晚上一片漆黑",
    "停水一天了还没来水，也没有提前通知",
    "垃圾好几天没人清运，臭气熏天",
    "有人占道摆摊卖菜，早上堵车",
    "烧烤店油烟太大，晚上吵到一两点",
    "电梯坏了一个星期，老人上下楼不方便",
    "井盖丢了，骑电动车差点摔倒",
    "小区物业乱收费，停车费一个月涨到三百元",
    "渣土车不盖篷布，泥土撒了一路",
];

fn item(i: usize) -> KbDraft {
    let (title, answer, _) = TOPICS[i % TOPICS.len()];
    let place = PLACES[(i / TOPICS.len()) % PLACES.len()];
    let window = i / (TOPICS.len() * PLACES.len()) + 1;
    KbDraft {
        id: format!("kb-{i:06}"),
        unit: Some(UnitId::new(format!("unit-{:02}", i % 20))),
        title: format!("{place}{title}（第{window}窗口）"),
        answer: format!("{place}：{answer}"),
        fields: KbFields {
            place: format!("{place}政务服务中心{window}号窗口"),
            time_limit: format!("{}个工作日", 1 + i % 15),
            ..KbFields::default()
        },
        ..KbDraft::default()
    }
}

fn complaint(i: usize, division: &str) -> SubmitRequest {
    let text = COMPLAINTS[i % COMPLAINTS.len()];
    let street = format!(
        "{}路{}号",
        ["建设", "胜利", "中原", "人民", "京开"][i % 5],
        i / 10 % 400
    );
    SubmitRequest {
        kind: RequestKind::Complaint,
        urgency: Urgency::Normal,
        channel: Channel::Phone,
        text: format!("{street}{text}"),
        location: Location {
            address: street,
            division_code: Some(division.to_string()),
            gps: None,
        },
        contact: None,
        confidential: false,
        photos: Vec::new(),
        origin: Origin::Local,
        emergency_category: None,
        category: None,
    }
}

fn division(i: usize) -> String {
    format!("4109020{:02}", i % 20 + 1)
}

struct City {
    authority: Authority,
    dir: std::path::PathBuf,
    base: DateTime<Utc>,
}

impl City {
    fn device(&mut self, role: Role, unit: &str, person: &str) -> Result<Device, CliError> {
        let cred = self.authority.enrol(
            &EnrolRequest {
                role,
                unit: UnitId::new(unit),
                person: PersonId::new(person),
                display_name: "基准测试".into(),
                area: "4109".into(),
                not_before: self.base - Duration::days(30),
                valid_days: 365,
            },
            None,
            self.base,
        )?;
        Ok(Device::init(&self.dir.join(person), &cred, self.base)?)
    }

    fn hub(&self) -> Result<(SqliteHub, Directory), CliError> {
        let a = &self.authority;
        let mut hub = SqliteHub::init(
            &self.dir.join("hub-store"),
            a.root_public(),
            a.platform_public(),
            &a.policy()?,
        )?;
        for cert in a.issued() {
            hub.device_mut().add_certificate(cert.clone())?;
        }
        let dir = Directory {
            certificates: a.issued().to_vec(),
            revocations: a.revocations().cloned(),
            units: a.unit_directory(),
            catalogue: None,
        };
        Ok((hub, dir))
    }
}

/// One whole sync of `device` with the in-process hub: (milliseconds, bytes up, bytes down).
fn sync(
    hub: &mut SqliteHub,
    dir: &Directory,
    device: &mut Device,
    now: DateTime<Utc>,
) -> Result<(f64, usize, usize), CliError> {
    let started = Instant::now();
    let mut client = SyncClient::new(device, "hub", None)?;
    let (mut up, mut down) = (0, 0);
    for _ in 0..1_000 {
        let req = wire::encode(&client.request(device, now)?)?;
        up += req.len();
        let req: SignedRequest = wire::decode(&req)?;
        let (resp, _) = serve(hub, dir, &req, now)?;
        let resp = wire::encode(&resp)?;
        down += resp.len();
        if client.response(device, wire::decode(&resp)?, now)? {
            return Ok((started.elapsed().as_secs_f64() * 1e3, up, down));
        }
    }
    Err(fail(
        ErrorCode::Bench,
        "a sync did not finish in 1,000 rounds",
    ))
}

fn timed<T>(
    n: usize,
    mut f: impl FnMut(usize) -> Result<T, CliError>,
) -> Result<Vec<f64>, CliError> {
    let mut ms = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i)?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(ms)
}

pub fn run(args: KbArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    if args.items < 10 || args.orders < 10 || args.update == 0 || args.queries == 0 {
        return Err(fail(
            ErrorCode::BadInput,
            "--items and --orders must be at least 10; --update and --queries at least 1",
        ));
    }
    let tmp = tempfile_dir(args.dir.as_deref())?;
    let base = DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| fail(ErrorCode::Bench, e))?;
    let mut city = City {
        authority: Authority::create(&tmp.path.join("city"), preset("puyang")?)?,
        dir: tmp.path.clone(),
        base,
    };
    let now = base + Duration::hours(1);

    // Search.
    let mut small = city.device(Role::Dispatcher, "center", "desk-small")?;
    let mut desk = city.device(Role::Dispatcher, "center", "desk")?;
    let publish = Instant::now();
    for i in 0..args.items {
        if i < args.items / 10 {
            small.kb_publish(None, item(i), base)?;
        }
        desk.kb_publish(None, item(i), base)?;
    }
    put(
        "kb_store",
        json!({ "items": args.items, "publish_ms_per_item": stats::ms2(publish.elapsed().as_secs_f64() * 1e3 / args.items as f64) }),
    );
    let query = |i: usize| {
        let (_, _, words) = TOPICS[i % TOPICS.len()];
        format!("{}{words}", PLACES[i / TOPICS.len() % PLACES.len()])
    };
    let mut found = 0usize;
    let full = timed(args.queries, |i| {
        let hits = desk.kb_search(&query(i), 5, now)?;
        found += usize::from(
            hits.first()
                .is_some_and(|h| h.item.title.contains(TOPICS[i % TOPICS.len()].0)),
        );
        Ok(())
    })?;
    let tenth = timed(args.queries, |i| Ok(small.kb_search(&query(i), 5, now)?))?;
    let by_id = timed(args.queries, |i| {
        Ok(desk.kb_item(&format!("kb-{:06}", i * 7 % args.items))?)
    })?;
    put(
        "kb_search",
        json!({
            "items": args.items, "latency": stats::latencies(full),
            "top_hit_is_the_topic": format!("{found}/{}", args.queries),
        }),
    );
    put(
        "kb_search_baseline",
        json!({
            "items": args.items / 10, "latency": stats::latencies(tenth),
            "lookup_by_id": stats::latencies(by_id),
        }),
    );

    // Sync of an update: the desk publishes U new versions; they go up to the hub and down to
    // a kiosk that already holds the rest (enrolled before the desk's people, so the signers'
    // certificates travel too).
    let mut kiosk = city.device(Role::Kiosk, "center", "kiosk")?;
    let mut publisher = city.device(Role::Dispatcher, "center", "publisher")?;
    let (mut hub, directory) = city.hub()?;
    let seed = args.update * 4;
    for i in 0..seed {
        publisher.kb_publish(None, item(i), base)?;
    }
    sync(&mut hub, &directory, &mut publisher, now)?;
    sync(&mut hub, &directory, &mut kiosk, now)?;
    let idle = sync(&mut hub, &directory, &mut kiosk, now)?;
    for i in 0..args.update {
        let mut draft = item(i * 3 % seed);
        draft.answer = format!("{}（2026年3月起按新规办理）", draft.answer);
        draft.expected_version = Some(1);
        publisher.kb_publish(None, draft, now)?;
    }
    let up = sync(&mut hub, &directory, &mut publisher, now)?;
    let down = sync(&mut hub, &directory, &mut kiosk, now)?;
    let updated = kiosk
        .kb_items(None)?
        .iter()
        .filter(|i| i.version == 2)
        .count();
    put(
        "kb_update_sync",
        json!({
            "items": args.update,
            "push_ms": stats::ms2(up.0), "push_bytes_up": up.1, "push_bytes_down": up.2,
            "kiosk_pull_ms": stats::ms2(down.0), "kiosk_bytes_up": down.1, "kiosk_bytes_down": down.2,
            "kiosk_holds_updated": updated,
        }),
    );
    put(
        "kb_idle_sync_baseline",
        json!({ "ms": stats::ms2(idle.0), "bytes_up": idle.1, "bytes_down": idle.2 }),
    );

    // The duplicate check at intake.
    for (name, spread) in [
        ("spread_over_20_townships", true),
        ("all_in_one_township", false),
    ] {
        let mut intake = city.device(Role::Intake, "center", &format!("intake-{name}"))?;
        let mut tenth = city.device(Role::Intake, "center", &format!("intake-small-{name}"))?;
        for i in 0..args.orders {
            let d = if spread { division(i) } else { division(0) };
            let at = base - Duration::minutes(i64::try_from(args.orders - i).unwrap_or(0));
            if i % 10 == 0 {
                tenth.submit(None, complaint(i, &d), at)?;
            }
            intake.submit(None, complaint(i, &d), at)?;
        }
        let window = MatchWindow::default();
        let mut offered = 0usize;
        let check = |d: &Device, i: usize, count: &mut usize| -> Result<(), CliError> {
            let r = complaint(i * 13, &division(0));
            let found = d.intake_candidates(r.kind, &r.text, &r.location, now, &window)?;
            *count += usize::from(!found.is_empty());
            Ok(())
        };
        let full = timed(args.queries, |i| check(&intake, i, &mut offered))?;
        let mut ignored = 0;
        let small = timed(args.queries, |i| check(&tenth, i, &mut ignored))?;
        put(
            &format!("intake_duplicates_{name}"),
            json!({
                "orders": args.orders, "latency": stats::latencies(full),
                "offered": format!("{offered}/{}", args.queries),
                "baseline": { "orders": args.orders / 10, "latency": stats::latencies(small) },
            }),
        );
        drop(intake);
        let _ = std::fs::remove_dir_all(city.dir.join(format!("intake-{name}")));
    }
    Ok(())
}
