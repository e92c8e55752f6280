-- campaignd 0015: the central entity's event feed, webhooks and their delivery outbox,
-- and the deadline reminders' notification kind.
--
-- central.events is the central entity's feed, ordered like local.notifications
-- (migrations/0007): a writer takes the events' transaction-level advisory lock right
-- before it inserts, as the last step of its transaction, so cursors follow commit order.
--
-- central.webhook_deliveries is an outbox: a delivery is written by the same statement
-- that writes its notification or event, in the same transaction, so a notification
-- that commits always has its deliveries, and one that rolls back has none. The
-- daemons' workers send them; a delivery is one row whatever the number of attempts,
-- and its id (webhook-id) and body do not change between attempts.

ALTER TABLE local.notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE local.notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('package_available', 'package_cancelled', 'package_reinitialized',
                    'order_approved', 'order_rejected', 'order_cancelled', 'order_deadline_near'));

CREATE SEQUENCE central.event_cursor_seq AS bigint;

CREATE TABLE central.events (
    cursor     bigint      PRIMARY KEY DEFAULT nextval('central.event_cursor_seq'),
    kind       text        NOT NULL CHECK (kind IN ('package_submitted', 'order_placed', 'order_edited',
                                                    'order_deadline_reached', 'approval_reminder', 'package_late',
                                                    'job_failed', 'webhook_disabled')),
    package_id bigint,
    order_id   bigint,
    -- The entity's code (codes never change), for events about one entity.
    entity     text,
    -- Who caused the event; for reminders, who it is for (the package's reviewers).
    operator   text,
    comment    text,
    -- Makes every writer idempotent: the same event is written once.
    event_key  text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE central.event_cursor_seq OWNED BY central.events.cursor;
COMMENT ON TABLE central.events IS 'What happened that the central entity should know, in cursor (= commit) order';
CREATE INDEX events_created_idx ON central.events (created_at);

CREATE TABLE central.webhooks (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL: the endpoint receives the central events; otherwise that entity's notifications.
    entity_id       bigint      REFERENCES central.entities (id),
    url             text        NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    -- The kinds delivered; empty: every kind.
    kinds           text[]      NOT NULL DEFAULT '{}',
    secret          text        NOT NULL,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz,
    disabled_reason text,
    -- One daemon at a time sends an endpoint's deliveries: it holds the endpoint's lease.
    lease_holder    text,
    lease_until     timestamptz,
    -- After a failed attempt: when the endpoint's next delivery is tried again.
    retry_at        timestamptz
);
COMMENT ON TABLE central.webhooks IS 'Endpoints that receive an entity''s notifications, or the central events';
CREATE INDEX webhooks_entity_idx ON central.webhooks (entity_id) WHERE disabled_at IS NULL;

CREATE TABLE central.webhook_deliveries (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       bigint      NOT NULL REFERENCES central.webhooks (id) ON DELETE CASCADE,
    -- The feed row delivered: (entity_id, cursor) of local.notifications, or the cursor
    -- of central.events when entity_id is NULL.
    entity_id        bigint,
    cursor           bigint      NOT NULL,
    kind             text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_status_code integer,
    last_error       text,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    first_attempt_at timestamptz,
    delivered_at     timestamptz,
    -- The body sent, fixed at the first attempt so every attempt sends the same bytes.
    body             text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, cursor)
);
COMMENT ON TABLE central.webhook_deliveries IS
    'The outbox of webhook deliveries, written with their notification or event';
-- An endpoint's next delivery: its pending row of lowest cursor.
CREATE INDEX webhook_deliveries_pending_idx ON central.webhook_deliveries (webhook_id, cursor) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_due_idx ON central.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_finished_idx ON central.webhook_deliveries (created_at) WHERE status <> 'pending';

-- The journal also records webhook endpoints: registration, removal, redelivery.
ALTER TABLE central.audit_journal DROP CONSTRAINT audit_journal_subject_check;
ALTER TABLE central.audit_journal ADD CONSTRAINT audit_journal_subject_check
    CHECK (subject IN ('entity', 'token', 'package', 'order', 'job', 'process', 'operator', 'webhook'));
