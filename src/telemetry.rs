//! Request ids, request logs and Prometheus metrics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Latency histogram bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    bucket_counts: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// Requests by route and status, and a latency histogram per route. Routes are the
/// matched patterns (`/api/v1/offices/{id}`), so cardinality stays bounded and no
/// identifier or personal data ends up in a label.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = routes
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        *stats.by_status.entry(status).or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                stats.bucket_counts[i] += 1;
            }
        }
        stats.count += 1;
        stats.sum_seconds += seconds;
    }

    /// Prometheus text exposition format 0.0.4.
    pub fn render(&self, pool: &diesel::r2d2::State, pool_max: u32, uptime: Duration) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP motcua_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE motcua_http_requests_total counter\n");
        for ((method, route), stats) in routes.iter() {
            for (status, count) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "motcua_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP motcua_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE motcua_http_request_duration_seconds histogram\n");
        for ((method, route), stats) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (bound, count) in BUCKETS.iter().zip(stats.bucket_counts) {
                let _ = writeln!(out, "motcua_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_sum{{{labels}}} {}",
                stats.sum_seconds
            );
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_count{{{labels}}} {}",
                stats.count
            );
        }
        out.push_str("# HELP motcua_db_pool_connections Open database connections.\n");
        out.push_str("# TYPE motcua_db_pool_connections gauge\n");
        let _ = writeln!(out, "motcua_db_pool_connections {}", pool.connections);
        out.push_str("# HELP motcua_db_pool_idle_connections Idle database connections.\n");
        out.push_str("# TYPE motcua_db_pool_idle_connections gauge\n");
        let _ = writeln!(
            out,
            "motcua_db_pool_idle_connections {}",
            pool.idle_connections
        );
        out.push_str(
            "# HELP motcua_db_pool_in_use_connections Connections checked out of the pool.\n",
        );
        out.push_str("# TYPE motcua_db_pool_in_use_connections gauge\n");
        let _ = writeln!(
            out,
            "motcua_db_pool_in_use_connections {}",
            pool.connections - pool.idle_connections
        );
        out.push_str("# HELP motcua_db_pool_max_connections Pool size limit.\n");
        out.push_str("# TYPE motcua_db_pool_max_connections gauge\n");
        let _ = writeln!(out, "motcua_db_pool_max_connections {pool_max}");
        out.push_str("# HELP motcua_uptime_seconds Seconds since the process started.\n");
        out.push_str("# TYPE motcua_uptime_seconds gauge\n");
        let _ = writeln!(out, "motcua_uptime_seconds {}", uptime.as_secs());
        out
    }
}

/// Sets up logging: human-readable by default, JSON lines with `MOTCUA_LOG_FORMAT=json`;
/// the level comes from `RUST_LOG` (default `info`).
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
