-- The yardstick of bench/cancel.sh for the weight of the schema: the same logical
-- writes as a collaborative package's cancel job (orders cancelled, reference campaign
-- and processes stopped, their outbox rows, the package, one journal entry, one
-- notification per entity concerned, the feed's lock and both NOTIFYs), in one
-- transaction, on bare copies of the tables (schema `bare`, made by cancel_bench.py):
-- each has its primary key, plus the one index the orders' search needs, and nothing
-- else: no secondary index, no foreign key, no check, no row level security.
--
--   psql -X -v ON_ERROR_STOP=1 -v pkg=ID -v rev=REVISION -v audience_all=false \
--        -v comment='why' -v actor='operator:bench' -f bench/cancel_minimal.sql
\timing on
BEGIN;
UPDATE bare.orders SET status = 'cancelled', cancelled_at = now(), cancelled_by = :'actor',
    cancel_comment = :'comment', cancel_reason = 'package_cancelled', version = version + 1,
    updated_at = now(), updated_by = :'actor'
WHERE package_id = :pkg AND revision = :rev AND status IN ('pending_approval', 'approved', 'rejected');
UPDATE bare.reference_campaigns SET status = 'cancelled', updated_at = now() WHERE package_id = :pkg;
WITH stopped AS (
    UPDATE bare.processes SET status = 'stopped', updated_at = now()
    WHERE package_id = :pkg AND archived_at IS NULL AND status IN ('running', 'paused')
    RETURNING id, package_id
)
INSERT INTO bare.process_events (process_id, package_id, event) SELECT id, package_id, 'stopped' FROM stopped;
SELECT pg_notify('campaignd_processes', format('{"package_id":%s,"event":"stopped"}', :pkg)) \g /dev/null
UPDATE bare.packages SET status = 'cancelled', pending_job_id = NULL, version = version + 1,
    updated_at = now(), updated_by = :'actor', last_action = 'cancel', last_action_at = now(),
    last_action_by = :'actor', last_action_comment = :'comment'
WHERE id = :pkg;
INSERT INTO bare.audit_journal (actor, action, subject, subject_id, package_id, comment, before, after)
VALUES (:'actor', 'cancel', 'package', :pkg, :pkg, :'comment',
        jsonb_build_object('status', 'published', 'revision', :rev),
        jsonb_build_object('status', 'cancelled', 'revision', :rev));
SELECT pg_advisory_xact_lock(7311447302201415002) \g /dev/null
-- Who is concerned, read as the job reads it (the frozen audience and the orders); the
-- rows are written once each, without the idempotency of event keys.
\if :audience_all
INSERT INTO bare.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
SELECT target.entity_id, 'package_cancelled', :pkg, NULL::bigint, :rev, :'comment',
       'package_cancelled:' || :pkg || ':' || :rev
FROM (SELECT id AS entity_id FROM central.entities
      UNION SELECT entity_id FROM bare.orders WHERE package_id = :pkg AND revision = :rev) AS target
ORDER BY target.entity_id;
\else
INSERT INTO bare.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
SELECT target.entity_id, 'package_cancelled', :pkg, NULL::bigint, :rev, :'comment',
       'package_cancelled:' || :pkg || ':' || :rev
FROM (SELECT entity_id FROM bare.package_offers WHERE package_id = :pkg AND revision = :rev
      UNION SELECT entity_id FROM bare.orders WHERE package_id = :pkg AND revision = :rev) AS target
ORDER BY target.entity_id;
\endif
SELECT pg_notify('campaignd_notifications', 'package_cancelled') \g /dev/null
COMMIT;
