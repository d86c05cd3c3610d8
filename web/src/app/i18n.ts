// Every string a person reads, in one catalogue: English and Norwegian
// Bokmål, complete. The page picks the first of the browser's languages it
// has; dates and times use the browser's locale and time zone. The relay's
// refusals come from proto/refusals.json, the catalogue the C++ client and
// the CLI share: a page never shows the relay's own English sentence.
import refusals from '../../../proto/refusals.json';

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
    error_unexpected: 'Something unexpected went wrong on this device. Nothing was sent. Please try again, and tell your facilitator if it happens again.',
    not_understood: 'The answer from Shuttle could not be understood. Nothing was changed on this device. Please try again later.',
    refused_unknown: 'Shuttle refused this. Nothing was changed. Please try again, and tell your facilitator if it happens again.',
    language: 'Language',
    welcome_back: 'Welcome back',
    unlock_explain: 'Your letters on this device are locked. Enter your passphrase to open them.',
    unlock: 'Unlock',
    wrong_passphrase: 'That passphrase does not open this device\'s keys. Please try again.',
    unlocking: 'Unlocking…',
    letters_title: 'Your letters',
    no_letters: 'There are no letters yet.',
    write_letter: 'Write a letter',
    lock_now: 'Lock now',
    forget_device: 'Forget this device',
    forget_confirm: 'This removes your keys and your letters from this device. You cannot undo it, and you will need a new invitation to use Shuttle here.',
    forget_title: 'Forget this device?',
    forget_go: 'Forget this device',
    already_title: 'This device already holds your keys',
    already_explain: 'Shuttle in this browser keeps one conversation, and it is already here. Joining with this link would make new keys, and the letters kept on this device would no longer open.',
    already_advice: 'If the link is for the same conversation, you do not need it: go to your letters. If it is for another one, open the link in another browser or on another device, or ask your facilitator.',
    already_go: 'Go to my letters',
    already_replace: 'Forget this device and join',
    withdraw: 'Leave the process',
    withdraw_title: 'Leave the process',
    withdraw_explain: 'If you leave, nothing more can be sent by you or to you in this case, and your facilitator is told. Letters you wrote that were not yet passed on are taken back. Letters already passed on stay with the other person. The letters you received and wrote stay readable on this device.',
    withdraw_confirm: 'Leave the process',
    withdraw_done: 'You have left the process. Your facilitator has been told. Take care of yourself.',
    cancel: 'Cancel',
    from_you: 'From you',
    to_you: 'To you',
    state_in_review: 'with your facilitator',
    state_returned: 'returned with a note',
    state_released_mine: 'available to them',
    state_released: 'waiting for you',
    state_delivered: 'opened by you',
    state_opened: 'opened',
    state_declined: 'declined',
    state_revoked: 'taken back',
    waiting_notice: 'A letter is waiting for you.',
    standing_left: 'You have left the process. The letters you received and wrote stay readable on this device.',
    standing_other_left: 'The other person has left the process, so the conversation has ended. Nothing more can be sent. What you were writing stays here for you to keep; your facilitator can talk with you about what comes next.',
    standing_closed: 'Your facilitator has closed this case. Nothing more can be sent. What you were writing stays here for you to keep, and your letters stay readable on this device.',
    unreachable_retrying: 'Shuttle cannot be reached just now. The page keeps trying by itself; the letters on this device are below.',
    note_first: 'A note from your facilitator, before you read',
    open_now: 'Open now',
    not_now: 'Not now',
    decline: 'Decline this letter',
    decline_title: 'Decline this letter?',
    decline_explain: 'You will not read it, and it is removed from this device. Your facilitator is told, and decides with care how and when the writer learns of it. This cannot be undone.',
    decline_go: 'Decline the letter',
    decline_keep: 'Keep it for now',
    decline_apart: 'If you do not want to read this letter',
    declined_title: 'The reader declined this letter',
    declined_note: 'A note from your facilitator:',
    letter_gone: 'This letter is no longer here.',
    decline_done: 'You declined the letter. It is gone from this device, and your facilitator will decide how to tell the writer.',
    share_opened: 'Let the writer know I opened it',
    shared: 'The writer will see that you opened it.',
    letter_title: 'A letter',
    back: 'Back to your letters',
    write_title: 'Write a letter',
    write_explain: 'Your facilitator reads your letter first and passes it on, or gives it back to you with a note.',
    write_label: 'Your letter',
    send: 'Send to your facilitator',
    sending: 'Sealing and sending…',
    sent: 'Your letter is with your facilitator.',
    empty_letter: 'The letter is empty.',
    not_attested_yet: 'Not yet: your facilitator has not yet compared safety numbers with you. Please meet them first.',
    locked_idle: 'Locked after a while without use.',
    returned_note: 'Your facilitator gave this letter back with a note',
    reply_to: 'Reply to this letter',
    draft_kept: 'What you write is kept on this device, locked like your letters, until you send it.',
    revise: 'Write it again',
    attach_label: 'Add photos or files (optional)',
    too_large: 'This letter with its attachments comes to {size} once sealed; Shuttle takes letters up to {limit}. Nothing was sent. Please leave out or shrink a file.',
    sending_progress: 'Sending',
    attachments_title: 'Attachments',
    save_file: 'Save {name} ({size})',
    revoke: 'Take this letter back',
    revoke_explain: 'Taking it back removes it from Shuttle for good. If it was already passed on, the other person may have read it.',
    revoke_confirm: 'Take it back',
    revoked_released: 'The letter is taken back. It had been passed on to them, so they may have read it.',
    revoked_opened: 'The letter is taken back. They had told you they opened it.',
    revoked_unreleased: 'The letter is taken back. It had not been passed on to them.',
    reason_identifying_information: 'It holds information that could identify someone.',
    reason_retraumatising_wording: 'Some of its words could hurt the reader again.',
    reason_asks_for_forgiveness_or_contact: 'It asks for forgiveness or for contact.',
    reason_threat: 'It could be read as a threat.',
    reason_other: 'For the reason in the note.',
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
    error_unexpected: 'Noe uventet gikk galt på denne enheten. Ingenting ble sendt. Prøv igjen, og si fra til tilretteleggeren din hvis det skjer igjen.',
    not_understood: 'Svaret fra Shuttle kunne ikke forstås. Ingenting ble endret på denne enheten. Prøv igjen senere.',
    refused_unknown: 'Shuttle avviste dette. Ingenting ble endret. Prøv igjen, og si fra til tilretteleggeren din hvis det skjer igjen.',
    language: 'Språk',
    welcome_back: 'Velkommen tilbake',
    unlock_explain: 'Brevene dine på denne enheten er låst. Skriv inn passordfrasen for å åpne dem.',
    unlock: 'Lås opp',
    wrong_passphrase: 'Den passordfrasen åpner ikke nøklene på denne enheten. Prøv igjen.',
    unlocking: 'Låser opp …',
    letters_title: 'Brevene dine',
    no_letters: 'Det er ingen brev ennå.',
    write_letter: 'Skriv et brev',
    lock_now: 'Lås nå',
    forget_device: 'Glem denne enheten',
    forget_confirm: 'Dette fjerner nøklene og brevene dine fra denne enheten. Det kan ikke angres, og du trenger en ny invitasjon for å bruke Shuttle her.',
    forget_title: 'Glemme denne enheten?',
    forget_go: 'Glem denne enheten',
    already_title: 'Denne enheten har allerede nøklene dine',
    already_explain: 'Shuttle i denne nettleseren holder én samtale, og den er allerede her. Blir du med med denne lenken, lages nye nøkler, og brevene som er lagret på denne enheten, kan ikke lenger åpnes.',
    already_advice: 'Gjelder lenken den samme samtalen, trenger du den ikke: gå til brevene dine. Gjelder den en annen, åpner du lenken i en annen nettleser eller på en annen enhet, eller spør tilretteleggeren din.',
    already_go: 'Gå til brevene mine',
    already_replace: 'Glem denne enheten og bli med',
    withdraw: 'Gå ut av prosessen',
    withdraw_title: 'Gå ut av prosessen',
    withdraw_explain: 'Går du ut, kan ingenting mer sendes fra deg eller til deg i denne saken, og tilretteleggeren din får beskjed. Brev du skrev som ikke er sendt videre ennå, trekkes tilbake. Brev som alt er sendt videre, blir hos den andre. Brevene du har fått og skrevet, kan du fortsatt lese på denne enheten.',
    withdraw_confirm: 'Gå ut av prosessen',
    withdraw_done: 'Du har gått ut av prosessen. Tilretteleggeren din har fått beskjed. Ta vare på deg selv.',
    cancel: 'Avbryt',
    from_you: 'Fra deg',
    to_you: 'Til deg',
    state_in_review: 'hos tilretteleggeren din',
    state_returned: 'levert tilbake med en merknad',
    state_released_mine: 'tilgjengelig for dem',
    state_released: 'venter på deg',
    state_delivered: 'åpnet av deg',
    state_opened: 'åpnet',
    state_declined: 'avslått',
    state_revoked: 'trukket tilbake',
    waiting_notice: 'Et brev venter på deg.',
    standing_left: 'Du har gått ut av prosessen. Brevene du har fått og skrevet, kan du fortsatt lese på denne enheten.',
    standing_other_left: 'Den andre har gått ut av prosessen, så samtalen er avsluttet. Ingenting mer kan sendes. Det du skrev, blir her så du kan ta vare på det; tilretteleggeren din kan snakke med deg om veien videre.',
    standing_closed: 'Tilretteleggeren din har avsluttet denne saken. Ingenting mer kan sendes. Det du skrev, blir her så du kan ta vare på det, og brevene dine kan du fortsatt lese på denne enheten.',
    unreachable_retrying: 'Shuttle kan ikke nås akkurat nå. Siden prøver igjen av seg selv; brevene på denne enheten står nedenfor.',
    note_first: 'En merknad fra tilretteleggeren din, før du leser',
    open_now: 'Åpne nå',
    not_now: 'Ikke nå',
    decline: 'Avslå dette brevet',
    decline_title: 'Avslå dette brevet?',
    decline_explain: 'Du leser det ikke, og det fjernes fra denne enheten. Tilretteleggeren din får beskjed og bestemmer med omtanke hvordan og når skriveren får vite det. Dette kan ikke angres.',
    decline_go: 'Avslå brevet',
    decline_keep: 'Behold det inntil videre',
    decline_apart: 'Hvis du ikke vil lese dette brevet',
    declined_title: 'Mottakeren avslo dette brevet',
    declined_note: 'En merknad fra tilretteleggeren din:',
    letter_gone: 'Dette brevet er ikke her lenger.',
    decline_done: 'Du avslo brevet. Det er fjernet fra denne enheten, og tilretteleggeren din bestemmer hvordan skriveren får vite det.',
    share_opened: 'La skriveren få vite at jeg åpnet det',
    shared: 'Skriveren vil se at du åpnet det.',
    letter_title: 'Et brev',
    back: 'Tilbake til brevene dine',
    write_title: 'Skriv et brev',
    write_explain: 'Tilretteleggeren din leser brevet først og sender det videre, eller gir det tilbake til deg med en merknad.',
    write_label: 'Brevet ditt',
    send: 'Send til tilretteleggeren din',
    sending: 'Forsegler og sender …',
    sent: 'Brevet ditt er hos tilretteleggeren din.',
    empty_letter: 'Brevet er tomt.',
    not_attested_yet: 'Ikke ennå: tilretteleggeren din har ikke sammenlignet sikkerhetsnumre med deg. Møt dem først.',
    locked_idle: 'Låst etter en stund uten bruk.',
    returned_note: 'Tilretteleggeren din ga brevet tilbake med en merknad',
    reply_to: 'Svar på dette brevet',
    draft_kept: 'Det du skriver, lagres låst på denne enheten, som brevene dine, til du sender det.',
    revise: 'Skriv det på nytt',
    attach_label: 'Legg til bilder eller filer (valgfritt)',
    too_large: 'Brevet med vedlegg blir {size} når det er forseglet; Shuttle tar brev opptil {limit}. Ingenting ble sendt. Utelat eller forminsk en fil.',
    sending_progress: 'Sender',
    attachments_title: 'Vedlegg',
    save_file: 'Lagre {name} ({size})',
    revoke: 'Trekk tilbake dette brevet',
    revoke_explain: 'Trekker du det tilbake, fjernes det fra Shuttle for godt. Var det alt sendt videre, kan den andre ha lest det.',
    revoke_confirm: 'Trekk det tilbake',
    revoked_released: 'Brevet er trukket tilbake. Det var sendt videre til dem, så de kan ha lest det.',
    revoked_opened: 'Brevet er trukket tilbake. De hadde sagt fra at de åpnet det.',
    revoked_unreleased: 'Brevet er trukket tilbake. Det var ikke sendt videre til dem.',
    reason_identifying_information: 'Det inneholder opplysninger som kan identifisere noen.',
    reason_retraumatising_wording: 'Noen av ordene kan såre leseren på nytt.',
    reason_asks_for_forgiveness_or_contact: 'Det ber om tilgivelse eller om kontakt.',
    reason_threat: 'Det kan leses som en trussel.',
    reason_other: 'Av grunnen i merknaden.',
  },
} as const;

export type Language = keyof typeof catalogue;
export type Key = keyof (typeof catalogue)['en'];

export function chooseLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
    if (base === 'en') return 'en';
  }
  return 'en';
}

type RefusalCode = keyof typeof refusals.codes;
function isRefusalCode(code: string): code is RefusalCode {
  return Object.prototype.hasOwnProperty.call(refusals.codes, code);
}

// The page's strings in its current language: one per page, made by the
// composition root and handed to every view.
export class Strings {
  private current: Language = 'en';

  get language(): Language {
    return this.current;
  }
  set(l: Language): void {
    this.current = l;
    document.documentElement.lang = l;
  }
  // Arrow properties, so a view can take `const { t } = app.strings`.
  readonly t = (key: Key, params: Record<string, string> = {}): string => {
    let text: string = catalogue[this.current][key];
    for (const [k, v] of Object.entries(params)) text = text.replace(`{${k}}`, v);
    return text;
  };
  // The sentence for a relay's refusal code in the page's language; a code
  // the catalogue does not have (a newer relay's) gets the general sentence.
  readonly refusal = (code: string): string =>
    isRefusalCode(code) ? refusals.codes[code][this.current] : this.t('refused_unknown');
  has(key: string): key is Key {
    return key in catalogue.en;
  }
}
