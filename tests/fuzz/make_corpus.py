#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (tests/fuzz/corpus/) from proto/vectors/.

Run from the repository's root after regenerating the vectors:
    python3 tests/fuzz/make_corpus.py
"""
import base64
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
    keystore = json.load(open(f'{VECTORS}/keystore.json'))
    for name in ('file', 'phone_file', 'too_weak_file'):
        write('keystore_file', f'{name}.json', keystore[name])
    write('web_manifest', 'manifest.json', json.load(open(f'{VECTORS}/web_manifest.json'))['manifest'])
    export = json.load(open(f'{VECTORS}/audit.json'))['export']
    write('audit_export', 'export.json', export)
    write('strict_json', 'audit.json', export)
    letters = json.load(open(f'{VECTORS}/letters.json'))['letters']
    doc = binascii.unhexlify(letters[0]['document'])
    write('document', 'letter-1-document.bin', doc)
    padded_size = padme(8 + len(doc))
    write('document', 'letter-1-padded.bin',
          len(doc).to_bytes(8, 'big') + doc + bytes(padded_size - 8 - len(doc)))

    relay_answers(statements, letters[0])


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip('=')


def relay_answers(statements, letter):
    """Answers and events shaped as the relay sends them (SPEC section 16)."""
    by_type = {}
    for s in statements:
        by_type.setdefault(s['type'], []).append(json.loads(s['json']))
    case_open = by_type['case_open'][0]
    case_id = case_open['case']
    envelope = by_type['envelope'][0]
    summary = {'message': envelope['id'], 'case': case_id, 'kind': envelope['kind'], 'sender': envelope['signer'],
               'to': envelope['to'], 'state': 'released', 'size': envelope['ciphertext_size'],
               'released_at': 1700000000}
    answers = {
        'challenge.json': {'challenge': b64(bytes(32)), 'expires_at': 1700000060, 'relay_key': b64(bytes(32))},
        'login.json': {'token': b64(bytes(32)), 'expires_at': 1700043200, 'account': b64(bytes(16)),
                       'facilitator': True},
        'cases.json': {'cases': [{'case': case_id, 'role': 'harmed', 'state': 'open', 'participant_state': 'active',
                                  'approvals_required': 2}]},
        'case.json': {'case': case_id, 'state': 'open', 'approvals_required': 1, 'case_open': case_open,
                      'participants': [{'identity': case_open['signer'], 'role': 'facilitator', 'state': 'active'}],
                      'key_statements': by_type['key_statement'], 'attestations': by_type['attestation']},
        'messages.json': {'messages': [summary]},
        'queue.json': {'queue': [dict(summary, state='in_review', approvals=1, approvals_required=2,
                                      waiting_seconds=60)]},
        'message.json': dict(summary, envelope=envelope, approvals=by_type['approval']),
        'returned.json': dict(summary, state='returned', envelope=envelope, **{'return': by_type['return'][0]}),
        'revoke.json': {'state': 'revoked', 'was_released': True, 'was_opened': False},
        'withdraw.json': {'revoked': 2},
        'approve.json': {'state': 'in_review', 'approvals': 1, 'approvals_required': 2},
        'event.json': {'seq': 7, 'event': 'released', 'case': case_id, 'message': envelope['id'],
                       'at': 1700000000},
    }
    for name, answer in answers.items():
        write('relay_answers', name, json.dumps(answer, separators=(',', ':')))


if __name__ == '__main__':
    main()
