//! Free text people type — organisation names, search queries, campaign
//! names, ad copy, reasons — checked by one set of rules.
//!
//! Text is trimmed of surrounding whitespace, and refused (never silently
//! changed) when it holds characters no person types on purpose: NUL and the
//! other control characters, which break logs, C strings and CSV exports, and
//! the bidirectional overrides that make text read differently from what it
//! is. Multi-line fields (ad body copy) keep their line breaks and tabs.

use crate::error::AppError;

/// The rules for one text field.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    /// The input field, as the API names it (`extensions.field`).
    pub field: &'static str,
    /// How the field is named to people ("The campaign name").
    pub label: &'static str,
    /// Fewest characters, after trimming (0: may be empty).
    pub min_chars: usize,
    /// Most characters, after trimming.
    pub max_chars: usize,
    /// Whether line breaks and tabs are allowed inside.
    pub multiline: bool,
}

impl TextRule {
    /// A one-line field.
    pub const fn line(
        field: &'static str,
        label: &'static str,
        min_chars: usize,
        max_chars: usize,
    ) -> Self {
        Self {
            field,
            label,
            min_chars,
            max_chars,
            multiline: false,
        }
    }

    /// A field that may span lines.
    pub const fn multiline(self) -> Self {
        Self {
            multiline: true,
            ..self
        }
    }

    /// The trimmed text, or a `BAD_USER_INPUT` naming the field.
    pub fn clean(&self, raw: &str) -> Result<String, AppError> {
        let text = raw.trim();
        if let Some(c) = text.chars().find(|&c| !self.allows(c)) {
            let what = if c == '\0' {
                "a NUL character".to_owned()
            } else if c.is_control() {
                format!("a control character (U+{:04X})", u32::from(c))
            } else {
                format!("an invisible direction override (U+{:04X})", u32::from(c))
            };
            return Err(AppError::bad_input(
                self.field,
                format!("{} contains {what}; remove it and try again.", self.label),
            ));
        }
        let count = text.chars().count();
        if count < self.min_chars || count > self.max_chars {
            let message = if self.min_chars == 0 {
                format!(
                    "{} must have at most {} characters.",
                    self.label, self.max_chars
                )
            } else if count == 0 {
                format!("{} is required.", self.label)
            } else {
                format!(
                    "{} must have {} to {} characters.",
                    self.label, self.min_chars, self.max_chars
                )
            };
            return Err(AppError::bad_input(self.field, message));
        }
        Ok(text.to_owned())
    }

    /// Like [`Self::clean`] for an optional field: absent or blank is `None`.
    pub fn clean_optional(&self, raw: Option<&str>) -> Result<Option<String>, AppError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => self.clean(text).map(Some),
        }
    }

    fn allows(&self, c: char) -> bool {
        if self.multiline && matches!(c, '\n' | '\t' | '\r') {
            return true;
        }
        !c.is_control() && !is_direction_override(c)
    }
}

/// Bidirectional embeddings, overrides and isolates (the "Trojan Source"
/// characters).
pub fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    const NAME: TextRule = TextRule::line("tenantName", "The organisation name", 2, 10);

    fn field_and_message(err: AppError) -> (String, String) {
        match err {
            AppError::BadUserInput { field, message } => (field.unwrap_or_default(), message),
            other => panic!("not a bad input: {other:?}"),
        }
    }

    #[test]
    fn trims_and_keeps_unicode() {
        assert_eq!(NAME.clean("  Café Ünï \n").unwrap(), "Café Ünï");
    }

    #[test]
    fn refuses_nul_controls_and_overrides_naming_the_field() {
        for bad in [
            "Nul\0Corp",
            "Bell\u{7}",
            "Esc\u{1b}[31m",
            "Line\nBreak",
            "abc\u{202E}fed",
        ] {
            let (field, message) = field_and_message(NAME.clean(bad).unwrap_err());
            assert_eq!(field, "tenantName");
            assert!(
                message.starts_with("The organisation name contains"),
                "{message}"
            );
        }
        assert!(
            field_and_message(NAME.clean("Nul\0Corp").unwrap_err())
                .1
                .contains("NUL")
        );
    }

    #[test]
    fn lengths_count_characters_after_trimming() {
        assert!(NAME.clean(" a ").is_err());
        assert!(NAME.clean("ab").is_ok());
        assert!(NAME.clean("ééééééééééé").is_err());
        let (_, message) = field_and_message(NAME.clean("   ").unwrap_err());
        assert_eq!(message, "The organisation name is required.");
    }

    #[test]
    fn multiline_fields_keep_line_breaks_but_not_nul() {
        let body = TextRule::line("body", "The body", 1, 100).multiline();
        assert_eq!(body.clean("one\ntwo\tthree").unwrap(), "one\ntwo\tthree");
        assert!(body.clean("one\0two").is_err());
        assert_eq!(body.clean_optional(Some("  ")).unwrap(), None);
        assert_eq!(body.clean_optional(None).unwrap(), None);
    }
}
