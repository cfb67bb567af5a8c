//! Memory figures the benchmarks print, from /proc (0 where there is none).

/// The process's peak resident memory, in GB.
pub fn peak_rss_gb() -> f64 {
    status_gb("VmHWM:")
}

/// The process's resident memory now, in GB: its own (anonymous) pages and mapped files'.
#[allow(dead_code)] // not every benchmark reads it
pub fn resident() -> (f64, f64) {
    (status_gb("RssAnon:"), status_gb("RssFile:"))
}

/// The field `name` of /proc/self/status (kB), in GB.
fn status_gb(name: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0 / 1e9)
}
