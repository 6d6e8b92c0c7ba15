// `/app/receipt/<id>`: Mẫu 01, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", twice on A4:
// one copy stays at the desk, one goes to the citizen. The form is Vietnamese whatever
// the page's language.

import { api } from "./api.js";
import { fill, h } from "./dom.js";
import { formalInstant, date, t } from "./i18n.js";

function copy(r, which, qr) {
  const a = r.applicant;
  const line = (label, value) => value && h("p", {}, `${label}: `, h("strong", {}, value));
  return h(
    "article",
    { class: "copy", "data-copy": which },
    h("header", { class: "form-header" },
      h("div", {},
        r.parent_office_name && h("p", { class: "upper" }, r.parent_office_name),
        h("p", { class: "upper strong" }, r.office_name),
        h("p", { class: "upper strong" }, t("receipt.desk")),
        h("p", { class: "rule" })),
      h("div", {},
        h("p", { class: "strong" }, t("receipt.nation")),
        h("p", { class: "strong motto" }, t("receipt.motto")),
        h("p", { class: "rule" }))),
    h("h2", { class: "form-title" }, t("receipt.title")),
    h("p", { class: "center strong", "data-field": "code" }, t("receipt.code", { code: r.code })),
    h("p", { class: "center copy-label" }, `(${t(which === "desk" ? "receipt.copy_desk" : "receipt.copy_citizen")})`),
    h("p", {}, t("receipt.intro", { office: `Bộ phận tiếp nhận và trả kết quả, ${r.office_name}` })),
    line(t("receipt.name"), a.name),
    line(t("receipt.id_number"), a.id_number),
    line(t("receipt.address"), a.address),
    line(t("receipt.phone"), a.phone),
    line(t("receipt.email"), a.email),
    line(t("receipt.request"), `${r.procedure_name} (${r.procedure_code})`),
    h("p", { "data-field": "received" }, `${t("receipt.received")}: `, h("strong", {}, formalInstant(r.received_at))),
    h("p", { "data-field": "appointment" }, `${t("receipt.appointment")}: `,
      h("strong", { "data-date": r.appointment_date }, r.appointment_at ? formalInstant(r.appointment_at) : `ngày ${date(r.appointment_date)}`)),
    h("div", { class: "lookup" },
      h("img", { src: qr, alt: t("receipt.qr", { code: r.code }), width: 112, height: 112 }),
      h("p", {}, t("receipt.lookup", { url: r.lookup_url }))),
    h("div", { class: "signatures" },
      h("div", {}, h("p", { class: "strong" }, t("receipt.applicant_sign")), h("p", { class: "hint" }, t("receipt.sign_hint"))),
      h("div", {}, h("p", { class: "strong" }, t("receipt.clerk_sign")), h("p", { class: "hint" }, t("receipt.sign_hint")),
        h("p", { class: "signed" }, r.clerk_name || ""))),
  );
}

export async function receipt(main, session, id) {
  const r = await api(`/dossiers/${encodeURIComponent(id)}/receipt`);
  const qr = `data:image/svg+xml;base64,${btoa(r.lookup_qr_svg)}`;
  main.dataset.view = "receipt";
  fill(
    main,
    h("div", { class: "row no-print" },
      h("button", { type: "button", class: "primary", id: "print", "on:click": () => print() }, t("receipt.print")),
      h("a", { href: `/app/dossiers/${r.dossier_id}`, "data-link": true, class: "button" }, t("receipt.back"))),
    h("h1", { class: "visually-hidden" }, t("receipt.title")),
    h("div", { class: "copies" }, copy(r, "desk", qr), copy(r, "citizen", qr)),
  );
  document.getElementById("print").focus();
}
