// Messages from the page's catalog (rendered by the server for its language) and money in the
// player's locale. Nothing here holds a language of its own.
const catalog = JSON.parse(document.getElementById("messages").textContent);
const language = document.documentElement.lang || "en";

export function t(key, values = {}) {
  let text = catalog[key] || key;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

// A refusal in the player's language when the catalog knows its code, else the server's words.
export function explain(error) {
  const key = `error.${error.code}`;
  const known = t(key);
  return known === key ? error.message : known;
}

// Integer minor units shown in the currency's own digits; BigInt-free because amounts a player
// sees stay far below 2^53.
// Without ``digits`` the currency's usual ones (ISO 4217) are assumed.
export function money(minor, currency, digits) {
  const places = digits ?? new Intl.NumberFormat("en", { style: "currency", currency })
    .resolvedOptions().maximumFractionDigits;
  const format = new Intl.NumberFormat(language, {
    style: "currency", currency, minimumFractionDigits: places, maximumFractionDigits: places,
  });
  return format.format(minor / 10 ** places);
}

export function percent(fraction, digits = 2) {
  return new Intl.NumberFormat(language, {
    style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(fraction);
}

export function show(element, visible) {
  element.hidden = !visible;
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("data-") || name.startsWith("aria-") || name === "type") node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children);
  return node;
}
