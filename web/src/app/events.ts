// Live events in the page (SPEC 16.4): a one-time ticket from the session,
// offered as a WebSocket subprotocol (never in the URL). Events carry no
// content; the page only learns that something happened and looks again.
// One stream per page, kept open across its views while it is unlocked.
import { parseStrict } from '../proto/json.js';
import { LiveEvent, eventTicket, liveEvent } from './answers.js';
import { Relay } from './relay.js';

export class EventStream {
  private socket: WebSocket | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private handler: (e: LiveEvent) => void = () => {};

  // `active` says whether the page is unlocked (a locked page holds no stream).
  constructor(private readonly relay: Relay, private readonly active: () => boolean) {}

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
      this.retry = setTimeout(() => void this.open(), 10000);
      return;
    }
    const ws = new WebSocket(`wss://${location.host}/v1/events`, ['shuttle.v1', `shuttle.ticket.${ticket}`]);
    this.socket = ws;
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
      if (this.active()) this.retry = setTimeout(() => void this.open(), 5000);
    };
  }

  stop(): void {
    clearTimeout(this.retry);
    const ws = this.socket;
    this.socket = null;
    ws?.close();
  }
}
