//! The one reader of the wall clock, and the one way moments are written: a run reads
//! the time once and passes it down, so that every finding of a run is judged at the
//! same moment and tests can set it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, now. Only the commands call this, once per run; everything
/// below them is handed the moment.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Seconds since the epoch, now, with their fraction, for a machine-read start time.
pub fn now_precise() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Nanoseconds since the epoch, for names that only need to differ between two calls
/// (scratch files), never for a judgement.
pub fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A moment given in seconds since the epoch as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_minute(secs: i64) -> String {
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        utc_date(secs),
        of_day / 3600,
        of_day % 3600 / 60
    )
}

/// A moment given in seconds since the epoch as RFC 3339 in UTC,
/// `YYYY-MM-DDTHH:MM:SSZ`, for machine-read documents.
pub fn utc_second(secs: i64) -> String {
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        utc_date(secs),
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The UTC date of a moment as `YYYY-MM-DD`, from the days since the epoch (Howard
/// Hinnant's civil-from-days), to avoid a date crate for one line.
pub fn utc_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The first second (UTC) of a calendar date, the inverse of [`utc_date`] (Howard
/// Hinnant's days-from-civil): a waiver's expiry date becomes a moment to compare.
pub fn utc_day_start(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_and_its_first_second_agree_both_ways() {
        assert_eq!(utc_day_start(1970, 1, 1), 0);
        assert_eq!(utc_day_start(2000, 2, 29), 951_782_400);
        assert_eq!(utc_day_start(2026, 11, 30), 1_796_074_079 - 77_279);
        for days in [-1000, 0, 59, 365, 11_016, 20_000, 30_000] {
            let secs = days * 86_400;
            let date = utc_date(secs);
            let parts: Vec<i64> = date.split('-').map(|p| p.parse().unwrap_or(0)).collect();
            assert_eq!(
                utc_day_start(parts[0], parts[1] as u32, parts[2] as u32),
                secs,
                "{date}"
            );
        }
    }

    #[test]
    fn moments_are_shown_in_utc() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        // 2026-11-30 21:27:59 UTC
        assert_eq!(utc_minute(1_796_074_079), "2026-11-30 21:27 UTC");
        assert_eq!(utc_second(1_796_074_079), "2026-11-30T21:27:59Z");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn now_is_after_this_code_was_written() {
        let date = utc_date(now());
        assert_eq!(date.len(), 10);
        assert!(date.as_str() >= "2026-01-01", "{date}");
    }
}
