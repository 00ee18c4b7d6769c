//! The checks, in order of cost: size, magic bytes, header dimensions, then
//! a full decode under memory limits, then the thumbnail.

use std::io::Cursor;

use image::{DynamicImage, ImageError, ImageReader, Limits};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{
    ImageFormat, ImageInfo, ImageLimits, MediaError, ProcessedImage, THUMBNAIL_MAX_SIDE, Thumbnail,
    sniff::{Sniffed, jpeg_is_complete, sniff},
};

/// JPEG quality of thumbnails: small files, no visible blocking at 400 px.
const THUMBNAIL_JPEG_QUALITY: u8 = 82;

/// Reads an upload stream into memory, refusing it as soon as it passes
/// `max_bytes`, so an oversized upload is never buffered whole.
pub async fn read_limited<R: AsyncRead + Unpin>(
    reader: R,
    max_bytes: u64,
) -> Result<Vec<u8>, MediaError> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .await
        .map_err(MediaError::Read)?;
    if bytes.len() as u64 > max_bytes {
        return Err(MediaError::TooLarge { max_bytes });
    }
    Ok(bytes)
}

/// Lower-case hex SHA-256 of an upload: the identity of its bytes.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The cheap checks, without decoding pixels: size, format by magic bytes,
/// dimensions from the header. Decompression bombs stop here.
pub fn inspect(bytes: &[u8], limits: &ImageLimits) -> Result<ImageInfo, MediaError> {
    inspect_digested(bytes, digest(bytes), limits)
}

/// [`inspect`] for bytes whose digest the caller already computed.
fn inspect_digested(
    bytes: &[u8],
    sha256: String,
    limits: &ImageLimits,
) -> Result<ImageInfo, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(MediaError::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    let format = match sniff(bytes) {
        Sniffed::Jpeg => ImageFormat::Jpeg,
        Sniffed::Png => ImageFormat::Png,
        Sniffed::Other(kind) => return Err(MediaError::Unsupported { kind }),
        Sniffed::Unknown => return Err(MediaError::NotAnImage),
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_dimensions()
        .map_err(|e| decode_error(format, &e))?;
    if width == 0 || height == 0 {
        return Err(MediaError::Damaged { format });
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(MediaError::Dimensions {
            width,
            height,
            max_side: limits.max_side,
            max_pixels: limits.max_pixels,
        });
    }
    Ok(ImageInfo {
        format,
        width,
        height,
        sha256,
        byte_size: bytes.len() as u64,
    })
}

/// Every check, a full decode and the thumbnail. CPU-bound: call it through
/// [`process_upload`] from async code.
pub fn process(bytes: Vec<u8>, limits: &ImageLimits) -> Result<ProcessedImage, MediaError> {
    let sha256 = digest(&bytes);
    process_digested(bytes, sha256, limits)
}

fn process_digested(
    bytes: Vec<u8>,
    sha256: String,
    limits: &ImageLimits,
) -> Result<ProcessedImage, MediaError> {
    let info = inspect_digested(&bytes, sha256, limits)?;
    let format = info.format;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(&bytes) {
        return Err(MediaError::Truncated { format });
    }
    let mut reader = ImageReader::with_format(Cursor::new(&bytes), format.image_format());
    reader.limits(decoder_limits(limits));
    let image = reader.decode().map_err(|e| decode_error(format, &e))?;
    if image.width() != info.width || image.height() != info.height {
        return Err(MediaError::Damaged { format });
    }
    let thumbnail = thumbnail(&image)?;
    Ok(ProcessedImage {
        info,
        bytes,
        thumbnail,
    })
}

/// [`process`] in the bounded lane for heavy work ([`crate::blocking`]), so
/// decoding never stalls the async runtime and a burst of uploads queues
/// instead of decoding all at once. The bytes come back in the result.
pub async fn process_upload(
    bytes: Vec<u8>,
    limits: ImageLimits,
) -> Result<ProcessedImage, MediaError> {
    crate::blocking::run(move || process(bytes, &limits))
        .await
        .map_err(|e| MediaError::Internal(format!("image worker stopped: {e}")))?
}

/// [`process_upload`] for bytes whose [`digest`] the caller already has
/// (it looked for a duplicate first), so the file is hashed once.
pub async fn process_digested_upload(
    bytes: Vec<u8>,
    sha256: String,
    limits: ImageLimits,
) -> Result<ProcessedImage, MediaError> {
    crate::blocking::run(move || process_digested(bytes, sha256, &limits))
        .await
        .map_err(|e| MediaError::Internal(format!("image worker stopped: {e}")))?
}

fn decoder_limits(limits: &ImageLimits) -> Limits {
    let mut decoder = Limits::default();
    decoder.max_image_width = Some(limits.max_side);
    decoder.max_image_height = Some(limits.max_side);
    decoder.max_alloc = Some(limits.max_alloc);
    decoder
}

fn decode_error(format: ImageFormat, error: &ImageError) -> MediaError {
    match error {
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Truncated { format }
        }
        // Within the declared dimensions but still too much memory (e.g.
        // 16-bit channels): a person can act on "too large" better than on
        // "damaged".
        ImageError::Limits(_) => MediaError::TooDemanding,
        _ => MediaError::Damaged { format },
    }
}

fn thumbnail(image: &DynamicImage) -> Result<Thumbnail, MediaError> {
    let small = if image.width().max(image.height()) > THUMBNAIL_MAX_SIDE {
        image.thumbnail(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE)
    } else {
        image.clone()
    };
    let mut bytes = Vec::new();
    let encode_error = |e: ImageError| MediaError::Internal(format!("thumbnail encoding: {e}"));
    // PNG only when transparency must survive; JPEG is far smaller otherwise.
    let format = if small.color().has_alpha() {
        DynamicImage::ImageRgba8(small.to_rgba8())
            .write_with_encoder(image::codecs::png::PngEncoder::new(&mut bytes))
            .map_err(encode_error)?;
        ImageFormat::Png
    } else {
        DynamicImage::ImageRgb8(small.to_rgb8())
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut bytes,
                THUMBNAIL_JPEG_QUALITY,
            ))
            .map_err(encode_error)?;
        ImageFormat::Jpeg
    };
    Ok(Thumbnail {
        bytes,
        format,
        width: small.width(),
        height: small.height(),
    })
}
