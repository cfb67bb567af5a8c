//! A team server under load, end to end over loopback: two `image-scorer-cli serve` processes
//! on one real PostgreSQL, 40 simulated devices scoring, rating and comparing for 60 s each
//! time (bounded: at most 1,500 requests a device): steadily; with the process that leads
//! SIGKILLed and started again mid-run; with PostgreSQL restarted mid-run. Every time every
//! acknowledged judgement is stored exactly once and nothing is stored that was not sent; the
//! other process keeps answering; the lead (indexing, watching, embedding) is handed over.

use image_scorer_e2e::team::{self, Servers, TeamProcess};
use image_scorer_e2e::Home;
use image_scorer_pgtest::{Options, PgServer};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEVICES: usize = 40;
const RUN: Duration = Duration::from_secs(60);
/// When the fault comes, into the run.
const FAULT_AT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    KillTheLeader,
    RestartTheDatabase,
}

/// Waits up to `limit` for `ok`.
async fn until(limit: Duration, what: &str, ok: impl Fn() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn one_run(pg: &mut PgServer, fault: Fault) {
    let url = pg.create_database(&format!("team_{}", format!("{fault:?}").to_lowercase()));
    let home = Home::new();
    let photos = home.scratch("photos");
    let images = team::distinct_photos(&photos, 60);
    let out = home.cli(&["--db", &url, "index", photos.to_str().unwrap()]);
    assert!(out.contains("60 images"), "{out}");
    let mut processes: Vec<TeamProcess> = vec![home.serve_team(&url, 0), home.serve_team(&url, 0)];
    until(Duration::from_secs(15), "one process leads", || {
        processes.iter().filter(|p| p.leads()).count() == 1
    })
    .await;
    let devices = team::sign_in(&url, processes[0].address, DEVICES).await;
    let servers: Servers = Arc::new(Mutex::new(processes.iter().map(|p| p.address).collect()));
    let load = {
        let (devices, images, servers) = (devices.clone(), images.clone(), servers.clone());
        tokio::spawn(async move { team::run(&devices, &images, servers, RUN, None).await })
    };
    let started = Instant::now();
    let mut window: Option<(Duration, Duration, SocketAddr)> = None;
    match fault {
        Fault::None => {}
        Fault::KillTheLeader => {
            tokio::time::sleep(FAULT_AT).await;
            let leader = processes.iter().position(|p| p.leads()).unwrap();
            let other = 1 - leader;
            let killed_at = started.elapsed();
            processes[leader].kill();
            let survivor = &processes[other];
            until(
                Duration::from_secs(15),
                "the other process takes the lead",
                || survivor.leads(),
            )
            .await;
            eprintln!(
                "lead handed over {:?} after the kill",
                started.elapsed() - killed_at
            );
            tokio::time::sleep(Duration::from_secs(5)).await;
            let port = processes[leader].address.port();
            let restarted = home.serve_team(&url, port);
            servers.lock().unwrap()[leader] = restarted.address;
            window = Some((killed_at, started.elapsed(), survivor.address));
            processes[leader] = restarted;
        }
        Fault::RestartTheDatabase => {
            tokio::time::sleep(FAULT_AT).await;
            let at = started.elapsed();
            let taken = |processes: &[TeamProcess]| -> usize {
                processes.iter().map(TeamProcess::leads_taken).sum()
            };
            let before = taken(&processes);
            pg.restart();
            // The lead went with the server's connections: taken again, by one process.
            until(Duration::from_secs(20), "the lead taken again", || {
                taken(&processes) > before && processes.iter().filter(|p| p.leads()).count() == 1
            })
            .await;
            eprintln!(
                "PostgreSQL restarted at {at:?}; a leader again by {:?}",
                started.elapsed()
            );
        }
    }
    let runs = load.await.unwrap();
    let (sent, acked, stored) = team::check_exactly_once(&url, &runs).await;
    let mut latencies: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.clone()).collect();
    let failed: usize = runs.iter().map(|r| r.failed).sum();
    eprintln!(
        "{fault:?}: {sent} sent, {acked} acknowledged, {stored} stored, {failed} failed; \
         {:.0} acknowledged/s; p50 {:.1} ms, p95 {:.1} ms",
        acked as f64 / RUN.as_secs_f64(),
        team::percentile_ms(&mut latencies, 50.0),
        team::percentile_ms(&mut latencies, 95.0)
    );
    assert!(acked >= DEVICES * 20, "the devices got work done: {acked}");
    assert!(
        runs.iter().all(|r| !r.acked.is_empty()),
        "every device was answered"
    );
    if fault == Fault::None {
        assert_eq!(failed, 0, "nothing fails without a fault");
        assert_eq!(acked, sent);
    }
    if let Some((from, to, survivor)) = window {
        let answered = runs
            .iter()
            .flat_map(|r| &r.acked_on)
            .filter(|(at, by)| *at > from && *at < to && *by == survivor)
            .count();
        assert!(
            answered > 100,
            "the other process kept answering while one was down: {answered}"
        );
    }
    // And after the run, the one that leads still watches: a new photo is indexed.
    team::distinct_photos(&home.scratch("photos"), 61);
    let leader = processes
        .iter()
        .find(|p| p.leads())
        .expect("one leads")
        .address;
    let mut conn = team::Conn::open(leader).await.unwrap();
    let token = &devices[0].token;
    let started = Instant::now();
    loop {
        let (_, _, body) = conn
            .send("POST", "/api/call/get_state", Some(token), "{}")
            .await
            .unwrap();
        let state: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if state["library"]["counts"]["ok"] == 61 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the new photo was not indexed: {state}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_devices_on_two_processes_lose_nothing_through_a_kill_and_a_database_restart() {
    let mut pg = PgServer::start_with(Options { durable: true });
    for fault in [Fault::None, Fault::KillTheLeader, Fault::RestartTheDatabase] {
        one_run(&mut pg, fault).await;
    }
}
