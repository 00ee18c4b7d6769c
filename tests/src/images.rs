//! Test images made on the spot: real PNG and JPEG files whose pixels
//! depend on a seed (so each seed is a different file), and hand-built
//! headers for the inputs an encoder would never produce.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// Pixels that differ per seed and per position, with some structure so
/// they compress like a photo rather than noise.
fn pixels(width: u32, height: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let v = x.wrapping_mul(31) ^ y.wrapping_mul(17) ^ seed.wrapping_mul(2_654_435_761);
        Rgb([v as u8, (v >> 8) as u8, (x + y + seed) as u8])
    })
}

/// An opaque PNG.
pub fn png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    encode(&pixels(width, height, seed), ImageFormat::Png)
}

/// A PNG with transparency (its thumbnail stays PNG).
pub fn png_with_alpha(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, y| {
        Rgba([
            (x + seed) as u8,
            y as u8,
            90,
            if (x + y) % 2 == 0 { 255 } else { 40 },
        ])
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .expect("encode PNG");
    bytes
}

/// A JPEG.
pub fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    encode(&pixels(width, height, seed), ImageFormat::Jpeg)
}

/// A PNG of random-looking pixels: large for its size (little compresses).
pub fn noisy_png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = u64::from(seed) | 1;
    let image = RgbImage::from_fn(width, height, |_, _| {
        // xorshift: incompressible enough, deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
    });
    encode(&image, ImageFormat::Png)
}

fn encode(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encode image");
    bytes
}

/// A well-formed PNG header declaring `width` × `height` pixels, followed by
/// an empty start of pixel data: what a decompression bomb looks like to a
/// checker that reads headers first.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // 8-bit RGB, deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut bytes, b"IHDR", &ihdr);
    // The start of the pixel data (an empty zlib stream): decoders read
    // up to here before they report dimensions.
    chunk(&mut bytes, b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01");
    chunk(&mut bytes, b"IEND", &[]);
    bytes
}

/// A real `width` × `height` PNG carrying an `iCCP` colour profile whose
/// zlib stream inflates to `inflated` zero bytes: a decompression bomb
/// behind harmless dimensions. The stream is written by hand (a literal 0,
/// then 258-byte matches at distance 1), so building it costs no memory.
pub fn png_with_iccp_bomb(width: u32, height: u32, inflated: usize) -> Vec<u8> {
    let png = png(width, height, 1);
    let ihdr_end = 8 + 4 + 4 + 13 + 4;
    let mut profile = b"bomb\0\0".to_vec();
    profile.extend(zlib_zeros(inflated));
    let mut out = png[..ihdr_end].to_vec();
    chunk(&mut out, b"iCCP", &profile);
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

/// A zlib stream of about `len` zero bytes (whole 258-byte matches after
/// the first), in one fixed-Huffman block.
fn zlib_zeros(len: usize) -> Vec<u8> {
    let (mut out, mut acc, mut n) = (vec![0x78, 0x01], 0u64, 0u32);
    let mut put = |value: u32, count: u32, out: &mut Vec<u8>| {
        acc |= u64::from(value) << n;
        n += count;
        while n >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            n -= 8;
        }
    };
    // Huffman codes go most significant bit first.
    let code = |c: u32, count: u32| c.reverse_bits() >> (32 - count);
    put(1, 1, &mut out); // last block
    put(1, 2, &mut out); // fixed Huffman
    put(code(0b0011_0000, 8), 8, &mut out); // literal 0
    for _ in 0..len.saturating_sub(1) / 258 {
        put(code(0b1100_0101, 8), 8, &mut out); // length 258
        put(0, 5, &mut out); // distance 1
    }
    put(0, 7, &mut out); // end of block
    put(0, 7, &mut out); // flush the last bits
    out.extend_from_slice(&[0, 0, 0, 0]); // Adler-32: never reached
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
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

/// Width and height of an encoded image.
pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .expect("read image")
        .into_dimensions()
        .expect("image dimensions")
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc_matches_the_png_reference_value() {
        // The CRC of an empty IEND chunk, as every PNG ends with it.
        assert_eq!(super::crc32(b"IEND"), 0xAE42_6082);
    }
}
