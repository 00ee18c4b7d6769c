//! Money in the ad account's currency.
//!
//! Budgets travel as integers in the currency's minor unit, the way Meta counts them
//! (cents for USD, yen for JPY). Insights report spend as a decimal string in major units,
//! which is converted here without going through floating point.

/// Currencies whose minor unit is the major unit in Meta's counting ("offset 1" in Meta's
/// currency table, as recalled; not verified against a live source).
const ZERO_DECIMAL: &[&str] = &[
    "CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND",
];

/// Number of decimal places between the major and the minor unit of `currency`.
pub fn minor_exponent(currency: &str) -> u32 {
    if ZERO_DECIMAL
        .iter()
        .any(|c| c.eq_ignore_ascii_case(currency))
    {
        0
    } else {
        2
    }
}

/// The largest whole amount of major units a limit may name: 10^12 (a
/// trillion dollars or yen), so its minor units always fit in an `i64`.
pub const MAX_MAJOR_AMOUNT: i64 = 1_000_000_000_000;

/// Converts whole major units (dollars, yen) into minor units of `currency`
/// (cents, yen), or `None` when the result would not fit.
pub fn major_to_minor(major: i64, currency: &str) -> Option<i64> {
    major.checked_mul(10_i64.checked_pow(minor_exponent(currency))?)
}

/// Converts a decimal string in major units ("5339.5", "12", "-0.01") into minor units of
/// `currency`, rounding half away from zero. Returns `None` for text that is not a plain
/// decimal number or that overflows.
pub fn major_str_to_minor(value: &str, currency: &str) -> Option<i64> {
    let exp = minor_exponent(currency) as usize;
    let value = value.trim();
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(int_part) || !all_digits(frac_part) {
        return None;
    }
    let int_value: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut minor = int_value.checked_mul(10_i64.checked_pow(exp as u32)?)?;
    let kept: String = frac_part.chars().take(exp).collect();
    let kept = format!("{kept:0<exp$}");
    if !kept.is_empty() {
        minor = minor.checked_add(kept.parse::<i64>().ok()?)?;
    }
    // Round on the first dropped digit.
    if let Some(next) = frac_part.chars().nth(exp)
        && next >= '5'
    {
        minor = minor.checked_add(1)?;
    }
    Some(if negative { -minor } else { minor })
}

/// Formats minor units of `currency` as a major-unit string ("1.00", "1500").
pub fn format_minor(minor: i64, currency: &str) -> String {
    let exp = minor_exponent(currency);
    if exp == 0 {
        return format!("{minor} {currency}");
    }
    let scale = 10_i64.pow(exp);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale_u = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$} {currency}",
        abs / scale_u,
        abs % scale_u,
        width = exp as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_major_units_become_minor_units_by_the_currency_exponent() {
        assert_eq!(major_to_minor(500, "USD"), Some(50_000));
        assert_eq!(major_to_minor(500, "jpy"), Some(500));
        assert_eq!(
            major_to_minor(MAX_MAJOR_AMOUNT, "USD"),
            Some(MAX_MAJOR_AMOUNT * 100)
        );
        assert_eq!(major_to_minor(i64::MAX, "USD"), None);
    }

    #[test]
    fn converts_usd_and_jpy() {
        assert_eq!(major_str_to_minor("5339.5", "USD"), Some(533_950));
        assert_eq!(major_str_to_minor("0.015", "USD"), Some(2));
        assert_eq!(major_str_to_minor("12", "EUR"), Some(1200));
        assert_eq!(major_str_to_minor("5340", "JPY"), Some(5340));
        assert_eq!(major_str_to_minor("5339.5", "JPY"), Some(5340));
        assert_eq!(major_str_to_minor("-1.25", "USD"), Some(-125));
        assert_eq!(major_str_to_minor("abc", "USD"), None);
        assert_eq!(major_str_to_minor("", "USD"), None);
        assert_eq!(major_str_to_minor("1e5", "USD"), None);
    }

    #[test]
    fn formats_minor_units() {
        assert_eq!(format_minor(100, "USD"), "1.00 USD");
        assert_eq!(format_minor(1500, "JPY"), "1500 JPY");
    }
}
