//! Each device paired with the desktop gets a credential of its own and acts only as the rater
//! it chose first: scoring, undoing or choosing as another rater over the network is refused
//! with the reason and writes nothing; the desktop lists its devices and unpairs one, whose
//! credential then stops working at once (its event stream ends) while the others go on; the
//! pairing code pairs and does nothing else.

use image_scorer_protocol::commands::GetRatingStats;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;
use common::{bearer, fixture, pair, raw, request};

async fn call(address: SocketAddr, token: &str, command: &str, body: &str) -> (u16, String) {
    let path = format!("/api/call/{command}");
    let (status, body) = raw(address, &request("POST", &path, &[bearer(token)], body)).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn sha1_of(path: &std::path::Path) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(std::fs::read(path).unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_acts_only_as_its_first_rater_until_the_desktop_unpairs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::copy(fixture("chelsea.png"), photos.join("chelsea.png")).unwrap();
    let ui = common::ui_folder(tmp.path());
    let (app, hub) = common::desktop_app(tmp.path(), Some(&photos), 1).await;
    let sha1 = sha1_of(&photos.join("chelsea.png"));
    let server = common::door(&app, hub, &ui, common::loopback()).await;
    let address = server.local_address();
    let code = server.token().to_owned();

    // The code pairs; it does not act.
    let (status, _) = call(address, &code, "get_state", "{}").await;
    assert_eq!(status, 401, "the pairing code is no credential");
    let couch = pair(address, &code).await;
    let kitchen = pair(address, &code).await;
    assert_ne!(couch, kitchen);

    // The couch scores as ana: from then on it is ana's.
    let score = |rater: &str, value: u32| {
        format!(r#"{{"rater":"{rater}","sha1":"{sha1}","value":{value}}}"#)
    };
    assert_eq!(
        call(address, &couch, "add_score", &score("ana", 7)).await.0,
        200
    );
    let (status, answer) = call(address, &couch, "add_score", &score("ben", 2)).await;
    assert_eq!(status, 422);
    assert!(answer.contains("rates as ana"), "{answer}");
    let (status, answer) = call(address, &couch, "set_rater", r#"{"name":"ben"}"#).await;
    assert_eq!(status, 422, "{answer}");
    let (status, answer) = call(address, &couch, "undo", r#"{"rater":"ben"}"#).await;
    assert!(status == 422 && answer.contains("rates as ana"), "{answer}");
    let (_, rater) = call(address, &couch, "get_rater", "{}").await;
    assert!(rater.contains("\"ana\""), "{rater}");
    // A missing rater is the device's own.
    let own = format!(r#"{{"sha1":"{sha1}","value":8}}"#);
    assert_eq!(call(address, &couch, "add_score", &own).await.0, 200);
    // The kitchen's page reserves images as it opens, before a rater is chosen: that is no
    // choice. Then it chooses ben.
    let claim = format!(r#"{{"images":["{sha1}"],"hold":1}}"#);
    assert_eq!(call(address, &kitchen, "claim_images", &claim).await.0, 200);
    assert_eq!(
        call(address, &kitchen, "set_rater", r#"{"name":"ben"}"#)
            .await
            .0,
        200
    );
    assert_eq!(
        call(address, &kitchen, "add_score", &score("ben", 3))
            .await
            .0,
        200
    );
    let stats = app
        .call(GetRatingStats { raters: Vec::new() })
        .await
        .unwrap();
    let raters: Vec<(String, u32)> = stats
        .raters
        .iter()
        .filter(|r| r.scored > 0)
        .map(|r| (r.name.clone(), r.scored))
        .collect();
    assert_eq!(
        raters,
        [("ana".to_owned(), 1), ("ben".to_owned(), 1)],
        "nothing as another"
    );

    // The desktop lists both and unpairs the couch: its stream ends, its calls are refused,
    // the kitchen goes on.
    let devices = server.devices();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].rater.as_deref(), Some("ana"));
    assert_eq!(devices[1].rater.as_deref(), Some("ben"));
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let events = format!(
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n\r\n",
        bearer(&couch)
    );
    stream.write_all(events.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    assert!(server.unpair(devices[0].id));
    // The stream's last chunk (the connection itself may stay open for another request).
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        let mut rest = Vec::new();
        let mut buffer = [0u8; 1024];
        while !rest.ends_with(b"0\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => rest.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the unpaired device's event stream ended");
    assert_eq!(call(address, &couch, "get_state", "{}").await.0, 401);
    assert_eq!(call(address, &kitchen, "get_state", "{}").await.0, 200);
    // Paired again, the couch may choose anew.
    let couch = pair(address, &code).await;
    assert_eq!(
        call(address, &couch, "add_score", &score("cy", 5)).await.0,
        200
    );
    assert_eq!(server.devices().len(), 2);
    server.stop().await;
    app.close().await;
}
