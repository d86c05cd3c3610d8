#!/usr/bin/python3
"""Checks proto/openapi.yaml, and the relay's real answers against it.

    check_openapi.py --lint proto/openapi.yaml
        The document against the OpenAPI 3.0 schema (Debian's
        openapi-specification package), then Shuttle's own rules: every body
        and every answer has a schema in which every field is typed (words as
        enums), and objects allow no keys they do not list.

    check_openapi.py --answers DIR proto/openapi.yaml
        Every answer the integration tests received (DIR/*.jsonl, one JSON
        line per answer, written by tests/integration/https_client.cpp and
        the browser tests) against the schema of its route and status. Then
        coverage, both ways: every status a route lists must have been
        answered on that route, and a status a route does not list must be
        one of the words any route may answer (GENERAL, SPEC 16.1), each of
        which must have been answered somewhere. The WebSocket route is
        left to its own tests (tests/integration/events_test.cpp).

Prints each problem and exits 1 if there is any; prints one summary line.
"""
import json
import pathlib
import re
import sys

import jsonschema
import yaml

META_SCHEMA = '/usr/share/openapi-specification/schemas/v3.0/schema.json'

# The statuses any route may answer (SPEC 16.1), described once by each
# route's `default`: a malformed request, a body too large or of the wrong
# type, too many requests, a relay that cannot write.
GENERAL = {400, 413, 415, 429, 503}


def load(path):
    return yaml.safe_load(open(path))


def walk_schema(schema, where, problems, doc):
    """Shuttle's rules for one schema, recursively."""
    if '$ref' in schema:
        return
    for key in ('oneOf', 'anyOf', 'allOf'):
        for i, s in enumerate(schema.get(key, [])):
            walk_schema(s, f'{where}.{key}[{i}]', problems, doc)
        if key in schema:
            return
    kind = schema.get('type')
    if kind is None:
        problems.append(f'{where}: no type')
        return
    if kind == 'object':
        values = schema.get('additionalProperties')
        if isinstance(values, dict) and 'x-map-keys' in schema:
            # A map whose keys are data (x-map-keys says which), every value checked.
            walk_schema(values, f'{where}{{}}', problems, doc)
        elif values is not False:
            problems.append(f'{where}: an object must say additionalProperties: false '
                            '(or be a map with x-map-keys)')
        for name, prop in schema.get('properties', {}).items():
            walk_schema(prop, f'{where}.{name}', problems, doc)
        for name in schema.get('required', []):
            if name not in schema.get('properties', {}):
                problems.append(f'{where}: requires {name}, which it does not define')
    elif kind == 'array':
        if 'items' not in schema:
            problems.append(f'{where}: an array without items')
        else:
            walk_schema(schema['items'], f'{where}[]', problems, doc)
    elif kind == 'string':
        if 'enum' not in schema and 'pattern' not in schema and 'description' not in schema:
            problems.append(f'{where}: a string with neither enum, pattern nor description')


def lint(doc):
    problems = [f'OpenAPI 3.0 schema: {e.message} at {"/".join(map(str, e.absolute_path))}'
                for e in jsonschema.Draft4Validator(json.load(open(META_SCHEMA))).iter_errors(doc)]
    for name, schema in doc['components']['schemas'].items():
        walk_schema(schema, f'components.schemas.{name}', problems, doc)
    operations = 0
    for path, ops in doc['paths'].items():
        for method, op in ops.items():
            if method == 'parameters':
                continue
            operations += 1
            where = f'{method.upper()} {path}'
            if op.get('x-body-limit', 0) > 0:
                body = op.get('requestBody', {}).get('content', {}).get('application/json', {}).get('schema')
                if body is None:
                    problems.append(f'{where}: takes a body but has no schema for it')
                else:
                    walk_schema(body, f'{where} body', problems, doc)
            if path == '/v1/events':
                continue
            if 'application/json' not in op['responses'].get('200', {}).get('content', {'application/json': {}}):
                continue  # bytes, a page or an asset: nothing to describe field by field
            ok = op['responses'].get('200', {}).get('content', {}).get('application/json', {}).get('schema')
            if ok is None:
                problems.append(f'{where}: no schema for its answer')
            else:
                walk_schema(ok, f'{where} answer', problems, doc)
    return problems, operations


def templates(doc):
    out = []
    for path, ops in doc['paths'].items():
        pattern = re.escape(path).replace(r'\{asset\}', '[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}')
        pattern = '^' + re.sub(r'\\\{[a-z]+\\\}', '[A-Za-z0-9_-]{22}', pattern) + '$'
        for method in ops:
            if method != 'parameters':
                out.append((method.upper(), re.compile(pattern), path, ops[method]))
    return out


def check_answers(doc, directory):
    problems = []
    resolver = jsonschema.RefResolver.from_schema(doc)
    error_schema = doc['components']['schemas']['Error']
    routes = templates(doc)
    refusals = json.load(open(pathlib.Path(__file__).parents[2] / 'proto' / 'refusals.json'))['codes']
    answered = set()
    seen = set()  # (method, path, status) of refusals a route lists
    general_seen = set()
    count = 0
    for file in sorted(pathlib.Path(directory).glob('*.jsonl')):
        for line in open(file, encoding='utf-8'):
            a = json.loads(line)
            count += 1
            target = a['target'].split('?')[0]
            found = [r for r in routes if r[0] == a['method'] and r[1].match(target)]
            status = a['status']
            where = f'{a["method"]} {target} -> {status}'
            if 'content_type' in a:  # not JSON: a ciphertext, a page, an asset
                listed = found[0][3]['responses'].get('200', {}).get('content', {}) if found else {}
                media = a['content_type'].split(';')[0].strip()
                if status != 200 or media not in listed:
                    problems.append(f'{where}: a {media} answer where the document lists none')
                else:
                    answered.add(f'{a["method"]} {found[0][2]}')
                continue
            try:
                body = json.loads(a['body'])
            except ValueError:
                problems.append(f'{where}: the answer is not JSON')
                continue
            if status == 200:
                if not found:
                    problems.append(f'{where}: a successful answer on a path the document does not list')
                    continue
                op = found[0][3]
                schema = op['responses']['200']['content']['application/json']['schema']
                answered.add(f'{a["method"]} {found[0][2]}')
            else:
                if found:
                    if str(status) in found[0][3]['responses']:
                        seen.add((a['method'], found[0][2], str(status)))
                    elif status in GENERAL and 'default' in found[0][3]['responses']:
                        general_seen.add(status)
                    else:
                        problems.append(f'{where}: a status the document does not list for this route')
                schema = error_schema
            if status != 200 and isinstance(body, dict) and body.get('error') not in refusals:
                problems.append(f'{where}: the code {body.get("error")!r} is not in proto/refusals.json')
            for e in jsonschema.Draft4Validator(schema, resolver=resolver).iter_errors(body):
                problems.append(f'{where}: {e.message[:300]} at {"/".join(map(str, e.absolute_path))}')
    for method, _, path, op in routes:
        key = f'{method} {path}'
        if path == '/v1/events':
            continue
        if key not in answered:
            problems.append(f'{key}: no successful answer was seen in the integration tests')
        for status in op['responses']:
            if status not in ('200', 'default') and (method, path, status) not in seen:
                problems.append(f'{key} -> {status}: listed, but never answered in the tests')
    for status in sorted(GENERAL - general_seen):
        problems.append(f'{status}: a general refusal (SPEC 16.1) never answered in the tests')
    return problems, count


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--lint':
        doc = load(sys.argv[2])
        problems, n = lint(doc)
        summary = f'openapi lint: {n} operations, {len(problems)} problems'
    elif len(sys.argv) == 4 and sys.argv[1] == '--answers':
        doc = load(sys.argv[3])
        problems, n = check_answers(doc, sys.argv[2])
        if n == 0:
            problems.append('no answers were recorded: did the integration tests run with SHUTTLE_API_ANSWERS_DIR?')
        summary = f'openapi answers: {n} answers checked, {len(problems)} problems'
    else:
        print(__doc__)
        return 2
    for p in problems[:200]:
        print(p)
    print(summary)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
