//! The headline rates of Lishui (2021 整合方案) and Hubei (2021 优化方案), per unit and for the
//! whole city (the row `city`): each a rate in [0, 1] with its numerator and denominator.
//! The effective connection rate (有效接通率) belongs to the telephone system, which hotline
//! does not see: it is always reported missing.

use super::{Assessment, Indicator, Method, UnitAssessment, ratio, volume_of};
use crate::center::Period;
use crate::center::facts::OrderFacts;
use crate::model::{Timestamp, UnitId};

/// The row for the whole city.
pub const CITY: &str = "city";

pub fn assess(
    facts: &[OrderFacts],
    units: &[UnitId],
    period: &Period,
    now: Timestamp,
) -> Assessment {
    let as_of = period.as_of(now);
    let mut rows: Vec<UnitAssessment> = units
        .iter()
        .map(|u| {
            let orders: Vec<&OrderFacts> = volume_of(facts, u, period).collect();
            row(&u.0, facts, &orders, Some(u), period, as_of)
        })
        .collect();
    let all: Vec<&OrderFacts> = facts
        .iter()
        .filter(|f| f.dispatched_at.is_some_and(|t| period.contains(t)))
        .collect();
    rows.push(row(CITY, facts, &all, None, period, as_of));
    Assessment {
        method: Method::Rates,
        period: period.clone(),
        as_of,
        units: rows,
        notes: vec![
            "有效接通率来自话务系统，hotline 不掌握 / the effective connection rate comes from the telephone system, which hotline does not see"
                .to_string(),
        ],
    }
}

fn row(
    name: &str,
    facts: &[OrderFacts],
    orders: &[&OrderFacts],
    unit: Option<&UnitId>,
    period: &Period,
    as_of: Timestamp,
) -> UnitAssessment {
    let n = orders.len();
    let share = |pick: &dyn Fn(&OrderFacts) -> bool| {
        let k = orders.iter().filter(|f| pick(f)).count();
        (ratio(k, n), format!("{k} / {n}"))
    };
    let mine = |u: Option<&UnitId>| unit.is_none() || u == unit;
    // 直接答复率 is the center's: instant answers against everything it answered or dispatched.
    let instant = facts
        .iter()
        .filter(|f| f.instant_answer_at.is_some_and(|t| period.contains(t)))
        .count();
    let direct = if unit.is_none() {
        (
            ratio(instant, instant + n),
            format!("{instant} / ({instant} + {n})"),
        )
    } else {
        (None, "中心指标 / a center figure".to_string())
    };
    let ratings: Vec<_> = facts
        .iter()
        .flat_map(|f| &f.ratings)
        .filter(|r| mine(r.unit.as_ref()) && period.contains(r.at) && r.at <= as_of)
        .collect();
    let satisfied = ratings
        .iter()
        .filter(|r| !r.rating.is_dissatisfied())
        .count();
    let dues: Vec<_> = facts
        .iter()
        .flat_map(|f| &f.dues)
        .filter(|d| {
            mine(Some(&d.unit))
                && period.contains(d.due)
                && (d.due <= as_of || d.replied_at.is_some())
        })
        .collect();
    let kept = dues.iter().filter(|d| !d.missed(as_of)).count();
    let closed: Vec<_> = orders.iter().filter(|f| f.closed_by(as_of)).collect();
    let resolved = closed.iter().filter(|f| f.closed_satisfied).count();
    let rate = |key, zh, en, (value, working): (Option<f64>, String)| Indicator {
        key,
        zh,
        en,
        max: 1.0,
        value,
        points: value,
        working,
    };
    let indicators = vec![
        rate(
            "effective_connection",
            "有效接通率",
            "effective connection",
            (None, "话务系统数据 / telephone system".into()),
        ),
        rate("direct_answer", "直接答复率", "direct answer", direct),
        rate(
            "response",
            "响应率",
            "response",
            share(&|f| !f.ratings.iter().any(|r| r.at <= as_of && r.unresponded())),
        ),
        rate(
            "resolution",
            "解决率",
            "resolution",
            (
                ratio(resolved, closed.len()),
                format!("{resolved} / {}", closed.len()),
            ),
        ),
        rate(
            "satisfaction",
            "满意率",
            "satisfaction",
            (
                ratio(satisfied, ratings.len()),
                format!("{satisfied} / {}", ratings.len()),
            ),
        ),
        rate(
            "on_time",
            "按时办结率",
            "on time",
            (ratio(kept, dues.len()), format!("{kept} / {}", dues.len())),
        ),
        rate(
            "closure",
            "办结率",
            "closure",
            share(&|f| f.closed_by(as_of)),
        ),
        rate(
            "first_time_resolution",
            "一次办结率",
            "first-time resolution",
            share(&|f| f.first_time_satisfied(as_of)),
        ),
        rate(
            "reopen",
            "重办率",
            "reopen",
            share(&|f| f.reopens_by(as_of) >= 1),
        ),
    ];
    UnitAssessment {
        unit: name.to_string(),
        name: None,
        class: None,
        volume: u32::try_from(n).unwrap_or(u32::MAX),
        indicators,
        bonus: 0.0,
        // Rates are not summed or ranked.
        total: None,
        rank: None,
        missing: vec!["有效接通率 / effective connection rate".to_string()],
    }
}
