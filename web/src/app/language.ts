import type { Screen } from './app.js';
import { h } from './dom.js';
import { Strings, chooseLanguage } from './i18n.js';

// The language switch, at the top of every page (the parties' and the
// console's): the choice is kept on this device (not a secret: localStorage,
// outside the vault) and the screen is drawn again in it; `retitle` redraws
// what else the header says.
export const languageKey = 'shuttle.language';
export function languageSwitch(app: { strings: Strings; screen: Screen }, retitle: () => void = () => {}): HTMLElement {
  const { t } = app.strings;
  const nav = h('nav', { 'aria-label': t('language'), class: 'language' },
    ...(['en', 'nb'] as const).map((l) => {
      const b = h('button', { type: 'button', class: 'quiet', lang: l, 'aria-pressed': String(app.strings.language === l) },
        l === 'en' ? 'English' : 'Norsk bokmål');
      b.addEventListener('click', () => {
        app.strings.set(l);
        localStorage.setItem(languageKey, l);
        document.querySelector('header .language')?.replaceWith(languageSwitch(app, retitle));
        retitle();
        const lost = document.getElementById('connection');
        if (lost) lost.textContent = app.strings.t('connection_lost');
        app.screen.redraw();
      });
      return b;
    }));
  return nav;
}

// The language kept on this device, else the first of the browser's the catalogue has.
export function startingLanguage(strings: Strings): void {
  const kept = localStorage.getItem(languageKey);
  strings.set(kept === 'en' || kept === 'nb' ? kept : chooseLanguage(navigator.languages));
}
