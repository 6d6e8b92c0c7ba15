// Building the page from data without ever parsing data as HTML.

/** An element with attributes (`class`, `for`, `data-*`, `on:click` for listeners) and children. */
export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "line", "polyline", "circle", "text", "rect", "g", "title"].includes(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on:")) el.addEventListener(name.slice(3), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Empties `el` and fills it with `children`. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
