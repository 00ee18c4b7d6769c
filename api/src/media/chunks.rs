//! A walk over a PNG's chunks before any decoder sees them, bounding what
//! its compressed ancillary chunks inflate to.
//!
//! The dimension check cannot catch a bomb hidden in metadata: a 100 × 100
//! image may carry an `iCCP` profile whose zlib stream inflates to 600 MB,
//! and the decoder inflates it while it reads the header. Here every
//! compressed ancillary chunk (`iCCP`, `zTXt`, compressed `iTXt`) is
//! inflated into a buffer of at most the remaining budget, and the file is
//! refused as soon as the total passes it.

/// Why the walk refused the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkError {
    /// Compressed metadata inflates past the budget.
    MetadataTooLarge,
    /// A compressed chunk does not hold a valid zlib stream.
    Damaged,
}

/// Checks every compressed ancillary chunk of a PNG (the signature already
/// matched) against `budget` inflated bytes in total. A file cut short is
/// left to the decoder, which names it properly.
pub(crate) fn check_png_metadata(bytes: &[u8], budget: usize) -> Result<(), ChunkError> {
    let mut rest = bytes.get(8..).unwrap_or_default();
    let mut left = budget;
    while rest.len() >= 12 {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..8];
        let Some(data) = rest.get(8..8 + length) else {
            return Ok(());
        };
        if let Some(stream) = compressed_payload(kind, data) {
            let inflated =
                fdeflate::decompress_to_vec_bounded(stream, left).map_err(|e| match e {
                    fdeflate::BoundedDecompressionError::OutputTooLarge { .. } => {
                        ChunkError::MetadataTooLarge
                    }
                    fdeflate::BoundedDecompressionError::DecompressionError { .. } => {
                        ChunkError::Damaged
                    }
                })?;
            left -= inflated.len();
        }
        if kind == b"IEND" {
            return Ok(());
        }
        rest = rest.get(12 + length..).unwrap_or_default();
    }
    Ok(())
}

/// The zlib stream of a compressed ancillary chunk, if `kind` is one.
fn compressed_payload<'a>(kind: &[u8], data: &'a [u8]) -> Option<&'a [u8]> {
    let after_keyword = |data: &'a [u8]| {
        let nul = data.iter().position(|&b| b == 0)?;
        data.get(nul + 1..)
    };
    match kind {
        // keyword, NUL, compression method, stream
        b"iCCP" | b"zTXt" => after_keyword(data)?.get(1..),
        // keyword, NUL, flag, method, language, NUL, translated keyword, NUL, text
        b"iTXt" => {
            let rest = after_keyword(data)?;
            if rest.first() != Some(&1) {
                return None;
            }
            let rest = after_keyword(rest.get(2..)?)?;
            after_keyword(rest)
        }
        _ => None,
    }
}
