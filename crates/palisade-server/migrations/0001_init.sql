-- Palisade server schema, version 1. One file for SQLite and PostgreSQL: only portable types
-- (TEXT, BIGINT, DOUBLE PRECISION), no autoincrement (keys are made by the server), times as
-- fixed-width RFC 3339 UTC text (`2026-12-07T21:58:09.000000Z`) so they sort as text.

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE audit_trail (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_trail_target ON audit_trail (target, at);

-- One row per group of repeats: the same rule on the same resource.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    rule_id TEXT,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    cluster TEXT,
    node TEXT,
    namespace TEXT,
    resource TEXT NOT NULL,
    image TEXT,
    message TEXT NOT NULL,
    tactics TEXT NOT NULL,
    techniques TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    hits BIGINT NOT NULL,
    occurrences BIGINT NOT NULL,
    latest_occurrence TEXT NOT NULL
);
CREATE INDEX alerts_last_seen ON alerts (last_seen, id);
CREATE INDEX alerts_status ON alerts (status, last_seen);
CREATE INDEX alerts_severity ON alerts (severity, last_seen);

-- Every alert document received, once (key: source, cluster or node, the alert's own id).
CREATE TABLE alert_occurrences (
    key TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    time TEXT NOT NULL,
    hits BIGINT NOT NULL,
    document TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX alert_occurrences_alert ON alert_occurrences (alert_id, time);

CREATE TABLE images (
    digest TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    manifest_digest TEXT,
    config_digest TEXT,
    repo_tags TEXT NOT NULL,
    repo_digests TEXT NOT NULL,
    os TEXT,
    architecture TEXT,
    packages_scanned BIGINT NOT NULL,
    findings BIGINT NOT NULL,
    critical BIGINT NOT NULL,
    high BIGINT NOT NULL,
    fixable BIGINT NOT NULL,
    kev BIGINT NOT NULL,
    databases TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_scanned TEXT NOT NULL
);

-- Every scan report received, once (key: sha256 of the document).
CREATE TABLE scan_reports (
    sha256 TEXT PRIMARY KEY,
    image_digest TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE vuln_findings (
    image_digest TEXT NOT NULL,
    vuln_id TEXT NOT NULL,
    purl TEXT NOT NULL,
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    fixed_version TEXT,
    status TEXT NOT NULL,
    kev BIGINT NOT NULL,
    epss DOUBLE PRECISION,
    summary TEXT,
    aliases TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (image_digest, vuln_id, purl)
);
CREATE INDEX vuln_findings_vuln ON vuln_findings (vuln_id);

-- Posture findings of the latest run of each scope (a later run replaces the earlier one).
CREATE TABLE posture_findings (
    key TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    check_id TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    category TEXT NOT NULL,
    api_version TEXT NOT NULL,
    kind TEXT NOT NULL,
    namespace TEXT,
    name TEXT NOT NULL,
    file TEXT NOT NULL,
    line BIGINT NOT NULL,
    pointer TEXT NOT NULL,
    message TEXT NOT NULL,
    remediation TEXT NOT NULL,
    patch_at TEXT NOT NULL,
    patch TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX posture_findings_scope ON posture_findings (scope);
CREATE INDEX posture_findings_check ON posture_findings (check_id);

CREATE TABLE posture_runs (
    sha256 TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    received_at TEXT NOT NULL,
    findings BIGINT NOT NULL
);
