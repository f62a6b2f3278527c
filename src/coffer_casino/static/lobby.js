// The casino lobby: mints a launch through the casino's backend, frames the player app, shows
// what the app posts. Only messages from Coffer's origin and from the framed window count.
const frame = document.getElementById("coffer");
const log = document.getElementById("log");
const balance = document.getElementById("balance");
const error = document.getElementById("error");
const locale = document.getElementById("locale");
const currency = document.getElementById("currency");
let player = null;
let cofferOrigin = null;
let lastLaunch = null;

function money(minor, currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(minor / 100);
}

async function showBalance() {
  const answer = await fetch(`/casino/players/${encodeURIComponent(player)}/balances`);
  const view = await answer.json();
  const found = view.balances.find((b) => b.currency === currency.value);
  balance.textContent = money(found ? found.balanceMinor : 0, currency.value);
}

async function launch(wish) {
  lastLaunch = wish;
  error.textContent = "";
  const answer = await fetch("/casino/lobby/launch", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      ...wish, locale: locale.value, currency: currency.value, parentOrigin: window.location.origin,
    }),
  });
  const body = await answer.json();
  if (!answer.ok) {
    error.textContent = JSON.stringify(body.detail || body);
    return;
  }
  cofferOrigin = body.cofferOrigin;
  frame.src = body.launchUrl;
}

function button(label, wish) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", () => launch(wish));
  document.getElementById("launchers").append(b);
}

window.addEventListener("message", (event) => {
  if (event.origin !== cofferOrigin || event.source !== frame.contentWindow) return;
  const data = event.data;
  if (!data || data.source !== "coffer") return;
  const item = document.createElement("li");
  item.dataset.type = data.type;
  item.textContent = JSON.stringify(data);
  log.prepend(item);
  if (data.type === "resize" && data.height > 0) frame.style.height = `${data.height}px`;
  if (data.type === "wallet:balance-changed") balance.textContent = money(data.balanceMinor, data.currency);
});

locale.addEventListener("change", () => lastLaunch && launch(lastLaunch));
currency.addEventListener("change", () => {
  showBalance();
  if (lastLaunch) launch(lastLaunch);
});

async function start() {
  const answer = await fetch("/casino/lobby/boxes");
  const offer = await answer.json();
  player = offer.player;
  document.getElementById("player").textContent = player;
  await showBalance();
  for (const box of offer.boxes) button(`Play ${box.name}`, { boxId: box.boxId });
  const first = offer.boxes[0];
  if (first) {
    button(`Free ${first.name} (button)`, { boxId: first.boxId, free: true });
    button(`Free ${first.name} (auto-open)`, { boxId: first.boxId, free: true, autoOpen: true });
    const wanted = new URLSearchParams(window.location.search);
    if (wanted.get("autostart") !== "0") await launch({ boxId: first.boxId });
  }
}

start();
