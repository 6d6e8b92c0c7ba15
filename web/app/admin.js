// `/app/admin?office=…`: what a manager administers for an office of the subtree:
// its clerks, its kiosks (register one and hand its pairing link to the tablet, revoke
// one) and the yearly targets.

import { api, Problem, query } from "./api.js";
import { fill, h } from "./dom.js";
import { instant, percent, t } from "./i18n.js";
import { explain, go, say } from "./main.js";

/** A form whose failure shows under it; `send` returns what to say on success. */
function form(id, title, fields, submitLabel, send) {
  const message = h("p", { class: "error", role: "alert" });
  const el = h("form", { id, class: "panel", novalidate: true, "on:submit": submit },
    h("h3", {}, title), fields, h("button", { type: "submit", class: "primary" }, submitLabel), message);
  async function submit(event) {
    event.preventDefault();
    fill(message);
    try {
      say(await send(Object.fromEntries(new FormData(el))));
    } catch (error) {
      fill(message, error instanceof Problem && error.errors.length ? error.errors.map((e) => `${e.field}: ${e.message}`).join(" · ") : explain(error));
    }
  }
  return el;
}

const input = (id, label, attrs = {}) =>
  h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name: id.replace(/^[a-z]+-/, ""), ...attrs }));

function staff(users, office, reload) {
  return h("section", { id: "staff" },
    h("h2", {}, t("admin.staff")),
    h("table", {}, h("thead", {}, h("tr", {}, [t("admin.username"), t("admin.full_name"), t("admin.role")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, users.map((u) => h("tr", { "data-user": u.username }, h("td", {}, u.username), h("td", {}, u.full_name), h("td", {}, t(`role.${u.role}`)))))),
    form("new-clerk", t("admin.new_clerk"), [
      input("clerk-username", t("admin.username"), { autocomplete: "off", required: true }),
      input("clerk-full_name", t("admin.full_name"), { autocomplete: "off", required: true }),
      input("clerk-password", t("admin.password"), { type: "password", autocomplete: "new-password", required: true }),
    ], t("admin.create"), async (data) => {
      await api("/users", { method: "POST", body: { ...data, role: "clerk", office_id: office.id } });
      reload();
      return t("admin.created", { name: data.full_name });
    }));
}

function kiosks(list, office, reload) {
  const pairing = h("div", { id: "pairing", "aria-live": "polite" });
  const revoke = (kiosk, button) => async () => {
    // Two clicks: the first asks, the second revokes.
    if (button.dataset.confirm !== "yes") {
      button.dataset.confirm = "yes";
      return fill(button, t("admin.revoke_confirm"));
    }
    await api(`/kiosks/${kiosk.id}`, { method: "DELETE" }).then(reload, (e) => say(explain(e)));
  };
  const rows = list.map((k) => {
    const button = h("button", { type: "button", "data-revoke": k.id }, t("admin.revoke"));
    button.addEventListener("click", revoke(k, button));
    return h("tr", { "data-kiosk": k.name },
      h("td", {}, k.name),
      h("td", {}, k.revoked_at ? t("admin.revoked_at", { at: instant(k.revoked_at) }) : k.sync ? t("admin.synced_at", { at: instant(k.sync.synced_at), n: k.sync.queue_depth }) : t("admin.never_synced")),
      h("td", {}, k.revoked_at ? "" : button));
  });
  return h("section", { id: "kiosks" },
    h("h2", {}, t("admin.kiosks")),
    rows.length ? h("table", {}, h("thead", {}, h("tr", {}, [t("admin.kiosk_name"), t("admin.kiosk_state"), ""].map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows)) : h("p", {}, t("none")),
    form("new-kiosk", t("admin.new_kiosk"), [input("kiosk-name", t("admin.kiosk_name"), { autocomplete: "off", required: true })], t("admin.register"), async (data) => {
      const created = await api("/kiosks", { method: "POST", body: { office_id: office.id, name: data.name } });
      const link = new URL(created.pairing_link, location.origin).href;
      fill(pairing,
        h("p", { class: "strong" }, t("admin.pairing_once")),
        h("img", { src: `data:image/svg+xml;base64,${btoa(created.pairing_qr_svg)}`, alt: t("admin.pairing_qr", { name: data.name }), width: 192, height: 192 }),
        h("p", {}, h("a", { href: link, id: "pairing-link" }, link)));
      return t("admin.registered", { name: data.name });
    }),
    pairing);
}

function targets(list, office, year, reload) {
  const own = list.filter((x) => x.office_id === office.id);
  return h("section", { id: "targets" },
    h("h2", {}, t("admin.targets", { year })),
    own.length
      ? h("table", {}, h("thead", {}, h("tr", {}, [t("admin.metric"), t("group.field"), t("admin.value")].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, own.map((x) => h("tr", { "data-target": `${x.metric}:${x.field || ""}` }, h("td", {}, t(`metric.${x.metric}`)), h("td", {}, x.field || t("admin.every_field")), h("td", {}, percent(x.value))))))
      : h("p", {}, t("admin.inherited")),
    form("set-target", t("admin.set_target"), [
      h("div", { class: "field" }, h("label", { for: "target-metric" }, t("admin.metric")),
        h("select", { id: "target-metric", name: "metric" }, ["on_time", "satisfaction"].map((m) => h("option", { value: m }, t(`metric.${m}`))))),
      input("target-field", t("admin.field_optional"), { autocomplete: "off" }),
      input("target-percent", t("admin.percent"), { type: "number", min: 0, max: 100, step: "0.1", required: true }),
    ], t("admin.save"), async (data) => {
      const body = { office_id: office.id, year, metric: data.metric, value: Number(data.percent) / 100 };
      if (data.field.trim()) body.field = data.field.trim();
      await api("/targets", { method: "PUT", body });
      reload();
      return t("admin.saved");
    }));
}

export async function admin(main, session) {
  const wanted = new URLSearchParams(location.search).get("office");
  const scope = session.office ? { within: session.office.id } : {};
  const offices = (await api(`/offices${query({ ...scope, limit: 200 })}`)).items;
  const office = offices.find((o) => o.id === wanted) || offices.find((o) => o.id === session.office?.id) || offices[0];
  if (!office) return fill(main, h("p", {}, t("none")));
  const year = Number(new Intl.DateTimeFormat("en", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric" }).format(new Date()));
  const [users, kioskList, targetList] = await Promise.all([
    api(`/users${query({ office_id: office.id, limit: 200 })}`),
    api(`/kiosks${query({ office_id: office.id })}`),
    api(`/targets${query({ year })}`),
  ]);
  const reload = () => go(`/app/admin${query({ office: office.id })}`, { replace: true });
  const picker = h("select", { id: "admin-office", "on:change": (e) => go(`/app/admin${query({ office: e.target.value })}`) },
    offices.map((o) => h("option", { value: o.id, selected: o.id === office.id }, o.name)));
  main.dataset.view = "admin";
  fill(main,
    h("h1", {}, t("admin.title")),
    h("div", { class: "field narrow" }, h("label", { for: "admin-office" }, t("dash.office")), picker),
    h("div", { class: "columns" }, staff(users.items, office, reload), kiosks(kioskList, office, reload)),
    targets(targetList, office, year, reload));
}
