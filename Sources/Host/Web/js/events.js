// The tenant's event stream (/ws) with gap-free reconnects (Docs/realtime.md):
// start from the list's latestSeq, remember the highest seq applied, reconnect with
// since=<that seq> after a drop (backing off 0.5 s, 1 s, 2 s … 30 s, with jitter), and on
// close code 4410 hand over to `onGone` so the app reloads its list.

const MAX_DELAY_MS = 30000;

export class EventStream {
  /**
   * @param {object} o
   * @param {string} o.token   the session token (the one place a token goes in a URL)
   * @param {(event: object) => void} o.onEvent   each event once, in seq order
   * @param {(state: string, detail?: object) => void} o.onState   connecting | live | reconnecting | stopped
   * @param {() => void} o.onGone   the host no longer keeps our `since`: reload, then `start` again
   * @param {() => void} o.onRefused   closed before opening while the host is up (token check)
   */
  constructor({ token, onEvent, onState, onGone, onRefused }) {
    this.token = token;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onGone = onGone;
    this.onRefused = onRefused || (() => {});
    this.ws = null;
    this.timer = null;
    this.attempt = 0;
    this.lastSeq = 0;
    this.stopped = true;
    this.reconnects = 0;
  }

  /** Connects and replays everything after `since`. */
  start(since) {
    this.stop();
    this.stopped = false;
    this.lastSeq = since;
    this.attempt = 0;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, 'bye');
    }
  }

  /** Skips the back-off wait (the browser came back online, or the user asked). */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.open();
  }

  open() {
    this.timer = null;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/ws?token=${encodeURIComponent(this.token)}&since=${this.lastSeq}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    this.onState('connecting');
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      opened = true;
      this.attempt = 0;
      this.onState('live', { since: this.lastSeq });
    });
    ws.addEventListener('message', (m) => {
      if (this.ws !== ws) return;
      let event;
      try {
        event = JSON.parse(m.data);
      } catch {
        return; // not ours to act on
      }
      // The host never repeats a seq on one socket; this guards the seam between sockets.
      if (!event || typeof event.seq !== 'number' || event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
      this.onEvent(event);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (e.code === 4410) {
        this.onState('reloading');
        this.onGone();
        return;
      }
      if (!opened) this.onRefused();
      this.schedule();
    });
    // An `error` is always followed by `close`; the browser logs the reason itself.
  }

  schedule() {
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt += 1;
    this.reconnects += 1;
    this.onState('reconnecting', { delay });
    this.timer = setTimeout(() => this.open(), delay);
  }
}
