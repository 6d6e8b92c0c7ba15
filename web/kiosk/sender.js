// Delivers the queue with POST /votes/batch, each vote exactly once: the server
// knows every vote by its id, so a batch sent twice (the answer was lost, the
// server died mid-batch) is counted once. A vote leaves the queue only when its own
// result says stored (201) or already stored (200); a refusal (409, 422) is set
// aside, except a vote whose typed dossier code names no dossier of this office: it
// goes again without the code; anything else (no network, 5xx, 429) keeps it for the
// next round.
//
// Rounds run on start, on the `online` event, after each vote and on a timer that
// backs off exponentially with jitter while the server cannot be reached.
// `navigator.onLine` is never trusted: only an answer counts.

import { VERSION } from "./version.js";

const BATCH = 500;
const IDLE_MS = 60_000;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 60_000;
const TIMEOUT_MS = 30_000;

const api = (path) => new URL(`../api/v1/${path}`, location.href);

/** Sends `body` as JSON; resolves with status, JSON body and Retry-After, or rejects on a network error. */
async function post(path, token, body) {
  const response = await fetch(api(path), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    cache: "no-store",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const json = (response.headers.get("content-type") ?? "").includes("json")
    ? await response.json().catch(() => null)
    : null;
  return { status: response.status, body: json, retryAfter: Number(response.headers.get("retry-after")) || 0 };
}

const DELIVERED = new Set([200, 201]);
const REFUSED = new Set([409, 422]);

/** Why a round stopped. */
class Stop {
  constructor(kind, retryAfter = 0) {
    this.kind = kind; // "unpaired" or "failed"
    this.retryAfter = retryAfter;
  }
}

export class Sender {
  /**
   * @param store the kiosk's store
   * @param onUnpaired called on 401: the kiosk was revoked (its queue is kept)
   * @param onChange called after every round, for the operator view
   */
  constructor(store, { onUnpaired, onChange }) {
    this.store = store;
    this.onUnpaired = onUnpaired;
    this.onChange = onChange;
    this.token = null;
    this.busy = false;
    this.again = false;
    this.failures = 0;
    this.timer = null;
    this.nextAt = null;
    this.batch = BATCH;
  }

  /** Listens for the network and the screen coming back; rounds start once paired. */
  start() {
    addEventListener("online", () => this.kick());
    document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && this.kick());
    this.kick();
  }

  pair(token) {
    if (this.token === token) return;
    this.token = token;
    this.failures = 0;
    this.kick();
  }

  /** Runs a round now (or right after the one in flight). */
  kick() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.round();
  }

  async round() {
    if (!this.token) return;
    this.busy = true;
    clearTimeout(this.timer);
    this.nextAt = null;
    let stop = null;
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again);
    } catch (e) {
      stop = e instanceof Stop ? e : new Stop("failed");
    }
    if (stop?.kind === "unpaired") {
      this.busy = false;
      this.token = null;
      this.onUnpaired();
    } else {
      await this.heartbeat().catch(() => {});
      this.busy = false;
      this.failures = stop ? this.failures + 1 : 0;
      // A vote cast during the heartbeat goes at once.
      const idle = this.again ? 0 : IDLE_MS;
      this.schedule(stop ? Math.max(this.backoff(), stop.retryAfter * 1000) : idle);
    }
    this.onChange();
  }

  backoff() {
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  schedule(ms) {
    this.nextAt = Date.now() + ms;
    this.timer = setTimeout(() => this.kick(), ms);
  }

  /** Sends the queue, oldest first, until it is empty; throws a Stop when it cannot. */
  async drain() {
    for (;;) {
      const items = await this.store.peek(this.batch);
      if (items.length === 0) {
        this.batch = BATCH;
        return;
      }
      const answer = await post("votes/batch", this.token, { votes: items.map((i) => i.value) });
      if (answer.status === 401) throw new Stop("unpaired");
      if (answer.status === 413 && items.length > 1) {
        this.batch = Math.ceil(items.length / 2);
        continue;
      }
      if (answer.status === 413) {
        await this.store.settle([], [{ ...items[0], result: { status: 413, detail: "too large" } }]);
        continue;
      }
      const results = answer.body?.results;
      if (answer.status !== 200 || !Array.isArray(results) || results.length !== items.length) {
        throw new Stop("failed", answer.retryAfter);
      }
      const delivered = [];
      const refused = [];
      const retried = [];
      items.forEach((item, i) => {
        const result = results[i];
        if (DELIVERED.has(result.status)) {
          delivered.push(item.key);
        } else if (result.code === "dossier_not_at_this_office" && item.value?.dossier_code) {
          // A mistyped receipt code: the citizen's vote still counts, for the office.
          const { dossier_code: _, ...plain } = item.value;
          retried.push({ key: item.key, value: plain });
        } else if (REFUSED.has(result.status)) {
          refused.push({ ...item, result });
        }
      });
      await this.store.settle(delivered, refused, retried);
      await this.store.save("last_sync", new Date().toISOString());
      if (delivered.length + refused.length + retried.length < items.length) throw new Stop("failed");
    }
  }

  /** Tells the server how the queue stands, so managers see a kiosk that is behind. */
  async heartbeat() {
    const { pending, rejected, oldest } = await this.store.summary();
    const answer = await post("kiosk/heartbeat", this.token, {
      queue_depth: Math.min(pending, 1_000_000),
      oldest_pending_at: oldest?.toISOString() ?? null,
      rejected: Math.min(rejected, 1_000_000),
      app_version: VERSION,
    });
    if (answer.status === 204 && pending === 0) await this.store.save("last_sync", new Date().toISOString());
  }
}
