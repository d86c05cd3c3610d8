// Live events in the page (SPEC 16.4): a one-time ticket from the session,
// offered as a WebSocket subprotocol (never in the URL). Events carry no
// content; the page only learns that something happened and looks again.
// One stream per page, kept open across its views while it is unlocked.
import { parseStrict } from '../proto/json.js';
import { LiveEvent, eventTicket, liveEvent } from './answers.js';
import { Backoff } from './backoff.js';
import { Relay } from './relay.js';

// While the stream is down it is opened again by itself, later each time
// (1 s, doubling to 30 s); `onState` hears when the relay is out of reach
// and when it is back, and `onCaughtUp` when a stream opened again after a
// break (the page then looks again at what it missed).
export class EventStream {
  private socket: WebSocket | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private handler: (e: LiveEvent) => void = () => {};
  private readonly backoff = new Backoff(1000, 30000);
  private broken = false;

  // `active` says whether the page is unlocked (a locked page holds no stream).
  constructor(private readonly relay: Relay, private readonly active: () => boolean,
              private readonly onState: (reachable: boolean) => void = () => {},
              private readonly onCaughtUp: () => void = () => {}) {}

  private again(): void {
    if (!this.broken) {
      this.broken = true;
      this.onState(false);
    }
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(), this.backoff.failed());
  }

  // Listens for the page's events: a new view only replaces what is done with them.
  listen(onEvent: (e: LiveEvent) => void): void {
    this.handler = onEvent;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    clearTimeout(this.retry);
    void this.open();
  }

  private async open(): Promise<void> {
    if (!this.active()) return;
    let ticket: string;
    try {
      ticket = eventTicket(await this.relay.post('/v1/events/ticket', {}));
    } catch {
      if (this.active()) this.again();
      return;
    }
    const ws = new WebSocket(`wss://${location.host}/v1/events`, ['shuttle.v1', `shuttle.ticket.${ticket}`]);
    this.socket = ws;
    ws.onopen = () => {
      this.backoff.reached();
      if (this.broken) {
        this.broken = false;
        this.onState(true);
        this.onCaughtUp();
      }
    };
    ws.onmessage = (m) => {
      let e: LiveEvent | null = null;
      try {
        e = liveEvent(parseStrict(String(m.data), 4096, 2));
      } catch {
        // an event not understood changes nothing
      }
      if (e) this.handler(e);
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.active()) this.again();
    };
  }

  stop(): void {
    clearTimeout(this.retry);
    if (this.broken) this.onState(true);  // nothing to be out of reach of
    this.broken = false;
    this.backoff.reached();
    const ws = this.socket;
    this.socket = null;
    ws?.close();
  }
}
