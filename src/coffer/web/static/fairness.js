// The fairness tab: the committed server seed hash, the player's client seed and nonce, and a
// rotation that reveals the old seed (checked here against its hash with WebCrypto).
import { actionId, call } from "./api.js";
import { sha256Hex } from "./draw.js";
import { explain, show } from "./text.js";

const $ = (id) => document.getElementById(id);

export function startFairness(app) {
  let edited = false;  // what the player typed wins over a refresh that lands later
  $("client-seed").addEventListener("input", () => { edited = true; });

  function render(state, replaceSeed = !edited) {
    $("fair-hash").textContent = state.serverSeedHash;
    $("fair-nonce").textContent = String(state.nextNonce);
    if (replaceSeed) $("client-seed").value = state.clientSeed;
  }

  async function refresh() {
    try {
      render(await call("GET", "/api/play/fairness/state"));
    } catch (error) {
      if (error.status === 401) app.ended();
    }
  }

  $("rotate").addEventListener("click", async () => {
    show($("seed-error"), false);
    show($("rotated"), false);
    const clientSeed = $("client-seed").value.trim();
    $("rotate").disabled = true;  // one rotation per click, never two
    try {
      const answer = await call("POST", "/api/play/fairness/rotate", {
        clientActionId: actionId(), clientSeed: clientSeed || null,
      });
      $("revealed-seed").textContent = answer.revealed.serverSeed;
      $("revealed-hash").textContent = await sha256Hex(answer.revealed.serverSeed);
      show($("revealed"), true);
      show($("rotated"), true);
      edited = false;
      render(answer.current, true);
    } catch (error) {
      if (error.status === 401) return app.ended();
      $("seed-error").textContent = explain(error);
      show($("seed-error"), true);
    } finally {
      $("rotate").disabled = false;
    }
  });

  render(app.init.fairness);
  return { refresh };
}
