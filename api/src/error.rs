//! The application's error type and the public error codes of the API.
//!
//! Services return their own typed errors, which convert into [`AppError`];
//! the GraphQL edge (`graphql::error`) maps an `AppError` once into a GraphQL
//! error carrying `extensions.code`. `Internal` keeps its cause for the logs
//! and is shown to clients as a fixed message.

use std::time::Duration;

/// The codes clients see in `extensions.code` (DESIGN §5), plus the ones the
/// GraphQL layer itself produces for malformed requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    LimitExceeded,
    InsufficientCredits,
    BudgetPolicyExceeded,
    IntegrationInvalid,
    PlatformError,
    RateLimited,
    Internal,
    /// The request document does not parse.
    GraphqlParseFailed,
    /// The request document is not valid against the schema.
    GraphqlValidationFailed,
    /// The HTTP request itself is unusable (body, method, content type).
    BadRequest,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::InsufficientCredits => "INSUFFICIENT_CREDITS",
            Self::BudgetPolicyExceeded => "BUDGET_POLICY_EXCEEDED",
            Self::IntegrationInvalid => "INTEGRATION_INVALID",
            Self::PlatformError => "PLATFORM_ERROR",
            Self::RateLimited => "RATE_LIMITED",
            Self::Internal => "INTERNAL",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::BadRequest => "BAD_REQUEST",
        }
    }
}

/// The message every client sees for an internal error; the cause goes to the log.
pub const INTERNAL_MESSAGE: &str = "Internal error. It has been logged; please try again later.";

/// One problem with the input, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub field: String,
    pub message: String,
}

impl InputProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An error of the application, as services report it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No usable credentials; the message says what to do.
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    /// What was not found, e.g. "campaign". Rows of other tenants or members
    /// are reported this way too, never as forbidden.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    BadUserInput {
        message: String,
        /// The input field at fault, when there is one.
        field: Option<String>,
    },
    /// Several input problems found at once (a form checked as a whole),
    /// so the client can show them all in one round trip.
    #[error("{}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join(" "))]
    BadUserInputs(Vec<InputProblem>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// A launch costs more credits than the caller has; both numbers go to
    /// `extensions` so a client can say how many are missing.
    #[error("{message}")]
    InsufficientCredits {
        message: String,
        balance: i64,
        cost: i64,
    },
    /// A budget above the tenant's budget policy (or the server's default
    /// cap); the limit, in minor units, and its currency go to `extensions`.
    #[error("{message}")]
    BudgetPolicy {
        message: String,
        limit: i64,
        currency: String,
    },
    #[error("{0}")]
    IntegrationInvalid(String),
    #[error("{message}")]
    Platform {
        message: String,
        platform_code: Option<i64>,
        trace_id: Option<String>,
    },
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Anything unexpected: a database fault, a bug. Logged with its cause.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::BadUserInput { .. } | Self::BadUserInputs(_) => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::LimitExceeded(_) => ErrorCode::LimitExceeded,
            Self::InsufficientCredits { .. } => ErrorCode::InsufficientCredits,
            Self::BudgetPolicy { .. } => ErrorCode::BudgetPolicyExceeded,
            Self::IntegrationInvalid(_) => ErrorCode::IntegrationInvalid,
            Self::Platform { .. } => ErrorCode::PlatformError,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// One error for every problem found: none, one `BadUserInput`, or
    /// `BadUserInputs` listing them all.
    pub fn all_of(mut problems: Vec<InputProblem>) -> Option<Self> {
        match problems.len() {
            0 => None,
            1 => problems.pop().map(|p| Self::bad_input(p.field, p.message)),
            _ => Some(Self::BadUserInputs(problems)),
        }
    }

    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(cause))
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(err)
    }
}
