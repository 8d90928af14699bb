//! All SQL of the application, as compile-checked `query!` macros (offline data in `.sqlx/`).
//!
//! Functions are named by what they do: `find_*` returns an `Option`, `get_*` fails with
//! `NotFound`, `insert_*`/`update_*`/`set_*` write. List and record queries take the
//! caller's `RecordScope` (from `domain::policy`) and apply it in SQL.

use std::time::Duration;

use secrecy::ExposeSecret as _;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::Config;

pub mod acceptance;
pub mod adjustments;
pub mod admin_units;
pub mod advances;
pub mod appraisals;
pub mod bulk;
pub mod contracts;
pub mod daily;
pub mod demo;
pub mod documents;
pub mod evaluations;
pub mod facilities;
pub mod funding;
pub mod generate;
pub mod login_attempts;
pub mod lookup;
pub mod national;
pub mod notifications;
pub mod organisations;
pub mod payments;
pub mod post_checks;
pub mod progress;
pub mod proposals;
pub mod reference;
pub mod reports;
pub mod rules;
pub mod scope;
pub mod search;
pub mod sessions;
pub mod settlements;
pub mod stops;
pub mod users;
pub mod visits;

/// `NotFound` when an update touched no row.
fn found(rows_affected: u64) -> crate::error::AppResult<()> {
    if rows_affected == 0 {
        Err(crate::error::AppError::NotFound)
    } else {
        Ok(())
    }
}

/// The schema migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens the connection pool. A request waits at most `DATABASE_ACQUIRE_TIMEOUT_MS` for a
/// connection and is then answered 503, rather than hanging.
pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = config
        .database_url
        .expose_secret()
        .parse()
        .map_err(|e| anyhow::anyhow!("DATABASE_URL cannot be read: {e}"))?;
    let pool = PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(config.db_acquire_timeout)
        .idle_timeout(Duration::from_secs(600))
        .connect_with(
            options
                .application_name("khuyencong")
                // Optional filters are written `($n is null or …)`: only a plan made for the
                // actual values drops the unused ones and picks the index of the used ones.
                // A generic plan, which PostgreSQL may switch to after five runs of a
                // statement, would scan the table.
                .options([("plan_cache_mode", "force_custom_plan")]),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database in DATABASE_URL: {e}"))?;
    Ok(pool)
}

/// Brings a database up to date: schema migrations, then the reference data they expect.
pub async fn prepare(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    reference::load_admin_units(pool).await?;
    Ok(())
}

/// Whether the database answers (for `/readyz`).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("select 1 as one")
        .fetch_one(pool)
        .await
        .map(|_| ())
}

/// Maps a domain enum with `code()`/`from_code()` to a PostgreSQL enum type, so the domain
/// stays free of sqlx and queries can still say `role as "role: Role"`.
macro_rules! pg_enum {
    ($ty:ty, $pg:literal) => {
        impl sqlx::Type<sqlx::Postgres> for $ty {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                sqlx::postgres::PgTypeInfo::with_name($pg)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $ty {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                <$ty>::from_code(text)
                    .ok_or_else(|| format!("unknown {} value {text:?}", $pg).into())
            }
        }
        impl sqlx::Encode<'_, sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.code(), buf)
            }
        }
        impl sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                sqlx::postgres::PgTypeInfo::array_of($pg)
            }
        }
    };
}

pg_enum!(crate::domain::role::Role, "user_role");
pg_enum!(crate::domain::proposal::ProposalState, "proposal_state");
pg_enum!(crate::domain::proposal::ProposalLevel, "proposal_level");
pg_enum!(
    crate::domain::organisation::OrganisationKind,
    "organisation_kind"
);
pg_enum!(crate::domain::facility::LegalForm, "legal_form");
pg_enum!(crate::domain::proposal::ProposalForm, "proposal_form");
pg_enum!(crate::domain::payment::PaymentKind, "payment_kind");
pg_enum!(
    crate::domain::acceptance::AcceptanceStatus,
    "acceptance_status"
);
pg_enum!(
    crate::domain::acceptance::AcceptanceResult,
    "acceptance_result"
);
pg_enum!(crate::domain::appraisal::VisitPurpose, "visit_purpose");
pg_enum!(crate::domain::adjustment::AdjustmentKind, "adjustment_kind");
pg_enum!(
    crate::domain::adjustment::AdjustmentLevel,
    "adjustment_level"
);
pg_enum!(
    crate::db::adjustments::AdjustmentStatus,
    "adjustment_status"
);
pg_enum!(
    crate::db::appraisals::RecordStatus,
    "appraisal_record_status"
);
pg_enum!(
    crate::domain::appraisal::Recommendation,
    "appraisal_recommendation"
);
