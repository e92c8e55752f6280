-- campaignd 0007: notification rows that local entities poll.
--
-- Cursors follow commit order: a writer takes the feed's transaction-level advisory
-- lock right before it inserts notification rows, as the last step of its transaction,
-- and keeps it until it commits. So a row with a higher cursor never becomes visible
-- before one with a lower cursor, and a reader that resumes "after cursor N" can never
-- skip a row that commits late.

CREATE SEQUENCE local.notification_cursor_seq AS bigint;

CREATE TABLE local.notifications (
    entity_id  bigint      NOT NULL REFERENCES central.entities (id),
    cursor     bigint      NOT NULL DEFAULT nextval('local.notification_cursor_seq'),
    kind       text        NOT NULL CHECK (kind IN ('package_available', 'package_cancelled', 'package_reinitialized',
                                                    'order_approved', 'order_rejected', 'order_cancelled')),
    package_id bigint,
    order_id   bigint,
    revision   integer,
    comment    text,
    -- Makes fan-out idempotent: the same event for the same entity is written once.
    event_key  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_id, cursor),
    UNIQUE (entity_id, event_key)
);
ALTER SEQUENCE local.notification_cursor_seq OWNED BY local.notifications.cursor;
COMMENT ON TABLE local.notifications IS 'What happened to a local entity, in cursor (= commit) order';
