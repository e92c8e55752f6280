-- campaignd 0012: sessions of the web pages (API.md, "Web pages").
--
-- A session is a random secret in an HttpOnly cookie; only its SHA-256 is stored, so a
-- copy of this table opens no session. Revocable (revoked_at), ended by an idle timeout
-- the daemon applies to last_seen_at, and by its operator being disabled.
CREATE TABLE central.console_sessions (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_hash  text        NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    operator_id  bigint      NOT NULL REFERENCES central.operators (id) ON DELETE CASCADE,
    -- The CSRF token of the session's forms (random, compared in constant time).
    csrf_token   text        NOT NULL CHECK (csrf_token ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    address      text,
    user_agent   text CHECK (length(user_agent) <= 500)
);
COMMENT ON TABLE central.console_sessions IS 'Signed-in sessions of the console and the portal; only the SHA-256 of the cookie is kept';
CREATE INDEX console_sessions_operator_idx ON central.console_sessions (operator_id) WHERE revoked_at IS NULL;
