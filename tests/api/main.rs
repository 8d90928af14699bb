//! Integration tests: the real server on a random port, a fresh PostgreSQL database per test
//! (`#[sqlx::test]`), driven over HTTP with a cookie-keeping client; browser tests drive
//! headless Chromium through chromedriver. One test binary, one link step.

mod acceptance;
mod adjustments;
mod admin;
mod advances;
mod appraisals;
mod auth;
mod browser;
mod cli;
mod contracts;
mod demo;
mod documents;
mod exports;
mod funding;
mod helpers;
mod intake;
mod lookup;
mod mail;
mod national;
mod operations;
mod pages;
mod payments;
mod print;
mod progress;
mod reference;
mod reminders;
mod reports;
mod rule_tables;
mod scope;
mod security;
mod stops;
mod world;
