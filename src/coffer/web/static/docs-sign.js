// Signs "Try it out" requests to /api/s2s/* the way an operator's backend does (README,
// "Signing an S2S request"): HMAC-SHA256 over "{timestamp}\n{METHOD}\n{target}\n{sha256(body)}".
"use strict";

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function sha256Hex(text) {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

async function hmacHex(secret, text) {
  const key = await crypto.subtle.importKey(
    "raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"],
  );
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
}

function field(id) {
  const input = document.getElementById(id);
  return input ? input.value.trim() : "";
}

// Swagger UI's requestInterceptor: a request to /api/s2s/* gets its three headers; others pass.
async function cofferSign(request, now = Math.floor(Date.now() / 1000)) {
  const url = new URL(request.url, window.location.href);
  const keyId = field("key-id");
  const secret = field("key-secret");
  if (!url.pathname.startsWith("/api/s2s/") || !keyId || !secret) return request;
  const body = typeof request.body === "string" ? request.body : "";
  const timestamp = String(now);
  const method = (request.method || "GET").toUpperCase();
  const message = `${timestamp}\n${method}\n${url.pathname}${url.search}\n${await sha256Hex(body)}`;
  request.headers = {
    ...request.headers,
    "X-Key-Id": keyId,
    "X-Timestamp": timestamp,
    "X-Signature": await hmacHex(secret, message),
  };
  return request;
}

window.cofferSign = cofferSign;
