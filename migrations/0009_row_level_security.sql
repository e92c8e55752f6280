-- campaignd 0009: roles, privileges and row level security on the local schema;
-- acknowledgements of notifications.
--
-- Two group roles (cluster-wide, so created only when missing):
--   campaignd_service        the daemons' rights; GRANT it to the login role campaignd runs as.
--   campaignd_entity_reader  the SQL polling roles of local entities (campaignd sql-role create):
--                            they read their own notifications and orders, nothing else.
-- Row level security is enabled and forced on every local table. The daemon scopes a
-- transaction to one entity with SET LOCAL campaignd.entity_id; unset, it acts for the
-- central entity. An entity reader is scoped by its login role, whatever it sets.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'campaignd_service') THEN
        CREATE ROLE campaignd_service NOLOGIN NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'campaignd_entity_reader') THEN
        CREATE ROLE campaignd_entity_reader NOLOGIN NOBYPASSRLS;
    END IF;
END
$$;

CREATE TABLE local.notification_acks (
    entity_id    bigint      PRIMARY KEY REFERENCES central.entities (id),
    cursor       bigint      NOT NULL CHECK (cursor >= 0),
    acked_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE local.notification_acks IS 'How far each entity has acknowledged its notifications';

-- The daemon's wake-up of long polls reads the rows committed since the last one it saw.
CREATE INDEX notifications_cursor_idx ON local.notifications (cursor);
-- Retention: the oldest rows first.
CREATE INDEX notifications_created_idx ON local.notifications (created_at);

-- Which entity each SQL polling role reads.
CREATE TABLE central.sql_roles (
    role_name  name        PRIMARY KEY,
    entity_id  bigint      NOT NULL REFERENCES central.entities (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The entity of the SQL polling role that logged in (NULL for any other role). SECURITY
-- DEFINER: the readers cannot read central.sql_roles themselves.
CREATE FUNCTION local.current_entity_id() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT entity_id FROM central.sql_roles WHERE role_name = session_user
$$;
REVOKE ALL ON FUNCTION local.current_entity_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION local.current_entity_id() TO campaignd_entity_reader;

-- The daemons' rights.
GRANT USAGE ON SCHEMA central, local TO campaignd_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA central, local TO campaignd_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA central, local TO campaignd_service;
REVOKE UPDATE, DELETE, TRUNCATE ON central.audit_journal FROM campaignd_service;
REVOKE INSERT, UPDATE, DELETE ON central.schema_migrations FROM campaignd_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA central, local
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO campaignd_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA central, local GRANT USAGE, SELECT ON SEQUENCES TO campaignd_service;

-- The entity readers' rights: their notifications and orders, read only.
GRANT USAGE ON SCHEMA local TO campaignd_entity_reader;
GRANT SELECT ON local.notifications, local.orders TO campaignd_entity_reader;

-- Every local table: row level security, forced (the owner too).
ALTER TABLE local.orders ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE local.local_campaigns ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE local.notifications ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE local.notification_acks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- Any role but an entity reader: scoped to campaignd.entity_id when set, else all rows.
-- The subselects are evaluated once per statement, not per row.
CREATE POLICY scoped_by_setting ON local.orders
    USING ((SELECT NOT pg_has_role('campaignd_entity_reader', 'MEMBER'))
           AND ((SELECT coalesce(current_setting('campaignd.entity_id', true), '') = '')
                OR entity_id = (SELECT nullif(current_setting('campaignd.entity_id', true), '')::bigint)));
CREATE POLICY scoped_by_setting ON local.local_campaigns
    USING ((SELECT NOT pg_has_role('campaignd_entity_reader', 'MEMBER'))
           AND ((SELECT coalesce(current_setting('campaignd.entity_id', true), '') = '')
                OR entity_id = (SELECT nullif(current_setting('campaignd.entity_id', true), '')::bigint)));
CREATE POLICY scoped_by_setting ON local.notifications
    USING ((SELECT NOT pg_has_role('campaignd_entity_reader', 'MEMBER'))
           AND ((SELECT coalesce(current_setting('campaignd.entity_id', true), '') = '')
                OR entity_id = (SELECT nullif(current_setting('campaignd.entity_id', true), '')::bigint)));
CREATE POLICY scoped_by_setting ON local.notification_acks
    USING ((SELECT NOT pg_has_role('campaignd_entity_reader', 'MEMBER'))
           AND ((SELECT coalesce(current_setting('campaignd.entity_id', true), '') = '')
                OR entity_id = (SELECT nullif(current_setting('campaignd.entity_id', true), '')::bigint)));

-- An entity reader: its own rows, by its login role.
CREATE POLICY own_rows ON local.orders FOR SELECT TO campaignd_entity_reader
    USING (entity_id = (SELECT local.current_entity_id()));
CREATE POLICY own_rows ON local.notifications FOR SELECT TO campaignd_entity_reader
    USING (entity_id = (SELECT local.current_entity_id()));
