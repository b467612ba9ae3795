//! Self-contained HTML reports for the hotline center: the monthly unit ranking with its charts,
//! and the printable monthly report of on-site supervision forms.
//!
//! One file each, nothing fetched: inline CSS, inline JS, photos as `data:` URIs, and a
//! Content-Security-Policy that forbids loading anything else. Every input string is
//! HTML-escaped; chart data is embedded as JSON with `<`, `>`, `&`, quotes, control characters
//! and U+2028/2029 escaped, so no label can end a `<script>`. Text is Chinese first, English
//! after. The same input gives the same bytes.
//!
//! Charts are drawn by the inline script into inline SVG. For tests in a browser: each chart is a
//! `<figure class="chart" data-chart="{id}">` that gets `data-drawn="N"` (bars or points drawn
//! with a non-zero size) once drawn, or `data-error` if drawing it failed; `<body>` gets
//! `data-charts-drawn` = the number of charts drawn. A `<noscript>` table carries each chart's
//! data when scripts are off.

use std::fmt::Write as _;

/// A text in Chinese, with its English.
#[derive(Debug, Clone)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone)]
pub struct HtmlReport {
    pub title: Text,
    /// E.g. the period and the method.
    pub subtitle: Text,
    /// E.g. "2026-12-03 12:00 +08:00 · hub city-a".
    pub generated: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub heading: Text,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Paragraph(Text),
    /// A warning the reader must not miss (missing data, units not ranked...).
    Notice(Text),
    /// `numeric`: indexes of the columns to right-align.
    Table {
        headers: Vec<Text>,
        rows: Vec<Vec<String>>,
        numeric: Vec<usize>,
    },
    /// Horizontal bars, one per label, e.g. unit ranking by total score (sorted as given).
    Bars {
        id: String,
        title: Text,
        labels: Vec<String>,
        values: Vec<f64>,
        max: f64,
        unit: String,
    },
    /// Lines over x labels (e.g. months), one series per unit; None = no value that month (gap).
    Lines {
        id: String,
        title: Text,
        x_labels: Vec<String>,
        series: Vec<(String, Vec<Option<f64>>)>,
        max: f64,
    },
    /// Small multiples: one small bar chart per indicator, units as bars:
    /// (indicator title, labels, values, max).
    Grid {
        id: String,
        title: Text,
        charts: Vec<(Text, Vec<String>, Vec<f64>, f64)>,
    },
}

#[derive(Debug, Clone)]
pub struct SiteFormsReport {
    pub title: Text,
    pub unit: String,
    pub month: String,
    /// How a reader checks a page against the hub.
    pub hub_hint: Text,
    pub forms: Vec<SiteFormPage>,
}

#[derive(Debug, Clone)]
pub struct SiteFormPage {
    pub order: String,
    pub receipt: String,
    pub kind: Text,
    pub place: String,
    pub held_at: String,
    pub recorded_at: String,
    /// Already formatted, e.g. "34.7612, 115.0299 ±8 m".
    pub gps: Option<String>,
    pub people_present: Vec<String>,
    pub findings: String,
    pub action_taken: String,
    /// E.g. "李某 (supervisor, unit-x) cert 3f2a…".
    pub signer: String,
    pub event_id: String,
    pub change_hash: String,
    pub signature: String,
    pub certificate: String,
    pub photos: Vec<PhotoCell>,
}

#[derive(Debug, Clone)]
pub struct PhotoCell {
    pub name: String,
    pub media_type: String,
    pub taken_at: String,
    pub gps: Option<String>,
    /// None: the photo is not held here (shown as a box with its name).
    pub data_uri: Option<String>,
}

/// The ranking report: header, sections, charts drawn by the inline script.
pub fn render_report(r: &HtmlReport) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<header class=\"top\">\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n\
         <p class=\"gen\">生成 <span class=\"en\">Generated</span>: {}</p>\n</header>\n<main>\n\
         <noscript><div class=\"notice\">{}</div></noscript>\n",
        bi(&r.title),
        bi(&r.subtitle),
        esc(&r.generated),
        stack(
            "图表需要 JavaScript，各图数据以表格列出",
            "Charts need JavaScript; their data is listed in tables"
        ),
    );
    for s in &r.sections {
        let _ = writeln!(b, "<section>\n<h2>{}</h2>", bi(&s.heading));
        for block in &s.blocks {
            block_html(&mut b, block);
        }
        b.push_str("</section>\n");
    }
    b.push_str("</main>\n");
    page(
        &plain(&r.title),
        &b,
        &format!("<script>\n{CHART_JS}</script>\n"),
    )
}

/// The site forms report: one printed page per form, photos, and what to verify it with.
pub fn render_site_forms(r: &SiteFormsReport) -> String {
    let mut b = String::new();
    let total = r.forms.len();
    let head = |b: &mut String, i: usize| {
        let count = if total == 0 {
            String::new()
        } else {
            format!(" · 第 {i} / {total} 份")
        };
        let _ = write!(
            b,
            "<header class=\"form-head\">\n<h1>{}</h1>\n<p class=\"meta\">单位 <span class=\"en\">Unit</span>: \
             <b>{}</b> · 月份 <span class=\"en\">Month</span>: <b>{}</b>{count}</p>\n</header>\n",
            bi(&r.title),
            esc(&r.unit),
            esc(&r.month),
        );
    };
    if r.forms.is_empty() {
        b.push_str("<section class=\"form-page\">\n");
        head(&mut b, 0);
        let _ = writeln!(
            b,
            "<p class=\"notice\">{}</p>",
            stack("本月无现场督办记录", "No on-site supervision this month")
        );
        b.push_str("</section>\n");
    }
    for (i, f) in r.forms.iter().enumerate() {
        b.push_str("<section class=\"form-page\">\n");
        head(&mut b, i + 1);
        let _ = writeln!(
            b,
            "<h2>现场督办情况表 <span class=\"en\">On-site supervision form</span></h2>"
        );
        let people = f
            .people_present
            .iter()
            .map(|p| esc(p))
            .collect::<Vec<_>>()
            .join("、");
        let gps = f
            .gps
            .as_deref()
            .map_or_else(|| stack("未记录", "not recorded"), esc);
        let rows: [(&str, &str, String, &str); 11] = [
            ("工单号", "Order", esc(&f.order), "mono"),
            ("回执号", "Receipt", esc(&f.receipt), "mono"),
            ("诉求类型", "Request kind", bi(&f.kind), ""),
            ("地点", "Place", esc(&f.place), ""),
            ("督办时间", "Held at", esc(&f.held_at), ""),
            ("记录时间", "Recorded at", esc(&f.recorded_at), ""),
            ("定位", "GPS", gps, ""),
            ("在场人员", "People present", people, ""),
            ("发现问题", "Findings", esc(&f.findings), "pre"),
            ("处理措施", "Action taken", esc(&f.action_taken), "pre"),
            ("签名人", "Signed by", esc(&f.signer), ""),
        ];
        fields(&mut b, &rows);
        let _ = writeln!(
            b,
            "<h3>现场照片 <span class=\"en\">Photos</span> ({})</h3>",
            f.photos.len()
        );
        if f.photos.is_empty() {
            let _ = writeln!(b, "<p>{}</p>", stack("无照片", "No photos"));
        } else {
            b.push_str("<div class=\"photos\">\n");
            for p in &f.photos {
                photo(&mut b, p);
            }
            b.push_str("</div>\n");
        }
        b.push_str("<div class=\"verify\">\n<h3>核验 <span class=\"en\">Verify</span></h3>\n");
        let rows: [(&str, &str, String, &str); 4] = [
            ("事件编号", "Event id", esc(&f.event_id), "mono"),
            ("变更哈希", "Change hash", esc(&f.change_hash), "mono"),
            ("证书", "Certificate", esc(&f.certificate), "mono"),
            ("签名", "Signature", esc(&f.signature), "mono"),
        ];
        fields(&mut b, &rows);
        let _ = writeln!(
            b,
            "<p class=\"hint\">{}</p>\n</div>\n</section>",
            stack(&r.hub_hint.zh, &r.hub_hint.en)
        );
    }
    let title = format!("{} · {} · {}", plain(&r.title), r.unit, r.month);
    page(&title, &b, "")
}

fn fields(b: &mut String, rows: &[(&str, &str, String, &str)]) {
    b.push_str("<table class=\"fields\"><tbody>\n");
    for (zh, en, value, class) in rows {
        let class = if class.is_empty() {
            String::new()
        } else {
            format!(" class=\"{class}\"")
        };
        let _ = writeln!(
            b,
            "<tr><th>{}</th><td{class}>{value}</td></tr>",
            stack(zh, en)
        );
    }
    b.push_str("</tbody></table>\n");
}

fn photo(b: &mut String, p: &PhotoCell) {
    b.push_str("<figure class=\"photo\">");
    let missing = match p.data_uri.as_deref() {
        Some(uri) if is_image_data_uri(uri) => {
            let _ = write!(b, "<img src=\"{}\" alt=\"{}\">", esc(uri), esc(&p.name));
            None
        }
        Some(_) => Some(stack("照片数据无效", "photo data not valid")),
        None => Some(stack("照片未同步", "photo not held here")),
    };
    if let Some(why) = missing {
        let name = esc(&p.name);
        let _ = write!(
            b,
            "<div class=\"missing\"><div>{why}<br><span class=\"mono\">{name}</span></div></div>"
        );
    }
    let gps = p.gps.as_deref().map_or_else(
        || "无定位 <span class=\"en\">no GPS</span>".to_string(),
        esc,
    );
    let _ = writeln!(
        b,
        "<figcaption><span class=\"mono\">{}</span><br>拍摄 <span class=\"en\">Taken</span>: {}<br>\
         定位 <span class=\"en\">GPS</span>: {gps}<br><span class=\"en\">{}</span></figcaption></figure>",
        esc(&p.name),
        esc(&p.taken_at),
        esc(&p.media_type),
    );
}

/// Only inline raster images: `data:image/{png,jpeg,gif,webp};base64,` and base64 text.
fn is_image_data_uri(uri: &str) -> bool {
    ["png", "jpeg", "gif", "webp"].iter().any(|t| {
        uri.strip_prefix("data:image/")
            .and_then(|rest| rest.strip_prefix(t))
            .and_then(|rest| rest.strip_prefix(";base64,"))
            .is_some_and(|data| {
                !data.is_empty()
                    && data
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c))
            })
    })
}

fn block_html(b: &mut String, block: &Block) {
    let plot = "<div class=\"plot\"></div>";
    match block {
        Block::Paragraph(t) => {
            let _ = writeln!(b, "<p>{}</p>", stack(&t.zh, &t.en));
        }
        Block::Notice(t) => {
            let notice = stack(&t.zh, &t.en);
            let _ = writeln!(b, "<div class=\"notice\" role=\"alert\">⚠ {notice}</div>");
        }
        Block::Table {
            headers,
            rows,
            numeric,
        } => {
            let head: Vec<String> = headers.iter().map(|h| stack(&h.zh, &h.en)).collect();
            table(b, &head, rows, numeric);
        }
        Block::Bars {
            id,
            title,
            labels,
            values,
            max,
            unit,
        } => {
            let (json, fallback) = bars_data(labels, values, *max, unit);
            let json = format!("{{\"kind\":\"bars\",{json}}}");
            figure(b, id, title, &json, plot, &fallback);
        }
        Block::Lines {
            id,
            title,
            x_labels,
            series,
            max,
        } => {
            let json: Vec<String> = series
                .iter()
                .map(|(name, vs)| {
                    format!(
                        "{{\"name\":{},\"values\":{}}}",
                        json_str(name),
                        json_nums(vs)
                    )
                })
                .collect();
            let json = format!(
                "{{\"kind\":\"lines\",\"x\":{},\"series\":[{}],\"max\":{}}}",
                json_strs(x_labels),
                json.join(","),
                json_num(Some(*max)),
            );
            let mut head = vec![stack("单位", "Unit")];
            head.extend(x_labels.iter().map(|x| esc(x)));
            let rows: Vec<Vec<String>> = series
                .iter()
                .map(|(name, vs)| {
                    let values = vs.iter().map(|v| v.map_or_else(|| "—".to_string(), num));
                    std::iter::once(name.clone()).chain(values).collect()
                })
                .collect();
            let mut fallback = String::new();
            let numeric: Vec<usize> = (1..=x_labels.len()).collect();
            table(&mut fallback, &head, &rows, &numeric);
            figure(b, id, title, &json, plot, &fallback);
        }
        Block::Grid { id, title, charts } => {
            let (mut json, mut panels, mut fallback) = (Vec::new(), String::new(), String::new());
            for (t, labels, values, max) in charts {
                let (data, table) = bars_data(labels, values, *max, "");
                json.push(format!("{{{data}}}"));
                let _ = writeln!(
                    panels,
                    "<div class=\"panel\"><h3>{}</h3>{plot}</div>",
                    bi(t)
                );
                let _ = writeln!(fallback, "<h3>{}</h3>\n{table}", bi(t));
            }
            let json = format!("{{\"kind\":\"grid\",\"charts\":[{}]}}", json.join(","));
            figure(
                b,
                id,
                title,
                &json,
                &format!("<div class=\"grid\">\n{panels}</div>"),
                &fallback,
            );
        }
    }
}

/// A bar chart's data: its JSON fields, and the table shown without scripts.
fn bars_data(labels: &[String], values: &[f64], max: f64, unit: &str) -> (String, String) {
    let json = format!(
        "\"labels\":{},\"values\":{},\"max\":{},\"unit\":{}",
        json_strs(labels),
        json_nums(&values.iter().map(|v| Some(*v)).collect::<Vec<_>>()),
        json_num(Some(max)),
        json_str(unit),
    );
    let rows: Vec<Vec<String>> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| {
            vec![
                l.clone(),
                format!("{} {unit}", num(*v)).trim_end().to_string(),
            ]
        })
        .collect();
    let mut fallback = String::new();
    table(
        &mut fallback,
        &[stack("名称", "Name"), stack("数值", "Value")],
        &rows,
        &[1],
    );
    (json, fallback)
}

fn figure(b: &mut String, id: &str, title: &Text, json: &str, inner: &str, fallback: &str) {
    let _ = write!(
        b,
        "<figure class=\"chart\" data-chart=\"{}\">\n<figcaption>{}</figcaption>\n{inner}\n\
         <script type=\"application/json\">{json}</script>\n<noscript>\n{fallback}</noscript>\n</figure>\n",
        esc(id),
        bi(title),
    );
}

/// `head` is HTML already; cells are escaped here.
fn table(b: &mut String, head: &[String], rows: &[Vec<String>], numeric: &[usize]) {
    let class = |i: usize| {
        if numeric.contains(&i) {
            " class=\"num\""
        } else {
            ""
        }
    };
    b.push_str("<div class=\"tablewrap\"><table>\n<thead><tr>");
    for (i, h) in head.iter().enumerate() {
        let _ = write!(b, "<th{}>{h}</th>", class(i));
    }
    b.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        b.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(b, "<td{}>{}</td>", class(i), esc(cell));
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</tbody>\n</table></div>\n");
}

fn page(title: &str, body: &str, script: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n{body}{script}</body>\n</html>\n",
        esc(title)
    )
}

/// HTML-escapes text and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Chinese, then English on the same line (headings).
fn bi(t: &Text) -> String {
    if t.en.is_empty() {
        esc(&t.zh)
    } else {
        format!("{} <span class=\"en\">{}</span>", esc(&t.zh), esc(&t.en))
    }
}

/// Chinese, then English on the next line (paragraphs, labels).
fn stack(zh: &str, en: &str) -> String {
    if en.is_empty() {
        esc(zh)
    } else {
        format!("{}<br><span class=\"en\">{}</span>", esc(zh), esc(en))
    }
}

fn plain(t: &Text) -> String {
    if t.en.is_empty() {
        t.zh.clone()
    } else {
        format!("{} · {}", t.zh, t.en)
    }
}

/// A number as the tables show it: at most two decimals.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A JSON string safe inside `<script>`: no `<`, `>`, `&`, quote, control or line separator
/// is written as itself.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\'' | '\u{2028}' | '\u{2029}' | '\u{7f}' | '\0'..='\u{1f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_strs(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| json_str(s))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// A number, or `null` for none and for NaN/infinity (which JSON cannot hold).
fn json_num(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => "null".to_string(),
    }
}

fn json_nums(vs: &[Option<f64>]) -> String {
    format!(
        "[{}]",
        vs.iter()
            .map(|v| json_num(*v))
            .collect::<Vec<_>>()
            .join(",")
    )
}

const CSS: &str = r#"*{box-sizing:border-box}html{font-size:18px}
body{margin:0;font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;color:#111;background:#fff;line-height:1.5}
.en{font-weight:normal;color:#333;font-size:.85em}
header.top{background:#0b3d6e;color:#fff;padding:1.2rem 2rem}
header.top h1{margin:0;font-size:2rem;line-height:1.25}header.top .en{color:#e3edf7}
header.top p{margin:.3rem 0 0}.sub{font-size:1.15rem}.gen{font-size:.9rem}
main{max-width:1240px;margin:0 auto;padding:.5rem 2rem 3rem}
h2{font-size:1.6rem;color:#0b3d6e;border-bottom:3px solid #0b3d6e;padding-bottom:.2rem;margin:2rem 0 1rem}
h3{font-size:1.15rem;margin:1rem 0 .4rem}
.notice{border:3px solid #b00020;background:#fff1f1;color:#5c0011;padding:.7rem 1rem;margin:1rem 0;font-weight:bold}
.notice .en{color:#5c0011}.tablewrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.8rem 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #777;padding:.35rem .6rem;text-align:left;vertical-align:top}
thead th{background:#e6edf5}tbody tr:nth-child(even){background:#f5f7fa}
.num{text-align:right;white-space:nowrap}figure{margin:0}
figure.chart{margin:1.5rem 0;padding:1rem 1.2rem;border:1px solid #aaa;border-radius:6px;break-inside:avoid}
figcaption{font-size:1.25rem;font-weight:bold;margin-bottom:.6rem}
.plot svg{display:block;max-width:100%;height:auto;overflow:visible}svg text{fill:#111}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1rem 2rem}
.panel h3{margin:.2rem 0 .3rem;font-size:1.05rem}
.legend{list-style:none;padding:0;margin:.6rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem 1.4rem}
.legend li{cursor:pointer;padding:0 .2rem}.legend li.on{outline:2px solid #111}
.sw{display:inline-block;width:2em;border-top:4px solid;vertical-align:middle;margin-right:.4em}
svg.focus g[data-series]{opacity:.12}svg.focus g.on{opacity:1}
.form-page{max-width:1100px;margin:0 auto;padding:1.5rem 2rem 2rem;border-bottom:4px dashed #999}
.form-head{border-bottom:3px solid #0b3d6e;margin-bottom:.5rem}
.form-head h1{margin:0;font-size:1.6rem;color:#0b3d6e}.form-head .meta{margin:.2rem 0 .4rem}
.fields th{width:11em;background:#e6edf5;font-weight:bold}.fields tr{break-inside:avoid}
td.pre{white-space:pre-wrap}
.mono{font-family:"DejaVu Sans Mono","Noto Sans Mono",monospace;font-size:.85em;word-break:break-all;overflow-wrap:anywhere}
.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:1rem}
.photo{border:1px solid #777;padding:.5rem;break-inside:avoid}
.photo img{display:block;width:100%;height:200px;object-fit:contain;background:#eee}
.photo figcaption{font-size:.85rem;font-weight:normal;margin:.4rem 0 0}
.missing{height:200px;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;border:3px dashed #b00020;color:#5c0011;font-weight:bold;padding:.5rem}
.verify{border:3px solid #0b3d6e;padding:.6rem 1rem;margin-top:1.2rem;break-inside:avoid}
.verify h3{margin-top:.2rem}.hint{margin:.4rem 0 0}
@media print{
@page{size:A4;margin:10mm 12mm}
html{font-size:11pt}*{background:none!important;box-shadow:none!important}
body,header.top,header.top .en,.notice,.notice .en{color:#000}
header.top{padding:0 0 .5rem;border-bottom:3px solid #000}main{max-width:none;padding:0}
.form-page{max-width:none;padding:0;border:none;break-after:page}.form-page:last-child{break-after:auto}
h2,.form-head h1{margin:.4rem 0 .3rem;font-size:1.35rem}h3{margin:.5rem 0 .3rem}th,td{padding:.2rem .45rem}
.fields th{width:14em}.fields th br{display:none}.fields th .en{margin-left:.4em}
.photos{grid-template-columns:repeat(3,1fr);gap:.5rem}.photo img,.missing{height:120px}
.verify{padding:.2rem .8rem .4rem;margin-top:.5rem}.hint{font-size:.9rem}.legend li{cursor:auto}
}
"#;

const CHART_JS: &str = r##"(function(){
"use strict";
var d=document,t=d.createElement("div");t.innerHTML="<svg></svg>";
var NS=t.firstChild.namespaceURI;
var PAL=["#1f5fa8","#c62828","#2e7d32","#e07b00","#6a1b9a","#00838f","#795548","#c2185b","#5f7100","#283593","#455a64","#b8860b"];
function el(n,a,p){var e=d.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);if(p)p.appendChild(e);return e;}
function txt(p,s,a){var e=el("text",a,p);e.textContent=s;return e;}
function tip(p,s){el("title",{},p).textContent=s;}
function num(v){return typeof v==="number"&&isFinite(v);}
function fmt(v){return num(v)?String(Math.round(v*100)/100):"—";}
function top(max,vs){if(num(max)&&max>0)return max;var m=0;vs.forEach(function(v){if(num(v)&&v>m)m=v;});return m>0?m:1;}
function nice(x){var p=Math.pow(10,Math.floor(Math.log10(x))),f=x/p;return (f<=1?1:f<=2?2:f<=2.5?2.5:f<=5?5:10)*p;}
function clamp(v,m){return num(v)?Math.max(0,Math.min(v,m)):0;}
function svg(box,w,h){return el("svg",{viewBox:"0 0 "+w+" "+h,width:w,height:h,role:"img"},box);}
function width(box){return Math.max(300,Math.floor(box.clientWidth||800));}
function sized(e){var b=e.getBBox();return b.width>0&&b.height>0;}
function bars(box,labels,values,max,unit,fs){
var W=width(box),row=Math.round(fs*1.9),m=top(max,values),s=svg(box,W,labels.length*row+4),cap=W*0.36,lw=0,n=0;
var ts=labels.map(function(l,i){
var e=txt(s,l,{y:i*row+row/2,"font-size":fs,"text-anchor":"end","dominant-baseline":"central"});
if(e.getComputedTextLength()>cap){var ch=Array.from(l);while(ch.length>1&&e.getComputedTextLength()>cap){ch.pop();e.textContent=ch.join("")+"…";}tip(e,l);}
lw=Math.max(lw,e.getComputedTextLength());return e;});
ts.forEach(function(e){e.setAttribute("x",lw);});
var x0=lw+12,bw=Math.max(40,W-x0-fs*6);
labels.forEach(function(l,i){var v=values[i],w=bw*clamp(v,m)/m;
var r=el("rect",{x:x0,y:i*row+row*0.14,width:w,height:row*0.72,rx:3,fill:"#1f5fa8"},s);tip(r,l+": "+fmt(v));
txt(s,fmt(v)+(unit&&num(v)?" "+unit:""),{x:x0+w+8,y:i*row+row/2,"font-size":fs,"font-weight":"bold","dominant-baseline":"central"});
if(w>0&&sized(r))n++;});
return n;}
function lines(box,xs,series,max){
var W=width(box),H=Math.round(Math.min(520,Math.max(340,W*0.42))),L=64,R=28,T=16,B=44,fs=17,all=[],n=0;
series.forEach(function(se){all=all.concat(se.values);});
var m=top(max,all),s=svg(box,W,H),pw=W-L-R,ph=H-T-B,k=xs.length,lo=m,lo0=0,step=nice(m/5);
all.forEach(function(v){if(num(v)&&v<lo)lo=Math.max(0,v);});
if(lo>m*0.3&&lo<m){step=nice((m-lo)/5);lo0=Math.max(0,Math.floor((lo-step/2)/step)*step);}
function X(i){return k<2?L+pw/2:L+i*pw/(k-1);}
function Y(v){return T+ph*(1-(Math.max(lo0,clamp(v,m))-lo0)/(m-lo0));}
for(var g=lo0;g<=m+step*1e-6;g+=step){var y=Y(g);el("line",{x1:L,x2:W-R,y1:y,y2:y,stroke:g>lo0?"#ccc":"#444"},s);
txt(s,fmt(g),{x:L-10,y:y,"font-size":fs,"text-anchor":"end","dominant-baseline":"central"});}
xs.forEach(function(x,i){txt(s,x,{x:X(i),y:H-B+28,"font-size":fs,"text-anchor":"middle"});});
var leg=d.createElement("ul");leg.className="legend";box.appendChild(leg);
series.forEach(function(se,j){
var c=PAL[j%PAL.length],dash=j>=PAL.length/2,gr=el("g",{"data-series":j},s),p="",pen=false;
se.values.forEach(function(v,i){if(num(v)){p+=(pen?"L":"M")+X(i).toFixed(1)+" "+Y(v).toFixed(1);pen=true;}else pen=false;});
if(p)el("path",{d:p,fill:"none",stroke:c,"stroke-width":3,"stroke-dasharray":dash?"9 5":"none"},gr);
se.values.forEach(function(v,i){if(!num(v))return;
var q=el("circle",{cx:X(i),cy:Y(v),r:5.5,fill:c},gr);tip(q,se.name+" · "+(xs[i]||"")+": "+fmt(v));if(sized(q))n++;});
var li=d.createElement("li"),sw=d.createElement("span");sw.className="sw";sw.style.borderTopColor=c;
if(dash)sw.style.borderTopStyle="dashed";li.appendChild(sw);li.appendChild(d.createTextNode(se.name));leg.appendChild(li);
li.addEventListener("click",function(){var was=gr.classList.contains("on");
s.querySelectorAll("g.on").forEach(function(x){x.classList.remove("on");});
leg.querySelectorAll("li.on").forEach(function(x){x.classList.remove("on");});
if(!was){gr.classList.add("on");li.classList.add("on");}s.classList.toggle("focus",!was);});});
return n;}
var done=0;
d.querySelectorAll("figure.chart").forEach(function(f){try{
var data=JSON.parse(f.querySelector("script[type='application/json']").textContent),plots=f.querySelectorAll(".plot"),n=0;
if(data.kind==="bars")n=bars(plots[0],data.labels,data.values,data.max,data.unit,18);
else if(data.kind==="lines")n=lines(plots[0],data.x,data.series,data.max);
else if(data.kind==="grid")data.charts.forEach(function(c,i){n+=bars(plots[i],c.labels,c.values,c.max,c.unit,15);});
else throw new Error("unknown chart kind");
f.setAttribute("data-drawn",String(n));done++;
}catch(e){f.setAttribute("data-error",String(e&&e.message||e));}});
d.body.dataset.chartsDrawn=String(done);
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(zh: &str, en: &str) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn sample(evil: &str) -> HtmlReport {
        let s = |x: &str| format!("{x}{evil}");
        HtmlReport {
            title: t(&s("月度排名"), &s("Monthly ranking")),
            subtitle: t(&s("2026年11月"), &s("November 2026")),
            generated: s("2026-12-03 12:00 +08:00"),
            sections: vec![Section {
                heading: t(&s("单位排名"), &s("Unit ranking")),
                blocks: vec![
                    Block::Paragraph(t(&s("说明"), &s("About"))),
                    Block::Notice(t(&s("缺数据"), &s("Missing data"))),
                    Block::Table {
                        headers: vec![t(&s("单位"), &s("Unit")), t("得分", "Score")],
                        rows: vec![vec![s("住建局"), "92.5".into()]],
                        numeric: vec![1],
                    },
                    Block::Bars {
                        id: s("total"),
                        title: t(&s("总分"), &s("Total")),
                        labels: vec![s("住建局"), s("城管局"), "水务局".into()],
                        values: vec![92.5, -3.0, f64::NAN],
                        max: 100.0,
                        unit: s("分"),
                    },
                    Block::Lines {
                        id: s("trend"),
                        title: t(&s("趋势"), &s("Trend")),
                        x_labels: vec![s("7月"), "8月".into()],
                        series: vec![(s("住建局"), vec![Some(90.0), None])],
                        max: f64::INFINITY,
                    },
                    Block::Grid {
                        id: s("ind"),
                        title: t(&s("指标"), &s("Indicators")),
                        charts: vec![(
                            t(&s("按时办结率"), &s("On time")),
                            vec![s("住建局")],
                            vec![0.9],
                            1.0,
                        )],
                    },
                ],
            }],
        }
    }

    fn forms(evil: &str) -> SiteFormsReport {
        let s = |x: &str| format!("{x}{evil}");
        let photo = |uri: Option<&str>| PhotoCell {
            name: s("p1.jpg"),
            media_type: s("image/jpeg"),
            taken_at: s("2026-11-02 10:00"),
            gps: Some(s("34.76, 115.03")),
            data_uri: uri.map(str::to_string),
        };
        SiteFormsReport {
            title: t(&s("现场督办月报"), &s("Site forms")),
            unit: s("unit-x"),
            month: s("2026-11"),
            hub_hint: t(&s("用 hotline 核验"), &s("check with hotline")),
            forms: vec![SiteFormPage {
                order: s("o-1"),
                receipt: s("r-1"),
                kind: t(&s("现场督办"), &s("On-site")),
                place: s("人民路"),
                held_at: s("2026-11-02"),
                recorded_at: s("2026-11-02"),
                gps: Some(s("34.76")),
                people_present: vec![s("李某"), s("王某")],
                findings: s("积水"),
                action_taken: s("已清理"),
                signer: s("李某"),
                event_id: s("ev"),
                change_hash: s("ch"),
                signature: s("sig"),
                certificate: s("cert"),
                photos: vec![
                    photo(Some("data:image/png;base64,iVBORw0KGgo=")),
                    photo(None),
                    photo(Some("https://example.com/x.png")),
                    photo(Some("data:image/png;base64,AA\" onerror=\"x")),
                ],
            }],
        }
    }

    #[test]
    fn document_shell() {
        let html = render_report(&sample(""));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<title>月度排名 · Monthly ranking</title>"));
        assert!(html.contains("<h2>单位排名 <span class=\"en\">Unit ranking</span></h2>"));
        for id in ["total", "trend", "ind"] {
            assert!(
                html.contains(&format!("<figure class=\"chart\" data-chart=\"{id}\">")),
                "{id}"
            );
        }
        assert!(html.contains("<td class=\"num\">92.5</td>"));
        assert!(html.contains("<noscript>"));
        let forms = render_site_forms(&forms(""));
        for doc in [&html, &forms] {
            assert!(
                !doc.contains("http:") && !doc.contains("https:") && !doc.contains("//"),
                "no URL"
            );
        }
        assert!(forms.contains("break-after:page"));
        assert!(
            forms.contains("现场督办情况表 <span class=\"en\">On-site supervision form</span>")
        );
    }

    #[test]
    fn deterministic() {
        assert_eq!(render_report(&sample("")), render_report(&sample("")));
        assert_eq!(render_site_forms(&forms("")), render_site_forms(&forms("")));
    }

    #[test]
    fn every_field_is_escaped() {
        let evil = "<script>alert('x')</script>&\"";
        let report = render_report(&sample(evil));
        let forms = render_site_forms(&forms(evil));
        for doc in [&report, &forms] {
            assert!(!doc.contains("<script>alert"), "raw script tag in output");
            assert!(!doc.contains("alert('x')"), "raw quote in output");
            assert!(doc.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        }
        // Our own scripts only: the drawing script and one data script per chart.
        assert_eq!(report.matches("<script").count(), 4);
        assert_eq!(report.matches("</script").count(), 4);
        assert_eq!(forms.matches("<script").count(), 0);
        // In the JSON every field is the escaped form.
        assert!(report.contains(
            r#""unit":"分\u003cscript\u003ealert(\u0027x\u0027)\u003c/script\u003e\u0026\"""#
        ));
    }

    #[test]
    fn json_strings_cannot_break_out() {
        assert_eq!(json_str("</script>"), r#""\u003c/script\u003e""#);
        assert_eq!(
            json_str("a\"b\\c\n\r\t\u{1}\u{7f}"),
            r#""a\"b\\c\n\r\t\u0001\u007f""#
        );
        assert_eq!(
            json_str("\u{2028}\u{2029}&'<!--"),
            r#""\u2028\u2029\u0026\u0027\u003c!--""#
        );
        assert_eq!(json_str("单位 ok"), "\"单位 ok\"");
        assert_eq!(json_num(Some(f64::NAN)), "null");
        assert_eq!(json_num(Some(f64::NEG_INFINITY)), "null");
        assert_eq!(json_num(Some(92.5)), "92.5");
        assert_eq!(json_num(None), "null");
        let html = render_report(&sample(""));
        assert!(html.contains(r#""values":[92.5,-3,null],"max":100,"unit":"分""#));
        assert!(html.contains(r#""series":[{"name":"住建局","values":[90,null]}],"max":null"#));
    }

    #[test]
    fn numbers_for_tables() {
        assert_eq!(num(92.0), "92");
        assert_eq!(num(92.456), "92.46");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "—");
    }

    #[test]
    fn photos_inline_or_marked_missing() {
        let html = render_site_forms(&forms(""));
        assert!(html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"p1.jpg\">"));
        assert!(html.contains("照片未同步<br><span class=\"en\">photo not held here</span>"));
        assert_eq!(html.matches("照片数据无效").count(), 2);
        assert!(!html.contains("example.com") && !html.contains("onerror"));
        assert!(html.contains("第 1 / 1 份"));
        let empty = SiteFormsReport {
            forms: vec![],
            ..forms("")
        };
        assert!(render_site_forms(&empty).contains("本月无现场督办记录"));
        assert!(!is_image_data_uri("data:image/svg+xml;base64,PHN2Zz4="));
        assert!(!is_image_data_uri("data:image/png;base64,"));
        assert!(is_image_data_uri("data:image/jpeg;base64,/9j/4A=="));
    }
}
