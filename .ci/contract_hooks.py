"""Schemathesis hooks of .ci/contract (loaded through SCHEMATHESIS_HOOKS)."""

import schemathesis

# `GET /v1/notifications?wait=N` holds an empty answer for up to N seconds (0 to 60). A
# valid wait is cut to at most this many seconds so that the run stays bounded; invalid
# values (negative, over 60, not a number) are sent as generated, to be refused with 422.
LONG_POLL_CAP = 0.5


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.method.upper() != "GET" or case.operation.path != "/v1/notifications":
        return
    query = case.query
    if not isinstance(query, dict) or "wait" not in query:
        return
    try:
        wait = float(query["wait"])
    except (TypeError, ValueError):
        return
    if 0 < wait <= 60:
        query["wait"] = min(wait, LONG_POLL_CAP)
