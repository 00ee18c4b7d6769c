//! The checks, in order of cost: size, magic bytes, bounded metadata,
//! header dimensions, then a full decode under memory limits, then the
//! stored copy (re-encoded without metadata) and the thumbnail.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageReader, Limits,
    codecs::{
        jpeg::JpegEncoder,
        png::{CompressionType, FilterType, PngEncoder},
    },
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{
    ImageFormat, ImageInfo, ImageLimits, MediaError, ProcessedImage, THUMBNAIL_MAX_SIDE, Thumbnail,
    chunks::{ChunkError, check_png_metadata},
    sniff::{Sniffed, jpeg_is_complete, sniff},
};

/// JPEG quality of thumbnails: small files, no visible blocking at 400 px.
const THUMBNAIL_JPEG_QUALITY: u8 = 82;

/// JPEG quality of the stored copy of a JPEG upload: visually lossless.
const STORED_JPEG_QUALITY: u8 = 92;

/// Most bytes a PNG's compressed metadata (`iCCP`, `zTXt`, `iTXt`) may
/// inflate to, all chunks together. Real colour profiles of RGB images
/// are a few kilobytes; large print profiles stay under a megabyte.
pub const MAX_METADATA_BYTES: usize = 2 * 1024 * 1024;

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
    // Before any decoder: reading the header inflates an `iCCP` profile.
    if format == ImageFormat::Png {
        check_png_metadata(bytes, MAX_METADATA_BYTES).map_err(|e| match e {
            ChunkError::MetadataTooLarge => MediaError::MetadataTooLarge,
            ChunkError::Damaged => MediaError::Damaged { format },
        })?;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    // The header holds no pixels: its allocations are the file's chunks
    // and the (already bounded) metadata. The dimensions are checked below,
    // with a message that names them.
    let mut header_limits = Limits::default();
    header_limits.max_alloc =
        Some((bytes.len() as u64 + MAX_METADATA_BYTES as u64).min(limits.max_alloc));
    reader.limits(header_limits);
    let (width, height) = reader
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
    let mut info = inspect_digested(&bytes, sha256, limits)?;
    let format = info.format;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(&bytes) {
        return Err(MediaError::Truncated { format });
    }
    let mut reader = ImageReader::with_format(Cursor::new(&bytes), format.image_format());
    // The pixels at 16-bit RGBA, the file and its metadata: no decoder
    // needs more for an image of the declared size.
    let pixels = u64::from(info.width) * u64::from(info.height) * 8;
    let mut decoder_limits = allocation_limits(
        limits,
        pixels + bytes.len() as u64 + MAX_METADATA_BYTES as u64,
    );
    reader.limits(decoder_limits.clone());
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_error(format, &e))?;
    // Only the colour profile travels on (bounded above for PNG; a JPEG's
    // lies uncompressed in the file). EXIF, GPS, text and the rest stay
    // behind; the orientation EXIF asked for is applied to the pixels.
    let icc_profile = decoder.icc_profile().ok().flatten();
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    decoder_limits
        .reserve(decoder.total_bytes())
        .map_err(|e| decode_error(format, &e))?;
    decoder
        .set_limits(decoder_limits)
        .map_err(|e| decode_error(format, &e))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(format, &e))?;
    if image.width() != info.width || image.height() != info.height {
        return Err(MediaError::Damaged { format });
    }
    image.apply_orientation(orientation);
    (info.width, info.height) = (image.width(), image.height());
    let stored = reencode(&image, format, icc_profile)?;
    if stored.len() as u64 > limits.max_bytes {
        return Err(MediaError::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    info.byte_size = stored.len() as u64;
    let thumbnail = thumbnail(&image)?;
    Ok(ProcessedImage {
        info,
        bytes: stored,
        thumbnail,
    })
}

/// The copy that is stored and sent on: the pixels in the upload's format
/// with at most its colour profile, so no EXIF (camera, GPS position, time),
/// text or private chunk leaves with it.
fn reencode(
    image: &DynamicImage,
    format: ImageFormat,
    icc_profile: Option<Vec<u8>>,
) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let encode_error = |e: ImageError| MediaError::Internal(format!("re-encoding: {e}"));
    match format {
        ImageFormat::Png => {
            let mut encoder = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Default,
                FilterType::Adaptive,
            );
            if let Some(profile) = icc_profile.filter(|p| profile_fits(p, image.color())) {
                // Refused only by encoders without profile support.
                let _ = encoder.set_icc_profile(profile);
            }
            image.write_with_encoder(encoder).map_err(encode_error)?;
        }
        ImageFormat::Jpeg => {
            // JPEG has no alpha and at most 8 bits; the decoder gives 8-bit
            // grey or RGB (CMYK is converted to RGB).
            let pixels = if image.color().has_color() {
                DynamicImage::ImageRgb8(image.to_rgb8())
            } else {
                DynamicImage::ImageLuma8(image.to_luma8())
            };
            let mut encoder = JpegEncoder::new_with_quality(&mut out, STORED_JPEG_QUALITY);
            if let Some(profile) = icc_profile.filter(|p| profile_fits(p, pixels.color())) {
                let _ = encoder.set_icc_profile(profile);
            }
            pixels.write_with_encoder(encoder).map_err(encode_error)?;
        }
    }
    Ok(out)
}

/// Whether an ICC profile describes pixels of `color`: a CMYK profile on
/// converted RGB pixels would shift every colour.
fn profile_fits(profile: &[u8], color: image::ColorType) -> bool {
    let space = profile.get(16..20);
    if color.has_color() {
        space == Some(b"RGB ")
    } else {
        space == Some(b"GRAY")
    }
}

/// [`process`] in the bounded lane for heavy work ([`crate::blocking`]), so
/// decoding never stalls the async runtime and a burst of uploads queues
/// instead of decoding all at once. The bytes come back in the result.
pub async fn process_upload(
    bytes: Vec<u8>,
    limits: ImageLimits,
) -> Result<ProcessedImage, MediaError> {
    crate::blocking::run(crate::blocking::Lane::Images, move || {
        process(bytes, &limits)
    })
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
    crate::blocking::run(crate::blocking::Lane::Images, move || {
        process_digested(bytes, sha256, &limits)
    })
    .await
    .map_err(|e| MediaError::Internal(format!("image worker stopped: {e}")))?
}

/// The decoder's limits: the dimension caps, and at most `need` bytes of
/// allocations (never more than the configured ceiling).
pub(super) fn allocation_limits(limits: &ImageLimits, need: u64) -> Limits {
    let mut decoder = Limits::default();
    decoder.max_image_width = Some(limits.max_side);
    decoder.max_image_height = Some(limits.max_side);
    decoder.max_alloc = Some(need.min(limits.max_alloc));
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
