//! Dossier status end to end over real HTTP: the real central server on 127.0.0.1 port 0, the
//! kiosk's real client, a real SQLite file for the kiosk's cache. Status changes arrive through
//! the province's integration endpoint, as a one-stop system sends them.

mod common;

use common::{central_config, open_kiosk_storage, spawn_central};
use motcua_central::DEMO_CATALOG;
use motcua_kiosk::status::{Lookup, LookupKey, Scanned, StatusClient, look_up, parse_scanned};
use motcua_protocol::{DossierCode, DossierRegistration, DossierStatus, ProcedureCode};
use serde_json::{Value, json};
use time::macros::date;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn register(data_dir: &std::path::Path, code: &str) -> DossierCode {
    let config = central_config(data_dir);
    let mut store = motcua_central::open_dossiers(&config).unwrap();
    let code = DossierCode::parse(code).unwrap();
    store
        .register(
            &code,
            &DossierRegistration {
                procedure_code: ProcedureCode::parse("1.001193").unwrap(),
                received_on: date!(2026 - 11 - 20),
                due_on: date!(2026 - 11 - 25),
                status: None,
            },
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    code
}

async fn push_event(base: &str, token: &str, event: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/integration/status-events"))
        .bearer_auth(token)
        .json(&event)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn dossier(lookup: &Lookup) -> &motcua_protocol::DossierView {
    match lookup {
        Lookup::Current(view) | Lookup::Outdated { view, .. } => view,
        other => panic!("expected a dossier, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scanned_typed_and_pushed_statuses_then_offline_fallback() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let base = server.base_url();
    let config = central_config(server_dir.path());
    let code = register(server_dir.path(), "G09.20-20261120-0001234");
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap();
    let integration = motcua_central::issue_integration_token(&config, "mot-cua").unwrap();

    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let client = StatusClient::new(&base, Some(credential.clone())).unwrap();

    // Typed, the way a visitor types it: lower case, spaces around.
    let Scanned::Code(typed) = parse_scanned("  g09.20-20261120-0001234 ", &base) else {
        panic!("a typed code must parse");
    };
    let first = look_up(&client, &storage, LookupKey::Code(typed), now()).await;
    let view = dossier(&first).clone();
    assert!(matches!(first, Lookup::Current(_)));
    assert_eq!(view.code, code);
    assert_eq!(view.procedure_name, "Đăng ký khai sinh");
    assert_eq!(view.status, DossierStatus::Accepted);
    assert_eq!(view.due_on, date!(2026 - 11 - 25));
    assert!(view.status_url.starts_with(&format!("{base}/ho-so/")));

    // Scanned: the receipt's QR code carries the status link, not the code.
    let scanned = parse_scanned(&format!("{}\r", view.status_url), &base);
    let Scanned::StatusLink(token) = scanned else {
        panic!("our own status link must parse, got {scanned:?}");
    };
    let by_token = look_up(&client, &storage, LookupKey::Token(token.clone()), now()).await;
    assert_eq!(dossier(&by_token).code, code);
    // The same link on another host is someone else's QR code.
    let foreign = view.status_url.replace("127.0.0.1", "127.0.0.2");
    assert_eq!(parse_scanned(&foreign, &base), Scanned::NotOurs);

    // The one-stop system pushes a change, then (a retry) the very same event again.
    let event = json!({
        "event_id": "motcua-test-1",
        "dossier_code": code.as_str(),
        "status": 5,
        "note": "Thiếu bản sao Giấy chứng sinh",
    });
    let (status, body) = push_event(&base, &integration, event.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "applied");
    let (status, body) = push_event(&base, &integration, event).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "duplicate");
    // A kiosk credential is not an integration token.
    let (status, _) = push_event(
        &base,
        &credential,
        json!({"event_id": "x", "dossier_code": code.as_str(), "status": 9}),
    )
    .await;
    assert_eq!(status, 401);

    let after = look_up(&client, &storage, LookupKey::Code(code.clone()), now()).await;
    let view = dossier(&after);
    assert_eq!(view.status, DossierStatus::SupplementRequested);
    assert_eq!(view.history.len(), 2, "the duplicate event added nothing");
    assert_eq!(
        view.history[1].note.as_deref(),
        Some("Thiếu bản sao Giấy chứng sinh")
    );

    // Unknown dossier: the server says so, nothing is made up.
    let unknown = DossierCode::parse("G09.20-20261120-0009999").unwrap();
    assert_eq!(
        look_up(&client, &storage, LookupKey::Code(unknown.clone()), now()).await,
        Lookup::NotFound
    );
    // Without a credential the server refuses; the kiosk answers from what it saw.
    let anonymous = StatusClient::new(&base, None).unwrap();
    let refused = look_up(&anonymous, &storage, LookupKey::Code(code.clone()), now()).await;
    assert!(matches!(refused, Lookup::Outdated { .. }), "{refused:?}");

    // The server goes away: the last status seen, marked with when it was seen.
    server.stop().await;
    let seen_before = now();
    let offline = look_up(&client, &storage, LookupKey::Code(code.clone()), now()).await;
    match &offline {
        Lookup::Outdated { view, seen_at } => {
            assert_eq!(view.status, DossierStatus::SupplementRequested);
            assert!(*seen_at <= seen_before && *seen_at > seen_before - 120);
        }
        other => panic!("expected the cached status, got {other:?}"),
    }
    let offline = look_up(&client, &storage, LookupKey::Token(token), now()).await;
    assert!(matches!(offline, Lookup::Outdated { .. }), "{offline:?}");
    assert_eq!(
        look_up(&client, &storage, LookupKey::Code(unknown), now()).await,
        Lookup::Unavailable
    );
}

/// A receipt's QR code scanned before its dossier was delivered (found by the soak test,
/// tests/soak): the server does not know the dossier yet, but it exists, in this kiosk's outbox.
/// The visitor is told it is saved and waiting, never "no dossier has this code"; once delivered,
/// the same QR code shows the dossier.
#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_scanned_before_delivery_is_waiting_not_unknown() {
    use motcua_kiosk::submission::attachment::{Limits, stage};
    use motcua_kiosk::submission::{DeliveryClient, Draft, Staging, drain};
    use motcua_protocol::{ApplicantInput, StatusToken};

    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let base = server.base_url();
    let config = central_config(server_dir.path());
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap();
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let client = StatusClient::new(&base, Some(credential.clone())).unwrap();

    let staging = Staging::new(kiosk_dir.path()).unwrap();
    let page = b"%PDF-1.7\nmot trang".to_vec();
    let attachment = stage(
        staging.dir(),
        "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu",
        &page[..],
        &Limits::default(),
        &[],
    )
    .unwrap();
    let draft = Draft {
        procedure_code: ProcedureCode::parse("1.004873").unwrap(),
        procedure_name: "Cấp Giấy xác nhận tình trạng hôn nhân".into(),
        applicant: ApplicantInput {
            full_name: "Lê Văn Thử".into(),
            citizen_id: "001089012345".into(),
            birth_date: "15/03/1989".into(),
            phone: "0912345678".into(),
            address: "Số 1 Tràng Tiền, Hà Nội".into(),
            email: None,
        }
        .parse(date!(2026 - 11 - 22))
        .unwrap(),
        attachments: vec![attachment],
    };
    let confirmed = storage
        .call(move |s| {
            s.outbox
                .confirm(&draft, "quay-1", time::OffsetDateTime::now_utc())
        })
        .await
        .unwrap()
        .unwrap();
    let token = confirmed.status_token.expect("the receipt's QR token");
    let Scanned::StatusLink(scanned) =
        parse_scanned(&motcua_protocol::status_url(&base, &token), &base)
    else {
        panic!("the receipt's QR code must parse as a status link");
    };

    // Not delivered yet: waiting, not unknown; the same while the server is unreachable.
    assert_eq!(
        look_up(&client, &storage, LookupKey::Token(scanned.clone()), now()).await,
        Lookup::Waiting
    );
    let unreachable = StatusClient::new("http://127.0.0.1:9", Some(credential.clone())).unwrap();
    assert_eq!(
        look_up(
            &unreachable,
            &storage,
            LookupKey::Token(scanned.clone()),
            now()
        )
        .await,
        Lookup::Waiting
    );
    // Someone else's token is still unknown.
    let other = StatusToken::from_random_bytes([7; 16]);
    assert_eq!(
        look_up(&client, &storage, LookupKey::Token(other), now()).await,
        Lookup::NotFound
    );

    // Delivered: the same QR code shows the dossier.
    let delivery = DeliveryClient::new(&base, Some(credential)).unwrap();
    let report = drain(&delivery, &storage).await;
    assert_eq!((report.waiting, report.refused.len()), (0, 0), "{report:?}");
    let delivered = look_up(&client, &storage, LookupKey::Token(scanned), now()).await;
    assert!(matches!(delivered, Lookup::Current(_)), "{delivered:?}");
    server.stop().await;
}
