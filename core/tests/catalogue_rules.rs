//! The catalogue's rules: bad files refused with their typed errors, intake forms checked by
//! type, and the dispatch proposal across categories and divisions (国办函〔2025〕66号:
//! dispatch by the catalogue; no functional-department matter to a township).

use std::collections::BTreeMap;

use hotline_core::catalogue::*;
use hotline_core::error::{Coded, ErrorCode};
use hotline_core::model::{EventId, RequestKind, UnitId};
use hotline_testkit::{TEST_CATALOGUE, t};

fn city() -> Catalogue {
    parse_catalogue_toml(TEST_CATALOGUE).unwrap()
}

#[test]
fn the_default_tree_is_valid_and_has_forms() {
    let c = default_catalogue().unwrap();
    assert!(c.categories.len() >= 30);
    assert!(c.children(None).len() >= 10, "top-level categories");
    // Night construction asks when it started (required) and, from nowhere above, nothing else.
    let form = c.attributes("020101");
    assert!(form.iter().any(|a| a.code == "started_at" && a.required));
    assert!(
        c.is_functional("020101"),
        "inherits 生态环境's functional flag"
    );
    assert!(!c.is_functional("0601"));
}

/// Every way a file can be wrong, with the code an authority sees.
#[test]
fn a_bad_file_is_refused_with_a_typed_error() {
    let cat = |extra: &str| {
        format!("[[category]]\ncode = \"01\"\nname_zh = \"甲\"\nname_en = \"A\"\n{extra}")
    };
    let cases: Vec<(&str, String, ErrorCode)> = vec![
        (
            "not TOML",
            "[[category]\ncode=".into(),
            ErrorCode::CatalogueSyntax,
        ),
        (
            "unknown field",
            cat("colour = \"red\"\n"),
            ErrorCode::CatalogueSyntax,
        ),
        (
            "unknown parent",
            cat(
                "\n[[category]]\ncode = \"0101\"\nparent = \"99\"\nname_zh = \"乙\"\nname_en = \"B\"\n",
            ),
            ErrorCode::CategoryUnknownParent,
        ),
        (
            "duplicate code",
            cat("\n[[category]]\ncode = \"01\"\nname_zh = \"乙\"\nname_en = \"B\"\n"),
            ErrorCode::CategoryDuplicateCode,
        ),
        (
            "cycle",
            "[[category]]\ncode = \"a\"\nparent = \"b\"\nname_zh = \"甲\"\nname_en = \"A\"\n\
             [[category]]\ncode = \"b\"\nparent = \"a\"\nname_zh = \"乙\"\nname_en = \"B\"\n"
                .into(),
            ErrorCode::CategoryCycle,
        ),
        (
            "own parent",
            "[[category]]\ncode = \"a\"\nparent = \"a\"\nname_zh = \"甲\"\nname_en = \"A\"\n"
                .into(),
            ErrorCode::CategoryCycle,
        ),
        (
            "attribute of unknown type",
            cat(
                "[[category.attribute]]\ncode = \"x\"\nname_zh = \"x\"\nname_en = \"x\"\ntype = \"colour\"\n",
            ),
            ErrorCode::AttributeUnknownType,
        ),
        (
            "list without choices",
            cat(
                "[[category.attribute]]\ncode = \"x\"\nname_zh = \"x\"\nname_en = \"x\"\ntype = \"singlevaluelist\"\n",
            ),
            ErrorCode::AttributeBadDefinition,
        ),
        (
            "unknown kind",
            cat("kinds = [\"praise\"]\n"),
            ErrorCode::CategoryUnknownKind,
        ),
        (
            "bad code",
            "[[category]]\ncode = \"a b\"\nname_zh = \"甲\"\nname_en = \"A\"\n".into(),
            ErrorCode::CategoryBadCode,
        ),
        (
            "no English name",
            "[[category]]\ncode = \"a\"\nname_zh = \"甲\"\nname_en = \" \"\n".into(),
            ErrorCode::CategoryMissingName,
        ),
        (
            "unknown unit class",
            cat("\n[[unit]]\nid = \"town-a\"\nclass = \"village\"\n"),
            ErrorCode::CatalogueUnknownUnitClass,
        ),
        (
            "dispatch to an unknown category",
            cat("\n[[dispatch]]\ncategory = \"99\"\nlead = \"u\"\n"),
            ErrorCode::DispatchEntryUnknownCategory,
        ),
        (
            "dispatch entry twice",
            cat(
                "\n[[dispatch]]\ncategory = \"01\"\nlead = \"u\"\n[[dispatch]]\ncategory = \"01\"\nlead = \"v\"\n",
            ),
            ErrorCode::DispatchEntryDuplicate,
        ),
        (
            "division not digits",
            cat("\n[[dispatch]]\ncategory = \"01\"\ndivision = \"41a\"\nlead = \"u\"\n"),
            ErrorCode::DispatchEntryInvalid,
        ),
        (
            "a functional matter to a township",
            cat(
                "functional = true\n\n[[unit]]\nid = \"town-a\"\nclass = \"township\"\n\n[[dispatch]]\ncategory = \"01\"\nlead = \"town-a\"\n",
            ),
            ErrorCode::FunctionalMatterToTownship,
        ),
    ];
    for (what, file, code) in cases {
        match parse_catalogue_toml(&file) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => {
                assert_eq!(e.code(), code, "{what}: {e}");
                assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
            }
        }
    }
}

#[test]
fn an_intake_form_is_checked_by_type() {
    let c = city();
    let form = |pairs: &[(&str, &str)]| {
        let answers: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        c.parse_attributes("020101", &answers)
            .and_then(|a| c.check_intake(1, RequestKind::Complaint, "020101", &a))
    };
    assert_eq!(
        form(&[
            ("started_at", "2026-12-01T22:00:00+08:00"),
            ("sources", "crane,truck")
        ]),
        Ok(())
    );
    let cases: Vec<(&[(&str, &str)], ErrorCode)> = vec![
        (&[], ErrorCode::AttributeMissing),
        (
            &[("started_at", "last night")],
            ErrorCode::AttributeBadValue,
        ),
        (
            &[
                ("started_at", "2026-12-01T22:00:00+08:00"),
                ("sources", "crane,boat"),
            ],
            ErrorCode::AttributeBadValue,
        ),
        (
            &[
                ("started_at", "2026-12-01T22:00:00+08:00"),
                ("sources", "crane,crane"),
            ],
            ErrorCode::AttributeBadValue,
        ),
        (
            &[
                ("started_at", "2026-12-01T22:00:00+08:00"),
                ("colour", "red"),
            ],
            ErrorCode::AttributeUnknown,
        ),
    ];
    for (answers, code) in cases {
        assert_eq!(
            form(answers).map_err(|e| e.code()),
            Err(code),
            "{answers:?}"
        );
    }
    // The kind must be one the category takes (night construction: complaints and reports).
    assert_eq!(
        c.check_intake(1, RequestKind::Inquiry, "020101", &BTreeMap::new())
            .map_err(|e| e.code()),
        Err(ErrorCode::CategoryKindNotAllowed)
    );
    assert_eq!(
        c.check_intake(3, RequestKind::Inquiry, "77", &BTreeMap::new())
            .map_err(|e| e.code()),
        Err(ErrorCode::CategoryUnknown)
    );
    // A number is a finite number; a typed value of the wrong kind is refused.
    let mut a = BTreeMap::new();
    a.insert("households".to_string(), AttributeValue::Number(f64::NAN));
    assert_eq!(
        c.check_intake(1, RequestKind::Help, "0901", &a)
            .map_err(|e| e.code()),
        Err(ErrorCode::AttributeBadValue)
    );
    a.insert(
        "households".to_string(),
        AttributeValue::Text("twelve".into()),
    );
    assert_eq!(
        c.check_intake(1, RequestKind::Help, "0901", &a)
            .map_err(|e| e.code()),
        Err(ErrorCode::AttributeBadValue)
    );
}

/// The catalogue's choice: the most specific category with an entry, and within it the
/// longest division prefix of the order's place.
#[test]
fn the_proposal_follows_category_and_division() {
    let c = city();
    let issued = t("2026-11-01T00:00:00Z");
    let cases = [
        // (category, division, lead, from entry (category, division))
        (
            "020101",
            Some("411502123"),
            "unit-county-ecology",
            ("0201", "4115"),
        ),
        ("020101", Some("410100"), "unit-shengli", ("02", "")),
        ("020101", None, "unit-shengli", ("02", "")),
        (
            "0201",
            Some("411500"),
            "unit-county-ecology",
            ("0201", "4115"),
        ),
        ("02", Some("411502"), "unit-shengli", ("02", "")),
        ("0901", Some("410902001"), "unit-gucheng", ("09", "410902")),
        ("0901", Some("411503"), "unit-agri", ("09", "")),
    ];
    for (category, division, lead, (from_cat, from_div)) in cases {
        let p = c.propose(issued, &[], category, division).unwrap();
        assert_eq!(p.lead, UnitId::new(lead), "{category} at {division:?}");
        assert_eq!(
            (p.category.as_str(), p.division.as_str()),
            (from_cat, from_div)
        );
        assert_eq!(p.amended_by, None);
    }
    assert_eq!(c.propose(issued, &[], "77", Some("411502")), None);
}

#[test]
fn an_amendment_after_issue_changes_the_next_proposal() {
    let c = city();
    let issued = t("2026-11-01T00:00:00Z");
    let amend = |id: &str, at: &str, lead: &str| RecordedAmendment {
        event: EventId::new(id),
        at: t(at),
        amendment: DispatchRoute {
            category: "0901".into(),
            division: "411503".into(),
            lead: UnitId::new(lead),
            assisting: vec![],
        },
    };
    // Made before the catalogue was issued: taken to be in it already, so ignored.
    let old = amend("ev-old", "2026-10-01T00:00:00Z", "dept-old");
    assert_eq!(
        c.propose(issued, std::slice::from_ref(&old), "0901", Some("411503"))
            .unwrap()
            .lead,
        UnitId::new("unit-agri")
    );
    // Two decisions on the same entry: the later wins, whatever order they are listed in.
    let first = amend("ev-1", "2026-11-10T00:00:00Z", "dept-water");
    let second = amend("ev-2", "2026-11-20T00:00:00Z", "dept-land");
    for list in [
        vec![first.clone(), second.clone()],
        vec![second.clone(), first.clone(), old],
    ] {
        let p = c.propose(issued, &list, "0901", Some("411503001")).unwrap();
        assert_eq!(p.lead, UnitId::new("dept-land"));
        assert_eq!(p.amended_by, Some(EventId::new("ev-2")));
    }
    // Other places keep the issued entry.
    assert_eq!(
        c.propose(issued, &[first], "0901", Some("411501"))
            .unwrap()
            .lead,
        UnitId::new("unit-agri")
    );
}

#[test]
fn the_grassroots_rule_follows_sub_units_and_inheritance() {
    let c = city();
    for (category, unit, allowed) in [
        ("020101", "unit-gucheng", false),
        ("020101", "unit-gucheng/village-1", false),
        ("020101", "unit-shengli", true),
        ("0901", "unit-gucheng", true),
        ("020101", "unlisted-unit", true),
    ] {
        let r = c.check_lead(category, &UnitId::new(unit));
        assert_eq!(r.is_ok(), allowed, "{category} → {unit}");
        if let Err(e) = r {
            assert_eq!(e.code(), ErrorCode::FunctionalMatterToTownship);
        }
    }
}

#[test]
fn a_signed_catalogue_opens_only_under_its_root() {
    use hotline_core::identity::{KeyCustody, MemoryKeyCustody};
    let root = MemoryKeyCustody::generate(&mut rand_core::OsRng);
    let other = MemoryKeyCustody::generate(&mut rand_core::OsRng);
    let signed = SignedCatalogue::issue(3, t("2026-11-01T00:00:00Z"), &city(), &root).unwrap();
    let opened = signed.open(&root.public_key()).unwrap();
    assert_eq!((opened.version, opened.catalogue), (3, city()));
    assert_eq!(
        signed.open(&other.public_key()).map_err(|e| e.code()),
        Err(ErrorCode::CatalogueBadSignature)
    );
    // A changed byte, or a changed version number, breaks the signature.
    let mut tampered = signed.clone();
    if let Some(b) = tampered.content.iter_mut().find(|b| **b == b'4') {
        *b = b'5';
    }
    assert_eq!(
        tampered.open(&root.public_key()).map_err(|e| e.code()),
        Err(ErrorCode::CatalogueBadSignature)
    );
    let mut renumbered = signed;
    renumbered.version = 4;
    assert_eq!(
        renumbered.open(&root.public_key()).map_err(|e| e.code()),
        Err(ErrorCode::CatalogueBadSignature)
    );
}
