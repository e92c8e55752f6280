-- campaignd 0003: local entities, campaign packages and their audiences.

CREATE TABLE central.entities (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text        NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL
);
COMMENT ON TABLE central.entities IS 'Local entities (branches, agencies, franchisees) that order packages';

ALTER TABLE central.api_tokens
    ADD CONSTRAINT api_tokens_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES central.entities (id) ON DELETE CASCADE;

CREATE TABLE central.packages (
    id                    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label                 text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    type                  text        NOT NULL CHECK (type IN ('local', 'collaborative')),
    description           text        NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    campaign_name         text        NOT NULL CHECK (length(btrim(campaign_name)) BETWEEN 1 AND 200),
    campaign_folder       text        NOT NULL CHECK (length(btrim(campaign_folder)) BETWEEN 1 AND 200),
    -- true: every local entity; false: the rows of central.package_audience.
    audience_all          boolean     NOT NULL DEFAULT true,
    approval_mode         text        NOT NULL DEFAULT 'manual' CHECK (approval_mode IN ('manual', 'automatic')),
    allows_several_orders boolean     NOT NULL DEFAULT false,
    visible_from          timestamptz,
    visible_until         timestamptz,
    available_at          timestamptz,
    order_deadline        timestamptz,
    approval_deadline     timestamptz,
    settings              jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    status                text        NOT NULL DEFAULT 'being_edited' CHECK (status IN
                              ('being_edited', 'pending_approval', 'approved', 'rejected', 'published', 'cancelled')),
    revision              integer     NOT NULL DEFAULT 1 CHECK (revision >= 1),
    -- Optimistic concurrency: bumped by every change, compared with If-Match.
    version               bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- A cancel or reinitialize job accepted but not yet applied: other actions wait for it.
    pending_job_id        bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    created_by            text        NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    updated_by            text        NOT NULL,
    -- Who, when and why of the last cancel or reinitialize (the journal keeps them all).
    last_action           text        CHECK (last_action IN ('cancel', 'reinitialize')),
    last_action_at        timestamptz,
    last_action_by        text,
    last_action_comment   text,
    CHECK (visible_from IS NULL OR visible_until IS NULL OR visible_from <= visible_until),
    CHECK (available_at IS NULL OR order_deadline IS NULL OR available_at <= order_deadline),
    CHECK (approval_deadline IS NULL OR available_at IS NULL OR approval_deadline <= available_at)
);
COMMENT ON TABLE central.packages IS 'Campaign packages of the catalogue; late and unavailable are computed, not stored';

-- The package list filters on status (several at once), type, late, unavailable and
-- label, newest first with an id cursor: one index range per status, merged by id.
CREATE INDEX packages_status_id_idx ON central.packages (status, id);
CREATE INDEX packages_status_type_id_idx ON central.packages (status, type, id);
CREATE INDEX packages_type_id_idx ON central.packages (type, id);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX packages_label_trgm_idx ON central.packages USING gin (label gin_trgm_ops);

CREATE TABLE central.package_audience (
    package_id bigint NOT NULL REFERENCES central.packages (id) ON DELETE CASCADE,
    entity_id  bigint NOT NULL REFERENCES central.entities (id) ON DELETE CASCADE,
    PRIMARY KEY (package_id, entity_id)
);
COMMENT ON TABLE central.package_audience IS 'The local entities a package is offered to, when not all of them';
-- The catalogue of one entity.
CREATE INDEX package_audience_entity_idx ON central.package_audience (entity_id, package_id);
