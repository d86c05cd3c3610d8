// Building the page with the DOM alone: text goes in as text, never as HTML,
// so the page needs no Trusted Types policy (the CSP allows none).
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

// Replaces the page's main content and moves focus to its heading, so a
// screen reader announces the new step.
export function show(...children: Child[]): void {
  const main = document.getElementById('main')!;
  main.replaceChildren(...children.filter((c): c is Node | string => !!c));
  const heading = main.querySelector('h1, h2');
  if (heading instanceof HTMLElement) {
    heading.tabIndex = -1;
    heading.focus();
  }
}
