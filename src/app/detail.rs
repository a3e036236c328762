//! The procedure detail screen, with QR codes for the procedure's public page and its forms.

use motcua_protocol::Procedure;
use slint::{ComponentHandle, Image, ModelRc, Rgb8Pixel, SharedPixelBuffer, SharedString};

use super::qr::qr_pixels;
use super::{AppWindow, DetailAdapter, DocumentRow, FeeRow, Header, Kiosk, Nav, Screen, model};

/// Pixels per QR module on screen; with pixelated scaling the code stays sharp.
const QR_SCALE: u32 = 6;

/// Everything the screen shows, prepared on the storage worker (Send), turned into Slint values on
/// the UI thread.
struct Prepared {
    procedure: Procedure,
    fees: Vec<(String, String, String)>,
    page_url: String,
    page_qr: Option<SharedPixelBuffer<Rgb8Pixel>>,
    form_qrs: Vec<Option<SharedPixelBuffer<Rgb8Pixel>>>,
}

/// The address a form link points to: relative links are on the central server.
pub fn absolute_url(public_base: &str, link: &str) -> Option<String> {
    if link.starts_with('/') && !link.starts_with("//") {
        Some(format!("{}{link}", public_base.trim_end_matches('/')))
    } else if link.starts_with("https://") || link.starts_with("http://") {
        Some(link.to_owned())
    } else {
        None
    }
}

pub fn page_url(public_base: &str, code: &str) -> String {
    format!("{}/thu-tuc/{code}", public_base.trim_end_matches('/'))
}

pub fn open(ui: &AppWindow, kiosk: &Kiosk, code: String) {
    let english = ui.global::<Header>().get_language() == "en";
    let public_base = kiosk.public_base.clone();
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let procedure = match s.catalog.get(&code) {
            Ok(Some(procedure)) => procedure,
            Ok(None) => return,
            Err(e) => {
                tracing::error!("cannot read procedure {code}: {e}");
                return;
            }
        };
        if let Err(e) = s.catalog.record_field_use(&procedure.field) {
            tracing::warn!("cannot count a field visit: {e}");
        }
        let fees = procedure
            .fees
            .iter()
            .map(|fee| {
                let amount = if fee.amount_vnd.0 == 0 {
                    String::new()
                } else {
                    fee.amount_vnd.format(english)
                };
                (fee.name.clone(), amount, fee.note.clone())
            })
            .collect();
        let page_url = page_url(&public_base, procedure.code.as_str());
        let page_qr = qr_pixels(&page_url, QR_SCALE);
        let form_qrs = procedure
            .documents
            .iter()
            .map(|doc| {
                doc.form_url
                    .as_deref()
                    .and_then(|link| absolute_url(&public_base, link))
            })
            .map(|url| url.and_then(|url| qr_pixels(&url, QR_SCALE)))
            .collect();
        let prepared = Prepared {
            procedure,
            fees,
            page_url,
            page_qr,
            form_qrs,
        };
        let _ = weak.upgrade_in_event_loop(move |ui| show(&ui, prepared));
    });
}

fn show(ui: &AppWindow, prepared: Prepared) {
    let Prepared {
        procedure: p,
        fees,
        page_url,
        page_qr,
        form_qrs,
    } = prepared;
    let adapter = ui.global::<DetailAdapter>();
    adapter.set_code(p.code.as_str().into());
    adapter.set_name(p.name.as_str().into());
    adapter.set_field(p.field.as_str().into());
    adapter.set_agency(p.agency.as_str().into());
    adapter.set_level(p.level.as_str().into());
    adapter.set_online(p.online.as_str().into());
    adapter.set_processing_time(p.processing_time.as_str().into());
    adapter.set_free(p.fees.iter().all(|f| f.amount_vnd.0 == 0));
    adapter.set_fees(model(
        fees.into_iter()
            .map(|(name, amount, note)| FeeRow {
                name: name.into(),
                amount: amount.into(),
                note: note.into(),
            })
            .collect(),
    ));
    adapter.set_steps(model(p.steps.iter().map(SharedString::from).collect()));
    adapter.set_documents(model(
        p.documents
            .iter()
            .zip(form_qrs)
            .map(|(doc, qr)| DocumentRow {
                name: doc.name.as_str().into(),
                originals: i32::try_from(doc.originals).unwrap_or(i32::MAX),
                copies: i32::try_from(doc.copies).unwrap_or(i32::MAX),
                has_form: qr.is_some(),
                form_qr: qr.map(Image::from_rgb8).unwrap_or_default(),
            })
            .collect(),
    ));
    adapter.set_requirements(p.requirements.as_str().into());
    adapter.set_result(p.result.as_str().into());
    adapter.set_legal_basis(model(
        p.legal_basis.iter().map(SharedString::from).collect(),
    ));
    adapter.set_address(p.address.as_str().into());
    adapter.set_page_url(page_url.into());
    adapter.set_page_qr(page_qr.map(Image::from_rgb8).unwrap_or_default());
    let nav = ui.global::<Nav>();
    let from = nav.get_screen();
    if from != Screen::Detail {
        nav.set_detail_from(from);
    }
    nav.set_screen(Screen::Detail);
}

/// Shows the open procedure again, e.g. after a language switch.
pub fn reload(ui: &AppWindow, kiosk: &Kiosk) {
    let code = ui.global::<DetailAdapter>().get_code().to_string();
    if !code.is_empty() {
        open(ui, kiosk, code);
    }
}

pub fn clear(ui: &AppWindow) {
    let adapter = ui.global::<DetailAdapter>();
    adapter.set_code("".into());
    adapter.set_name("".into());
    adapter.set_fees(ModelRc::default());
    adapter.set_steps(ModelRc::default());
    adapter.set_documents(ModelRc::default());
    adapter.set_legal_basis(ModelRc::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_links_resolve_against_the_public_server() {
        assert_eq!(
            absolute_url("https://dv.example/", "/forms/a.pdf").as_deref(),
            Some("https://dv.example/forms/a.pdf")
        );
        assert_eq!(
            absolute_url("https://dv.example", "https://other.example/a.pdf").as_deref(),
            Some("https://other.example/a.pdf")
        );
        assert_eq!(
            absolute_url("https://dv.example", "//evil.example/a.pdf"),
            None
        );
        assert_eq!(
            absolute_url("https://dv.example", "javascript:alert(1)"),
            None
        );
        assert_eq!(
            page_url("http://127.0.0.1:8080/", "1.001193"),
            "http://127.0.0.1:8080/thu-tuc/1.001193"
        );
    }
}
