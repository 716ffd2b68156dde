//! The Prometheus path, proven: the shipped alerting rules pass `promtool test
//! rules`, and end to end on 127.0.0.1 a real node_exporter serves the audit's
//! metrics from its textfile directory, a real Prometheus scrapes it with the
//! shipped rules loaded, and the alert for a non-compliant throwaway account fires.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Cli, TestUser, have, is_root, skip};

const RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/dist/prometheus/csi-self-check.rules.yml"
);
const RULES_TEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/prometheus/csi-self-check.rules.test.yml"
);
/// How long Prometheus has to start, scrape and evaluate; it takes a few seconds.
const PATIENCE: Duration = Duration::from_secs(120);

#[test]
fn the_shipped_rules_pass_promtool_test_rules() {
    if !have("promtool", "the_shipped_rules_pass_promtool_test_rules") {
        return;
    }
    for args in [
        &["check", "rules", RULES][..],
        &["test", "rules", RULES_TEST],
    ] {
        let out = Command::new("promtool").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A server this test started, killed and reaped when dropped, a panicking test
/// included; its output goes to a file kept for the failure message.
struct Server {
    name: &'static str,
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    fn start(name: &'static str, command: &mut Command, log: std::path::PathBuf) -> Server {
        let file = std::fs::File::create(&log).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} did not start: {e}"));
        Server { name, child, log }
    }

    fn log(&self) -> String {
        format!(
            "--- {} log:\n{}",
            self.name,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on the loopback address that nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP GET on 127.0.0.1, bounded in time and size; `None` while the server
/// is not up yet.
fn get(port: u16, path: &str) -> Option<serde_json::Value> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = Vec::new();
    stream.take(8 << 20).read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.0 200")
        .then(|| serde_json::from_str(body).ok())
        .flatten()
}

/// Yesterday's audits, as Prometheus would have stored them: a sample every five
/// minutes from 26 hours ago to 10 minutes ago (older than the five minutes an
/// instant query looks back, so only a live scrape makes the account non-compliant
/// *now*), written in OpenMetrics for `promtool tsdb create-blocks-from`.
fn history(instance: &str, users: &[(&str, u8)]) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut text = String::from("# TYPE csi_self_check_user_compliant gauge\n");
    for (user, compliant) in users {
        let mut at = now - 26 * 3600;
        while at <= now - 600 {
            text.push_str(&format!(
                "csi_self_check_user_compliant{{instance=\"{instance}\",job=\"node\",user=\"{user}\"}} {compliant} {at}\n"
            ));
            at += 300;
        }
    }
    text.push_str("# EOF\n");
    text
}

fn run(command: &mut Command, what: &str) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn node_exporter_and_prometheus_fire_the_alert_for_a_non_compliant_account() {
    let test = "node_exporter_and_prometheus_fire_the_alert_for_a_non_compliant_account";
    if !is_root() {
        return skip(test, "the audit and its throwaway accounts need root");
    }
    for tool in [
        "prometheus",
        "prometheus-node-exporter",
        "promtool",
        "ssh-keygen",
        "useradd",
    ] {
        if !have(tool, test) {
            return;
        }
    }
    let bad = TestUser::new("csiprom1");
    bad.unencrypted_key(0o640);
    let _good = TestUser::new("csiprom2");
    let work = tempfile::tempdir().unwrap();
    let textfiles = work.path().join("textfile");
    std::fs::create_dir(&textfiles).unwrap();
    let output = textfiles.join("csi-self-check.prom");
    let audit = Cli::new([
        "audit",
        "--users",
        "csiprom1,csiprom2",
        "--format",
        "prometheus",
        "--output",
        output.to_str().unwrap(),
    ])
    .run();
    assert_eq!(audit.code, 1, "{}", audit.stderr);

    let exporter_port = free_port();
    let instance = format!("127.0.0.1:{exporter_port}");
    let exporter = Server::start(
        "prometheus-node-exporter",
        Command::new("prometheus-node-exporter")
            .arg(format!("--web.listen-address={instance}"))
            .arg("--collector.disable-defaults")
            .arg("--collector.textfile")
            .arg(format!(
                "--collector.textfile.directory={}",
                textfiles.display()
            )),
        work.path().join("node-exporter.log"),
    );

    let data = work.path().join("data");
    let past = work.path().join("history.om");
    std::fs::write(
        &past,
        history(&instance, &[("csiprom1", 0), ("csiprom2", 1)]),
    )
    .unwrap();
    run(
        Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&past)
            .arg(&data),
        "promtool tsdb create-blocks-from openmetrics",
    );
    let config = work.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             rule_files:\n  - {RULES}\n\
             scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['{instance}']\n"
        ),
    )
    .unwrap();
    let prometheus_port = free_port();
    let prometheus = Server::start(
        "prometheus",
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
            .arg("--storage.tsdb.retention.time=7d"),
        work.path().join("prometheus.log"),
    );

    // Ask until the alert fires, at most PATIENCE.
    let start = Instant::now();
    let firing = loop {
        let alerts = get(prometheus_port, "/api/v1/alerts");
        let firing: Vec<serde_json::Value> = alerts
            .as_ref()
            .and_then(|doc| doc["data"]["alerts"].as_array())
            .into_iter()
            .flatten()
            .filter(|a| {
                a["labels"]["alertname"] == "CsiSelfCheckAccountNotCompliant"
                    && a["state"] == "firing"
            })
            .cloned()
            .collect();
        if !firing.is_empty() {
            break firing;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "no firing alert within {PATIENCE:?}; last answer: {alerts:?}\n{}\n{}",
            exporter.log(),
            prometheus.log()
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let users: Vec<&str> = firing
        .iter()
        .map(|a| a["labels"]["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["csiprom1"], "{firing:?}");
    assert_eq!(firing[0]["labels"]["instance"], instance.as_str());
    assert!(
        firing[0]["annotations"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("csiprom1 on 127.0.0.1:"),
        "{firing:?}"
    );

    // What was scraped is the audit's file: its build and its verdicts.
    let query = |expr: &str| {
        get(prometheus_port, &format!("/api/v1/query?query={expr}"))
            .unwrap_or_else(|| panic!("no answer to {expr}"))["data"]["result"]
            .clone()
    };
    let build = query("csi_self_check_build_info");
    assert_eq!(
        build[0]["metric"]["version"],
        env!("CARGO_PKG_VERSION"),
        "{build}"
    );
    let good = query("csi_self_check_user_compliant%7Buser%3D%22csiprom2%22%7D");
    assert_eq!(good[0]["value"][1], "1", "{good}");
    assert!(Path::new(&output).exists());
}
