//! The command line: `serve` (the default), `migrate`, `schema`, `config`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "leadforge",
    version,
    about = "Leadforge: lead-generation agents behind a GraphQL API"
)]
pub struct Cli {
    /// A configuration file to read instead of ./leadforge.toml (also LEADFORGE_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no command is given).
    Serve {
        /// Do not apply pending migrations at start; refuse to start if any are pending.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply, roll back or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print the effective configuration, secrets masked.
    Config,
    /// Credential vault maintenance.
    Vault {
        #[command(subcommand)]
        action: VaultAction,
    },
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Re-wrap every stored secret under the current master key (the first
    /// entry of LEADFORGE_MASTER_KEY) while the server keeps running, and
    /// report how many still use an old key; at zero, the old key can go.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create a chief architect (full access to every tenant). The password
    /// is read from standard input: typed at a prompt, or piped.
    CreateChiefArchitect {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back migrations: all of them, or the last N with --steps.
    Down {
        #[arg(long, value_name = "N")]
        steps: Option<u32>,
    },
    /// List migrations and whether each is applied.
    Status,
}
