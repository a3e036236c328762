//! `kiosk add|list|revoke|config` and `integration add|list|revoke`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use motcua_central::operations::kiosks::ENROLLMENT_VALIDITY;
use motcua_central::status::page::format_moment;
use motcua_central::{CentralConfig, open_operations};
use time::OffsetDateTime;

use super::moment;

#[derive(Subcommand)]
pub enum KioskCommand {
    /// Add a kiosk and print its one-time enrollment code (valid 24 hours).
    Add { name: String },
    /// List kiosks: enrolled, revoked, last seen.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a kiosk's credential; its requests are refused from now on.
    Revoke { name: String },
    /// Set a kiosk's remote configuration from a TOML file (docs/fleet.md), or show it.
    Config {
        name: String,
        /// The settings (TOML; `-` for standard input). The kiosk gets them with its next
        /// heartbeat.
        #[arg(long, required_unless_present = "show", conflicts_with = "show")]
        file: Option<PathBuf>,
        /// Print the stored settings.
        #[arg(long)]
        show: bool,
    },
}

#[derive(Subcommand)]
pub enum IntegrationCommand {
    /// Add an integration client and print its token (shown once).
    Add { name: String },
    /// List integration clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke an integration client's token.
    Revoke { name: String },
}

pub fn kiosk(config: &CentralConfig, command: KioskCommand) -> anyhow::Result<()> {
    let mut store = open_operations(config)?;
    let now = OffsetDateTime::now_utc();
    match command {
        KioskCommand::Add { name } => {
            let code = store.add_kiosk(&name, now)?;
            println!(
                "Kiosk {name}: one-time enrollment code, valid until {} (Vietnam time):\n\n    {code}\n",
                format_moment(now + ENROLLMENT_VALIDITY)
            );
            println!(
                "Enter it on the kiosk, or send it to POST {}/api/v1/kiosks/enroll as {{\"code\": \"{code}\"}}.",
                config.public_base()
            );
        }
        KioskCommand::List { json } => {
            let kiosks = store.list_kiosks()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&kiosks)?);
                return Ok(());
            }
            println!(
                "{:<24} {:<17} {:<17} {:<17}",
                "NAME", "ENROLLED", "REVOKED", "LAST SEEN"
            );
            for k in kiosks {
                println!(
                    "{:<24} {:<17} {:<17} {:<17}",
                    k.name,
                    moment(k.enrolled_at),
                    moment(k.revoked_at),
                    moment(k.last_seen_at)
                );
            }
        }
        KioskCommand::Revoke { name } => {
            store.revoke_kiosk(&name, now)?;
            println!("kiosk {name} revoked");
        }
        // clap makes sure exactly one of --file and --show is given.
        KioskCommand::Config { name, file, .. } => {
            drop(store);
            return match file {
                Some(file) => super::kiosk_config::set(config, &name, &file),
                None => super::kiosk_config::show(config, &name),
            };
        }
    }
    Ok(())
}

pub fn integration(config: &CentralConfig, command: IntegrationCommand) -> anyhow::Result<()> {
    let mut store = open_operations(config)?;
    let now = OffsetDateTime::now_utc();
    match command {
        IntegrationCommand::Add { name } => {
            let token = store
                .add_integration(&name, now)
                .with_context(|| format!("cannot add integration {name}"))?;
            println!("Integration {name}: token (shown once; keep it secret):\n\n    {token}\n");
            println!("Send it as `Authorization: Bearer <token>`; see docs/integration.md.");
        }
        IntegrationCommand::List { json } => {
            let integrations = store.list_integrations()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&integrations)?);
                return Ok(());
            }
            println!("{:<24} {:<17} {:<17}", "NAME", "ADDED", "REVOKED");
            for i in integrations {
                println!(
                    "{:<24} {:<17} {:<17}",
                    i.name,
                    moment(Some(i.created_at)),
                    moment(i.revoked_at)
                );
            }
        }
        IntegrationCommand::Revoke { name } => {
            store.revoke_integration(&name, now)?;
            println!("integration {name} revoked");
        }
    }
    Ok(())
}
