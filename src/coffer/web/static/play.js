// The player app's boot: redeem the launch token once, take it out of the address bar, start
// the three tabs, then tell the host page we are ready.
import { call, useSession } from "./api.js";
import { startBox } from "./box.js";
import { startFairness } from "./fairness.js";
import { connect, listen, post, reportSize } from "./host.js";
import { startItems } from "./items.js";
import { explain, money, show, t } from "./text.js";

const HEARTBEAT_MS = 60_000;
const MIN_BEAT_MS = 5_000;
const THEME = ["primary", "background", "surface", "text", "accent"];
const TABS = ["box", "items", "fairness"];
const $ = (id) => document.getElementById(id);

const address = new URL(window.location.href);
const launchToken = address.searchParams.get("token") || "";
address.searchParams.delete("token");
window.history.replaceState(null, "", address.pathname + address.search);

function failure(error) {
  const known = explain(error);
  return known === error.message ? t("status.failed", { message: error.message }) : known;
}

function status(text) {
  $("status").textContent = text;
  show($("status"), Boolean(text));
}

function applyTheme(theme, tenant) {
  for (const name of THEME) {
    if (theme[name]) document.documentElement.style.setProperty(`--${name}`, theme[name]);
  }
  if (theme.logoUrl) {
    $("logo").src = theme.logoUrl;
    $("logo").alt = tenant.name;
    show($("logo"), true);
  }
  $("tenant").textContent = tenant.name;
}

function tabs(app, onShow) {
  const select = (name, focus = false) => {
    for (const tab of TABS) {
      const chosen = tab === name;
      $(`tab-${tab}`).setAttribute("aria-selected", String(chosen));
      $(`tab-${tab}`).tabIndex = chosen ? 0 : -1;
      show($(`view-${tab}`), chosen);
    }
    if (focus) $(`tab-${name}`).focus();
    onShow[name]?.();
    post("navigation:changed", { view: name });
  };
  TABS.forEach((name, i) => {
    const tab = $(`tab-${name}`);
    tab.addEventListener("click", () => select(name));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) select(TABS[(i + step + TABS.length) % TABS.length], true);
    });
  });
  show($("tabs"), true);
  show($("view-box"), true);
}

function makeApp(init) {
  const app = {
    init,
    digits: init.currency.minorDigits,
    itemsChanged() {},
    ended() {
      status(t("status.ended"));
      for (const tab of TABS) show($(`view-${tab}`), false);
      show($("tabs"), false);
    },
    setBalance(minor, currency, announce = true) {
      $("balance").textContent = money(minor, currency, app.digits);
      if (announce) post("wallet:balance-changed", { balanceMinor: minor, currency });
    },
    async refreshBalance(announce = true) {
      try {
        const found = await call("GET", "/api/play/wallet/balance");
        app.setBalance(found.balanceMinor, found.currency, announce);
      } catch (error) {
        if (error.status === 401) app.ended();
      }
    },
    async cashBack(inventoryItemId, done) {
      try {
        const answer = await call("POST", "/api/play/cashout", { inventoryItemId });
        done(t("result.cashedBack", { amount: money(answer.item.cashbackMinor, answer.item.currency, app.digits) }));
        if (answer.balanceAfterMinor !== null) app.setBalance(answer.balanceAfterMinor, answer.item.currency);
        app.itemsChanged();
      } catch (error) {
        if (error.status === 401) app.ended();
        else done(t("open.failed", { message: explain(error) }));
      }
    },
  };
  return app;
}

// A heartbeat at half the time the session has left (at most a minute apart), so even a
// one-minute idle limit never lapses while the app is open and visible.
function keepAlive(app, expiresAt) {
  const next = (until) => {
    const left = Date.parse(until) - Date.now();
    setTimeout(beat, Math.max(MIN_BEAT_MS, Math.min(HEARTBEAT_MS, left / 2)));
  };
  const beat = () => {
    if (document.visibilityState !== "visible") return next(new Date(Date.now() + 2 * HEARTBEAT_MS).toISOString());
    call("POST", "/api/play/session/heartbeat")
      .then((answer) => next(answer.expiresAt))
      .catch((error) => (error.status === 401 ? app.ended() : next(expiresAt)));
  };
  next(expiresAt);
  window.addEventListener("pagehide", () => {
    call("POST", "/api/play/session/logout", undefined, true).catch(() => {});
  });
}

async function boot() {
  if (!launchToken) return status(t("status.noToken"));
  let init;
  try {
    init = await call("POST", "/api/play/session/init", { launchToken });
  } catch (error) {
    return status(failure(error));
  }
  useSession(init.sessionToken);
  connect(init.parentOrigin);
  applyTheme(init.theme, init.tenant);
  const app = makeApp(init);
  if (init.balanceMinor !== null) app.setBalance(init.balanceMinor, init.currency.code, false);
  let box;
  try {
    box = await startBox(app);
  } catch (error) {
    return error.status === 401 ? app.ended() : status(failure(error));
  }
  const items = startItems(app);
  const fairness = startFairness(app);
  app.itemsChanged = items.reload;
  status("");
  tabs(app, { items: items.reload, fairness: fairness.refresh });
  reportSize();
  listen({ "wallet:refresh": () => app.refreshBalance() });
  post("ready", { player: init.player.externalId });
  keepAlive(app, init.expiresAt);
  await app.refreshBalance(false);
  if (init.game.target && init.game.target.autoOpen) await box.openFree();
}

boot();
