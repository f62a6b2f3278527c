// The Items tab: the player's vault by state, paged by cursor, with cash back and ship on the
// items still in hand. Forwarding to the casino stays with the operator (S2S).
import { call } from "./api.js";
import { el, money, show, t } from "./text.js";
import { shipItems } from "./ship.js";

const $ = (id) => document.getElementById(id);
const PAGE = 10;

export function startItems(app) {
  let cursor = null;
  let page = null;
  let latest = 0;  // only the newest request's answer is shown

  async function load(at = null) {
    cursor = at;
    const asked = ++latest;
    $("items").setAttribute("aria-busy", "true");
    const query = new URLSearchParams({ state: $("state-filter").value, limit: String(PAGE) });
    if (at) query.set("cursor", at);
    let found;
    try {
      found = await call("GET", `/api/play/inventory?${query}`);
    } catch (error) {
      if (asked === latest) $("items").setAttribute("aria-busy", "false");
      if (error.status === 401) app.ended();
      return;
    }
    if (asked !== latest) return;
    page = found;
    $("items").replaceChildren(...page.items.map((item) => row(app, item)));
    show($("items-empty"), page.items.length === 0);
    show($("items-prev"), Boolean(page.cursor.prev));
    show($("items-next"), Boolean(page.cursor.next));
    $("items").setAttribute("aria-busy", "false");
  }

  $("state-filter").addEventListener("change", () => load());
  $("items-next").addEventListener("click", () => load(page.cursor.next));
  $("items-prev").addEventListener("click", () => load(page.cursor.prev));
  return { reload: () => load(cursor) };
}

function row(app, item) {
  const note = el("span", { className: "note", "aria-live": "polite" });
  const state = el("span", { className: "state", text: t(`state.${item.state}`) });
  const line = el("li", { "data-item": item.id },
    item.imageUrl ? el("img", { src: item.imageUrl, alt: "", className: "thumb" }) : "",
    el("span", { className: "what" },
      el("strong", { text: item.name }), " ",
      el("span", { text: t("items.value", { amount: money(item.valueMinor, item.currency) }) })),
    state, note);
  if (item.state !== "unresolved") return line;
  const actions = el("span", { className: "actions" });
  const done = (text) => { actions.remove(); note.textContent = text; };
  const policies = app.init.policies;
  if (policies.cashbackEnabled && item.cashbackMinor !== null) {
    const label = t("result.cashback", { amount: money(item.cashbackMinor, item.currency) });
    actions.append(el("button", { type: "button", text: label, onclick: () => app.cashBack(item.id, done) }));
  }
  if (policies.shippingEnabled && item.shippable) {
    actions.append(el("button", { type: "button", text: t("result.ship"), onclick: () => shipItems(app, [item], done) }));
  }
  line.append(actions);
  return line;
}
