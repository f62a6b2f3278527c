// The round verifier page: fetch a round's public values and its prize table, recompute every
// reel in the browser, and say plainly whether they match what the server recorded.
import { orderedPrizes, prizeAt, sha256Hex, ticketOf, totalWeight, uniforms } from "./draw.js";
import { el, t } from "./text.js";

const $ = (id) => document.getElementById(id);

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

// Reel k draws with u_k, k being the reel's place in reelIndex order (SPEC §10).
async function verifyRound(roundId) {
  $("round-id").textContent = roundId;
  const round = (await json(`/fairness/rounds/${encodeURIComponent(roundId)}`)).round;
  $("v-hash").textContent = round.serverSeedHash;
  $("v-seed").textContent = round.serverSeed || "–";
  $("v-client").textContent = round.clientSeed;
  $("v-nonce").textContent = String(round.nonce);
  if (!round.serverSeed) return { verdict: "unrevealed", text: t("verify.notRevealed") };
  const reels = [...round.reels].sort((a, b) => a.reelIndex - b.reelIndex);
  if (!reels.length) return { verdict: "error", text: t("verify.noReels") };
  const seedOk = (await sha256Hex(round.serverSeed)) === round.serverSeedHash;
  let ok = check(seedOk, t(seedOk ? "verify.seedOk" : "verify.seedBad"));
  const us = await uniforms(round.serverSeed, round.clientSeed, round.nonce, reels.length);
  for (const [k, reel] of reels.entries()) {
    const found = await snapshot(reel);
    const tableOk = found.hash === reel.snapshotHash;
    if (found.fresh || !tableOk) ok = check(tableOk, t(tableOk ? "verify.snapshotOk" : "verify.snapshotBad")) && ok;
    const prizes = orderedPrizes(found.table);
    const total = totalWeight(prizes);
    const ticket = ticketOf(us[k], total);
    const prize = prizeAt(prizes, ticket);
    const same = ticket === reel.ticket && prize && prize.prizeId === reel.prizeId;
    const line = t("verify.reel", { index: reel.reelIndex, ticket, total, prize: prize ? prize.name : "?" });
    const text = `${line}: ${same ? t("verify.reelOk") : t("verify.reelBad", { ticket: reel.ticket })}`;
    const data = { reel: reel.reelIndex, ticket, prize: prize ? prize.prizeId : "" };
    ok = check(same, text, data) && ok;
  }
  return ok ? { verdict: "match", text: t("verify.match") } : { verdict: "mismatch", text: t("verify.mismatch") };
}

// A box's prize table alone: its bytes hash to the fingerprint the box shows.
async function verifyTable(versionId, expected) {
  $("subject").textContent = t("verify.tableOnly", { id: versionId });
  const found = await snapshot({ boxVersionId: versionId, snapshotUrl: `/fairness/box-version/${versionId}/snapshot` });
  const ok = found.hash === expected;
  check(ok, t(ok ? "verify.snapshotOk" : "verify.snapshotBad"));
  for (const prize of orderedPrizes(found.table)) check(true, `${prize.name}: ${prize.weight}`);
  return ok ? { verdict: "match", text: t("verify.snapshotOk") } : { verdict: "mismatch", text: t("verify.snapshotBad") };
}

function verify() {
  const asked = new URL(window.location.href).searchParams;
  const version = Number(asked.get("boxVersion"));
  if (version > 0) return verifyTable(version, asked.get("hash") || "");
  return verifyRound(asked.get("round") || "");
}

verify()
  .catch((error) => ({ verdict: "error", text: t("verify.failed", { message: error.message }) }))
  .then(({ verdict, text }) => {
    $("verdict").textContent = text;
    $("verdict").dataset.verdict = verdict;
  });
