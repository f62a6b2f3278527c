// Talking to the page that frames the app (SPEC §11): every message says source "coffer" and
// goes only to the launch's parent origin, as the server confirmed it at init (one of the
// operator's allowed origins, never read from the address); any other sender is ignored.
const framed = window.parent !== window;
let parentOrigin = "";

export function connect(origin) {
  parentOrigin = origin || "";
}

export function post(type, data = {}) {
  if (framed && parentOrigin) window.parent.postMessage({ source: "coffer", type, ...data }, parentOrigin);
}

export function listen(handlers) {
  window.addEventListener("message", (event) => {
    if (!framed || event.origin !== parentOrigin || event.source !== window.parent) return;
    const data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    const handler = handlers[data.type];
    if (handler) handler(data);
  });
}

// The host sizes its iframe to the app's content.
export function reportSize() {
  let last = 0;
  const observer = new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      post("resize", { height });
    }
  });
  observer.observe(document.body);
}
