// The faces, drawn as SVG (no emoji font is needed on the tablet). Each face has its
// label as text too: the colour is never the only cue.

const SVG = "http://www.w3.org/2000/svg";

const LOOK = {
  very_satisfied: { colour: "#1b6e20", mouth: "M30 60 Q50 84 70 60 Z" },
  satisfied: { colour: "#2e7d32", mouth: "M30 62 Q50 76 70 62" },
  neutral: { colour: "#8a5a00", mouth: "M32 66 L68 66" },
  unsatisfied: { colour: "#b3261e", mouth: "M30 72 Q50 56 70 72" },
};

function node(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

/** A face for `rating`, decorative (the button around it carries the label). */
export function face(rating) {
  const look = LOOK[rating] ?? LOOK.neutral;
  const svg = node("svg", { viewBox: "0 0 100 100", "aria-hidden": "true", focusable: "false", class: "face" });
  svg.append(
    node("circle", { cx: 50, cy: 50, r: 46, fill: look.colour }),
    node("circle", { cx: 35, cy: 40, r: 6, fill: "#fff" }),
    node("circle", { cx: 65, cy: 40, r: 6, fill: "#fff" }),
    node("path", {
      d: look.mouth,
      stroke: "#fff",
      "stroke-width": 6,
      "stroke-linecap": "round",
      fill: look.mouth.endsWith("Z") ? "#fff" : "none",
    }),
  );
  return svg;
}
