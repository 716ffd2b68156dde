//! Prints the history patterns as one `grep -E` expression (`-- --pattern`), so that
//! `tests/bench/history.sh` races grep on exactly what the scan looks for.
#![allow(clippy::print_stdout)]

fn main() {
    if std::env::args().any(|arg| arg == "--pattern") {
        println!("{}", csi_self_check::bench::history_grep_pattern());
    } else {
        println!("usage: cargo bench --bench history -- --pattern");
    }
}
