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
        // The stored copy is a re-encoded image of the same format and size.
        assert_eq!(info.byte_size, processed.bytes.len() as u64);
        let stored = image::load_from_memory(&processed.bytes).unwrap();
        assert_eq!((stored.width(), stored.height()), (info.width, info.height));
        assert_eq!(
            image::guess_format(&processed.bytes).unwrap(),
            format.image_format()
        );
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
    // At the limit the upload passes (its re-encoded copy, here larger
    // than the file, is held to the same limit).
    assert!(
        inspect(
            &bytes,
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
async fn process_upload_runs_off_the_runtime_and_hands_a_copy_back() {
    let bytes = jpeg(1000, 500);
    let processed = process_upload(bytes.clone(), limits()).await.unwrap();
    assert_eq!(
        image::load_from_memory(&processed.bytes).unwrap().width(),
        1000
    );
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

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
}

/// `png` with `extra` chunks inserted right after IHDR (before IDAT, where
/// `iCCP` must be).
fn png_with_chunks(png: &[u8], extra: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let ihdr_end = 8 + 4 + 4 + 13 + 4;
    let mut out = png[..ihdr_end].to_vec();
    for (kind, data) in extra {
        chunk(&mut out, kind, data);
    }
    out.extend(&png[ihdr_end..]);
    out
}

/// A zlib stream of `len` zero bytes, written by hand so the test never
/// holds them: one fixed-Huffman block, a literal 0, then matches of 258
/// bytes at distance 1 (13 bits each, about 2 000 : 1).
fn zlib_zeros(len: usize) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = fixed Huffman
    bits.huffman(0b0011_0000, 8); // literal 0
    let mut left = len - 1;
    while left > 0 {
        // Match lengths 3..=258; a last short run must stay >= 3.
        let run = if left >= 258 + 3 || left == 258 {
            258
        } else {
            left.min(258)
        };
        if run < 3 {
            for _ in 0..run {
                bits.huffman(0b0011_0000, 8);
            }
        } else {
            let (code, extra, extra_bits) = length_code(run);
            if code < 280 {
                bits.huffman(code - 256, 7);
            } else {
                bits.huffman(0b1100_0000 + code - 280, 8);
            }
            bits.put(extra, extra_bits);
            bits.huffman(0, 5); // distance 1
        }
        left -= run;
    }
    bits.huffman(0, 7); // end of block
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    let b = (len % 65_521) as u32;
    out.extend(((b << 16) | 1).to_be_bytes());
    out
}

/// Deflate's length code, extra bits and their count for a match length.
fn length_code(len: usize) -> (u32, u32, u32) {
    const BASES: [(u32, u32); 29] = [
        (3, 0),
        (4, 0),
        (5, 0),
        (6, 0),
        (7, 0),
        (8, 0),
        (9, 0),
        (10, 0),
        (11, 1),
        (13, 1),
        (15, 1),
        (17, 1),
        (19, 2),
        (23, 2),
        (27, 2),
        (31, 2),
        (35, 3),
        (43, 3),
        (51, 3),
        (59, 3),
        (67, 4),
        (83, 4),
        (99, 4),
        (115, 4),
        (131, 5),
        (163, 5),
        (195, 5),
        (227, 5),
        (258, 0),
    ];
    let len = len as u32;
    let i = BASES.iter().rposition(|&(base, _)| base <= len).unwrap();
    let (base, extra_bits) = BASES[i];
    (257 + i as u32, len - base, extra_bits)
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// `count` bits of `value`, least significant first.
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, most significant bit first.
    fn huffman(&mut self, code: u32, count: u32) {
        let reversed = code.reverse_bits() >> (32 - count);
        self.put(reversed, count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

#[test]
fn the_hand_written_zlib_stream_inflates_to_zeros() {
    for len in [1, 2, 3, 4, 258, 259, 260, 261, 1000, 100_000] {
        let out = fdeflate::decompress_to_vec(&zlib_zeros(len)).unwrap();
        assert_eq!(out.len(), len);
        assert!(out.iter().all(|&b| b == 0));
    }
}

/// An `iCCP` chunk body: name, NUL, method 0, zlib stream.
fn iccp(stream: Vec<u8>) -> Vec<u8> {
    let mut data = b"bomb\0\0".to_vec();
    data.extend(stream);
    data
}

#[test]
fn a_png_colour_profile_bomb_is_refused_before_decoding() {
    // 100 × 100 pixels, an iCCP profile inflating to 600 MB.
    let stream = zlib_zeros(600 * 1024 * 1024);
    assert!(stream.len() < 4 * 1024 * 1024, "{} bytes", stream.len());
    let bomb = png_with_chunks(&png(100, 100), &[(b"iCCP", iccp(stream))]);
    assert!(matches!(
        inspect(&bomb, &limits()),
        Err(MediaError::MetadataTooLarge)
    ));
    assert!(matches!(
        process(bomb, &limits()),
        Err(MediaError::MetadataTooLarge)
    ));
    // Compressed text counts against the same budget, all chunks together.
    let mut ztxt = b"Comment\0\0".to_vec();
    ztxt.extend(zlib_zeros(MAX_METADATA_BYTES / 2 + 1));
    let texts = png_with_chunks(&png(10, 10), &[(b"zTXt", ztxt.clone()), (b"zTXt", ztxt)]);
    assert!(matches!(
        process(texts, &limits()),
        Err(MediaError::MetadataTooLarge)
    ));
    let mut itxt = b"Comment\0\x01\0en\0Kommentar\0".to_vec();
    itxt.extend(zlib_zeros(MAX_METADATA_BYTES + 1));
    assert!(matches!(
        process(png_with_chunks(&png(10, 10), &[(b"iTXt", itxt)]), &limits()),
        Err(MediaError::MetadataTooLarge)
    ));
    // A broken stream in a compressed chunk is a damaged file.
    let broken = png_with_chunks(&png(10, 10), &[(b"iCCP", iccp(vec![0x78, 0x9c, 0xff]))]);
    assert!(matches!(
        process(broken, &limits()),
        Err(MediaError::Damaged { .. })
    ));
}

#[test]
fn the_decoder_is_bounded_by_the_image_not_the_ceiling() {
    // Even without the metadata walk the decoder could not allocate more
    // than the pixels, the file and the metadata budget: a profile just
    // past that bound fails as a limit, not as 512 MiB of memory.
    let limits = limits();
    let need = 100 * 100 * 8 + MAX_METADATA_BYTES as u64;
    let decoder = super::process::allocation_limits(&limits, need);
    assert_eq!(decoder.max_alloc, Some(need));
    assert_eq!(
        super::process::allocation_limits(&limits, u64::MAX).max_alloc,
        Some(limits.max_alloc)
    );
}

#[test]
fn a_small_colour_profile_is_kept_and_other_metadata_dropped() {
    // A minimal RGB profile header: size, then the colour space at 16..20.
    let mut profile = vec![0u8; 128];
    profile[..4].copy_from_slice(&128u32.to_be_bytes());
    profile[16..20].copy_from_slice(b"RGB ");
    let mut exif = b"MM\0*".to_vec();
    exif.extend([0u8; 4]);
    let mut text = b"GPS\0".to_vec();
    text.extend(b"48.8584 N, 2.2945 E");
    let marked = png_with_chunks(
        &png(20, 10),
        &[
            (b"iCCP", iccp(fdeflate::compress_to_vec(&profile))),
            (b"eXIf", exif),
            (b"tEXt", text),
        ],
    );
    let processed = process(marked, &limits()).unwrap();
    let stored = &processed.bytes;
    let has = |kind: &[u8]| stored.windows(4).any(|w| w == kind);
    assert!(has(b"iCCP"), "the colour profile is kept");
    assert!(!has(b"eXIf") && !has(b"tEXt"), "metadata is dropped");
    assert!(!stored.windows(7).any(|w| w == b"48.8584"));
}

#[test]
fn jpeg_exif_is_dropped_and_its_orientation_applied() {
    // APP1 Exif, big-endian TIFF, one IFD entry: Orientation (0x0112) = 6
    // (rotate 90° clockwise), plus a GPS-looking marker string.
    let mut app1 = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    app1.extend([
        0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    app1.extend(b"GPS 48.8584");
    let mut marked = vec![0xFF, 0xD8, 0xFF, 0xE1];
    marked.extend(((app1.len() + 2) as u16).to_be_bytes());
    marked.extend(&app1);
    marked.extend(&jpeg(40, 20)[2..]);
    let processed = process(marked, &limits()).unwrap();
    assert_eq!((processed.info.width, processed.info.height), (20, 40));
    let stored = &processed.bytes;
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
    assert!(!stored.windows(11).any(|w| w == b"GPS 48.8584"));
    let decoded = image::load_from_memory(stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (20, 40));
}
