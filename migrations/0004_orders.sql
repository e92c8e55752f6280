-- campaignd 0004: orders and local campaigns, rows of one local entity each.
--
-- Every local table is keyed by entity_id first (primary and unique keys), so that it
-- can be distributed by entity (Citus) when one server is no longer enough. The two
-- indexes that serve the central entity's cross-entity views (by package, by order id)
-- are non-unique, which a distributed table allows.

CREATE TABLE local.orders (
    entity_id        bigint      NOT NULL REFERENCES central.entities (id),
    id               bigint      GENERATED ALWAYS AS IDENTITY,
    package_id       bigint      NOT NULL REFERENCES central.packages (id),
    revision         integer     NOT NULL CHECK (revision >= 1),
    label            text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    comment          text        NOT NULL DEFAULT '' CHECK (length(comment) <= 10000),
    parameters       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
    status           text        NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected', 'cancelled')),
    -- Copied from the package: at most one live order per entity and package revision.
    single           boolean     NOT NULL,
    version          bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text        NOT NULL,
    decided_at       timestamptz,
    decided_by       text,
    decision_comment text,
    cancelled_at     timestamptz,
    cancelled_by     text,
    cancel_comment   text,
    cancel_reason    text        CHECK (cancel_reason IN
                         ('cancelled_by_entity', 'cancelled_by_central', 'package_cancelled', 'package_reinitialized')),
    PRIMARY KEY (entity_id, id),
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
COMMENT ON TABLE local.orders IS 'Orders of campaign packages, one row per order, owned by the ordering entity';

CREATE UNIQUE INDEX orders_one_per_revision_idx ON local.orders (entity_id, package_id, revision)
    WHERE single AND status <> 'cancelled';
CREATE INDEX orders_entity_status_idx ON local.orders (entity_id, status, id);
CREATE INDEX orders_entity_package_idx ON local.orders (entity_id, package_id, id);
-- Central views: the orders of a package revision (summary counts, orders by entity,
-- the fan-out of a cancel or reinitialize).
CREATE INDEX orders_package_idx ON local.orders (package_id, revision, id) INCLUDE (status, entity_id);
-- Central views: one order by id, and all orders by status.
CREATE INDEX orders_id_idx ON local.orders (id);
CREATE INDEX orders_status_idx ON local.orders (status, id);

CREATE TABLE local.local_campaigns (
    entity_id  bigint      NOT NULL REFERENCES central.entities (id),
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    order_id   bigint      NOT NULL,
    package_id bigint      NOT NULL REFERENCES central.packages (id),
    revision   integer     NOT NULL,
    name       text        NOT NULL,
    folder     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_id, id),
    UNIQUE (entity_id, order_id),
    FOREIGN KEY (entity_id, order_id) REFERENCES local.orders (entity_id, id)
);
COMMENT ON TABLE local.local_campaigns IS 'The campaign an approved order of a local package creates for its entity';
