// The kiosk's IndexedDB: its settings, the queue of votes waiting to be sent, and the
// votes the server refused for good. Every write is `durability: "strict"`: a vote is
// on disk before the thank-you screen shows, so a power cut loses nothing.
//
// The queue's keys are generated in insertion order, so votes leave oldest first,
// and an entry whose value is damaged (no id, no date) is still sent, refused and
// set aside instead of blocking the queue.

const NAME = "motcua-kiosk";

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export async function openStore() {
  const open = indexedDB.open(NAME, 1);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore("settings");
    db.createObjectStore("queue", { autoIncrement: true });
    db.createObjectStore("rejected", { autoIncrement: true });
  };
  return new Store(await request(open));
}

class Store {
  constructor(db) {
    this.db = db;
  }

  /** Runs `work(stores)` in one transaction; resolves with its result once committed. */
  run(names, mode, work) {
    const tx = this.db.transaction(names, mode, mode === "readwrite" ? { durability: "strict" } : {});
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    const result = work(stores);
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(result);
      tx.onabort = tx.onerror = () => reject(tx.error ?? new Error("transaction aborted"));
    });
  }

  async setting(key) {
    return this.run(["settings"], "readonly", (s) => request(s.settings.get(key)));
  }

  save(key, value) {
    return this.run(["settings"], "readwrite", (s) => {
      s.settings.put(value, key);
    });
  }

  forget(...keys) {
    return this.run(["settings"], "readwrite", (s) => keys.forEach((k) => s.settings.delete(k)));
  }

  /** Stores a vote; resolves once it is durable. */
  enqueue(vote) {
    return this.run(["queue"], "readwrite", (s) => {
      s.queue.add(vote);
    });
  }

  /** The oldest `limit` entries of the queue, as `{ key, value }`. */
  async peek(limit) {
    const [keys, values] = await this.run(["queue"], "readonly", (s) =>
      Promise.all([request(s.queue.getAllKeys(null, limit)), request(s.queue.getAll(null, limit))]),
    );
    return keys.map((key, i) => ({ key, value: values[i] }));
  }

  /**
   * Removes what was delivered, moves what was refused to "rejected", and replaces
   * the entries to send again (`{ key, value }`), together.
   */
  settle(delivered, refused, retried = []) {
    return this.run(["queue", "rejected"], "readwrite", (s) => {
      for (const key of delivered) s.queue.delete(key);
      for (const { key, value } of retried) s.queue.put(value, key);
      for (const { key, value, result } of refused) {
        s.rejected.add({
          vote: value,
          status: result.status,
          code: result.code ?? null,
          detail: result.detail ?? null,
          rejected_at: new Date().toISOString(),
        });
        s.queue.delete(key);
      }
    });
  }

  /** Queue length, rejected count and the oldest waiting vote's `cast_at` (if readable). */
  async summary() {
    const [pending, rejected, first] = await this.run(["queue", "rejected"], "readonly", (s) =>
      Promise.all([
        request(s.queue.count()),
        request(s.rejected.count()),
        request(s.queue.openCursor()).then((c) => c?.value),
      ]),
    );
    const cast = Date.parse(first?.cast_at);
    return { pending, rejected, oldest: Number.isNaN(cast) ? null : new Date(cast) };
  }
}
