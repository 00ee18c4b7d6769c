//! What a file is, from its first bytes only. File names and declared
//! content types are chosen by the uploader and never consulted.

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Jpeg,
    Png,
    /// A known kind we do not accept, named for a person ("a GIF").
    Other(&'static str),
    /// Nothing we recognise.
    Unknown,
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Jpeg;
    }
    if bytes.starts_with(PNG_MAGIC) {
        return Sniffed::Png;
    }
    Sniffed::Other(match other(bytes) {
        Some(kind) => kind,
        None => return Sniffed::Unknown,
    })
}

fn other(bytes: &[u8]) -> Option<&'static str> {
    let at =
        |offset: usize, magic: &[u8]| bytes.get(offset..).is_some_and(|b| b.starts_with(magic));
    let kind = if at(0, b"GIF87a") || at(0, b"GIF89a") {
        "a GIF"
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        "a WebP image"
    } else if at(4, b"ftyp") {
        match bytes.get(8..12) {
            Some(b"avif" | b"avis") => "an AVIF image",
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc") => "a HEIC image",
            _ => "a video",
        }
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        "a TIFF image"
    } else if at(0, b"BM") && bytes.len() >= 26 {
        "a BMP image"
    } else if at(0, &[0, 0, 1, 0]) {
        "an icon file"
    } else if at(0, b"%PDF") {
        "a PDF document"
    } else if at(0, b"PK\x03\x04") {
        "a ZIP archive"
    } else if looks_like_svg(bytes) {
        "an SVG drawing"
    } else {
        return None;
    };
    Some(kind)
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<svg") || (text.starts_with("<?xml") && text.contains("<svg"))
}

/// `true` when a JPEG's end-of-image marker follows its last start-of-scan
/// marker. Entropy-coded data never holds `FF D9` or `FF DA` (a data `FF` is
/// always followed by `00` or a restart marker), so a file cut short inside
/// its scan has no end marker after it; decoders often accept such a file
/// and fill the missing part with grey.
pub(crate) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
    match (last(0xDA), last(0xD9)) {
        (Some(sos), Some(eoi)) => eoi > sos,
        _ => false,
    }
}
