//! `cargo xtask bench team`: a team server's judgements with 40 devices, on PostgreSQL with one
//! and with two `image-scorer-cli serve` processes, and on SQLite with one, in the same run
//! (the release command line, a PostgreSQL with fsync on, SQLite with synchronous=FULL: every
//! acknowledged judgement is on disk in each).
//!
//! Each configuration is measured twice, over the same library of 200 images:
//! - paced: 40 devices each sending a score, a rating or a comparison every 500 ms (a fast
//!   person, 80 judgements a second in all): a judgement's round trip, p50 and p95;
//! - flat out: 40 devices each sending the next as soon as the last is answered: the sustained
//!   judgements per second.
//!
//! What flatters us: client and servers share this machine's two cores (a real team's devices
//! do not load the server's CPU), loopback has no network latency, the library is small
//! (the queries' cost at 20,000 images is measured by the other benches), and the devices ask
//! for nothing but judgements (no queue, no images).
//!
//! Usage: bench_team [SECONDS] (needs IMAGE_SCORER_CLI, the release build).

use image_scorer_e2e::team::{self, Servers};
use image_scorer_e2e::{goal_line, Home};
use image_scorer_pgtest::{Options, PgServer};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DEVICES: usize = 40;
const PACE: Duration = Duration::from_millis(500);

/// One configuration's figures.
struct Figures {
    p50_ms: f64,
    p95_ms: f64,
    per_second: f64,
}

async fn measure(home: &Home, database: &str, processes: usize, seconds: u64) -> Figures {
    let photos = home.scratch(&format!("photos-{processes}-{}", database.len()));
    let images = team::distinct_photos(&photos, 200);
    home.cli(&["--db", database, "index", photos.to_str().unwrap()]);
    let served: Vec<_> = (0..processes)
        .map(|_| home.serve_team(database, 0))
        .collect();
    let devices = team::sign_in(database, served[0].address, DEVICES).await;
    let servers: Servers = Arc::new(Mutex::new(served.iter().map(|p| p.address).collect()));
    let run = Duration::from_secs(seconds);
    // Warm up: a few requests a device, not counted.
    team::run(
        &devices,
        &images,
        servers.clone(),
        Duration::from_secs(2),
        Some(PACE),
    )
    .await;
    let paced = team::run(&devices, &images, servers.clone(), run, Some(PACE)).await;
    let flat = team::run(&devices, &images, servers, run, None).await;
    let mut latencies: Vec<Duration> = paced.iter().flat_map(|r| r.latencies.clone()).collect();
    let failed: usize = paced.iter().chain(&flat).map(|r| r.failed).sum();
    assert_eq!(failed, 0, "requests failed without a fault");
    let acked: usize = flat.iter().map(|r| r.acked.len()).sum();
    Figures {
        p50_ms: team::percentile_ms(&mut latencies, 50.0),
        p95_ms: team::percentile_ms(&mut latencies, 95.0),
        per_second: acked as f64 / run.as_secs_f64(),
    }
}

fn report(name: &str, f: &Figures) {
    println!(
        "{name}: paced round trip p50 {:.1} ms, p95 {:.1} ms; flat out {:.0} judgements/s",
        f.p50_ms, f.p95_ms, f.per_second
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map_or(20, |s| s.parse().expect("SECONDS"));
    let pg = PgServer::start_with(Options { durable: true });
    let home = Home::new();

    let sqlite = home.scratch("sqlite").join("team.db");
    let sqlite = measure(&home, sqlite.to_str().unwrap(), 1, seconds).await;
    report("SQLite, one process", &sqlite);
    let one = measure(&home, &pg.create_database("one"), 1, seconds).await;
    report("PostgreSQL, one process", &one);
    let two = measure(&home, &pg.create_database("two"), 2, seconds).await;
    report("PostgreSQL, two processes", &two);

    println!(
        "{}",
        goal_line("postgres_1_process_p95_ms", one.p95_ms, "<", 50.0)
    );
    println!(
        "{}",
        goal_line("postgres_2_processes_p95_ms", two.p95_ms, "<", 50.0)
    );
    println!(
        "{}",
        goal_line(
            "postgres_2_processes_throughput_vs_sqlite_1",
            two.per_second / sqlite.per_second,
            ">=",
            0.8
        )
    );
}
