//! Script injection in a real browser, on every page the server renders: headless Chromium
//! (Debian's `chromium`, installed by `scripts/test`) loads each page from the real server on
//! port 0 after HTML and JavaScript payloads were stored in every text field the page shows, and
//! put in the address where the page reflects it.
//!
//! Each payload, if it ran, would mark the page (`data-xss_<id>` on `<html>`, read back with
//! `--dump-dom`) and, where it has room, call a witness on 127.0.0.1 with its id. The same
//! payloads, planted unescaped and without a policy in a page the witness serves, must all do so:
//! that is what proves the detector can see an execution. On the server's pages none may, every
//! stored text must be there to read (escaped, as text), and every page and static file must carry
//! the security headers (`common::assert_html_page_headers`).

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use common::{
    Scripts, assert_html_page_headers, assert_page_headers, assert_private_headers, chromium, get,
    nz,
};
use motcua_central::RunningServer;
use motcua_central::catalog::import::import_text;
use reqwest::Url;
use serde_json::{Value, json};
use time::OffsetDateTime;

const STAFF: &str = "an.nguyen";
const PASSWORD: &str = "mat-khau-thu-nghiem";
const CODE: &str = "1.990001";
const DOSSIER: &str = "G09.20-20261120-0007001";
const REFERENCE: &str = "PA-7301-2290-4415";

/// A loopback HTTP server that records the ids payloads call it with (`/b/<id>`) and serves the
/// test's own pages, with no Content-Security-Policy: the unescaped control, and the page that
/// sends files to the phone upload form.
struct Witness {
    port: u16,
    calls: Arc<Mutex<Vec<String>>>,
    pages: Arc<Mutex<HashMap<String, String>>>,
}

impl Witness {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let pages = Arc::new(Mutex::new(HashMap::new()));
        let (seen, served) = (calls.clone(), pages.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, served) = (seen.clone(), served.clone());
                std::thread::spawn(move || answer(stream, &seen, &served));
            }
        });
        Self { port, calls, pages }
    }

    fn serve(&self, path: &str, html: String) -> String {
        self.pages.lock().unwrap().insert(path.to_owned(), html);
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn calls(&self) -> BTreeSet<String> {
        self.calls.lock().unwrap().iter().cloned().collect()
    }
}

fn answer(stream: TcpStream, calls: &Mutex<Vec<String>>, pages: &Mutex<HashMap<String, String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line.split(' ').nth(1).unwrap_or_default();
    let response = if let Some(id) = path.strip_prefix("/b/") {
        calls.lock().unwrap().push(id.to_owned());
        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".to_owned()
    } else if let Some(html) = pages.lock().unwrap().get(path) {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
            html.len()
        )
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    };
    let _ = (&stream).write_all(response.as_bytes());
}

/// How each payload gets its code into the page. `{A}` is the code; `fires` says whether
/// Chromium runs it at all when it lands unescaped (a `javascript:` URL in CSS never runs, but
/// must still be shown as text).
const TEMPLATES: [(&str, bool); 13] = [
    ("<script>{A}</script>", true),
    ("<img src=x onerror={A}>", true),
    ("<svg onload={A}>", true),
    ("\"><img src=x onerror={A}>", true),
    ("'><svg onload={A}>", true),
    ("</title><script>{A}</script>", true),
    ("</textarea><img src=x onerror={A}>", true),
    // Breaking out of data embedded in a script block, plain and after a JSON line separator.
    ("</script><script>{A}</script>", true),
    ("\u{2028}</script><svg onload={A}>", true),
    ("<iframe src=\"javascript:{A}\"></iframe>", true),
    ("<iframe srcdoc=\"<script>{A}</script>\"></iframe>", true),
    ("<details open ontoggle={A}>", true),
    ("<p style=\"background:url(javascript:{A})\">", false),
];

/// For fields of 64 to 80 characters: no slash (file names lose everything before one), no
/// quote (Chromium escapes them in file names), and the short code that only marks the page.
const SHORT_TEMPLATES: [&str; 3] = [
    "<img src=x onerror={A}>",
    "<svg onload={A}>",
    "'><details open ontoggle={A}>",
];

/// Every payload planted, with whether it must fire in the control.
#[derive(Default)]
struct Payloads {
    witness_port: u16,
    planted: Mutex<Vec<(String, String, bool)>>,
}

impl Payloads {
    /// Marks the page; with `call`, also calls the witness (the address as base64, so the code
    /// has no slash or space either).
    fn code(&self, id: &str, call: bool) -> String {
        if call {
            let mark = format!("top.document.documentElement.dataset.xss_{id}=1");
            let url = format!("http://127.0.0.1:{}/b/{id}", self.witness_port);
            let encoded = base64::engine::general_purpose::STANDARD.encode(url);
            format!("{mark};fetch(atob('{encoded}'))")
        } else {
            // Short enough for a 64-character field inside its template; payloads sit in the
            // body, so it exists when they run.
            format!("top.document.body.dataset.xss_{id}=1")
        }
    }

    fn plant(&self, id: String, template: &str, fires: bool, call: bool) -> String {
        let text = template.replace("{A}", &self.code(&id, call));
        self.planted.lock().unwrap().push((id, text.clone(), fires));
        text
    }

    /// Every template, each with its own id `<tag><n>`, in pieces of at most `max_chars`.
    fn pieces(&self, tag: &str, max_chars: usize) -> Vec<String> {
        let mut pieces: Vec<String> = Vec::new();
        for (n, (template, fires)) in TEMPLATES.iter().enumerate() {
            let payload = self.plant(format!("{tag}{n}"), template, *fires, true);
            match pieces.last_mut() {
                Some(last) if last.chars().count() + 3 + payload.chars().count() <= max_chars => {
                    last.push_str(" · ");
                    last.push_str(&payload);
                }
                _ => {
                    assert!(payload.chars().count() <= max_chars, "{payload}");
                    pieces.push(payload);
                }
            }
        }
        pieces
    }

    /// Every template in one text.
    fn all(&self, tag: &str) -> String {
        let pieces = self.pieces(tag, usize::MAX);
        assert_eq!(pieces.len(), 1);
        pieces.into_iter().next().unwrap_or_default()
    }

    /// The short templates, one per text.
    fn short(&self, tag: &str) -> Vec<String> {
        SHORT_TEMPLATES
            .iter()
            .enumerate()
            .map(|(n, template)| self.plant(format!("{tag}{n}"), template, true, false))
            .collect()
    }

    /// The witness's page with every payload unescaped, each in a document of its own (an
    /// unclosed `<svg>` would otherwise swallow the next payload), and no policy.
    fn control_page(&self) -> String {
        let mut html =
            String::from("<!DOCTYPE html><html><head><title>control</title></head><body>");
        for (_, text, _) in self.planted.lock().unwrap().iter() {
            html.push_str("<iframe srcdoc=\"");
            html.push_str(&attribute_escape(text));
            html.push_str("\"></iframe>");
        }
        html.push_str("</body></html>");
        html
    }

    fn firing(&self) -> BTreeSet<String> {
        self.planted
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, fires)| *fires)
            .map(|(id, _, _)| id.clone())
            .collect()
    }

    fn calling(&self) -> BTreeSet<String> {
        self.planted
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, text, fires)| *fires && text.contains("fetch(atob("))
            .map(|(id, _, _)| id.clone())
            .collect()
    }
}

fn attribute_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A text as Chromium's `--dump-dom` writes it when it is the content of an element.
fn as_dumped_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// What the payloads' elements and attributes look like in a dumped DOM, never in its text.
const PAYLOAD_MARKUP: [&str; 9] = [
    "<script>",
    "<img",
    "<svg",
    "<iframe",
    "<details",
    "<p style=",
    "onerror=\"",
    "onload=\"",
    "ontoggle=\"",
];

/// The ids of the payloads that ran: their marks on the page.
fn marks(dom: &str) -> BTreeSet<String> {
    dom.match_indices("data-xss_")
        .map(|(at, found)| {
            dom[at + found.len()..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

/// The DOM after the page loaded and had time to run whatever it would run.
async fn load(url: &str, profile: &Path) -> String {
    let (url, profile) = (url.to_owned(), profile.to_owned());
    let output = tokio::task::spawn_blocking(move || {
        chromium(
            &url,
            &profile,
            &["--dump-dom", "--virtual-time-budget=2000"],
        )
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Loads `url` in Chromium and checks that nothing ran and that each of `texts` is on the page as
/// text. Returns the DOM for further checks.
async fn nothing_runs(url: &str, profile: &Path, texts: &[&str]) -> String {
    let dom = load(url, profile).await;
    assert!(dom.contains("</body>"), "{url}: not loaded: {dom}");
    let ran = marks(&dom);
    assert!(ran.is_empty(), "{url}: payloads ran: {ran:?}\n{dom}");
    // Blocked by the policy is not enough: no payload may have become markup either. Text is
    // dumped with `<` escaped, and the payloads leave their attributes unquoted.
    for markup in PAYLOAD_MARKUP {
        assert!(
            !dom.contains(markup),
            "{url}: a payload became {markup:?}\n{dom}"
        );
    }
    for text in texts {
        let shown = as_dumped_text(text);
        assert!(
            dom.contains(&shown),
            "{url}: missing as text: {shown}\n{dom}"
        );
    }
    dom
}

/// One procedure with a payload in every text field the procedure page, the search page and the
/// status page show.
fn hostile_catalog(p: &Payloads) -> (String, Vec<String>) {
    let fields = [
        "name",
        "field",
        "agency",
        "level",
        "processing_time",
        "requirements",
        "result",
        "address",
    ];
    let mut procedure = json!({
        "code": CODE,
        "online": "full",
        "steps": [p.all("st")],
        "fees": [{"name": p.all("fn"), "amount_vnd": 8000, "note": p.all("fo")}],
        "documents": [
            {"name": p.all("dn"), "originals": 1, "copies": 0,
             "form_url": p.plant("du0".into(), "/forms/x\"><svg onload={A}>", true, false)},
            {"name": "Bản sao giấy tờ", "originals": 0, "copies": 1,
             "form_url": format!("javascript:{}", p.code("du1", false))},
            {"name": "Tờ khai", "originals": 1, "copies": 0,
             "form_url": format!("JavaScript:{}", p.code("du2", false))},
            // Not scripts, but links to another host from a path-like address.
            {"name": "Giấy ủy quyền", "originals": 1, "copies": 0,
             "form_url": "//example.invalid/mau.pdf"},
            {"name": "Giấy xác nhận", "originals": 1, "copies": 0,
             "form_url": "/\\example.invalid/mau.pdf"},
        ],
        "legal_basis": [p.all("lb")],
        "keywords": ["xss"],
    });
    let mut shown = Vec::new();
    for (n, field) in fields.iter().enumerate() {
        let text = p.all(&format!("p{n}x"));
        procedure[*field] = json!(text);
        shown.push(text);
    }
    for key in ["steps", "legal_basis"] {
        shown.push(procedure[key][0].as_str().unwrap().to_owned());
    }
    shown.push(procedure["fees"][0]["name"].as_str().unwrap().to_owned());
    shown.push(procedure["fees"][0]["note"].as_str().unwrap().to_owned());
    shown.push(
        procedure["documents"][0]["name"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let catalog = json!({"format": "motcua-catalog/1", "procedures": [procedure]});
    (catalog.to_string(), shown)
}

async fn start_server(dir: &Path, catalog: &str) -> RunningServer {
    let mut config = common::config(dir);
    // Every page here is loaded several times from one address.
    config.status_page_per_minute = nz(10_000);
    config.status_page_burst = nz(10_000);
    let mut store = motcua_central::open_catalog(&config).unwrap();
    import_text(&mut store, catalog).unwrap();
    drop(store);
    motcua_central::open_operations(&config)
        .unwrap()
        .add_staff(STAFF, PASSWORD, OffsetDateTime::now_utc())
        .unwrap();
    motcua_central::start(config).await.unwrap()
}

/// `base` + `path` with `segment` as one more path segment, percent-encoded, and `query`.
fn with_segment(base: &str, path: &str, segment: &str, query: &[(&str, &str)]) -> String {
    let mut url = Url::parse(&format!("{base}{path}")).unwrap();
    url.path_segments_mut()
        .unwrap()
        .pop_if_empty()
        .push(segment);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url.to_string()
}

/// `http://staff:password@host/…`: Chromium sends these as HTTP Basic credentials.
fn as_staff(url: &str) -> String {
    url.replacen("http://", &format!("http://{STAFF}:{PASSWORD}@"), 1)
}

async fn send_json(request: reqwest::RequestBuilder, body: &Value) -> (u16, Value) {
    let response = request.json(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The page the witness serves to send files named `names` through the phone upload form at
/// `upload_url`, as a phone's browser would.
fn upload_launcher(upload_url: &str, names: &[String]) -> String {
    let files: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(n, name)| {
            // The first file is a JPEG the server keeps, the others text it refuses.
            let bytes = if n == 0 {
                "[255,216,255,224,0,16]"
            } else {
                "[104,105]"
            };
            format!(
                "dt.items.add(new File([new Uint8Array({bytes})],{},{{type:'image/jpeg'}}));",
                serde_json::to_string(name).unwrap()
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><body><form id=f method=post enctype=\"multipart/form-data\" action=\"{upload_url}\">\
         <input type=file name=file id=i multiple></form><script>const dt=new DataTransfer();{}\
         document.getElementById('i').files=dt.files;document.getElementById('f').submit();</script></body></html>",
        files.concat()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_and_reflected_payloads_never_run_on_any_page() {
    let witness = Witness::start();
    let p = Payloads {
        witness_port: witness.port,
        ..Payloads::default()
    };
    let (catalog, procedure_texts) = hostile_catalog(&p);
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path(), &catalog).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    let profile = tempfile::tempdir().unwrap();
    let profile = profile.path();
    let reflected = p.all("ur");
    let client = reqwest::Client::new();

    // The procedure page, in both languages, and with the language and the code from the address.
    for url in [
        format!("{base}/thu-tuc/{CODE}"),
        format!("{base}/thu-tuc/{CODE}?lang=en"),
        with_segment(&base, "/thu-tuc", CODE, &[("lang", &reflected)]),
    ] {
        let dom = nothing_runs(&url, profile, &texts(&procedure_texts)).await;
        assert!(dom.contains("href=\"/forms/x&quot;"), "{dom}");
        for link in ["href=\"javascript:", "href=\"//", "href=\"/\\"] {
            assert!(
                !dom.to_ascii_lowercase().contains(link),
                "a form link {link}…: {dom}"
            );
        }
        // The one form link that stays, and the language switch.
        assert_eq!(dom.matches("href=").count(), 3, "{dom}");
        let (status, headers, _) = get(&url, None).await;
        assert_eq!(status, 200, "{url}");
        assert_page_headers(&url, &headers);
    }
    let url = with_segment(&base, "/thu-tuc", &reflected, &[("lang", &reflected)]);
    nothing_runs(&url, profile, &[]).await;
    let (status, headers, _) = get(&url, None).await;
    assert_eq!(status, 404, "{url}");
    assert_page_headers(&url, &headers);

    // The search page builds its list in the browser from the catalog's JSON.
    let url = with_segment(&base, "", "tra-cuu", &[("q", &reflected)]);
    let dom = nothing_runs(&url, profile, &texts(&procedure_texts[..2])).await;
    assert!(dom.contains(&format!("/thu-tuc/{CODE}")), "{dom}");
    let (status, headers, _) = get(&url, None).await;
    assert_eq!(status, 200);
    assert_html_page_headers(&url, &headers, Scripts::SameOrigin);

    // The status page: the procedure's name and the office's notes on each step.
    let (status, body) = common::register(
        &base,
        &keys.integration,
        DOSSIER,
        CODE,
        "2026-11-20",
        "2026-11-27",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let status_url = body["status_url"].as_str().unwrap().to_owned();
    let notes = p.pieces("nt", 1000);
    for (n, note) in notes.iter().enumerate() {
        let status = [2, 4, 5, 4, 5][n % 5];
        let event = json!({"event_id": format!("xss-{n}"), "dossier_code": DOSSIER,
            "status": status, "at": format!("2026-11-2{}T09:30:00+07:00", n % 3 + 1),
            "note": note});
        let (status, body) = common::push_event(&base, &keys.integration, event).await;
        assert_eq!(status, 200, "{body}");
    }
    let mut status_texts = notes.clone();
    status_texts.push(procedure_texts[0].clone());
    for url in [
        status_url.clone(),
        format!("{status_url}?lang={}", urlencode(&reflected)),
    ] {
        nothing_runs(&url, profile, &texts(&status_texts)).await;
        let (status, headers, _) = get(&url, None).await;
        assert_eq!(status, 200);
        assert_page_headers(&url, &headers);
        assert_private_headers(&url, &headers);
    }

    // The feedback page: the visitor's words and the staff's answer.
    let words = p.pieces("vt", 2000);
    assert_eq!(words.len(), 1, "one feedback holds every payload");
    let (status, body) = send_json(
        client
            .put(format!("{base}/api/v1/feedback/xss-1"))
            .bearer_auth(&keys.kiosk),
        &json!({"reference": REFERENCE, "topic": "other", "text": words[0],
                "submitted_at": "2026-11-22T09:15:00+07:00"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let reply = p.all("an");
    let (status, body) = send_json(
        client
            .post(format!("{base}/api/v1/feedback/{REFERENCE}/answer"))
            .basic_auth(STAFF, Some(PASSWORD)),
        &json!({ "text": reply }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let url = format!("{base}/phan-anh/{REFERENCE}");
    nothing_runs(&url, profile, &[&words[0], &reply]).await;
    let (status, headers, _) = get(&url, None).await;
    assert_eq!(status, 200);
    assert_page_headers(&url, &headers);
    assert_private_headers(&url, &headers);

    // Unknown status, feedback and upload addresses get their plain not-found pages.
    for prefix in ["/ho-so", "/phan-anh", "/tai-len"] {
        let url = with_segment(&base, prefix, &reflected, &[("lang", &reflected)]);
        nothing_runs(&url, profile, &[]).await;
        let (status, headers, _) = get(&url, None).await;
        assert_eq!(status, 404, "{url}");
        assert_page_headers(&url, &headers);
        assert_private_headers(&url, &headers);
    }

    // The phone upload page: the names of the files sent are shown back, kept or refused. The
    // files are sent by Chromium itself, from a page of the witness, as a phone's form would.
    let names: Vec<String> = p
        .short("fl")
        .into_iter()
        .map(|name| format!("{name}.jpg"))
        .collect();
    let upload_url = phone_session(&client, &base, &keys.kiosk).await;
    let launcher = witness.serve("/send-files", upload_launcher(&upload_url, &names));
    let phone = tempfile::tempdir().unwrap();
    let dom = nothing_runs(&launcher, phone.path(), &texts(&names)).await;
    assert!(dom.contains("Đã nhận 1 tệp"), "one file kept: {dom}");
    assert!(dom.contains("Không nhận được"), "the others refused: {dom}");
    let second = phone_session(&client, &base, &keys.kiosk).await;
    let url = format!("{second}?lang={}", urlencode(&reflected));
    nothing_runs(&url, profile, &[]).await;
    let (status, headers, _) = get(&url, None).await;
    assert_eq!(status, 403, "claimed by Chromium just before");
    assert_page_headers(&url, &headers);
    assert_private_headers(&url, &headers);

    // The staff pages: what kiosks report about themselves, the settings staff stored, and the
    // kiosk name from the address.
    let errors = p.pieces("le", 300);
    let config_error = p.pieces("ce", 1900);
    assert_eq!(config_error.len(), 1);
    let [version, cursor, _] = <[String; 3]>::try_from(p.short("hb")).unwrap();
    let heartbeat = json!({
        "version": version, "uptime_secs": 60, "catalog_cursor": cursor,
        "catalog_synced_at": OffsetDateTime::now_utc().unix_timestamp(),
        "outbox_depth": 0, "outbox_oldest_age_secs": null, "last_errors": errors,
        "disk_free_bytes": 40_000_000_000u64, "printer": "ready", "config_version": 0,
        "config_error": config_error[0],
    });
    let (status, body) = send_json(
        client
            .post(format!("{base}/api/v1/kiosks/heartbeat"))
            .bearer_auth(&keys.kiosk),
        &heartbeat,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let settings_payloads = p.pieces("cf", 400);
    let mut settings = format!("center_name = {}\n", toml::Value::String(p.all("cn")));
    for line in &settings_payloads {
        settings.push_str(&format!("# {line}\n"));
    }
    let response = client
        .put(format!("{base}/api/v1/fleet/kiosks/quay-1/config"))
        .basic_auth(STAFF, Some(PASSWORD))
        .header("content-type", "text/plain; charset=utf-8")
        .body(settings.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{:?}",
        response.text().await
    );
    let fleet_texts = vec![version.clone(), config_error[0].clone()];
    let mut kiosk_texts = errors.clone();
    kiosk_texts.extend([
        version.clone(),
        cursor.clone(),
        config_error[0].clone(),
        settings.clone(),
    ]);
    for (path, shown) in [
        ("/fleet", &fleet_texts),
        ("/fleet/kiosks/quay-1", &kiosk_texts),
    ] {
        let url = format!("{base}{path}");
        nothing_runs(&as_staff(&url), profile, &texts(shown)).await;
        let (status, headers, _) = staff_get(&client, &url).await;
        assert_eq!(status, 200, "{url}");
        assert_page_headers(&url, &headers);
        assert_private_headers(&url, &headers);
    }
    let url = with_segment(&base, "/fleet/kiosks", &reflected, &[]);
    nothing_runs(&as_staff(&url), profile, &[&reflected]).await;
    let (status, headers, _) = staff_get(&client, &url).await;
    assert_eq!(status, 404, "{url}");
    assert_page_headers(&url, &headers);

    // No payload ever reached the witness from the server's pages.
    assert_eq!(witness.calls(), BTreeSet::new(), "payloads called out");

    // The control: the same payloads, unescaped, on a page without a policy, all run; those with
    // room for it also call the witness.
    let control = witness.serve("/control", p.control_page());
    let dom = load(&control, profile).await;
    let ran = marks(&dom);
    let expected = p.firing();
    assert_eq!(
        expected.difference(&ran).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "the detector missed these payloads"
    );
    assert!(expected.len() > 200, "{} payloads", expected.len());
    let called = witness.calls();
    eprintln!(
        "{} payloads planted, {} of them able to run: {} ran in the control and {} called the \
         witness; none ran on the server's pages",
        p.planted.lock().unwrap().len(),
        expected.len(),
        ran.len(),
        called.len()
    );
    let expected_calls = p.calling();
    assert_eq!(
        expected_calls.difference(&called).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "these payloads ran but did not call"
    );

    server.stop().await;
}

fn texts(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// A new phone upload session, as a kiosk opens it: its link.
async fn phone_session(client: &reqwest::Client, base: &str, kiosk: &str) -> String {
    let response = client
        .post(format!("{base}/api/v1/phone-uploads"))
        .bearer_auth(kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let session: Value = response.json().await.unwrap();
    session["upload_url"].as_str().unwrap().to_owned()
}

/// A staff GET: (status, headers, body).
async fn staff_get(
    client: &reqwest::Client,
    url: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = client
        .get(url)
        .basic_auth(STAFF, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn urlencode(text: &str) -> String {
    Url::parse_with_params("http://x/", [("v", text)])
        .unwrap()
        .query()
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_owned()
}

/// Every static file, every not-found and every error axum answers itself: the right type with
/// its charset, never sniffed, and under a policy that lets nothing run if opened as a page.
#[tokio::test]
async fn static_files_and_error_answers_carry_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("forms")).unwrap();
    std::fs::write(dir.path().join("forms/to-khai.pdf"), b"%PDF-1.4\n").unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    for (path, status, content_type) in [
        ("/forms/to-khai.pdf", 200, Some("application/pdf")),
        ("/static/public.css", 200, Some("text/css; charset=utf-8")),
        ("/static/search.css", 200, Some("text/css; charset=utf-8")),
        (
            "/static/search.js",
            200,
            Some("text/javascript; charset=utf-8"),
        ),
        ("/api/v1/catalog", 200, Some("application/json")),
        ("/api/v1/openapi.json", 200, Some("application/json")),
        ("/no-such-page", 404, None),
        // A path that does not decode: axum's own rejection, in plain text.
        ("/thu-tuc/%FF", 400, Some("text/plain; charset=utf-8")),
        ("/api/v1/fleet", 401, Some("application/json")),
    ] {
        let (got, headers, _) = get(&format!("{base}{path}"), None).await;
        assert_eq!(got, status, "{path}");
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("content-type"), content_type, "{path}");
        assert_eq!(header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(header("referrer-policy"), Some("no-referrer"), "{path}");
        let csp = common::csp_directives(header("content-security-policy").unwrap_or_default());
        for directive in ["default-src", "base-uri", "frame-ancestors", "form-action"] {
            assert_eq!(
                csp.get(directive),
                Some(&vec!["'none'".to_owned()]),
                "{path}: {directive}"
            );
        }
    }
    // The staff pages' sign-in answer is a page of its own.
    let (status, headers, _) = get(&format!("{base}/fleet"), None).await;
    assert_eq!(status, 401);
    assert_page_headers("/fleet without a password", &headers);
    assert_private_headers("/fleet without a password", &headers);
    server.stop().await;
}
