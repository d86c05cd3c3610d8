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
    # base64url: one byte, the URL-safe characters, a padded (refused)
    # spelling, and a 2,200-byte letter's text.
    write('base64', 'one-byte', 'YQ')
    write('base64', 'url-alphabet', '-_-_')
    write('base64', 'padded', 'YQ==')
    letter = bytes((i * 37 + 11) % 256 for i in range(2200))
    write('base64', 'letter', base64.urlsafe_b64encode(letter).decode().rstrip('='))
    keystore = json.load(open(f'{VECTORS}/keystore.json'))
    for name in ('file', 'phone_file', 'too_weak_file'):
        write('keystore_file', f'{name}.json', keystore[name])
    # A keys file (SPEC 11.1) around the vector keystore, one case; the
    # signature is not checked by the parser.
    profile = {'v': 1, 'type': 'profile', 'keystore': keystore['file'], 'relay': '127.0.0.1:8443',
               'relay_certificate_sha256': 'A' * 43, 'relay_key': 'Q' * 42 + 'A',
               'cases': [{'case': 'g' * 21 + 'A', 'role': 'facilitator', 'pinned': 'w' * 42 + 'A'}], 'sig': 'A' * 86}
    write('profile_file', 'profile.json', json.dumps(profile, separators=(',', ':')))
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
    # An attachment's description (SPEC 6.1), read from its content type.
    write('document', 'described-content-type.txt', "image/png; description*=UTF-8''The%20garden%20in%20bl%C3%B8mst")

    relay_answers(statements, letters[0])
    agreement(statements)
    keystore_payloads()
    stored_rows(statements)
    identifying()


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
                                  'approvals_required': 2, 'stage': 'preparation', 'paused': False}]},
        'case.json': {'case': case_id, 'state': 'open', 'approvals_required': 1, 'case_open': case_open,
                      'participants': [{'identity': case_open['signer'], 'role': 'facilitator', 'state': 'active'}],
                      'key_statements': by_type['key_statement'], 'attestations': by_type['attestation'],
                      'stage': 'exchange', 'paused': False},
        'messages.json': {'messages': [summary]},
        'messages_restored.json': {'messages': [summary], 'restored': {'at': 1764000000, 'copy_taken_at': 1763990000}},
        'queue.json': {'queue': [dict(summary, state='in_review', approvals=1, approvals_required=2,
                                      waiting_seconds=60)]},
        'message.json': dict(summary, envelope=envelope, approvals=by_type['approval']),
        'returned.json': dict(summary, state='returned', envelope=envelope, **{'return': by_type['return'][0]}),
        'revoke.json': {'state': 'revoked', 'was_released': True, 'was_opened': False},
        'withdraw.json': {'revoked': 2},
        'approve.json': {'state': 'in_review', 'approvals': 1, 'approvals_required': 2},
        'event.json': {'seq': 7, 'event': 'released', 'case': case_id, 'message': envelope['id'],
                       'at': 1700000000},
        'agreement.json': agreement_answer(by_type),
    }
    for name, answer in answers.items():
        write('relay_answers', name, json.dumps(answer, separators=(',', ':')))


def agreement_answer(by_type):
    """GET /v1/cases/{case}/agreement for the story's agreement, bound."""
    signatures = by_type['agreement_signature']
    return {'agreement': {'message': signatures[0]['message'], 'submitted_at': 1700000000,
                          'signatures': signatures, 'marks': by_type['agreement_mark'],
                          'bound_at': 1700000600, 'agreement_hash': signatures[0]['agreement_hash']}}


def agreement(statements):
    """The agreement's body (SPEC 6.6) and an export around it (SPEC 10),
    shaped right; the export's audit trail is the story's, so it parses and
    does not verify."""
    story = json.load(open(f'{VECTORS}/statements.json'))
    a = story['agreement']
    write('agreement', 'body.json', a['body'])
    write('agreement', 'checkin.json', story['checkin']['body'])
    by_type = {}
    for s in statements:
        by_type.setdefault(s['type'], []).append(json.loads(s['json']))
    export = {'v': 1, 'type': 'agreement_export', 'case': story['case'], 'message': a['message'], 'body': a['body'],
              'people': [{'identity': by_type['case_open'][0]['signer'], 'role': 'facilitator', 'name': 'Ingrid Berg'}],
              'signatures': by_type['agreement_signature'], 'marks': by_type['agreement_mark'],
              'audit': json.loads(json.load(open(f'{VECTORS}/audit.json'))['export'])}
    write('agreement', 'export.json', json.dumps(export, separators=(',', ':'), ensure_ascii=False))


def frame(*fields):
    return b''.join(len(f).to_bytes(4, 'big') + f for f in fields)


def keystore_payloads():
    """Decrypted keystore payloads (SPEC 11): none, one and three case keys."""
    domain = b'shuttle/v1/keystore-payload'
    seed = bytes(range(32))
    for count in (0, 1, 3):
        cases = [bytes([i]) * 16 + bytes([0x80 + i]) * 32 for i in range(count)]
        fields = [domain, seed, count.to_bytes(8, 'big')]
        for c in cases:
            fields += [c[:16], c[16:]]
        write('keystore_payload', f'{count}-cases.bin', frame(*fields))


def stored_rows(statements):
    """One well-formed row per decoder in server/store/rows.cpp, framed as
    fuzz_stored_rows reads them: once as PostgreSQL sends it (binary
    integers and booleans), once as SQLite holds it (each column tagged with
    how it is bound)."""
    NULL = None

    class Int(int):
        pass

    class Bool(int):
        pass

    def postgres(c):
        if isinstance(c, Bool):
            return bytes([int(c)])
        if isinstance(c, Int):
            return int(c).to_bytes(8, 'big')
        return c.encode() if isinstance(c, str) else c

    def sqlite(c):
        if isinstance(c, (Int, Bool)):
            return b'i' + int(c).to_bytes(8, 'big')
        return b't' + c.encode() if isinstance(c, str) else b'b' + c

    def row(decoder, flags, encode, columns):
        out = bytes([decoder, flags])
        for c in columns:
            if c is None:
                out += b'\xff\xff'
            else:
                c = encode(c)
                out += len(c).to_bytes(2, 'big') + c
        return out

    id16, key32, hash32 = bytes(range(16)), bytes(range(32, 64)), bytes(range(64, 96))
    statement = statements[0]['json']
    at = Int(1700000000)
    case = [id16, 'open', Int(2), statement, NULL, at, 'Europe/Oslo', Int(1320), Int(420), 'exchange',
            NULL, Bool(0), NULL]
    participant = [id16, id16, key32, 'harmed', 'active', statement, at, NULL]
    decoders = {
        'account': (0, [id16, key32, Bool(1), at, 'Kari']),
        'session': (1, [hash32, id16, Int(1), Int(2), Int(3)]),
        'invitation': (2, [id16, NULL, 'facilitator', hash32, at, key32, statement, NULL]),
        'case': (3, case),
        'participant': (4, participant),
        'key': (5, [id16, id16, key32, key32, statement, at]),
        'attestation': (6, [id16, id16, key32, id16, key32, statement]),
        'statement': (7, [id16, 'envelope', hash32, '{}']),
        'message': (8, [id16, id16, id16, key32, 'letter', 'responsible', NULL, 'in_review', statement,
                        Int(2048), hash32, at, NULL, NULL, NULL, at, key32, Int(1700000900), NULL, NULL,
                        NULL, NULL, 'Kari']),
        'review': (9, [id16, key32, 'approve', statement, at]),
        'grant': (10, [id16, id16, key32, key32, Bool(1), statement, at]),
        'audit': (11, [Int(7), at, id16, 'submitted', key32, id16, hash32, hash32, hash32]),
        'checkpoint': (12, [id16, Int(7), hash32, at, bytes(64)]),
        'event': (13, [Int(7), id16, id16, 'released', id16, at]),
        'consent': (14, [id16, id16, hash32, statement, at]),
        'agreement-statement': (15, [id16, Int(1), key32, hash32, statement, at]),
        'agreement-bound': (16, [id16, hash32, at]),
        'referral': (17, [id16, hash32, bytes(80), at, 'received', at, NULL, NULL]),
        'referral-key': (18, [id16, key32, statement, at]),
        'case-and-participant': (19, case + participant),
    }
    for name, (decoder, columns) in decoders.items():
        write('stored_rows', f'postgres-{name}', row(decoder, 0, postgres, columns))
        write('stored_rows', f'sqlite-{name}', row(decoder, 2, sqlite, columns))

def identifying():
    """The realistic letters the check is measured on; a letter with listed
    names starts with the first of them on a line of its own."""
    letters = json.load(open('web/test/identifying_letters.json'))['letters']
    for i, letter in enumerate(letters):
        listed = letter.get('listed', [])[:1]
        write('identifying', f'letter-{i:02d}', ''.join(f'{n}\n' for n in listed) + letter['text'])


if __name__ == '__main__':
    main()
