// The desk: today's work, receiving a dossier, and one dossier with its timeline,
// deadline explanation and the steps the API allows now.

import { api, Problem, query } from "./api.js";
import { $, fill, h } from "./dom.js";
import { date, daysLeft, instant, rule, t } from "./i18n.js";
import { explain, go, say } from "./main.js";

const link = (id, text) => h("a", { href: `/app/dossiers/${id}`, "data-link": true }, text);

function table(caption, headings, rows) {
  if (!rows.length) return h("section", {}, h("h2", {}, caption), h("p", {}, t("none")));
  return h(
    "section",
    {},
    h("h2", {}, caption),
    h(
      "div",
      { class: "scroll", tabindex: 0, role: "region", "aria-label": caption },
      h("table", {}, h("thead", {}, h("tr", {}, headings.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows)),
    ),
  );
}

function workRows(items) {
  return items.map((item) => {
    const left = item.working_days_left;
    const tone = left < 0 ? "late" : left <= 1 ? "soon" : "fine";
    return h(
      "tr",
      { "data-code": item.code },
      h("td", {}, link(item.id, item.code)),
      h("td", {}, item.applicant_name),
      h("td", {}, item.procedure_name),
      h("td", {}, date(item.appointment_date || item.due_date)),
      h("td", {}, h("span", { class: `left ${tone}` }, daysLeft(left))),
    );
  });
}

function dossierRows(items) {
  return items.map((d) =>
    h(
      "tr",
      { "data-code": d.code },
      h("td", {}, link(d.id, d.code)),
      h("td", {}, d.applicant.name),
      h("td", {}, instant(d.received_at || d.submitted_at)),
      h("td", {}, t(`status.${d.status}`)),
    ),
  );
}

const workHeadings = () => [t("col.code"), t("col.applicant"), t("col.procedure"), t("col.due"), t("col.left")];
const listHeadings = () => [t("col.code"), t("col.applicant"), t("col.received"), t("col.status")];

/** `/app/`: search, the office's overdue and due-soon dossiers, the latest received. */
export async function work(main) {
  const results = h("div", { id: "results" });
  const search = h("input", { id: "search", type: "search", name: "q", minlength: 3, maxlength: 100, autocomplete: "off" });
  const form = h(
    "form",
    { class: "search", role: "search", "on:submit": find },
    h("label", { for: "search" }, t("work.search_label")),
    h("div", { class: "row" }, search, h("button", { type: "submit", class: "primary" }, t("work.search_submit"))),
  );
  async function find(event) {
    event.preventDefault();
    const q = search.value.trim();
    if (!q) return fill(results);
    try {
      const page = await api(`/dossiers${query({ q, limit: 20 })}`);
      fill(results, table(t("work.results"), listHeadings(), dossierRows(page.items)));
    } catch (error) {
      fill(results, h("p", { class: "error", role: "alert" }, explain(error)));
    }
  }
  const [overdue, dueSoon, recent] = await Promise.all([
    api("/worklists/overdue?limit=50"),
    api("/worklists/due-soon?limit=50"),
    api("/dossiers?limit=20"),
  ]);
  main.dataset.view = "work";
  fill(
    main,
    h("h1", { class: "visually-hidden" }, t("nav.desk")),
    h("div", { class: "toolbar" }, form, h("a", { href: "/app/receive", "data-link": true, class: "button primary" }, t("nav.receive"))),
    results,
    h("div", { class: "columns" },
      h("div", { id: "overdue" }, table(t("work.overdue"), workHeadings(), workRows(overdue.items))),
      h("div", { id: "due-soon" }, table(t("work.due_soon"), workHeadings(), workRows(dueSoon.items)))),
    h("div", { id: "recent" }, table(t("work.recent"), listHeadings(), dossierRows(recent.items))),
  );
}

// `/` focuses the search wherever it is on the page, unless one is typing already.
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select");
  if (event.key === "/" && !typing && $("#search")) {
    event.preventDefault();
    $("#search").focus();
  }
});

/** A labelled input whose server-side error shows beside it (`field` is the JSON path). */
function field(id, label, attrs = {}) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name: id, "aria-describedby": `${id}-error`, ...attrs }),
    h("p", { class: "field-error", id: `${id}-error` }),
  );
}

/** Marks each field a 422 names; returns whether any was on this form. */
function showFieldErrors(form, problem, fieldIds) {
  for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  let shown = false;
  for (const { field: name, message } of problem.errors) {
    const id = fieldIds[name];
    if (!id) continue;
    // The server's message is English; the field's own hint says it in the page's language.
    const hint = t(`hint.${id}`);
    $(`#${id}-error`, form).textContent = hint === `hint.${id}` ? message : hint;
    $(`#${id}`, form).setAttribute("aria-invalid", "true");
    shown = true;
  }
  return shown;
}

const APPLICANT = ["name", "id_number", "phone", "address", "email"];
/** The form's field for each JSON path a 422 may name. */
const RECEIVE_FIELDS = {
  ...Object.fromEntries(APPLICANT.map((name) => [`applicant.${name}`, name])),
  received_at: "received_at",
  procedure_id: "procedure",
};

/** `/app/receive`: the receipt form; on success, the receipt to print. */
export async function receive(main, session) {
  let procedure = null;
  // One key per dossier being received: a retry after a lost answer files it once.
  let key = crypto.randomUUID();
  const chosen = h("p", { id: "procedure-chosen", "aria-live": "polite" }, t("receive.procedure_none"));
  const matches = h("ul", { class: "matches", id: "procedure-matches" });
  const lookup = h("input", { id: "procedure", type: "search", autocomplete: "off", maxlength: 100, "aria-describedby": "procedure-chosen procedure-error" });
  let typed = 0;
  lookup.addEventListener("input", async () => {
    const turn = ++typed;
    const q = lookup.value.trim();
    if (!q) return fill(matches);
    const page = await api(`/procedures${query({ q, limit: 8 })}`).catch(() => ({ items: [] }));
    if (turn !== typed) return;
    fill(
      matches,
      page.items.map((p) =>
        h("li", {}, h("button", { type: "button", class: "match", "data-code": p.code, "on:click": () => pick(p) }, `${p.code} · ${p.name}`)),
      ),
    );
  });
  lookup.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && matches.querySelector("button")) {
      event.preventDefault();
      matches.querySelector("button").click();
    }
  });
  function pick(p) {
    procedure = p;
    lookup.value = `${p.code} · ${p.name}`;
    fill(matches);
    fill(chosen, t("receive.procedure_chosen", { name: `${p.name} (${p.field})` }));
    $("#name").focus();
  }
  const mayBackDate = session.user.role !== "clerk";
  const message = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    { class: "receive", "on:submit": submit, novalidate: true },
    h("h1", {}, t("receive.title")),
    h("div", { class: "field" },
      h("label", { for: "procedure" }, t("receive.procedure")), lookup, matches, chosen,
      h("p", { class: "field-error", id: "procedure-error" })),
    h("div", { class: "field" },
      h("label", { for: "channel" }, t("receive.channel")),
      h("select", { id: "channel", name: "channel" }, ["in_person", "online", "postal"].map((c) => h("option", { value: c }, t(`channel.${c}`))))),
    field("name", t("receive.name"), { required: true, maxlength: 200, autocomplete: "off" }),
    field("id_number", t("receive.id_number"), { inputmode: "numeric", maxlength: 12, autocomplete: "off" }),
    field("phone", t("receive.phone"), { type: "tel", maxlength: 13, autocomplete: "off" }),
    field("address", t("receive.address"), { maxlength: 500, autocomplete: "off" }),
    field("email", t("receive.email"), { type: "email", maxlength: 254, autocomplete: "off" }),
    mayBackDate && field("received_at", t("receive.received_at"), { type: "datetime-local" }),
    h("button", { type: "submit", class: "primary" }, t("receive.submit")),
    message,
  );
  async function submit(event) {
    event.preventDefault();
    fill(message);
    if (!procedure) {
      $("#procedure-error").textContent = t("receive.procedure_none");
      return lookup.focus();
    }
    const data = new FormData(form);
    const applicant = {};
    for (const name of APPLICANT) {
      const value = String(data.get(name) || "").trim();
      if (value) applicant[name] = value;
    }
    const body = { procedure_id: procedure.id, channel: data.get("channel"), applicant };
    const back = mayBackDate && data.get("received_at");
    // The office's clock is Vietnam's (UTC+7, no daylight saving).
    if (back) body.received_at = new Date(`${back}:00+07:00`).toISOString();
    try {
      const dossier = await api("/dossiers", { method: "POST", body, key });
      key = crypto.randomUUID();
      go(`/app/receipt/${dossier.id}`);
    } catch (error) {
      if (error instanceof Problem && error.status === 422 && showFieldErrors(form, error, RECEIVE_FIELDS)) {
        fill(message, t("receive.failed"));
        form.querySelector("[aria-invalid]")?.focus();
      } else {
        fill(message, explain(error));
      }
      // A validation answer changed nothing: a corrected form is a new request.
      if (error instanceof Problem && error.status >= 400 && error.status < 500) key = crypto.randomUUID();
    }
  }
  main.dataset.view = "receive";
  fill(main, form);
  lookup.focus();
}

/** The fields each step asks for, beyond the note. */
function stepFields(type, offices) {
  const reason = () => h("div", { class: "field" }, h("label", { for: "step-reason" }, t("step.reason")),
    h("textarea", { id: "step-reason", name: "reason", maxlength: 2000, required: true, rows: 2 }));
  switch (type) {
    case "resolve":
      return [h("div", { class: "field" }, h("label", { for: "step-outcome" }, t("step.outcome")),
        h("select", { id: "step-outcome", name: "outcome" }, ["approved", "denied"].map((o) => h("option", { value: o }, t(`outcome.${o}`)))))];
    case "transfer":
      return [h("div", { class: "field" }, h("label", { for: "step-office" }, t("step.to_office")),
        h("select", { id: "step-office", name: "to_office_id" }, offices.map((o) => h("option", { value: o.id }, `${o.name} (${o.code})`))))];
    case "reschedule":
      return [reason(), h("div", { class: "field" }, h("label", { for: "step-date" }, t("step.new_appointment")),
        h("input", { id: "step-date", name: "new_appointment_date", type: "date", required: true }))];
    case "refuse":
    case "withdraw":
    case "stop":
      return [reason()];
    default:
      return [];
  }
}

/** `/app/dossiers/<id>`: everything about one dossier, and its next steps. */
export async function dossier(main, session, id) {
  const path = `/dossiers/${encodeURIComponent(id)}`;
  const [d, events, deadline] = await Promise.all([api(path), api(`${path}/events`), api(`${path}/deadline`)]);
  const procedure = await api(`/procedures/${d.procedure_id}`).catch(() => null);
  const dialog = h("dialog", { id: "step", "aria-labelledby": "step-title" });
  const notice = h("div", { id: "notice", role: "alert" });

  async function open(type) {
    const offices = type === "transfer" ? (await api("/offices?limit=200")).items.filter((o) => o.id !== d.processing_office_id) : [];
    const key = crypto.randomUUID();
    const message = h("p", { class: "error", role: "alert" });
    const form = h(
      "form",
      { method: "dialog", "on:submit": confirm },
      h("h2", { id: "step-title" }, t(`event.${type}`)),
      h("p", {}, t("dossier.title", { code: d.code })),
      stepFields(type, offices),
      h("div", { class: "field" }, h("label", { for: "step-note" }, t("step.note")),
        h("textarea", { id: "step-note", name: "note", maxlength: 2000, rows: 2 })),
      message,
      h("div", { class: "row" },
        h("button", { type: "submit", class: "primary", id: "step-confirm" }, t("step.confirm")),
        h("button", { type: "button", "on:click": () => dialog.close() }, t("step.cancel"))),
    );
    async function confirm(event) {
      event.preventDefault();
      const body = { type, expected_version: d.version };
      for (const [name, value] of new FormData(form)) if (String(value).trim()) body[name] = String(value).trim();
      try {
        await api(`${path}/events`, { method: "POST", body, key });
        dialog.close();
        say(t("step.done", { what: t(`event.${type}`) }));
        go(location.pathname, { replace: true });
      } catch (error) {
        if (error instanceof Problem && error.code === "version_conflict") {
          dialog.close();
          fill(notice, h("p", {}, t("dossier.conflict")),
            h("button", { type: "button", class: "primary", id: "reload", "on:click": () => go(location.pathname, { replace: true }) }, t("dossier.reload")));
          return;
        }
        fill(message, error instanceof Problem && error.errors.length ? error.errors.map((e) => e.message).join(" ") : explain(error));
      }
    }
    fill(dialog, form);
    dialog.showModal();
  }

  const facts = [
    [t("dossier.status"), `${t(`status.${d.status}`)} (${t("dossier.national_code", { n: d.status_code })})`],
    [t("dossier.procedure"), procedure ? `${procedure.code} · ${procedure.name}` : d.procedure_id],
    [t("dossier.applicant"), [d.applicant.name, d.applicant.id_number, d.applicant.phone].filter(Boolean).join(" · ")],
    [t("dossier.received"), instant(d.received_at || d.submitted_at)],
    [t("dossier.due"), instant(d.due_at)],
    [t("dossier.appointment"), date(d.appointment_date)],
    [t("dossier.verdict"), d.verdict ? t(`verdict.${d.verdict}`) : "—"],
  ];
  const explanation = deadline.explanation;
  main.dataset.view = "dossier";
  fill(
    main,
    h("h1", {}, t("dossier.title", { code: d.code })),
    notice,
    d.paused_since && h("p", { class: "paused" }, t("dossier.paused", { at: instant(d.paused_since) })),
    h("dl", { class: "facts", id: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    d.received_at && h("p", {}, h("a", { href: `/app/receipt/${d.id}`, "data-link": true, class: "button" }, t("dossier.receipt"))),
    h("section", { id: "actions" }, h("h2", {}, t("dossier.actions")),
      d.actions.length
        ? h("div", { class: "row wrap" }, d.actions.map((type) => h("button", { type: "button", "data-action": type, "on:click": () => open(type) }, t(`event.${type}`))))
        : h("p", {}, t("dossier.no_actions"))),
    table(t("dossier.timeline"), [t("col.when"), t("col.who"), t("col.what"), t("col.status"), t("col.note")],
      events.map((e) => h("tr", { "data-type": e.type },
        h("td", {}, instant(e.at)),
        h("td", {}, e.actor_name || t("who.system")),
        h("td", {}, t(`event.${e.type}`)),
        h("td", {}, t(`status.${e.to_status}`)),
        h("td", {}, [e.note, e.data?.reason].filter(Boolean).join(" · "))))),
    explanation && h("section", { id: "deadline" },
      h("h2", {}, t("dossier.deadline")),
      h("ul", {}, explanation.rules.map((text) => h("li", {}, rule(text)))),
      h("p", {}, t("dossier.counted", { n: explanation.counted_days.length })),
      explanation.skipped_days.length > 0 && [h("h3", {}, t("dossier.skipped")),
        h("ul", {}, explanation.skipped_days.map((day) => h("li", {}, `${date(day.date)}: ${day.name || t(`day.${day.reason}`)}`)))],
      explanation.pauses.length > 0 && [h("h3", {}, t("dossier.pauses")),
        h("ul", {}, explanation.pauses.map((p) => h("li", {}, t("dossier.pause", { from: instant(p.from), to: instant(p.to), minutes: p.working_minutes }))))]),
    dialog,
  );
}
