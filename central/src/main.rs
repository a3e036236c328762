use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use motcua_central::catalog::{generate, import};
use motcua_central::{CentralConfig, DEMO_CATALOG, open_catalog, start};

/// The central server for motcua kiosks.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (TOML). Default: /etc/motcua/central.toml if it exists.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (database, stored files); overrides the configuration.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and public pages.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the configuration).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load the demo catalog first if the catalog is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Replace the catalog with a catalog file, after validating all of it.
    Import { file: PathBuf },
    /// Write a large realistic catalog, for benchmarks and scale tests.
    GenCatalog {
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file; standard output if absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
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
    let mut config = CentralConfig::load(cli.config.as_deref())?;
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    match cli.command {
        Command::Serve { listen, demo } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            if demo {
                let mut store = open_catalog(&config)?;
                if store.count()? == 0 {
                    let summary = import::import_text(&mut store, DEMO_CATALOG)?;
                    tracing::info!(%summary, "demo catalog loaded");
                }
            }
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async {
                let server = start(config).await?;
                println!("listening on {}", server.base_url());
                tokio::signal::ctrl_c()
                    .await
                    .context("cannot wait for Ctrl-C")?;
                server.stop().await;
                Ok(())
            })
        }
        Command::Import { file } => {
            let mut store = open_catalog(&config)?;
            let summary = import::import_file(&mut store, &file)?;
            println!("imported {}: {summary}", file.display());
            Ok(())
        }
        Command::GenCatalog {
            count,
            seed,
            output,
        } => {
            let catalog = generate::generate(count, seed);
            let json = serde_json::to_string_pretty(&catalog)?;
            match output {
                Some(path) => std::fs::write(&path, json)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().lock().write_all(json.as_bytes())?,
            }
            Ok(())
        }
    }
}
