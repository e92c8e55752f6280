#!/usr/bin/env bash
# Back-office list benchmark (not a test): builds the release daemon, starts it on a
# private embedded cluster under /tmp, seeds entities, packages and orders with
# set-based SQL, measures the package list and the orders view over HTTP, and the
# console's package list and a dashboard next to the API's (signed in as a viewer)
# (bench/measure.py), prints the EXPLAIN (ANALYZE, BUFFERS) plans of the SQL the
# server runs for them, then stops the daemon and deletes the cluster.
#
#   bash bench/backoffice.sh      # full size: 1 to 1.5 min, plus the build, on 2 cores
#   BENCH_ENTITIES=200 BENCH_PACKAGES=5000 BENCH_ORDERS=20000 bash bench/backoffice.sh  # small
#
# See bench/README.md for the settings and the figures.
set -euo pipefail

ENTITIES=${BENCH_ENTITIES:-5000}
PACKAGES=${BENCH_PACKAGES:-100000}
ORDERS=${BENCH_ORDERS:-1000000}
REQUESTS=${BENCH_REQUESTS:-500}
WARMUP=${BENCH_WARMUP:-50}
DEEP_PAGE=${BENCH_DEEP_PAGE:-200}
GOAL_MS=${BENCH_GOAL_MS:-10}
NAME=backoffice
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

positive ENTITIES PACKAGES ORDERS REQUESTS WARMUP DEEP_PAGE
PER_ENTITY=$(( (ORDERS + ENTITIES - 1) / ENTITIES ))
(( PER_ENTITY <= PACKAGES )) || die "each (entity, package) pair orders once: BENCH_ORDERS must be <= BENCH_ENTITIES * BENCH_PACKAGES"

build
start_serve

TOKEN=$(cd "$ROOT" && "$BIN" token create --central bench --data-dir "$DIR")
[[ -n $TOKEN ]] || die "token create printed nothing"
# A console session for the pages: an operator with a password, signed in through the form.
BENCH_PASSWORD="bench password $RANDOM$RANDOM"
printf '%s\n' "$BENCH_PASSWORD" | (cd "$ROOT" && "$BIN" operator create bench-pages --role viewer --password-stdin --data-dir "$DIR") >/dev/null
JAR=$DIR/cookies.txt
SIGNIN=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/console/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf=$SIGNIN" --data-urlencode "name=bench-pages" \
    --data-urlencode "password=$BENCH_PASSWORD" "http://127.0.0.1:$PORT/console/login"
SESSION=$(awk '$6 == "campaignd_session" {print $7}' "$JAR")
[[ -n $SESSION ]] || die "could not sign in to the console"

# --- seed -----------------------------------------------------------------------------
say "seeding $ENTITIES entities, $PACKAGES packages, $ORDERS orders"
psql_run -v entities="$ENTITIES" -v packages="$PACKAGES" -v orders="$ORDERS" <<'SQL'
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
\timing on

-- Entities E00001 ... (ids are contiguous: the cluster is fresh).
\echo entities
INSERT INTO central.entities (code, label, created_at, created_by)
SELECT 'E' || lpad(i::text, greatest(5, length(i::text)), '0'), 'Entity ' || i,
       now() - interval '3 years', 'bench'
FROM generate_series(1, :entities) AS i;

-- Packages: status uniform over the six, type 50/50 (independent), revision 1,
-- offered to every entity; created one every 10 minutes up to now, with dates
-- around them so that some are late or unavailable.
\echo packages
SELECT setseed(0.2024) AS seeded \gset
INSERT INTO central.packages (
    label, type, campaign_name, campaign_folder, audience_all, approval_mode,
    visible_from, visible_until, available_at, order_deadline, approval_deadline,
    status, created_at, created_by, updated_at, updated_by,
    last_action, last_action_at, last_action_by, last_action_comment)
SELECT 'Package ' || i || ' ' || (ARRAY['spring', 'summer', 'autumn', 'winter', 'launch', 'sale'])[1 + i % 6],
       CASE WHEN collaborative THEN 'collaborative' ELSE 'local' END,
       'Campaign ' || i, '/campaigns/' || (i % 100),
       true,
       CASE WHEN random() < 0.7 THEN 'manual' ELSE 'automatic' END,
       created, created + (lead + 67) * interval '1 day', created + (lead + 7) * interval '1 day',
       created + (lead + 37) * interval '1 day', created + lead * interval '1 day',
       status, created, 'bench', created, 'bench',
       CASE WHEN status = 'cancelled' THEN 'cancel' END,
       CASE WHEN status = 'cancelled' THEN created + interval '1 day' END,
       CASE WHEN status = 'cancelled' THEN 'bench' END,
       CASE WHEN status = 'cancelled' THEN 'cancelled by the benchmark' END
FROM (
    SELECT i,
           (ARRAY['being_edited', 'pending_approval', 'approved', 'rejected', 'published', 'cancelled'])[1 + floor(random() * 6)::int] AS status,
           random() < 0.5 AS collaborative,
           7 + floor(random() * 54)::int AS lead,
           now() - (:packages - i) * interval '10 minutes' AS created
    FROM generate_series(1, :packages) AS i
) AS g;

-- Collaborative packages have a reference campaign, where the schema has them.
\echo reference campaigns
DO $$
BEGIN
    IF to_regclass('central.reference_campaigns') IS NOT NULL THEN
        EXECUTE $q$
            INSERT INTO central.reference_campaigns (package_id, name, status)
            SELECT id, campaign_name,
                   CASE status WHEN 'published' THEN 'running' WHEN 'cancelled' THEN 'cancelled' ELSE 'being_edited' END
            FROM central.packages WHERE type = 'collaborative'
            ON CONFLICT DO NOTHING $q$;
    END IF;
END $$;

\timing off
SELECT min(id) AS entity0, count(*) AS entity_count FROM central.entities \gset
SELECT min(id) AS package0, count(*) AS package_count FROM central.packages \gset
DO $$
BEGIN
    IF (SELECT max(id) - min(id) + 1 <> count(*) FROM central.packages)
        OR (SELECT max(id) - min(id) + 1 <> count(*) FROM central.entities) THEN
        RAISE EXCEPTION 'entity or package ids are not contiguous: seed into a fresh cluster';
    END IF;
END $$;

-- Orders: order k is entity (k mod E)'s j-th (j = k div E), of package
-- (e * 7919 + j * stride) mod P; with j * stride < P, every (entity, package) pair
-- is distinct, so the unique index orders_one_per_revision_idx holds. Ids grow with
-- time and every entity's orders are spread over the whole id range. Status:
-- 20 % pending approval, 60 % approved, 10 % rejected, 10 % cancelled.
\echo orders
SELECT greatest(1, :package_count / ((:orders + :entity_count - 1) / :entity_count)) AS stride \gset
\timing on
INSERT INTO local.orders (
    entity_id, package_id, revision, label, status, single,
    created_at, created_by, updated_at, updated_by, decided_at, decided_by,
    cancelled_at, cancelled_by, cancel_comment, cancel_reason)
SELECT :entity0 + e, :package0 + (e * 7919 + j * :stride) % :package_count, 1, 'Order ' || k, status, true,
       created, 'bench', created, 'bench',
       CASE WHEN status IN ('approved', 'rejected') THEN created + interval '1 hour' END,
       CASE WHEN status IN ('approved', 'rejected') THEN 'bench' END,
       CASE WHEN status = 'cancelled' THEN created + interval '2 hours' END,
       CASE WHEN status = 'cancelled' THEN 'bench' END,
       CASE WHEN status = 'cancelled' THEN 'cancelled by the benchmark' END,
       CASE WHEN status = 'cancelled' THEN 'cancelled_by_central' END
FROM (
    SELECT k, k % :entity_count AS e, k / :entity_count AS j,
           CASE WHEN r < 0.2 THEN 'pending_approval' WHEN r < 0.8 THEN 'approved'
                WHEN r < 0.9 THEN 'rejected' ELSE 'cancelled' END AS status,
           now() - (:orders - k) * interval '1 minute' AS created
    FROM (SELECT k, random() AS r FROM generate_series(0, :orders - 1) AS k) AS s
) AS g;

\timing off
SQL
say "VACUUM ANALYZE"
psql_run -c 'VACUUM ANALYZE'
psql_run -c "SELECT relname AS table, n_live_tup AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size_with_indexes
             FROM pg_stat_user_tables WHERE relname IN ('entities', 'packages', 'orders') ORDER BY relname" \
         -c "SELECT status, type, count(*) FROM central.packages
             WHERE status IN ('published', 'pending_approval') GROUP BY 1, 2 ORDER BY 1, 2"

# --- measure ----------------------------------------------------------------------------
say "measuring over HTTP ($WARMUP warm-up + $REQUESTS requests per scenario)"
BENCH_TOKEN=$TOKEN BENCH_SESSION=$SESSION python3 "$BENCH/measure.py" --port "$PORT" --entities "$ENTITIES" \
    --requests "$REQUESTS" --warmup "$WARMUP" --deep-page "$DEEP_PAGE" --goal-ms "$GOAL_MS" \
    --env-out "$DIR/measure.env"
# shellcheck disable=SC1091
source "$DIR/measure.env"   # DEEP_CURSOR, DEEP_PAGE, ENTITY

# --- plans -------------------------------------------------------------------------------
say "EXPLAIN (ANALYZE, BUFFERS) of the SQL behind these requests (literal values, warm cache)"
LOOKUP=$(psql_run -Atc "SELECT lookup FROM central.api_tokens ORDER BY id DESC LIMIT 1")
ENTITY_ID=$(psql_run -Atc "SELECT id FROM central.entities WHERE code = '$ENTITY'")
FILTER_IDS="SELECT p.id FROM central.packages p WHERE p.status IN ('pending_approval', 'published') AND p.type = 'collaborative'"
FIRST_IDS=$(psql_run -Atc "SELECT array_agg(id ORDER BY id DESC)::text FROM ($FILTER_IDS ORDER BY p.id DESC LIMIT 50) AS page")
DEEP_IDS=$(psql_run -Atc "SELECT array_agg(id ORDER BY id DESC)::text FROM ($FILTER_IDS AND p.id < $DEEP_CURSOR ORDER BY p.id DESC LIMIT 50) AS page")

# PackageRepository.columns, PackageRepository.list(_:before:limit:) (statuses sorted by
# name, one branch each), PackageRepository.orderCounts(_:), TokenStore.authenticate(_:),
# EntityRepository.find(code:), OrderRepository.list(_:before:limit:): keep in step with
# Sources/Store when they change.
COLUMNS="p.id, p.label, p.type, p.description, p.campaign_name, p.campaign_folder,
    CASE WHEN p.audience_all THEN NULL ELSE ARRAY(
        SELECT e.code FROM central.package_audience a JOIN central.entities e ON e.id = a.entity_id
        WHERE a.package_id = p.id ORDER BY e.code) END AS audience,
    p.approval_mode, p.allows_several_orders, p.visible_from, p.visible_until, p.available_at,
    p.order_deadline, p.approval_deadline, p.settings, p.status, p.revision, p.version, p.pending_job_id,
    p.created_at, p.created_by, p.updated_at, p.updated_by,
    p.last_action, p.last_action_at, p.last_action_by, p.last_action_comment,
    coalesce((p.status = 'pending_approval' AND p.approval_deadline < now())
          OR (p.status = 'approved' AND p.available_at < now()), false) AS late,
    coalesce(p.status = 'published' AND p.visible_until < now(), false) AS unavailable"
package_page() { # $1: extra condition ("" or "AND p.id < N")
    cat <<SQL
SELECT $COLUMNS
FROM central.packages p
WHERE p.id IN (SELECT id FROM (
    (SELECT p.id FROM central.packages p WHERE p.status = 'pending_approval' AND p.type = 'collaborative' $1 ORDER BY p.id DESC LIMIT 50)
    UNION ALL
    (SELECT p.id FROM central.packages p WHERE p.status = 'published' AND p.type = 'collaborative' $1 ORDER BY p.id DESC LIMIT 50)
  ) AS page ORDER BY id DESC LIMIT 50)
ORDER BY p.id DESC
SQL
}
order_counts() { # $1: the page's ids, as an array literal
    cat <<SQL
SELECT o.package_id, o.status, count(*) AS n
FROM central.packages p JOIN local.orders o ON o.package_id = p.id AND o.revision = p.revision
WHERE p.id = ANY('$1'::bigint[])
GROUP BY o.package_id, o.status
SQL
}
explain() { # $1: title, $2: role to run it as (optional), stdin: the statement
    # Run once unseen, then show the second run: like the daemon's long-lived
    # connections, the session's catalog caches and the buffers are then warm.
    local sql role=${2:-}
    sql=$(cat)
    printf '\n---- %s%s\n%s;\n\n' "$1" "${role:+ (as $role)}" "$sql"
    psql_run -P pager=off <<SQL
SET track_io_timing = on;
${role:+SET ROLE $role;}
\o /dev/null
EXPLAIN (ANALYZE, BUFFERS) $sql;
\o
EXPLAIN (ANALYZE, BUFFERS) $sql;
SQL
}

explain "every /v1 request: TokenStore.authenticate" <<SQL
SELECT t.secret_hash, t.operator_id, o.name AS operator_name, t.entity_id, e.code AS entity_code
FROM central.api_tokens t
LEFT JOIN central.operators o ON o.id = t.operator_id
LEFT JOIN central.entities e ON e.id = t.entity_id
WHERE t.lookup = '$LOOKUP' AND t.revoked_at IS NULL
SQL
package_page "" | explain "GET /v1/packages?status=published,pending_approval&type=collaborative: the page"
order_counts "$FIRST_IDS" | explain "... first page: orderCounts of its 50 packages"
package_page "AND p.id < $DEEP_CURSOR" | explain "GET /v1/packages?status=published,pending_approval&type=collaborative&cursor=$DEEP_CURSOR (page $DEEP_PAGE)"
order_counts "$DEEP_IDS" | explain "... page $DEEP_PAGE: orderCounts of its 50 packages"
explain "GET /v1/orders?entity=$ENTITY: EntityRepository.find(code:)" <<SQL
SELECT id, code, label, created_at FROM central.entities WHERE code = '$ENTITY'
SQL
orders_list() {
    cat <<SQL
SELECT o.id, o.entity_id, e.code AS entity_code, o.package_id, o.revision, o.label, o.comment, o.parameters,
    o.status, o.version, o.created_at, o.created_by, o.updated_at, o.updated_by, o.decided_at, o.decided_by,
    o.decision_comment, o.cancelled_at, o.cancelled_by, o.cancel_comment, o.cancel_reason
FROM local.orders o JOIN central.entities e ON e.id = o.entity_id
WHERE o.entity_id = $ENTITY_ID ORDER BY o.id DESC LIMIT 50
SQL
}
orders_list | explain "GET /v1/orders?entity=$ENTITY: OrderRepository.list"

# The embedded cluster's daemon connects as the superuser `postgres`, which bypasses
# row level security. Against an external database it runs as a role granted
# campaignd_service, to which the forced policies of local.orders apply: show the two
# statements that read local.orders as such a role too.
if [[ $(psql_run -Atc "SELECT count(*) FROM pg_roles WHERE rolname = 'campaignd_service'") == 1 ]]; then
    psql_run -c "CREATE ROLE bench_service NOLOGIN NOSUPERUSER NOBYPASSRLS IN ROLE campaignd_service"
    order_counts "$FIRST_IDS" | explain "... first page: orderCounts of its 50 packages, under row level security" bench_service
    orders_list | explain "GET /v1/orders?entity=$ENTITY: OrderRepository.list, under row level security" bench_service
fi

say "done"
