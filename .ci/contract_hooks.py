"""Schemathesis hooks of .ci/contract (loaded through SCHEMATHESIS_HOOKS).

They change what is generated and sent, never what is checked: openapi.yaml is read as
it is, and every response is judged against it unchanged.
"""

import json
import os

import schemathesis

# `GET /v1/notifications?wait=N` holds an empty answer for up to N seconds (0 to 60). A
# valid wait is cut to at most this many seconds so that the run stays bounded; invalid
# values (negative, over 60, not a number) are sent as generated, to be refused with 422.
LONG_POLL_CAP = 0.2

# Path parameters get the id of a seeded resource as their example, so that the coverage
# phase (which varies one part of a request at a time around such a base value) reaches
# the work of each operation rather than stopping at 404 (a spare token for
# `DELETE /v1/tokens/{id}`, never the one the run uses). Fuzzing draws ids and names from
# the dictionaries of the configuration instead.
PATH_EXAMPLES = {
    "/v1/packages/": "package",
    "/v1/orders/": "order",
    "/v1/jobs/": "job",
    "/v1/processes/": "process",
    "/v1/entities/": "entity",
    "/v1/operators/": "operator",
    "/v1/tokens/": "token",
}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    seeded = json.loads(os.environ.get("CONTRACT_PATH_EXAMPLES", "{}"))
    if not seeded:
        return
    components = raw_schema.get("components", {}).get("parameters", {})

    def definition(parameter):
        reference = parameter.get("$ref", "")
        prefix = "#/components/parameters/"
        return components.get(reference[len(prefix):]) if reference.startswith(prefix) else parameter

    for path, item in raw_schema.get("paths", {}).items():
        kind = next((kind for prefix, kind in PATH_EXAMPLES.items() if path.startswith(prefix)), None)
        if kind not in seeded:
            continue
        lists = [item.get("parameters", [])]
        lists += [operation.get("parameters", []) for operation in item.values() if isinstance(operation, dict)]
        for parameters in lists:
            for parameter in parameters:
                target = definition(parameter)
                if isinstance(target, dict) and target.get("in") == "path":
                    target["example"] = seeded[kind]


@schemathesis.hook
def before_call(context, case, kwargs):
    query = case.query
    if not isinstance(query, dict):
        return
    if case.operation.method.upper() != "GET" or case.operation.path != "/v1/notifications":
        return
    if "wait" not in query:
        return
    try:
        wait = float(query["wait"])
    except (TypeError, ValueError):
        return
    if 0 < wait <= 60:
        query["wait"] = min(wait, LONG_POLL_CAP)
