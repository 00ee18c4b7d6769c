//! The GraphQL multipart request (file uploads), read strictly in the
//! spec's order: `operations`, then `map`, then exactly the file parts the
//! map names, each into a variable its operation declares `Upload`.
//!
//! async-graphql's own reader bounds only the file parts: it reads
//! `operations` and `map` whole, spools every file part it meets (one
//! descriptor each, however many), and lets a file land in any variable (a
//! `String` then receives the placeholder `#__graphql_file__:0`). Here
//! `operations` and `map` share the JSON body limit, only the files the map
//! names are spooled (at most `LEADFORGE_MAX_UPLOAD_FILES`), any other part
//! refuses the request before a byte of it is read, and reading stops once
//! every named file is in. The whole body is bounded by the router's
//! deadline. An error of our own (the disk, the descriptors) is logged,
//! never shown.

use std::collections::HashMap;

use async_graphql::{
    BatchRequest, Request, UploadValue,
    parser::types::{BaseType, DocumentOperations},
};
use axum::body::Body;
use futures_util::TryStreamExt;
use tokio::io::AsyncWriteExt;

/// What a multipart request may hold.
#[derive(Debug, Clone, Copy)]
pub(super) struct MultipartLimits {
    /// `operations` and `map`, each (the JSON body limit).
    pub(super) json_bytes: u64,
    /// Each file.
    pub(super) file_bytes: u64,
    /// Files per request.
    pub(super) files: usize,
}

/// Most variable paths one file may be mapped to.
const MAX_PATHS_PER_FILE: usize = 10;

/// Longest time spent discarding the rest of a refused upload.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Why a multipart request was refused, in words for the client.
#[derive(Debug)]
pub(super) enum MultipartError {
    /// `operations` or `map` is over the JSON body limit.
    PartTooLarge { part: String, limit: u64 },
    /// A file is over the upload limit.
    FileTooLarge,
    /// More files than allowed.
    TooMuch(String),
    /// The client stopped sending the body, or took too long.
    Stalled,
    /// A file is mapped onto a variable that is not an `Upload`.
    NotAnUpload { part: String, variable: String },
    /// Anything else that is not a multipart GraphQL request.
    Malformed(String),
    /// The server could not spool a file.
    Io(std::io::Error),
}

/// Reads a multipart GraphQL request from `body`.
pub(super) async fn receive(
    content_type: &str,
    body: Body,
    limits: MultipartLimits,
) -> Result<BatchRequest, MultipartError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| malformed("The multipart content type has no boundary."))?;
    let sizes = multer::SizeLimit::new()
        .per_field(limits.file_bytes)
        .for_field("operations", limits.json_bytes)
        .for_field("map", limits.json_bytes);
    let mut stream = body.into_data_stream().map_err(std::io::Error::other);
    let parts = multer::Multipart::with_constraints(
        futures_util::StreamExt::by_ref(&mut stream),
        boundary,
        multer::Constraints::new().size_limit(sizes),
    );
    let read = read_parts(parts, limits).await;
    if matches!(
        read,
        Err(MultipartError::FileTooLarge | MultipartError::PartTooLarge { .. })
    ) {
        // A client still sending when the answer goes out would see a reset
        // connection instead of the answer: read (a bounded amount of) the
        // rest first.
        let limit = limits.file_bytes.saturating_mul(2);
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

async fn read_parts(
    mut parts: multer::Multipart<'_>,
    limits: MultipartLimits,
) -> Result<BatchRequest, MultipartError> {
    let mut batch: BatchRequest = {
        let field = next_named(&mut parts, "operations").await?;
        let bytes = field.bytes().await.map_err(multer_error)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| malformed(&super::graphql::json_problem(&e, "`operations`")))?
    };
    let mut map: HashMap<String, Vec<String>> = {
        let field = next_named(&mut parts, "map").await?;
        let bytes = field.bytes().await.map_err(multer_error)?;
        serde_json::from_slice(&bytes).map_err(|_| {
            malformed(
                "The `map` part must be a JSON object of file part names to lists of variable paths.",
            )
        })?
    };
    if map.len() > limits.files {
        return Err(MultipartError::TooMuch(format!(
            "The request maps {} files; at most {} are allowed.",
            map.len(),
            limits.files
        )));
    }
    for (part, paths) in &map {
        if paths.is_empty() || paths.len() > MAX_PATHS_PER_FILE {
            return Err(malformed(&format!(
                "File part `{}` must be mapped to 1–{MAX_PATHS_PER_FILE} variable paths.",
                short(part)
            )));
        }
        for path in paths {
            check_target(&batch, part, path)?;
        }
    }

    while !map.is_empty() {
        let Some(mut field) = parts.next_field().await.map_err(multer_error)? else {
            let mut missing: Vec<String> = map.keys().map(|k| short(k)).collect();
            missing.sort();
            return Err(malformed(&format!(
                "The `map` names file part(s) the request does not carry: {}.",
                missing.join(", ")
            )));
        };
        let name = field.name().unwrap_or_default().to_owned();
        // Refused before a byte of it is read.
        let Some(paths) = map.remove(&name) else {
            return Err(malformed(&format!(
                "Unexpected part `{}`: only the file parts the `map` names may follow it, once each.",
                short(&name)
            )));
        };
        let filename = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToString::to_string);
        let file = tempfile::tempfile().map_err(MultipartError::Io)?;
        let mut spool = tokio::fs::File::from_std(file);
        while let Some(chunk) = field.chunk().await.map_err(multer_error)? {
            spool.write_all(&chunk).await.map_err(MultipartError::Io)?;
        }
        spool.flush().await.map_err(MultipartError::Io)?;
        let mut file = spool.into_std().await;
        std::io::Seek::rewind(&mut file).map_err(MultipartError::Io)?;
        let upload = UploadValue {
            filename,
            content_type,
            content: file,
        };
        for path in paths {
            let copy = upload.try_clone().map_err(MultipartError::Io)?;
            match &mut batch {
                BatchRequest::Single(request) => request.set_upload(&path, copy),
                BatchRequest::Batch(requests) => {
                    if let Some((request, path)) = batch_target(requests, &path) {
                        request.set_upload(path, copy);
                    }
                }
            }
        }
    }
    Ok(batch)
}

/// The next part, which must be `name` (the spec's order).
async fn next_named<'a>(
    parts: &mut multer::Multipart<'a>,
    name: &str,
) -> Result<multer::Field<'a>, MultipartError> {
    let field = parts
        .next_field()
        .await
        .map_err(multer_error)?
        .ok_or_else(|| malformed(&format!("The `{name}` part is missing.")))?;
    if field.name() != Some(name) {
        return Err(malformed(
            "Send `operations` first, then `map`, then the files (GraphQL multipart request spec).",
        ));
    }
    Ok(field)
}

/// The request and the path inside it of a batch path (`0.variables.file`).
fn batch_target<'a, 'p>(
    requests: &'a mut [Request],
    path: &'p str,
) -> Option<(&'a mut Request, &'p str)> {
    let (index, path) = path.split_once('.')?;
    let request = requests.get_mut(index.parse::<usize>().ok()?)?;
    Some((request, path))
}

/// Refuses a file mapped anywhere but into a variable declared `Upload`
/// (or a list of them) by its operation.
fn check_target(batch: &BatchRequest, part: &str, path: &str) -> Result<(), MultipartError> {
    let (request, path) = match batch {
        BatchRequest::Single(request) => (request, path),
        BatchRequest::Batch(requests) => {
            let (index, rest) = path.split_once('.').unwrap_or((path, ""));
            let request = index
                .parse::<usize>()
                .ok()
                .and_then(|i| requests.get(i))
                .ok_or_else(|| malformed("A `map` path names no operation of the batch."))?;
            (request, rest)
        }
    };
    let variable = path
        .strip_prefix("variables.")
        .and_then(|rest| rest.split('.').next())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| malformed("Files can only be mapped into `variables`."))?;
    let refuse = || MultipartError::NotAnUpload {
        part: short(part),
        variable: short(variable),
    };
    // A document that does not parse is reported by the schema; the file
    // then reaches no variable.
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return Ok(());
    };
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(_), None) => None,
    };
    let Some(operation) = operation else {
        return Ok(());
    };
    let declared = operation
        .node
        .variable_definitions
        .iter()
        .find(|d| d.node.name.node.as_str() == variable)
        .ok_or_else(refuse)?;
    let mut base = &declared.node.var_type.node.base;
    while let BaseType::List(inner) = base {
        base = &inner.base;
    }
    match base {
        BaseType::Named(name) if name.as_str() == "Upload" => Ok(()),
        _ => Err(refuse()),
    }
}

fn malformed(message: &str) -> MultipartError {
    MultipartError::Malformed(message.to_owned())
}

/// A client-chosen name, cut short for an error message.
fn short(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

fn multer_error(error: multer::Error) -> MultipartError {
    match error {
        multer::Error::FieldSizeExceeded { limit, field_name } => match field_name.as_deref() {
            Some(part @ ("operations" | "map")) => MultipartError::PartTooLarge {
                part: part.to_owned(),
                limit,
            },
            _ => MultipartError::FileTooLarge,
        },
        multer::Error::StreamSizeExceeded { .. } => {
            MultipartError::TooMuch("The request body is larger than its files may be.".to_owned())
        }
        // The body's deadline or pause timeout, or the client went away.
        multer::Error::StreamReadFailed(_) => MultipartError::Stalled,
        _ => malformed("The body is not a well-formed multipart request."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDARY: &str = "b0undary";

    fn bounds() -> MultipartLimits {
        MultipartLimits {
            json_bytes: 4096,
            file_bytes: 1024,
            files: 1,
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
            receive(&content_type, body, bounds()),
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
        assert!(
            matches!(got, Err(MultipartError::PartTooLarge { .. })),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn an_unmapped_part_is_refused_unread() {
        let mut body = part(
            "operations",
            None,
            r#"{"query": "mutation($file: Upload!) { a(file: $file) }", "variables": {"file": null}}"#,
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
