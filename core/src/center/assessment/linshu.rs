//! Linshu's daily assessment (2020年度12345政务服务热线工作考核办法 三(一)): volume 10,
//! response 15 (service 10 + handling 5), first-time resolution 35, reopen satisfaction 20,
//! reopen rate 10 (county 5 + city 5), difficult requests 5, supervision 5 — normalised within
//! towns and within county departments — and the 80/20 annual weighting (二).

use super::{
    Assessment, AssessmentInputs, Indicator, Method, UnitAssessment, UnitClass, bounds, count,
    normalised, ratio, round4, volume_of,
};
use crate::center::Period;
use crate::center::facts::OrderFacts;
use crate::model::{Origin, SupervisionForm, Timestamp, UnitId};

/// Raw figures of one unit before the normalisation across its class.
struct Raw {
    unit: UnitId,
    class: UnitClass,
    class_given: bool,
    volume: usize,
    service: Option<f64>,
    handling: f64,
    handling_working: String,
    first_time: Option<f64>,
    reopen_satisfied: Option<f64>,
    county_reopen: Option<f64>,
    city_reopen: Option<f64>,
    non_compliant_share: Option<f64>,
    difficult_fixed: f64,
    difficult_working: String,
    supervision: f64,
    supervision_working: String,
}

pub fn assess(
    facts: &[OrderFacts],
    inputs: &AssessmentInputs,
    units: &[UnitId],
    period: &Period,
    now: Timestamp,
) -> Assessment {
    let as_of = period.as_of(now);
    let raws: Vec<Raw> = units
        .iter()
        .map(|u| raw(facts, inputs, u, period, as_of))
        .collect();
    let mut out = Vec::with_capacity(raws.len());
    for r in &raws {
        let peers: Vec<&Raw> = raws.iter().filter(|p| p.class == r.class).collect();
        out.push(score(r, &peers, inputs, period));
    }
    Assessment {
        method: Method::Linshu,
        period: period.clone(),
        as_of,
        units: out,
        notes: vec![
            "镇街、县直单位分别归一化：得分 = W ×［(x−最小值)/(最大值−最小值) + k × (最大值−x)/(最大值−最小值)］，\
             全部相同时得 W / towns and county departments are normalised apart; all equal scores W"
                .to_string(),
        ],
    }
}

fn raw(
    facts: &[OrderFacts],
    inputs: &AssessmentInputs,
    unit: &UnitId,
    period: &Period,
    as_of: Timestamp,
) -> Raw {
    let figures = inputs
        .figures(&period.label, &unit.0)
        .cloned()
        .unwrap_or_default();
    let orders: Vec<&OrderFacts> = volume_of(facts, unit, period).collect();
    let n = orders.len();
    let rate =
        |pick: &dyn Fn(&OrderFacts) -> bool| ratio(orders.iter().filter(|f| pick(f)).count(), n);

    // 2(1): x = (volume − unresponded) / volume.
    let unresponded = orders
        .iter()
        .filter(|f| f.ratings.iter().any(|r| r.at <= as_of && r.unresponded()))
        .count();
    let service = ratio(n.saturating_sub(unresponded), n);

    // 2(2): the handling process, 5 points less 0.2 / 0.5 per fault in the period.
    let returns: Vec<_> = facts
        .iter()
        .flat_map(|f| &f.returns)
        .filter(|r| &r.unit == unit && period.contains(r.at) && r.at <= as_of)
        .collect();
    let faulty = returns.iter().filter(|r| r.late || r.without_call).count();
    let insisted = returns.iter().filter(|r| r.insisted).count();
    let own_duty = returns.iter().filter(|r| r.approved == Some(false)).count();
    let late_replies = facts
        .iter()
        .flat_map(|f| &f.dues)
        .filter(|d| &d.unit == unit && period.contains(d.due) && d.missed(as_of))
        .count();
    let handling =
        (5.0 - 0.2 * count(faulty + insisted + late_replies) - 0.5 * count(own_duty)).max(0.0);
    let handling_working = format!(
        "5 − 0.2 × ({faulty} 次退回超时/未电话 + {insisted} 次执意退回 + {late_replies} 次超期) − 0.5 × {own_duty} 次本单位职责作退回"
    );

    // 5: orders reopened twice or more, by the level that reopened them (their origin).
    let reopened_twice = |levels: &[Origin]| {
        ratio(
            orders
                .iter()
                .filter(|f| levels.contains(&f.origin) && f.reopens_by(as_of) >= 2)
                .count(),
            n,
        )
    };
    // 6: non-compliant applications in the period, and the center's findings on them.
    let applications: Vec<_> = facts
        .iter()
        .flat_map(|f| &f.non_compliant)
        .filter(|a| &a.unit == unit && period.contains(a.at) && a.at <= as_of)
        .collect();
    let badly_founded = applications
        .iter()
        .filter(|a| a.approved == Some(false))
        .count();
    let falsified = figures.falsified_applications.unwrap_or(0) as usize;
    let difficult_fixed = (3.0 - 0.5 * count(badly_founded) - count(falsified)).max(0.0);
    // 7: each supervision of the period by its form; the inputs add what hotline does not see.
    let supervisions: Vec<_> = facts
        .iter()
        .flat_map(|f| &f.supervisions)
        .filter(|s| s.unit.as_ref() == Some(unit) && period.contains(s.at) && s.at <= as_of)
        .collect();
    let by_form = |form: SupervisionForm| supervisions.iter().filter(|s| s.form == form).count();
    let (daily, written, on_site, media) = (
        by_form(SupervisionForm::Daily),
        by_form(SupervisionForm::Meeting),
        by_form(SupervisionForm::OnSite),
        by_form(SupervisionForm::Media),
    );
    let county = figures.county_government_supervisions.unwrap_or(0) as usize;
    let discipline = figures.discipline_referrals.unwrap_or(0) as usize;
    let supervision = (5.0
        - 0.2 * count(daily)
        - 0.5 * count(written + on_site)
        - count(county)
        - 5.0 * count(media + discipline))
    .max(0.0);
    Raw {
        unit: unit.clone(),
        class: inputs.class(&unit.0).unwrap_or(UnitClass::Town),
        class_given: inputs.class(&unit.0).is_some(),
        volume: n,
        service,
        handling: round4(handling),
        handling_working,
        first_time: rate(&|f| f.first_time_satisfied(as_of)),
        reopen_satisfied: rate(&|f| f.satisfied_after_reopen(as_of)),
        county_reopen: reopened_twice(&[Origin::Local, Origin::CountyCenter, Origin::Diverted110]),
        city_reopen: reopened_twice(&[Origin::CityHotline, Origin::ProvincialHotline]),
        non_compliant_share: ratio(applications.len(), n),
        difficult_fixed,
        difficult_working: format!(
            "3 − 0.5 × {badly_founded} 件审核不通过 − 1 × {falsified} 件弄虚作假"
        ),
        supervision: round4(supervision),
        supervision_working: format!(
            "5 − 0.2 × {daily} 次日常督办 − 0.5 × {} 次书面/现场督办 − 1 × {county} 次县政府督查 − 5 × {} 次媒体督办/移交纪检",
            written + on_site,
            media + discipline
        ),
    }
}

fn score(r: &Raw, peers: &[&Raw], inputs: &AssessmentInputs, period: &Period) -> UnitAssessment {
    let mut missing = Vec::new();
    if !r.class_given {
        missing.push(
            "单位类别未录入，按镇街计 / unit class not entered: scored as a town".to_string(),
        );
    }
    let (k_volume, k_result) = match r.class {
        UnitClass::Town => (0.8, 0.9),
        UnitClass::Department => (0.8, 0.8),
    };
    let norm = |pick: &dyn Fn(&Raw) -> Option<f64>, w: f64, k: f64| -> Option<f64> {
        let (lo, hi) = bounds(peers.iter().map(|p| pick(p)))?;
        pick(r).map(|x| normalised(x, lo, hi, w, k))
    };
    let has_orders = |p: &Raw| (p.volume > 0).then_some(count(p.volume));

    // 1: towns normalised; departments by the center's bands.
    let (volume_points, volume_working) = match r.class {
        UnitClass::Town => (
            norm(&has_orders, 10.0, k_volume),
            "归一化 k = 0.8".to_string(),
        ),
        UnitClass::Department => match inputs.department_bands.get(&period.label) {
            Some(b) => {
                let v = u32::try_from(r.volume).unwrap_or(u32::MAX);
                let p = if v >= b[0] {
                    10.0
                } else if v >= b[1] {
                    8.0
                } else if v >= b[2] {
                    6.0
                } else if v >= b[3] {
                    4.0
                } else {
                    2.0
                };
                (Some(p), format!("档次 {b:?} → {p}"))
            }
            None => {
                missing.push(
                    "县直单位承办量档次未录入 / department volume bands not entered".to_string(),
                );
                (None, "未录入档次 / bands not entered".to_string())
            }
        },
    };
    // 2(2): the spread within the class is capped at 2 points.
    // Among the units with orders: one without has nothing to deduct from.
    let best_handling = peers
        .iter()
        .filter(|p| p.volume > 0)
        .map(|p| p.handling)
        .fold(r.handling, f64::max);
    let handling = round4(r.handling.max(best_handling - 2.0));
    // 6: share of non-compliant applications, highest 0, lowest 2.
    let difficult_share =
        bounds(peers.iter().map(|p| p.non_compliant_share)).and_then(|(lo, hi)| {
            r.non_compliant_share.map(|x| {
                if hi - lo <= f64::EPSILON {
                    2.0
                } else {
                    round4(2.0 * (hi - x) / (hi - lo))
                }
            })
        });

    let ind =
        |key, zh, en, max, value: Option<f64>, points: Option<f64>, working: String| Indicator {
            key,
            zh,
            en,
            max,
            value,
            points,
            working,
        };
    let reopen_points = |x: Option<f64>| x.map(|x| round4((1.0 - x) * 5.0));
    let indicators = vec![
        ind(
            "volume",
            "承办量",
            "volume",
            10.0,
            Some(count(r.volume)),
            volume_points,
            volume_working,
        ),
        ind(
            "response_service",
            "响应率·服务过程",
            "response: service",
            10.0,
            r.service,
            norm(&|p| p.service, 10.0, 0.8),
            "x = (承办量 − 未响应) / 承办量，k = 0.8".into(),
        ),
        ind(
            "response_handling",
            "响应率·办理过程",
            "response: handling",
            5.0,
            Some(r.handling),
            Some(handling),
            format!(
                "{}；分差不超过 2（本类最高 {best_handling}）",
                r.handling_working
            ),
        ),
        ind(
            "first_time_resolution",
            "一次办好率",
            "first-time resolution",
            35.0,
            r.first_time,
            norm(&|p| p.first_time, 35.0, k_result),
            format!("一次满意 / 承办量，k = {k_result}"),
        ),
        ind(
            "reopen_satisfaction",
            "重办满意率",
            "reopen satisfaction",
            20.0,
            r.reopen_satisfied,
            norm(&|p| p.reopen_satisfied, 20.0, k_result),
            format!("重办满意 / 承办量，k = {k_result}"),
        ),
        ind(
            "county_reopen_rate",
            "县级重办率",
            "county reopen rate",
            5.0,
            r.county_reopen,
            reopen_points(r.county_reopen),
            "(1 − 县级重办 2 次及以上 / 承办量) × 5".into(),
        ),
        ind(
            "city_reopen_rate",
            "市级重办率",
            "city reopen rate",
            5.0,
            r.city_reopen,
            reopen_points(r.city_reopen),
            "(1 − 市级重办 2 次及以上 / 承办量) × 5".into(),
        ),
        ind(
            "difficult_requests",
            "疑难诉求办理",
            "difficult requests",
            5.0,
            r.non_compliant_share,
            difficult_share.map(|s| round4(s + r.difficult_fixed)),
            format!("上报比例最高 0、最低 2；{}", r.difficult_working),
        ),
        ind(
            "supervision",
            "督查督办",
            "supervision",
            5.0,
            None,
            Some(r.supervision),
            r.supervision_working.clone(),
        ),
    ];
    if r.volume == 0 {
        missing.push("本月无承办工单，不排名 / no orders this month: not ranked".to_string());
    }
    let total = if r.volume == 0 {
        None
    } else {
        indicators
            .iter()
            .map(|i| i.points)
            .sum::<Option<f64>>()
            .map(round4)
    };
    UnitAssessment {
        unit: r.unit.0.clone(),
        name: inputs.name(&r.unit.0),
        class: Some(r.class),
        volume: u32::try_from(r.volume).unwrap_or(u32::MAX),
        indicators,
        bonus: 0.0,
        total,
        rank: None,
        missing,
    }
}

/// 二: the annual score = 80 % of the mean monthly daily score + 20 % of the year-end score.
/// `None` when the year-end score or every monthly score is missing.
pub fn annual(monthly: &[Option<f64>], year_end: Option<f64>) -> Option<f64> {
    let known: Vec<f64> = monthly.iter().flatten().copied().collect();
    if known.is_empty() {
        return None;
    }
    let mean = known.iter().sum::<f64>() / count(known.len());
    year_end.map(|y| round4(0.8 * mean + 0.2 * y))
}
