#!/usr/bin/python3
"""The project's documents name only what is in it.

Every path under deploy/ that a document, a deploy file or a comment in one
names exists; every relative Markdown link points at a file of the
repository; and nothing links outside the repository (a `../` that climbs
out of it). Run by the test command as `docs.paths`:

    check_paths.py SOURCE_DIR
"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1])

# The documents and the files an operator reads.
documents = []
for top in ('README.md', 'SECURITY.md', 'docs', 'deploy', 'proto/SPEC.md', 'web/README.md', 'server/README.md',
            'client-lib', 'tests/README.md'):
    path = os.path.join(root, top)
    if os.path.isfile(path):
        documents.append(path)
    elif os.path.isdir(path):
        for d, _, files in os.walk(path):
            for f in files:
                if f.endswith(('.md', '.conf', '.service', '.timer', '.yml', '.yaml', '.json', '.logrotate')) or \
                        d.endswith('debian'):
                    documents.append(os.path.join(d, f))

deploy_path = re.compile(r'(?<![\w./-])deploy/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*')
markdown_link = re.compile(r'\]\(([^)#\s]+)(?:#[^)]*)?\)')
problems = []
for doc in sorted(set(documents)):
    try:
        text = open(doc, encoding='utf-8').read()
    except UnicodeDecodeError:
        continue
    name = os.path.relpath(doc, root)
    for m in deploy_path.finditer(text):
        named = m.group(0).rstrip('.')
        if not os.path.exists(os.path.join(root, named)):
            problems.append(f'{name}: names {named}, which is not in the repository')
    if doc.endswith('.md'):
        for m in markdown_link.finditer(text):
            target = m.group(1)
            if re.match(r'^[a-z]+:', target):
                continue  # a web address or mailto:, not a file
            resolved = os.path.normpath(os.path.join(os.path.dirname(doc), target))
            if not resolved.startswith(root + os.sep) and resolved != root:
                problems.append(f'{name}: links {target}, outside the repository')
            elif not os.path.exists(resolved):
                problems.append(f'{name}: links {target}, which is not there')
    for m in re.finditer(r'\.\./shared/', text):
        problems.append(f'{name}: names ../shared/, outside the repository')

for p in problems:
    print(p)
print(f'{len(documents)} documents checked, {len(problems)} problems')
sys.exit(1 if problems else 0)
