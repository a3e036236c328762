use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use motcua_kiosk::catalog::{SyncClient, sync_once};
use motcua_kiosk::config::{KioskConfig, check_server_url};
use motcua_kiosk::operations::Credential;
use motcua_kiosk::operations::{ConfigChange, RecentErrors};
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
    /// The central server's CA certificate (PEM): trust only it, over https only; overrides
    /// `server_ca_file` of the configuration.
    #[arg(long, global = true)]
    server_ca_file: Option<PathBuf>,
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
    /// Look up a dossier's status as the kiosk screen does: by dossier code or by the text of a
    /// receipt's QR code; falls back to the last status this kiosk saw when the server is down.
    Status {
        /// A dossier code (G09.20-20260609-0092637) or a scanned status link.
        code_or_scanned_text: String,
        #[arg(long)]
        json: bool,
    },
    /// Submit a dossier as the kiosk screen does: saved durably in the outbox first, then sent.
    Submit {
        /// Procedure code, e.g. 1.001193 (online level "full" or "partial").
        #[arg(long)]
        procedure: String,
        /// JSON with full_name, citizen_id, birth_date (dd/mm/yyyy), phone, address, email.
        #[arg(long, required_unless_present = "list_documents")]
        applicant: Option<PathBuf>,
        /// NAME=PATH for each page; NAME is the document's number or exact name. Repeat for
        /// several pages or documents.
        #[arg(long = "document")]
        documents: Vec<String>,
        /// Only list the procedure's documents, numbered, and which are required.
        #[arg(long)]
        list_documents: bool,
        #[arg(long)]
        json: bool,
    },
    /// The outbox: dossiers saved on this kiosk, waiting or delivered.
    Outbox {
        /// Try to send everything waiting now.
        #[arg(long)]
        deliver: bool,
        #[arg(long)]
        json: bool,
    },
    /// Exchange a one-time enrollment code (from `motcua-central kiosk add NAME`) for this
    /// kiosk's credential, stored in the data directory with mode 0600.
    Enroll { server_url: String, code: String },
    /// Print the staff's test page on the configured receipt printer: Vietnamese letters with
    /// stacked marks, the printer's settings, and a QR code to scan.
    PrintTestPage,
    /// Send one health report to the central server now (the kiosk screen sends one every
    /// `heartbeat_interval_secs`) and take the remote configuration it answers with, if any.
    Heartbeat {
        #[arg(long)]
        json: bool,
    },
    /// Set the staff PIN that opens staff mode on the screen (6 to 12 digits, read from standard
    /// input; only its Argon2id hash is stored, in the data directory, mode 0600).
    StaffPin,
    /// The configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a configuration file (default: --config, else /etc/motcua/kiosk.toml) and name every
    /// bad key with the reason; exit status 1 if there is any.
    Check { file: Option<PathBuf> },
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
    let errors = RecentErrors::default();
    init_logging(&errors);
    motcua_kiosk::storage::fail_writes_past_the_file_size_limit();
    match run(Cli::parse(), errors) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to journald when systemd started the kiosk (it sets `JOURNAL_STREAM`), to stderr
/// otherwise; warnings and errors are also kept for the heartbeat.
fn init_logging(errors: &RecentErrors) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let journald = std::env::var_os("JOURNAL_STREAM").and_then(|_| tracing_journald::layer().ok());
    let stderr = journald
        .is_none()
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    tracing_subscriber::registry()
        .with(filter)
        .with(journald)
        .with(stderr)
        .with(errors.layer())
        .init();
}

fn run(cli: Cli, errors: RecentErrors) -> anyhow::Result<()> {
    if let Some(Command::Config {
        command: ConfigCommand::Check { file },
    }) = &cli.command
    {
        return config_check(file.as_deref().or(cli.config.as_deref()));
    }
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
    if let Some(file) = cli.server_ca_file {
        config.server_ca_file = Some(file);
    }
    // Settings staff set remotely go over the local ones; new remote settings are checked
    // against the local ones alone.
    let local = config.clone();
    let (config, config_version) = motcua_kiosk::operations::remote_config::apply_stored(config);
    let config = motcua_kiosk::operations::staff_settings::apply_stored(config);
    pin_server_ca(&config, cli.command.as_ref())?;
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => motcua_kiosk::app::run(motcua_kiosk::app::Startup {
            config,
            local,
            config_version,
            errors,
        }),
        Command::Config { .. } => unreachable!("handled before the configuration is loaded"),
        Command::Heartbeat { json } => {
            let server_url = config
                .server_url
                .clone()
                .context("no central server configured: pass --server URL or set server_url in the configuration")?;
            let credential = credential_for(&config, &server_url)?;
            let storage = open_storage(&config)?;
            let printer = motcua_kiosk::operations::SharedPrinterState::new(
                if config.printer.is_configured() {
                    motcua_protocol::PrinterState::Unknown
                } else {
                    motcua_protocol::PrinterState::None
                },
            );
            let mut reporter = motcua_kiosk::operations::FleetReporter::new(
                &server_url,
                credential,
                local,
                config_version,
                errors,
                printer,
            )?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (heartbeat, change) = runtime.block_on(reporter.report(&storage))?;
            let change_text = match &change {
                ConfigChange::None => "no new configuration".to_owned(),
                ConfigChange::Accepted { version } => {
                    format!(
                        "remote configuration {version} accepted; it applies when the kiosk restarts"
                    )
                }
                ConfigChange::Refused { version, reason } => {
                    format!(
                        "remote configuration {version} refused, the current settings stay: {reason}"
                    )
                }
            };
            let refused = matches!(change, ConfigChange::Refused { .. });
            if json {
                let change = match change {
                    ConfigChange::None => serde_json::json!(null),
                    ConfigChange::Accepted { version } => serde_json::json!({"accepted": version}),
                    ConfigChange::Refused { version, reason } => {
                        serde_json::json!({"refused": version, "reason": reason})
                    }
                };
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "sent": heartbeat,
                        "config": change,
                    }))?
                );
            } else {
                println!(
                    "heartbeat sent to {server_url}: outbox {} waiting, config version {}\n{change_text}",
                    heartbeat.outbox_depth, heartbeat.config_version
                );
            }
            if refused {
                std::process::exit(1)
            }
            Ok(())
        }
        Command::Status {
            code_or_scanned_text,
            json,
        } => {
            let storage = open_storage(&config)?;
            let server_url = config
                .server_url
                .clone()
                .context("no central server configured: pass --server URL or set server_url in the configuration")?;
            let credential = credential_for(&config, &server_url)?;
            let public_base = config
                .public_url
                .clone()
                .unwrap_or_else(|| server_url.clone());
            let client = motcua_kiosk::status::StatusClient::new(&server_url, credential)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let report = runtime.block_on(motcua_kiosk::status::command::run(
                &client,
                &storage,
                &public_base,
                &code_or_scanned_text,
            ));
            if json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                print!("{}", report.text());
            }
            if report.found() {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        Command::Submit {
            procedure,
            applicant,
            documents,
            list_documents,
            json,
        } => {
            let procedure = motcua_protocol::ProcedureCode::parse(&procedure)?;
            let storage = open_storage(&config)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            if list_documents {
                let listed = runtime.block_on(
                    motcua_kiosk::submission::command::list_documents(&storage, &procedure),
                )?;
                for (index, (name, required)) in listed.iter().enumerate() {
                    let mark = if *required { "required" } else { "optional" };
                    println!("{:>2}  [{mark}]  {name}", index + 1);
                }
                return Ok(());
            }
            let Some(applicant) = applicant else {
                bail!("--applicant FILE.json is required");
            };
            let (client, kiosk_name) = delivery_client(&config)?;
            let public_base = config
                .public_url
                .clone()
                .or_else(|| config.server_url.clone())
                .unwrap_or_default();
            let report = runtime.block_on(motcua_kiosk::submission::command::submit(
                &storage,
                &config.data_dir,
                &public_base,
                &client,
                &kiosk_name,
                &procedure,
                &applicant,
                &documents,
                &config.limits,
            ))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("saved: local reference {}", report.local_reference);
                match &report.receipt {
                    Some(receipt) => {
                        println!("delivered: dossier {}", receipt.code);
                        println!(
                            "appointment {}  status page {}",
                            motcua_kiosk::app::format_date(receipt.due_on),
                            receipt.status_url
                        );
                    }
                    None => {
                        println!(
                            "not sent yet (đã lưu, sẽ gửi khi có mạng): {}",
                            report
                                .waiting_reason
                                .as_deref()
                                .unwrap_or("the server did not answer")
                        );
                        if let Some(url) = &report.status_url {
                            println!("status page once delivered: {url}");
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Outbox { deliver, json } => {
            let storage = open_storage(&config)?;
            if deliver {
                let (client, _) = delivery_client(&config)?;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let report = runtime.block_on(motcua_kiosk::submission::drain(&client, &storage));
                if !json {
                    println!(
                        "delivered {}, refused {}, still waiting {}{}",
                        report.delivered.len(),
                        report.refused.len(),
                        report.waiting,
                        report
                            .last_error
                            .as_deref()
                            .map(|e| format!(" (last error: {e})"))
                            .unwrap_or_default()
                    );
                }
            }
            let entries = storage.call_blocking(|s| s.outbox.entries())??;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
                return Ok(());
            }
            let waiting = entries.iter().filter(|e| e.delivered_at.is_none()).count();
            println!("{waiting} waiting, {} delivered", entries.len() - waiting);
            for e in &entries {
                let state = match (&e.receipt, e.delivered_at) {
                    (Some(receipt), _) => format!("delivered as {}", receipt.code),
                    (None, Some(at)) => {
                        format!("delivered {}", motcua_kiosk::app::format_unix(Some(at)))
                    }
                    (None, None) => format!(
                        "waiting, {} attempts{}",
                        e.attempts,
                        e.last_error
                            .as_deref()
                            .map(|err| format!(", last error: {err}"))
                            .unwrap_or_default()
                    ),
                };
                println!(
                    "{}  {}  {} {}  {state}",
                    e.local_reference,
                    motcua_kiosk::app::format_unix(Some(e.confirmed_at)),
                    e.procedure_code,
                    e.procedure_name
                );
            }
            Ok(())
        }
        Command::StaffPin => {
            let mut pin = String::new();
            std::io::stdin()
                .read_line(&mut pin)
                .context("cannot read the PIN from standard input")?;
            motcua_kiosk::operations::staff_pin::set_pin(&config.data_dir, pin.trim())?;
            println!(
                "staff PIN set ({})",
                motcua_kiosk::operations::staff_pin::pin_path(&config.data_dir).display()
            );
            Ok(())
        }
        Command::PrintTestPage => {
            motcua_kiosk::submission::receipt::print_test_page(
                &config.printer,
                &config.center_name,
            )
            .with_context(|| format!("printer {}", config.printer.describe()))?;
            println!("test page sent to {}", config.printer.describe());
            Ok(())
        }
        Command::Enroll { server_url, code } => {
            check_server_url(&server_url)
                .map_err(anyhow::Error::msg)
                .context("server URL")?;
            if let Some(file) = &config.server_ca_file
                && !server_url.starts_with("https://")
            {
                bail!(
                    "server URL {server_url:?} is not an https:// address, but server_ca_file ({}) \
                     pins the central server's CA: with a pinned CA the kiosk only connects over https://",
                    file.display()
                );
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let credential =
                runtime.block_on(motcua_kiosk::operations::enroll(&server_url, &code))?;
            credential.save(&config.data_dir)?;
            println!(
                "enrolled as {:?} with {}; credential stored in {} (mode 0600)",
                credential.kiosk_name,
                credential.server_url,
                motcua_kiosk::operations::credential::credential_path(&config.data_dir).display()
            );
            if config
                .server_url
                .as_deref()
                .map(|u| u.trim_end_matches('/'))
                != Some(credential.server_url.as_str())
            {
                println!(
                    "set server_url = \"{}\" in the kiosk configuration to use this server",
                    credential.server_url
                );
            }
            Ok(())
        }
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
            let hits = storage.call_blocking(move |s| s.index().search(&query, limit))?;
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

/// With `server_ca_file` set, checks that the central server is reached over https and that the
/// file holds usable certificates, then pins them for every HTTP client of this process
/// (`motcua_kiosk::operations::server::client_builder`), before any client is built: the screen
/// and every command that talks to the central server (`sync`, `enroll`, `heartbeat`, `status`,
/// `submit`, `outbox --deliver`) go through here.
fn pin_server_ca(config: &KioskConfig, command: Option<&Command>) -> anyhow::Result<()> {
    let Some(file) = &config.server_ca_file else {
        return Ok(());
    };
    if let Some(problem) = config.pinning_problem() {
        bail!("invalid configuration: {problem}");
    }
    if config.server_url.is_none() && matches!(command, None | Some(Command::Run)) {
        bail!(
            "invalid configuration: server_ca_file ({}) pins the central server's CA, but no \
             server_url is set, and demo mode's embedded server has no certificate: set server_url \
             to the central server's https:// address",
            file.display()
        );
    }
    let ca =
        motcua_kiosk::operations::server::PinnedCa::load(file).context("invalid configuration")?;
    tracing::info!(
        file = %ca.path().display(),
        certificates = ca.len(),
        "the central server's CA is pinned: only it is trusted, over https only"
    );
    motcua_kiosk::operations::server::pin_server_ca(ca)?;
    Ok(())
}

/// The delivery client for the configured server, and the kiosk's name for local references.
fn delivery_client(
    config: &KioskConfig,
) -> anyhow::Result<(motcua_kiosk::submission::DeliveryClient, String)> {
    let Some(server) = config.server_url.clone() else {
        bail!(
            "no central server configured: pass --server URL or set server_url in the configuration"
        );
    };
    let stored = Credential::load(&config.data_dir)?
        .filter(|c| c.server_url == server.trim_end_matches('/'));
    let kiosk_name = stored
        .as_ref()
        .map(|c| c.kiosk_name.clone())
        .unwrap_or_else(|| "KIOSK".to_owned());
    let client =
        motcua_kiosk::submission::DeliveryClient::new(&server, stored.map(|c| c.credential))?;
    Ok((client, kiosk_name))
}

/// The stored credential if it belongs to the configured server.
pub(crate) fn credential_for(
    config: &KioskConfig,
    server_url: &str,
) -> anyhow::Result<Option<String>> {
    Ok(Credential::load(&config.data_dir)?
        .filter(|c| c.server_url == server_url.trim_end_matches('/'))
        .map(|c| c.credential))
}

fn config_check(file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let system = std::path::Path::new("/etc/motcua/kiosk.toml");
    let file = file.unwrap_or(system);
    match motcua_kiosk::config::check_file(file) {
        Ok(()) => {
            println!("{}: valid", file.display());
            Ok(())
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{}: {problem}", file.display());
            }
            eprintln!("{}: {} problem(s)", file.display(), problems.len());
            std::process::exit(1)
        }
    }
}

fn open_storage(config: &KioskConfig) -> anyhow::Result<StorageHandle> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    Ok(StorageHandle::open_file(config.database_path())?)
}
