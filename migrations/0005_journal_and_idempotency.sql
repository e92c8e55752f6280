-- campaignd 0005: the append-only audit journal and idempotency keys of POST requests.

CREATE TABLE central.audit_journal (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor      text        NOT NULL,
    action     text        NOT NULL,
    subject    text        NOT NULL CHECK (subject IN ('entity', 'token', 'package', 'order', 'job', 'process')),
    subject_id bigint,
    package_id bigint,
    entity_id  bigint,
    comment    text,
    before     jsonb,
    after      jsonb
);
COMMENT ON TABLE central.audit_journal IS 'Every state change: who, what, when, comment, before and after. Append-only.';
CREATE INDEX audit_journal_package_idx ON central.audit_journal (package_id, id) WHERE package_id IS NOT NULL;

-- Append-only for every role, the application's included: updates, deletes and
-- truncation raise an error (only a superuser or the owner disabling the trigger,
-- on purpose, can get around it).
CREATE FUNCTION central.refuse_journal_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit journal is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_journal_append_only BEFORE UPDATE OR DELETE ON central.audit_journal
    FOR EACH ROW EXECUTE FUNCTION central.refuse_journal_change();
CREATE TRIGGER audit_journal_no_truncate BEFORE TRUNCATE ON central.audit_journal
    FOR EACH STATEMENT EXECUTE FUNCTION central.refuse_journal_change();

-- The first answer to a POST with an Idempotency-Key, stored in the transaction that
-- made its effects: a replay within 24 hours gets that answer and does nothing again.
CREATE TABLE central.idempotency_keys (
    principal    text        NOT NULL,
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash text        NOT NULL,
    status       integer     NOT NULL,
    headers      jsonb       NOT NULL DEFAULT '{}',
    body         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created_idx ON central.idempotency_keys (created_at);
