-- Palisade server schema: sensor heartbeats and the containers they report running. Portable
-- like 0001 (TEXT, BIGINT; times as fixed-width RFC 3339 UTC text).

-- One row per node with a sensor (key: sha256 of cluster and node name), from its latest
-- heartbeat.
CREATE TABLE sensor_nodes (
    key TEXT PRIMARY KEY,
    cluster TEXT,
    node TEXT NOT NULL,
    version TEXT NOT NULL,
    collector TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    drops TEXT NOT NULL,
    dropped BIGINT NOT NULL,
    containers BIGINT NOT NULL,
    heartbeats BIGINT NOT NULL,
    first_seen TEXT NOT NULL,
    last_heartbeat TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX sensor_nodes_cluster ON sensor_nodes (cluster, node);

-- The containers a node's latest heartbeat listed as running (a heartbeat replaces the
-- node's previous list).
CREATE TABLE running_containers (
    node_key TEXT NOT NULL,
    container_id TEXT NOT NULL,
    cluster TEXT,
    node TEXT NOT NULL,
    name TEXT,
    image TEXT,
    image_digest TEXT,
    pod_name TEXT,
    namespace TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (node_key, container_id)
);
CREATE INDEX running_containers_digest ON running_containers (image_digest);
