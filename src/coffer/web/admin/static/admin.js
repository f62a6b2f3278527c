// The back office's forms and buttons call the admin API with the session cookie and the
// page's CSRF token; errors appear next to the fields the API names.
const csrf = document.querySelector('meta[name="csrf"]')?.content ?? "";

export async function call(method, url, body) {
  const init = { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  return { ok: response.ok, status: response.status, data };
}

function valueOf(input) {
  const kind = input.dataset.type;
  const raw = input.value;
  if (kind === "check") return input.checked;
  if (kind === "bool") return raw === "true";
  if (kind === "int") return raw === "" ? undefined : Number(raw);
  if (kind === "nullable-int") return raw === "" ? null : Number(raw);
  if (kind === "nullable") return raw.trim() === "" ? null : raw.trim();
  if (kind === "lines") return raw.split("\n").map((s) => s.trim()).filter(Boolean);
  if (kind === "json") return JSON.parse(raw || "null");
  return raw;
}

export function showErrors(scope, answer) {
  scope.querySelectorAll("[data-error-for]").forEach((el) => { el.textContent = ""; });
  const error = answer.data?.error ?? { message: `HTTP ${answer.status}` };
  const fields = error.fields ?? {};
  let unplaced = [];
  for (const [path, why] of Object.entries(fields)) {
    const slot = scope.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
    if (slot) slot.textContent = why; else unplaced.push(`${path}: ${why}`);
  }
  const top = scope.querySelector(".form-error");
  if (top) top.textContent = [error.message, ...unplaced].join(" ");
}

function target(template, data) {
  return template.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data?.[key] ?? ""));
}

async function after(element, answer) {
  const then = element.dataset.then ?? "reload";
  if (then === "reload") return window.location.reload();
  if (then.startsWith("go:")) return window.location.assign(target(then.slice(3), answer.data));
  const shown = element.closest("section")?.querySelector(".shown");
  if (shown) { shown.hidden = false; shown.textContent = JSON.stringify(answer.data, null, 1); }
}

// A PATCH sends only what staff changed, so a value shown when the page loaded (uses left,
// another person's edit) is never written back over a newer one.
function changed(input) {
  if (input.type === "checkbox") return input.checked !== input.defaultChecked;
  if (input.tagName === "SELECT") return [...input.options].some((o) => o.selected !== o.defaultSelected);
  return input.value !== input.defaultValue;
}

async function submit(form) {
  const body = {};
  let url = form.dataset.api;
  const patch = (form.dataset.method ?? "POST") === "PATCH";
  try {
    for (const input of form.querySelectorAll("[name]")) {
      if (input.disabled) continue;
      if (patch && !input.dataset.path && !changed(input)) continue;
      const value = valueOf(input);
      if (input.dataset.path) { url = url.replace(`{${input.name}}`, encodeURIComponent(value)); continue; }
      if (value !== undefined) body[input.name] = value;
    }
  } catch (problem) {
    form.querySelector(".form-error").textContent = `Not valid JSON: ${problem.message}`;
    return;
  }
  const answer = await call(form.dataset.method ?? "POST", url, body);
  if (answer.ok) await after(form, answer); else showErrors(form, answer);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.dataset.api) return;
  event.preventDefault();
  submit(form);
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-api]");
  if (!button) return;
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  const body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
  const answer = await call(button.dataset.method ?? "POST", button.dataset.api, body);
  if (answer.ok) await after(button, answer);
  else window.alert(answer.data?.error?.message ?? `HTTP ${answer.status}`);
});
