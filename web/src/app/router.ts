// Each view of the unlocked page has its own address, in the fragment (the
// browser never sends it, and it never holds content or keys: only a view's
// name and a message id). Moving between views adds a history entry, so
// Back and Forward move between them and a reload returns to the same view.
export type Route =
  | { view: 'letters' }
  | { view: 'letter'; id: string }
  | { view: 'write' }
  | { view: 'reply'; id: string }    // a reply to a received letter
  | { view: 'revise'; id: string }   // a returned letter written again
  | { view: 'resend'; id: string }   // a letter of hers that did not reach the service, sent again
  | { view: 'leave' }
  | { view: 'pause' }    // the person harmed pauses the case, or goes on with it
  | { view: 'ask' }      // words to the facilitators alone
  | { view: 'consent' }  // the consent text she agreed to, read again
  | { view: 'agreement' }  // the outcome agreement, to read and sign
  | { view: 'answer'; id: string };  // answering a check-in from the facilitators

const idPattern = /^[A-Za-z0-9_-]{22}$/;

export function routeOf(hash: string): Route | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h === 'letters') return { view: 'letters' };
  if (h === 'write') return { view: 'write' };
  if (h === 'leave') return { view: 'leave' };
  if (h === 'pause') return { view: 'pause' };
  if (h === 'ask') return { view: 'ask' };
  if (h === 'consent') return { view: 'consent' };
  if (h === 'agreement') return { view: 'agreement' };
  for (const view of ['letter', 'reply', 'revise', 'resend', 'answer'] as const) {
    const id = h.slice(view.length + 1);
    if (h.startsWith(`${view}=`) && idPattern.test(id)) return { view, id };
  }
  return null;
}

export function hashOf(route: Route): string {
  return 'id' in route ? `#${route.view}=${route.id}` : `#${route.view}`;
}

export interface Go {
  replace?: boolean;  // instead of a new history entry (after an action, so Back does not repeat it)
  notice?: string;    // a calm line shown once at the top of the view
}

// One per root, over its own routes: the parties' (above) or the console's.
export class Router<R = Route> {
  private notice: string | undefined;

  constructor(private readonly render: (route: R, notice?: string) => Promise<void>,
              private readonly parse: (hash: string) => R | null, private readonly address: (route: R) => string,
              private readonly home: R) {}

  // Renders on every change of the address (a link, Back, Forward).
  listen(): void {
    window.addEventListener('hashchange', () => void this.renderCurrent());
  }

  current(): R {
    return this.parse(location.hash) ?? this.home;
  }

  go(route: R, options: Go = {}): void {
    const hash = this.address(route);
    this.notice = options.notice;
    if (location.hash === hash) {
      void this.renderCurrent();
    } else if (options.replace) {
      history.replaceState(null, '', hash);
      void this.renderCurrent();
    } else {
      location.hash = hash;  // a history entry; hashchange renders it
    }
  }

  renderCurrent(): Promise<void> {
    const notice = this.notice;
    this.notice = undefined;
    return this.render(this.current(), notice);
  }
}
