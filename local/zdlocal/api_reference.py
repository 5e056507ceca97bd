"""``make docs``: writes the OpenAPI document and ``docs/api.md`` from it (never by hand).

``python -m zdlocal.api_reference`` rewrites ``functions/openapi/openapi.json`` (what
``GET /openapi.json`` serves) and ``docs/api.md``; ``--check`` exits 1 when either is stale
(a unit test does the same).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from zdagent.api.openapi import openapi_document

REPO = Path(__file__).resolve().parents[2]
API_MD = REPO / "docs" / "api.md"
OPENAPI_JSON = REPO / "functions" / "openapi" / "openapi.json"
HEADER = """# Admin API reference

Written by `make docs` from the OpenAPI 3.1 document the API serves at `GET /openapi.json`
(itself generated from the pydantic models the handlers validate with): do not edit by hand.
Behaviour, ordering rules and the webhook are specified in [contract.md](contract.md).

Every route marked 🔒 needs `Authorization: Bearer <token>` (a JWT in AWS, `local-admin-token`
locally); without it the JWT authorizer answers 401 `{"message"}`. Every other error is an
`application/problem+json` document `{"type","title","status","detail"}`.
"""


def render(document: dict[str, Any]) -> str:
    lines = [HEADER, "## Routes", "", "| route | does | body | answers |", "|---|---|---|---|"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            lines.append(_route_row(method, path, operation))
    lines += ["", "## Schemas", ""]
    for name, schema in sorted(document["components"]["schemas"].items()):
        lines += _schema_section(name, schema)
    return "\n".join(lines).rstrip() + "\n"


def _route_row(method: str, path: str, operation: dict[str, Any]) -> str:
    lock = " 🔒" if operation["security"] else ""
    body = operation.get("requestBody")
    body_text = ""
    if body:
        body_text = _type_of(body["content"]["application/json"]["schema"])
        body_text += "" if body["required"] else " (optional)"
    answers = []
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            content = response.get("content", {})
            schema = next(iter(content.values()))["schema"] if content else None
            answers.append(f"{status} {_type_of(schema)}" if schema else status)
    query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    route = f"`{method.upper()} {path}`" + (f" `?{'&'.join(query)}`" if query else "")
    return f"| {route}{lock} | {operation['summary']} | {body_text} | {', '.join(answers)} |"


def _schema_section(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    properties = schema.get("properties", {})
    if schema.get("enum"):
        lines += ["one of " + ", ".join(f"`{v}`" for v in schema["enum"]), ""]
    if not properties:
        return lines
    required = set(schema.get("required", []))
    closed = schema.get("additionalProperties") is False
    lines += ["| field | type | |", "|---|---|---|"]
    for field, prop in properties.items():
        notes = ["required" if field in required else _default(prop)]
        notes += _constraints(prop)
        lines.append(f"| `{field}` | {_type_of(prop)} | {'; '.join(n for n in notes if n)} |")
    if closed:
        lines += ["", "Unknown fields are refused (422)."]
    return [*lines, ""]


def _type_of(schema: dict[str, Any] | None) -> str:
    if not schema:
        return "any"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        return " \\| ".join(_type_of(s) for s in schema["anyOf"])
    if "enum" in schema or "const" in schema:
        return " \\| ".join(f"`{v}`" for v in schema.get("enum", [schema.get("const")]))
    return _plain_type(schema)


def _plain_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type_of(schema.get('items'))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {_type_of(schema['additionalProperties'])}"
    return f"{kind} ({schema['format']})" if schema.get("format") else str(kind)


def _default(prop: dict[str, Any]) -> str:
    if "default" not in prop:
        return ""
    return f"default `{_json(prop['default'])}`"


def _constraints(prop: dict[str, Any]) -> list[str]:
    names = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern")
    found = [f"{name} {prop[name]}" for name in names if name in prop]
    if prop.get("description"):
        found.append(" ".join(prop["description"].split()))
    return found


def _json(value: object) -> str:
    return json.dumps(value)


def document_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    document = openapi_document()
    outputs = {OPENAPI_JSON: document_json(document), API_MD: render(document)}
    stale = [path for path, text in outputs.items() if path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(REPO)} is stale: run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(outputs[path])
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
