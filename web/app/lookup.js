// `/app/lookup#<code>`: the citizens' lookup the receipt's QR code opens. No login, no
// personal data: the public API answers status and appointment only.

import { api } from "./api.js";
import { fill, h } from "./dom.js";
import { date, t } from "./i18n.js";
import { explain } from "./main.js";

export async function lookup(main) {
  const answer = h("div", { id: "answer", "aria-live": "polite" });
  const input = h("input", { id: "code", name: "code", maxlength: 64, autocomplete: "off", value: decodeURIComponent(location.hash.slice(1)) });
  async function find(event) {
    event?.preventDefault();
    const code = input.value.trim();
    if (!code) return fill(answer);
    history.replaceState(null, "", `#${encodeURIComponent(code)}`);
    try {
      const d = await api(`/public/dossiers/${encodeURIComponent(code)}`);
      fill(answer, h("dl", { class: "facts" },
        h("dt", {}, t("col.code")), h("dd", {}, d.code),
        h("dt", {}, t("dossier.procedure")), h("dd", {}, d.procedure_name),
        h("dt", {}, t("dossier.status")), h("dd", { "data-field": "status" }, t(`status.${d.status}`)),
        h("dt", {}, t("lookup.received")), h("dd", {}, date(d.received_date)),
        h("dt", {}, t("dossier.appointment")), h("dd", {}, date(d.appointment_date))),
        d.ready && h("p", { class: "ready" }, t("lookup.ready")));
    } catch (error) {
      fill(answer, h("p", { class: "error", role: "alert" }, explain(error)));
    }
  }
  main.dataset.view = "lookup";
  fill(main, h("form", { class: "search", role: "search", "on:submit": find },
    h("h1", {}, t("lookup.title")),
    h("label", { for: "code" }, t("lookup.code")),
    h("div", { class: "row" }, input, h("button", { type: "submit", class: "primary" }, t("lookup.submit")))), answer);
  if (input.value) await find();
}
