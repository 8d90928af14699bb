//! Pure domain rules. Nothing here touches the database or HTTP: this is where the
//! regulations and the product's rules live, tested without a server.

pub mod acceptance;
pub mod adjustment;
pub mod appraisal;
pub mod calendar;
pub mod caps;
pub mod contract;
pub mod document;
pub mod dossier;
pub mod evaluation;
pub mod facility;
pub mod format;
pub mod funding;
pub mod input;
pub mod money;
pub mod organisation;
pub mod payment;
pub mod policy;
pub mod progress;
pub mod proposal;
pub mod report;
pub mod role;
pub mod search;
pub mod step;
pub mod transition;
pub mod username;
