-- campaignd 0016: fewer index entries written by the fan-outs (issue 18, item 1).
--
-- A collaborative package's cancel changes the status of every order of its revision,
-- and status is indexed, so each of those updates writes a new entry into every index
-- of local.orders; each notification row does the same in local.notifications. Measured
-- with bench/cancel.sh beside bench/cancel_minimal.sql (the same writes on bare tables).
-- Kept: every index a query or a guarantee needs (see bench/JOBS.md, "The weight of the
-- schema", for each query's plan before and after).

-- The package's orders, keyed by entity within a revision: it serves what the two
-- entity-leading indexes served (an entity's order of a package revision: the order
-- form's count, the participation, the audience without an order) with the revision as
-- an index condition, and the fan-outs' reads of a revision's orders as before. An
-- entity's own lists (by status, by package) walk the primary key (entity_id, id): one
-- entity's orders, a few hundred at most.
DROP INDEX local.orders_entity_status_idx;
DROP INDEX local.orders_entity_package_idx;
DROP INDEX local.orders_package_idx;
CREATE INDEX orders_package_idx ON local.orders (package_id, revision, entity_id, id) INCLUDE (status);

-- Kept whole: orders_status_idx (status, id). A partial one without the cancelled orders
-- was tried: the lists filter with status = ANY($1), a bound value the planner cannot
-- prove against the index's predicate, so a list of a rare status walked orders_id_idx
-- (52 ms for 50 of 1,500 pending orders among 200,000, against 0.4 ms through an index).

-- Only the prune reads notifications by age; rows arrive in that order, so a block
-- range index answers it at a fraction of a B-tree's cost per row.
DROP INDEX local.notifications_created_idx;
CREATE INDEX notifications_created_brin ON local.notifications USING brin (created_at) WITH (autosummarize = on);

-- The foreign key from packages to jobs: deleting a job (the reminders a cancel drops,
-- the prune) looks for a package that still points at it.
CREATE INDEX packages_pending_job_idx ON central.packages (pending_job_id) WHERE pending_job_id IS NOT NULL;

-- A notification's entity: every writer takes entity_id, in the same statement, from a
-- row that has it checked (central.entities, local.package_offers, local.orders), and
-- entities are disabled, never deleted, by the daemon. The check the foreign key made
-- per row (an index probe and a row lock on the entity, with its WAL record) was a
-- quarter of a 100,000-entity cancel and 40 % of a broadcast. What it stopped, a DBA's
-- DELETE of an entity that has notifications but no order, now leaves that entity's
-- rows behind, which no one can read (row level security) and the prune removes.
ALTER TABLE local.notifications DROP CONSTRAINT notifications_entity_id_fkey;
