// The shell of the desk and dashboard pages: login, the menu, the language switch, and
// which view a path shows. Paths are real URLs (`/app/dossiers/<id>`,
// `/app/dashboard?office=…`), so a view can be bookmarked, reloaded or sent.

import { api, Problem } from "./api.js";
import { $, fill, h } from "./dom.js";
import { language, setLanguage, t, translate } from "./i18n.js";
import { begin, current, end, watch } from "./session.js";

const VIEWS = [
  [/^\/app\/?$/, () => import("./desk.js").then((m) => m.work)],
  [/^\/app\/receive$/, () => import("./desk.js").then((m) => m.receive)],
  [/^\/app\/dossiers\/([^/]+)$/, () => import("./desk.js").then((m) => m.dossier)],
  [/^\/app\/receipt\/([^/]+)$/, () => import("./receipt.js").then((m) => m.receipt)],
  [/^\/app\/dashboard$/, () => import("./dashboard.js").then((m) => m.dashboard)],
  [/^\/app\/admin$/, () => import("./admin.js").then((m) => m.admin)],
];

const main = $("#main");

/** Goes to `url` inside the app without reloading. */
export function go(url, { replace = false } = {}) {
  history[replace ? "replaceState" : "pushState"](null, "", url);
  render();
}

/** A short message for everyone, read out by screen readers too. */
export function say(text) {
  fill($("#toast"), text);
  setTimeout(() => $("#toast").textContent === text && fill($("#toast")), 6000);
}

/** What a failed call means to a clerk. */
export function explain(error) {
  if (!(error instanceof Problem)) return t("error.generic", { detail: String(error) });
  if (error.status === 0) return t("error.network");
  if (error.status === 503) return t("error.unavailable");
  if (error.status === 403) return t("error.forbidden");
  if (error.status === 404) return t("error.not_found");
  return t("error.generic", { detail: error.message });
}

function loginView(expired) {
  const message = h("p", { class: "error", role: "alert" }, expired ? t("login.expired") : "");
  const form = h(
    "form",
    { class: "login", "on:submit": submit },
    h("h1", {}, t("login.title")),
    h("label", { for: "username" }, t("login.username")),
    h("input", { id: "username", name: "username", autocomplete: "username", required: true }),
    h("label", { for: "password" }, t("login.password")),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "primary" }, t("login.submit")),
    message,
  );
  async function submit(event) {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const login = await api("/auth/login", { method: "POST", body: { username: data.get("username"), password: data.get("password") } });
      const me = await api("/me", { token: login.access_token });
      begin(login, me);
      const home = me.user.role === "clerk" ? "/app/" : "/app/dashboard";
      go(location.pathname === "/app/" || location.pathname === "/app" ? home : location.pathname + location.search, { replace: true });
    } catch (error) {
      fill(message, error instanceof Problem && error.status === 401 ? t("login.failed") : explain(error));
    }
  }
  $("#bar").hidden = true;
  fill($("#toast"));
  main.dataset.view = "login";
  fill(main, form);
  $("#username").focus();
}

function showBar(session) {
  $("#bar").hidden = false;
  fill($("#who"), `${session.user.full_name}${session.office ? ` · ${session.office.name}` : ""}`);
  for (const link of document.querySelectorAll("[data-role]")) link.hidden = !link.dataset.role.split(" ").includes(session.user.role);
  for (const link of document.querySelectorAll("nav a")) {
    if (link.pathname === location.pathname) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

let rendering = 0;

/** Shows the view of the current path (the login first, when nobody is signed in). */
export async function render({ expired = false } = {}) {
  const turn = ++rendering;
  const session = current();
  translate();
  if (location.pathname === "/app/lookup") {
    $("#bar").hidden = true;
    return (await import("./lookup.js")).lookup(main);
  }
  if (!session) return loginView(expired);
  showBar(session);
  for (const [pattern, load] of VIEWS) {
    const match = pattern.exec(location.pathname);
    if (!match) continue;
    const view = await load();
    if (turn !== rendering) return;
    main.dataset.view = "loading";
    fill(main, h("p", {}, t("loading")));
    try {
      await view(main, session, ...match.slice(1).map(decodeURIComponent));
    } catch (error) {
      if (turn === rendering) {
        main.dataset.view = "error";
        fill(main, h("p", { class: "error", role: "alert" }, explain(error)));
      }
    }
    return;
  }
  fill(main, h("p", { class: "error" }, t("error.not_found")));
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  go(link.getAttribute("href"));
});
addEventListener("popstate", () => render());
addEventListener("motcua:signed-out", () => render({ expired: true }));
$("#logout").addEventListener("click", async () => {
  await api("/auth/logout", { method: "POST" }).catch(() => {});
  end();
  go("/app/");
});
$("#language").addEventListener("click", () => {
  setLanguage(language() === "vi" ? "en" : "vi");
  render();
});
watch(() => render({ expired: true }));
render();
