#!/usr/bin/env python3
"""One-off: extract the component schemas of the upstream OpenAPI description
into schemas.json (JSON Schema 2020-12, refs rewritten to #/$defs/...).

Run by hand when the upstream spec changes, from the repository root:
    python3 tests/conformance/extract-schemas.py ../shared/spec/box.openapi.yaml
Tests never run this: they read the committed schemas.json.
"""
import json
import sys

import yaml


def rewrite(node):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                v = v.replace("#/components/schemas/", "#/$defs/")
            out[k] = rewrite(v)
        return out
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    return node


def main():
    spec = yaml.safe_load(open(sys.argv[1]))
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://boxtop.invalid/boxlite-openapi.json",
        "$comment": "Extracted from box.openapi.yaml (OpenAPI %s, info.version %s) by "
        "tests/conformance/extract-schemas.py; do not edit by hand."
        % (spec["openapi"], spec["info"]["version"]),
        "$defs": rewrite(spec["components"]["schemas"]),
    }
    out = sys.argv[2] if len(sys.argv) > 2 else "tests/conformance/schemas.json"
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
