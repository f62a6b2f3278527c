// The shipping form: one address for the chosen items; the server checks it field by field and
// each complaint is shown beside its field.
import { call } from "./api.js";
import { explain, show, t } from "./text.js";

const $ = (id) => document.getElementById(id);
const dialog = $("ship");
const form = $("ship-form");
const CONTACT = new Set(["email"]);
let pending = null;

export function shipItems(app, items, done) {
  pending = { app, items, done };
  $("ship-title").textContent = t("ship.title", { name: items.map((item) => item.name).join(", ") });
  clearErrors();
  dialog.showModal();
  $("ship-name").focus();
}

function clearErrors() {
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
  for (const input of form.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  show($("ship-error"), false);
}

function body(items) {
  const address = {};
  const contact = {};
  for (const input of form.querySelectorAll("input")) {
    const value = input.value.trim();
    if (!value) continue;
    (CONTACT.has(input.name) ? contact : address)[input.name] = value;
  }
  return { inventoryItemIds: items.map((item) => item.id), address, contact };
}

function showErrors(error) {
  let placed = false;
  for (const [path, problem] of Object.entries(error.fields)) {
    const name = path.split(".").pop();
    const slot = $(`ship-${name}-error`);
    if (slot) {
      slot.textContent = problem;
      $(`ship-${name}`).setAttribute("aria-invalid", "true");
      placed = true;
    }
  }
  if (!placed) {
    $("ship-error").textContent = explain(error);
    show($("ship-error"), true);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!pending) return;
  clearErrors();
  const { app, items, done } = pending;
  try {
    const answer = await call("POST", "/api/play/shipping/orders", body(items));
    dialog.close();
    pending = null;
    done(t("ship.done", { id: answer.order.publicId }));
    app.itemsChanged();
  } catch (error) {
    if (error.status === 401) app.ended();
    else showErrors(error);
  }
});

$("ship-cancel").addEventListener("click", () => {
  pending = null;
  dialog.close();
});
