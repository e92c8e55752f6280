-- campaignd 0008: reference campaigns of collaborative packages and their processes.

CREATE TABLE central.reference_campaigns (
    package_id bigint      PRIMARY KEY REFERENCES central.packages (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    status     text        NOT NULL DEFAULT 'being_edited'
                           CHECK (status IN ('being_edited', 'running', 'cancelled')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE central.reference_campaigns IS 'The campaign a collaborative package runs for all its entities';

-- Workflows and deliveries the campaign execution engine registers and reports on.
-- A reinitialize archives them (they stay for history, out of the package detail).
CREATE TABLE central.processes (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    package_id  bigint      NOT NULL REFERENCES central.reference_campaigns (package_id) ON DELETE CASCADE,
    revision    integer     NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('workflow', 'delivery')),
    name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    status      text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'paused', 'stopped', 'finished')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz
);
CREATE INDEX processes_package_idx ON central.processes (package_id, id) WHERE archived_at IS NULL;

-- Outbox of what the execution engine must act on (a process stopped by campaignd).
-- Each row is also announced on the NOTIFY channel campaignd_processes.
CREATE TABLE central.process_events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    process_id bigint      NOT NULL REFERENCES central.processes (id) ON DELETE CASCADE,
    package_id bigint      NOT NULL,
    event      text        NOT NULL CHECK (event IN ('stopped', 'paused', 'resumed', 'finished', 'reset')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX process_events_process_idx ON central.process_events (process_id, id);

-- Collaborative packages created before this migration get their reference campaign.
INSERT INTO central.reference_campaigns (package_id, name)
SELECT id, campaign_name FROM central.packages WHERE type = 'collaborative';
