// A check-in's document (proto/SPEC.md 5.19, 6.7): the question a facilitator
// asks a party in aftercare and the support services they can turn to.
import { fail } from './errors.js';
import { JsonNumber, isObject, num, parseStrict, personText, serialize } from './json.js';

export const checkinContentType = 'application/vnd.shuttle.checkin+json';
export const checkinLimits = { questionBytes: 2000, support: 16, supportBytes: 500, bodyChars: 64 * 1024 };

export interface Checkin {
  question: string;
  support: string[];
}

export function checkinBody(c: Checkin): string {
  return serialize({ v: num(1), question: c.question, support: c.support });
}

// Strict, as SPEC 6.7 says.
export function parseCheckinBody(body: string): Checkin {
  const v = parseStrict(body, checkinLimits.bodyChars, 3);
  if (!isObject(v)) fail('not_an_object', 'checkin');
  for (const k of Object.keys(v)) if (!['v', 'question', 'support'].includes(k)) fail('unknown_field', k);
  if (!(v.v instanceof JsonNumber) || v.v.text !== '1') fail('unsupported_version', 'v');
  const question = personText(v.question, checkinLimits.questionBytes, 'question');
  const support = v.support;
  if (!Array.isArray(support)) fail(support === undefined ? 'missing_field' : 'wrong_type', 'support');
  if (support.length > checkinLimits.support) fail('bad_value', 'support');
  return { question, support: support.map((s, i) => personText(s, checkinLimits.supportBytes, `support[${i}]`)) };
}
