//! `demo-receipts`: the QR code of each demo showcase dossier's receipt, for the repository's
//! `docs/demo-receipts/`. The tokens are fixed, so the images stay valid for any demo server at
//! the same address, whatever day it was seeded.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use motcua_central::status::demo::demo_showcase_detailed;
use motcua_central::status::receipt_qr::write_qr_png;
use motcua_central::today_in_vietnam;
use motcua_protocol::status_url;

pub fn write(out: &Path, public_url: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut readme = String::from(
        "# Demo receipts\n\n\
         The status QR code a receipt carries, for each showcase dossier of the demo data. They \
         open the public status page of a demo server at ",
    );
    let _ = write!(
        readme,
        "`{public_url}` (`motcua-central serve --demo`, or the kiosk's demo mode when that port \
         is free). Scan one with a phone on the same machine or network, or show it to the \
         kiosk's scanner.\n\n\
         The status tokens are fixed in `central/src/status/demo.rs`, so these images stay valid; \
         the dossier codes carry the day the demo data was seeded \
         (`<agency>-<yyyymmdd>-<number>`). Regenerate with:\n\n\
         ```sh\nmotcua-central demo-receipts --out docs/demo-receipts --public-url {public_url}\n```\n\n\
         | file | status | what it shows | status page |\n|---|---|---|---|\n"
    );
    for (index, dossier) in demo_showcase_detailed(today_in_vietnam())
        .into_iter()
        .enumerate()
    {
        let file = format!("{:02}-{}.png", index + 1, dossier.slug);
        let url = status_url(public_url, &dossier.token);
        write_qr_png(&url, &out.join(&file))?;
        println!("{file}  {url}");
        let _ = writeln!(
            readme,
            "| [{file}]({file}) | {} {} | {} | {url} |",
            dossier.status.number(),
            dossier.status.name_vi(),
            dossier.about
        );
    }
    std::fs::write(out.join("README.md"), readme)
        .with_context(|| format!("cannot write {}", out.join("README.md").display()))?;
    Ok(())
}
