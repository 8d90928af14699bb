//! What the generator reads before it builds: the province's communes with their offices
//! (creating the 2025 communes' economic offices when missing), the Centre's staff with their
//! roles, and the proposal numbers already used.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow};
use sqlx::PgConnection;

use super::PROVINCE;
use super::plan::{Actor, Commune, Office, Setting, Staff, commune_office_name};
use crate::db::generate as sql;
use crate::domain::proposal::ProposalLevel;
use crate::domain::role::Role;

/// The Centre's accounts the timelines are written by (from the demo data set).
const STAFF: [&str; 4] = ["canbo", "thamdinh", "giamdoc", "ketoan"];

/// The communes of the province with the office whose proposals are located in each (the
/// district's office in the legacy set; in the 2025 set, the commune's own economic office,
/// created when missing), and the Centre's staff. Answers the setting and the number of
/// offices created.
pub(super) async fn load_setting(conn: &mut PgConnection) -> anyhow::Result<(Setting, usize)> {
    let staff_ids: HashMap<String, i64> = sql::user_ids(
        conn,
        &STAFF.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();
    // Each with the role the demo gives the account, which the lifecycle's table checks.
    let staff_member = |name: &str| -> anyhow::Result<Actor> {
        let id = staff_ids
            .get(name)
            .copied()
            .ok_or_else(|| anyhow!("the demo account {name} is missing"))?;
        let role = crate::demo::ACCOUNTS
            .iter()
            .find(|(username, _)| *username == name)
            .map(|&(_, role)| role)
            .ok_or_else(|| anyhow!("{name} is not a demo account"))?;
        Ok(Actor { id, role })
    };
    let staff = Staff {
        centre: staff_member("canbo")?,
        appraiser: staff_member("thamdinh")?,
        director: staff_member("giamdoc")?,
        accountant: staff_member("ketoan")?,
    };

    let rows = sql::communes(conn, PROVINCE).await?;
    let before = sql::local_offices(conn, PROVINCE).await?;
    let (names, unit_ids): (Vec<String>, Vec<i64>) = rows
        .iter()
        .filter(|c| !c.legacy && !before.iter().any(|o| o.unit_id == c.id))
        .map(|c| (commune_office_name(&c.kind, &c.full_name), c.id))
        .unzip();
    if !names.is_empty() {
        sql::ensure_local_offices(conn, PROVINCE, &names, &unit_ids).await?;
    }
    let offices = sql::local_offices(conn, PROVINCE).await?;
    let office_of = |o: &sql::OfficeRow| Office {
        id: o.id,
        creator: o.officer_id.map_or(staff.centre, |id| Actor {
            id,
            role: Role::LocalOfficer,
        }),
    };
    let by_district: HashMap<&str, Office> = offices
        .iter()
        .filter(|o| o.legacy)
        .map(|o| (o.unit_code.as_str(), office_of(o)))
        .collect();
    let by_commune: HashMap<i64, Office> = offices
        .iter()
        .filter(|o| !o.legacy)
        .map(|o| (o.unit_id, office_of(o)))
        .collect();

    let mut communes = Vec::with_capacity(rows.len());
    for row in rows {
        let (area, office) = if row.legacy {
            let district = row
                .district_code
                .clone()
                .with_context(|| format!("{} has no district", row.full_name))?;
            let office = by_district
                .get(district.as_str())
                .copied()
                .with_context(|| format!("no local office for district {district}"))?;
            (district, office)
        } else {
            let office = by_commune
                .get(&row.id)
                .copied()
                .with_context(|| format!("no local office for {}", row.full_name))?;
            (format!("c{}", row.id), office)
        };
        communes.push(Commune {
            id: row.id,
            kind: row.kind,
            name: row.name,
            full_name: row.full_name,
            legacy: row.legacy,
            area,
            office,
        });
    }
    Ok((Setting { communes, staff }, names.len()))
}

/// The last proposal number used per plan year and level.
pub(super) async fn last_numbers(
    conn: &mut PgConnection,
) -> anyhow::Result<HashMap<(i16, ProposalLevel), u32>> {
    let mut numbers = HashMap::new();
    for row in sql::last_numbers(conn, PROVINCE).await? {
        let level = ProposalLevel::from_code(&row.level)
            .ok_or_else(|| anyhow!("unknown level {}", row.level))?;
        numbers.insert((row.plan_year, level), u32::try_from(row.last_number)?);
    }
    Ok(numbers)
}
