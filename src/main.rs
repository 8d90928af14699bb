//! The `khuyencong` binary: parses the command line and hands over to the library.

use clap::Parser as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = khuyencong::cli::Cli::parse();
    match khuyencong::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("khuyencong: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
