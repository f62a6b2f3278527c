// The round verifier page: fetch a round's public values and its prize table, recompute every
// reel in the browser, and say plainly whether they match what the server recorded.
import { orderedPrizes, prizeAt, sha256Hex, ticketOf, totalWeight, uniforms } from "./draw.js";
import { el, t } from "./text.js";

const $ = (id) => document.getElementById(id);
const roundId = new URL(window.location.href).searchParams.get("round") || "";

async function json(path) {
  const response = await fetch(path, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : `HTTP ${response.status}`);
  return body;
}

const snapshots = new Map();

// Each box version's table is fetched and checked once, however many reels drew from it.
async function snapshot(reel) {
  if (!snapshots.has(reel.boxVersionId)) {
    const response = await fetch(reel.snapshotUrl, { cache: "no-store" });
    const bytes = await response.arrayBuffer();
    const found = { hash: await sha256Hex(bytes), table: JSON.parse(new TextDecoder().decode(bytes)) };
    snapshots.set(reel.boxVersionId, { ...found, fresh: true });
  }
  const found = snapshots.get(reel.boxVersionId);
  const fresh = found.fresh;
  found.fresh = false;
  return { ...found, fresh };
}

function check(ok, text, data = {}) {
  const line = el("li", { className: ok ? "ok" : "bad", "data-ok": String(ok), text });
  for (const [name, value] of Object.entries(data)) line.dataset[name] = String(value);
  $("checks").append(line);
  return ok;
}

async function verify() {
  $("round-id").textContent = roundId;
  const round = (await json(`/fairness/rounds/${encodeURIComponent(roundId)}`)).round;
  $("v-hash").textContent = round.serverSeedHash;
  $("v-seed").textContent = round.serverSeed || "–";
  $("v-client").textContent = round.clientSeed;
  $("v-nonce").textContent = String(round.nonce);
  if (!round.serverSeed) return { verdict: "unrevealed", text: t("verify.notRevealed") };
  const seedOk = (await sha256Hex(round.serverSeed)) === round.serverSeedHash;
  let ok = check(seedOk, t(seedOk ? "verify.seedOk" : "verify.seedBad"));
  const count = Math.max(...round.reels.map((reel) => reel.reelIndex)) + 1;
  const us = await uniforms(round.serverSeed, round.clientSeed, round.nonce, count);
  for (const reel of round.reels) {
    const found = await snapshot(reel);
    const tableOk = found.hash === reel.snapshotHash;
    if (found.fresh || !tableOk) ok = check(tableOk, t(tableOk ? "verify.snapshotOk" : "verify.snapshotBad")) && ok;
    const prizes = orderedPrizes(found.table);
    const total = totalWeight(prizes);
    const ticket = ticketOf(us[reel.reelIndex], total);
    const prize = prizeAt(prizes, ticket);
    const same = ticket === reel.ticket && prize && prize.prizeId === reel.prizeId;
    const line = t("verify.reel", { index: reel.reelIndex, ticket, total, prize: prize ? prize.name : "?" });
    const text = `${line}: ${same ? t("verify.reelOk") : t("verify.reelBad", { ticket: reel.ticket })}`;
    const data = { reel: reel.reelIndex, ticket, prize: prize ? prize.prizeId : "" };
    ok = check(same, text, data) && ok;
  }
  return ok ? { verdict: "match", text: t("verify.match") } : { verdict: "mismatch", text: t("verify.mismatch") };
}

verify()
  .catch((error) => ({ verdict: "error", text: t("verify.failed", { message: error.message }) }))
  .then(({ verdict, text }) => {
    $("verdict").textContent = text;
    $("verdict").dataset.verdict = verdict;
  });
