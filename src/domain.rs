//! Pure domain rules. Nothing here touches the database or HTTP: this is where the
//! regulations and the product's rules live, tested without a server.

pub mod facility;
pub mod format;
pub mod money;
pub mod organisation;
pub mod policy;
pub mod proposal;
pub mod role;
pub mod transition;
pub mod username;
