-- campaignd 0010: a local entity's feed in one statement.
--
-- An empty poll is the most frequent request the daemon answers. Read in a transaction
-- it costs three round trips (BEGIN with SET LOCAL campaignd.entity_id, the SELECT,
-- COMMIT). local.notifications_after scopes itself to the entity and reads under the
-- same row level security policy, so a poll is one statement in its own implicit
-- transaction. The SET clause confines the entity setting to the function: whatever a
-- caller had set is back when it returns. STRICT: a NULL argument reads nothing.

CREATE FUNCTION local.notifications_after(p_entity_id bigint, p_after bigint, p_limit bigint)
RETURNS TABLE (cursor bigint, entity_id bigint, kind text, package_id bigint, order_id bigint,
               revision integer, comment text, created_at timestamptz)
LANGUAGE plpgsql STRICT
SET campaignd.entity_id = ''
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('campaignd.entity_id', p_entity_id::text, true);
    RETURN QUERY
        SELECT n.cursor, n.entity_id, n.kind, n.package_id, n.order_id, n.revision, n.comment, n.created_at
        FROM local.notifications n
        WHERE n.entity_id = p_entity_id AND n.cursor > p_after
        ORDER BY n.cursor
        LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION local.notifications_after(bigint, bigint, bigint) IS
    'The entity''s notifications after a cursor, in cursor order, read as that entity (row level security applies)';

REVOKE ALL ON FUNCTION local.notifications_after(bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION local.notifications_after(bigint, bigint, bigint) TO campaignd_service;
