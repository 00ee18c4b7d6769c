//! Display names for uploaded files.
//!
//! The name is shown to people, never used as a path (blobs are stored under
//! generated keys), but it still passes through logs, HTML and the Meta API.
//! So it keeps what a person would recognise and drops what could mislead or
//! break a line: directories, control and bidirectional-override characters.

/// Longest display name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// Name used when nothing readable is left.
pub const FALLBACK_FILE_NAME: &str = "image";

/// Longest extension kept whole when a long name is shortened.
const MAX_KEPT_EXT_CHARS: usize = 10;

/// A readable display name from whatever the client sent: the last path
/// component (either slash), without control or bidi-override characters,
/// whitespace collapsed, leading dots removed, at most
/// [`MAX_FILE_NAME_CHARS`] characters with the extension kept. Unicode
/// letters are kept as they are.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name = String::with_capacity(last.len());
    let mut pending_space = false;
    for c in last.chars() {
        if c.is_whitespace() {
            pending_space = !name.is_empty();
        } else if !hidden_or_control(c) {
            if pending_space {
                name.push(' ');
                pending_space = false;
            }
            name.push(c);
        }
    }
    // Leading dots make hidden files and `..`; trailing dots and spaces
    // are stripped by some file systems when the user downloads it.
    let name = name
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if name.is_empty() {
        return FALLBACK_FILE_NAME.to_owned();
    }
    shorten(name)
}

fn hidden_or_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'   // zero-width and directional marks
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'              // byte-order mark
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_FILE_NAME_CHARS {
        return name.to_owned();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= MAX_KEPT_EXT_CHARS);
    match ext {
        Some(ext) => {
            let keep = MAX_FILE_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        None => name.chars().take(MAX_FILE_NAME_CHARS).collect(),
    }
}
