//! Deadlines of every preset limit, with the seeds' numbers, across the 2026 holidays and their
//! make-up working days (Spring Festival, Qingming, Labour Day, National Day).

use chrono::{DateTime, Utc};
use hotline_core::Coded;
use hotline_core::model::{RequestKind, Urgency};
use hotline_core::policy::{HolidayCalendar, Limit, deadline_after, preset, to_local};
use hotline_testkit::t;

fn local(ts: DateTime<Utc>) -> String {
    to_local(ts).to_rfc3339()
}

/// Which deadline of the preset a row exercises.
#[derive(Clone, Copy, Debug)]
enum Row {
    Dispatch,
    SignFor,
    Return,
    Handling(RequestKind),
    LeaderApproval,
    EmergencyResponse,
    EmergencyClose,
    Reopen,
}

#[test]
fn every_preset_limit_across_2026_holidays() {
    use RequestKind::*;
    use Row::*;
    let cal = HolidayCalendar::national().unwrap();
    // (preset, limit, from, expected due) — due dates worked by hand from the State Council's
    // 2026 schedule; comments give the working days counted.
    let table: &[(&str, Row, &str, &str)] = &[
        // ---- Spring Festival: Sat 14 Feb works, 15–23 Feb off, Sat 28 Feb works.
        // Puyang: dispatch within 1 WD; the next working day after Fri 13 Feb is Sat 14 Feb.
        (
            "puyang",
            Dispatch,
            "2026-02-13T10:00:00+08:00",
            "2026-02-14T23:59:59+08:00",
        ),
        // Puyang inquiry 5 WD: 14, 24, 25, 26, 27 Feb.
        (
            "puyang",
            Handling(Inquiry),
            "2026-02-13T10:00:00+08:00",
            "2026-02-27T23:59:59+08:00",
        ),
        (
            "puyang",
            Handling(Help),
            "2026-02-13T10:00:00+08:00",
            "2026-02-27T23:59:59+08:00",
        ),
        (
            "puyang",
            Handling(Suggestion),
            "2026-02-13T10:00:00+08:00",
            "2026-02-27T23:59:59+08:00",
        ),
        (
            "puyang",
            Handling(Complaint),
            "2026-02-13T10:00:00+08:00",
            "2026-02-27T23:59:59+08:00",
        ),
        (
            "puyang",
            Handling(Report),
            "2026-02-13T10:00:00+08:00",
            "2026-02-27T23:59:59+08:00",
        ),
        // Puyang return 2 WD from the make-up Saturday: 24, 25 Feb.
        (
            "puyang",
            Return,
            "2026-02-14T09:00:00+08:00",
            "2026-02-25T23:59:59+08:00",
        ),
        // Puyang leader approval 10 WD from Thu 12 Feb: 13, 14, 24–28 Feb, 2, 3, 4 Mar.
        (
            "puyang",
            LeaderApproval,
            "2026-02-12T09:00:00+08:00",
            "2026-03-04T23:59:59+08:00",
        ),
        // Puyang emergencies close within 8 natural hours, holiday or not.
        (
            "puyang",
            EmergencyClose,
            "2026-02-16T22:00:00+08:00",
            "2026-02-17T06:00:00+08:00",
        ),
        // Puyang reopen 5 WD from Thu 26 Feb: 27, 28 Feb, 2, 3, 4 Mar.
        (
            "puyang",
            Reopen,
            "2026-02-26T15:00:00+08:00",
            "2026-03-04T23:59:59+08:00",
        ),
        // Turpan complaint 15 WD from Fri 13 Feb: 14, 24–28 Feb, 2–6, 9–12 Mar.
        (
            "turpan",
            Handling(Complaint),
            "2026-02-13T10:00:00+08:00",
            "2026-03-12T23:59:59+08:00",
        ),
        (
            "turpan",
            Handling(Report),
            "2026-02-13T10:00:00+08:00",
            "2026-03-12T23:59:59+08:00",
        ),
        (
            "turpan",
            Handling(Inquiry),
            "2026-02-13T10:00:00+08:00",
            "2026-02-27T23:59:59+08:00",
        ),
        // Turpan sign-for 12 h and return 20 h are natural hours through the holiday.
        (
            "turpan",
            SignFor,
            "2026-02-14T20:00:00+08:00",
            "2026-02-15T08:00:00+08:00",
        ),
        (
            "turpan",
            Return,
            "2026-02-14T20:00:00+08:00",
            "2026-02-15T16:00:00+08:00",
        ),
        // Turpan emergency: response 2 h, closed within 2 WD (24, 25 Feb).
        (
            "turpan",
            EmergencyResponse,
            "2026-02-14T11:30:00+08:00",
            "2026-02-14T13:30:00+08:00",
        ),
        (
            "turpan",
            EmergencyClose,
            "2026-02-14T11:30:00+08:00",
            "2026-02-25T23:59:59+08:00",
        ),
        // Turpan reopen 3 WD from Thu 26 Feb: 27 Feb, Sat 28 Feb, 2 Mar.
        (
            "turpan",
            Reopen,
            "2026-02-26T15:00:00+08:00",
            "2026-03-02T23:59:59+08:00",
        ),
        // Linshu return 1 WD from the make-up Saturday: next is Tue 24 Feb.
        (
            "linshu",
            Return,
            "2026-02-14T09:00:00+08:00",
            "2026-02-24T23:59:59+08:00",
        ),
        // ---- Qingming: Sat 4 – Mon 6 Apr off, no make-up day.
        (
            "puyang",
            Handling(Inquiry),
            "2026-04-02T09:00:00+08:00",
            "2026-04-10T23:59:59+08:00",
        ),
        (
            "turpan",
            Return,
            "2026-04-03T18:00:00+08:00",
            "2026-04-04T14:00:00+08:00",
        ),
        (
            "linshu",
            Return,
            "2026-04-03T18:00:00+08:00",
            "2026-04-07T23:59:59+08:00",
        ),
        (
            "puyang",
            Return,
            "2026-04-03T18:00:00+08:00",
            "2026-04-08T23:59:59+08:00",
        ),
        // ---- Labour Day: 1–5 May off, Sat 9 May works.
        // Turpan complaint 15 WD from Thu 30 Apr: 6, 7, 8, 9, 11–15, 18–22, 25 May.
        (
            "turpan",
            Handling(Complaint),
            "2026-04-30T16:00:00+08:00",
            "2026-05-25T23:59:59+08:00",
        ),
        // Puyang complaint 5 WD: 6, 7, 8, Sat 9, 11 May.
        (
            "puyang",
            Handling(Complaint),
            "2026-04-30T16:00:00+08:00",
            "2026-05-11T23:59:59+08:00",
        ),
        // Turpan reopen 3 WD from Thu 7 May: 8, Sat 9, 11 May.
        (
            "turpan",
            Reopen,
            "2026-05-07T10:00:00+08:00",
            "2026-05-11T23:59:59+08:00",
        ),
        (
            "puyang",
            Dispatch,
            "2026-04-30T16:00:00+08:00",
            "2026-05-06T23:59:59+08:00",
        ),
        // ---- National Day: Sun 20 Sep works, 25–27 Sep and 1–7 Oct off, Sat 10 Oct works.
        (
            "puyang",
            Dispatch,
            "2026-09-19T10:00:00+08:00",
            "2026-09-20T23:59:59+08:00",
        ),
        // Puyang inquiry 5 WD from Tue 29 Sep: 30 Sep, 8, 9, Sat 10, 12 Oct.
        (
            "puyang",
            Handling(Inquiry),
            "2026-09-29T10:00:00+08:00",
            "2026-10-12T23:59:59+08:00",
        ),
        // Turpan complaint 15 WD from Fri 18 Sep: Sun 20, 21–24, 28–30 Sep, 8, 9, Sat 10, 12–15 Oct.
        (
            "turpan",
            Handling(Complaint),
            "2026-09-18T10:00:00+08:00",
            "2026-10-15T23:59:59+08:00",
        ),
        (
            "turpan",
            EmergencyClose,
            "2026-09-30T21:00:00+08:00",
            "2026-10-09T23:59:59+08:00",
        ),
        // Puyang leader approval 10 WD from Thu 24 Sep: 28–30 Sep, 8, 9, 10, 12–15 Oct.
        (
            "puyang",
            LeaderApproval,
            "2026-09-24T09:00:00+08:00",
            "2026-10-15T23:59:59+08:00",
        ),
        (
            "linshu",
            Return,
            "2026-09-30T17:00:00+08:00",
            "2026-10-08T23:59:59+08:00",
        ),
        (
            "turpan",
            SignFor,
            "2026-09-30T21:00:00+08:00",
            "2026-10-01T09:00:00+08:00",
        ),
    ];
    for (name, row, from, want) in table {
        let p = preset(name).unwrap();
        let l = &p.limits;
        let limit = match row {
            Dispatch => l.dispatch,
            SignFor => l.sign_for,
            Return => l.return_request,
            Handling(k) => p.handling_limit(*k, Urgency::Normal, false),
            LeaderApproval => p.handling_limit(Complaint, Urgency::Normal, true),
            EmergencyResponse => l.emergency_response,
            EmergencyClose => p.handling_limit(Complaint, Urgency::Emergency, false),
            Reopen => l.reopen,
        }
        .unwrap_or_else(|| panic!("{name} has no {row:?} limit"));
        let due = deadline_after(limit, t(from), &cal).unwrap();
        assert_eq!(local(due), *want, "{name} {row:?} from {from}");
    }
}

#[test]
fn preset_limits_are_the_seeds_numbers() {
    use Limit::*;
    let p = preset("puyang").unwrap().limits;
    assert_eq!(
        [
            p.dispatch,
            p.return_request,
            p.inquiry_help_suggestion,
            p.complaint_report
        ],
        [
            Some(WorkingDays(1)),
            Some(WorkingDays(2)),
            Some(WorkingDays(5)),
            Some(WorkingDays(5))
        ]
    );
    assert_eq!(
        [p.leader_approval, p.emergency_close, p.reopen, p.sign_for],
        [
            Some(WorkingDays(10)),
            Some(Hours(8)),
            Some(WorkingDays(5)),
            None
        ]
    );
    let t = preset("turpan").unwrap();
    let l = &t.limits;
    assert_eq!(
        [
            l.sign_for,
            l.return_request,
            l.inquiry_help_suggestion,
            l.complaint_report
        ],
        [
            Some(Hours(12)),
            Some(Hours(20)),
            Some(WorkingDays(5)),
            Some(WorkingDays(15))
        ]
    );
    assert_eq!(
        [
            l.emergency_response,
            l.emergency_close,
            l.extension_max,
            l.reopen
        ],
        [
            Some(Hours(2)),
            Some(WorkingDays(2)),
            Some(WorkingDays(30)),
            Some(WorkingDays(3))
        ]
    );
    assert_eq!(t.max_reopens, Some(1));
    let s = preset("linshu").unwrap();
    assert_eq!(s.limits.return_request, Some(WorkingDays(1)));
    assert!(s.return_requires_call);
    assert!(preset("puyang").unwrap().extension_requires_explanation);
}

#[test]
fn the_event_day_counts_in_beijing_time_not_utc() {
    let cal = HolidayCalendar::national().unwrap();
    // 01:00 on Sat 14 Feb in Beijing is still Fri 13 Feb in UTC: the local day (14th) is the
    // one that does not count, so 1 WD ends on Tue 24 Feb, not on Sat 14 Feb.
    let due = deadline_after(Limit::WorkingDays(1), t("2026-02-13T17:00:00Z"), &cal).unwrap();
    assert_eq!(local(due), "2026-02-24T23:59:59+08:00");
    // And 23:30 on Fri 13 Feb is still the 13th: 1 WD ends on the make-up Saturday.
    let due = deadline_after(Limit::WorkingDays(1), t("2026-02-13T23:30:00+08:00"), &cal).unwrap();
    assert_eq!(local(due), "2026-02-14T23:59:59+08:00");
}

#[test]
fn working_days_follow_the_make_up_schedule() {
    let cal = HolidayCalendar::national().unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let table = [
        ("2025-01-26", true),  // Sunday, make-up for Spring Festival 2025
        ("2025-01-28", false), // New Year's Eve 2025
        ("2025-10-08", false),
        ("2025-10-11", true), // Saturday, make-up
        ("2026-01-04", true), // Sunday, make-up for New Year
        ("2026-02-14", true), // Saturday, make-up
        ("2026-02-16", false),
        ("2026-02-23", false),
        ("2026-02-24", true),
        ("2026-02-28", true), // Saturday, make-up
        ("2026-03-01", false),
        ("2026-04-06", false), // Qingming Monday
        ("2026-05-05", false),
        ("2026-05-09", true), // Saturday, make-up
        ("2026-09-20", true), // Sunday, make-up
        ("2026-10-07", false),
        ("2026-10-10", true), // Saturday, make-up
        ("2026-10-11", false),
        ("2026-11-23", true), // an ordinary Monday
    ];
    for (date, working) in table {
        assert_eq!(cal.is_working_day(d(date)).unwrap(), working, "{date}");
    }
}

#[test]
fn a_date_outside_the_calendar_is_an_error_not_a_guess() {
    let cal = HolidayCalendar::national().unwrap();
    let err =
        deadline_after(Limit::WorkingDays(1), t("2027-01-05T09:00:00+08:00"), &cal).unwrap_err();
    assert_eq!(err.code().as_str(), "calendar_unknown_date");
    // Counting that runs off the end of 2026 stops at the first unknown day.
    let err =
        deadline_after(Limit::WorkingDays(5), t("2026-12-28T09:00:00+08:00"), &cal).unwrap_err();
    assert_eq!(err.code().as_str(), "calendar_unknown_date");
    assert!(err.message_zh().contains("2027-01-01"));
    // Hour limits need no calendar.
    assert!(deadline_after(Limit::Hours(12), t("2027-01-05T09:00:00+08:00"), &cal).is_ok());
}

#[test]
fn deadlines_from_gives_what_each_preset_has() {
    let cal = HolidayCalendar::national().unwrap();
    let from = t("2026-02-13T10:00:00+08:00");
    let d = preset("linshu")
        .unwrap()
        .deadlines_from(&cal, RequestKind::Complaint, Urgency::Normal, false, from)
        .unwrap();
    assert_eq!(d.handling_due, None);
    assert_eq!(d.reopen_due, None);
    assert_eq!(local(d.return_due.unwrap()), "2026-02-14T23:59:59+08:00");
    let d = preset("turpan")
        .unwrap()
        .deadlines_from(&cal, RequestKind::Help, Urgency::Emergency, false, from)
        .unwrap();
    assert_eq!(local(d.response_due.unwrap()), "2026-02-13T12:00:00+08:00");
    assert_eq!(local(d.handling_due.unwrap()), "2026-02-24T23:59:59+08:00");
    // No emergency response deadline for a normal order.
    let d = preset("turpan")
        .unwrap()
        .deadlines_from(&cal, RequestKind::Help, Urgency::Normal, false, from)
        .unwrap();
    assert_eq!(d.response_due, None);
}
