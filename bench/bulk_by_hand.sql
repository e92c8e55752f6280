-- The writes of a bulk approval, by hand, as bench/scale.sh's yardstick: the pending
-- orders of package :package approved (status, decision, version), one journal entry,
-- one local campaign and one notification each, in one transaction. No checks, no
-- report of what was skipped: the floor under the bulk_orders job's same writes.
\timing on
BEGIN;
SELECT pg_advisory_xact_lock(7311447302201415002);
WITH changed AS (
    UPDATE local.orders o SET status = 'approved', decided_at = now(), decided_by = 'operator:bench',
        decision_comment = 'by hand', version = o.version + 1, updated_at = now(), updated_by = 'operator:bench'
    WHERE o.package_id = :package AND o.status = 'pending_approval'
    RETURNING o.entity_id, o.id, o.package_id, o.revision, o.label, o.version
), journal AS (
    INSERT INTO central.audit_journal (actor, action, subject, subject_id, package_id, entity_id, comment, before, after)
    SELECT 'operator:bench', 'approve', 'order', c.id, c.package_id, c.entity_id, 'by hand',
           jsonb_build_object('status', 'pending_approval', 'version', c.version - 1, 'label', c.label, 'revision', c.revision),
           jsonb_build_object('status', 'approved', 'version', c.version, 'label', c.label, 'revision', c.revision)
    FROM changed c
), campaigns AS (
    INSERT INTO local.local_campaigns (entity_id, order_id, package_id, revision, name, folder)
    SELECT c.entity_id, c.id, c.package_id, c.revision, p.campaign_name, p.campaign_folder
    FROM changed c JOIN central.packages p ON p.id = c.package_id
)
INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
SELECT c.entity_id, 'order_approved', c.package_id, c.id, c.revision, 'by hand', 'order_approved:' || c.id FROM changed c;
COMMIT;
