//! `tenet`: configuration → telemetry → command. Everything else lives in the
//! library so the integration tests build the very same application.
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = tenet::cli::Cli::parse();
    // The server's hashing process: no runtime, no configuration, no logging
    // to standard output (that is where its answers go).
    if matches!(cli.command, tenet::cli::Command::HashWorker) {
        return tenet::auth::password::serve_hashing_requests();
    }
    tenet::config::load_dotenv();
    tenet::telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tenet: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(tenet::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tenet: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
