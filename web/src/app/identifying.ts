// A check for details that could identify someone, run on the writer's
// device before a letter goes into review (issue 23, item 9): street
// addresses, phone numbers, e-mail addresses, national identity numbers,
// postcodes, links, and the names and places a case's facilitators listed.
// It finds; it never decides. The page shows each finding in its sentence
// with a gentle question, sending stays the writer's choice, and nothing
// about it leaves the device.
//
// English and Norwegian: Norwegian fødselsnummer and D-numbers (with their
// two mod-11 check digits), UK National Insurance numbers, Norwegian and UK
// phone numbers and postcodes, and street names in either language. The
// measured rates of misses and false alarms on realistic letters are in
// docs/IDENTIFYING.md.

export type FindingKind = 'address' | 'phone' | 'email' | 'id_number' | 'postcode' | 'link' | 'listed';

export interface Finding {
  kind: FindingKind;
  start: number;  // in UTF-16 code units of the text
  end: number;
  text: string;
}

// The two check digits of an 11-digit fødselsnummer or D-number.
export function fodselsnummerValid(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  const check = (weights: number[]) => {
    const sum = weights.reduce((s, w, i) => s + w * d[i], 0);
    const r = 11 - (sum % 11);
    return r === 11 ? 0 : r;  // 10 makes no valid number
  };
  const k1 = check([3, 7, 6, 1, 8, 9, 4, 5, 2]);
  if (k1 === 10 || k1 !== d[9]) return false;
  const k2 = check([5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  if (k2 === 10 || k2 !== d[10]) return false;
  // A date of birth: day (D-numbers add 40 to it) and month.
  const day = d[0] * 10 + d[1] - (d[0] >= 4 ? 40 : 0);
  const month = d[2] * 10 + d[3];
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

// Letters, in either language, for the word boundaries below.
const L = 'A-Za-zÆØÅæøåÄÖÜäöüÉéÈèÀà';
const notWordBefore = `(?<![${L}0-9@./-])`;
const notWordAfter = `(?![${L}0-9@])`;

interface Rule {
  kind: FindingKind;
  pattern: RegExp;
  accept?: (match: string) => boolean;
}

const streetWords = [
  // Norwegian street names end in these (Storgata, Kirkeveien, Torggata, Bryggen, Slottsplassen).
  'gata', 'gaten', 'gate', 'veien', 'vegen', 'vei', 'veg', 'allé', 'alle', 'plass', 'plassen', 'stien', 'stredet',
  'bakken', 'torget', 'kaia', 'brygga', 'bryggen', 'lia', 'tunet', 'svingen', 'åsen', 'haugen',
];
const englishStreets = ['Street', 'St', 'Road', 'Rd', 'Avenue', 'Ave', 'Lane', 'Close', 'Drive', 'Way', 'Court', 'Crescent',
  'Place', 'Square', 'Terrace', 'Gardens', 'Grove', 'Hill', 'Mews', 'Row', 'Walk', 'Park'];

const rules: Rule[] = [
  { kind: 'email', pattern: new RegExp(`${notWordBefore}[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}`, 'g') },
  { kind: 'link', pattern: /\b(?:https?:\/\/|www\.)[^\s<>"]+[^\s<>".,;:!?)]/gi },
  // Norwegian fødselsnummer and D-numbers: eleven digits, perhaps as six and five.
  { kind: 'id_number', pattern: new RegExp(`${notWordBefore}\\d{6}[ ]?\\d{5}(?![0-9])`, 'g'),
    accept: (m) => fodselsnummerValid(m.replace(/ /g, '')) },
  // UK National Insurance numbers: two letters, six digits, A to D (QQ 12 34 56 C), however spaced;
  // every prefix, the specimen's too: a writer who types one means one.
  { kind: 'id_number', pattern: new RegExp(`${notWordBefore}[A-Z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]${notWordAfter}`, 'g') },
  // Phone numbers. Norwegian: eight digits (mobiles start 4 or 9), grouped as people write them, perhaps +47.
  { kind: 'phone', pattern: new RegExp(`${notWordBefore}(?:(?:\\+|00)47[ ]?)?(?:[2-9]\\d{7}|[2-9]\\d{2}[ .]\\d{2}[ .]\\d{3}|[2-9]\\d[ .]\\d{2}[ .]\\d{2}[ .]\\d{2}|[2-9]\\d{3}[ .]\\d{4})(?![0-9])`, 'g') },
  // UK: +44 or 0, then 9 or 10 digits in the usual groups (07700 900123, 020 7946 0958, +44 7700 900123).
  { kind: 'phone', pattern: new RegExp(`${notWordBefore}(?:\\+44[ ]?(?:\\(0\\)[ ]?)?|0)(?:7\\d{3}[ ]?\\d{6}|20[ ]?\\d{4}[ ]?\\d{4}|1\\d{2,3}[ ]?\\d{5,6}|[38]\\d{2}[ ]?\\d{3}[ ]?\\d{4})(?![0-9])`, 'g') },
  // A number spread out one digit at a time so that no pattern sees it (0 7 7 0 0 9 0 0 1 2 3): eight or more.
  { kind: 'phone', pattern: new RegExp(`${notWordBefore}\\d(?: \\d){7,}(?![0-9])`, 'g') },
  // Postcodes. UK: SW1A 1AA, M1 1AE, B33 8TH. Norwegian: four digits and a capitalised place (0150 Oslo).
  { kind: 'postcode', pattern: new RegExp(`${notWordBefore}(?:[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2})${notWordAfter}`, 'g') },
  { kind: 'postcode', pattern: new RegExp(`${notWordBefore}\\d{4} [A-ZÆØÅ][${L}]+(?:[ -][A-ZÆØÅ][${L}]+)?`, 'g') },
  // Street addresses. Norwegian: a name ending in a street word, and a number (Storgata 5, Kirkeveien 12 B).
  { kind: 'address', pattern: new RegExp(`${notWordBefore}(?:[A-ZÆØÅ][${L}]*(?:${streetWords.join('|')})|[A-ZÆØÅ][${L}]+ (?:gate|vei|veg|allé|plass))[ ]\\d{1,4}(?:[ ]?[A-Za-z](?![${L}]))?`, 'g') },
  // English: a number, a capitalised name or two, and a street word (12 Baker Street, 4a Mill Lane).
  { kind: 'address', pattern: new RegExp(`${notWordBefore}\\d{1,4}[a-z]?,? (?:[A-Z][${L}']+ ){1,3}(?:${englishStreets.join('|')})\\b\\.?`, 'g') },
];

// Every finding, in the order it appears; where two overlap, the longer.
// `listed`: the names and places this case's facilitators listed, matched
// as whole words whatever their case.
export function findIdentifying(text: string, listed: string[] = []): Finding[] {
  const found: Finding[] = [];
  for (const rule of rules) {
    for (const m of text.matchAll(rule.pattern)) {
      if (rule.accept && !rule.accept(m[0])) continue;
      found.push({ kind: rule.kind, start: m.index!, end: m.index! + m[0].length, text: m[0] });
    }
  }
  for (const term of listed.map((t) => t.trim()).filter((t) => t.length >= 2)) {
    const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const m of text.matchAll(new RegExp(`(?<![${L}0-9])${escaped}(?![${L}0-9])`, 'giu'))) {
      found.push({ kind: 'listed', start: m.index!, end: m.index! + m[0].length, text: m[0] });
    }
  }
  found.sort((a, b) => a.start - b.start || (b.end - b.start) - (a.end - a.start));
  const kept: Finding[] = [];
  for (const f of found) {
    const last = kept[kept.length - 1];
    if (last && f.start < last.end) {
      if (f.end - f.start > last.end - last.start) kept[kept.length - 1] = f;
      continue;
    }
    kept.push(f);
  }
  return kept;
}

// The sentence around a finding, for showing it in context: at most `around`
// characters either side, cut at a sentence's end where there is one.
export function contextOf(text: string, f: Finding, around = 60): { before: string; match: string; after: string } {
  let from = Math.max(0, f.start - around);
  const stop = text.slice(from, f.start).search(/[.!?\n][^.!?\n]*$/);
  if (stop >= 0) from += stop + 1;
  let to = Math.min(text.length, f.end + around);
  const next = text.slice(f.end, to).search(/[.!?\n]/);
  if (next >= 0) to = f.end + next + 1;
  return { before: text.slice(from, f.start).trimStart(), match: text.slice(f.start, f.end), after: text.slice(f.end, to).trimEnd() };
}
