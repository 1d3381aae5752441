// Small DOM helpers. Values always go in as text nodes or properties, never as HTML,
// so lead data cannot inject markup.

/** The element with this id (throws when the page lacks it: a bug, not a user error). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/**
 * Creates an element. `props`: `class`, `text`, `dataset` ({}), `attrs` ({}), `on` ({event: fn}),
 * anything else is set as a property. Children are nodes or strings (as text).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) el.setAttribute(a, v);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else el[key] = value;
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Shows `message` in an error paragraph, or hides it when empty. */
export function showError(el, message) {
  el.textContent = message || '';
  el.hidden = !message;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });

/** An RFC 3339 time for people, in the browser's zone. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

/** A price for people; empty for null. */
export function formatMoney(n) {
  return typeof n === 'number' ? money.format(n) : '';
}

/** Any JSON value as one line of text. */
export function formatValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
