//! The graph as SQL tables in an in-memory SQLite database, read-only once loaded.
//!
//! - `nodes(id, key, kind, name, namespace, props)`: `props` is a JSON object.
//! - `edges(src, dst, kind, attack, evidence, fix)`: `attack` is 1 for attack steps (kinds
//!   in `edge_kinds`), 0 for structure (`has_container`, `runs_image`, `runs_as`, ...).
//! - `edge_kinds(id, title, mitre, origin, likelihood, condition, fix)`.
//! - One view per node kind (`workloads`, `containers`, `images`, `vulnerabilities`,
//!   `service_accounts`, ...) with `id, key, name, namespace` and one typed column per
//!   property that nodes of that kind carry (booleans are 0/1).

use std::collections::BTreeSet;

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use crate::edges::EDGE_KINDS;
use crate::model::{Graph, NODE_KINDS};
use crate::GraphError;

/// A query's answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Rows beyond the limit were left out.
    pub truncated: bool,
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Loads the graph into a new in-memory database.
pub fn load(g: &Graph) -> Result<Connection, GraphError> {
    let mut conn = Connection::open_in_memory()?;
    conn.execute_batch(
        "CREATE TABLE nodes (id INTEGER PRIMARY KEY, key TEXT NOT NULL, kind TEXT NOT NULL,
             name TEXT NOT NULL, namespace TEXT, props TEXT NOT NULL);
         CREATE TABLE edges (src INTEGER NOT NULL, dst INTEGER NOT NULL, kind TEXT NOT NULL,
             attack INTEGER NOT NULL, evidence TEXT, fix TEXT);
         CREATE TABLE edge_kinds (id TEXT PRIMARY KEY, title TEXT, mitre TEXT, origin TEXT,
             likelihood REAL, condition TEXT, fix TEXT);",
    )?;
    let tx = conn.transaction()?;
    {
        let mut ins = tx.prepare(
            "INSERT INTO nodes (id, key, kind, name, namespace, props) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, n) in g.nodes.iter().enumerate() {
            let props = serde_json::to_string(&n.props).unwrap_or_else(|_| "{}".into());
            ins.execute(rusqlite::params![
                i as i64,
                n.key,
                n.kind.as_str(),
                n.name,
                n.namespace,
                props
            ])?;
        }
        let mut ins = tx.prepare(
            "INSERT INTO edges (src, dst, kind, attack, evidence, fix) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for e in &g.edges {
            ins.execute(rusqlite::params![
                e.from as i64,
                e.to as i64,
                e.kind,
                e.attack as i64,
                (!e.evidence.is_empty()).then_some(e.evidence.as_str()),
                (!e.fix.is_empty()).then_some(e.fix.as_str()),
            ])?;
        }
        let mut ins = tx.prepare("INSERT INTO edge_kinds VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for k in EDGE_KINDS {
            ins.execute(rusqlite::params![
                k.id,
                k.title,
                k.mitre,
                k.origin,
                k.likelihood,
                k.condition,
                k.fix
            ])?;
        }
    }
    tx.commit()?;
    conn.execute_batch(
        "CREATE INDEX nodes_kind ON nodes(kind); CREATE INDEX nodes_key ON nodes(key);
         CREATE INDEX edges_src ON edges(src, kind); CREATE INDEX edges_dst ON edges(dst, kind);
         CREATE INDEX edges_kind ON edges(kind);",
    )?;
    for kind in NODE_KINDS {
        let keys: BTreeSet<&str> = g
            .nodes
            .iter()
            .filter(|n| n.kind == *kind)
            .flat_map(|n| n.props.keys().map(String::as_str))
            .filter(|k| !matches!(*k, "id" | "key" | "name" | "namespace"))
            .collect();
        let mut cols = String::new();
        for k in keys {
            cols.push_str(&format!(
                ", json_extract(props, '$.{}') AS {}",
                k.replace('\'', "''"),
                quote(k)
            ));
        }
        conn.execute_batch(&format!(
            "CREATE VIEW {} AS SELECT id, key, name, namespace{cols} FROM nodes WHERE kind = '{}';",
            kind.view(),
            kind.as_str()
        ))?;
    }
    conn.execute_batch("PRAGMA query_only = ON;")?;
    Ok(conn)
}

/// Runs one statement; at most `max_rows` rows are kept.
pub fn query(conn: &Connection, sql: &str, max_rows: usize) -> Result<Table, GraphError> {
    let mut stmt = conn.prepare(sql)?;
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let n = columns.len();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    let mut truncated = false;
    while let Some(row) = rows.next()? {
        if out.len() >= max_rows {
            truncated = true;
            break;
        }
        let mut r = Vec::with_capacity(n);
        for i in 0..n {
            r.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(x) => Value::from(x),
                ValueRef::Real(x) => Value::from(x),
                ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::from(format!("<{} bytes>", b.len())),
            });
        }
        out.push(r);
    }
    Ok(Table {
        columns,
        rows: out,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_have_typed_columns_and_the_database_is_read_only() {
        let cx = crate::fixture_graph(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostPID: true, containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n",
            "",
            "",
        )
        .unwrap();
        let conn = load(&cx.g).unwrap();
        let t = query(
            &conn,
            "SELECT key, privileged, host_pid FROM containers",
            10,
        )
        .unwrap();
        assert_eq!(
            t.rows,
            vec![vec![
                Value::from("container/Pod/a/p/c"),
                Value::from(1),
                Value::from(1)
            ]]
        );
        let t = query(
            &conn,
            "SELECT kind, count(*) FROM edges WHERE attack = 1 AND kind LIKE 'ce_%' GROUP BY kind ORDER BY kind",
            10,
        )
        .unwrap();
        assert_eq!(
            t.rows,
            vec![
                vec![Value::from("ce_nsenter"), Value::from(1)],
                vec![Value::from("ce_privileged_mount"), Value::from(1)]
            ]
        );
        assert!(query(&conn, "DELETE FROM nodes", 10).is_err());
        assert!(query(&conn, "SELECT nope FROM", 10).is_err());
        let t = query(&conn, "SELECT id FROM nodes", 2).unwrap();
        assert!(t.truncated);
    }
}
