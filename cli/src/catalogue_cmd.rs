//! `hotline category …` and `hotline catalogue …`: the city's categories with their intake
//! forms, and the dispatch catalogue — read from this device's store (the newest version it
//! received), or from a file being prepared; checked; issued by the authority.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use hotline_core::authority::Authority;
use hotline_core::catalogue::{Catalogue, Category, parse_catalogue_toml};
use hotline_core::device::CategoryChoice;
use hotline_core::error::ErrorCode;
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};

#[derive(Subcommand, Debug)]
pub enum CategoryCommand {
    /// The category tree (the store's newest catalogue, or --file).
    List {
        /// Only what is below this category.
        #[arg(long)]
        parent: Option<String>,
        /// A catalogue TOML file instead of the store.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// One category: the kinds it takes and its intake form's questions.
    Show {
        code: String,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Validate a catalogue TOML file (categories, units, dispatch entries).
    Check { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum CatalogueCommand {
    /// The dispatch entries; with --category, whom the catalogue proposes for it.
    Show {
        #[arg(long)]
        category: Option<String>,
        /// The order's division code (with --category).
        #[arg(long, requires = "category")]
        division: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Validate a catalogue TOML file.
    Check { file: PathBuf },
    /// Sign FILE as the city's next catalogue version (authority; devices get it by sync).
    Issue {
        file: PathBuf,
        /// The authority folder (`hotline hub init --data DIR`).
        #[arg(long)]
        data: PathBuf,
    },
}

fn read_file(path: &Path) -> Result<Catalogue, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::new(
            ErrorCode::CatalogueSyntax,
            format!("无法读取目录文件 {}：{e}", path.display()),
            format!("cannot read catalogue file {}: {e}", path.display()),
        )
    })?;
    Ok(parse_catalogue_toml(&text)?)
}

/// The catalogue to read, and its version (0 for a file).
fn source(file: Option<&Path>, ctx: &Ctx) -> Result<(Catalogue, u64), CliError> {
    match file {
        Some(f) => Ok((read_file(f)?, 0)),
        None => {
            let device = ctx.open()?;
            let issued = device.catalogue()?;
            Ok((issued.catalogue.clone(), issued.version))
        }
    }
}

/// What `hotline intake --category C --attr K=V…` hands the device.
pub fn category_choice(code: String, attrs: &[String]) -> Result<CategoryChoice, CliError> {
    let mut answers = BTreeMap::new();
    for a in attrs {
        let (k, v) = a.split_once('=').ok_or_else(|| {
            CliError::new(
                ErrorCode::Usage,
                format!("--attr 须写成 代码=值：{a}"),
                format!("--attr takes CODE=VALUE: {a}"),
            )
        })?;
        answers.insert(k.trim().to_string(), v.to_string());
    }
    Ok(CategoryChoice { code, answers })
}

fn kinds_of(c: &Catalogue, code: &str) -> Vec<&'static str> {
    c.kinds(code).into_iter().map(|k| k.as_str()).collect()
}

fn line(c: &Catalogue, cat: &Category, depth: usize) {
    let functional = if c.is_functional(&cat.code) {
        "  职能部门事项 / functional department"
    } else {
        ""
    };
    crate::outln!(
        "{}{}  {} / {}  [{}]{functional}",
        "  ".repeat(depth),
        cat.code,
        cat.name_zh,
        cat.name_en,
        kinds_of(c, &cat.code).join(", ")
    );
}

fn tree(c: &Catalogue, parent: Option<&str>, depth: usize) {
    for cat in c.children(parent) {
        line(c, cat, depth);
        tree(c, Some(&cat.code), depth + 1);
    }
}

fn category_json(c: &Catalogue, cat: &Category) -> serde_json::Value {
    json!({
        "code": cat.code, "parent": cat.parent, "name_zh": cat.name_zh, "name_en": cat.name_en,
        "kinds": kinds_of(c, &cat.code), "functional": c.is_functional(&cat.code),
        "attributes": c.attributes(&cat.code),
    })
}

pub fn run_category(cmd: CategoryCommand, ctx: &Ctx) -> Result<(), CliError> {
    match cmd {
        CategoryCommand::List { parent, file } => {
            let (c, version) = source(file.as_deref(), ctx)?;
            if let Some(p) = &parent {
                find(&c, p, version)?;
            }
            if ctx.json {
                let below: Vec<_> = c
                    .categories
                    .iter()
                    .filter(|cat| {
                        parent.as_deref().is_none_or(|p| {
                            c.lineage(&cat.code).iter().skip(1).any(|a| a.code == p)
                        })
                    })
                    .map(|cat| category_json(&c, cat))
                    .collect();
                return print_json(&json!({ "version": version, "categories": below }));
            }
            if version > 0 {
                crate::outln!("目录版本 / catalogue version {version}");
            }
            tree(&c, parent.as_deref(), 0);
            Ok(())
        }
        CategoryCommand::Show { code, file } => {
            let (c, version) = source(file.as_deref(), ctx)?;
            let cat = find(&c, &code, version)?;
            if ctx.json {
                return print_json(&category_json(&c, cat));
            }
            let path: Vec<String> = c
                .lineage(&code)
                .iter()
                .rev()
                .map(|a| a.name_zh.clone())
                .collect();
            crate::outln!("{}  {} / {}", cat.code, path.join(" › "), cat.name_en);
            crate::outln!("受理类型 / kinds: {}", kinds_of(&c, &code).join(", "));
            if c.is_functional(&code) {
                crate::outln!(
                    "职能部门事项，不派往乡镇（街道） / functional department matter, never to a township"
                );
            }
            let form = c.attributes(&code);
            if form.is_empty() {
                crate::outln!("无附加信息项 / no form questions");
            }
            for a in form {
                let required = if a.required { " 必填/required" } else { "" };
                crate::outln!(
                    "  --attr {}=…  {} / {}  ({}){required}",
                    a.code,
                    a.name_zh,
                    a.name_en,
                    a.datatype.as_str()
                );
                for v in &a.values {
                    crate::outln!("      {}  {} / {}", v.key, v.name_zh, v.name_en);
                }
            }
            Ok(())
        }
        CategoryCommand::Check { file } => check(&file, ctx),
    }
}

fn find<'a>(c: &'a Catalogue, code: &str, version: u64) -> Result<&'a Category, CliError> {
    c.category(code).ok_or_else(|| {
        hotline_core::catalogue::CatalogueError::UnknownCategory {
            code: code.to_string(),
            version,
        }
        .into()
    })
}

fn check(file: &Path, ctx: &Ctx) -> Result<(), CliError> {
    let c = read_file(file)?;
    if ctx.json {
        return print_json(&json!({
            "ok": true, "categories": c.categories.len(), "units": c.units.len(),
            "dispatch_entries": c.dispatch.len(),
        }));
    }
    crate::outln!(
        "目录文件有效 / catalogue file is valid: {} 个分类 / categories, {} 个单位类别 / unit classes, {} 条派单目录 / dispatch entries",
        c.categories.len(),
        c.units.len(),
        c.dispatch.len()
    );
    Ok(())
}

pub fn run_catalogue(cmd: CatalogueCommand, ctx: &Ctx) -> Result<(), CliError> {
    match cmd {
        CatalogueCommand::Show {
            category,
            division,
            file,
        } => {
            let (c, version) = source(file.as_deref(), ctx)?;
            match category {
                Some(code) => {
                    find(&c, &code, version)?;
                    // On a device: the newest catalogue with the amendments its returns made.
                    let (issued_at, amendments) = match file {
                        Some(_) => (chrono::DateTime::<chrono::Utc>::MIN_UTC, Vec::new()),
                        None => {
                            let device = ctx.open()?;
                            let at = device.catalogue()?.issued_at;
                            (at, device.store().catalogue_amendments()?)
                        }
                    };
                    let p = c.propose(issued_at, &amendments, &code, division.as_deref());
                    if ctx.json {
                        return print_json(&json!({ "version": version, "proposal": p }));
                    }
                    match p {
                        None => crate::outln!(
                            "派单目录中没有此分类与区划的单位 / no catalogue entry for this category and place"
                        ),
                        Some(p) => {
                            crate::outln!("主办 / lead: {}", p.lead);
                            if !p.assisting.is_empty() {
                                let a: Vec<&str> =
                                    p.assisting.iter().map(|u| u.0.as_str()).collect();
                                crate::outln!("协办 / assisting: {}", a.join(", "));
                            }
                            let place = if p.division.is_empty() {
                                "全市 / whole city".to_string()
                            } else {
                                p.division.clone()
                            };
                            crate::outln!("依据 / from entry: {} @ {place}", p.category);
                            if let Some(by) = p.amended_by {
                                crate::outln!("已按退回决定修订 / amended by return decision {by}");
                            }
                            if let Some(l) = p.statutory_limit {
                                crate::outln!(
                                    "法定时限 / statutory limit: {} WD ({})",
                                    l.working_days,
                                    l.basis
                                );
                            }
                        }
                    }
                    Ok(())
                }
                None => {
                    if ctx.json {
                        return print_json(
                            &json!({ "version": version, "units": c.units, "dispatch": c.dispatch }),
                        );
                    }
                    if c.dispatch.is_empty() {
                        crate::outln!("派单目录为空 / the dispatch catalogue is empty");
                    }
                    for e in c.dispatch.iter().map(|e| &e.route) {
                        let place = if e.division.is_empty() {
                            "*"
                        } else {
                            &e.division
                        };
                        let a: Vec<&str> = e.assisting.iter().map(|u| u.0.as_str()).collect();
                        crate::outln!(
                            "{} @ {place} → {}{}",
                            e.category,
                            e.lead,
                            if a.is_empty() {
                                String::new()
                            } else {
                                format!(" + {}", a.join(", "))
                            }
                        );
                    }
                    Ok(())
                }
            }
        }
        CatalogueCommand::Check { file } => check(&file, ctx),
        CatalogueCommand::Issue { file, data } => {
            let c = read_file(&file)?;
            let mut authority = Authority::open(&data)?;
            let signed = authority.issue_catalogue(&c, ctx.now)?;
            if ctx.json {
                return print_json(&json!({ "version": signed.version,
                    "issued_at": signed.issued_at.to_rfc3339() }));
            }
            crate::outln!(
                "已签发第 {} 版目录；设备下次同步时收到 / issued catalogue version {}; devices receive it at their next sync",
                signed.version,
                signed.version
            );
            Ok(())
        }
    }
}
