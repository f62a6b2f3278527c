// hmac_sha256_v1 (SPEC §10) with WebCrypto: the same integer arithmetic as the server, so a
// player's browser can recompute any round from its public values.
const encoder = new TextEncoder();

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

// u_0 … u_{count-1}: big-endian uint32s of block(0) || block(1) || …
export async function uniforms(serverSeed, clientSeed, nonce, count) {
  const key = await crypto.subtle.importKey(
    "raw", encoder.encode(serverSeed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const values = [];
  for (let r = 0; values.length < count; r += 1) {
    const block = await crypto.subtle.sign("HMAC", key, encoder.encode(`${clientSeed}:${nonce}:${r}`));
    const view = new DataView(block);
    for (let offset = 0; offset < 32 && values.length < count; offset += 4) values.push(view.getUint32(offset, false));
  }
  return values;
}

// floor(u · W / 2^32) in exact integers.
export function ticketOf(u, totalWeight) {
  return Number((BigInt(u) * BigInt(totalWeight)) >> 32n);
}

export function orderedPrizes(snapshot) {
  return [...snapshot.prizes].sort((a, b) => a.sortIndex - b.sortIndex || a.prizeId - b.prizeId);
}

export function prizeAt(prizes, ticket) {
  let running = 0;
  for (const prize of prizes) {
    running += prize.weight;
    if (ticket < running) return prize;
  }
  return null;
}

export function totalWeight(prizes) {
  return prizes.reduce((sum, prize) => sum + prize.weight, 0);
}
