use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use motcua_central::catalog::{generate, import};
use motcua_central::status::demo;
use motcua_central::{CentralConfig, DEMO_CATALOG, open_catalog, open_dossiers, start};

mod commands;

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
        /// Load the demo catalog if the catalog is empty, and the demo dossiers if absent.
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
    /// Kiosks allowed to use the kiosk API.
    #[command(subcommand)]
    Kiosk(commands::access::KioskCommand),
    /// Integration clients (the province's one-stop system).
    #[command(subcommand)]
    Integration(commands::access::IntegrationCommand),
    /// Staff accounts for the fleet view (/fleet) and remote configuration.
    #[command(subcommand)]
    Staff(commands::staff::StaffCommand),
    /// Dossiers and their status, for staff and demos.
    #[command(subcommand)]
    Dossier(commands::dossier::DossierCommand),
    /// Visitors' feedback: list it, answer it.
    #[command(subcommand)]
    Feedback(commands::feedback::FeedbackCommand),
    /// Satisfaction ratings per month, field and kiosk.
    Ratings {
        /// How many months back, counting the current one (Vietnam time): 1 to 36.
        #[arg(long, default_value_t = motcua_central::feedback::stats::DEFAULT_MONTHS)]
        months: u32,
    },
    /// Write the receipt QR code (PNG) of each demo showcase dossier, and a README listing them.
    DemoReceipts {
        /// Directory to write into, e.g. docs/demo-receipts.
        #[arg(long)]
        out: PathBuf,
        /// The server address the QR codes point to.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        public_url: String,
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
                load_demo(&config)?;
            }
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async {
                let public_url = config.public_url.clone();
                let server = start(config).await?;
                println!("listening on {}", server.base_url());
                if demo {
                    let base = public_url.unwrap_or_else(|| server.base_url());
                    println!("demo status pages:");
                    for dossier in demo::demo_showcase_detailed(motcua_central::today_in_vietnam())
                    {
                        println!(
                            "  {:<22} {}",
                            dossier.slug,
                            motcua_protocol::status_url(&base, &dossier.token)
                        );
                    }
                }
                let signal = stop_signal().await?;
                tracing::info!("{signal}: stopping; requests in flight finish first");
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
        Command::Kiosk(command) => commands::access::kiosk(&config, command),
        Command::Integration(command) => commands::access::integration(&config, command),
        Command::Staff(command) => commands::staff::run(&config, command),
        Command::Dossier(command) => commands::dossier::run(&config, command),
        Command::Feedback(command) => commands::feedback::run(&config, command),
        Command::Ratings { months } => commands::feedback::ratings(&config, months),
        Command::DemoReceipts { out, public_url } => {
            commands::demo_receipts::write(&out, &public_url)
        }
    }
}

fn load_demo(config: &CentralConfig) -> anyhow::Result<()> {
    let mut store = open_catalog(config)?;
    if store.count()? == 0 {
        let summary = import::import_text(&mut store, DEMO_CATALOG)?;
        tracing::info!(%summary, "demo catalog loaded");
    }
    let mut dossiers = open_dossiers(config)?;
    let added = demo::seed_demo_dossiers(&mut dossiers, motcua_central::today_in_vietnam())?;
    if added > 0 {
        tracing::info!(added, "demo dossiers loaded");
    }
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM, what systemd and `docker stop` send, and names it: both
/// stop the server gracefully.
async fn stop_signal() -> anyhow::Result<&'static str> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => {
            interrupted.context("cannot wait for Ctrl-C")?;
            Ok("SIGINT")
        }
        _ = terminate.recv() => Ok("SIGTERM"),
    }
}
