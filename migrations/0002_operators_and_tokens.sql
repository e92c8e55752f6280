-- campaignd 0002: central operators and API tokens.

CREATE TABLE central.operators (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE central.operators IS 'People and programs of the central entity (back office)';

-- A token is shown once, when it is made; only its SHA-256 is stored. `lookup` is a
-- short public prefix of the token that finds the row, so that the secret part is
-- compared in constant time instead of by an index probe.
CREATE TABLE central.api_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lookup       text        NOT NULL UNIQUE CHECK (lookup ~ '^[A-Za-z0-9_-]{8,32}$'),
    secret_hash  text        NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    operator_id  bigint      REFERENCES central.operators (id) ON DELETE CASCADE,
    entity_id    bigint,
    label        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    -- A token acts either for a central operator or for one local entity.
    CHECK ((operator_id IS NULL) <> (entity_id IS NULL))
);
COMMENT ON TABLE central.api_tokens IS 'Bearer tokens, stored as SHA-256 hashes';
CREATE INDEX api_tokens_operator_idx ON central.api_tokens (operator_id) WHERE operator_id IS NOT NULL;
CREATE INDEX api_tokens_entity_idx ON central.api_tokens (entity_id) WHERE entity_id IS NOT NULL;
