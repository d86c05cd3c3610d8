// Every string a person reads, in one catalogue: English and Norwegian
// Bokmål, complete. The page picks the first of the browser's languages it
// has; dates and times use the browser's locale and time zone.
export const catalogue = {
  en: {
    title: 'Shuttle',
    checking: 'Checking your invitation…',
    bad_code: 'This invitation code is not complete. Please check it with your facilitator, or paste it again.',
    code_label: 'Your invitation code',
    code_help: 'Paste the code your facilitator gave you. Spaces and line breaks do not matter.',
    continue: 'Continue',
    invitation_unknown: 'This invitation is not known. Please check the code with your facilitator.',
    invitation_used: 'This invitation has already been used. Please ask your facilitator for a new one.',
    invitation_expired: 'This invitation has expired. Please ask your facilitator for a new one.',
    facilitator_mismatch: 'This invitation could not be confirmed as coming from your facilitator. Nothing was sent. Please tell your facilitator.',
    unreachable: 'Shuttle cannot be reached right now. Nothing was sent; please try again in a moment.',
    passphrase_title: 'Choose a passphrase',
    passphrase_explain: 'Your passphrase protects your letters on this device. No one can recover it for you, not even your facilitator: if it is lost, you will need a new invitation. Use at least 10 characters; a few words you will remember work well.',
    passphrase_label: 'Passphrase',
    passphrase_again: 'The same passphrase again',
    passphrase_short: 'Please use at least 10 characters.',
    passphrase_differ: 'The two passphrases are not the same.',
    joining: 'Making your keys and joining…',
    joined_title: 'You have joined',
    safety_explain: 'When you meet your facilitator, read them this safety number. They compare it with theirs, so that no one else can pretend to be you.',
    safety_label: 'Your safety number',
    error_generic: 'Something went wrong: {detail}. Nothing was sent.',
    language: 'Language',
  },
  nb: {
    title: 'Shuttle',
    checking: 'Sjekker invitasjonen din …',
    bad_code: 'Denne invitasjonskoden er ikke fullstendig. Sjekk den med tilretteleggeren din, eller lim den inn på nytt.',
    code_label: 'Invitasjonskoden din',
    code_help: 'Lim inn koden du fikk av tilretteleggeren din. Mellomrom og linjeskift spiller ingen rolle.',
    continue: 'Fortsett',
    invitation_unknown: 'Denne invitasjonen er ukjent. Sjekk koden med tilretteleggeren din.',
    invitation_used: 'Denne invitasjonen er allerede brukt. Be tilretteleggeren din om en ny.',
    invitation_expired: 'Denne invitasjonen har gått ut. Be tilretteleggeren din om en ny.',
    facilitator_mismatch: 'Vi kunne ikke bekrefte at invitasjonen kommer fra tilretteleggeren din. Ingenting ble sendt. Si fra til tilretteleggeren din.',
    unreachable: 'Shuttle kan ikke nås akkurat nå. Ingenting ble sendt; prøv igjen om litt.',
    passphrase_title: 'Velg en passordfrase',
    passphrase_explain: 'Passordfrasen beskytter brevene dine på denne enheten. Ingen kan gjenopprette den for deg, heller ikke tilretteleggeren din: mister du den, trenger du en ny invitasjon. Bruk minst 10 tegn; noen ord du husker, fungerer godt.',
    passphrase_label: 'Passordfrase',
    passphrase_again: 'Den samme passordfrasen igjen',
    passphrase_short: 'Bruk minst 10 tegn.',
    passphrase_differ: 'De to passordfrasene er ikke like.',
    joining: 'Lager nøklene dine og blir med …',
    joined_title: 'Du er med',
    safety_explain: 'Når du møter tilretteleggeren din, leser du opp dette sikkerhetsnummeret. Tilretteleggeren sammenligner det med sitt, slik at ingen andre kan utgi seg for å være deg.',
    safety_label: 'Sikkerhetsnummeret ditt',
    error_generic: 'Noe gikk galt: {detail}. Ingenting ble sendt.',
    language: 'Språk',
  },
} as const;

export type Language = keyof typeof catalogue;
export type Key = keyof (typeof catalogue)['en'];

let current: Language = 'en';

export function chooseLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
    if (base === 'en') return 'en';
  }
  return 'en';
}
export function setLanguage(l: Language): void {
  current = l;
  document.documentElement.lang = l;
}
export function language(): Language {
  return current;
}
export function t(key: Key, params: Record<string, string> = {}): string {
  let text: string = catalogue[current][key];
  for (const [k, v] of Object.entries(params)) text = text.replace(`{${k}}`, v);
  return text;
}
