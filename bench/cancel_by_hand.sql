-- The writes of a collaborative package's cancel job, written by hand as one
-- transaction: the yardstick bench/cancel.sh compares the daemon's job with.
--
--   psql -X -v ON_ERROR_STOP=1 -v pkg=ID -v rev=REVISION -v audience_all=false \
--        -v comment='why' -v actor='operator:bench' -f bench/cancel_by_hand.sql
--
-- Same rows as the job (orders, reference campaign, processes and their outbox rows,
-- package, one journal entry, one notification per entity concerned, the two NOTIFYs),
-- without what a hand-written script does not need: reading the package back, the job
-- row, the 10,000-code audience in the journal's before/after.
\timing on
BEGIN;
UPDATE local.orders SET status = 'cancelled', cancelled_at = now(), cancelled_by = :'actor',
    cancel_comment = :'comment', cancel_reason = 'package_cancelled', version = version + 1,
    updated_at = now(), updated_by = :'actor'
WHERE package_id = :pkg AND revision = :rev AND status IN ('pending_approval', 'approved', 'rejected');
UPDATE central.reference_campaigns SET status = 'cancelled', updated_at = now() WHERE package_id = :pkg;
WITH stopped AS (
    UPDATE central.processes SET status = 'stopped', updated_at = now()
    WHERE package_id = :pkg AND archived_at IS NULL AND status IN ('running', 'paused')
    RETURNING id, package_id
)
INSERT INTO central.process_events (process_id, package_id, event) SELECT id, package_id, 'stopped' FROM stopped;
SELECT pg_notify('campaignd_processes', format('{"package_id":%s,"event":"stopped"}', :pkg)) \g /dev/null
UPDATE central.packages SET status = 'cancelled', pending_job_id = NULL, version = version + 1,
    updated_at = now(), updated_by = :'actor', last_action = 'cancel', last_action_at = now(),
    last_action_by = :'actor', last_action_comment = :'comment'
WHERE id = :pkg;
INSERT INTO central.audit_journal (actor, action, subject, subject_id, package_id, comment, before, after)
VALUES (:'actor', 'cancel', 'package', :pkg, :pkg, :'comment',
        jsonb_build_object('status', 'published', 'revision', :rev),
        jsonb_build_object('status', 'cancelled', 'revision', :rev));
-- Last, as NotificationWriter does: the feed's lock, then one row per entity concerned.
SELECT pg_advisory_xact_lock(7311447302201415002) \g /dev/null
\if :audience_all
INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
SELECT DISTINCT target.entity_id, 'package_cancelled', :pkg, NULL::bigint, :rev, :'comment',
       'package_cancelled:' || :pkg || ':' || :rev
FROM (SELECT id AS entity_id FROM central.entities
      UNION SELECT entity_id FROM local.orders WHERE package_id = :pkg AND revision = :rev) AS target
ORDER BY target.entity_id
ON CONFLICT (entity_id, event_key) DO NOTHING;
\else
INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
SELECT DISTINCT target.entity_id, 'package_cancelled', :pkg, NULL::bigint, :rev, :'comment',
       'package_cancelled:' || :pkg || ':' || :rev
FROM (SELECT entity_id FROM central.package_audience WHERE package_id = :pkg
      UNION SELECT entity_id FROM local.orders WHERE package_id = :pkg AND revision = :rev) AS target
ORDER BY target.entity_id
ON CONFLICT (entity_id, event_key) DO NOTHING;
\endif
SELECT pg_notify('campaignd_notifications', 'package_cancelled') \g /dev/null
COMMIT;
