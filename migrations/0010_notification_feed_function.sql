-- campaignd 0010: local entities' feeds in one statement, several polls at a time.
--
-- An empty poll is the most frequent request the daemon answers. Read in a transaction
-- it costs three round trips (BEGIN with SET LOCAL campaignd.entity_id, the SELECT,
-- COMMIT). local.notifications_after_each reads the feeds of several polls in one
-- statement, in its own implicit transaction: for each poll in turn it scopes itself to
-- that poll's entity (set_config, local) and runs the feed SELECT under the row level
-- security policy, so no poll can see another entity's rows. The SET clause confines the
-- entity setting to the function: whatever a caller had set is back when it returns.
-- STRICT: a NULL argument reads nothing.
--
-- `request` is the poll's position in the arrays (1-based); each poll has its own entity,
-- cursor and limit.

CREATE FUNCTION local.notifications_after_each(p_entity_ids bigint[], p_afters bigint[], p_limits bigint[])
RETURNS TABLE (request integer, cursor bigint, entity_id bigint, kind text, package_id bigint, order_id bigint,
               revision integer, comment text, created_at timestamptz)
LANGUAGE plpgsql STRICT
SET campaignd.entity_id = ''
AS $$
#variable_conflict use_column
BEGIN
    IF cardinality(p_afters) <> cardinality(p_entity_ids) OR cardinality(p_limits) <> cardinality(p_entity_ids) THEN
        RAISE EXCEPTION 'entity ids, cursors and limits differ in number' USING ERRCODE = '22023';
    END IF;
    FOR i IN 1 .. cardinality(p_entity_ids) LOOP
        IF p_entity_ids[i] IS NULL OR p_afters[i] IS NULL OR p_limits[i] IS NULL THEN
            CONTINUE;
        END IF;
        PERFORM set_config('campaignd.entity_id', p_entity_ids[i]::text, true);
        RETURN QUERY
            SELECT i, n.cursor, n.entity_id, n.kind, n.package_id, n.order_id, n.revision, n.comment, n.created_at
            FROM local.notifications n
            WHERE n.entity_id = p_entity_ids[i] AND n.cursor > p_afters[i]
            ORDER BY n.cursor
            LIMIT greatest(p_limits[i], 0);
    END LOOP;
END
$$;
COMMENT ON FUNCTION local.notifications_after_each(bigint[], bigint[], bigint[]) IS
    'For each poll (entity, cursor, limit): the entity''s notifications after the cursor, in cursor order, read as that entity';

REVOKE ALL ON FUNCTION local.notifications_after_each(bigint[], bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION local.notifications_after_each(bigint[], bigint[], bigint[]) TO campaignd_service;
