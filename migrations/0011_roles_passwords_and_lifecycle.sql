-- campaignd 0011: operators' roles and passwords, four-eyes approval, token and entity
-- life cycle (API.md, "Operators, roles and sessions").

-- Operators: a role each. Those that existed before roles become admin; a new operator
-- names its role (no default). A local operator is a person of one entity.
ALTER TABLE central.operators
    ADD COLUMN role text NOT NULL DEFAULT 'admin'
        CHECK (role IN ('viewer', 'editor', 'approver', 'admin', 'local')),
    ADD COLUMN entity_id bigint REFERENCES central.entities (id) ON DELETE CASCADE,
    ADD COLUMN display_name text CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    ADD COLUMN disabled_at timestamptz,
    -- scrypt in PHC form: $scrypt$ln=17,r=8,p=1$<salt>$<hash> (never the password).
    ADD COLUMN password_hash text CHECK (password_hash LIKE '$scrypt$%'),
    ADD COLUMN password_changed_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT operators_local_has_entity CHECK ((role = 'local') = (entity_id IS NOT NULL));
ALTER TABLE central.operators ALTER COLUMN role DROP DEFAULT;
CREATE INDEX operators_entity_idx ON central.operators (entity_id) WHERE entity_id IS NOT NULL;
COMMENT ON COLUMN central.operators.role IS 'viewer, editor, approver, admin (central) or local (acts as entity_id)';

-- Wrong passwords, counted per operator name and per client address over a window.
CREATE TABLE central.password_failures (
    key            text        PRIMARY KEY,
    failures       integer     NOT NULL CHECK (failures > 0),
    window_started timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE central.password_failures IS 'Rate limit of password checks: "operator:<name>" and "address:<ip>" keys';

-- Entities: groups (tags) and retirement.
ALTER TABLE central.entities
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(tags) <= 32 AND array_position(tags, NULL) IS NULL),
    ADD COLUMN disabled_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX entities_tags_idx ON central.entities USING gin (tags);

-- A disabled entity's SQL polling role reads nothing, even on a session opened before
-- (its login is also refused: campaignd alters the role NOLOGIN).
CREATE OR REPLACE FUNCTION local.current_entity_id() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT r.entity_id FROM central.sql_roles r JOIN central.entities e ON e.id = r.entity_id
    WHERE r.role_name = session_user AND e.disabled_at IS NULL
$$;

-- Turns the login of an entity's SQL polling roles off or on (disabling and enabling the
-- entity). SECURITY DEFINER: the daemons' role may not alter roles itself; this function,
-- owned by whoever migrates, alters only the roles recorded for that entity.
CREATE FUNCTION central.set_entity_sql_login(p_entity_id bigint, p_login boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r name;
BEGIN
    FOR r IN SELECT s.role_name FROM central.sql_roles s JOIN pg_roles p ON p.rolname = s.role_name
             WHERE s.entity_id = p_entity_id LOOP
        EXECUTE format('ALTER ROLE %I %s', r, CASE WHEN p_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION central.set_entity_sql_login(bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION central.set_entity_sql_login(bigint, boolean) TO campaignd_service;

-- Packages: who may decide (empty: any approver), and who submitted the current revision.
ALTER TABLE central.packages
    ADD COLUMN reviewers text[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(reviewers) <= 20 AND array_position(reviewers, NULL) IS NULL),
    ADD COLUMN submitted_by text;
-- Packages pending approval when roles arrived: their submitter is the journal's.
UPDATE central.packages p SET submitted_by = (
    SELECT j.actor FROM central.audit_journal j
    WHERE j.package_id = p.id AND j.subject = 'package' AND j.action = 'submit'
    ORDER BY j.id DESC LIMIT 1)
WHERE p.status IN ('pending_approval', 'approved', 'rejected', 'published');

-- The journal also records operators' changes.
ALTER TABLE central.audit_journal DROP CONSTRAINT audit_journal_subject_check;
ALTER TABLE central.audit_journal ADD CONSTRAINT audit_journal_subject_check
    CHECK (subject IN ('entity', 'token', 'package', 'order', 'job', 'process', 'operator'));
