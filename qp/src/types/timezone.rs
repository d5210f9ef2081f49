//! The session time zone (`SET TimeZone`): how timestamptz values are read and shown.
//!
//! A timestamptz is stored as an instant (UTC). The session's zone decides what a text input
//! without an explicit offset means, what a `timestamp` ↔ `timestamptz` or `date` →
//! `timestamptz` conversion gives, and how a timestamptz is written out in text, as in
//! PostgreSQL:
//!
//! ```text
//!   SET TimeZone = 'Europe/Paris';
//!   SELECT '2024-07-01 12:00'::timestamptz;           2024-07-01 12:00:00+02
//!   SELECT '2024-07-01 12:00+00'::timestamptz;        2024-07-01 14:00:00+02
//!   SET TIME ZONE -7;          SHOW TimeZone → <-07>+07   (hours east of UTC, ISO sign)
//!   SET TimeZone = 'EST+5';    a POSIX zone: 5 hours *west* of UTC (POSIX sign)
//! ```
//!
//! Zone names are the IANA database's (from `chrono-tz`), matched without regard to case
//! and shown in their canonical spelling. Binary-format results carry the instant and do not
//! depend on the zone.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone as _, Utc};
use std::fmt::Write;

/// A session time zone: a named IANA zone (with its daylight-saving rules) or a fixed
/// offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeZone {
    /// An IANA zone such as `Europe/Paris` or `UTC`.
    Named(chrono_tz::Tz),
    /// A fixed offset east of UTC, with the name SHOW reports for it.
    Fixed(FixedOffset),
}

impl TimeZone {
    /// UTC, every session's default.
    pub const UTC: TimeZone = TimeZone::Named(chrono_tz::UTC);

    /// Parses a `TimeZone` setting: a zone name, a number of hours east of UTC (`-7`,
    /// `5.5`), or a POSIX zone of an abbreviation and hours *west* of UTC (`EST+5`,
    /// `UTC-3`). Returns the zone and the value SHOW reports; `None` if it is none of these.
    pub fn parse_setting(text: &str) -> Option<(TimeZone, String)> {
        let text = text.trim();
        if let Ok(tz) = chrono_tz::Tz::from_str_insensitive(text) {
            return Some((TimeZone::Named(tz), tz.name().to_string()));
        }
        if let Ok(hours) = text.parse::<f64>() {
            // PostgreSQL shows a numeric zone as the POSIX zone it stands for.
            let seconds = hours_to_seconds(hours)?;
            let offset = FixedOffset::east_opt(seconds)?;
            let mut shown = String::from("<");
            write_offset(seconds, &mut shown);
            shown.push('>');
            write_offset(-seconds, &mut shown);
            return Some((TimeZone::Fixed(offset), shown));
        }
        // POSIX: an abbreviation of letters, or anything in angle brackets (`<-07>+07`, the
        // form SHOW gives a numeric zone), then the hours west of UTC.
        let (abbreviation, west) = match text.strip_prefix('<') {
            Some(rest) => {
                let (inside, west) = rest.split_once('>')?;
                (inside, west)
            }
            None => {
                let split = text.find(|c: char| !c.is_ascii_alphabetic())?;
                let (letters, west) = text.split_at(split);
                if letters.len() < 3 {
                    return None;
                }
                (letters, west)
            }
        };
        if abbreviation.is_empty() {
            return None;
        }
        let seconds = parse_posix_offset(west)?;
        let offset = FixedOffset::west_opt(seconds)?;
        Some((TimeZone::Fixed(offset), text.to_string()))
    }

    /// The zone's offset from UTC at an instant.
    pub fn offset_at(self, instant: &DateTime<Utc>) -> FixedOffset {
        match self {
            TimeZone::Named(tz) => tz.offset_from_utc_datetime(&instant.naive_utc()).fix(),
            TimeZone::Fixed(offset) => offset,
        }
    }

    /// The local wall-clock time of an instant in this zone.
    pub fn local(self, instant: &DateTime<Utc>) -> NaiveDateTime {
        instant.naive_utc() + self.offset_at(instant)
    }

    /// The instant a local wall-clock time in this zone stands for, as PostgreSQL reads it:
    /// an ambiguous time (the hour repeated when clocks go back) takes the offset in force
    /// after the change, the later instant; a time in a gap (the hour skipped when clocks go
    /// forward) takes the offset in force before it, so it lands after the gap.
    pub fn to_utc(self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            TimeZone::Fixed(offset) => (local - offset).and_utc(),
            TimeZone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.with_timezone(&Utc),
                LocalResult::Ambiguous(_, later) => later.with_timezone(&Utc),
                LocalResult::None => {
                    // The offset in force just before the gap.
                    let before = tz
                        .offset_from_utc_datetime(&(local - chrono::Duration::days(1)))
                        .fix();
                    (local - before).and_utc()
                }
            },
        }
    }

    /// Appends PostgreSQL's text form of a timestamptz shown in this zone:
    /// `2024-07-01 12:00:00+02`, `2024-07-01 12:00:00.5-03:30`.
    pub fn write_timestamptz(self, instant: &DateTime<Utc>, out: &mut String) {
        let offset = self.offset_at(instant);
        format_timestamp(&(instant.naive_utc() + offset), out);
        write_offset(offset.local_minus_utc(), out);
    }
}

/// Appends PostgreSQL's text form of a date and time: `2024-07-01 12:00:00`, with the
/// fraction of a second when there is one (`12:00:00.25`).
pub(crate) fn format_timestamp(t: &NaiveDateTime, out: &mut String) {
    let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
    let micros = t.and_utc().timestamp_subsec_micros();
    if micros != 0 {
        let frac = format!("{micros:06}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
}

/// Hours (possibly fractional) as whole seconds, within a day.
fn hours_to_seconds(hours: f64) -> Option<i32> {
    let seconds = (hours * 3600.0).round();
    (seconds.abs() < 86_400.0).then_some(seconds as i32)
}

/// `+5`, `-3`, `5`, `+05:30`: seconds.
fn parse_posix_offset(text: &str) -> Option<i32> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let mut parts = digits.split(':');
    let hours: i32 = parts.next()?.parse().ok()?;
    let minutes: i32 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    if parts.next().is_some() || !(0..=24).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Appends an offset east of UTC as PostgreSQL writes it: `+02`, `-03:30`, `+05:45:10`.
fn write_offset(seconds_east: i32, out: &mut String) {
    let sign = if seconds_east < 0 { '-' } else { '+' };
    let s = seconds_east.unsigned_abs();
    let _ = write!(out, "{sign}{:02}", s / 3600);
    if !s.is_multiple_of(3600) {
        let _ = write!(out, ":{:02}", s % 3600 / 60);
        if !s.is_multiple_of(60) {
            let _ = write!(out, ":{:02}", s % 60);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(zone: TimeZone, utc: &str) -> String {
        let instant = NaiveDateTime::parse_from_str(utc, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc();
        let mut out = String::new();
        zone.write_timestamptz(&instant, &mut out);
        out
    }

    #[test]
    fn settings_parse_and_show_as_postgresql() {
        let (paris, name) = TimeZone::parse_setting("europe/paris").unwrap();
        assert_eq!(name, "Europe/Paris");
        assert_eq!(
            shown(paris, "2024-07-01 10:00:00"),
            "2024-07-01 12:00:00+02"
        );
        assert_eq!(
            shown(paris, "2024-01-01 10:00:00"),
            "2024-01-01 11:00:00+01"
        );

        let (minus7, name) = TimeZone::parse_setting("-7").unwrap();
        assert_eq!(name, "<-07>+07");
        // What SHOW gives reads back as the same zone.
        assert_eq!(
            TimeZone::parse_setting(&name).unwrap(),
            (minus7, name.clone())
        );
        assert_eq!(
            shown(minus7, "2024-07-01 10:00:00"),
            "2024-07-01 03:00:00-07"
        );
        let (india, name) = TimeZone::parse_setting("5.5").unwrap();
        assert_eq!(name, "<+05:30>-05:30");
        assert_eq!(
            shown(india, "2024-07-01 10:00:00"),
            "2024-07-01 15:30:00+05:30"
        );

        // POSIX: hours west of UTC.
        let (est, name) = TimeZone::parse_setting("EST+5").unwrap();
        assert_eq!(name, "EST+5");
        assert_eq!(shown(est, "2024-07-01 10:00:00"), "2024-07-01 05:00:00-05");

        for bad in [
            "Mars/Olympus",
            "",
            "+",
            "XY+3",
            "UTC+99",
            "1e9",
            "<>+3",
            "<x",
        ] {
            assert!(TimeZone::parse_setting(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn local_times_resolve_around_daylight_saving_changes() {
        let (ny, _) = TimeZone::parse_setting("America/New_York").unwrap();
        let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let utc = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
        assert_eq!(
            utc(ny.to_utc(local("2024-07-01 12:00"))),
            "2024-07-01 16:00"
        );
        // 01:30 happens twice on 2024-11-03: the later one (EST).
        assert_eq!(
            utc(ny.to_utc(local("2024-11-03 01:30"))),
            "2024-11-03 06:30"
        );
        // 02:30 does not exist on 2024-03-10: read with EST, it is 03:30 EDT.
        assert_eq!(
            utc(ny.to_utc(local("2024-03-10 02:30"))),
            "2024-03-10 07:30"
        );
        let instant = ny.to_utc(local("2024-07-01 12:00"));
        assert_eq!(ny.local(&instant), local("2024-07-01 12:00"));
    }
}
