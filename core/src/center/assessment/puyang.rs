//! Puyang's 100-point method (濮阳市12345政务服务热线工作考核暂行办法 四、五):
//! knowledge base 20, phone reachability 10, on-time 10, closure rate 20, callback
//! verification 20, satisfaction 20, and the bonus for closures against the all-unit average.

use super::{
    Assessment, AssessmentInputs, Indicator, Method, UnitAssessment, count, ratio, round4,
    volume_of,
};
use crate::center::Period;
use crate::center::facts::OrderFacts;
use crate::model::{Timestamp, UnitId};

pub fn assess(
    facts: &[OrderFacts],
    inputs: &AssessmentInputs,
    units: &[UnitId],
    period: &Period,
    now: Timestamp,
) -> Assessment {
    let as_of = period.as_of(now);
    // 五: 月办结量 — the orders each unit closed in the month, whenever dispatched.
    let closures: Vec<usize> = units
        .iter()
        .map(|u| {
            facts
                .iter()
                .filter(|f| f.lead_unit.as_ref() == Some(u) && !f.excluded)
                .filter(|f| {
                    f.closed_at
                        .is_some_and(|t| period.contains(t) && t <= as_of)
                })
                .count()
        })
        .collect();
    let average = if units.is_empty() {
        0.0
    } else {
        count(closures.iter().sum::<usize>()) / count(units.len())
    };
    let assessed = units
        .iter()
        .zip(&closures)
        .map(|(u, &closed)| unit(facts, inputs, u, period, as_of, closed, average))
        .collect();
    Assessment {
        method: Method::Puyang,
        period: period.clone(),
        as_of,
        units: assessed,
        notes: vec![format!(
            "全部单位平均月办结量 {average:.2} 件；超过平均 100% 加 3 分，超过 200% 加 5 分 / \
             all-unit average of monthly closures {average:.2}: +3 above twice it, +5 above three times it"
        )],
    }
}

fn unit(
    facts: &[OrderFacts],
    inputs: &AssessmentInputs,
    unit: &UnitId,
    period: &Period,
    as_of: Timestamp,
    closed_in_month: usize,
    average: f64,
) -> UnitAssessment {
    let figures = inputs.figures(&period.label, &unit.0);
    let mut missing = Vec::new();
    // Orders with an accepted written statement are not counted at all (四(三)1).
    let counted: Vec<&OrderFacts> = volume_of(facts, unit, period)
        .filter(|f| !f.excluded)
        .collect();
    let volume = counted.len();

    // 四(一): 20 points, −1 per day late.
    let kb_late = figures.and_then(|f| f.kb_days_late);
    let kb = Indicator {
        key: "knowledge_base",
        zh: "知识库",
        en: "knowledge base",
        max: 20.0,
        value: kb_late.map(f64::from),
        points: kb_late.map(|d| (20.0 - f64::from(d)).max(0.0)),
        working: kb_late.map_or("未录入 / not entered".into(), |d| {
            format!("20 − {d} 天 × 1")
        }),
    };
    if kb_late.is_none() {
        missing.push("知识库更新天数未录入 / knowledge-base delay not entered".to_string());
    }

    // 四(二): −1 per unanswered check, 0 past 10 in the month.
    let unanswered = figures.and_then(|f| f.unanswered_phone_checks);
    let phone = Indicator {
        key: "phone_reachability",
        zh: "电话接通率",
        en: "phone reachability",
        max: 10.0,
        value: unanswered.map(f64::from),
        points: unanswered.map(|n| if n > 10 { 0.0 } else { 10.0 - f64::from(n) }),
        working: unanswered.map_or("未录入 / not entered".into(), |n| {
            if n > 10 {
                format!("{n} 次无人接听 > 10：0")
            } else {
                format!("10 − {n} × 1")
            }
        }),
    };
    if unanswered.is_none() {
        missing.push("电话拨测结果未录入 / phone checks not entered".to_string());
    }

    // 四(三)1: −1 per overdue order, 0 past 10: a handling deadline of the month missed.
    let overdue = facts
        .iter()
        .filter(|f| !f.excluded)
        .filter(|f| {
            f.dues
                .iter()
                .any(|d| &d.unit == unit && period.contains(d.due) && d.missed(as_of))
        })
        .count();
    let on_time = Indicator {
        key: "on_time",
        zh: "按期办结",
        en: "on time",
        max: 10.0,
        value: Some(count(overdue)),
        points: Some(if overdue > 10 {
            0.0
        } else {
            10.0 - count(overdue)
        }),
        working: if overdue > 10 {
            format!("超期 {overdue} 件 > 10：0")
        } else {
            format!("10 − {overdue} 件超期 × 1")
        },
    };

    // 四(三)2: closure rate × 20, of the orders dispatched in the month.
    let closed = counted.iter().filter(|f| f.closed_by(as_of)).count();
    let rate = ratio(closed, volume);
    let closure = Indicator {
        key: "closure_rate",
        zh: "办结率",
        en: "closure rate",
        max: 20.0,
        value: rate,
        points: rate.map(|r| round4(r * 20.0)),
        working: match rate {
            Some(_) => format!("{closed} / {volume} × 20"),
            None => "本月无转办工单 / no orders dispatched this month".into(),
        },
    };
    if volume == 0 {
        missing.push("本月无转办工单，不排名 / no orders this month: not ranked".to_string());
    }

    // 四(三)3: −1 per order where the citizen was not told (保密 excepted: never called back)
    // or the center found the handling falsified.
    let not_told = counted
        .iter()
        .filter(|f| {
            f.ratings
                .iter()
                .any(|r| r.not_contacted && period.contains(r.at) && r.at <= as_of)
        })
        .count();
    let findings = figures.and_then(|f| f.callback_findings).unwrap_or(0) as usize;
    let callback = Indicator {
        key: "callback_verification",
        zh: "回访核实",
        en: "callback verification",
        max: 20.0,
        value: Some(count(not_told + findings)),
        points: Some((20.0 - count(not_told + findings)).max(0.0)),
        working: format!("20 − ({not_told} 件未反馈 + {findings} 件核查认定) × 1"),
    };

    // 四(四): −1 per dissatisfied rating, at most −3 for one matter over its whole life.
    let mut deduction = 0usize;
    for f in facts.iter().filter(|f| !f.excluded) {
        let mine = |r: &&crate::center::facts::RatingFact| {
            r.unit.as_ref() == Some(unit) && r.rating.is_dissatisfied()
        };
        let before = f
            .ratings
            .iter()
            .filter(mine)
            .filter(|r| r.at < period.start)
            .count();
        let through = f
            .ratings
            .iter()
            .filter(mine)
            .filter(|r| r.at < period.end && r.at <= as_of)
            .count();
        deduction += through.min(3) - before.min(3);
    }
    let satisfaction = Indicator {
        key: "satisfaction",
        zh: "客户满意度",
        en: "satisfaction",
        max: 20.0,
        value: Some(count(deduction)),
        points: Some((20.0 - count(deduction)).max(0.0)),
        working: format!("20 − {deduction} 次不满意 × 1（同一事项最多 3）"),
    };

    // 五: +3 above the average by 100 %, +5 by 200 %.
    let c = count(closed_in_month);
    let bonus = if average > 0.0 && c > 3.0 * average {
        5.0
    } else if average > 0.0 && c > 2.0 * average {
        3.0
    } else {
        0.0
    };
    let indicators = vec![kb, phone, on_time, closure, callback, satisfaction];
    let total = if volume == 0 {
        None
    } else {
        indicators
            .iter()
            .map(|i| i.points)
            .sum::<Option<f64>>()
            .map(|s| round4(s + bonus))
    };
    UnitAssessment {
        unit: unit.0.clone(),
        name: inputs.name(&unit.0),
        class: inputs.class(&unit.0),
        volume: u32::try_from(volume).unwrap_or(u32::MAX),
        indicators,
        bonus,
        total,
        rank: None,
        missing,
    }
}

/// 三(三)/ 六(三): units in the bottom three of each of three consecutive months' rankings
/// (oldest first) are interviewed (约谈). A unit is in a month's bottom three when fewer than
/// three ranked units score below it — so a tie at the boundary keeps everyone tied in;
/// a unit not ranked that month (no orders, missing data) is not.
pub fn interview_list(months: &[Assessment]) -> Vec<String> {
    let bottom = |a: &Assessment| -> Vec<String> {
        a.units
            .iter()
            .filter_map(|u| u.total.map(|t| (u, t)))
            .filter(|(_, t)| {
                a.units
                    .iter()
                    .filter_map(|o| o.total)
                    .filter(|o| o < t)
                    .count()
                    < 3
            })
            .map(|(u, _)| u.unit.clone())
            .collect()
    };
    let mut sets = months.iter().map(bottom);
    let Some(first) = sets.next() else {
        return Vec::new();
    };
    let rest: Vec<Vec<String>> = sets.collect();
    if rest.len() + 1 < 3 {
        return Vec::new();
    }
    first
        .into_iter()
        .filter(|u| rest.iter().all(|s| s.contains(u)))
        .collect()
}
