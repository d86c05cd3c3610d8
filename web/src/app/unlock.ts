// A returning visit: the keys are on this device, locked under the
// passphrase. Also where the page goes when it locks itself.
import type { Screen } from './app.js';
import { ask } from './dialog.js';
import { h, show } from './dom.js';
import { wordsFor } from './failure.js';
import type { Strings } from './i18n.js';
import type { Vault } from './vault.js';

// What these views need of a root: the parties' App and the facilitators'
// Console both have it.
export interface Unlockable {
  readonly strings: Strings;
  readonly screen: Screen;
  readonly vault: Vault;
  readonly crypto: { warmUp(): void };
  readonly session: { unlock(passphrase: string): Promise<void> };
  readonly views: { resume(): Promise<void>; askToUnlock(problem?: string): void };
}
type App = Unlockable;

// "Forget this device", confirmed in an in-page dialog; then `after`.
export async function forgetDevice(app: App, after: () => void): Promise<void> {
  const { t } = app.strings;
  const sure = await ask({ title: t('forget_title'), text: [t('forget_confirm')], confirm: t('forget_go'),
    cancel: t('cancel'), serious: true });
  if (!sure) return;
  await app.vault.forget();
  after();
}

// A joining link opened where a profile already is: never replaced silently.
export function alreadyHere(app: App, joinAnyway: () => void): void {
  const { t } = app.strings;
  app.screen.redraw = () => alreadyHere(app, joinAnyway);
  const go = h('button', { type: 'button' }, t('already_go'));
  go.addEventListener('click', () => app.views.askToUnlock());
  const replace = h('button', { type: 'button', class: 'quiet' }, t('already_replace'));
  replace.addEventListener('click', () => void forgetDevice(app, joinAnyway));
  show(h('h1', {}, t('already_title')), h('p', {}, t('already_explain')), h('p', {}, t('already_advice')), go, replace);
}

export function askToUnlock(app: App, problem?: string): void {
  const { t } = app.strings;
  app.screen.redraw = () => askToUnlock(app, problem);
  const input = h('input', { id: 'passphrase', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { novalidate: true },
    h('label', { for: 'passphrase' }, t('passphrase_label')), input, h('button', { type: 'submit' }, t('unlock')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    show(h('h1', {}, t('welcome_back')), h('p', { role: 'status' }, t('unlocking')));
    try {
      await app.session.unlock(input.value);
    } catch (e) {
      askToUnlock(app, wordsFor(app.strings, e));
      return;
    }
    await app.views.resume();
  });
  const forget = h('button', { type: 'button', class: 'quiet' }, t('forget_device'));
  forget.addEventListener('click', () => void forgetDevice(app, () => location.reload()));
  show(h('h1', {}, t('welcome_back')), h('p', {}, t('unlock_explain')),
    problem ? h('p', { role: 'alert', class: 'problem' }, problem) : null, form, forget);
  app.crypto.warmUp();
}
