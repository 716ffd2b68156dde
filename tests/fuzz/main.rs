//! One afl binary for every target: `CSI_FUZZ_TARGET` names which reader the input
//! goes to (see `csi_self_check::fuzz::TARGETS`); a broken promise panics, which afl
//! records as a crash.

fn main() {
    let target = std::env::var("CSI_FUZZ_TARGET").unwrap_or_default();
    assert!(
        csi_self_check::fuzz::TARGETS.contains(&target.as_str()),
        "CSI_FUZZ_TARGET must be one of {:?}",
        csi_self_check::fuzz::TARGETS
    );
    afl::fuzz!(|data: &[u8]| {
        csi_self_check::fuzz::run(&target, data);
    });
}
