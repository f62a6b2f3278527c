// The player app's boot: redeem the launch token once, take it out of the address bar, and
// tell the host page we are ready. Messages go only to the launch's parent origin.
const url = new URL(window.location.href);
const token = url.searchParams.get("token") || "";
const parent = url.searchParams.get("parent") || "";
url.searchParams.delete("token");
window.history.replaceState(null, "", url.pathname + url.search);

function post(type, data = {}) {
  if (parent && window.parent !== window) {
    window.parent.postMessage({ source: "coffer", type, ...data }, parent);
  }
}

async function boot() {
  const status = document.getElementById("status");
  const response = await fetch("/api/play/session/init", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ launchToken: token }),
  });
  const body = await response.json();
  if (!response.ok) {
    status.textContent = body.error ? body.error.message : "This game could not start.";
    return;
  }
  status.textContent = body.tenant.name;
  post("ready");
}

boot();
