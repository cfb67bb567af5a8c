//! A team server on a real PostgreSQL, over HTTP on the loopback address: a sign-in address
//! works once; a device records and undoes only as its own rater (another's is refused and
//! nothing is written) and changes the library only as an admin; a revoked device is refused
//! at once, its open event stream included; wrong tokens are slowed down per address.

use image_scorer_core::app::team::SIGN_IN_LIFETIME;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::GetState;
use image_scorer_server::{DirAssets, EventHub, Server, ServerOptions, Tls};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

use crate::common;
use common::{bearer, fixture, raw, raw_from, request};

struct Team {
    app: App,
    server: Server,
    photos: Vec<String>,
    _tmp: tempfile::TempDir,
}

/// A team server on a fresh PostgreSQL database, over two indexed photos.
async fn team_server() -> Team {
    team_server_with(None).await
}

/// [`team_server`], serving HTTPS with `tls`.
async fn team_server_with(tls: Option<image_scorer_server::Tls>) -> Team {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("photos");
    std::fs::create_dir(&folder).unwrap();
    for name in ["chelsea.png", "coffee.png"] {
        std::fs::copy(fixture(name), folder.join(name)).unwrap();
    }
    let ui = common::ui_folder(tmp.path());
    let hub = EventHub::default();
    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.low_priority = false;
    config.database_url = Some(image_scorer_pgtest::fresh_database());
    let app = App::open(config, Arc::new(hub.clone())).await.unwrap();
    app.open_folder(&folder).await.unwrap();
    app.index_now().await;
    assert_eq!(app.call(GetState {}).await.unwrap().library.counts.ok, 2);
    let photos = app
        .store()
        .score_queue(app.store().rater("x").await.unwrap(), true, 1, None)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.sha1)
        .collect();
    let options = ServerOptions {
        team: true,
        tls,
        ..common::loopback()
    };
    let server = common::door(&app, hub, &ui, options).await;
    Team {
        app,
        server,
        photos,
        _tmp: tmp,
    }
}

impl Team {
    /// Adds `name` and signs one device in through the sign-in address: its token.
    async fn device(&self, name: &str, admin: bool) -> String {
        let code = self
            .app
            .team()
            .add_rater(name, admin, SIGN_IN_LIFETIME)
            .await
            .unwrap()
            .code;
        let address = self.server.local_address();
        let page = exchange(
            address,
            &format!(
                "GET /sign-in/{code} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(page.starts_with("http/1.1 200"), "{page}");
        assert!(page.contains("<form method=\"post\""), "{page}");
        // Under no-referrer a browser sends the form with `Origin: null`, which is refused.
        assert!(page.contains("referrer-policy: same-origin"), "{page}");
        let answer = sign_in(address, &code).await;
        let token = answer
            .lines()
            .find_map(|l| l.strip_prefix("location: /#pair="))
            .unwrap_or_else(|| panic!("no token in {answer}"))
            .trim()
            .to_owned();
        assert_eq!(token.len(), 32);
        let again = sign_in(address, &code).await;
        assert!(
            again.starts_with("http/1.1 401"),
            "a sign-in address works once: {again}"
        );
        token
    }

    async fn call(&self, token: &str, command: &str, body: Value) -> (u16, Value) {
        let (status, body) = raw(
            self.server.local_address(),
            &request(
                "POST",
                &format!("/api/call/{command}"),
                &[bearer(token)],
                &body.to_string(),
            ),
        )
        .await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn judgements_by(&self, name: &str) -> usize {
        let rater = self.app.store().rater(name).await.unwrap();
        self.app.store().judgements_by(rater).await.unwrap().len()
    }
}

/// POSTs the sign-in form as a browser does (with this page's origin); the raw answer,
/// lower-cased.
async fn sign_in(address: std::net::SocketAddr, code: &str) -> String {
    let request = format!(
        "POST /sign-in/{code} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Origin: http://{address}\r\nUser-Agent: test browser\r\nContent-Length: 0\r\n\r\n"
    );
    exchange(address, &request).await
}

/// Sends `request` and reads the whole answer, lower-cased.
async fn exchange(address: std::net::SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
        .await
        .unwrap();
    answer.to_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_acts_only_as_its_own_rater_and_only_an_admin_changes_the_library() {
    let t = team_server().await;
    let ana = t.device("ana", true).await;
    let ben = t.device("ben", false).await;
    let sha1 = t.photos[0].clone();

    // Without a token, or with a wrong one: refused.
    let (status, _) = t.call("", "get_state", json!({})).await;
    assert_eq!(status, 401);
    let (status, _) = t.call(&"0".repeat(32), "get_state", json!({})).await;
    assert_eq!(status, 401);

    // Each device is its rater.
    let (status, rater) = t.call(&ben, "get_rater", json!({})).await;
    assert_eq!(
        (status, rater["name"].as_str()),
        (200, Some("ben")),
        "{rater}"
    );
    let (status, refused) = t.call(&ben, "set_rater", json!({"name": "ana"})).await;
    assert_eq!(status, 422, "{refused}");

    // Ben records as himself, with his name or without one.
    let (status, answer) = t
        .call(
            &ben,
            "add_score",
            json!({"rater": "ben", "sha1": sha1, "value": 7.0}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = t
        .call(
            &ben,
            "add_score",
            json!({"rater": "", "sha1": t.photos[1], "value": 3.0}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(t.judgements_by("ben").await, 2);

    // Not as Ana: refused, nothing written; nor can he undo hers.
    let (status, answer) = t
        .call(
            &ana,
            "add_score",
            json!({"rater": "ana", "sha1": sha1, "value": 9.0}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, refused) = t
        .call(
            &ben,
            "add_score",
            json!({"rater": "ana", "sha1": sha1, "value": 1.0}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("signed in as ben"),
        "{refused}"
    );
    let (status, _) = t.call(&ben, "undo", json!({"rater": "ana"})).await;
    assert_eq!(status, 422);
    assert_eq!(
        t.judgements_by("ana").await,
        1,
        "nothing written, nothing undone"
    );
    assert_eq!(t.judgements_by("ben").await, 2);

    // The library's settings: an admin's.
    let root = t.app.call(GetState {}).await.unwrap().library.roots[0].id;
    let excludes = json!({"root_id": root, "patterns": "*mask*\n*.tmp"});
    let (status, refused) = t.call(&ben, "set_excludes", excludes.clone()).await;
    assert_eq!(status, 422);
    assert!(
        refused["message"].as_str().unwrap().contains("admin"),
        "{refused}"
    );
    let (status, answer) = t.call(&ana, "set_excludes", excludes).await;
    assert_eq!(status, 200, "{answer}");
    // A rater renames only themselves (an admin anyone).
    let (status, refused) = t
        .call(
            &ben,
            "rename_rater",
            json!({"from": "ana", "to": "not ana"}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let (status, answer) = t
        .call(
            &ben,
            "rename_rater",
            json!({"from": "ben", "to": "benjamin"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (_, rater) = t.call(&ben, "get_rater", json!({})).await;
    assert_eq!(rater["name"], "benjamin", "the device follows its rater");
    assert_eq!(t.judgements_by("benjamin").await, 2);
    assert_eq!(t.judgements_by("ana").await, 1);
    // The desktop's own sharing stays refused to everyone.
    let (status, _) = t.call(&ana, "stop_sharing", json!({})).await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_refused_at_once_and_its_event_stream_ends() {
    let t = team_server().await;
    let ben = t.device("ben", false).await;
    let address = t.server.local_address();

    // The session's image key opens images.
    let (status, session) = raw(
        address,
        &request("POST", "/api/session", &[bearer(&ben)], ""),
    )
    .await;
    assert_eq!(status, 200);
    let session: Value = serde_json::from_slice(&session).unwrap();
    let key = session["image_key"].as_str().unwrap().to_owned();
    let thumb = format!("/image/{}?key={key}", t.photos[0]);
    assert_eq!(raw(address, &request("GET", &thumb, &[], "")).await.0, 200);

    // An event stream, open.
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let open = format!(
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n\r\n",
        bearer(&ben)
    );
    stream.write_all(open.as_bytes()).await.unwrap();
    let mut lines = tokio::io::BufReader::new(stream).lines();
    let status = lines.next_line().await.unwrap().unwrap();
    assert!(status.contains("200"), "{status}");

    let revoked = t.app.team().revoke("ben").await.unwrap();
    assert_eq!(revoked.devices, 1);
    let started = Instant::now();
    let (status, _) = t.call(&ben, "get_state", json!({})).await;
    assert_eq!(status, 401, "refused from the next request on");
    assert_eq!(raw(address, &request("GET", &thumb, &[], "")).await.0, 401);
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        // The end: the connection closes, or the chunked body's last (empty) chunk.
        while let Ok(Some(line)) = lines.next_line().await {
            if line == "0" {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the event stream ended");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_tokens_is_slowed_down_for_the_guesser_only() {
    let t = team_server().await;
    let ana = t.device("ana", false).await;
    let address = t.server.local_address();
    let guesser = Ipv4Addr::new(127, 0, 0, 7);
    let mut statuses = Vec::new();
    for i in 0..8 {
        let wrong = format!("{i:032x}");
        let call = request("POST", "/api/call/get_state", &[bearer(&wrong)], "{}");
        statuses.push(raw_from(guesser, address, &call).await.0);
    }
    assert_eq!(&statuses[..6], &[401; 6], "{statuses:?}");
    assert_eq!(&statuses[6..], &[429; 2], "then made to wait: {statuses:?}");
    // While it waits, even the right token from that address is not heard…
    let right = request("POST", "/api/call/get_state", &[bearer(&ana)], "{}");
    assert_eq!(raw_from(guesser, address, &right).await.0, 429);
    // …and the same guesses burn no sign-in codes either.
    let code = t
        .app
        .team()
        .add_rater("cleo", false, SIGN_IN_LIFETIME)
        .await
        .unwrap()
        .code;
    let form = format!(
        "POST /sign-in/{code} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(raw_from(guesser, address, form.as_bytes()).await.0, 429);
    // Another address is not slowed.
    let other = Ipv4Addr::new(127, 0, 0, 8);
    assert_eq!(raw_from(other, address, &right).await.0, 200);
    assert_eq!(sign_in(address, &code).await.split(' ').nth(1), Some("303"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_server_serves_https_with_its_certificate_and_nothing_in_plain_text() {
    let tmp = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let t = team_server_with(Some(Tls {
        cert: cert.clone(),
        key: key.clone(),
    }))
    .await;
    let address = t.server.local_address();
    assert!(
        t.server.base_url().starts_with("https://"),
        "{}",
        t.server.base_url()
    );
    let code = t
        .app
        .team()
        .add_rater("ana", false, SIGN_IN_LIFETIME)
        .await
        .unwrap()
        .code;

    // A browser that trusts the certificate (as one does a real one).
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let agent = ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .redirects(0)
        .build();
    let base = format!("https://{address}");
    let (agent, base2) = (agent.clone(), base.clone());
    let token = tokio::task::spawn_blocking(move || {
        let page = agent.get(&format!("{base2}/")).call().unwrap();
        assert_eq!(page.into_string().unwrap(), "<html>the ui</html>");
        let signed = agent
            .post(&format!("{base2}/sign-in/{code}"))
            .call()
            .unwrap();
        assert_eq!(signed.status(), 303);
        let token = signed
            .header("location")
            .unwrap()
            .trim_start_matches("/#pair=")
            .to_owned();
        let state = agent
            .post(&format!("{base2}/api/call/get_rater"))
            .set("Authorization", &format!("Bearer {token}"))
            .send_string("{}")
            .unwrap()
            .into_string()
            .unwrap();
        assert!(state.contains("\"name\":\"ana\""), "{state}");
        token
    })
    .await
    .unwrap();
    assert_eq!(token.len(), 32);

    // Plain HTTP to the same port gets no answer in plain text.
    let plain = request("POST", "/api/call/get_state", &[bearer(&token)], "{}");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(&plain).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer),
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("HTTP/1.1 200"),
        "{answer:?}"
    );

    // A key that does not exist: refused at start, naming it.
    let hub = EventHub::default();
    let ui = tmp.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "x").unwrap();
    let Err(refused) = Server::start(
        t.app.clone(),
        hub,
        Arc::new(DirAssets::open(&ui).unwrap()),
        ServerOptions {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            team: true,
            tls: Some(Tls {
                cert,
                key: tmp.path().join("missing.pem"),
            }),
            ..ServerOptions::default()
        },
    )
    .await
    else {
        panic!("a missing key was accepted");
    };
    assert!(refused.to_string().contains("missing.pem"), "{refused}");
}
