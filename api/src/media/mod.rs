//! Uploaded images: detection by bytes, size, metadata and dimension checks
//! before any decoding, a full decode under memory limits, a stored copy
//! re-encoded without metadata, and a thumbnail.
//!
//! Every rejection is a [`MediaError`] whose message is written for the
//! person uploading (services map all but [`MediaError::Internal`] and
//! [`MediaError::Read`] to `BAD_USER_INPUT`).

mod chunks;
mod filename;
mod process;
mod sniff;

#[cfg(test)]
mod tests;

use crate::config::Config;

pub use filename::{FALLBACK_FILE_NAME, MAX_FILE_NAME_CHARS, sanitize_file_name};
pub use process::{
    MAX_METADATA_BYTES, digest, inspect, process, process_digested_upload, process_upload,
    read_limited,
};

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 400;

/// The image formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// JPEG (`image/jpeg`, `.jpg`).
    Jpeg,
    /// PNG (`image/png`, `.png`).
    Png,
}

impl ImageFormat {
    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The file extension, without the dot (used in blob keys).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// The name a person knows it by.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
        }
    }
}

/// What an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Largest width or height, in pixels.
    pub max_side: u32,
    /// Largest width × height.
    pub max_pixels: u64,
    /// Most memory the decoder may allocate, in bytes.
    pub max_alloc: u64,
}

impl Default for ImageLimits {
    /// 30 MiB (Meta's own limit), 16 384 px per side, 50 megapixels, and
    /// 512 MiB of decoder memory (50 MP of 16-bit RGBA needs 400 MB).
    fn default() -> Self {
        Self {
            max_bytes: 30 * 1024 * 1024,
            max_side: 16_384,
            max_pixels: 50_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

impl ImageLimits {
    /// The defaults with the configured upload size limit.
    pub fn from_config(config: &Config) -> Self {
        Self {
            max_bytes: config.uploads.max_bytes,
            ..Self::default()
        }
    }
}

/// Facts about an accepted image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Detected from the bytes.
    pub format: ImageFormat,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// Lower-case hex SHA-256 of the uploaded file: the identity of an
    /// upload (the same file uploaded twice is one creative).
    pub sha256: String,
    /// Size in bytes: of the uploaded file from [`inspect`], of the stored
    /// copy from [`process`].
    pub byte_size: u64,
}

impl ImageInfo {
    /// The MIME type of the format.
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// The file extension of the format.
    pub fn extension(&self) -> &'static str {
        self.format.extension()
    }
}

/// A thumbnail, longest side at most [`THUMBNAIL_MAX_SIDE`]: JPEG, or PNG
/// when the image has transparency.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Encoded bytes.
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: ImageFormat,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnail")
            .field("len", &self.bytes.len())
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// An accepted upload: its facts, the copy to store (re-encoded: the pixels,
/// upright, with at most a colour profile) and its thumbnail.
#[derive(Clone)]
pub struct ProcessedImage {
    /// Format, dimensions, hash and size.
    pub info: ImageInfo,
    /// The stored copy, in the upload's format.
    pub bytes: Vec<u8>,
    /// The thumbnail.
    pub thumbnail: Thumbnail,
}

impl std::fmt::Debug for ProcessedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedImage")
            .field("info", &self.info)
            .field("thumbnail", &self.thumbnail)
            .finish_non_exhaustive()
    }
}

/// Why an upload was refused. The messages are meant for the uploader.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Zero bytes.
    #[error("The file is empty; upload a JPEG or PNG image.")]
    Empty,
    /// Over the size limit.
    #[error("This file is larger than {}, the most an image may be; upload a smaller image.", megabytes(*max_bytes))]
    TooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// A recognised format that is not accepted.
    #[error("This file is {kind}; upload a JPEG or PNG image.")]
    Unsupported {
        /// e.g. "a GIF".
        kind: &'static str,
    },
    /// Not a recognisable image at all.
    #[error("This file is not a JPEG or PNG image; upload a JPEG or PNG image.")]
    NotAnImage,
    /// The header declares absurd dimensions (e.g. a decompression bomb).
    #[error("This image is {width} × {height} pixels, larger than the {max_side} pixels per side and {} megapixels allowed; upload a smaller image.", max_pixels / 1_000_000)]
    Dimensions {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Limit per side.
        max_side: u32,
        /// Limit of width × height.
        max_pixels: u64,
    },
    /// Compressed metadata (e.g. a PNG's colour profile) that inflates past
    /// [`MAX_METADATA_BYTES`]: a decompression bomb behind small dimensions.
    #[error("This image carries more than {} of embedded metadata; export it again without metadata and upload the new file.", megabytes(MAX_METADATA_BYTES as u64))]
    MetadataTooLarge,
    /// Within the dimension limits but needs more decoder memory than allowed
    /// (e.g. 16-bit channels at a large size).
    #[error("This image needs too much memory to process; upload a smaller or 8-bit image.")]
    TooDemanding,
    /// The file ends before the image does.
    #[error("This {} file is incomplete (it ends too early); upload the whole file.", format.name())]
    Truncated {
        /// Detected format.
        format: ImageFormat,
    },
    /// The bytes look like the format but cannot be decoded.
    #[error("This {} file is damaged and cannot be read; export it again and upload the new file.", format.name())]
    Damaged {
        /// Detected format.
        format: ImageFormat,
    },
    /// The upload stream failed (not the user's fault; not a bad input).
    #[error("the upload could not be read: {0}")]
    Read(#[source] std::io::Error),
    /// Thumbnail encoding or the worker thread failed (not a bad input).
    #[error("the image could not be processed: {0}")]
    Internal(String),
}

impl MediaError {
    /// `true` when the uploader is at fault (maps to `BAD_USER_INPUT`).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Self::Read(_) | Self::Internal(_))
    }
}

/// "30 MB" for whole mebibytes, "1.5 MB" or "500 KB" otherwise (MB and KB
/// as people use them).
fn megabytes(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{} KB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}
