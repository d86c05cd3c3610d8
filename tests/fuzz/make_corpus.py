#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (tests/fuzz/corpus/) from proto/vectors/.

Run from the repository's root after regenerating the vectors:
    python3 tests/fuzz/make_corpus.py
"""
import binascii
import json
import os

VECTORS = 'proto/vectors'
CORPUS = 'tests/fuzz/corpus'


def write(target, name, data):
    os.makedirs(f'{CORPUS}/{target}', exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(f'{CORPUS}/{target}/{name}', 'wb') as f:
        f.write(data)


def padme(n):
    """Padmé, as in proto/letter_format.cpp."""
    if n < 2:
        return n
    e = n.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (n + mask) & ~mask


def main():
    statements = json.load(open(f'{VECTORS}/statements.json'))['statements']
    for i, s in enumerate(statements):
        write('statement', f'{i:02d}-{s["type"]}.json', s['json'])
        write('strict_json', f'{i:02d}-{s["type"]}.json', s['json'])
    for i, c in enumerate(json.load(open(f'{VECTORS}/invitation_code.json'))['cases']):
        write('invitation_code', f'{i:02d}.txt', c['code'])
    write('keystore_file', 'keystore.json', json.load(open(f'{VECTORS}/keystore.json'))['file'])
    export = json.load(open(f'{VECTORS}/audit.json'))['export']
    write('audit_export', 'export.json', export)
    write('strict_json', 'audit.json', export)
    letters = json.load(open(f'{VECTORS}/letters.json'))['letters']
    doc = binascii.unhexlify(letters[0]['document'])
    write('document', 'letter-1-document.bin', doc)
    padded_size = padme(8 + len(doc))
    write('document', 'letter-1-padded.bin',
          len(doc).to_bytes(8, 'big') + doc + bytes(padded_size - 8 - len(doc)))


if __name__ == '__main__':
    main()
