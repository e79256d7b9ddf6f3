// The article page's live connection (annotations/consumers.py): a WebSocket that says when the
// article, a claim or a comment changed, as the visibility policy lets this reader know. It
// reconnects by itself, asking for what came after the last event it saw, so nothing is missed;
// where sockets cannot get through it polls the same feed (GET /api/v1/articles/{id}/events/).
// `onEvents(events)` is called with each batch, in order.

const RETRY_MAX_MS = 15000;
const POLL_MS = 5000;
// Close codes the server uses to refuse for good (not signed in, not a member): no retry.
const REFUSED = [4401, 4404];

export class LiveFeed {
  constructor({ base, path, cursor, api, article, onEvents, onState, onPresence }) {
    this.url = (base || (location.protocol === "https:" ? "wss://" : "ws://") + location.host) + path;
    this.api = api;
    this.article = article;
    this.onEvents = onEvents;
    this.onState = onState || (() => {});
    this.onPresence = onPresence || (() => {});
    this.claim = null; // the claim this page has open, for the others' presence lists
    this.pinger = null;
    this.cursor = cursor; // the last event number handled (where the feed stood at page load)
    this.failures = 0;
    this.polling = null;
    this.socket = null;
    this.queue = Promise.resolve(); // batches are applied one after the other
    this.delivered = new Set(); // numbers already applied: a resume's answer may overlap a push
  }

  start() {
    this.connect();
  }

  connect() {
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.fallBack();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.failures = 0;
      this.stopPolling();
      this.onState("live");
    });
    socket.addEventListener("message", (message) => this.receive(JSON.parse(message.data)));
    socket.addEventListener("close", (event) => {
      this.socket = null;
      clearInterval(this.pinger);
      this.onPresence([]);
      if (REFUSED.includes(event.code)) {
        this.onState("off");
        return;
      }
      this.failures += 1;
      this.onState("reconnecting");
      // Three failed tries in a row: poll meanwhile, and keep trying the socket now and then.
      if (this.failures >= 3) this.fallBack();
      const wait = Math.min(RETRY_MAX_MS, 500 * 2 ** this.failures) * (0.5 + Math.random() / 2);
      setTimeout(() => this.connect(), wait);
    });
  }

  receive(message) {
    if (message.type === "hello") {
      if (message.cursor > this.cursor) this.send({ type: "resume", after: this.cursor });
      if (this.claim !== null) this.send({ type: "here", claim: this.claim });
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: "ping" }), message.ping * 1000);
    } else if (message.type === "presence") {
      this.onPresence(message.people);
    } else if (message.type === "events") {
      this.deliver(message.events, message.cursor);
    }
  }

  // The reader opened a claim (an id) or closed it (null): the others' pages show it.
  here(claim) {
    this.claim = claim;
    this.send({ type: "here", claim });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  deliver(events, cursor) {
    // Not filtered by the cursor: the answer to a resume may arrive after newer pushed events.
    const fresh = events.filter((event) => !this.delivered.has(event.seq));
    for (const event of fresh) this.delivered.add(event.seq);
    if (this.delivered.size > 5000) this.delivered = new Set([...this.delivered].slice(-1000));
    this.cursor = Math.max(this.cursor, cursor);
    if (fresh.length) this.queue = this.queue.then(() => this.onEvents(fresh)).catch(() => {});
  }

  fallBack() {
    if (this.polling) return;
    this.onState("polling");
    const poll = async () => {
      try {
        const { data } = await this.api.get(
          "articles/" + this.article + "/events/?after=" + this.cursor,
        );
        this.deliver(data.events, data.cursor);
      } catch (error) {
        // The next tick tries again.
      }
      if (this.polling) this.polling = setTimeout(poll, POLL_MS);
    };
    this.polling = setTimeout(poll, 0);
  }

  stopPolling() {
    clearTimeout(this.polling);
    this.polling = null;
  }
}
