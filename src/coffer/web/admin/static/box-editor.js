// The box editor: the draft's prize table with live odds, RTP and house edge as you type;
// save, simulate, and publish after showing what changes against the live version.
// The figures are exact (BigInt), rounded half-up as the server rounds them, so the house edge
// shown is the houseEdgeBps that publishing records.
import { call, showErrors } from "./admin.js";

const data = JSON.parse(document.getElementById("box-data").textContent);
const editor = document.getElementById("editor");
const api = editor.dataset.api;
const rows = document.querySelector("#prizes tbody");
const items = new Map(data.items.map((item) => [item.itemId, item]));
const rates = new Map(data.currencies.map((c) => [c.code, exactRate(c)]).filter(([, r]) => r));
const $ = (id) => document.getElementById(id);

// A rate's decimal string such as "1.0850" as the exact fraction num/den; null if not positive.
function exactRate({ rateToBase, minorDigits }) {
  const [, units, decimals = ""] = /^(\d+)(?:\.(\d+))?$/.exec(String(rateToBase)) ?? [];
  const num = units === undefined ? 0n : BigInt(units + decimals);
  if (num === 0n) return null;
  return { num, den: 10n ** BigInt(decimals.length), unit: 10n ** BigInt(minorDigits) };
}

// A field as the draft sends it; empty, negative or fractional counts 0 (as an empty one did).
const whole = (x) => (Number.isSafeInteger(x) && x > 0 ? BigInt(x) : 0n);

function halfUp(num, den) { return num < 0n ? -halfUp(-num, den) : (2n * num + den) / (2n * den); }

function fixed(n, places) {
  const digits = (n < 0n ? -n : n).toString().padStart(places + 1, "0");
  return `${n < 0n ? "-" : ""}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

// As kit/money.py convert: major * from / to in the target's minor units, rounded half-up.
function valueIn(item, currency) {
  const from = rates.get(item.currency), to = rates.get(currency);
  if (!from || !to) return 0n; // a virtual currency: no rate links it to an item's value
  return halfUp(BigInt(item.valueMinor) * from.num * to.den * to.unit, from.unit * from.den * to.num);
}

function itemOptions(selected) {
  return data.items.map((item) => `<option value="${item.itemId}" ${item.itemId === selected ? "selected" : ""}>${
    item.name.replace(/</g, "&lt;")} (${item.valueMinor} ${item.currency})</option>`).join("");
}

function addRow(prize) {
  const i = rows.children.length;
  const row = document.createElement("tr");
  const isCash = prize.itemId == null;
  row.innerHTML = `
    <td><select class="kind"><option value="item" ${isCash ? "" : "selected"}>Item</option><option value="cash" ${isCash ? "selected" : ""}>Cash</option></select>
      <select class="item" ${isCash ? "hidden" : ""}>${itemOptions(prize.itemId)}</select>
      <input class="cash" type="number" min="0" value="${prize.cashMinor ?? ""}" ${isCash ? "" : "hidden"} aria-label="Cash prize in minor units">
      <small class="error" data-error-for="prizes[${i}].itemId"></small><small class="error" data-error-for="prizes[${i}].cashMinor"></small></td>
    <td class="num value"></td>
    <td><input class="weight" type="number" min="1" value="${prize.weight}" aria-label="Weight"><small class="error" data-error-for="prizes[${i}].weight"></small></td>
    <td class="num odds"></td>
    <td><input class="sort" type="number" min="0" value="${prize.sortIndex ?? i}" aria-label="Order"></td>
    <td><button type="button" class="remove" aria-label="Remove prize">✕</button></td>`;
  rows.append(row);
}

function draft() {
  const prizes = [...rows.children].map((row) => {
    const cash = row.querySelector(".kind").value === "cash";
    const prize = { weight: Number(row.querySelector(".weight").value), sortIndex: Number(row.querySelector(".sort").value) };
    if (cash) prize.cashMinor = Number(row.querySelector(".cash").value); else prize.itemId = Number(row.querySelector(".item").value);
    return prize;
  });
  return { priceMinor: Number($("price").value), currency: $("currency").value.trim(), prizes };
}

// As catalog/snapshot.py house_edge_bps: 10000 - sum(weight*value)*10000 / (W*price), half-up.
function edgeBps(price, total, expected) {
  return price > 0n && total > 0n ? 10000n - halfUp(expected * 10000n, total * price) : null;
}

function recompute() {
  const { priceMinor, currency, prizes } = draft();
  const total = prizes.reduce((sum, p) => sum + whole(p.weight), 0n);
  let expected = 0n;
  [...rows.children].forEach((row, i) => {
    const p = prizes[i];
    const cash = row.querySelector(".kind").value === "cash";
    row.querySelector(".item").hidden = cash;
    row.querySelector(".cash").hidden = !cash;
    const value = cash ? whole(p.cashMinor) : valueIn(items.get(p.itemId) ?? { valueMinor: 0, currency }, currency);
    expected += whole(p.weight) * value;
    row.querySelector(".value").textContent = `${value} ${currency}`;
    const odds = total > 0n ? halfUp(whole(p.weight) * 1000000n, total) : 0n; // in 1/10000 %
    row.querySelector(".odds").textContent = `${fixed(odds, 4)} %`;
  });
  $("total").textContent = total;
  const edge = edgeBps(whole(priceMinor), total, expected);
  $("rtp").textContent = edge === null ? "–" : `${fixed(10000n - edge, 2)} %`;
  $("edge").textContent = edge === null ? "–" : `${fixed(edge, 2)} %`;
}

async function save() {
  $("status").textContent = "Saving…";
  const answer = await call("PUT", `${api}/draft`, draft());
  if (!answer.ok) { $("status").textContent = ""; showErrors(editor, answer); return false; }
  showErrors(editor, { data: { error: { message: "" } } });
  $("status").textContent = "Draft saved.";
  return true;
}

function describe(p, currency) {
  if (!p) return "—";
  const what = p.itemId == null ? `${p.cashMinor} ${currency} cash` : (items.get(p.itemId)?.name ?? `item ${p.itemId}`);
  return `${what}, weight ${p.weight}`;
}

function review() {
  const next = draft(), live = data.live, current = data.box.currentVersion;
  const body = $("diff-table").querySelector("tbody");
  const lines = [["price", current ? `${current.priceMinor} ${current.currency}` : "—", `${next.priceMinor} ${next.currency}`]];
  for (let i = 0; i < Math.max(live.length, next.prizes.length); i++) {
    lines.push([String(i + 1), describe(live[i], current?.currency), describe(next.prizes[i], next.currency)]);
  }
  body.innerHTML = "";
  for (const [label, before, after] of lines) {
    const row = body.insertRow();
    row.className = before === after ? "same" : "changed";
    for (const text of [label, before, after]) row.insertCell().textContent = text;
  }
  $("diff").hidden = false;
}

async function publish() {
  if (!(await save())) return;
  const answer = await call("POST", `${api}/publish`);
  if (!answer.ok) { showErrors(editor, answer); return; }
  window.location.reload();
}

async function simulate() {
  if (!(await save())) return;
  $("status").textContent = "Simulating…";
  const answer = await call("POST", `${api}/draft/simulation?opens=100000`);
  if (!answer.ok) { showErrors(editor, answer); $("status").textContent = ""; return; }
  const s = answer.data;
  const figures = [["Exact RTP", `${(s.exactRtpBps / 100).toFixed(2)} %`],
    ["Simulated RTP", `${(s.simulatedRtpBps / 100).toFixed(2)} % (95 %: ${(s.interval95Bps[0] / 100).toFixed(2)}–${(s.interval95Bps[1] / 100).toFixed(2)} %)`],
    ...Object.entries(s.behindAfter).map(([n, p]) => [`Behind after ${n} open${n === "1" ? "" : "s"}`, `${(p * 100).toFixed(1)} %`])];
  $("sim-figures").innerHTML = "";
  for (const [label, value] of figures) {
    const box = document.createElement("div");
    box.innerHTML = "<dt></dt><dd></dd>";
    box.firstChild.textContent = label; box.lastChild.textContent = value;
    $("sim-figures").append(box);
  }
  $("sim-chart").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.chartSvg)}`;
  $("simulation").hidden = false;
  $("status").textContent = `Simulated ${s.opens.toLocaleString()} opens.`;
}

data.box.draft.prizes.forEach(addRow);
recompute();
editor.addEventListener("input", recompute);
editor.addEventListener("change", recompute);
rows.addEventListener("click", (event) => {
  if (event.target.closest(".remove")) { event.target.closest("tr").remove(); recompute(); }
});
$("add-prize").addEventListener("click", () => { addRow({ itemId: data.items[0]?.itemId ?? null, cashMinor: data.items.length ? null : 0, weight: 1 }); recompute(); });
$("save").addEventListener("click", save);
$("simulate").addEventListener("click", simulate);
$("review").addEventListener("click", review);
$("publish").addEventListener("click", publish);
$("cancel-publish").addEventListener("click", () => { $("diff").hidden = true; });
