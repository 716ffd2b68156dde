//! The executable is a thin shell around the library, so that exiting happens in one place.

fn main() -> std::process::ExitCode {
    csi_self_check::main()
}
