//! `palisade server`: the central server, and its token administration. Wiring only.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use palisade_server::{Limits, Role, ServerConfig};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
    /// Address to listen on (plain HTTP: loopback only unless --insecure-listen).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The store: sqlite:PATH or postgres://USER:PASSWORD@HOST/DB (default: a SQLite file in
    /// $XDG_DATA_HOME/palisade or ~/.local/share/palisade).
    #[arg(long, env = "PALISADE_DB")]
    pub db: Option<String>,
    /// Serve plain HTTP on a non-loopback address.
    #[arg(long)]
    pub insecure_listen: bool,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = Limits::default().max_body)]
    pub max_body: usize,
    /// Most alerts (JSON lines) in one ingest request.
    #[arg(long, default_value_t = Limits::default().max_lines)]
    pub max_batch: usize,
}

#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints it (alone) on stdout. It is shown only this once.
    Create {
        /// The store (as for `palisade server --db`).
        #[arg(long, env = "PALISADE_DB")]
        db: Option<String>,
        /// admin, operator, reader or ingest.
        #[arg(long)]
        role: Role,
        /// What the token is for (shown in the audit trail).
        #[arg(long)]
        name: String,
    },
}

fn db_url(db: Option<String>) -> anyhow::Result<String> {
    match db {
        Some(url) => Ok(url),
        None => Ok(palisade_server::default_db_url()?),
    }
}

pub async fn run(args: ServerArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(ServerCommand::Token {
            command: TokenCommand::Create { db, role, name },
        }) => {
            let token = palisade_server::create_token(&db_url(db)?, role, &name).await?;
            writeln!(std::io::stdout(), "{token}")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            palisade_server::serve(ServerConfig {
                listen: args.listen,
                db_url: db_url(args.db)?,
                insecure_listen: args.insecure_listen,
                limits: Limits {
                    max_body: args.max_body,
                    max_lines: args.max_batch,
                },
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
