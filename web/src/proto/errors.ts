// Typed protocol errors (proto/SPEC.md section 14): a stable code and a detail
// naming the field or saying what failed. Parsers and checks throw these and
// nothing else for bad input.

export type ErrorCode =
  | 'malformed_json' | 'not_an_object' | 'duplicate_field' | 'missing_field' | 'unknown_field' | 'wrong_type'
  | 'bad_encoding' | 'bad_length' | 'facilitator_mismatch' | 'invalid_argument'
  | 'bad_value' | 'unsupported_version' | 'wrong_statement' | 'bad_signature' | 'too_large' | 'wrong_case'
  | 'not_attested' | 'key_changed' | 'not_approved' | 'no_wrap_for_reader' | 'wrap_mismatch' | 'hash_mismatch'
  | 'decrypt_failed' | 'truncated' | 'trailing_data' | 'broken_chain' | 'wrong_passphrase' | 'keystore_corrupt';

export class ProtocolError extends Error {
  constructor(readonly code: ErrorCode, readonly detail: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'ProtocolError';
  }
}

export function fail(code: ErrorCode, detail = ''): never {
  throw new ProtocolError(code, detail);
}
