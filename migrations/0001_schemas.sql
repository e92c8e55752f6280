-- campaignd 0001: the two schemas and the migrations ledger.
--
-- Every file of this folder runs in one transaction (campaignd migrate wraps it), so
-- none of them contains BEGIN or COMMIT. A DBA may also run them by hand, in order:
--   psql --single-transaction -v ON_ERROR_STOP=1 -f 0001_schemas.sql

-- central: what the head office owns (entities, operators, packages, jobs, journal).
CREATE SCHEMA central;
COMMENT ON SCHEMA central IS 'campaignd: the central entity''s data';

-- local: what belongs to one local entity; every table is keyed by entity_id first.
CREATE SCHEMA local;
COMMENT ON SCHEMA local IS 'campaignd: rows owned by one local entity each (keyed by entity_id first)';

CREATE TABLE central.schema_migrations (
    name        text        PRIMARY KEY,
    checksum    text        NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at  timestamptz NOT NULL DEFAULT now(),
    duration_ms bigint      NOT NULL CHECK (duration_ms >= 0)
);
COMMENT ON TABLE central.schema_migrations IS
    'Files of migrations/ applied by campaignd migrate: name, SHA-256 of the file, when, how long';
