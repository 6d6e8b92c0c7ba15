// `/app/dashboard?office=…&period=…&group=…`: the on-time and satisfaction reports of an
// office subtree. Every filter is in the URL, so a manager can bookmark or send a view.

import { api, download, query } from "./api.js";
import { fill, h } from "./dom.js";
import { month, number, percent, t } from "./i18n.js";
import { trendChart } from "./chart.js";
import { go } from "./main.js";

const GROUPS = ["office", "field", "procedure", "clerk", "month"];
const PERIODS = ["month", "quarter", "year", "custom"];
const COUNTS = ["carried_over", "received", "received_online", "resolved_same_day", "ended_early", "ended_on_time", "ended_late", "pending_in_time", "pending_overdue"];

/** Today at the office (Vietnam), as yyyy-mm-dd. */
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

const iso = (y, m, d) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

/** The period's first and last day: calendar periods run to today. */
export function periodDates(period, from, to) {
  const now = today();
  const [y, m] = now.split("-").map(Number);
  if (period === "custom" && from && to) return [from, to];
  if (period === "year") return [iso(y, 1, 1), now];
  if (period === "quarter") return [iso(y, m - ((m - 1) % 3), 1), now];
  return [iso(y, m, 1), now];
}

/** The first day of the month eleven months before `to`: a 12-month trend. */
function trendStart(to) {
  const [y, m] = to.split("-").map(Number);
  const months = y * 12 + (m - 1) - 11;
  return iso(Math.floor(months / 12), (months % 12) + 1, 1);
}

/** Whether `rate` reaches the row's target, in whole basis points as the server counts. */
function meets(rate, row) {
  if (!rate.denominator) return null;
  return rate.numerator * 10_000 >= Math.round(row.target * 10_000) * rate.denominator;
}

function rateCard(id, title, rate, row) {
  const met = meets(rate, row);
  const state = met === null ? t("dash.no_data") : met ? t("dash.met") : t("dash.not_met");
  return h(
    "section",
    { class: `card ${met === false ? "missed" : met ? "met" : ""}`, id },
    h("h2", {}, title),
    h("p", { class: "big", "data-field": "value" }, percent(rate.value)),
    h("p", { "data-field": "fraction" }, t("dash.of", { num: number(rate.numerator), den: number(rate.denominator) })),
    h("p", {}, t("dash.target", { target: percent(row.target) }), " · ", h("strong", { "data-field": "met" }, state)),
  );
}

/** A share with the counts behind it. */
function shareCard(id, title, rate, note) {
  return h("section", { class: "card", id },
    h("h2", {}, title),
    h("p", { class: "big", "data-field": "value" }, percent(rate.value)),
    h("p", { "data-field": "fraction" }, t(note, { num: number(rate.numerator), den: number(rate.denominator) })));
}

function satisfactionCard(total) {
  const rate = total.satisfaction_rate;
  return h(
    "section",
    { class: "card", id: "satisfaction" },
    h("h2", {}, t("dash.satisfaction")),
    h("p", { class: "big", "data-field": "value" }, percent(rate.value)),
    h("p", { "data-field": "votes" }, t("dash.votes", { n: number(total.total) })),
    h("table", { class: "compact" }, h("tbody", {},
      ["very_satisfied", "satisfied", "neutral", "unsatisfied"].map((r) =>
        h("tr", {}, h("th", { scope: "row" }, t(`rating.${r}`)), h("td", { "data-rating": r }, number(total.counts[r])))))),
  );
}

function breakdown(report, group, params) {
  const cell = (row, key) => h("td", { "data-key": key }, number(row[key]));
  const rows = [...report.groups, report.total].map((row) => {
    const drill = group === "office" && row.key !== "total" && row.key !== report.office_id;
    const label = drill
      ? h("a", { href: `/app/dashboard${query({ ...params, office: row.key })}`, "data-link": true, "data-office": row.key, title: t("dash.drill") }, row.label)
      : row.label;
    return h(
      "tr",
      { "data-row": row.key },
      h(row.key === "total" ? "th" : "td", { scope: "row" }, label),
      COUNTS.map((key) => cell(row, key)),
      h("td", { "data-key": "on_time_rate" }, percent(row.on_time_rate.value)),
      h("td", {}, row.meets_target === null ? "—" : row.meets_target ? t("dash.met") : t("dash.not_met")),
    );
  });
  return h("section", { id: "breakdown" },
    h("h2", {}, `${t("dash.breakdown")}: ${t(`group.${group}`)}`),
    h("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": t(`group.${group}`) }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t(`group.${group}`)), COUNTS.map((k) => h("th", { scope: "col" }, t(`count.${k}`))),
        h("th", { scope: "col" }, t("dash.rate766")), h("th", { scope: "col" }, t("dash.against")))),
      h("tbody", {}, rows))));
}

function trend(report) {
  const points = report.groups.map((g) => ({ label: month(g.key), value: g.on_time_rate.value }));
  const target = report.total.target;
  return h("section", { id: "trend" },
    h("h2", {}, t("dash.trend")),
    h("div", { class: "chart-with-table" },
      h("figure", {},
        trendChart(points, target, t("dash.trend_label")),
        h("figcaption", { class: "legend" },
          h("span", { class: "key rate" }), t("dash.rate766"), " ",
          h("span", { class: "key target" }), t("dash.target", { target: percent(target) }))),
      h("table", { class: "compact" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("dash.month")), h("th", { scope: "col" }, t("dash.rate")), h("th", { scope: "col" }, t("dash.target", { target: "" })))),
        h("tbody", {}, report.groups.map((g) => h("tr", { "data-month": g.key },
          h("th", { scope: "row" }, month(g.key)), h("td", {}, percent(g.on_time_rate.value)), h("td", {}, percent(g.target))))))));
}

/** The office and those above it, up to the top the account may see. */
async function trail(officeId) {
  const offices = [];
  for (let id = officeId; id && offices.length < 6; ) {
    const office = await api(`/offices/${id}`).catch(() => null);
    if (!office) break;
    offices.unshift(office);
    id = office.parent_id;
  }
  return offices;
}

export async function dashboard(main, session) {
  const url = new URLSearchParams(location.search);
  const params = {
    office: url.get("office") || session.office?.id || "",
    period: PERIODS.includes(url.get("period")) ? url.get("period") : "month",
    group: GROUPS.includes(url.get("group")) ? url.get("group") : "office",
    from: url.get("from") || "",
    to: url.get("to") || "",
  };
  const [from, to] = periodDates(params.period, params.from, params.to);
  const office = params.office ? { office_id: params.office } : {};
  const [report, monthly, satisfaction, offices] = await Promise.all([
    api(`/stats/on-time${query({ ...office, from, to, group_by: params.group })}`),
    api(`/stats/on-time${query({ ...office, from: trendStart(to), to, group_by: "month" })}`),
    api(`/stats/satisfaction${query({ ...office, from, to })}`),
    trail(params.office),
  ]);
  const picker = h(
    "form",
    { class: "filters", "on:submit": apply },
    h("div", { class: "field" }, h("label", { for: "period" }, t("dash.period")),
      h("select", { id: "period", name: "period" }, PERIODS.map((p) => h("option", { value: p, selected: p === params.period }, t(`period.${p}`))))),
    h("div", { class: "field" }, h("label", { for: "from" }, t("dash.from")), h("input", { id: "from", name: "from", type: "date", value: from })),
    h("div", { class: "field" }, h("label", { for: "to" }, t("dash.to")), h("input", { id: "to", name: "to", type: "date", value: to })),
    h("div", { class: "field" }, h("label", { for: "group" }, t("dash.group")),
      h("select", { id: "group", name: "group" }, GROUPS.map((g) => h("option", { value: g, selected: g === params.group }, t(`group.${g}`))))),
    h("button", { type: "submit", class: "primary" }, t("dash.show")),
  );
  function apply(event) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(picker));
    // Editing a date makes the period a custom one.
    const custom = data.period === "custom" || data.from !== from || data.to !== to;
    go(`/app/dashboard${query({ office: params.office, group: data.group, period: custom ? "custom" : data.period, from: custom ? data.from : "", to: custom ? data.to : "" })}`);
  }
  const reportQuery = (extra) => query({ ...office, from, to, ...extra });
  const dl = (id, label, path, name) => h("button", { type: "button", id, "on:click": () => download(path, name) }, label);
  main.dataset.view = "dashboard";
  fill(
    main,
    h("h1", {}, t("dash.title")),
    h("nav", { "aria-label": t("dash.office"), class: "trail", id: "trail" },
      h("ol", {}, offices.map((o, i) => h("li", {}, i === offices.length - 1
        ? h("span", { "aria-current": "page" }, o.name)
        : h("a", { href: `/app/dashboard${query({ ...params, office: o.id })}`, "data-link": true }, o.name))))),
    picker,
    h("div", { class: "cards" },
      rateCard("rate766", t("dash.rate766"), report.total.on_time_rate, report.total),
      rateCard("rate-due", t("dash.rate_due"), report.total.on_time_rate_due, report.total),
      shareCard("online", t("dash.online_share"), report.total.online_rate, "dash.of"),
      shareCard("same-day", t("dash.same_day"), report.total.same_day_rate, "dash.of"),
      shareCard("procedures-online", t("dash.procedures_online"), report.procedures_online.online_share, "dash.of_procedures"),
      satisfactionCard(satisfaction.total)),
    breakdown(report, params.group, params),
    trend(monthly),
    h("section", { id: "downloads" }, h("h2", {}, t("dash.downloads")), h("div", { class: "row wrap" },
      dl("dl-ontime-xlsx", t("dl.ontime_xlsx"), `/stats/on-time${reportQuery({ group_by: params.group, format: "xlsx" })}`, "dung-han.xlsx"),
      dl("dl-ontime-csv", t("dl.ontime_csv"), `/stats/on-time${reportQuery({ group_by: params.group, format: "csv" })}`, "dung-han.csv"),
      dl("dl-satisfaction-xlsx", t("dl.satisfaction_xlsx"), `/stats/satisfaction${reportQuery({ format: "xlsx" })}`, "hai-long.xlsx"),
      dl("dl-satisfaction-csv", t("dl.satisfaction_csv"), `/stats/satisfaction${reportQuery({ format: "csv" })}`, "hai-long.csv"),
      dl("dl-overdue-xlsx", t("dl.overdue_xlsx"), `/worklists/overdue${query({ ...office, format: "xlsx" })}`, "qua-han.xlsx"),
      dl("dl-overdue-csv", t("dl.overdue_csv"), `/worklists/overdue${query({ ...office, format: "csv" })}`, "qua-han.csv"))),
  );
}
