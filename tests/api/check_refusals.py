#!/usr/bin/python3
"""Checks proto/refusals.json, the catalogue of the relay's refusal codes.

    check_refusals.py REPOSITORY

Reads every code the relay's source can answer: the words it gives its
failures (server/), and the protocol's own codes (proto/error.hpp's
parsing section, and any errc the relay names), which it passes on when a
body or statement does not parse. Fails when one of them is not in the
catalogue, when an entry lacks a sentence in one of the catalogue's
languages, or when the catalogue holds a code the relay cannot answer
(so it does not grow words no one meets).
"""
import json
import pathlib
import re
import sys

FAILURE_WORD = re.compile(
    r'(?:\b(?:invalid|forbidden|conflict|gone)\(\s*"([a-z_]+)"'
    r'|failure_kind::\w+,\s*"([a-z_]+)"'
    r'|plain_failure\(\s*http::status::\w+,\s*"([a-z_]+)")')
ERRC = re.compile(r'\berrc::([a-z_]+)')


def relay_codes(root):
    codes = {'not_found'}  # not_found() and the router's answer for no such path
    for path in sorted((root / 'server').rglob('*.[ch]pp')):
        text = path.read_text()
        for m in FAILURE_WORD.finditer(text):
            codes.add(next(g for g in m.groups() if g))
        codes.update(ERRC.findall(text))
    # A body or statement that does not parse answers the protocol's code for why.
    error_hpp = (root / 'proto' / 'error.hpp').read_text()
    parsing = error_hpp.split('// Parsing and validation (proto).')[1].split('// Client-side')[0]
    codes.update(re.findall(r'^\s*([a-z_]+)(?: = \d+)?,', parsing, re.M))
    # Signatures are checked with the clients' code (wrong_case, not_attested come from it too).
    codes.update({'wrong_case'})
    return codes


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = pathlib.Path(sys.argv[1])
    catalogue = json.load(open(root / 'proto' / 'refusals.json', encoding='utf-8'))
    languages = catalogue['languages']
    entries = catalogue['codes']
    problems = []
    codes = relay_codes(root)
    for code in sorted(codes - entries.keys()):
        problems.append(f'{code}: the relay can answer it, and proto/refusals.json has no sentence for it')
    for code in sorted(entries.keys() - codes):
        problems.append(f'{code}: in proto/refusals.json, but the relay never answers it')
    for code, sentences in sorted(entries.items()):
        for language in languages:
            text = sentences.get(language, '')
            if not text.strip():
                problems.append(f'{code}: no sentence in {language}')
            elif not text.endswith(('.', '!', '?')) or text.endswith('..'):
                problems.append(f'{code} ({language}): a sentence ends once, with its stop: {text!r}')
        if set(sentences) != set(languages):
            problems.append(f'{code}: languages {sorted(sentences)} where the catalogue has {languages}')
    for p in problems:
        print(p)
    print(f'refusal catalogue: {len(codes)} codes the relay can answer, {len(entries)} in the catalogue, '
          f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
