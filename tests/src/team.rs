//! A team under load: `image-scorer-cli serve --team` processes on one database, and simulated
//! devices (each signed in as a rater of its own, each on one keep-alive connection) that
//! score, rate and compare as fast as the server answers, for a while. Every request a device
//! sends has a key of its own (its rater, image(s) and value or outcome), so that afterwards
//! the log can be checked: every acknowledged judgement stored exactly once, nothing stored
//! that was not sent. A device whose server goes away moves to the next one, as a browser
//! behind a proxy with several upstreams would.

use crate::driver::required_path;
use crate::Home;
use image_scorer_core::app::team::{Team, SIGN_IN_LIFETIME};
use image_scorer_core::Store;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// A `serve --team` process, killed (SIGTERM) when dropped.
pub struct TeamProcess {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
    /// Its standard error.
    pub log: std::path::PathBuf,
}

impl TeamProcess {
    /// How many times it has taken the database's lead.
    pub fn leads_taken(&self) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines().filter(|l| l.contains("now indexes")).count()
    }

    /// Whether it holds the database's lead now (by what it last said of it).
    pub fn leads(&self) -> bool {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .rfind(|l| l.contains("now indexes") || l.contains("lost the database's lead"))
            .is_some_and(|l| l.contains("now indexes"))
    }

    /// Kills it at once (SIGKILL) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TeamProcess {
    fn drop(&mut self) {
        crate::tablet::terminate(&mut self.child);
    }
}

impl Home {
    /// Starts `image-scorer-cli serve --team` on `database` (a file or postgres://…) on the
    /// loopback address, on `port` (0: any), and waits until it listens.
    pub fn serve_team(&self, database: &str, port: u16) -> TeamProcess {
        let cli = required_path("IMAGE_SCORER_CLI", "the command line binary");
        let ui = self.scratch("team-ui");
        std::fs::write(ui.join("index.html"), "<html>team</html>").unwrap();
        let log = self.scratch("team-logs").join(format!(
            "serve-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut child = Command::new(&cli)
            .args(["serve", "--team", "--bind", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--ui")
            .arg(&ui)
            .env("IMAGE_SCORER_DATABASE_URL", database)
            .envs(self.env())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("image-scorer-cli serve starts");
        let stdout = child.stdout.take().expect("its output");
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("serve printed where it listens before it ended")
                .expect("its output");
            if let Some(rest) = line.strip_prefix("Listening on ") {
                break rest.split(';').next().unwrap().parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        TeamProcess {
            child,
            address,
            log,
        }
    }
}

/// One simulated device: its rater and token.
#[derive(Debug, Clone)]
pub struct Device {
    /// Its rater's name.
    pub rater: String,
    /// Its token.
    pub token: String,
}

/// Adds `n` raters (`dev-0`…) to the team of `database` and signs one device of each in
/// through `server`'s sign-in address.
pub async fn sign_in(database: &str, server: SocketAddr, n: usize) -> Vec<Device> {
    let store = Store::open_place(database).await.unwrap();
    let team = Team::new(store.clone());
    let mut devices = Vec::with_capacity(n);
    for i in 0..n {
        let rater = format!("dev-{i}");
        let code = team
            .add_rater(&rater, false, SIGN_IN_LIFETIME)
            .await
            .unwrap()
            .code;
        let mut conn = Conn::open(server).await.unwrap();
        let (status, head, _) = conn
            .send("POST", &format!("/sign-in/{code}"), None, "")
            .await
            .unwrap();
        assert_eq!(status, 303, "sign-in of {rater}: {head}");
        let token = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("location: /#pair=")
                    .map(str::to_owned)
            })
            .expect("the token in the sign-in's answer")
            .trim()
            .to_owned();
        devices.push(Device { rater, token });
    }
    store.close().await;
    devices
}

/// What one request of a device was: its key, and whether it was acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sent {
    /// The rater.
    pub rater: String,
    /// The kind ("score", "rate" or "comparison"), the images and the value or outcome.
    pub key: String,
}

/// A device's run: what it sent and which of it was acknowledged, and how long each
/// acknowledged request took.
#[derive(Debug, Default)]
pub struct DeviceRun {
    /// Every request sent, in order.
    pub sent: Vec<Sent>,
    /// The acknowledged ones.
    pub acked: Vec<Sent>,
    /// Round trips of the acknowledged ones.
    pub latencies: Vec<Duration>,
    /// When each acknowledged one was answered (since the run started) and by which server.
    pub acked_on: Vec<(Duration, SocketAddr)>,
    /// Requests that failed (refused, cut, or answered with an error).
    pub failed: usize,
}

/// The servers the devices may use (a restarted one replaces its address).
pub type Servers = Arc<Mutex<Vec<SocketAddr>>>;

/// The most requests a device sends (the keys stay distinct: 10 scores per image and pair).
pub const MAX_PER_DEVICE: usize = 1_500;

/// Runs every device for `duration` (each at most [`MAX_PER_DEVICE`] requests) against
/// `servers` (device `i` starts on server `i % len`), over `images` (their SHA-1s, at least
/// 50): as fast as the server answers, or with `pace`, one request per `pace` at most (a person
/// at work). The devices' runs.
pub async fn run(
    devices: &[Device],
    images: &[String],
    servers: Servers,
    duration: Duration,
    pace: Option<Duration>,
) -> Vec<DeviceRun> {
    assert!(images.len() >= 50, "50 images keep the keys distinct");
    let images = Arc::new(images.to_vec());
    let until = Instant::now() + duration;
    let tasks: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, device)| {
            let (device, images, servers) = (device.clone(), images.clone(), servers.clone());
            tokio::spawn(async move {
                one_device(i, device, &images, servers, (until, duration), pace).await
            })
        })
        .collect();
    let mut runs = Vec::new();
    for task in tasks {
        runs.push(task.await.unwrap());
    }
    runs
}

async fn one_device(
    index: usize,
    device: Device,
    images: &[String],
    servers: Servers,
    (until, duration): (Instant, Duration),
    pace: Option<Duration>,
) -> DeviceRun {
    let mut run = DeviceRun::default();
    let began = until - duration;
    let mut server = index;
    let mut conn: Option<Conn> = None;
    let n = images.len();
    // Paced devices start spread over one period, as people do not press together.
    if let Some(pace) = pace {
        tokio::time::sleep(pace.mul_f64(fastrand_fraction(index))).await;
    }
    let mut next = Instant::now();
    for i in 0..MAX_PER_DEVICE {
        if let Some(pace) = pace {
            tokio::time::sleep_until(next.into()).await;
            next += pace;
        }
        if Instant::now() >= until {
            break;
        }
        let step = i / 3;
        let (image, level) = (step % n, step / n);
        let (command, body, key) = match i % 3 {
            0 => {
                let value = 1 + level;
                (
                    "add_score",
                    format!(
                        r#"{{"rater":"{}","sha1":"{}","value":{value}}}"#,
                        device.rater, images[image]
                    ),
                    format!("score {} {value}", images[image]),
                )
            }
            1 => {
                let value = 1.0 + level as f64 / 10.0;
                (
                    "add_rating",
                    format!(
                        r#"{{"rater":"{}","sha1":"{}","value":{value:.1},"predicted":null,"own":false}}"#,
                        device.rater, images[image]
                    ),
                    format!("rate {} {value:.1}", images[image]),
                )
            }
            _ => {
                let other = (image + 1 + level) % n;
                let (a, b) = (&images[image], &images[other]);
                (
                    "record_comparison",
                    format!(
                        r#"{{"rater":"{}","images":["{a}","{b}"],"outcome":"pick","winner":0}}"#,
                        device.rater
                    ),
                    format!("comparison {a} {b}"),
                )
            }
        };
        let sent = Sent {
            rater: device.rater.clone(),
            key,
        };
        run.sent.push(sent.clone());
        let address = {
            let servers = servers.lock().unwrap();
            servers[server % servers.len()]
        };
        let started = Instant::now();
        let answer = match conn.as_mut() {
            Some(c) if c.address == address => Ok(c),
            _ => Conn::open(address).await.map(|c| conn.insert(c)),
        };
        let outcome = match answer {
            Ok(c) => {
                c.send(
                    "POST",
                    &format!("/api/call/{command}"),
                    Some(&device.token),
                    &body,
                )
                .await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok((200, _, _)) => {
                run.latencies.push(started.elapsed());
                run.acked_on.push((began.elapsed(), address));
                run.acked.push(sent);
            }
            Ok(_) => {
                // Refused for now (the database restarting): a moment before the next.
                run.failed += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(_) => {
                // Cut off or refused: to the next server, after a moment.
                run.failed += 1;
                conn = None;
                server += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    run
}

/// A fraction in [0, 1) that spreads device `index` (the golden ratio's).
fn fastrand_fraction(index: usize) -> f64 {
    (index as f64 * 0.618_033_988_75).fract()
}

/// Checks the log of `database` against the devices' runs: every acknowledged judgement
/// stored exactly once, nothing stored that was not sent. Returns (sent, acknowledged,
/// stored).
pub async fn check_exactly_once(database: &str, runs: &[DeviceRun]) -> (usize, usize, usize) {
    let store = Store::open_place(database).await.unwrap();
    let mut stored: HashMap<Sent, usize> = HashMap::new();
    let raters: HashSet<&str> = runs
        .iter()
        .flat_map(|r| r.sent.first().map(|s| s.rater.as_str()))
        .collect();
    for rater in &raters {
        let id = store.rater(rater).await.unwrap();
        for j in store.judgements_by(id).await.unwrap() {
            assert!(!j.undone, "nothing was undone");
            let images: Vec<&str> = j.images.iter().map(|i| i.sha1.as_str()).collect();
            let key = match j.kind.as_str() {
                "score" => format!("score {} {}", images[0], j.value.unwrap()),
                "rate" => format!("rate {} {:.1}", images[0], j.value.unwrap()),
                "comparison" => format!("comparison {} {}", images[0], images[1]),
                other => panic!("an unexpected judgement: {other}"),
            };
            *stored
                .entry(Sent {
                    rater: rater.to_string(),
                    key,
                })
                .or_default() += 1;
        }
    }
    store.close().await;
    let sent: HashSet<&Sent> = runs.iter().flat_map(|r| &r.sent).collect();
    let total_sent: usize = runs.iter().map(|r| r.sent.len()).sum();
    assert_eq!(sent.len(), total_sent, "every request's key is its own");
    for (key, times) in &stored {
        assert_eq!(*times, 1, "{key:?} stored {times} times");
        assert!(sent.contains(key), "{key:?} stored but never sent");
    }
    let acked: usize = runs.iter().map(|r| r.acked.len()).sum();
    for run in runs {
        for a in &run.acked {
            assert!(stored.contains_key(a), "{a:?} acknowledged but not stored");
        }
    }
    (total_sent, acked, stored.len())
}

/// The `p`-th percentile (0-100) of `latencies`, in milliseconds.
pub fn percentile_ms(latencies: &mut [Duration], p: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    latencies.sort();
    let rank = ((p / 100.0) * (latencies.len() - 1) as f64).round() as usize;
    latencies[rank].as_secs_f64() * 1000.0
}

/// `count` distinct images in `dir` (copies of the fixture photos, each with its number
/// appended, so each has content of its own); their SHA-1s.
pub fn distinct_photos(dir: &std::path::Path, count: usize) -> Vec<String> {
    let sources = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"];
    (0..count)
        .map(|i| {
            let name = sources[i % sources.len()];
            let mut bytes = std::fs::read(crate::fixture(name)).unwrap();
            bytes.extend_from_slice(&(i as u64).to_le_bytes());
            let ext = name.rsplit('.').next().unwrap();
            let path = dir.join(format!("img-{i:04}.{ext}"));
            std::fs::write(&path, &bytes).unwrap();
            image_scorer_core::library::content_hash::hash_reader(&bytes[..])
                .unwrap()
                .sha1
        })
        .collect()
}

/// One HTTP/1.1 keep-alive connection, as a browser holds one.
pub struct Conn {
    address: SocketAddr,
    reader: tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    /// Connects to `address`.
    pub async fn open(address: SocketAddr) -> std::io::Result<Self> {
        let stream = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::TcpStream::connect(address),
        )
        .await
        .map_err(|_| std::io::Error::other("connecting timed out"))??;
        stream.set_nodelay(true)?;
        let (read, writer) = stream.into_split();
        Ok(Self {
            address,
            reader: tokio::io::BufReader::new(read),
            writer,
        })
    }

    /// Sends one request and reads its answer: status, head and body. An answer must come
    /// within 20 s.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> std::io::Result<(u16, String, Vec<u8>)> {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        tokio::time::timeout(Duration::from_secs(20), async {
            self.writer.write_all(request.as_bytes()).await?;
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if self.reader.read_line(&mut line).await? == 0 {
                    return Err(std::io::Error::other("the connection closed"));
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let l = l.to_ascii_lowercase();
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            self.reader.read_exact(&mut body).await?;
            Ok((status, head, body))
        })
        .await
        .map_err(|_| std::io::Error::other("no answer within 20 s"))?
    }
}
