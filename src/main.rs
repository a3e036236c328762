use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use motcua_kiosk::catalog::{SyncClient, sync_once};
use motcua_kiosk::config::{KioskConfig, check_server_url};
use motcua_kiosk::storage::StorageHandle;

/// The motcua self-service kiosk. Without a command it starts the kiosk screen; without a
/// configured server it runs in demo mode with an embedded server and the demo catalog.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (TOML). Default: /etc/motcua/kiosk.toml if it exists.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (the kiosk database); overrides the configuration.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Central server URL; overrides the configuration.
    #[arg(long, global = true)]
    server: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the kiosk screen (the default).
    Run,
    /// Sync the catalog with the central server once and print what changed.
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// Search the local catalog as the kiosk screen does.
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The local catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Number of procedures, fields, and the state of the last sync.
    Stats {
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = KioskConfig::load(cli.config.as_deref())?;
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    if let Some(server) = cli.server {
        check_server_url(&server)
            .map_err(anyhow::Error::msg)
            .context("--server")?;
        config.server_url = Some(server);
    }
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => motcua_kiosk::app::run(config),
        Command::Sync { json } => {
            let Some(server) = config.server_url.clone() else {
                bail!(
                    "no central server configured: pass --server URL or set server_url in the configuration"
                );
            };
            let storage = open_storage(&config)?;
            let client = SyncClient::new(&server)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let report = runtime.block_on(sync_once(&client, &storage))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                match report.applied {
                    None => println!("catalog unchanged ({} procedures)", report.procedures),
                    Some(summary) => println!(
                        "{}: {} updated, {} removed, {} bytes; {} procedures now",
                        if summary.full {
                            "full download"
                        } else {
                            "incremental"
                        },
                        summary.upserted,
                        summary.removed,
                        report.bytes,
                        report.procedures
                    ),
                }
            }
            Ok(())
        }
        Command::Search { query, limit, json } => {
            let storage = open_storage(&config)?;
            let hits = storage.call_blocking(move |s| s.index.search(&query, limit))?;
            if json {
                println!("{}", serde_json::to_string(&hits)?);
            } else if hits.is_empty() {
                println!("no procedure matches");
            } else {
                for hit in hits {
                    println!("{}  {}  [{}]", hit.code, hit.name, hit.field);
                }
            }
            Ok(())
        }
        Command::Catalog {
            command: CatalogCommand::Stats { json },
        } => {
            let storage = open_storage(&config)?;
            let stats = storage.call_blocking(|s| s.catalog.stats())??;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                println!("procedures: {}", stats.procedures);
                println!(
                    "last successful sync: {}",
                    motcua_kiosk::app::format_unix(stats.sync.last_success_at)
                );
                println!(
                    "server reachable at last attempt: {}",
                    if stats.sync.server_reachable {
                        "yes"
                    } else {
                        "no"
                    }
                );
                if let Some(error) = &stats.sync.last_error {
                    println!("last error: {error}");
                }
                println!("fields:");
                for field in &stats.fields {
                    println!("  {:>6}  {}", field.procedures, field.field);
                }
            }
            Ok(())
        }
    }
}

fn open_storage(config: &KioskConfig) -> anyhow::Result<StorageHandle> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    Ok(StorageHandle::open_file(config.database_path())?)
}
