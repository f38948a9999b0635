//! `tenet`: configuration → telemetry → command. Everything else lives in the
//! library so the integration tests build the very same application.
use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tenet::config::load_dotenv();
    tenet::telemetry::init();
    let cli = tenet::cli::Cli::parse();
    match tenet::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tenet: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
