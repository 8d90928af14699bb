//! Loads the official administrative units (src/db/reference/*.csv, generated from published
//! data by scripts/import-admin-units) into `admin_units`. Idempotent: a set that is already
//! complete is left alone, so it runs on every `migrate` and server start.

use anyhow::Context as _;
use sqlx::PgPool;
use time::Date;
use time::macros::date;

/// One published set of units and the period it was in force.
struct UnitSet {
    name: &'static str,
    csv: &'static str,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

/// The day the 2025 reform took effect (Resolution 202/2025/QH15): districts end, the new
/// provinces and communes begin.
pub const REFORM_2025: Date = date!(2025 - 07 - 01);

const SETS: [UnitSet; 2] = [
    UnitSet {
        name: "legacy",
        csv: include_str!("reference/admin_units_legacy.csv"),
        valid_from: None,
        valid_to: Some(REFORM_2025),
    },
    UnitSet {
        name: "2025",
        csv: include_str!("reference/admin_units_2025.csv"),
        valid_from: Some(REFORM_2025),
        valid_to: None,
    },
];

#[derive(serde::Deserialize)]
struct Row {
    code: String,
    level: String,
    kind: String,
    name: String,
    full_name: String,
    name_en: String,
    parent_code: String,
}

/// Columns of one level, ready for `unnest`.
#[derive(Default)]
struct Columns {
    code: Vec<String>,
    kind: Vec<String>,
    name: Vec<String>,
    full_name: Vec<String>,
    name_en: Vec<String>,
    parent_code: Vec<String>,
}

/// Loads every set that is not yet complete.
pub async fn load_admin_units(pool: &PgPool) -> anyhow::Result<()> {
    for set in &SETS {
        let rows: Vec<Row> = csv::Reader::from_reader(set.csv.as_bytes())
            .deserialize()
            .collect::<Result<_, _>>()
            .with_context(|| format!("admin units CSV ({}) does not parse", set.name))?;
        let present = sqlx::query_scalar!(
            r#"select count(*) as "count!" from admin_units where valid_from is not distinct from $1"#,
            set.valid_from
        )
        .fetch_one(pool)
        .await?;
        if usize::try_from(present).unwrap_or(0) >= rows.len() {
            continue;
        }
        let mut tx = pool.begin().await?;
        for (level, parent_level) in [
            ("province", None),
            ("district", Some("province")),
            ("commune", None),
        ] {
            let mut columns = Columns::default();
            for row in rows.iter().filter(|r| r.level == level) {
                columns.code.push(row.code.clone());
                columns.kind.push(row.kind.clone());
                columns.name.push(row.name.clone());
                columns.full_name.push(row.full_name.clone());
                columns.name_en.push(row.name_en.clone());
                columns.parent_code.push(row.parent_code.clone());
            }
            // A commune's parent is a district in the legacy set and a province in 2025.
            let parent_levels: Vec<String> = match parent_level {
                Some(p) => vec![p.to_owned()],
                None if level == "commune" => vec!["district".into(), "province".into()],
                None => vec![],
            };
            sqlx::query!(
                r#"
                insert into admin_units
                    (code, level, kind, name, full_name, name_en, parent_id, province_code, valid_from, valid_to)
                select r.code, $1::text::admin_level, r.kind, r.name, r.full_name, r.name_en,
                       p.id, coalesce(p.province_code, r.code), $2, $3
                from unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                     as r(code, kind, name, full_name, name_en, parent_code)
                left join admin_units p
                       on p.code = r.parent_code
                      and p.level::text = any($10::text[])
                      and p.valid_from is not distinct from $2
                on conflict do nothing
                "#,
                level,
                set.valid_from,
                set.valid_to,
                &columns.code,
                &columns.kind,
                &columns.name,
                &columns.full_name,
                &columns.name_en,
                &columns.parent_code,
                &parent_levels,
            )
            .execute(&mut *tx)
            .await
            .with_context(|| format!("loading {} {level} units", set.name))?;
        }
        tx.commit().await?;
        tracing::info!(
            set = set.name,
            units = rows.len(),
            "administrative units loaded"
        );
    }
    Ok(())
}
