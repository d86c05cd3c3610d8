// Live events in the page (SPEC 16.4): a one-time ticket from the session,
// offered as a WebSocket subprotocol (never in the URL). Events carry no
// content; the page only learns that something happened and looks again.
import { JsonObject, isObject, parseStrict } from '../proto/json.js';
import { post } from './relay.js';
import { isUnlocked } from './session.js';

let socket: WebSocket | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;
let handler: (e: JsonObject) => void = () => {};

// Listens for the page's events, keeping one stream open across the page's
// views (a new view only replaces what is done with them).
export function listen(onEvent: (e: JsonObject) => void): void {
  handler = onEvent;
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  clearTimeout(retry);
  void open();
}

async function open(): Promise<void> {
  if (!isUnlocked()) return;
  let ticket: string;
  try {
    ticket = (await post('/v1/events/ticket', {})).ticket as string;
  } catch {
    retry = setTimeout(() => void open(), 10000);
    return;
  }
  const ws = new WebSocket(`wss://${location.host}/v1/events`, ['shuttle.v1', `shuttle.ticket.${ticket}`]);
  socket = ws;
  ws.onmessage = (m) => {
    try {
      const v = parseStrict(String(m.data), 4096, 2);
      if (isObject(v)) handler(v);
    } catch {
      // an event not understood changes nothing
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    if (isUnlocked()) retry = setTimeout(() => void open(), 5000);
  };
}

export function stop(): void {
  clearTimeout(retry);
  const ws = socket;
  socket = null;
  ws?.close();
}
