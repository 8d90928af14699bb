//! The command line: `khuyencong serve | migrate | seed-demo | generate-data | create-user |
//! remind`.

use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::app;
use crate::config::Config;
use crate::db::users::Placement;
use crate::domain::role::Role;
use crate::domain::username::Username;
use crate::state::AppState;
use crate::{db, demo, generate};

/// Khuyến công: a province's industrial-promotion programme, end to end.
///
/// Configuration comes from environment variables (see README): DATABASE_URL is required.
#[derive(Debug, Parser)]
#[command(name = "khuyencong", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server on BIND_ADDR (migrates the database first).
    Serve,
    /// Apply database migrations and load reference data, then exit.
    Migrate,
    /// Send today's reminders (progress reports due, contract deadlines, visits tomorrow)
    /// unless today's run is done; for cron, with DAILY_JOB_DISABLED on the servers.
    Remind,
    /// Load the demo data set (PRODUCT.md §6) into an empty database.
    SeedDemo {
        /// Do nothing, successfully, when the database already has users.
        #[arg(long)]
        if_empty: bool,
    },
    /// Add a generated data set for performance work (docs/benchmarks.md) to a database that
    /// holds the demo data (an empty database gets the demo data first; any other is refused).
    ///
    /// Facilities spread over every commune of Thái Nguyên in both sets of administrative
    /// units, proposals over the plan years up to 2025 in every state, with beneficiaries,
    /// itemised budgets, timelines and screening returns. The same seed gives the same data.
    /// Everything is written in one transaction; search text and statistics are refreshed.
    GenerateData {
        /// Number of facilities.
        #[arg(long, default_value_t = 30_000)]
        facilities: usize,
        /// Number of proposals.
        #[arg(long, default_value_t = 100_000)]
        proposals: usize,
        /// Number of plan years, ending with 2025 (1 to 20).
        #[arg(long, default_value_t = 10)]
        years: u16,
        /// Seed of the pseudo-random sequence.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Do nothing, successfully, when generated data is already there.
        #[arg(long)]
        if_absent: bool,
    },
    /// Create an account, e.g. the first administrator. The password is read from the
    /// KHUYENCONG_PASSWORD environment variable, or from standard input.
    CreateUser {
        /// Login name (lower-case letters, digits, `.`, `_`, `-`).
        #[arg(long)]
        username: String,
        /// Full name as shown in the application.
        #[arg(long)]
        full_name: String,
        /// Role code: admin, centre_staff, appraiser, director, accountant,
        /// department_viewer, local_officer, facility_owner.
        #[arg(long, default_value = "admin")]
        role: String,
        /// Name of the organisation of the province the account belongs to, exactly as it is
        /// written (a name that names none is refused, with the names it looks like).
        #[arg(long, default_value = "Trung tâm Khuyến công")]
        organisation: String,
        /// Create the organisation, as the province's Centre, when none has that name (the
        /// first administrator's).
        #[arg(long)]
        create_organisation: bool,
        /// Province code of that organisation (two digits, e.g. 19 for Thái Nguyên).
        #[arg(long, default_value = "19")]
        province: String,
    },
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    crate::telemetry::init(config.log_json);
    let pool = db::connect(&config).await?;
    match cli.command {
        Command::Serve => {
            db::prepare(&pool).await?;
            let listener = tokio::net::TcpListener::bind(config.bind_addr)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("BIND_ADDR {}: cannot listen: {e}", config.bind_addr)
                })?;
            tracing::info!(address = %config.bind_addr, "listening");
            app::serve(
                listener,
                AppState::new(config, pool),
                app::shutdown_signal(),
            )
            .await
        }
        Command::Migrate => {
            db::prepare(&pool).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Remind => {
            let today = time::OffsetDateTime::now_utc()
                .to_offset(crate::domain::format::VIETNAM)
                .date();
            match crate::jobs::run_daily(&pool, today).await? {
                Some(reminders) => println!("{reminders} reminders sent for {today}"),
                None => println!("the reminders of {today} were sent already"),
            }
            Ok(())
        }
        Command::SeedDemo { if_empty } => {
            db::prepare(&pool).await?;
            if !demo::database_is_empty(&pool).await? {
                if if_empty {
                    println!("database already has data: demo data not loaded");
                    return Ok(());
                }
                anyhow::bail!(
                    "the database already has users; demo data is only loaded into an empty database"
                );
            }
            let state = AppState::new(config, pool);
            let summary = demo::seed(&state.db, &state.passwords).await?;
            println!("demo data loaded: {summary:?}");
            Ok(())
        }
        Command::GenerateData {
            facilities,
            proposals,
            years,
            seed,
            if_absent,
        } => {
            db::prepare(&pool).await?;
            let params = generate::Params {
                facilities,
                proposals,
                years,
                seed,
            };
            params.check()?;
            let state = AppState::new(config, pool);
            let started = std::time::Instant::now();
            let (outcome, summary) =
                generate::run(&state.db, &state.passwords, &params, if_absent).await?;
            match outcome {
                generate::Outcome::AlreadyThere => {
                    println!("generated data is already there: nothing added");
                }
                generate::Outcome::Added => println!(
                    "generated data added in {:.1} s: {summary:?}",
                    started.elapsed().as_secs_f64()
                ),
            }
            Ok(())
        }
        Command::CreateUser {
            username,
            full_name,
            role,
            organisation,
            create_organisation,
            province,
        } => {
            db::prepare(&pool).await?;
            let username = Username::parse(&username).ok_or_else(|| {
                anyhow::anyhow!("--username: use 2–63 lower-case letters, digits, '.', '_' or '-'")
            })?;
            let role = Role::from_code(&role)
                .ok_or_else(|| anyhow::anyhow!("--role: unknown role {role:?}"))?;
            if matches!(role, Role::LocalOfficer | Role::FacilityOwner) {
                anyhow::bail!(
                    "--role: create local officers and facility owners in the web admin, where their area or facility is chosen"
                );
            }
            let password = read_password()?;
            crate::auth::password::check_new_password(&password)
                .map_err(|_| anyhow::anyhow!("the password must have 10 to 256 characters"))?;
            let state = AppState::new(config, pool);
            let hash = state.passwords.hash(SecretString::from(password)).await?;
            let id = db::users::create_with_organisation(
                &state.db,
                username.as_str(),
                full_name.trim(),
                &hash,
                role,
                if create_organisation {
                    Placement::NewCentre(&organisation)
                } else {
                    Placement::Existing(&organisation)
                },
                &province,
            )
            .await?;
            println!("account {} created (id {id})", username.as_str());
            Ok(())
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("KHUYENCONG_PASSWORD") {
        return Ok(password);
    }
    eprintln!("password (then Enter):");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
