//! The page shell (head, navigation, the logged-in user and logout) and small shared pieces:
//! severity badges, times, the hidden CSRF field.

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::session::Session;
use super::NAV;

/// A page for a logged-in user; `active` is the navigation path it belongs to.
pub fn page(session: &Session, active: &str, title: &str, body: Markup) -> Response {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · Palisade" }
                    link rel="stylesheet" href="/static/dashboard.css";
                }
                body {
                    header.top {
                        a.brand href="/" { "Palisade" }
                        nav {
                            @for p in NAV {
                                @if session.may(p.roles) {
                                    @if p.path == active {
                                        a.active href=(p.path) aria-current="page" { (p.title) }
                                    } @else {
                                        a href=(p.path) { (p.title) }
                                    }
                                }
                            }
                        }
                        div.who {
                            span #who { (session.caller.name) }
                            span.role { (session.caller.role.as_str()) }
                            form.inline method="post" action="/logout" {
                                (csrf(session))
                                button.link #logout type="submit" { "Log out" }
                            }
                        }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
    .into_response()
}

/// A page without the navigation (login, errors).
pub fn bare(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · Palisade" }
                    link rel="stylesheet" href="/static/dashboard.css";
                }
                body.bare { (body) }
            }
        }
        .into_string(),
    )
}

pub fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// The CSS class of a severity (`CRITICAL` → `sev-critical`).
pub fn sev_class(severity: &str) -> String {
    let s = severity.to_ascii_lowercase();
    match s.as_str() {
        "critical" | "high" | "medium" | "low" => format!("sev-{s}"),
        _ => "sev-unknown".into(),
    }
}

pub fn severity(severity: &str) -> Markup {
    html! { span class={ "badge " (sev_class(severity)) } { (severity) } }
}

pub fn status(status: &str) -> Markup {
    html! { span class={ "status st-" (status.to_ascii_lowercase()) } { (status) } }
}

/// `2026-03-02T10:00:05.000000Z` → `2026-03-02 10:00:05` (the full time in the title).
pub fn time(t: &str) -> Markup {
    let short = if t.len() >= 19 {
        format!("{} {}", &t[..10], &t[11..19])
    } else {
        t.to_string()
    };
    html! { time datetime=(t) title=(t) { (short) } }
}

/// Text or a dash.
pub fn opt(v: Option<&str>) -> Markup {
    html! {
        @match v {
            Some(v) if !v.is_empty() => (v),
            _ => span.muted { "—" },
        }
    }
}

pub const SEVERITIES: &[&str] = &["CRITICAL", "HIGH", "MEDIUM", "LOW"];

/// A `<select>` of `options` (value = label) with an "any" choice.
pub fn select(name: &str, label: &str, options: &[&str], current: Option<&str>) -> Markup {
    html! {
        label {
            span { (label) }
            select name=(name) {
                option value="" { "any" }
                @for o in options {
                    option value=(o) selected[current == Some(*o)] { (o) }
                }
            }
        }
    }
}

pub fn text_input(name: &str, label: &str, current: Option<&str>) -> Markup {
    html! {
        label {
            span { (label) }
            input type="text" name=(name) value=(current.unwrap_or(""));
        }
    }
}
