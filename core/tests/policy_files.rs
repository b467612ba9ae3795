//! Custom policies and calendars from TOML: good files load, bad ones say what is wrong.

use hotline_core::Coded;
use hotline_core::policy::{HolidayCalendar, Limit, parse_policy_toml, preset};

const GOOD: &str = r#"
id = "example-county"
name_zh = "示例县"
name_en = "Example County"
max_reopens = 2
return_requires_call = true

[limits]
sign_for = { hours = 24 }
return_request = { working_days = 1 }
inquiry_help_suggestion = { working_days = 7 }
complaint_report = { working_days = 10 }
extension_max = { working_days = 20 }
reopen = { working_days = 3 }

[[calendar]]
year = 2027
source = "test schedule"
holidays = ["2027-01-01"]
workdays = ["2027-01-09"]
"#;

#[test]
fn a_valid_file_loads_with_its_limits_and_years() {
    let loaded = parse_policy_toml(GOOD).unwrap();
    let p = loaded.policy;
    assert_eq!(p.id, "example-county");
    assert_eq!(p.limits.sign_for, Some(Limit::Hours(24)));
    assert_eq!(p.limits.complaint_report, Some(Limit::WorkingDays(10)));
    assert_eq!(p.limits.dispatch, None);
    assert_eq!(p.max_reopens, Some(2));
    assert!(p.return_requires_call);
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert!(!loaded.calendar.is_working_day(d("2027-01-01")).unwrap());
    assert!(loaded.calendar.is_working_day(d("2027-01-09")).unwrap());
    // The national years are still there.
    assert!(loaded.calendar.is_working_day(d("2026-02-14")).unwrap());
}

#[test]
fn bad_files_are_refused_with_a_stable_code() {
    let table: &[(&str, &str, &str)] = &[
        (
            "unknown field",
            "id = \"x\"\nname_zh = \"x\"\n[limits]\nsignfor = { hours = 12 }\n",
            "policy_syntax",
        ),
        (
            "unknown top-level field",
            "id = \"x\"\nname_zh = \"x\"\nmax_reopen = 1\n",
            "policy_syntax",
        ),
        (
            "negative limit",
            "id = \"x\"\nname_zh = \"x\"\n[limits]\nreopen = { working_days = -3 }\n",
            "policy_negative_limit",
        ),
        (
            "negative reopen count",
            "id = \"x\"\nname_zh = \"x\"\nmax_reopens = -1\n",
            "policy_negative_limit",
        ),
        (
            "both hours and days",
            "id = \"x\"\nname_zh = \"x\"\n[limits]\nsign_for = { hours = 12, working_days = 1 }\n",
            "policy_ambiguous_limit",
        ),
        (
            "neither hours nor days",
            "id = \"x\"\nname_zh = \"x\"\n[limits]\nsign_for = {}\n",
            "policy_ambiguous_limit",
        ),
        (
            "missing year",
            "id = \"x\"\nname_zh = \"x\"\n[[calendar]]\nholidays = [\"2027-01-01\"]\n",
            "calendar_missing_year",
        ),
        (
            "year already shipped",
            "id = \"x\"\nname_zh = \"x\"\n[[calendar]]\nyear = 2026\n",
            "calendar_duplicate_year",
        ),
        (
            "date of another year",
            "id = \"x\"\nname_zh = \"x\"\n[[calendar]]\nyear = 2027\nholidays = [\"2028-01-01\"]\n",
            "calendar_date_outside_year",
        ),
        (
            "not a date",
            "id = \"x\"\nname_zh = \"x\"\n[[calendar]]\nyear = 2027\nholidays = [\"2027-02-30\"]\n",
            "calendar_date_outside_year",
        ),
        (
            "holiday and workday",
            "id = \"x\"\nname_zh = \"x\"\n[[calendar]]\nyear = 2027\nholidays = [\"2027-01-09\"]\nworkdays = [\"2027-01-09\"]\n",
            "calendar_holiday_and_workday",
        ),
        ("missing id", "name_zh = \"x\"\n", "policy_syntax"),
        ("not toml", "id = ", "policy_syntax"),
    ];
    for (what, text, code) in table {
        let err = parse_policy_toml(text).unwrap_err();
        assert_eq!(err.code().as_str(), *code, "{what}: {err}");
        assert!(!err.message_zh().is_empty() && !err.message_en().is_empty());
    }
}

#[test]
fn the_unknown_field_is_named() {
    let err =
        parse_policy_toml("id = \"x\"\nname_zh = \"x\"\n[limits]\nsignfor = { hours = 12 }\n")
            .unwrap_err();
    assert!(err.to_string().contains("signfor"), "{err}");
}

#[test]
fn a_calendar_file_adds_a_year() {
    let mut cal = HolidayCalendar::national().unwrap();
    let extra = HolidayCalendar::from_toml_str(
        "[[year]]\nyear = 2027\nsource = \"s\"\nholidays = [\"2027-01-01\"]\n",
    )
    .unwrap();
    cal.merge(extra).unwrap();
    assert_eq!(
        cal.years().map(|y| y.year).collect::<Vec<_>>(),
        vec![2025, 2026, 2027]
    );
    // Every shipped year cites its notice.
    assert!(
        HolidayCalendar::national()
            .unwrap()
            .years()
            .all(|y| y.source.contains("国务院办公厅"))
    );
}

#[test]
fn unknown_preset_lists_the_known_ones() {
    let err = preset("atlantis").unwrap_err();
    assert_eq!(err.code().as_str(), "policy_unknown_preset");
    assert!(err.to_string().contains("puyang"));
}

#[test]
fn a_file_sets_the_emergency_and_not_accepted_rules_or_keeps_the_defaults() {
    use hotline_core::model::NotAcceptedReason;
    // Defaults: emergencies may be extended, no duty-office report, every ground.
    let plain = parse_policy_toml(GOOD).unwrap().policy;
    assert!(plain.emergencies_extendable && !plain.emergency_duty_report);
    assert_eq!(plain.not_accepted_reasons, None);
    assert_eq!(plain.limits.emergency_dispatch, None);
    let strict = "id = \"c\"\nname_zh = \"某县\"\nemergencies_extendable = false\n\
         emergency_duty_report = true\nnot_accepted_reasons = [\"public_morals\", \"other\"]\n\
         [limits]\nemergency_dispatch = { hours = 1 }\n";
    let p = parse_policy_toml(strict).unwrap().policy;
    assert!(!p.emergencies_extendable && p.emergency_duty_report);
    assert_eq!(
        p.not_accepted_reasons,
        Some(vec![
            NotAcceptedReason::PublicMorals,
            NotAcceptedReason::Other
        ])
    );
    assert_eq!(p.limits.emergency_dispatch, Some(Limit::Hours(1)));
    // A misspelt ground is refused, naming it.
    let bad = "id = \"c\"\nname_zh = \"某县\"\nnot_accepted_reasons = [\"publc_morals\"]\n";
    let e = parse_policy_toml(bad).unwrap_err();
    assert_eq!(e.code().as_str(), "policy_syntax");
    assert!(
        e.message_en().contains("publc_morals"),
        "{}",
        e.message_en()
    );
}

#[test]
fn a_file_turns_procedures_on_in_its_own_table_and_a_stored_policy_keeps_none() {
    use hotline_core::policy::{Policy, Procedures};
    // Off unless the file says so.
    assert_eq!(
        parse_policy_toml(GOOD).unwrap().policy.procedures,
        Procedures::default()
    );
    // Lishui's first-receiver duty (co-units report to the lead unit), on by a county's file.
    let lishui = "id = \"c\"\nname_zh = \"某县\"\n[procedures]\nco_unit_opinions_required = true\n\
         leader_sign_off = true\n";
    let p = parse_policy_toml(lishui).unwrap().policy;
    assert!(p.procedures.co_unit_opinions_required && p.procedures.leader_sign_off);
    assert!(!p.procedures.unit_site_form);
    // A misspelt procedure is named, not ignored.
    let bad = "id = \"c\"\nname_zh = \"某县\"\n[procedures]\nleader_signoff = true\n";
    let e = parse_policy_toml(bad).unwrap_err();
    assert_eq!(e.code().as_str(), "policy_syntax");
    assert!(
        e.message_en().contains("leader_signoff"),
        "{}",
        e.message_en()
    );
    // A policy stored before procedures existed reads with none of them.
    let mut stored = serde_json::to_value(preset("linshu").unwrap()).unwrap();
    stored.as_object_mut().unwrap().remove("procedures");
    let old: Policy = serde_json::from_value(stored).unwrap();
    assert_eq!(old.procedures, Procedures::default());
}
