//! The `leadforge` binary: parse the command line, load the configuration,
//! run the verb. Failures end in one line on stderr and a non-zero exit.

use std::process::ExitCode;

use clap::Parser;
use leadforge::{
    App, Config,
    app::shutdown_signal,
    cli::{AdminAction, Cli, Command, MigrateAction, VaultAction},
    db, graphql, telemetry,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Printing the schema needs neither configuration nor a runtime.
    if let Some(Command::Schema) = cli.command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load(cli.config.clone()) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    if let Some(Command::Config) = cli.command {
        print!("{}", config.masked());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e),
    };
    telemetry::init(&config.log);
    let result = runtime.block_on(run(cli.command, config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e.as_ref()),
    }
}

async fn run(
    command: Option<Command>,
    mut config: Config,
) -> Result<(), Box<dyn std::error::Error>> {
    match command.unwrap_or(Command::Serve { no_migrate: false }) {
        Command::Serve { no_migrate } => {
            if no_migrate {
                config.migrate_on_start = false;
            }
            tracing::debug!(config = %config.masked(), "configuration");
            let database = config.database.backend.as_str();
            let ui_built = leadforge::http::ui::Ui::from_config(&config).is_built();
            let ui_dir = config.ui_dir.clone();
            let app = App::build(config).await?;
            let addr = app.local_addr()?;
            tracing::info!(%addr, database, "Leadforge is listening: GraphQL at http://{addr}/graphql, GraphiQL at http://{addr}/graphiql");
            if ui_built {
                tracing::info!("the admin UI is at http://{addr}/");
            } else {
                tracing::warn!(ui_dir = %ui_dir.display(), "the admin UI is not built (install Node.js and npm, then build again); http://{addr}/ says how");
            }
            app.run_until_stopped(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Migrate { action } => match action {
            MigrateAction::Up => {
                let applied = db::migrate_up(&config.database).await?;
                println!("applied {applied} migration(s)");
            }
            MigrateAction::Down { steps } => {
                let rolled_back = db::migrate_down(&config.database, steps).await?;
                println!("rolled back {rolled_back} migration(s)");
            }
            MigrateAction::Status => {
                let conn = db::connect(&config.database).await?;
                for (name, applied) in db::migration_status(&conn).await? {
                    println!("{} {name}", if applied { "applied" } else { "pending" });
                }
            }
        },
        Command::Admin {
            action: AdminAction::CreateChiefArchitect { email },
        } => {
            let password = read_password()?;
            db::migrate_up(&config.database).await?;
            let conn = db::connect(&config.database).await?;
            let services = leadforge::services::Services::build(conn, &config).await?;
            let user = services
                .identity
                .create_account(leadforge::services::identity::NewUser {
                    tenant_id: entities::PLATFORM_TENANT_ID,
                    email,
                    password,
                    role: entities::Role::ChiefArchitect,
                })
                .await?;
            println!("created chief architect {} ({})", user.email, user.id);
        }
        Command::Vault {
            action: VaultAction::Rotate,
        } => {
            let vault = leadforge::vault::Vault::from_config(&config)?;
            let conn = db::connect(&config.database).await?;
            let report = leadforge::vault::rotate(&conn, &vault).await?;
            println!(
                "re-wrapped {} secret(s) under key `{}`; {} still use an old key",
                report.rewrapped,
                vault.current_key_id(),
                report.still_old
            );
            if !report.unreadable.is_empty() {
                let ids: Vec<String> = report.unreadable.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "{} secret(s) could not be opened with any configured key (integrations {}); keep the key that sealed them",
                    ids.len(),
                    ids.join(", ")
                )
                .into());
            }
        }
        Command::Schema | Command::Config => {}
    }
    Ok(())
}

/// The password from a prompt without echo when a person is at the
/// terminal, else the first line of standard input (scripts pipe it).
fn read_password() -> Result<secrecy::SecretString, Box<dyn std::error::Error>> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password for the new chief architect: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        return Err("no password given on standard input".into());
    }
    Ok(secrecy::SecretString::from(password))
}

fn fail(error: &dyn std::error::Error) -> ExitCode {
    let mut line = format!("leadforge: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        // Many errors already print their cause; say each thing once.
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(&format!(": {text}"));
        }
        source = cause.source();
    }
    eprintln!("{line}");
    ExitCode::FAILURE
}
