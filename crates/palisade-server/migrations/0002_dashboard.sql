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

-- Alert documents per day (of their event time) and severity, kept by ingest: the overview's
-- chart reads 30 rows per severity instead of every document. Filled from the documents
-- already stored.
CREATE TABLE alert_daily_counts (
    day TEXT NOT NULL,
    severity TEXT NOT NULL,
    documents BIGINT NOT NULL,
    PRIMARY KEY (day, severity)
);
INSERT INTO alert_daily_counts (day, severity, documents)
    SELECT SUBSTR(o.time, 1, 10), a.severity, COUNT(*) FROM alert_occurrences o
    JOIN alerts a ON a.id = o.alert_id GROUP BY SUBSTR(o.time, 1, 10), a.severity;

-- The overview counts active alerts by severity from the index alone.
CREATE INDEX alerts_status_severity ON alerts (status, severity);
