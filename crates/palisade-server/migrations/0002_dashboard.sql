-- Palisade server schema, version 2: dashboard sessions and alert suppression rules.
-- Portable like 0001 (TEXT, BIGINT; keys made by the server; times as fixed-width RFC 3339).

-- A dashboard login: the session id is 256 random bits in the browser's cookie; only its
-- SHA-256 is stored. A session acts as the token it was opened with (that token's role; a
-- revoked token ends its sessions). `csrf` is the token every form of the session carries.
CREATE TABLE dashboard_sessions (
    id_sha256 TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- A suppression rule: a newly ingested alert of `rule_id` that matches every field given
-- (NULL = any) is stored Dismissed with the rule named as its reason.
CREATE TABLE suppression_rules (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    cluster TEXT,
    namespace TEXT,
    image TEXT,
    process_name TEXT,
    container_name TEXT,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX suppression_rules_rule ON suppression_rules (rule_id);

-- The overview's alerts-per-day chart reads the last 30 days of documents.
CREATE INDEX alert_occurrences_time ON alert_occurrences (time);
