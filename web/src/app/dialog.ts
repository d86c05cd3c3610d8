// In-page dialogs instead of the browser's alert, confirm and prompt: a
// modal <dialog> (the browser keeps focus inside it and Escape cancels),
// focus on the safe choice when it opens, and back where it was when it
// closes. Text goes in as text, like everything else (dom.ts).
import { h } from './dom.js';

export interface Choice {
  title: string;
  text: string[];
  body?: HTMLElement; // what the text is about, drawn below it (made with h(): text stays text)
  confirm: string;    // the button that goes ahead
  cancel: string;     // the one that does not, focused first
  serious?: boolean;  // going ahead cannot be undone
}

// Resolves true when the person goes ahead, false on cancel or Escape. One
// dialog at a time (it is modal), so its ids are fixed.
export function ask(choice: Choice): Promise<boolean> {
  const id = 'dialog';
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const yes = h('button', { type: 'button', class: choice.serious ? 'serious' : '' }, choice.confirm);
  const no = h('button', { type: 'button', class: 'quiet' }, choice.cancel);
  const dialog = h('dialog', { 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-text` },
    h('h2', { id: `${id}-title` }, choice.title),
    h('div', { id: `${id}-text` }, ...choice.text.map((p) => h('p', {}, p))), choice.body ?? null,
    h('div', { class: 'choices' }, no, yes));
  document.body.append(dialog);
  return new Promise((resolve) => {
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      if (returnTo?.isConnected) returnTo.focus();
      resolve(answer);
    };
    yes.addEventListener('click', () => close(true));
    no.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', (ev) => {  // Escape
      ev.preventDefault();
      close(false);
    });
    dialog.showModal();
    no.focus();
  });
}
