//! Every upload a person can get wrong, each refused with `BAD_USER_INPUT`
//! and words that say what to do; file names are cleaned, not refused.

use leadforge_e2e::{Backend, TestApp, UPLOAD_CREATIVE, both_backends, images};
use reqwest::StatusCode;

use super::{blob_path, gallery, upload};

/// Small, so an oversized file is cheap to make.
const MAX_UPLOAD_BYTES: usize = 200_000;

both_backends!(
    bad_uploads_are_refused_in_plain_words,
    file_names_are_cleaned_not_refused
);

async fn bad_uploads_are_refused_in_plain_words(backend: Backend) {
    let max = MAX_UPLOAD_BYTES.to_string();
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_MAX_UPLOAD_BYTES", &max)]).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;

    let mut wrong_magic = images::png(32, 32, 1);
    wrong_magic[1] = b'X';
    let jpeg = images::jpeg(400, 300, 2);
    let truncated = jpeg[..jpeg.len() / 2].to_vec();
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let oversize = images::noisy_png(640, 640, 3);
    assert!(oversize.len() > MAX_UPLOAD_BYTES);

    let cases: [(&str, Vec<u8>, &str); 7] = [
        (
            "a text file named photo.png",
            b"just some text, not an image".to_vec(),
            "This file is not a JPEG or PNG image; upload a JPEG or PNG image.",
        ),
        (
            "a PNG with wrong magic bytes",
            wrong_magic,
            "This file is not a JPEG or PNG image",
        ),
        (
            "a GIF",
            gif,
            "This file is a GIF; upload a JPEG or PNG image.",
        ),
        (
            "zero bytes",
            Vec::new(),
            "The file is empty; upload a JPEG or PNG image.",
        ),
        (
            "a truncated JPEG",
            truncated,
            "This JPEG file is incomplete (it ends too early); upload the whole file.",
        ),
        (
            "a 30000 × 30000 PNG header",
            images::png_header(30_000, 30_000),
            "This image is 30000 × 30000 pixels, larger than the 16384 pixels per side",
        ),
        (
            "an oversized file",
            oversize,
            "larger than 195 KB, the most an image may be; upload a smaller image.",
        ),
    ];
    for (what, bytes, message) in cases {
        let r = app.upload_creative(&ada.token, "photo.png", bytes).await;
        assert_eq!(
            r.error_codes(),
            vec!["BAD_USER_INPUT"],
            "{what}: {}",
            r.body
        );
        assert!(
            r.first_message().contains(message),
            "{what}: {}",
            r.first_message()
        );
        if what == "an oversized file" {
            // Refused while the request streams in, before any resolver.
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        } else {
            assert_eq!(r.body["errors"][0]["extensions"]["field"], "file", "{what}");
        }
    }

    // Without the CSRF header a multipart request is not even parsed.
    let r = app
        .upload(
            Some(&ada.token),
            UPLOAD_CREATIVE,
            "ok.png",
            images::png(16, 16, 4),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_codes(), vec!["BAD_REQUEST"]);
    assert!(r.first_message().contains("apollo-require-preflight"));
    // Anonymous uploads are refused before the file is looked at.
    let r = app
        .upload(
            None,
            UPLOAD_CREATIVE,
            "ok.png",
            images::png(16, 16, 4),
            true,
        )
        .await;
    assert_eq!(r.error_codes(), vec!["UNAUTHENTICATED"]);

    // Nothing of the above was stored.
    assert_eq!(gallery(&app, &ada, 10, None).await["totalCount"], 0);
    let blobs = app.db.dir().join("data").join("blobs");
    let stored = std::fs::read_dir(&blobs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "files under {}", blobs.display());
}

async fn file_names_are_cleaned_not_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let names = [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\evil.png", "evil.png"),
        ("Café – été 🌞 ünïcødé.png", "Café – été 🌞 ünïcødé.png"),
        ("report\u{202E}gnp.exe", "reportgnp.exe"),
        ("..", "image"),
    ];
    for (seed, (sent, kept)) in names.into_iter().enumerate() {
        let c = upload(&app, &ada, sent, images::png(20, 20, seed as u32 + 10)).await;
        assert_eq!(c["fileName"], kept, "{sent:?}");
        // The name never reaches the storage key.
        let path = blob_path(&app, c["url"].as_str().unwrap());
        let file = path.file_name().unwrap().to_str().unwrap();
        assert!(
            file.ends_with(".png") && uuid::Uuid::parse_str(&file[..36]).is_ok(),
            "{file}"
        );
    }
    assert_eq!(gallery(&app, &ada, 10, None).await["totalCount"], 5);
}
