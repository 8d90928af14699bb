//! What every page needs, resolved once per request by [`middleware`]: the signed-in user
//! (from the session cookie), the language, and the flash message. The same middleware
//! owns every cookie the application sets, renders error pages inside the shell, and marks
//! pages `Cache-Control: no-store`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::auth::token;
use crate::db::sessions::SessionUser;
use crate::domain::policy::{self, Actor, Permission};
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::state::AppState;

mod error_page;
use error_page::render_error;

const SESSION_COOKIE: &str = "kc_session";
const LANG_COOKIE: &str = "kc_lang";
const FLASH_COOKIE: &str = "kc_flash";

/// A one-time message shown on the next page (after a redirect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `info` or `error` (a CSS class).
    pub level: &'static str,
    /// Catalogue key of the message.
    pub key: &'static str,
    /// Value for the message's `{value}` placeholder.
    pub value: String,
}

impl Flash {
    /// A success message.
    pub fn success(key: &'static str) -> Self {
        Self {
            level: "success",
            key,
            value: String::new(),
        }
    }

    /// A message about something that did not happen.
    pub fn error(key: &'static str) -> Self {
        Self {
            level: "error",
            key,
            value: String::new(),
        }
    }

    /// An informational message.
    pub fn info(key: &'static str) -> Self {
        Self {
            level: "info",
            key,
            value: String::new(),
        }
    }

    /// Fills the message's `{value}` placeholder.
    pub fn with(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    fn encode(&self) -> String {
        let raw = format!("{}|{}|{}", self.level, self.key, self.value);
        url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
    }

    /// Only known levels and catalogue keys are accepted back, so a forged cookie can at
    /// most show another of our own messages.
    fn decode(cookie: &str) -> Option<Self> {
        let raw: String = url::form_urlencoded::parse(format!("x={cookie}").as_bytes())
            .next()?
            .1
            .into_owned();
        let mut parts = raw.splitn(3, '|');
        let level = match parts.next()? {
            "success" => "success",
            "info" => "info",
            "error" => "error",
            _ => return None,
        };
        let wanted = parts.next()?;
        let key = i18n::keys(Lang::Vi).find(|k| *k == wanted)?;
        let value: String = parts.next().unwrap_or_default().chars().take(200).collect();
        Some(Self { level, key, value })
    }
}

/// The request's context, put in the request extensions by [`middleware`].
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The signed-in user, if any.
    pub user: Option<Arc<SessionUser>>,
    /// The interface language.
    pub lang: Lang,
    /// The flash message to show, if any.
    pub flash: Option<Flash>,
    /// The path and query of the request (for the language switch).
    pub path_and_query: String,
    /// The digest of the session token, to end the session at logout.
    pub session_digest: Option<Vec<u8>>,
}

/// What a handler asks the middleware to do with cookies and sessions.
#[derive(Clone, Debug)]
pub enum SessionChange {
    /// Set a new session cookie (sign-in).
    Start(String),
    /// Remove the session cookie (sign-out).
    End,
}

impl IntoResponseParts for SessionChange {
    type Error = std::convert::Infallible;
    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.extensions_mut().insert(self);
        Ok(res)
    }
}

impl IntoResponseParts for Flash {
    type Error = std::convert::Infallible;
    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.extensions_mut().insert(self);
        Ok(res)
    }
}

/// Resolves the context before the handler, and applies cookies, error pages and caching
/// rules after it.
pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let query_lang = request
        .uri()
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang"))
        .and_then(|(_, v)| Lang::from_code(&v));
    let cookie_lang = jar
        .get(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()));
    let lang = query_lang.or(cookie_lang).unwrap_or_default();

    let session_digest = jar.get(SESSION_COOKIE).map(|c| token::digest(c.value()));
    let user = match &session_digest {
        Some(digest) => match load_user(&state, digest).await {
            Ok(user) => user,
            Err(error) => return render_error(error.into_response(), lang, None, String::new()),
        },
        None => None,
    };
    if let Some(user) = &user {
        tracing::Span::current().record("user.id", user.user_id);
    }
    let had_flash = jar.get(FLASH_COOKIE).is_some();
    let flash = jar.get(FLASH_COOKIE).and_then(|c| Flash::decode(c.value()));
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());

    request.extensions_mut().insert(RequestContext {
        user: user.clone(),
        lang,
        flash,
        path_and_query: path_and_query.clone(),
        session_digest,
    });

    let response = next.run(request).await;
    let mut response = render_error(response, lang, user, path_and_query);

    let chosen_lang = query_lang.filter(|l| Some(*l) != cookie_lang);
    set_cookies(
        &mut response,
        state.config.cookie_secure(),
        had_flash,
        chosen_lang,
    );
    // Pages may hold personal data: never keep them in a shared or browser cache.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Sets the cookies the response asks for: the session started or ended, the flash to show
/// next (or the one shown removed), and a language the user `chosen_lang`.
fn set_cookies(response: &mut Response, secure: bool, had_flash: bool, chosen_lang: Option<Lang>) {
    let mut cookies: Vec<Cookie<'static>> = Vec::new();
    match response.extensions_mut().remove::<SessionChange>() {
        Some(SessionChange::Start(token)) => {
            cookies.push(cookie(SESSION_COOKIE, token, secure, None))
        }
        Some(SessionChange::End) => cookies.push(removal(SESSION_COOKIE, secure)),
        None => {}
    }
    match response.extensions_mut().remove::<Flash>() {
        Some(flash) => cookies.push(cookie(FLASH_COOKIE, flash.encode(), secure, None)),
        None if had_flash => cookies.push(removal(FLASH_COOKIE, secure)),
        None => {}
    }
    if let Some(lang) = chosen_lang {
        // Remembered for a year: the choice outlives sessions.
        let year = time::Duration::days(365);
        cookies.push(cookie(
            LANG_COOKIE,
            lang.code().to_owned(),
            secure,
            Some(year),
        ));
    }
    for c in cookies {
        if let Ok(value) = HeaderValue::from_str(&c.encoded().to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
}

async fn load_user(state: &AppState, digest: &[u8]) -> Result<Option<Arc<SessionUser>>, AppError> {
    let Some(user) =
        crate::db::sessions::find_user(&state.db, digest, state.config.session_idle).await?
    else {
        return Ok(None);
    };
    // Refresh the idle clock at most once a minute rather than on every request.
    if time::OffsetDateTime::now_utc() - user.last_seen_at > time::Duration::minutes(1) {
        crate::db::sessions::touch(&state.db, digest).await?;
    }
    Ok(Some(Arc::new(user)))
}

fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Option<time::Duration>,
) -> Cookie<'static> {
    let mut builder = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(age) = max_age {
        builder = builder.max_age(age);
    }
    builder.build()
}

fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    cookie(name, String::new(), secure, Some(time::Duration::ZERO))
}

/// A link in the main navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Catalogue key of the label.
    pub label_key: &'static str,
}

/// Everything the page shell (templates/layout.html) needs. Every page template has one.
#[derive(Clone, Debug)]
pub struct PageContext {
    /// The interface language.
    pub lang: Lang,
    /// The signed-in user.
    pub user: Option<Arc<SessionUser>>,
    /// The flash message.
    pub flash: Option<Flash>,
    /// Navigation for the user's role.
    pub nav: Vec<NavItem>,
    path_and_query: String,
}

impl From<RequestContext> for PageContext {
    fn from(request: RequestContext) -> Self {
        let nav = request.user.as_deref().map(navigation).unwrap_or_default();
        Self {
            lang: request.lang,
            user: request.user,
            flash: request.flash,
            nav,
            path_and_query: request.path_and_query,
        }
    }
}

impl PageContext {
    /// An amount of money as Vietnamese users read it.
    pub fn money(&self, amount: &i64) -> String {
        crate::domain::money::format_vnd(*amount)
    }

    /// A moment, as `dd/mm/yyyy hh:mm` in Vietnam's time.
    pub fn date_time(&self, at: &time::OffsetDateTime) -> String {
        crate::domain::format::date_time(*at)
    }

    /// A day, as `dd/mm/yyyy`.
    pub fn day(&self, date: &time::Date) -> String {
        crate::domain::format::date(*date)
    }

    /// A month, as `mm/yyyy`.
    pub fn month(&self, date: &time::Date) -> String {
        crate::domain::format::month(*date)
    }

    /// A share in basis points, as a percentage in the page's language (`70`, `12,5`).
    pub fn percent(&self, bp: &u32) -> String {
        crate::domain::format::format_percent(*bp, self.lang)
    }

    /// A share in basis points as a rounded percentage (`93,5 %`), a dash when there is
    /// nothing to divide by.
    pub fn share(&self, bp: Option<u32>) -> String {
        bp.map_or_else(
            || "—".to_owned(),
            |bp| crate::domain::report::Figure::Percent(bp).render(self.lang),
        )
    }

    /// Tenths (`5,3`), a dash when there are none.
    pub fn tenths(&self, tenths: Option<u32>) -> String {
        tenths.map_or_else(
            || "—".to_owned(),
            |t| crate::domain::report::Figure::Tenths(t).render(self.lang),
        )
    }

    /// A count grouped by thousands (`1.234`, `1,234`).
    pub fn count(&self, n: &i64) -> String {
        crate::domain::report::Figure::Count(*n).render(self.lang)
    }

    /// A day spelled out, as official papers date themselves (`ngày 05 tháng 3 năm 2024`).
    pub fn long_day(&self, date: &time::Date) -> String {
        crate::domain::format::long_date(*date, self.lang == Lang::Vi)
    }

    /// An hour of the day as `08:30`; nothing when there is none.
    pub fn hour(&self, time: &Option<time::Time>) -> String {
        time.map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
            .unwrap_or_default()
    }

    /// An appraisal score from tenths of a point: `85,6` (vi) or `85.6` (en).
    pub fn score(&self, tenths: &i16) -> String {
        crate::domain::appraisal::format_score(
            u16::try_from(*tenths).unwrap_or(0),
            self.lang == Lang::Vi,
        )
    }

    /// Of a record's two names, the one in the page's language.
    pub fn localised<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The message for `key` in the page's language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }

    /// The message for `key` with its `{value}` placeholder filled.
    pub fn t_with(&self, key: &str, value: &str) -> String {
        i18n::t_with(self.lang, key, &[("value", value)])
    }

    /// The flash message, filled in.
    pub fn flash_text(&self) -> String {
        self.flash
            .as_ref()
            .map(|f| i18n::t_with(self.lang, f.key, &[("value", &f.value)]))
            .unwrap_or_default()
    }

    /// This page in the other language.
    pub fn switch_href(&self, lang: &str) -> String {
        let (path, query) = self
            .path_and_query
            .split_once('?')
            .unwrap_or((&self.path_and_query, ""));
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.push(("lang".into(), lang.into()));
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{path}?{query}")
    }

    /// Whether `href` is the current section (for highlighting the navigation).
    pub fn is_current(&self, href: &str) -> bool {
        let path = self.path_and_query.split('?').next().unwrap_or("/");
        if href == "/" {
            path == "/"
        } else {
            path.starts_with(href)
        }
    }
}

fn navigation(user: &SessionUser) -> Vec<NavItem> {
    let role = user.role;
    let mut items = vec![NavItem {
        href: "/",
        label_key: "nav.home",
    }];
    let links = [
        (Permission::ViewProposals, "/proposals", "nav.proposals"),
        (Permission::ViewFacilities, "/facilities", "nav.facilities"),
        (Permission::ViewVisits, "/appraisals", "nav.appraisals"),
        // Who sees the visits follows the work after them; an owner follows its own page.
        (Permission::ViewVisits, "/progress", "nav.progress"),
        (Permission::ViewFunding, "/funding", "nav.funding"),
        (Permission::ViewReports, "/reports", "nav.reports"),
        (Permission::ManageUsers, "/admin/users", "nav.users"),
        (
            Permission::ViewOrganisations,
            "/admin/organisations",
            "nav.organisations",
        ),
        (
            Permission::ViewReference,
            "/admin/reference",
            "reference.nav",
        ),
    ];
    for (permission, href, label_key) in links {
        if policy::allows(role, permission) {
            items.push(NavItem { href, label_key });
        }
    }
    items
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let request = parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("context middleware missing")))?;
        Ok(Self::from(request))
    }
}

/// A signed-in user; pages that need one take this extractor, and anonymous requests are
/// sent to the login page and brought back afterwards.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Arc<SessionUser>);

impl CurrentUser {
    /// The user as the policy sees them.
    pub fn actor(&self) -> Actor {
        let u = &self.0;
        Actor {
            user_id: u.user_id,
            role: u.role,
            province_code: u.province_code.clone(),
            organisation_id: u.organisation_id,
            area_unit_id: u.area_unit_id,
            facility_id: u.facility_id,
        }
    }

    /// Whether the role has `permission` (what a page offers).
    pub fn may(&self, permission: Permission) -> bool {
        policy::allows(self.0.role, permission)
    }

    /// Refuses unless the role has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The scope of records this user sees, as query parameters.
    pub fn scope(&self) -> crate::db::scope::ScopeParams {
        (&policy::record_scope(&self.actor())).into()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let context = parts.extensions.get::<RequestContext>();
        match context.and_then(|c| c.user.clone()) {
            Some(user) => Ok(Self(user)),
            None => Err(AppError::Unauthenticated {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/", |pq| pq.as_str())
                    .to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_messages_survive_the_cookie_and_forgeries_do_not() {
        let flash = Flash::success("flash.user_created").with("canbo | 1");
        assert_eq!(Flash::decode(&flash.encode()), Some(flash));
        assert_eq!(Flash::decode("success%7C%3Cscript%3E%7Cx"), None);
        assert_eq!(Flash::decode("evil%7Cflash.user_created%7Cx"), None);
    }
}
