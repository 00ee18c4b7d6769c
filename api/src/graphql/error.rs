//! The one place where application errors become GraphQL errors.
//!
//! [`GqlError`] deliberately does not implement `Display`: async-graphql
//! converts any `Display` value into an error with `?`, which would drop the
//! code and could leak a database message. Resolvers return
//! `Result<T, GqlError>`, so every error goes through [`From<GqlError>`].

use async_graphql::{ErrorExtensionValues, PathSegment, ServerError};

use crate::error::{AppError, ErrorCode, INTERNAL_MESSAGE};

/// What resolvers return on failure: an application error already mapped
/// to its GraphQL form (async-graphql needs resolver errors to be `Clone`,
/// so the mapping, and the logging of internal causes, happens on creation).
#[derive(Clone)]
pub struct GqlError(async_graphql::Error);

/// The result type of every resolver.
pub type GqlResult<T> = Result<T, GqlError>;

impl std::fmt::Debug for GqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("GqlError").field(&self.0.message).finish()
    }
}

impl<E: Into<AppError>> From<E> for GqlError {
    fn from(err: E) -> Self {
        Self(to_graphql(err.into()))
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(GqlError(err): GqlError) -> Self {
        err
    }
}

fn to_graphql(err: AppError) -> async_graphql::Error {
    let code = err.code();
    let message = match &err {
        AppError::Internal(cause) => {
            tracing::error!(error = %ErrorChain(cause.as_ref()), "internal error");
            INTERNAL_MESSAGE.to_owned()
        }
        other => other.to_string(),
    };
    let mut error = async_graphql::Error::new(message);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code.as_str());
    match &err {
        AppError::BadUserInput {
            field: Some(field), ..
        } => ext.set("field", field.as_str()),
        AppError::Platform {
            platform_code,
            trace_id,
            ..
        } => {
            if let Some(c) = platform_code {
                ext.set("platformCode", *c);
            }
            if let Some(t) = trace_id {
                ext.set("traceId", t.as_str());
            }
        }
        AppError::BadUserInputs(problems) => {
            if let Some(first) = problems.first() {
                ext.set("field", first.field.as_str());
            }
            let list: Vec<async_graphql::Value> = problems
                .iter()
                .map(|p| {
                    let mut item = async_graphql::indexmap::IndexMap::new();
                    item.insert(
                        async_graphql::Name::new("field"),
                        async_graphql::Value::from(p.field.as_str()),
                    );
                    item.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(p.message.as_str()),
                    );
                    async_graphql::Value::Object(item)
                })
                .collect();
            ext.set("problems", async_graphql::Value::List(list));
        }
        AppError::InsufficientCredits { balance, cost, .. } => {
            ext.set("balance", *balance);
            ext.set("cost", *cost);
        }
        AppError::BudgetPolicy {
            limit, currency, ..
        } => {
            ext.set("limit", *limit);
            ext.set("currency", currency.as_str());
        }
        AppError::RateLimited {
            retry_after: Some(after),
            ..
        } => ext.set("retryAfterSeconds", after.as_secs().max(1)),
        _ => {}
    }
    error.extensions = Some(ext);
    error
}

/// Adds `code` to an error that has none (errors async-graphql raises itself).
pub fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    let ext = error.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    error
}

/// A new request-level error with a code.
pub fn coded_error(message: impl Into<String>, code: ErrorCode) -> ServerError {
    with_code(ServerError::new(message, None), code)
}

/// Gives an error async-graphql raised itself (ours always carry a code)
/// the code it deserves. Before execution: a request error. During
/// execution: an argument or variable the schema could not coerce (an `Int`
/// out of range, a string where a file part belongs) is the client's
/// mistake; anything else is ours.
pub fn code_uncoded(error: ServerError, executed: bool) -> ServerError {
    if !executed {
        return with_code(error, ErrorCode::BadRequest);
    }
    if error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
    {
        return error;
    }
    match coercion_failure(&error.message) {
        Some(message) => {
            let field = error.path.last().and_then(|segment| match segment {
                PathSegment::Field(name) => Some(name.clone()),
                PathSegment::Index(_) => None,
            });
            let message = match &field {
                Some(field) => format!("Invalid argument of `{field}`: {message}"),
                None => format!("Invalid argument: {message}"),
            };
            let mut coded = with_code(ServerError { message, ..error }, ErrorCode::BadUserInput);
            if let (Some(field), Some(ext)) = (field, coded.extensions.as_mut()) {
                ext.set("field", field);
            }
            coded
        }
        None => with_code(error, ErrorCode::Internal),
    }
}

/// The plain-words reason of an input coercion error (`Failed to parse
/// "Int": …`), with the `Upload` case said the way a client can act on.
fn coercion_failure(message: &str) -> Option<String> {
    let (type_name, reason) = if let Some(rest) = message.strip_prefix("Failed to parse \"") {
        rest.split_once("\": ").unwrap_or((rest, ""))
    } else {
        // `Expected input type "Upload", found "text".`
        let rest = message.strip_prefix("Expected input type \"")?;
        rest.split_once("\", ").unwrap_or((rest, ""))
    };
    Some(if type_name == "Upload" {
        "a file is expected here: send it as a part of a multipart request (the GraphQL multipart request spec), not as a JSON value.".to_owned()
    } else {
        format!("expected {type_name}: {reason}")
    })
}

/// Displays an error with its chain of causes, for logs.
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
