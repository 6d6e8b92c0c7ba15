//! The Vietnamese lunar calendar (Hồ Ngọc Đức's astronomical algorithm, UTC+7), used to
//! place Tết and Hùng Kings day in the solar calendar.

use std::f64::consts::PI;

use chrono::NaiveDate;

const TIME_ZONE: f64 = 7.0;

fn jd_from_date(day: i64, month: i64, year: i64) -> i64 {
    let a = (14 - month) / 12;
    let y = year + 4800 - a;
    let m = month + 12 * a - 3;
    let jd = day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045;
    if jd < 2_299_161 {
        day + (153 * m + 2) / 5 + 365 * y + y / 4 - 32083
    } else {
        jd
    }
}

fn date_from_jd(jd: i64) -> Option<NaiveDate> {
    let (b, c) = if jd > 2_299_160 {
        let a = jd + 32044;
        let b = (4 * a + 3) / 146_097;
        (b, a - (b * 146_097) / 4)
    } else {
        (0, jd + 32082)
    };
    let d = (4 * c + 3) / 1461;
    let e = c - (1461 * d) / 4;
    let m = (5 * e + 2) / 153;
    let day = e - (153 * m + 2) / 5 + 1;
    let month = m + 3 - 12 * (m / 10);
    let year = b * 100 + d - 4800 + m / 10;
    NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
}

/// Julian day of the k-th new moon after 1900-01-01.
fn new_moon(k: f64) -> f64 {
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The sun's longitude in radians at a Julian day.
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl = dl + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - PI * 2.0 * (l / (PI * 2.0)).floor()
}

/// Which of the 12 major solar terms the day lies in (0-11).
fn sun_term(day_number: i64) -> i64 {
    (sun_longitude(day_number as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0).floor() as i64
}

fn new_moon_day(k: i64) -> i64 {
    (new_moon(k as f64) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Julian day of the start of lunar month 11 (the month holding the winter solstice) of a year.
fn lunar_month_11(year: i64) -> i64 {
    let off = jd_from_date(31, 12, year) - 2_415_021;
    let k = (off as f64 / 29.530_588_853).floor() as i64;
    let nm = new_moon_day(k);
    if sun_term(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_term(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_term(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// The solar date of a lunar date; `None` when the (leap) month does not exist.
pub fn lunar_to_solar(
    lunar_year: i32,
    lunar_month: u32,
    lunar_day: u32,
    leap_month: bool,
) -> Option<NaiveDate> {
    let (year, month) = (lunar_year as i64, lunar_month as i64);
    let (a11, b11) = if month < 11 {
        (lunar_month_11(year - 1), lunar_month_11(year))
    } else {
        (lunar_month_11(year), lunar_month_11(year + 1))
    };
    let k = (0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap = leap_off - 2;
        if leap < 0 {
            leap += 12;
        }
        if leap_month && month != leap {
            return None;
        }
        if leap_month || off >= leap_off {
            off += 1;
        }
    } else if leap_month {
        return None;
    }
    date_from_jd(new_moon_day(k + off) + lunar_day as i64 - 1)
}

/// Lunar New Year's Day (mùng 1 Tết) falling in the solar year `year`.
pub fn lunar_new_year(year: i32) -> NaiveDate {
    lunar_to_solar(year, 1, 1, false).expect("the first lunar month always exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn tet_2020_to_2035() {
        let expected = [
            d(2020, 1, 25),
            d(2021, 2, 12),
            d(2022, 2, 1),
            d(2023, 1, 22),
            d(2024, 2, 10),
            d(2025, 1, 29),
            d(2026, 2, 17),
            d(2027, 2, 6),
            d(2028, 1, 26),
            d(2029, 2, 13),
            // The new moon of 2/2/2030 falls at 23:07 in Hanoi but after midnight in Beijing:
            // Vietnam's Tết is a day before China's that year.
            d(2030, 2, 2),
            d(2031, 1, 23),
            d(2032, 2, 11),
            d(2033, 1, 31),
            d(2034, 2, 19),
            d(2035, 2, 8),
        ];
        for (year, tet) in (2020..=2035).zip(expected) {
            assert_eq!(lunar_new_year(year), tet, "{year}");
        }
    }

    #[test]
    fn hung_kings_day() {
        for (year, date) in [
            (2023, d(2023, 4, 29)),
            (2024, d(2024, 4, 18)),
            (2025, d(2025, 4, 7)),
            (2026, d(2026, 4, 26)),
        ] {
            assert_eq!(lunar_to_solar(year, 3, 10, false), Some(date), "{year}");
        }
    }

    #[test]
    fn leap_months_exist_only_where_they_do() {
        // 2023 had a leap second month (tháng 2 nhuận): 22/3/2023.
        assert_eq!(lunar_to_solar(2023, 2, 1, true), Some(d(2023, 3, 22)));
        assert_eq!(lunar_to_solar(2023, 5, 1, true), None);
        assert_eq!(lunar_to_solar(2024, 2, 1, true), None);
    }
}
