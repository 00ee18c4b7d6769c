//! Multipart GraphQL requests (the GraphQL multipart request spec), read
//! under the same bounds as JSON bodies.
//!
//! async-graphql's own reader bounds only the file parts: its `operations`
//! and `map` parts are read whole, whatever their size, and a file part can
//! be mapped onto any variable (a `String` then receives the placeholder
//! `#__graphql_file__:0`). Here `operations` and `map` share the JSON body
//! limit, they must come before the files (as the spec orders them), only
//! files the map names are spooled, and each must land in a variable
//! declared `Upload`.

use std::{collections::HashMap, io::Write};

use async_graphql::{
    BatchRequest, Request, UploadValue,
    parser::types::{BaseType, DocumentOperations},
};
use axum::body::Body;
use multer::{Constraints, Multipart, SizeLimit};

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

/// Why a multipart request was refused, in words for the client.
#[derive(Debug)]
pub(super) enum MultipartError {
    /// `operations` or `map` is over the JSON body limit.
    PartTooLarge { part: String, limit: u64 },
    /// A file is over the upload limit.
    FileTooLarge,
    /// More files than allowed, or a body larger than all of them could be.
    TooMuch(String),
    /// The client stopped sending the body.
    Stalled,
    /// A file is mapped onto a variable that is not an `Upload`.
    NotAnUpload { part: String, variable: String },
    /// Anything else that is not a multipart GraphQL request.
    Malformed(String),
    /// The server could not spool a file.
    Io(std::io::Error),
}

/// Reads a multipart GraphQL request.
pub(super) async fn receive(
    content_type: &str,
    body: Body,
    limits: MultipartLimits,
) -> Result<BatchRequest, MultipartError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| malformed("The multipart content type has no boundary."))?;
    let whole = limits
        .file_bytes
        .saturating_mul(limits.files as u64)
        .saturating_add(limits.json_bytes.saturating_mul(2))
        // Part headers and boundaries.
        .saturating_add(64 * 1024);
    let constraints = Constraints::new().size_limit(
        SizeLimit::new()
            .whole_stream(whole)
            .per_field(limits.file_bytes)
            .for_field("operations", limits.json_bytes)
            .for_field("map", limits.json_bytes),
    );
    let mut multipart = Multipart::with_constraints(body.into_data_stream(), boundary, constraints);

    let mut batch: Option<BatchRequest> = None;
    let mut map: Option<HashMap<String, Vec<String>>> = None;
    let mut files: Vec<(String, UploadValue)> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multer_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "operations" if batch.is_none() => {
                let bytes = field.bytes().await.map_err(multer_error)?;
                let parsed = serde_json::from_slice::<BatchRequest>(&bytes)
                    .map_err(|e| malformed(&super::graphql::json_problem(&e, "`operations`")))?;
                batch = Some(parsed);
            }
            "map" if batch.is_some() && map.is_none() => {
                let bytes = field.bytes().await.map_err(multer_error)?;
                let parsed: HashMap<String, Vec<String>> = serde_json::from_slice(&bytes)
                    .map_err(|_| {
                        malformed("The `map` part must be a JSON object of file part names to lists of variable paths.")
                    })?;
                if parsed.len() > limits.files {
                    return Err(MultipartError::TooMuch(format!(
                        "The request maps {} files; at most {} are allowed.",
                        parsed.len(),
                        limits.files
                    )));
                }
                if let Some(batch) = &batch {
                    for (part, paths) in &parsed {
                        for path in paths {
                            check_target(batch, part, path)?;
                        }
                    }
                }
                map = Some(parsed);
            }
            "operations" | "map" => {
                return Err(malformed(
                    "Send `operations` once, then `map` once, then the files.",
                ));
            }
            _ => {
                let Some(map) = &map else {
                    return Err(malformed(
                        "File parts must follow the `operations` and `map` parts.",
                    ));
                };
                // A part the map does not name is skipped, never spooled.
                if !map.contains_key(&name) || files.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let filename = field.file_name().unwrap_or_default().to_owned();
                let content_type = field.content_type().map(ToString::to_string);
                let mut file = tempfile::tempfile().map_err(MultipartError::Io)?;
                while let Some(chunk) = field.chunk().await.map_err(multer_error)? {
                    file.write_all(&chunk).map_err(MultipartError::Io)?;
                }
                std::io::Seek::rewind(&mut file).map_err(MultipartError::Io)?;
                files.push((
                    name,
                    UploadValue {
                        filename,
                        content_type,
                        content: file,
                    },
                ));
            }
        }
    }

    let mut batch = batch.ok_or_else(|| malformed("The `operations` part is missing."))?;
    let mut map = map.ok_or_else(|| malformed("The `map` part is missing."))?;
    for (name, upload) in files {
        let Some(paths) = map.remove(&name) else {
            continue;
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
    if let Some(missing) = map.keys().next() {
        return Err(malformed(&format!(
            "The `map` names a file part `{}` the request does not carry.",
            short(missing)
        )));
    }
    Ok(batch)
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
        multer::Error::StreamReadFailed(e) if super::graphql::stalled(e.as_ref()) => {
            MultipartError::Stalled
        }
        _ => malformed("The body is not a well-formed multipart request."),
    }
}
