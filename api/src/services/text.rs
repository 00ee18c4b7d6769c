//! Free text from clients: trimmed, one line, no NUL or control characters,
//! a length counted in characters. Each refusal names its field.

use crate::error::InputProblem;

/// `value` trimmed, when it has `min..=max` characters and no control
/// characters (a NUL would be refused by PostgreSQL and a newline would
/// break the one-line fields of the ad platforms).
pub fn line(field: &str, value: &str, min: usize, max: usize) -> Result<String, InputProblem> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if trimmed.chars().any(char::is_control) {
        return Err(InputProblem::new(
            field,
            format!("{field} must be one line without control characters."),
        ));
    }
    if len < min || len > max {
        return Err(InputProblem::new(
            field,
            if min <= 1 && len == 0 {
                format!("{field} must not be empty (at most {max} characters).")
            } else {
                format!("{field} must have {min} to {max} characters; it has {len}.")
            },
        ));
    }
    Ok(trimmed.to_owned())
}

/// Like [`line`], but the ad body may span lines: only NUL and control
/// characters other than line breaks and tabs are refused.
pub fn paragraph(field: &str, value: &str, min: usize, max: usize) -> Result<String, InputProblem> {
    let trimmed = value.trim();
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(InputProblem::new(
            field,
            format!("{field} must not contain control characters."),
        ));
    }
    let len = trimmed.chars().count();
    if len < min || len > max {
        return Err(InputProblem::new(
            field,
            format!("{field} must have {min} to {max} characters; it has {len}."),
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(
            line("name", "  Spring sale ", 1, 200).unwrap(),
            "Spring sale"
        );
        for bad in ["", "   ", "a\u{0}b", "two\nlines", &"x".repeat(201)] {
            let problem = line("name", bad, 1, 200).unwrap_err();
            assert_eq!(problem.field, "name", "{bad:?}");
        }
        assert_eq!(
            line("name", &"é".repeat(200), 1, 200)
                .unwrap()
                .chars()
                .count(),
            200
        );
        assert_eq!(paragraph("body", "one\ntwo", 1, 10).unwrap(), "one\ntwo");
        assert!(paragraph("body", "nul\u{0}", 1, 10).is_err());
    }
}
