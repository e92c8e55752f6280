#!/usr/bin/env bash
# Operators-at-scale benchmark (not a test), three figures each beside its yardstick,
# measured in the same run on one private embedded cluster under /tmp:
#
#   1. participation of a package offered to 10,000 entities (frozen tagged audience,
#      6,000 orders): GET /v1/packages/{id}/participation p50 (goal <= 20 ms), first
#      page and the no_response filter;
#   2. CSV export of 1,000,000 orders: GET /v1/orders?format=csv rows/s next to
#      psql -c "\copy (the same query) to stdout csv" (goal >= 0.5x), and the daemon's
#      resident memory growth during the export (goal <= 50 MB);
#   3. bulk approval of 10,000 orders: POST /v1/orders/bulk to the job's end, next to
#      the same writes by hand-written SQL (bench/bulk_by_hand.sql) in one psql
#      transaction on an identical package (goal <= 1.5x).
#
#   bash bench/scale.sh
#   BENCH_ENTITIES=1000 BENCH_ORDERS=100000 BENCH_BULK=1000 bash bench/scale.sh   # small
set -euo pipefail
NAME=scale
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ENTITIES=${BENCH_ENTITIES:-10000}   # every entity carries the tag the participation package is offered to
ORDERS=${BENCH_ORDERS:-1000000}     # every order in the database: what the export writes
BULK=${BENCH_BULK:-10000}           # pending orders approved by one bulk job (one per entity)
RUNS=${BENCH_RUNS:-3}               # rounds of export and of bulk approval
REQUESTS=${BENCH_REQUESTS:-300}     # participation requests measured (after 30 warm-up)
CLUSTERED=${BENCH_CLUSTERED:-0}     # 1: the ordering entities are the first codes (worst case of status=no_response)
positive ENTITIES ORDERS BULK RUNS REQUESTS
(( BULK <= ENTITIES )) || die "one pending order per entity and package: BENCH_BULK must be <= BENCH_ENTITIES"
[[ $CLUSTERED == 0 || $CLUSTERED == 1 ]] || die "BENCH_CLUSTERED must be 0 or 1"
PARTICIPANTS=$(( ENTITIES * 6 / 10 ))
FILLER=$(( ORDERS - PARTICIPANTS - 2 * RUNS * BULK ))
(( FILLER >= 0 )) || die "BENCH_ORDERS is too small for the participation and bulk orders"

build
# One operator drives everything: four eyes are not what this measures.
start_serve --workers 2 --allow-self-approval
TOKEN=$(cd "$ROOT" && "$BIN" token create --central bench --data-dir "$DIR")
[[ -n $TOKEN ]] || die "token create printed nothing"
machine_facts

api() { # METHOD PATH [BODY]: the JSON answer
    curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "http://127.0.0.1:$PORT$2"
}

say "seeding $ENTITIES entities (tag bench) and the participation package"
psql_run -v entities="$ENTITIES" <<'SQL'
INSERT INTO central.entities (code, label, tags, created_by)
SELECT 'E' || lpad(i::text, 6, '0'), 'Entity ' || i, '{bench}', 'bench' FROM generate_series(1, :entities) AS i;
SQL
PACKAGE=$(api POST /v1/packages '{"label": "Tagged", "type": "collaborative", "campaign_name": "t", "campaign_folder": "/t", "audience_tags": ["bench"]}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for action in submit approve publish; do api POST "/v1/packages/$PACKAGE/$action" '{}' >/dev/null; done
echo "package $PACKAGE published; audience frozen: $(psql_value "SELECT count(*) FROM local.package_offers WHERE package_id = $PACKAGE") entities"

say "seeding orders: $PARTICIPANTS of the participation package, 2 x $RUNS x $BULK pending for the bulk rounds, $FILLER others"
psql_run -v package="$PACKAGE" -v participants="$PARTICIPANTS" -v bulk="$BULK" -v runs="$RUNS" -v filler="$FILLER" \
    -v entities="$ENTITIES" -v clustered="$CLUSTERED" <<'SQL'
SET synchronous_commit = off;
SELECT min(id) AS entity0 FROM central.entities \gset
-- The participation package: 6 entities in 10 ordered, spread over the codes, in every
-- status (BENCH_CLUSTERED=1: the first 60 % of the codes ordered, the others not, the
-- worst case of the code-order walk for status=no_response; see bench/SCALE.md).
INSERT INTO local.orders (entity_id, package_id, revision, label, status, cancel_reason, single, created_by, updated_by)
SELECT :entity0 + i, :package, 1, 'Order', status, CASE WHEN status = 'cancelled' THEN 'cancelled_by_central' END,
       true, 'bench', 'bench'
FROM (SELECT i, (ARRAY['pending_approval', 'approved', 'rejected', 'cancelled'])[1 + i % 4] AS status
      FROM generate_series(0, :entities - 1) AS i
      WHERE CASE WHEN :clustered = 1 THEN i < :participants ELSE i % 10 < 6 END) AS g;
-- Published local packages (offered to every entity): 2 x runs for the bulk rounds, 100 for the rest.
INSERT INTO central.packages (label, type, campaign_name, campaign_folder, status, created_by, updated_by)
SELECT 'Bulk ' || i, 'local', 'bulk ' || i, '/bulk', 'published', 'bench', 'bench' FROM generate_series(1, 2 * :runs) AS i;
INSERT INTO central.packages (label, type, campaign_name, campaign_folder, status, created_by, updated_by)
SELECT 'Filler ' || i, 'local', 'filler ' || i, '/filler', 'published', 'bench', 'bench' FROM generate_series(1, 100) AS i;
INSERT INTO local.orders (entity_id, package_id, revision, label, status, single, created_by, updated_by)
SELECT :entity0 + e, p.id, 1, 'Bulk order', 'pending_approval', true, 'bench', 'bench'
FROM central.packages p CROSS JOIN generate_series(0, :bulk - 1) AS e WHERE p.label LIKE 'Bulk %';
-- The others: labels and comments with commas, quotes and a leading '=' now and then.
INSERT INTO local.orders (entity_id, package_id, revision, label, comment, parameters, status, cancel_reason, single,
                          created_by, updated_by)
SELECT :entity0 + k % :entities, f.first + (k / :entities) % 100, 1,
       CASE WHEN k % 50 = 0 THEN '=cmd|"x", ' || k ELSE 'Order ' || k END, 'comment, "quoted" ' || k,
       jsonb_build_object('copies', k % 1000), status, CASE WHEN status = 'cancelled' THEN 'cancelled_by_central' END,
       false, 'bench', 'bench'
FROM (SELECT k, (ARRAY['approved', 'rejected', 'cancelled', 'approved'])[1 + k % 4] AS status
      FROM generate_series(0, :filler - 1) AS k) AS g,
     (SELECT min(id) AS first FROM central.packages WHERE label LIKE 'Filler %') AS f;
SQL
say "VACUUM ANALYZE"
psql_run -c 'VACUUM ANALYZE'
echo "orders: $(psql_value 'SELECT count(*) FROM local.orders')"

say "1. participation of package $PACKAGE ($ENTITIES entities): $REQUESTS requests"
BENCH_TOKEN=$TOKEN python3 "$BENCH/scale_bench.py" participation --port "$PORT" --package "$PACKAGE" --requests "$REQUESTS"

# The export's query: CSVExport.orders(_:) with no filter. Keep in step with Sources/Store/CSVExport.swift.
EXPORT_SQL="SELECT o.id, o.package_id, o.revision, central.csv_text(e.code) AS entity, central.csv_text(o.label) AS label,
       o.status, central.csv_text(o.comment) AS comment, central.csv_text(o.parameters::text) AS parameters,
       central.csv_time(o.created_at) AS created_at, central.csv_text(o.created_by) AS created_by,
       central.csv_time(o.updated_at) AS updated_at, central.csv_text(o.updated_by) AS updated_by,
       central.csv_time(o.decided_at) AS decided_at, central.csv_text(o.decided_by) AS decided_by,
       central.csv_text(o.decision_comment) AS decision_comment,
       central.csv_time(o.cancelled_at) AS cancelled_at, central.csv_text(o.cancelled_by) AS cancelled_by,
       central.csv_text(o.cancel_comment) AS cancel_comment, o.cancel_reason
FROM local.orders o JOIN central.entities e ON e.id = o.entity_id
ORDER BY o.id DESC"
say "2. CSV export of every order: $RUNS rounds of the daemon and of psql \\copy, in turn"
for round in $(seq 1 "$RUNS"); do
    BENCH_TOKEN=$TOKEN python3 "$BENCH/scale_bench.py" export --port "$PORT" --pid "$SERVE_PID" --round "$round"
    start=$(date +%s.%N)
    lines=$(psql "$CONNINFO" -X -q -c "\\copy ($EXPORT_SQL) to stdout csv header" | wc -l)
    end=$(date +%s.%N)
    python3 -c "import sys; rows, s = int(sys.argv[1]) - 1, float(sys.argv[3]) - float(sys.argv[2]); print(f'round {sys.argv[4]} psql \\\\copy: {rows} rows in {s:.2f} s = {rows / s:,.0f} rows/s')" \
        "$lines" "$start" "$end" "$round"
done

say "3. bulk approval of $BULK orders: $RUNS rounds of the daemon's job and of the hand-written SQL, in turn"
for round in $(seq 1 "$RUNS"); do
    daemon_package=$(psql_value "SELECT id FROM central.packages WHERE label = 'Bulk $(( 2 * round - 1 ))'")
    sql_package=$(psql_value "SELECT id FROM central.packages WHERE label = 'Bulk $(( 2 * round ))'")
    BENCH_TOKEN=$TOKEN python3 "$BENCH/scale_bench.py" bulk --port "$PORT" --package "$daemon_package" --round "$round"
    timing=$(psql_run -v package="$sql_package" -f "$BENCH/bulk_by_hand.sql" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | awk '{ total += $1 } END { printf "%.1f", total }')
    echo "round $round hand-written SQL: $(psql_value "SELECT count(*) FROM local.orders WHERE package_id = $sql_package AND status = 'approved'") orders approved in ${timing} ms (BEGIN to COMMIT)"
done
echo "$(load)"
say "done"
