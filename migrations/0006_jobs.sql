-- campaignd 0006: the queue of cancel / reinitialize / publish jobs.

CREATE TABLE central.jobs (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,63}$'),
    package_id       bigint      REFERENCES central.packages (id),
    revision         integer,
    -- One job per (package, action, revision): a double click or a replay finds it.
    unique_key       text        UNIQUE,
    payload          jsonb       NOT NULL DEFAULT '{}',
    status           text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer     NOT NULL DEFAULT 8 CHECK (max_attempts >= 1),
    run_at           timestamptz NOT NULL DEFAULT now(),
    lease_expires_at timestamptz,
    worker           text,
    last_error       text,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz
);
COMMENT ON TABLE central.jobs IS 'Work the daemon''s workers do outside the request: claim with FOR UPDATE SKIP LOCKED';
CREATE INDEX jobs_ready_idx ON central.jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON central.jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_status_idx ON central.jobs (status, id);
CREATE INDEX jobs_package_idx ON central.jobs (package_id, id);
CREATE INDEX jobs_finished_idx ON central.jobs (finished_at) WHERE status IN ('succeeded', 'failed');

ALTER TABLE central.packages
    ADD CONSTRAINT packages_pending_job_id_fkey FOREIGN KEY (pending_job_id) REFERENCES central.jobs (id);
