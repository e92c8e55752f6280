"""pgqueuer side of bench/throughput.sh (not a test).

    pgq_noop.py enqueue COUNT        # COUNT jobs of entrypoint "noop", one INSERT (its enqueue API)
    pgq_noop.py work BATCH           # one QueueManager, one asyncpg connection, drains the queue, exits

Connection: libpq environment (PGHOST = the cluster's socket folder, PGPORT, PGUSER,
PGDATABASE); pgqueuer's objects live in the schema PGQUEUER_SCHEMA (installed with
`pgq install`).
"""

import asyncio
import logging
import os
import sys
from datetime import timedelta

import asyncpg
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.types import QueueExecutionMode


async def connect():
    return await asyncpg.connect(
        host=os.environ["PGHOST"], port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER", "postgres"), database=os.environ.get("PGDATABASE", "campaignd"))


async def enqueue(count):
    conn = await connect()
    try:
        await Queries(AsyncpgDriver(conn)).enqueue(["noop"] * count, [None] * count, [0] * count)
    finally:
        await conn.close()


async def work(batch_size):
    conn = await connect()
    try:
        manager = QueueManager(Queries(AsyncpgDriver(conn)))

        @manager.entrypoint("noop")
        async def noop(job):  # the job does nothing: the queue itself is measured
            pass

        await manager.run(
            mode=QueueExecutionMode.drain, batch_size=batch_size, dequeue_timeout=timedelta(seconds=1))
    finally:
        await conn.close()


if __name__ == "__main__":
    logging.getLogger("pgqueuer").setLevel(logging.WARNING)
    command, value = sys.argv[1], int(sys.argv[2])
    asyncio.run(enqueue(value) if command == "enqueue" else work(value))
