//! The GraphQL multipart request (file uploads), read strictly in the
//! spec's order: `operations`, then `map`, then exactly the file parts the
//! map names. Only those are spooled (one temporary file each, at most
//! `LEADFORGE_MAX_UPLOAD_FILES`); any other part refuses the request before
//! a byte of it is read, and reading stops once every named file is in.
//! `operations` and `map` are bounded like a JSON body, every file by the
//! upload limit, and the whole body by the router's deadline. An error of
//! our own (the disk, the descriptors) is logged, never shown.

use std::collections::HashMap;

use async_graphql::{BatchRequest, UploadValue};
use axum::body::Body;
use futures_util::TryStreamExt;
use tokio::io::AsyncWriteExt;

/// The bounds of one multipart request.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// `operations`' largest size (the JSON body limit).
    pub max_operations_bytes: usize,
    /// Largest file.
    pub max_file_bytes: u64,
    /// Most files.
    pub max_files: usize,
}

/// The `map` part's largest size: a map of a few files is tiny.
const MAX_MAP_BYTES: u64 = 16 * 1024;
/// Most variable paths one file may be mapped to.
const MAX_PATHS_PER_FILE: usize = 10;

/// Why a multipart request was refused.
#[derive(Debug, thiserror::Error)]
pub enum MultipartError {
    /// The client's mistake, in words it can act on.
    #[error("{0}")]
    Malformed(String),
    /// A file over the upload limit.
    #[error("file too large")]
    FileTooLarge,
    /// `operations` or `map` over its bound.
    #[error("{0}")]
    TooLarge(String),
    /// The body stopped arriving or took too long.
    #[error("the request body stopped arriving")]
    Stalled,
    /// Ours (spooling failed): logged, answered with a fixed message.
    #[error("storing the upload failed: {0}")]
    Spool(#[source] std::io::Error),
}

/// Reads a multipart GraphQL request from `body`.
pub async fn read(
    content_type: &str,
    body: Body,
    bounds: Bounds,
) -> Result<BatchRequest, MultipartError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| MultipartError::Malformed("The multipart body has no boundary.".to_owned()))?;
    let limits = multer::SizeLimit::new()
        .per_field(bounds.max_file_bytes)
        .for_field("operations", bounds.max_operations_bytes as u64)
        .for_field("map", MAX_MAP_BYTES);
    let mut stream = body.into_data_stream().map_err(std::io::Error::other);
    let parts = multer::Multipart::with_constraints(
        futures_util::StreamExt::by_ref(&mut stream),
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    let read = read_parts(parts, bounds).await;
    if matches!(
        read,
        Err(MultipartError::FileTooLarge | MultipartError::TooLarge(_))
    ) {
        // A client still sending when the answer goes out would see a reset
        // connection instead of the answer: read (a bounded amount of) the
        // rest first.
        let limit = bounds.max_file_bytes.saturating_mul(2);
        let discard = async {
            let mut seen = 0u64;
            while let Ok(Some(chunk)) = stream.try_next().await {
                seen += chunk.len() as u64;
                if seen > limit {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIME, discard).await;
    }
    read
}

/// Longest time spent discarding the rest of a refused upload.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

async fn read_parts(
    mut parts: multer::Multipart<'_>,
    bounds: Bounds,
) -> Result<BatchRequest, MultipartError> {
    let mut request: BatchRequest = {
        let field = next_named(&mut parts, "operations").await?;
        let bytes = field.bytes().await.map_err(|e| failed(e, "operations"))?;
        serde_json::from_slice(&bytes).map_err(|_| {
            MultipartError::Malformed(
                "The `operations` part is not a GraphQL request (JSON).".to_owned(),
            )
        })?
    };
    let mut map: HashMap<String, Vec<String>> = {
        let field = next_named(&mut parts, "map").await?;
        let bytes = field.bytes().await.map_err(|e| failed(e, "map"))?;
        serde_json::from_slice(&bytes).map_err(|_| {
            MultipartError::Malformed(
                "The `map` part must be a JSON object of file part names to variable paths."
                    .to_owned(),
            )
        })?
    };
    if map.len() > bounds.max_files {
        return Err(MultipartError::Malformed(format!(
            "A request may carry at most {} file(s); this one maps {}.",
            bounds.max_files,
            map.len()
        )));
    }
    if let Some((name, _)) = map
        .iter()
        .find(|(_, paths)| paths.is_empty() || paths.len() > MAX_PATHS_PER_FILE)
    {
        return Err(MultipartError::Malformed(format!(
            "File part `{name}` must be mapped to 1–{MAX_PATHS_PER_FILE} variable paths."
        )));
    }

    while !map.is_empty() {
        let Some(mut field) = parts.next_field().await.map_err(|e| failed(e, "file"))? else {
            let mut missing: Vec<&String> = map.keys().collect();
            missing.sort();
            return Err(MultipartError::Malformed(format!(
                "The map names file part(s) the body does not carry: {missing:?}."
            )));
        };
        let name = field.name().unwrap_or_default().to_owned();
        // Refused before a byte of it is read.
        let Some(paths) = map.remove(&name) else {
            return Err(MultipartError::Malformed(format!(
                "Unexpected part `{name}`: only the file parts the map names may follow it."
            )));
        };
        let filename = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToString::to_string);
        let file = tempfile::tempfile().map_err(MultipartError::Spool)?;
        let mut spool = tokio::fs::File::from_std(file);
        while let Some(chunk) = field.chunk().await.map_err(|e| failed(e, "file"))? {
            spool
                .write_all(&chunk)
                .await
                .map_err(MultipartError::Spool)?;
        }
        spool.flush().await.map_err(MultipartError::Spool)?;
        let mut file = spool.into_std().await;
        std::io::Seek::rewind(&mut file).map_err(MultipartError::Spool)?;
        let upload = UploadValue {
            filename,
            content_type,
            content: file,
        };
        for path in paths {
            set_upload(
                &mut request,
                &path,
                upload.try_clone().map_err(MultipartError::Spool)?,
            )?;
        }
    }
    Ok(request)
}

/// The next part, which must be `name` (the spec's order).
async fn next_named<'a>(
    parts: &mut multer::Multipart<'a>,
    name: &str,
) -> Result<multer::Field<'a>, MultipartError> {
    let field = parts
        .next_field()
        .await
        .map_err(|e| failed(e, name))?
        .ok_or_else(|| MultipartError::Malformed(format!("The `{name}` part is missing.")))?;
    if field.name() != Some(name) {
        return Err(MultipartError::Malformed(format!(
            "The `{name}` part must come {} (GraphQL multipart request spec).",
            if name == "operations" {
                "first"
            } else {
                "right after `operations`"
            }
        )));
    }
    Ok(field)
}

/// Puts `upload` at `path` (`variables.file`, or `0.variables.file` in a
/// batch).
fn set_upload(
    request: &mut BatchRequest,
    path: &str,
    upload: UploadValue,
) -> Result<(), MultipartError> {
    match request {
        BatchRequest::Single(request) => request.set_upload(path, upload),
        BatchRequest::Batch(requests) => {
            let (index, rest) = path.split_once('.').unwrap_or((path, ""));
            let request = index
                .parse::<usize>()
                .ok()
                .and_then(|i| requests.get_mut(i))
                .ok_or_else(|| {
                    MultipartError::Malformed(format!(
                        "The map path `{path}` names no operation of the batch."
                    ))
                })?;
            request.set_upload(rest, upload);
        }
    }
    Ok(())
}

/// A multer error in the client's terms.
fn failed(e: multer::Error, part: &str) -> MultipartError {
    match e {
        multer::Error::FieldSizeExceeded { field_name, .. } => match field_name.as_deref() {
            Some("operations" | "map") => MultipartError::TooLarge(format!(
                "The `{}` part is larger than allowed.",
                field_name.unwrap_or_default()
            )),
            _ => MultipartError::FileTooLarge,
        },
        multer::Error::StreamSizeExceeded { .. } => MultipartError::FileTooLarge,
        // The body's deadline or pause timeout, or the client went away.
        multer::Error::StreamReadFailed(_) => MultipartError::Stalled,
        other => MultipartError::Malformed(format!(
            "The multipart body is malformed near the `{part}` part: {other}."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDARY: &str = "b0undary";

    fn bounds() -> Bounds {
        Bounds {
            max_operations_bytes: 4096,
            max_file_bytes: 1024,
            max_files: 1,
        }
    }

    /// A body that sends `head` and then never ends.
    fn unfinished(head: String) -> Body {
        use futures_util::StreamExt;
        let first =
            futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from(head))]);
        Body::from_stream(first.chain(futures_util::stream::pending()))
    }

    fn part(name: &str, file: Option<&str>, body: &str) -> String {
        let disposition = match file {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        format!("--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n{body}\r\n")
    }

    async fn read_with(body: Body) -> Result<BatchRequest, MultipartError> {
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            read(&content_type, body, bounds()),
        )
        .await
        .unwrap_or(Err(MultipartError::Stalled))
    }

    #[tokio::test]
    async fn an_oversized_operations_part_is_refused_before_it_ends() {
        let operations = format!(
            "{{\"query\": \"{{ a }}\",{} \"variables\": {{}} }}",
            " ".repeat(8192)
        );
        let got = read_with(unfinished(part("operations", None, &operations))).await;
        assert!(matches!(got, Err(MultipartError::TooLarge(_))), "{got:?}");
    }

    #[tokio::test]
    async fn an_unmapped_part_is_refused_unread() {
        let mut body = part(
            "operations",
            None,
            r#"{"query": "{ a }", "variables": {"file": null}}"#,
        );
        body.push_str(&part("map", None, r#"{"0": ["variables.file"]}"#));
        body.push_str(&part("x", Some("a.png"), "a"));
        let got = read_with(unfinished(body)).await;
        assert!(
            matches!(&got, Err(MultipartError::Malformed(m)) if m.contains("Unexpected part `x`")),
            "{got:?}"
        );
    }
}
