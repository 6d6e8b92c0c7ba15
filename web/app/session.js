// The signed-in session. The token lives in sessionStorage (gone with the tab, never in
// localStorage); it ends at the token's expiry or after 30 minutes without a key or a click.

const KEY = "motcua.session";
export const IDLE_MS = 30 * 60 * 1000;

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

/** The live session, or null once it expired or went idle (and is then forgotten). */
export function current() {
  const s = read();
  if (!s) return null;
  const now = Date.now();
  if (now >= s.expires || now - s.active > IDLE_MS) {
    end();
    return null;
  }
  return s;
}

/** Starts a session from `POST /auth/login`'s answer and `GET /me`'s. */
export function begin(login, me) {
  const now = Date.now();
  const s = { token: login.access_token, expires: now + login.expires_in * 1000, active: now, user: me.user, office: me.office };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function end() {
  sessionStorage.removeItem(KEY);
}

function touch() {
  const s = read();
  if (s && Date.now() - s.active > 5000) {
    s.active = Date.now();
    sessionStorage.setItem(KEY, JSON.stringify(s));
  }
}

/** Counts keys and clicks as activity; calls `expired` once the session is over. */
export function watch(expired) {
  for (const type of ["pointerdown", "keydown"]) addEventListener(type, touch, { capture: true, passive: true });
  const check = () => read() && !current() && expired();
  setInterval(check, 10_000);
  document.addEventListener("visibilitychange", check);
}
