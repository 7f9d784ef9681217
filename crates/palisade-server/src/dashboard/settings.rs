//! Settings (admins): API tokens (list, create: the secret shown once) and suppression rules
//! (list, create from the alert page's preview, delete).

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::{Role, ADMIN, ROLES};
use crate::suppress::{self, Matcher};

use super::layout::{self, opt};
use super::session::Session;
use super::{data, see_other, DashError, PageResult};

async fn render(s: &AppState, session: &Session, new_token: Option<Markup>) -> PageResult {
    session.require(ADMIN, "manage settings")?;
    let tokens = data::tokens(&s.db).await?;
    let rules = suppress::list(&s.db.pool).await?;
    let roles: Vec<&str> = ROLES.iter().map(|r| r.as_str()).collect();
    let body = html! {
        h1 { "Settings" }
        @if let Some(t) = new_token { (t) }
        section.panel #tokens {
            h2 { "API tokens" }
            table {
                thead { tr { th { "Name" } th { "Role" } th { "Created" } th { "By" } th { "Revoked" } } }
                tbody {
                    @for t in &tokens {
                        tr {
                            td { (t.name) div.muted.mono.small { (t.id) } }
                            td { span.role { (t.role) } }
                            td.small { (layout::time(&t.created_at)) }
                            td.small { (t.created_by) }
                            td.small { @match &t.revoked_at { Some(r) => (layout::time(r)), None => span.muted { "—" } } }
                        }
                    }
                }
            }
            h2 { "Create a token" }
            form.filters #create-token method="post" action="/settings/tokens" {
                (layout::csrf(session))
                (layout::text_input("name", "Name", None))
                label { span { "Role" }
                    select name="role" { @for r in &roles { option value=(r) selected[*r == "reader"] { (r) } } }
                }
                div.actions { button type="submit" { "Create token" } }
            }
        }
        section.panel #suppressions {
            h2 { "Suppression rules" }
            p.muted { "New alerts that match a rule are stored Dismissed, with the rule named as the reason. Create one from an alert's page." }
            @if rules.is_empty() {
                p.empty { "No suppression rules." }
            } @else {
                table {
                    thead { tr { th { "Rule" } th { "Cluster" } th { "Namespace" } th { "Image" } th { "Process" } th { "Container" } th { "Reason" } th { "Created" } th {} } }
                    tbody {
                        @for r in &rules {
                            tr data-id=(r.id) {
                                td.mono { (r.matcher.rule_id) }
                                td { (opt(r.matcher.cluster.as_deref())) }
                                td { (opt(r.matcher.namespace.as_deref())) }
                                td.clip { (opt(r.matcher.image.as_deref())) }
                                td { (opt(r.matcher.process_name.as_deref())) }
                                td { (opt(r.matcher.container_name.as_deref())) }
                                td { (r.reason) }
                                td.small { (layout::time(&r.created_at)) div.muted { (r.created_by) } }
                                td {
                                    form.inline method="post" action={ "/settings/suppressions/" (r.id) "/delete" } {
                                        (layout::csrf(session))
                                        button.danger type="submit" { "Delete" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(session, "/settings", "Settings", body))
}

pub async fn page(State(s): State<AppState>, session: Session) -> PageResult {
    render(&s, &session, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

pub async fn create_token(
    State(s): State<AppState>,
    session: Session,
    Form(f): Form<TokenForm>,
) -> PageResult {
    session.check_csrf(&f.csrf)?;
    session.require(ADMIN, "create tokens")?;
    let role: Role = f.role.parse().map_err(DashError::bad_request)?;
    let name = f.name.trim();
    let token = crate::auth::create_token(&s.db, role, name, &session.caller.who()).await?;
    let shown = html! {
        section.panel.notice #new-token {
            h2 { "Token created" }
            p { "The " strong { (role.as_str()) } " token " strong { (name) } " (shown once; copy it now):" }
            pre.code #new-token-value { (token) }
        }
    };
    render(&s, &session, Some(shown)).await
}

#[derive(Deserialize)]
pub struct NewRuleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(flatten)]
    matcher: Matcher,
}

pub async fn create_suppression(
    State(s): State<AppState>,
    session: Session,
    Form(f): Form<NewRuleForm>,
) -> PageResult {
    session.check_csrf(&f.csrf)?;
    session.require(ADMIN, "manage suppression rules")?;
    let m = f.matcher.normalized().map_err(DashError::bad_request)?;
    let reason = crate::api::suppression_reason(&f.reason)?;
    suppress::create(&s.db, m, reason, &session.caller.who()).await?;
    Ok(see_other("/settings#suppressions"))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete_suppression(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    session.check_csrf(&f.csrf)?;
    session.require(ADMIN, "manage suppression rules")?;
    if !suppress::delete(&s.db, &id, &session.caller.who()).await? {
        return Ok(DashError::not_found(format!("no suppression rule {id}")).into_response());
    }
    Ok(see_other("/settings#suppressions"))
}
