// The letters a person received or wrote, kept on this device so they stay
// readable after the person leaves the process or the case closes: in
// IndexedDB, each sealed with XChaCha20-Poly1305 under a key derived from the
// identity key (as the CLI's mailbox does), so they open only once unlocked.
import { Bytes } from '../proto/bytes.js';
import { sodium } from '../proto/sodium.js';
import type { CryptoWorker } from './crypto.js';
import { openText, sealText } from './sealed_text.js';
import { Vault } from './vault.js';
import type { Attached, KeptLetter } from './worker.js';

export type { Attached, KeptLetter };

// One per page, made by the composition root over the page's vault; `seed`
// is the unlocked identity key's seed. Letters (which may carry megabytes
// of attachments) are sealed and opened in the crypto worker; the draft
// and the states, a few lines each, on the page.
export class KeptLetters {
  constructor(private readonly vault: Vault, private readonly crypto: CryptoWorker, private readonly seed: () => Bytes) {}

  private key(): Bytes {
    return sodium().crypto_kdf_derive_from_key(32, 3, 'shutkept', this.seed());
  }
  private seal(value: string, ad: string): string {
    return sealText(this.key(), value, ad);
  }
  private open(sealed: string, ad: string): string {
    return openText(this.key(), sealed, ad);
  }

  async keep(l: KeptLetter): Promise<void> {
    await this.vault.put(`letter/${l.message}`, await this.crypto.sealKept(this.key(), l));
    const index = JSON.parse((await this.vault.get('letters')) ?? '[]') as string[];
    if (!index.includes(l.message)) await this.vault.put('letters', JSON.stringify([...index, l.message]));
  }

  async kept(message: string): Promise<KeptLetter | undefined> {
    const sealed = await this.vault.value(`letter/${message}`);
    return sealed ? this.crypto.openKept(this.key(), message, sealed) : undefined;
  }

  // Each kept letter once (two keeps at once could list one twice).
  async all(): Promise<KeptLetter[]> {
    const index = [...new Set(JSON.parse((await this.vault.get('letters')) ?? '[]') as string[])];
    const out: KeptLetter[] = [];
    for (const m of index) {
      const l = await this.kept(m);
      if (l) out.push(l);
    }
    return out;
  }

  // The letter being written, kept sealed like the letters, until it is
  // sent: one slot for a new letter ("draft"), one per reply and per
  // revision ("draft/reply/<id>", "draft/revise/<id>").
  async saveDraft(text: string, slot = 'draft'): Promise<void> {
    await this.vault.put(slot, text ? this.seal(text, slot) : '');
  }
  async draft(slot = 'draft'): Promise<string> {
    const text = await this.vault.get(slot);
    return text ? this.open(text, slot) : '';
  }

  // The states the relay last gave the letters (message id to SPEC 8's
  // word), sealed like the letters, so the list still says them after
  // leaving.
  async saveStates(states: Record<string, string>): Promise<void> {
    await this.vault.put('states', this.seal(JSON.stringify(states), 'states'));
  }
  async states(): Promise<Record<string, string>> {
    const text = await this.vault.get('states');
    return text ? JSON.parse(this.open(text, 'states')) as Record<string, string> : {};
  }

  async forget(message: string): Promise<void> {
    await this.vault.put(`letter/${message}`, '');
    const index = JSON.parse((await this.vault.get('letters')) ?? '[]') as string[];
    await this.vault.put('letters', JSON.stringify(index.filter((m) => m !== message)));
  }
}
