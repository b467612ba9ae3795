//! The assessment and the weekly report as [`HtmlReport`]s: the ranking, each indicator, the
//! trend over six months, the working behind every figure.

use hotline_core::center::assessment::{Assessment, Method};
use hotline_core::center::{OrderFacts, Period, Warning};
use hotline_core::model::Timestamp;

use super::html::{Block, HtmlReport, Section, Text};
use super::{at, fig};

fn t(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

fn label(u: &hotline_core::center::assessment::UnitAssessment) -> String {
    u.name
        .as_ref()
        .map_or(u.unit.clone(), |n| format!("{n}（{}）", u.unit))
}

pub fn assessment_page(
    a: &Assessment,
    trend: &[Assessment],
    interview: &[String],
    orders_read: u64,
    now: Timestamp,
) -> HtmlReport {
    let rates = a.method == Method::Rates;
    let mut sections = Vec::new();

    let mut overview = vec![Block::Paragraph(t(
        format!(
            "考核期间 {}，截至 {}；读取工单 {orders_read} 件，全部经签名核验。",
            a.period.label,
            at(a.as_of)
        ),
        format!(
            "Period {}, as of {}; {orders_read} orders read, every change signature-checked.",
            a.period.label,
            at(a.as_of)
        ),
    ))];
    for n in &a.notes {
        overview.push(Block::Paragraph(t(n.clone(), "")));
    }
    let unranked: Vec<String> = a
        .units
        .iter()
        .filter(|u| u.total.is_none() && !rates)
        .map(label)
        .collect();
    if !unranked.is_empty() {
        overview.push(Block::Notice(t(
            format!("未排名（无工单或数据缺失）：{}", unranked.join("、")),
            format!(
                "Not ranked (no orders or missing data): {}",
                unranked.join(", ")
            ),
        )));
    }
    for u in &a.units {
        for m in u.missing.iter().filter(|_| !rates) {
            overview.push(Block::Notice(t(format!("{}：{m}", label(u)), "")));
        }
    }
    if rates {
        overview.push(Block::Notice(t(
            "有效接通率来自话务系统，hotline 不掌握，本报告不给出。",
            "The effective connection rate comes from the telephone system, which hotline does not see: not given here.",
        )));
    }
    sections.push(Section {
        heading: t("概况", "Overview"),
        blocks: overview,
    });

    let ranked: Vec<_> = a.units.iter().filter(|u| u.total.is_some()).collect();
    let indicator_keys: Vec<_> = a
        .units
        .first()
        .map(|u| u.indicators.clone())
        .unwrap_or_default();
    if !rates {
        let max_total = ranked
            .iter()
            .filter_map(|u| u.total)
            .fold(100.0_f64, f64::max);
        sections.push(Section {
            heading: t("单位排名", "Unit ranking"),
            blocks: vec![Block::Bars {
                id: "ranking".into(),
                title: t("总分", "Total score"),
                labels: ranked.iter().map(|u| label(u)).collect(),
                values: ranked.iter().filter_map(|u| u.total).collect(),
                max: max_total,
                unit: "分".into(),
            }],
        });
    }
    let mut headers = vec![t("名次", "Rank"), t("单位", "Unit"), t("件数", "Orders")];
    headers.extend(indicator_keys.iter().map(|i| t(i.zh, i.en)));
    if !rates {
        headers.extend([t("加分", "Bonus"), t("总分", "Total")]);
    }
    let rows = a
        .units
        .iter()
        .map(|u| {
            let mut row = vec![
                u.rank.map_or("—".into(), |r| r.to_string()),
                label(u),
                u.volume.to_string(),
            ];
            row.extend(
                u.indicators
                    .iter()
                    .map(|i| if rates { pct(i.points) } else { fig(i.points) }),
            );
            if !rates {
                row.extend([fig(Some(u.bonus)), fig(u.total)]);
            }
            row
        })
        .collect();
    let numeric = (2..headers.len()).collect();
    sections.push(Section {
        heading: t("明细", "Figures"),
        blocks: vec![Block::Table {
            headers,
            rows,
            numeric,
        }],
    });

    let charts = indicator_keys
        .iter()
        .filter(|i| a.units.iter().any(|u| u.points(i.key).is_some()))
        .map(|i| {
            let shown: Vec<_> = a
                .units
                .iter()
                .filter(|u| u.points(i.key).is_some())
                .collect();
            (
                t(format!("{}（满分 {}）", i.zh, i.max), i.en),
                shown.iter().map(|u| label(u)).collect(),
                shown.iter().filter_map(|u| u.points(i.key)).collect(),
                i.max,
            )
        })
        .collect();
    sections.push(Section {
        heading: t("各项指标", "Each indicator"),
        blocks: vec![Block::Grid {
            id: "indicators".into(),
            title: t("各单位各项得分", "Points per unit and indicator"),
            charts,
        }],
    });

    // The trend: totals (or, for the rates, satisfaction) of the units ranked this month.
    let trend_key = if rates { Some("satisfaction") } else { None };
    let series = a
        .units
        .iter()
        .filter(|u| u.total.is_some() || rates)
        .take(10)
        .map(|u| {
            let values = trend
                .iter()
                .map(|m| {
                    m.unit(&u.unit).and_then(|x| match trend_key {
                        Some(k) => x.points(k).map(|p| p * 100.0),
                        None => x.total,
                    })
                })
                .collect();
            (label(u), values)
        })
        .collect();
    sections.push(Section {
        heading: t("月度趋势", "Monthly trend"),
        blocks: vec![Block::Lines {
            id: "trend".into(),
            title: if rates {
                t("满意率（%）", "Satisfaction rate (%)")
            } else {
                t("总分", "Total score")
            },
            x_labels: trend.iter().map(|m| m.period.label.clone()).collect(),
            series,
            max: if rates { 100.0 } else { 105.0 },
        }],
    });

    if a.method == Method::Puyang {
        sections.push(Section {
            heading: t("约谈名单", "Interview list"),
            blocks: vec![Block::Paragraph(if interview.is_empty() {
                t(
                    "无：没有单位连续三个月排名后 3 位。",
                    "None: no unit was in the bottom three for three months running.",
                )
            } else {
                t(
                    format!(
                        "连续三个月排名后 3 位，由督查局约谈主要负责人：{}",
                        interview.join("、")
                    ),
                    format!(
                        "Bottom three for three months running, main leaders to be interviewed: {}",
                        interview.join(", ")
                    ),
                )
            })],
        });
    }

    let working_rows = a
        .units
        .iter()
        .flat_map(|u| {
            u.indicators.iter().map(move |i| {
                vec![
                    label(u),
                    format!("{} {}", i.zh, i.en),
                    i.working.clone(),
                    if rates { pct(i.points) } else { fig(i.points) },
                ]
            })
        })
        .collect();
    sections.push(Section {
        heading: t("计算过程", "How each figure came about"),
        blocks: vec![Block::Table {
            headers: vec![
                t("单位", "Unit"),
                t("指标", "Indicator"),
                t("算式", "Working"),
                t("结果", "Result"),
            ],
            rows: working_rows,
            numeric: vec![3],
        }],
    });

    HtmlReport {
        title: t(
            format!("12345 热线承办单位考核 {}", a.period.label),
            format!("12345 hotline unit assessment {}", a.period.label),
        ),
        subtitle: t(
            a.method.zh(),
            match a.method {
                Method::Puyang => "Puyang 100-point method",
                Method::Linshu => "Linshu daily method (normalised)",
                Method::Rates => "Lishui and Hubei headline rates",
            },
        ),
        generated: at(now),
        sections,
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

pub fn weekly_page(
    period: &Period,
    reopened: &[&OrderFacts],
    clusters: &[&Warning],
    now: Timestamp,
) -> HtmlReport {
    let as_of = period.as_of(now);
    let rows = reopened
        .iter()
        .map(|f| {
            vec![
                f.order.clone(),
                f.lead_unit.as_ref().map_or("—".into(), |u| u.0.clone()),
                f.reopens_by(as_of).to_string(),
                f.status.zh().to_string(),
            ]
        })
        .collect();
    let cluster_rows = clusters
        .iter()
        .map(|w| {
            vec![
                w.grade.zh().to_string(),
                w.orders.len().to_string(),
                w.unit.clone().unwrap_or_default(),
                w.detail.clone(),
            ]
        })
        .collect();
    HtmlReport {
        title: t(
            format!("12345 热线周专报 {}", period.label),
            format!("12345 weekly special report {}", period.label),
        ),
        subtitle: t(
            "临沭通知二(六)：重办三次以上、投诉相对集中",
            "Linshu 2(6): reopened three times or more, concentrated complaints",
        ),
        generated: at(now),
        sections: vec![
            Section {
                heading: t("重办三次以上的工单", "Orders reopened three times or more"),
                blocks: vec![Block::Table {
                    headers: vec![
                        t("工单", "Order"),
                        t("承办单位", "Unit"),
                        t("重办次数", "Reopens"),
                        t("状态", "Status"),
                    ],
                    rows,
                    numeric: vec![2],
                }],
            },
            Section {
                heading: t("投诉相对集中的事项", "Concentrated complaints"),
                blocks: vec![
                    Block::Bars {
                        id: "clusters".into(),
                        title: t("每一事项的工单数", "Orders per matter"),
                        labels: clusters
                            .iter()
                            .map(|w| w.detail.chars().take(24).collect())
                            .collect(),
                        values: clusters.iter().map(|w| w.orders.len() as f64).collect(),
                        max: clusters
                            .iter()
                            .map(|w| w.orders.len() as f64)
                            .fold(5.0, f64::max),
                        unit: "件".into(),
                    },
                    Block::Table {
                        headers: vec![
                            t("等级", "Grade"),
                            t("件数", "Orders"),
                            t("单位", "Unit"),
                            t("事项", "Matter"),
                        ],
                        rows: cluster_rows,
                        numeric: vec![1],
                    },
                ],
            },
        ],
    }
}
