use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use sha2::{Digest, Sha256};

use super::*;

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, _| Rgba([200, 10, 10, (x % 256) as u8]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 7 % 256) as u8,
            (y * 3 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn limits() -> ImageLimits {
    ImageLimits::default()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG signature and a valid IHDR claiming `width` × `height`, then a tiny
/// IDAT: what a decompression bomb looks like before its pixels.
fn png_header_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(width.to_be_bytes());
    chunk.extend(height.to_be_bytes());
    chunk.extend([8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    out.extend(13u32.to_be_bytes());
    out.extend(&chunk);
    out.extend(crc32(&chunk).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    out.extend(8u32.to_be_bytes());
    out.extend(idat);
    out.extend(crc32(idat).to_be_bytes());
    out
}

#[test]
fn accepts_jpeg_and_png_detected_by_bytes() {
    for (bytes, format) in [
        (jpeg(800, 600), ImageFormat::Jpeg),
        (png(640, 1280), ImageFormat::Png),
    ] {
        let processed = process(bytes.clone(), &limits()).unwrap();
        let info = &processed.info;
        assert_eq!(info.format, format);
        assert_eq!(info.sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!(info.byte_size, bytes.len() as u64);
        assert_eq!(processed.bytes, bytes);
        let thumb = &processed.thumbnail;
        assert_eq!(thumb.width.max(thumb.height), THUMBNAIL_MAX_SIDE);
        // Aspect ratio kept (within rounding).
        let ratio = f64::from(info.width) / f64::from(info.height);
        let thumb_ratio = f64::from(thumb.width) / f64::from(thumb.height);
        assert!((ratio - thumb_ratio).abs() < 0.01);
        // The thumbnail is a real image of its declared format.
        let decoded = image::load_from_memory(&thumb.bytes).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (thumb.width, thumb.height)
        );
        assert_eq!(thumb.format, ImageFormat::Jpeg);
    }
    let info = inspect(&jpeg(800, 600), &limits()).unwrap();
    assert_eq!((info.width, info.height), (800, 600));
    assert_eq!(
        (info.content_type(), info.extension()),
        ("image/jpeg", "jpg")
    );
    let info = inspect(&png(3, 2), &limits()).unwrap();
    assert_eq!(
        (info.content_type(), info.extension()),
        ("image/png", "png")
    );
}

#[test]
fn small_images_keep_their_size_and_transparency_keeps_png() {
    let processed = process(png_with_alpha(120, 80), &limits()).unwrap();
    assert_eq!(
        (processed.thumbnail.width, processed.thumbnail.height),
        (120, 80)
    );
    assert_eq!(processed.thumbnail.format, ImageFormat::Png);
}

fn rejected(bytes: &[u8]) -> MediaError {
    let error = process(bytes.to_vec(), &limits()).unwrap_err();
    assert!(error.is_bad_input(), "{error:?}");
    let message = error.to_string();
    assert!(
        message.ends_with('.') && message.starts_with(char::is_uppercase),
        "{message}"
    );
    error
}

#[test]
fn rejects_gif_and_other_formats_by_name() {
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let error = rejected(gif);
    assert_eq!(
        error.to_string(),
        "This file is a GIF; upload a JPEG or PNG image."
    );
    let webp = b"RIFF\x24\x00\x00\x00WEBPVP8 ";
    assert!(rejected(webp).to_string().contains("a WebP image"));
    assert!(
        rejected(b"%PDF-1.7\n")
            .to_string()
            .contains("a PDF document")
    );
    assert!(
        rejected(b"<?xml version=\"1.0\"?><svg xmlns=\"x\"/>")
            .to_string()
            .contains("SVG")
    );
}

#[test]
fn rejects_fake_png_and_damaged_png() {
    // Text named .png: the name is never consulted, only bytes.
    assert!(matches!(
        rejected(b"this is not a png at all"),
        MediaError::NotAnImage
    ));
    // Almost the PNG signature.
    let mut fake = png(10, 10);
    fake[3] = b'X';
    assert!(matches!(rejected(&fake), MediaError::NotAnImage));
    // The right signature, then garbage.
    let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
    garbage.extend([0x42; 64]);
    assert!(matches!(rejected(&garbage), MediaError::Damaged { .. }));
    assert_eq!(
        rejected(&garbage).to_string(),
        "This PNG file is damaged and cannot be read; export it again and upload the new file."
    );
}

#[test]
fn rejects_empty_files() {
    let error = rejected(b"");
    assert!(matches!(error, MediaError::Empty));
    assert_eq!(
        error.to_string(),
        "The file is empty; upload a JPEG or PNG image."
    );
}

#[test]
fn rejects_truncated_images() {
    let full = jpeg(300, 200);
    for cut in [full.len() * 6 / 10, full.len() - 2, 200] {
        let error = rejected(&full[..cut]);
        assert!(
            matches!(
                error,
                MediaError::Truncated {
                    format: ImageFormat::Jpeg
                } | MediaError::Damaged { .. }
            ),
            "cut at {cut}: {error:?}"
        );
    }
    assert!(matches!(
        rejected(&full[..full.len() - 2]),
        MediaError::Truncated { .. }
    ));
    assert_eq!(
        rejected(&full[..full.len() / 2]).to_string(),
        "This JPEG file is incomplete (it ends too early); upload the whole file."
    );
    let full = png(300, 200);
    let error = rejected(&full[..full.len() / 2]);
    assert!(matches!(
        error,
        MediaError::Truncated { .. } | MediaError::Damaged { .. }
    ));
}

#[test]
fn rejects_oversized_files_before_looking_inside() {
    let bytes = jpeg(64, 64);
    let tight = ImageLimits {
        max_bytes: bytes.len() as u64 - 1,
        ..limits()
    };
    let error = process(bytes.clone(), &tight).unwrap_err();
    assert!(matches!(error, MediaError::TooLarge { .. }));
    assert!(
        process(
            bytes.clone(),
            &ImageLimits {
                max_bytes: bytes.len() as u64,
                ..limits()
            }
        )
        .is_ok()
    );
    let default = MediaError::TooLarge {
        max_bytes: 30 * 1024 * 1024,
    };
    assert_eq!(
        default.to_string(),
        "This file is larger than 30 MB, the most an image may be; upload a smaller image."
    );
}

#[test]
fn rejects_decompression_bombs_from_the_header() {
    let bomb = png_header_claiming(30_000, 30_000);
    let started = std::time::Instant::now();
    let error = rejected(&bomb);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert!(matches!(
        error,
        MediaError::Dimensions {
            width: 30_000,
            height: 30_000,
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .starts_with("This image is 30000 × 30000 pixels"),
        "{error}"
    );
    // Too long on one side, though few pixels.
    assert!(matches!(
        rejected(&png_header_claiming(20_000, 10)),
        MediaError::Dimensions { .. }
    ));
    // A real JPEG whose frame header is patched to claim 30000 × 30000.
    let mut jpeg = jpeg(16, 16);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0x75, 0x30, 0x75, 0x30]);
    assert!(matches!(rejected(&jpeg), MediaError::Dimensions { .. }));
}

#[tokio::test(flavor = "current_thread")]
async fn process_upload_runs_off_the_runtime_and_hands_bytes_back() {
    let bytes = jpeg(1000, 500);
    let processed = process_upload(bytes.clone(), limits()).await.unwrap();
    assert_eq!(processed.bytes, bytes);
    assert_eq!(
        (processed.thumbnail.width, processed.thumbnail.height),
        (400, 200)
    );
    assert!(matches!(
        process_upload(Vec::new(), limits()).await,
        Err(MediaError::Empty)
    ));
}

#[tokio::test]
async fn read_limited_stops_at_the_limit() {
    let data = vec![7u8; 1000];
    assert_eq!(read_limited(&data[..], 1000).await.unwrap().len(), 1000);
    assert!(matches!(
        read_limited(&data[..], 999).await,
        Err(MediaError::TooLarge { max_bytes: 999 })
    ));
}

#[test]
fn file_names_are_sanitised_for_display() {
    let cases = [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\me\\Desktop\\ad 1.png", "ad 1.png"),
        ("/absolute/path/ad.png", "ad.png"),
        ("..", "image"),
        ("", "image"),
        ("   ", "image"),
        ("dir/", "image"),
        (".hidden.png", "hidden.png"),
        ("line\r\nbreak\t.png", "line break .png"),
        ("nul\0byte.png", "nulbyte.png"),
        ("evil\u{202E}gnp.exe", "evilgnp.exe"),
        ("zero\u{200B}width.png", "zerowidth.png"),
        ("Été à Zürich — 東京 🌞.png", "Été à Zürich — 東京 🌞.png"),
        ("trailing dots...", "trailing dots"),
    ];
    for (raw, expected) in cases {
        assert_eq!(sanitize_file_name(raw), expected, "{raw:?}");
    }
    let long = format!("{}.jpeg", "é".repeat(300));
    let short = sanitize_file_name(&long);
    assert_eq!(short.chars().count(), MAX_FILE_NAME_CHARS);
    assert!(short.ends_with("é.jpeg"));
    let no_ext = "x".repeat(500);
    assert_eq!(
        sanitize_file_name(&no_ext).chars().count(),
        MAX_FILE_NAME_CHARS
    );
}
