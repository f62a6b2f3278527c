// The box screen: the prize table with its odds, opening 1..maxReels reels, the reveal and the
// result's actions. Every rule (price, funding, free opens) is the server's; this only shows it.
import { actionId, call } from "./api.js";
import { post } from "./host.js";
import { el, explain, money, percent, show, t } from "./text.js";
import { shipItems } from "./ship.js";

const $ = (id) => document.getElementById(id);
const REVEAL_MS = 1200;
const TICK_MS = 90;

export async function startBox(app) {
  const target = app.init.game.target;
  if (!target) {
    show($("no-target"), true);
    return { openFree() {} };
  }
  const box = (await call("GET", `/api/play/boxes/${target.boxId}`)).box;
  renderBox(app, box);
  let freeLeft = target.freeOpens;
  const openButton = $("open");
  const freeButton = $("open-free");

  // While a free open is left it is the only way to open: the player never pays by mistake.
  function renderFree() {
    show(freeButton, freeLeft > 0);
    show($("paid"), freeLeft <= 0);
    show($("free-left"), freeLeft > 0);
    $("free-left").textContent = t("box.freeLeft", { count: freeLeft });
  }

  async function open(count) {
    openButton.disabled = freeButton.disabled = true;
    for (const id of ["insufficient", "open-error", "result"]) show($(id), false);
    try {
      const reels = Array.from({ length: count }, (_, i) => ({ reelIndex: i, boxVersionId: box.boxVersionId }));
      const answer = await call("POST", "/api/play/rounds/open", { clientActionId: actionId(), reels });
      if (answer.round.funding === "operator") freeLeft -= 1;
      if (answer.balanceAfterMinor !== null) app.setBalance(answer.balanceAfterMinor, answer.round.currency);
      await reveal(box, answer.round);
      await showResult(app, box, answer.round);
    } catch (error) {
      if (error.code === "INSUFFICIENT_FUNDS") {
        show($("insufficient"), true);
        post("play:insufficient-balance", { priceMinor: box.priceMinor * count, currency: box.currency });
      } else if (error.status === 401) {
        app.ended();
      } else {
        $("open-error").textContent = t("open.failed", { message: explain(error) });
        show($("open-error"), true);
      }
    } finally {
      openButton.disabled = freeButton.disabled = false;
      renderFree();
    }
  }

  openButton.addEventListener("click", () => open(Number($("reels").value)));
  freeButton.addEventListener("click", () => open(1));
  renderFree();
  return { openFree: () => freeLeft > 0 && open(1) };
}

function renderBox(app, box) {
  $("box-name").textContent = box.name;
  $("box-price").textContent = money(box.priceMinor, box.currency, app.digits);
  if (box.imageUrl) {
    $("box-image").src = box.imageUrl;
    $("box-image").alt = box.name;
    show($("box-image"), true);
  }
  const rows = box.prizes.map((prize) => el("tr", {},
    el("td", { text: prize.name }),
    el("td", { text: money(prize.valueMinor, prize.currency) }),
    el("td", { text: percent(prize.odds, prize.odds < 0.001 ? 4 : 2) })));
  $("prizes").replaceChildren(...rows);
  const edge = box.houseEdgeBps / 10000;
  $("rtp").textContent = t("box.rtp", { rtp: percent(1 - edge), edge: percent(edge) });
  $("snapshot-hash").textContent = box.snapshotHash;
  const lang = document.documentElement.lang;
  $("snapshot-link").href = `/fairness/verify?boxVersion=${box.boxVersionId}&hash=${box.snapshotHash}&lang=${lang}`;
  const reels = Array.from({ length: app.init.game.maxReels }, (_, i) => el("option", { value: i + 1, text: i + 1 }));
  $("reels").replaceChildren(...reels);
  show($("box"), true);
}

// A short spin through the prize names, unless the player asked for reduced motion.
function reveal(box, round) {
  const list = $("reveal");
  const slots = round.reels.map(() => el("li", { className: "slot" }));
  list.replaceChildren(...slots);
  show(list, true);
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const land = () => round.reels.forEach((reel, i) => {
    slots[i].textContent = reel.prize.name;
    slots[i].classList.add("landed");
  });
  if (still) {
    land();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let tick = 0;
    const timer = setInterval(() => {
      tick += 1;
      slots.forEach((slot, i) => { slot.textContent = box.prizes[(tick + i) % box.prizes.length].name; });
      if (tick * TICK_MS >= REVEAL_MS) {
        clearInterval(timer);
        land();
        resolve();
      }
    }, TICK_MS);
  });
}

async function showResult(app, box, round) {
  const held = new Map();
  if (round.wonItems.length) {
    const page = await call("GET", `/api/play/inventory?state=unresolved&limit=${Math.min(200, round.wonItems.length + 20)}`);
    for (const item of page.items) held.set(item.id, item);
  }
  const inHand = [...round.wonItems];
  const lines = round.reels.map((reel) => {
    if (reel.prize.itemId === null) {
      const amount = money(reel.prize.valueMinor, round.currency, app.digits);
      return el("li", { className: "won-cash", text: t("result.cash", { amount }) });
    }
    const at = inHand.findIndex((won) => won.itemId === reel.prize.itemId);
    if (at < 0) return el("li", {}, el("strong", { text: reel.prize.name }));  // e.g. a bonus
    const [won] = inHand.splice(at, 1);
    return wonLine(app, won, held.get(won.inventoryItemId));
  });
  $("won").replaceChildren(...lines);
  $("round-verify").href = `/fairness/verify?round=${encodeURIComponent(round.publicId)}&lang=${document.documentElement.lang}`;
  show($("result"), true);
}

function wonLine(app, won, item) {
  const note = el("span", { className: "note", "aria-live": "polite" });
  const line = el("li", { "data-item": won.inventoryItemId }, el("strong", { text: won.name }), " ", note);
  const actions = el("span", { className: "actions" });
  const done = (text) => { actions.remove(); note.textContent = text; };
  const policies = app.init.policies;
  actions.append(el("button", { type: "button", text: t("result.keep"), onclick: () => done(t("result.kept")) }));
  if (policies.cashbackEnabled && won.cashbackMinor !== null) {
    const label = t("result.cashback", { amount: money(won.cashbackMinor, won.currency) });
    actions.append(el("button", { type: "button", text: label, onclick: () => app.cashBack(won.inventoryItemId, done) }));
  }
  if (policies.shippingEnabled && item && item.shippable) {
    actions.append(el("button", { type: "button", text: t("result.ship"), onclick: () => shipItems(app, [item], done) }));
  }
  line.append(actions);
  return line;
}
