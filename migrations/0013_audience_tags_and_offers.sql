-- campaignd 0013: audiences by tag, frozen at publication, and CSV cells.
--
-- A package's audience is every local entity (audience_all), or its listed entities
-- (central.package_audience) together with the entities carrying any of its
-- audience_tags. A listed or tagged audience is resolved once, when the package is
-- published, into local.package_offers: one row per entity offered that revision.
-- The catalogue, ordering, a cancel's fan-out and the participation read those rows,
-- so a tag given or taken later does not change who was offered a published package.

ALTER TABLE central.packages
    ADD COLUMN audience_tags text[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(audience_tags) <= 32 AND array_position(audience_tags, NULL) IS NULL),
    -- The revision whose audience local.package_offers holds (set at publication).
    ADD COLUMN offered_revision integer CHECK (offered_revision >= 1);

CREATE TABLE local.package_offers (
    entity_id  bigint      NOT NULL REFERENCES central.entities (id),
    package_id bigint      NOT NULL REFERENCES central.packages (id) ON DELETE CASCADE,
    revision   integer     NOT NULL CHECK (revision >= 1),
    offered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_id, package_id, revision)
);
COMMENT ON TABLE local.package_offers IS
    'Who a package revision with a listed or tagged audience was offered to, frozen at its publication';
-- The participation and the fan-outs: the audience of one package revision.
CREATE INDEX package_offers_package_idx ON local.package_offers (package_id, revision, entity_id);

ALTER TABLE local.package_offers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped_by_setting ON local.package_offers
    USING ((SELECT NOT pg_has_role('campaignd_entity_reader', 'MEMBER'))
           AND ((SELECT coalesce(current_setting('campaignd.entity_id', true), '') = '')
                OR entity_id = (SELECT nullif(current_setting('campaignd.entity_id', true), '')::bigint)));
GRANT SELECT ON local.package_offers TO campaignd_entity_reader;
CREATE POLICY own_rows ON local.package_offers FOR SELECT TO campaignd_entity_reader
    USING (entity_id = (SELECT local.current_entity_id()));

-- Packages published before this migration: their listed audience, frozen now.
INSERT INTO local.package_offers (entity_id, package_id, revision)
SELECT a.entity_id, p.id, p.revision
FROM central.packages p JOIN central.package_audience a ON a.package_id = p.id
WHERE NOT p.audience_all AND p.status IN ('published', 'cancelled')
ON CONFLICT DO NOTHING;
UPDATE central.packages SET offered_revision = revision
WHERE NOT audience_all AND status IN ('published', 'cancelled');

-- A text cell of a CSV export: a spreadsheet must not read it as a formula, so a value
-- starting with = + - @, a tab or a carriage return is prefixed with a quote.
CREATE FUNCTION central.csv_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r') THEN '''' || value ELSE value END
$$;

-- What a finished job reports (bulk_orders: the orders changed and those skipped, why).
ALTER TABLE central.jobs ADD COLUMN result jsonb;

-- A time cell of a CSV export: ISO 8601 in UTC, as the JSON API writes times.
CREATE FUNCTION central.csv_time(value timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
