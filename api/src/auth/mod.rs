//! Who is calling: passwords, tokens, sign-in throttling and the principal
//! every service call carries.

pub mod password;
pub mod throttle;
pub mod tokens;

use std::net::IpAddr;

use entities::{Role, TenantId, UserId};

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub role: Role,
}

impl Principal {
    /// The role as the policy names it.
    pub fn role_str(&self) -> &'static str {
        role_name(self.role)
    }
}

/// A role as the policy rows and the audit trail name it.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Member => "member",
        Role::ChiefArchitect => "chief_architect",
    }
}

/// Who sent a request, as the HTTP or WebSocket layer found out.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No token was sent.
    Anonymous,
    /// A valid token for an existing user.
    User(Principal),
    /// A token was sent but cannot be used.
    Rejected(TokenRejection),
}

/// Why a token was refused; shown to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("Your session has expired; sign in again.")]
    Expired,
    #[error("The access token is not valid; sign in again.")]
    Invalid,
    #[error("The account of this token no longer exists.")]
    UnknownUser,
}

/// The network address a request came from (sign-in throttling, audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl Default for ClientAddr {
    fn default() -> Self {
        Self(IpAddr::from([0, 0, 0, 0]))
    }
}
