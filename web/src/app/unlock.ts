// A returning visit: the keys are on this device, locked under the
// passphrase. Also where the page goes when it locks itself.
import { h, show } from './dom.js';
import { wordsFor } from './failure.js';
import { t } from './i18n.js';
import { home } from './letters.js';
import { unlock } from './session.js';
import * as vault from './vault.js';

export function locked(reason?: 'idle'): void {
  askToUnlock(reason === 'idle' ? t('locked_idle') : undefined);
}

// "Forget this device", confirmed by typing the word the prompt names; then `after`.
export async function forgetDevice(after: () => void): Promise<void> {
  // eslint-disable-next-line no-alert
  if (window.prompt(t('forget_confirm')) !== (document.documentElement.lang === 'nb' ? 'GLEM' : 'FORGET')) return;
  await vault.forget();
  after();
}

// A joining link opened where a profile already is: never replaced silently.
export function alreadyHere(joinAnyway: () => void): void {
  const go = h('button', { type: 'button' }, t('already_go'));
  go.addEventListener('click', () => askToUnlock());
  const replace = h('button', { type: 'button', class: 'quiet' }, t('already_replace'));
  replace.addEventListener('click', () => void forgetDevice(joinAnyway));
  show(h('h1', {}, t('already_title')), h('p', {}, t('already_explain')), h('p', {}, t('already_advice')), go, replace);
}

export function askToUnlock(problem?: string): void {
  const input = h('input', { id: 'passphrase', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { novalidate: true },
    h('label', { for: 'passphrase' }, t('passphrase_label')), input, h('button', { type: 'submit' }, t('unlock')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    show(h('h1', {}, t('welcome_back')), h('p', { role: 'status' }, t('unlocking')));
    try {
      await unlock((input as HTMLInputElement).value, locked);
    } catch (e) {
      askToUnlock(wordsFor(e));
      return;
    }
    await home();
  });
  const forget = h('button', { type: 'button', class: 'quiet' }, t('forget_device'));
  forget.addEventListener('click', () => void forgetDevice(() => location.reload()));
  show(h('h1', {}, t('welcome_back')), h('p', {}, t('unlock_explain')),
    problem ? h('p', { role: 'alert', class: 'problem' }, problem) : null, form, forget);
}
