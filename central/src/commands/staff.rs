//! `staff add|list|remove|password`: the accounts that may open the fleet view.

use std::io::Read;

use anyhow::Context;
use clap::Subcommand;
use motcua_central::operations::passwords;
use motcua_central::{CentralConfig, open_operations};
use time::OffsetDateTime;

use super::moment;

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add a staff account; prints a generated password once (or reads one with --password-stdin).
    Add {
        name: String,
        /// Read the password from standard input instead of generating one (at least 12
        /// characters).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts (never their passwords).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a staff account; its password stops working at once.
    Remove { name: String },
    /// Give a staff account a new password (generated, or with --password-stdin).
    Password {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// The password to set: from standard input (one line, its line ending dropped), or generated.
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((passwords::generate(), true));
    }
    let mut text = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut text)
        .context("cannot read the password from standard input")?;
    let password = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text);
    Ok((password.to_owned(), false))
}

fn show_generated(name: &str, password: &str, config: &CentralConfig) {
    println!(
        "Staff account {name}: password (shown once, stored only as a hash):\n\n    {password}\n"
    );
    println!(
        "Sign in at {}/fleet with the name {name} and this password.",
        config.public_base()
    );
}

pub fn run(config: &CentralConfig, command: StaffCommand) -> anyhow::Result<()> {
    let mut store = open_operations(config)?;
    let now = OffsetDateTime::now_utc();
    match command {
        StaffCommand::Add {
            name,
            password_stdin,
        } => {
            let (password, generated) = new_password(password_stdin)?;
            store
                .add_staff(&name, &password, now)
                .with_context(|| format!("cannot add staff account {name}"))?;
            if generated {
                show_generated(&name, &password, config);
            } else {
                println!("staff account {name} added");
            }
        }
        StaffCommand::List { json } => {
            let staff = store.list_staff()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&staff)?);
                return Ok(());
            }
            println!("{:<24} {:<17} {:<17}", "NAME", "ADDED", "PASSWORD SET");
            for s in staff {
                println!(
                    "{:<24} {:<17} {:<17}",
                    s.name,
                    moment(Some(s.created_at)),
                    moment(Some(s.password_set_at))
                );
            }
        }
        StaffCommand::Remove { name } => {
            store.remove_staff(&name)?;
            println!("staff account {name} removed");
        }
        StaffCommand::Password {
            name,
            password_stdin,
        } => {
            let (password, generated) = new_password(password_stdin)?;
            store
                .set_staff_password(&name, &password, now)
                .with_context(|| format!("cannot set the password of {name}"))?;
            if generated {
                show_generated(&name, &password, config);
            } else {
                println!("password of staff account {name} changed");
            }
        }
    }
    Ok(())
}
