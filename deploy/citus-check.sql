-- citus-check.sql: is campaignd's schema ready for Citus?
--
-- Target layout: every table of schema `central` becomes a reference table
-- (create_reference_table), every table of schema `local` a hash-distributed table
-- on `entity_id`, all in one co-location group.
--
-- One query over the catalogs; one row per violation: (table_name, constraint_name,
-- problem). No rows: nothing found. Read-only; needs no Citus installed. Run with:
--   psql -X -v ON_ERROR_STOP=1 -d <db> -f citus-check.sql
--
-- Rules (the tag at the start of `problem` names the rule):
--   [a]  every `local` table has an `entity_id` column.
--   [b]  in every `local` table, the primary key, each unique constraint and each unique
--        index (partial and expression ones too) has `entity_id` as its FIRST key column;
--        an expression as first key column is a violation. (Citus itself only requires
--        the distribution column to be one of the plain key columns; "first" is this
--        project's stricter convention.)
--   [b'] an EXCLUDE constraint of a `local` table has `entity_id` as its first key column
--        with the `=` operator (Citus: "with an equality operator if EXCLUDE").
--   [c]  a foreign key from a `local` table to another `local` table has `entity_id` as
--        its first column on both sides (so the two are co-located, and Citus finds the
--        distribution column at the same position in both column lists).
--   [d]  a foreign key from a `central` table to a `local` table: a reference table
--        cannot refer to a distributed table. (`local` -> `central` is allowed.)
--   Further rules Citus enforces, each found in the Citus sources (see citus-report.md):
--   [e1] a foreign key of a `local` table whose columns include `entity_id` uses neither
--        ON DELETE SET NULL / SET DEFAULT nor ON UPDATE CASCADE / SET NULL / SET DEFAULT
--        (ON DELETE CASCADE is allowed, also towards reference tables).
--   [e2] no foreign key of these tables has ON DELETE/UPDATE SET DEFAULT on a column whose
--        default is nextval() (Citus drops sequence defaults from shards).
--   [e3] every foreign key of a `central`/`local` table points into `central` or `local`
--        (the referenced table must itself be a reference or a distributed table).
--   [e4] `entity_id` has the same type in every `local` table (co-location needs the
--        same distribution column type).
--   [e5] `entity_id` is NOT NULL (Citus refuses an INSERT with NULL in the distribution
--        column) and [e6] is not a GENERATED ... STORED column (refused as distribution
--        column).
--   [e7] no row level security policy on these tables uses a subquery (Citus refuses to
--        distribute, or to make a reference table of, a table with such a policy:
--        "Subqueries are not supported in policies on distributed tables").
--   [e8] no user trigger on these tables (create_distributed_table/create_reference_table
--        refuse a table with triggers unless citus.enable_unsafe_triggers = on).
--   [e9] no `central` table is partitioned (only hash-distributed tables may be
--        partitioned); no `local` table is a partition of a table outside `local`;
--        no foreign table in either schema (foreign tables cannot be distributed).
--
-- Not checked here (notes in citus-report.md): foreign key cycles between `central`
-- tables (they decide the order of create_reference_table calls, not whether it works),
-- sequences, and what policies read at run time.

WITH
schemas AS (
    SELECT oid AS nspoid, nspname FROM pg_catalog.pg_namespace
    WHERE nspname IN ('central', 'local')
),
-- Every table of the two schemas: ordinary, partitioned and foreign ones.
tbl AS (
    SELECT c.oid AS relid, s.nspname, c.relkind, c.relispartition,
           pg_catalog.format('%I.%I', s.nspname, c.relname) AS table_name
    FROM pg_catalog.pg_class c
    JOIN schemas s ON s.nspoid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'f')
),
-- The `local` tables, with their entity_id column when they have one.
loc AS (
    SELECT t.relid, t.table_name, a.attnum AS eid, a.atttypid AS eid_type,
           a.attnotnull AS eid_notnull, a.attgenerated AS eid_generated
    FROM tbl t
    LEFT JOIN pg_catalog.pg_attribute a
           ON a.attrelid = t.relid AND a.attname = 'entity_id' AND NOT a.attisdropped
    WHERE t.nspname = 'local'
),
-- Foreign keys of the two schemas' tables, with both sides' schemas.
fk AS (
    SELECT con.oid, con.conname, con.conrelid, con.confrelid, con.conkey, con.confkey,
           con.confupdtype, con.confdeltype,
           t.table_name, t.nspname AS src_nsp,
           rn.nspname AS dst_nsp,
           pg_catalog.format('%I.%I', rn.nspname, rc.relname) AS dst_name
    FROM pg_catalog.pg_constraint con
    JOIN tbl t ON t.relid = con.conrelid
    JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
    JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
    WHERE con.contype = 'f'
)

-- [a] a local table without entity_id
SELECT l.table_name, NULL::text AS constraint_name,
       '[a] no column entity_id (cannot be distributed by entity_id)' AS problem
FROM loc l
WHERE l.eid IS NULL

UNION ALL
-- [b] primary keys, unique constraints and unique indexes (all are unique indexes in
-- pg_index): the first key column must be entity_id. indkey[0] = 0 is an expression.
SELECT l.table_name,
       coalesce(con.conname, ic.relname)::text,
       '[b] ' || CASE WHEN con.contype = 'p' THEN 'primary key'
                      WHEN con.contype = 'u' THEN 'unique constraint'
                      ELSE 'unique index' END
       || CASE WHEN i.indpred IS NOT NULL THEN ' (partial)' ELSE '' END
       || CASE WHEN l.eid IS NULL THEN ': the table has no entity_id'
               WHEN i.indkey[0] = 0 THEN ': first key column is an expression, not entity_id'
               ELSE ': first key column is ' || quote_ident(fa.attname) || ', not entity_id'
          END
       || CASE WHEN l.eid IS NOT NULL AND NOT (l.eid = ANY (i.indkey::int2[]))
               THEN ' (entity_id is not a key column at all: Citus refuses it)' ELSE '' END
FROM loc l
JOIN pg_catalog.pg_index i ON i.indrelid = l.relid AND i.indisunique
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = l.relid
                                     AND con.contype IN ('p', 'u')
LEFT JOIN pg_catalog.pg_attribute fa ON fa.attrelid = l.relid AND fa.attnum = i.indkey[0]
WHERE l.eid IS NULL OR i.indkey[0] IS DISTINCT FROM l.eid

UNION ALL
-- [b'] exclusion constraints: entity_id first, compared with =
SELECT l.table_name, con.conname::text,
       '[b''] exclusion constraint: entity_id must be its first key column, with the = operator'
FROM loc l
JOIN pg_catalog.pg_constraint con ON con.conrelid = l.relid AND con.contype = 'x'
LEFT JOIN pg_catalog.pg_operator op ON op.oid = con.conexclop[1]
WHERE l.eid IS NULL OR con.conkey[1] IS DISTINCT FROM l.eid OR op.oprname IS DISTINCT FROM '='

UNION ALL
-- [c] local -> local foreign keys: entity_id first on both sides
SELECT f.table_name, f.conname::text,
       '[c] foreign key to ' || f.dst_name || ' is not co-located: '
       || concat_ws(' and ',
              CASE WHEN src.eid IS NULL OR f.conkey[1] IS DISTINCT FROM src.eid
                   THEN 'its first referencing column is not entity_id' END,
              CASE WHEN dst.eid IS NULL OR f.confkey[1] IS DISTINCT FROM dst.eid
                   THEN 'its first referenced column is not ' || f.dst_name || '.entity_id' END)
FROM fk f
JOIN loc src ON src.relid = f.conrelid
JOIN loc dst ON dst.relid = f.confrelid
WHERE src.eid IS NULL OR dst.eid IS NULL      -- self references are held to the same rule
   OR f.conkey[1] IS DISTINCT FROM src.eid OR f.confkey[1] IS DISTINCT FROM dst.eid

UNION ALL
-- [d] central -> local foreign keys
SELECT f.table_name, f.conname::text,
       '[d] foreign key from a reference table to the distributed table ' || f.dst_name
       || ' (Citus: foreign keys from reference tables to distributed tables are not supported)'
FROM fk f
WHERE f.src_nsp = 'central' AND f.dst_nsp = 'local'

UNION ALL
-- [e1] actions of a local table's foreign key that includes entity_id
-- (confdeltype/confupdtype: a no action, r restrict, c cascade, n set null, d set default)
SELECT f.table_name, f.conname::text,
       '[e1] foreign key including entity_id uses '
       || concat_ws(' and ',
              CASE f.confdeltype WHEN 'n' THEN 'ON DELETE SET NULL'
                                 WHEN 'd' THEN 'ON DELETE SET DEFAULT' END,
              CASE f.confupdtype WHEN 'c' THEN 'ON UPDATE CASCADE'
                                 WHEN 'n' THEN 'ON UPDATE SET NULL'
                                 WHEN 'd' THEN 'ON UPDATE SET DEFAULT' END)
       || ' (refused by Citus when the distribution column is in the key)'
FROM fk f
JOIN loc l ON l.relid = f.conrelid
WHERE l.eid = ANY (f.conkey)
  AND (f.confdeltype IN ('n', 'd') OR f.confupdtype IN ('c', 'n', 'd'))

UNION ALL
-- [e2] SET DEFAULT on a referencing column that defaults to nextval()
SELECT f.table_name, f.conname::text,
       '[e2] ON DELETE/UPDATE SET DEFAULT on column ' || quote_ident(a.attname)
       || ', whose default is a sequence (not supported by Citus)'
FROM fk f
JOIN pg_catalog.pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = ANY (f.conkey)
JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE 'd' IN (f.confdeltype, f.confupdtype)
  AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%'

UNION ALL
-- [e3] foreign keys to tables outside central/local
SELECT f.table_name, f.conname::text,
       '[e3] foreign key to ' || f.dst_name || ', which will be neither a reference nor a distributed table'
FROM fk f
WHERE f.dst_nsp NOT IN ('central', 'local')

UNION ALL
-- [e4] entity_id type differs from the most common one among local tables
SELECT l.table_name, NULL,
       '[e4] entity_id is ' || pg_catalog.format_type(l.eid_type, NULL) || ', other local tables use '
       || pg_catalog.format_type(m.t, NULL) || ': tables cannot be co-located'
FROM loc l
CROSS JOIN (SELECT mode() WITHIN GROUP (ORDER BY eid_type) AS t FROM loc WHERE eid IS NOT NULL) m
WHERE l.eid IS NOT NULL AND l.eid_type <> m.t

UNION ALL
-- [e5] nullable entity_id, [e6] generated entity_id
SELECT l.table_name, NULL,
       '[e5] entity_id is nullable (Citus refuses an INSERT with NULL in the distribution column)'
FROM loc l
WHERE l.eid IS NOT NULL AND NOT l.eid_notnull
UNION ALL
SELECT l.table_name, NULL,
       '[e6] entity_id is GENERATED ALWAYS AS (...) STORED: cannot be the distribution column'
FROM loc l
WHERE l.eid IS NOT NULL AND l.eid_generated <> ''

UNION ALL
-- [e7] policies whose USING or WITH CHECK expression contains a subquery (a SubLink
-- node; a scalar "(SELECT f())" used to evaluate f once per statement counts too)
SELECT t.table_name, p.polname::text,
       '[e7] row level security policy uses a subquery in '
       || concat_ws(' and ',
              CASE WHEN p.polqual::text LIKE '%{SUBLINK %' THEN 'USING' END,
              CASE WHEN p.polwithcheck::text LIKE '%{SUBLINK %' THEN 'WITH CHECK' END)
       || ': Citus refuses to ' || CASE t.nspname WHEN 'local' THEN 'distribute the table'
                                                ELSE 'make it a reference table' END
FROM tbl t
JOIN pg_catalog.pg_policy p ON p.polrelid = t.relid
WHERE p.polqual::text LIKE '%{SUBLINK %' OR p.polwithcheck::text LIKE '%{SUBLINK %'

UNION ALL
-- [e8] user triggers (internal ones, e.g. of foreign keys, and clones on partitions excluded)
SELECT t.table_name, tg.tgname::text,
       '[e8] trigger: create_' || CASE t.nspname WHEN 'local' THEN 'distributed' ELSE 'reference' END
       || '_table refuses a table with triggers unless citus.enable_unsafe_triggers = on'
FROM tbl t
JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = t.relid
WHERE NOT tg.tgisinternal AND tg.tgparentid = 0

UNION ALL
-- [e9] partitioning and foreign tables
SELECT t.table_name, NULL,
       CASE WHEN t.relkind = 'f' THEN '[e9] foreign table: cannot be distributed nor a reference table'
            WHEN t.nspname = 'central' AND t.relkind = 'p'
                 THEN '[e9] partitioned table: only hash-distributed tables may be partitioned'
            ELSE '[e9] partition of ' || pg_catalog.format('%I.%I', pn.nspname, pc.relname)
                 || ', which is not in schema local: Citus distributes partitions with their parent only'
       END
FROM tbl t
LEFT JOIN pg_catalog.pg_inherits inh ON t.relispartition AND inh.inhrelid = t.relid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE t.relkind = 'f'
   OR (t.nspname = 'central' AND t.relkind = 'p')
   OR (t.nspname = 'local' AND t.relispartition AND pn.nspname IS DISTINCT FROM 'local')

ORDER BY 1, 2, 3;
