// The kiosk: a citizen taps a face, the vote is stored on the tablet first, then
// delivered by the sender whenever the server can be reached.
//
// Screens: pairing (no token yet, or the kiosk was revoked), voting, the optional
// dossier code from the receipt (so the vote counts for its procedure and clerk), the
// optional reason after "unsatisfied", thank-you, and the operator's status view
// (long-press the office name for 3 s, or open `#status`).

import { face } from "./faces.js";
import { REASONS, t, translate } from "./i18n.js";
import { Sender } from "./sender.js";
import { openStore } from "./store.js";
import { VERSION } from "./version.js";

const $ = (id) => document.getElementById(id);
const LONG_PRESS_MS = 3_000;
const REASON_TIMEOUT_MS = 20_000;
const IDLE_BEFORE_UPDATE_MS = 60_000;
/** A typed dossier code is forgotten if nobody votes within this time. */
const CODE_TIMEOUT_MS = 60_000;
/** The server's pattern of a dossier code (`GET /openapi.json`, `VoteRequest`). */
const DOSSIER_CODE = /^[A-Z0-9.]{1,40}-[0-9]{6}-[0-9]{4,8}$/;

const kiosk = {
  store: null,
  sender: null,
  config: null,
  lang: "vi",
  screen: "loading",
  casting: false,
  reasonTimer: null,
  dossierCode: null,
  codeTimer: null,
  connectTimer: null,
  lastInput: Date.now(),
  persisted: false,
  worker: null,
};

function show(screen) {
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== `screen-${screen}`;
  $("app").dataset.screen = screen;
  kiosk.screen = screen;
  if (screen === "status") renderStatus();
}

function setLanguage(lang) {
  kiosk.lang = lang;
  translate(lang);
  // The switch names the other language, in that language.
  $("lang").lang = lang === "vi" ? "en" : "vi";
  $("lang").textContent = t(lang, "switch");
  renderFaces();
  renderReasons();
  setDossierCode(kiosk.dossierCode);
}

function button(className, text, data) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  Object.assign(b.dataset, data);
  const label = document.createElement("span");
  label.className = "label";
  label.textContent = text;
  b.append(label);
  return b;
}

function renderFaces() {
  $("office-name").textContent = kiosk.config?.office_name ?? "";
  $("faces").dataset.count = kiosk.config?.ratings.length ?? 0;
  $("faces").replaceChildren(
    ...(kiosk.config?.ratings ?? []).map((f) => {
      const b = button("face-button", kiosk.lang === "en" ? f.en : f.vi, { rating: f.rating });
      b.prepend(face(f.rating));
      return b;
    }),
  );
}

function renderReasons() {
  $("reasons").replaceChildren(...REASONS.map((key) => button("reason", t(kiosk.lang, key), { reason: key })));
}

/** A v4 UUID; `crypto.randomUUID` exists only in a secure context. */
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Stores a vote (durably) before anything else, then thanks the citizen. Taps are
 * ignored until the server's repeat guard has passed since this vote, so a double
 * tap is never a second vote.
 */
async function cast(rating, reason, tappedAt) {
  if (kiosk.casting) return;
  kiosk.casting = true;
  clearTimeout(kiosk.reasonTimer);
  const vote = { id: uuid(), rating, cast_at: new Date().toISOString() };
  if (reason) vote.reason = reason;
  if (kiosk.dossierCode) vote.dossier_code = kiosk.dossierCode;
  try {
    await kiosk.store.enqueue(vote);
  } catch {
    kiosk.casting = false;
    show("vote");
    $("vote-error").textContent = t(kiosk.lang, "vote.failed");
    return;
  }
  performance.measure("vote-persisted", { start: tappedAt, end: performance.now() });
  $("vote-error").textContent = "";
  setDossierCode(null);
  show("thanks");
  kiosk.sender.kick();
  const guard = Math.max(kiosk.config?.repeat_guard_seconds ?? 5, 1) * 1000;
  setTimeout(() => {
    kiosk.casting = false;
    if (kiosk.screen !== "thanks") return;
    setLanguage("vi");
    show("vote");
  }, guard);
}

function onFace(event) {
  const rating = event.target.closest("button[data-rating]")?.dataset.rating;
  if (!rating || kiosk.casting) return;
  if (rating !== "unsatisfied") {
    cast(rating, null, event.timeStamp);
    return;
  }
  show("reason");
  kiosk.reasonTimer = setTimeout(() => cast("unsatisfied", null, performance.now()), REASON_TIMEOUT_MS);
}

function onReason(event) {
  const key = event.target.closest("button[data-reason]")?.dataset.reason;
  // Sent in Vietnamese whatever the screen's language, so reports read alike.
  if (key) cast("unsatisfied", t("vi", key), event.timeStamp);
}

/** The code the next vote is for (or none), shown above the faces. */
function setDossierCode(code) {
  clearTimeout(kiosk.codeTimer);
  kiosk.dossierCode = code;
  $("code-banner").hidden = !code;
  $("code-banner").textContent = code ? t(kiosk.lang, "code.banner", { code }) : "";
  if (code) kiosk.codeTimer = setTimeout(() => setDossierCode(null), CODE_TIMEOUT_MS);
}

function onCode(event) {
  event.preventDefault();
  const code = $("code-input").value.trim().toUpperCase();
  if (!DOSSIER_CODE.test(code)) {
    $("code-error").textContent = t(kiosk.lang, "code.invalid");
    return;
  }
  $("code-input").value = "";
  $("code-error").textContent = "";
  setDossierCode(code);
  show("vote");
}

async function showPairing(messageKey) {
  show("pair");
  $("pair-error").textContent = messageKey ? t(kiosk.lang, messageKey) : "";
  const { pending } = await kiosk.store.summary();
  $("pair-queue").textContent = pending > 0 ? t(kiosk.lang, "pair.queue", { n: pending }) : "";
}

/** The kiosk was revoked (or the token is wrong): back to pairing, the queue kept. */
async function unpaired() {
  kiosk.config = null;
  await kiosk.store.forget("token", "config");
  await showPairing("pair.refused");
}

async function fetchConfig(token) {
  return fetch(new URL("../api/v1/kiosk/config", location.href), {
    headers: { authorization: `Bearer ${token}` },
    cache: "no-store",
    signal: AbortSignal.timeout(15_000),
  });
}

/** One pending refresh at a time, however `connect` was reached (start, pairing, retry). */
function reconnect(ms) {
  clearTimeout(kiosk.connectTimer);
  kiosk.connectTimer = setTimeout(connect, ms);
}

/** Shows the voting screen from the stored config, then refreshes it from the server. */
async function connect() {
  clearTimeout(kiosk.connectTimer);
  const token = await kiosk.store.setting("token");
  if (!token) {
    await showPairing();
    return;
  }
  kiosk.config = (await kiosk.store.setting("config")) ?? null;
  if (kiosk.config) {
    renderFaces();
    if (kiosk.screen === "loading" || kiosk.screen === "pair") show("vote");
  }
  kiosk.sender.pair(token);
  let answer;
  try {
    answer = await fetchConfig(token);
  } catch {
    if (!kiosk.config) await showPairing("pair.offline");
    reconnect(kiosk.config ? 60_000 : 5_000);
    return;
  }
  if (answer.status === 401) {
    await unpaired();
  } else if (answer.ok) {
    kiosk.config = await answer.json();
    await kiosk.store.save("config", kiosk.config);
    renderFaces();
    if (kiosk.screen === "loading" || kiosk.screen === "pair") show("vote");
    // Faces a manager changes reach the kiosk within the hour.
    reconnect(3_600_000);
  } else {
    reconnect(5_000);
  }
}

async function onPair(event) {
  event.preventDefault();
  const token = $("pair-token").value.trim();
  if (!token.startsWith("mck_")) {
    $("pair-error").textContent = t(kiosk.lang, "pair.empty");
    return;
  }
  $("pair-token").value = "";
  await kiosk.store.save("token", token);
  await connect();
}

function when(date) {
  // Vietnamese time, whatever zone the tablet was set to.
  return date
    ? date.toLocaleString(kiosk.lang === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" })
    : null;
}

async function renderStatus() {
  const { pending, rejected, oldest } = await kiosk.store.summary();
  const lastSync = await kiosk.store.setting("last_sync");
  const sender = kiosk.sender;
  const next = sender.busy
    ? t(kiosk.lang, "status.sending")
    : sender.nextAt && pending > 0
      ? t(kiosk.lang, "status.in", { s: Math.max(0, Math.round((sender.nextAt - Date.now()) / 1000)) })
      : "—";
  const fields = {
    office: kiosk.config?.office_name ?? t(kiosk.lang, "status.unpaired"),
    pending: String(pending),
    oldest: when(oldest) ?? t(kiosk.lang, "status.none"),
    last_sync: when(lastSync && new Date(lastSync)) ?? t(kiosk.lang, "status.never"),
    next,
    rejected: String(rejected),
    storage: t(
      kiosk.lang,
      !isSecureContext ? "status.insecure" : kiosk.persisted ? "status.persisted" : "status.not_persisted",
    ),
    version: VERSION,
  };
  for (const [name, value] of Object.entries(fields)) {
    document.querySelector(`[data-field="${name}"]`).textContent = value;
  }
}

function leaveStatus() {
  history.replaceState(null, "", location.pathname + location.search);
  show(kiosk.config ? "vote" : "pair");
}

function onHash() {
  if (location.hash === "#status") show("status");
}

/** The pairing token arrives in the URL fragment: keep it, then clear it from the address bar. */
async function takeTokenFromFragment() {
  const match = location.hash.match(/^#pair=(.+)$/);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  await kiosk.store.save("token", decodeURIComponent(match[1]));
}

function listenForLongPress(target) {
  let timer = null;
  target.addEventListener("pointerdown", () => {
    timer = setTimeout(() => show("status"), LONG_PRESS_MS);
  });
  for (const type of ["pointerup", "pointerleave", "pointercancel"]) {
    target.addEventListener(type, () => clearTimeout(timer));
  }
}

/**
 * The Service Worker keeps the app openable offline. A new version waits until
 * nobody has touched the kiosk for a minute, then takes over and the page reloads.
 */
function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const updating = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => updating && location.reload());
  navigator.serviceWorker
    .register("sw.js")
    .then((registration) => {
      kiosk.worker = registration;
      setInterval(() => registration.update().catch(() => {}), 3_600_000);
    })
    .catch(() => {});
  setInterval(() => {
    const waiting = kiosk.worker?.waiting;
    if (waiting && kiosk.screen === "vote" && Date.now() - kiosk.lastInput > IDLE_BEFORE_UPDATE_MS) {
      waiting.postMessage("activate");
    }
  }, 30_000);
}

async function main() {
  registerWorker();
  kiosk.store = await openStore();
  kiosk.sender = new Sender(kiosk.store, {
    onUnpaired: unpaired,
    onChange: () => kiosk.screen === "status" && renderStatus(),
  });
  setLanguage("vi");
  $("faces").addEventListener("click", onFace);
  $("reasons").addEventListener("click", onReason);
  $("reason-skip").addEventListener("click", (e) => cast("unsatisfied", null, e.timeStamp));
  $("lang").addEventListener("click", () => setLanguage(kiosk.lang === "vi" ? "en" : "vi"));
  $("pair-form").addEventListener("submit", onPair);
  $("code-open").addEventListener("click", () => {
    show("code");
    $("code-input").focus();
  });
  $("code-form").addEventListener("submit", onCode);
  $("code-cancel").addEventListener("click", () => show("vote"));
  $("status-back").addEventListener("click", leaveStatus);
  $("status-send").addEventListener("click", () => kiosk.sender.kick());
  addEventListener("hashchange", onHash);
  for (const type of ["pointerdown", "keydown"]) addEventListener(type, () => (kiosk.lastInput = Date.now()), true);
  listenForLongPress($("office-name"));
  setInterval(() => kiosk.screen === "status" && renderStatus(), 1_000);
  navigator.storage
    ?.persist?.()
    .then((granted) => (kiosk.persisted = granted))
    .catch(() => {});

  await takeTokenFromFragment();
  kiosk.sender.start();
  await connect();
  onHash();
}

main();
