"""Validates JSON-RPC results against the execution-apis OpenRPC document in ../shared/vectors.

The rule: "Responses conform to the execution-apis schemas in shared/vectors/execution-apis".
The vectors are read in place (never copied): `$STAKENET_VECTORS` or `<repo>/../shared/vectors`.
"""
import functools
import json
import os
from pathlib import Path

import jsonschema


def vectors_root() -> Path:
    env = os.environ.get("STAKENET_VECTORS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "vectors"


@functools.lru_cache(maxsize=None)
def _methods() -> dict:
    doc = json.loads((vectors_root() / "execution-apis" / "openrpc.json").read_text())
    return {m["name"]: m for m in doc["methods"]}


def has_schema(method: str) -> bool:
    return method in _methods()


@functools.lru_cache(maxsize=None)
def _validator(method: str):
    schema = _methods()[method]["result"]["schema"]
    return jsonschema.Draft7Validator(schema)


def schema_errors(method: str, result) -> list:
    """Every way `result` breaks the spec's result schema for `method` ([] when it conforms)."""
    v = _validator(method)
    out = []
    for e in v.iter_errors(result):
        # oneOf/anyOf failures say little by themselves: name the closest branch's complaints.
        best = jsonschema.exceptions.best_match([e])
        where = "/".join(str(p) for p in best.absolute_path) or "<result>"
        out.append(f"{where}: {best.message[:300]}")
    return out


def assert_conforms(method: str, result):
    errs = schema_errors(method, result)
    assert not errs, f"{method} result does not match execution-apis schema:\n  " + "\n  ".join(errs) + \
        f"\nresult: {json.dumps(result)[:2000]}"
