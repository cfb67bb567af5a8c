//! Nothing acknowledged is lost: the app (the command line's network door, the same core as
//! the window) is killed with SIGKILL at random moments while devices send bursts of every kind
//! of judgement a device can make (scores, rates, comparisons, duplicate marks), and started
//! again, 20 times. Every judgement whose answer arrived is in the database afterwards, nothing
//! is stored that was not sent, and SQLite's integrity check is ok.

use image_scorer_e2e::Home;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ROUNDS: usize = 20;
const DEVICES: usize = 3;
const KINDS: [&str; 4] = ["score", "rate", "comparison", "duplicate"];

/// Pairs a device with the server at `addr` with the pairing `code`: its own credential.
fn pair(addr: &str, code: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let request = format!(
        "POST /api/pair HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {code}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(body).expect(&answer);
    json["token"].as_str().unwrap().to_owned()
}

/// Posts one command to the server at `addr`; its status, or `None` when no whole answer came
/// (refused, cut off).
fn post(addr: &str, token: &str, command: &str, body: &str) -> Option<u16> {
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "POST /api/call/{command} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    let status: u16 = text.split_whitespace().nth(1)?.parse().ok()?;
    // A whole answer: its body as long as it says.
    let (head, rest) = text.split_once("\r\n\r\n")?;
    let length = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length: ")
                .or(l.strip_prefix("Content-Length: "))
        })
        .and_then(|v| v.trim().parse::<usize>().ok());
    match length {
        Some(n) if rest.len() < n => None,
        _ => Some(status),
    }
}

/// The request of judgement `kind` number `n` over the library's `images`.
fn request(kind: &str, n: usize, images: &[String]) -> (&'static str, String) {
    let a = &images[n % images.len()];
    let b = &images[(n + 1) % images.len()];
    let value = 1 + n % 10;
    match kind {
        "score" => (
            "add_score",
            format!(r#"{{"rater":"x","sha1":"{a}","value":{value}}}"#),
        ),
        "rate" => (
            "add_rating",
            format!(
                r#"{{"rater":"x","sha1":"{a}","value":{value}.5,"predicted":null,"own":false}}"#
            )
            .replace("10.5", "9.5"),
        ),
        "comparison" => (
            "record_comparison",
            format!(
                r#"{{"rater":"x","images":["{a}","{b}"],"outcome":"pick","winner":{}}}"#,
                n % 2
            ),
        ),
        _ => (
            "mark_duplicates",
            format!(r#"{{"rater":"x","keep":"{a}","duplicates":["{b}"]}}"#),
        ),
    }
}

/// After an integrity check that must say "ok": how many judgements of each of [`KINDS`] the
/// database holds.
async fn stored_by_kind(db: &std::path::Path) -> [i64; 4] {
    let mut conn = image_scorer_e2e::read_db(db).await;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut counts = [0i64; 4];
    for (k, kind) in KINDS.iter().enumerate() {
        counts[k] = sqlx::query_scalar("SELECT COUNT(*) FROM judgements WHERE kind = ?1")
            .bind(kind)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    }
    counts
}

/// A small random generator (the moments of the kills), seeded from the clock and printed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn judgements_acknowledged_before_a_sigkill_are_all_kept() {
    let home = Home::new();
    let photos = home.photos(&[
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "rocket.jpg",
        "franz-kafka.jpg",
        "motorcycle_left.png",
    ]);
    home.cli(&["index", photos.to_str().unwrap()]);
    let db = home.database();
    let images: Vec<String> = {
        let mut conn = image_scorer_e2e::read_db(&db).await;
        sqlx::query_scalar("SELECT sha1 FROM images ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(images.len(), 6);
    let images = Arc::new(images);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill moments from seed {seed}");
    let mut random = Lcg(seed);
    let sent: Arc<[AtomicUsize; 4]> = Arc::new(Default::default());
    let acknowledged: Arc<[AtomicUsize; 4]> = Arc::new(Default::default());
    let counter = Arc::new(AtomicUsize::new(0));
    for round in 0..ROUNDS {
        let mut served = home.serve();
        let (addr, token) = {
            let rest = served.url.strip_prefix("http://").unwrap();
            let (addr, fragment) = rest.split_once('/').unwrap();
            let credential = pair(addr, fragment.trim_start_matches("#pair="));
            (addr.to_owned(), credential)
        };
        let devices: Vec<_> = (0..DEVICES)
            .map(|_| {
                let (addr, token) = (addr.clone(), token.clone());
                let (sent, acknowledged) = (sent.clone(), acknowledged.clone());
                let (counter, images) = (counter.clone(), images.clone());
                std::thread::spawn(move || loop {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let k = n % KINDS.len();
                    let (command, body) = request(KINDS[k], n, &images);
                    sent[k].fetch_add(1, Ordering::SeqCst);
                    match post(&addr, &token, command, &body) {
                        Some(200) => {
                            acknowledged[k].fetch_add(1, Ordering::SeqCst);
                        }
                        Some(status) => panic!("{command} {body} answered {status}"),
                        // The server is gone: this device stops.
                        None => break,
                    }
                })
            })
            .collect();
        // A random moment in the burst, then no warning at all.
        std::thread::sleep(Duration::from_millis(50 + random.below(450)));
        served.kill();
        for device in devices {
            device.join().expect("a device thread");
        }
        eprintln!(
            "round {round}: acknowledged so far {:?}",
            acknowledged
                .iter()
                .map(|a| a.load(Ordering::SeqCst))
                .collect::<Vec<_>>()
        );
    }

    // Started again, the app opens the database (and so would migrate and check it).
    home.cli(&["stats"]);
    let stored_counts = stored_by_kind(&db).await;
    for (k, kind) in KINDS.iter().enumerate() {
        let stored = stored_counts[k];
        let (acked, sent) = (
            acknowledged[k].load(Ordering::SeqCst) as i64,
            sent[k].load(Ordering::SeqCst) as i64,
        );
        eprintln!("{kind}: sent {sent}, acknowledged {acked}, stored {stored}");
        assert!(
            acked > 0,
            "no {kind} was acknowledged: the test proved nothing"
        );
        assert!(
            stored >= acked,
            "{kind}: {acked} acknowledged but only {stored} stored"
        );
        assert!(stored <= sent, "{kind}: {stored} stored but {sent} sent");
    }
}

/// Sends judgements of every kind to `served` from one device for `seconds`; how many of each
/// were acknowledged.
fn burst(
    served: &image_scorer_e2e::tablet::Served,
    images: Arc<Vec<String>>,
    offset: usize,
) -> std::thread::JoinHandle<[usize; 4]> {
    let rest = served.url.strip_prefix("http://").unwrap().to_owned();
    std::thread::spawn(move || {
        let (addr, fragment) = rest.split_once('/').unwrap();
        let credential = pair(addr, fragment.trim_start_matches("#pair="));
        let token = credential.as_str();
        let mut acknowledged = [0usize; 4];
        let until = std::time::Instant::now() + Duration::from_secs(2);
        let mut n = offset;
        while std::time::Instant::now() < until {
            let k = n % KINDS.len();
            let (command, body) = request(KINDS[k], n, &images);
            assert_eq!(
                post(addr, token, command, &body),
                Some(200),
                "{command} {body}"
            );
            acknowledged[k] += 1;
            n += 1;
        }
        acknowledged
    })
}

#[tokio::test]
async fn two_instances_on_one_database_lose_nothing() {
    let home = Home::new();
    let photos = home.photos(&["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"]);
    home.cli(&["index", photos.to_str().unwrap()]);
    let db = home.database();
    let images: Vec<String> = {
        let mut conn = image_scorer_e2e::read_db(&db).await;
        sqlx::query_scalar("SELECT sha1 FROM images ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    let images = Arc::new(images);
    // Two apps on the same database at once (a second start, or the command line beside the
    // window), each with two devices.
    let (first, second) = (home.serve(), home.serve());
    let bursts: Vec<_> = [(&first, 0), (&first, 1), (&second, 2), (&second, 3)]
        .into_iter()
        .map(|(served, offset)| burst(served, images.clone(), offset))
        .collect();
    let mut acknowledged = [0usize; 4];
    for b in bursts {
        for (k, n) in b.join().expect("a device").into_iter().enumerate() {
            acknowledged[k] += n;
        }
    }
    drop((first, second));
    let stored_counts = stored_by_kind(&db).await;
    for (k, kind) in KINDS.iter().enumerate() {
        let stored = stored_counts[k];
        eprintln!("{kind}: acknowledged {}, stored {stored}", acknowledged[k]);
        assert!(acknowledged[k] > 0);
        assert_eq!(stored as usize, acknowledged[k], "{kind}: every one, once");
    }
}
