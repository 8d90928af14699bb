//! What a button on a proposal's page may carry (a version, the missing items and their due
//! date, a reason), as typed: the page shows it back, and the step reads it.

use serde::Deserialize;

use crate::domain::input;
use crate::domain::transition::Requirement;
use crate::web::form::FieldErrors;
use crate::workflow::intake::ButtonInput;

/// What a state change may carry.
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    pub(super) version: String,
    #[serde(default)]
    pub(super) missing_items: String,
    #[serde(default)]
    pub(super) due_date: String,
    #[serde(default)]
    pub(super) reason: String,
}

impl ActionForm {
    /// What the form says the step carries, as `requires` asks; the fields' errors if not.
    pub(super) fn input(&self, requires: Requirement) -> Result<ButtonInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let input = match requires {
            Requirement::MissingItemsAndDueDate => {
                let items = errors.required("missing_items", &self.missing_items, 5000);
                let due = errors
                    .check("due_date", input::date(&self.due_date))
                    .flatten();
                match due {
                    Some(due) => ButtonInput::MissingItems { items, due },
                    None => {
                        if errors.get("due_date").is_none() {
                            errors.add("due_date", "input.required");
                        }
                        ButtonInput::Nothing
                    }
                }
            }
            Requirement::Reason => {
                ButtonInput::Reason(errors.required("reason", &self.reason, 5000))
            }
            _ => ButtonInput::Nothing,
        };
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}
