//! Documents: a proposal's files are attached and removed, each an entry on its timeline
//! (nobody is told). Who may do it in which state is the policy's (`policy::may_attach`);
//! the photos of an appraisal visit are attached under the visit's own permission.

use serde_json::json;
use sqlx::PgConnection;
use tracing::instrument;

use super::{Act, StepResult, record};
use crate::db;
use crate::db::documents::{NewDocument, Owner};
use crate::domain::policy;
use crate::domain::step::Entry;
use crate::error::AppError;

/// Attaches `documents` (stored already) to `owner`, if the actor may in the state it was
/// seen in. Each new one's id; `None` for a file attached already under the same kind.
#[instrument(skip_all, fields(proposal.id = owner.id, actor.id = act.by.user_id), err)]
pub async fn attach(
    conn: &mut PgConnection,
    act: &Act<'_>,
    owner: &Owner,
    documents: &[NewDocument],
) -> StepResult<Vec<Option<i64>>> {
    may_attach(act, owner)?;
    attach_photos(conn, act, owner, documents).await
}

/// Attaches the photos of an appraisal visit to `owner`: the visit's page checked who may.
#[instrument(skip_all, fields(proposal.id = owner.id, actor.id = act.by.user_id), err)]
pub async fn attach_photos(
    conn: &mut PgConnection,
    act: &Act<'_>,
    owner: &Owner,
    documents: &[NewDocument],
) -> StepResult<Vec<Option<i64>>> {
    let by = act.by.user_id;
    let ids =
        db::documents::insert_for_proposal(conn, owner.id, owner.state, by, documents).await?;
    for (d, id) in documents.iter().zip(&ids) {
        if let Some(id) = id {
            entry(
                conn,
                act,
                owner,
                Entry::AttachDocument,
                *id,
                (&d.kind_code, &d.file_name),
            )
            .await?;
        }
    }
    Ok(ids)
}

/// Removes document `id` of `owner`, if the actor may in the state it was seen in; its
/// file name.
#[instrument(skip_all, fields(proposal.id = owner.id, actor.id = act.by.user_id), err)]
pub async fn remove(
    conn: &mut PgConnection,
    act: &Act<'_>,
    owner: &Owner,
    id: i64,
) -> StepResult<String> {
    may_attach(act, owner)?;
    let by = act.by.user_id;
    let removed = db::documents::remove(conn, owner.id, owner.state, id, by).await?;
    let named = (removed.kind_code.as_str(), removed.file_name.as_str());
    entry(conn, act, owner, Entry::RemoveDocument, id, named).await?;
    Ok(removed.file_name)
}

fn may_attach(act: &Act<'_>, owner: &Owner) -> StepResult<()> {
    if policy::may_attach(act.by.role, owner.state) {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

/// The timeline's entry of a document attached or removed: its id, kind and name.
async fn entry(
    conn: &mut PgConnection,
    act: &Act<'_>,
    owner: &Owner,
    step: Entry,
    id: i64,
    (kind, name): (&str, &str),
) -> Result<(), AppError> {
    let details = json!({ "document_id": id, "kind": kind, "name": name });
    let state = (owner.state, owner.state);
    record(conn, act, owner.id, step.into(), state, "", details).await
}
