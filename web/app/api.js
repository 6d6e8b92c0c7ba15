// The pages' only way to the server: /api/v1 with the session's token.

import { current, end } from "./session.js";

/** An RFC 9457 problem answer. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || "";
    this.errors = body?.errors || [];
  }
}

/** Calls `/api/v1{path}`; resolves to the JSON (or the Response with `raw`), throws a Problem. */
export async function api(path, { method = "GET", body, key, raw = false, token } = {}) {
  const headers = { accept: "application/json" };
  const bearer = token || current()?.token;
  const open = path === "/auth/login" || path.startsWith("/public/");
  if (!bearer && !open) {
    // The session ended (expired or idle) while a view was loading: back to the login.
    dispatchEvent(new Event("motcua:signed-out"));
    throw new Problem(401, { code: "missing_token", detail: "signed out" });
  }
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["idempotency-key"] = key;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new Problem(0, { code: "network", detail: "network" });
  }
  if (!response.ok) {
    const problem = new Problem(response.status, await response.json().catch(() => null));
    // The token was refused (revoked, password changed): back to the login.
    if (response.status === 401 && bearer && !token) {
      end();
      dispatchEvent(new Event("motcua:signed-out"));
    }
    throw problem;
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** Saves a report as a file: the request carries the token, so a plain link would not do. */
export async function download(path, fallbackName) {
  const response = await api(path, { raw: true });
  const named = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") || "");
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: named ? named[1] : fallbackName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A query string of the set values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
