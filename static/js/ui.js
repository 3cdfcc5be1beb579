// What every part of the drawing page shares: the page's state, the loading states, the kind message, the
// panels (modal dialogs), the one picture-card builder, the stroke-by-stroke reveal and the tools' long-press
// names. Nothing here talks to the server.

import { DrawingPad } from "./pad.js";

export const $ = (id) => document.getElementById(id);

const el = {
  announce: $("announce"), thinking: $("thinking"),
  oops: $("oops"), oopsText: $("oops-text"), oopsClose: $("oops-close"),
  tip: $("tip"),
};

export const pad = new DrawingPad($("pad"), $("ghost"));
export const state = {
  objects: [],
  current: null, // the chosen object's name
  withMe: false,
  classifier: true, // false once the server says it has none
  version: 0, // bumps on every change of the drawing: late answers about an old drawing are dropped
  busy: 0,
  working: false, // Buddy is finishing, showing more or showing how (``once``)
  revealing: false, // an ending is being drawn on the pad, stroke by stroke
  lastGuesses: [],
  previous: null, // the child's last drawing before 🧽 (its strokes and paper size): a morph can go into it
  morph: null, // the morph on show: its frames, the view around them, the paper size, the flip-book's timer
  counters: { completions: 0, hints: 0, classifies: 0, errors: 0 },
};

export const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
const announce = (text) => { el.announce.textContent = text; };

// ---- loading states and the kind message ---------------------------------------------------------------

// One tap = one request: while Buddy finishes, shows more or shows how, those buttons are disabled and further
// taps do nothing (issue 27). Drawing stays possible all the while: a child's stroke is never dropped.
const HELPERS = ["finish", "more", "more-again", "more-count", "how", "how-again", "imagine", "imagine-again",
  "redraw", "redraw-again", "morph", "morph-again", "morph-mine"].map($);
export async function once(work) {
  if (state.working) return null;
  state.working = true;
  for (const button of HELPERS) button.disabled = true;
  try {
    return await work();
  } finally {
    state.working = false;
    for (const button of HELPERS) button.disabled = false;
  }
}

// "Buddy is thinking…" while work runs (its button marked busy); a failure shows the kind message.
export async function busy(button, work) {
  if (state.busy++ === 0) announce("Buddy is thinking…");
  el.thinking.hidden = false;
  button?.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (error) {
    oops(error);
    return null;
  } finally {
    button?.removeAttribute("aria-busy");
    if (--state.busy === 0) { el.thinking.hidden = true; announce(""); }
  }
}

let oopsTimer = null;
export function oops(error, text = "Oops! Buddy got mixed up. Let's try again!") {
  state.counters.errors++;
  if (error) console.warn("Doodle Buddy:", error.code ?? "", error.message ?? error);
  if (error?.status === 413 || error?.code === "too_many_points" || error?.code === "too_many_strokes") {
    text = "Wow, that's a big drawing! Press 🧽 to start a new one.";
  } else if (error?.code === "timeout" || error?.code === "network") {
    text = "Buddy can't hear the server. Try again in a moment!";
  } else if (error?.status === 429 || error?.status === 503) {
    text = "⏳ Buddy is helping lots of friends. Try again in a moment!";
  }
  el.oopsText.textContent = text;
  el.oops.hidden = false;
  clearTimeout(oopsTimer);
  oopsTimer = setTimeout(() => { el.oops.hidden = true; }, 7000);
}
export const hideOops = () => { el.oops.hidden = true; };
el.oopsClose.addEventListener("click", hideOops);

// ---- panels --------------------------------------------------------------------------------------------

// The panels are modal <dialog>s: focus stays inside while open (Escape closes) and goes back where it was.
const openers = new Map();
export function openDialog(dialog, opener = document.activeElement) {
  if (dialog.open) return;
  openers.set(dialog, opener);
  dialog.showModal();
}
export function closeDialog(dialog) { if (dialog.open) dialog.close(); }
for (const dialog of document.querySelectorAll("dialog.panel")) {
  dialog.addEventListener("close", () => { openers.get(dialog)?.focus?.(); openers.delete(dialog); });
  dialog.addEventListener("keydown", (e) => { // Tab goes round inside the panel, never out to the browser
    if (e.key !== "Tab") return;
    const stops = [...dialog.querySelectorAll("button, select, input, [tabindex]:not([tabindex='-1'])")]
      .filter((x) => !x.disabled && x.offsetParent !== null);
    if (!stops.length) return;
    const [first, last] = [stops[0], stops[stops.length - 1]];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
}

// ---- picture cards ---------------------------------------------------------------------------------------

// A picture and its word, both hidden from screen readers (the card's label says it): the inside of every
// picture card on the page (objects, theme tabs, guesses, ideas).
export function pictureAndWord(icon, text, textClass = "lbl") {
  const picture = document.createElement("span");
  picture.className = "ico";
  picture.setAttribute("aria-hidden", "true");
  picture.textContent = icon ?? "";
  const word = document.createElement("span");
  word.className = textClass;
  word.setAttribute("aria-hidden", "true");
  word.textContent = text;
  return [picture, word];
}

// A picture card: a button with a picture and its word, and the label a screen reader says for it.
// ``pressed`` (true/false) makes it a toggle (an object or a theme: which is chosen); ``before`` goes first.
export function pictureButton({ className, icon, text, label, textClass = "lbl", pressed = null, before = [] }) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  if (pressed !== null) b.setAttribute("aria-pressed", String(pressed));
  b.setAttribute("aria-label", label);
  b.append(...before, ...pictureAndWord(icon, text, textClass));
  return b;
}

// ---- drawing stroke by stroke --------------------------------------------------------------------------

// Reveal lines point by point on a 2D context, then resolve. `draw(partial)` repaints one frame. With reduced
// motion asked for, the lines appear at once.
export function animate(lines, draw, { pointsPerFrame = 6, strokePause = 0 } = {}) {
  if (reducedMotion()) { draw(lines); return Promise.resolve(); }
  return new Promise((resolve) => {
    let stroke = 0, upTo = 1, pauseUntil = 0;
    const frame = (now) => {
      if (stroke >= lines.length) { draw(lines); resolve(); return; }
      if (now < pauseUntil) { requestAnimationFrame(frame); return; }
      upTo = Math.min(upTo + pointsPerFrame, lines[stroke].length);
      draw([...lines.slice(0, stroke), lines[stroke].slice(0, upTo)]);
      if (upTo >= lines[stroke].length) { stroke++; upTo = 1; pauseUntil = now + strokePause; }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

// ---- the tools' names ----------------------------------------------------------------------------------

// A long press on a tool (finger or pen) shows its name, for the buttons whose picture may not say it all;
// the press that showed the name does not also press the button.
const LONG_PRESS_MS = 500;
let pressTimer = null, tipShownFor = null;
function hideTip() { el.tip.hidden = true; }
for (const tool of document.querySelectorAll(".toolbar .tool, .toolbar .wild")) {
  if (!tool.title) tool.title = tool.getAttribute("aria-label") ?? tool.dataset.tip ?? ""; // a hovering mouse's tooltip
  tool.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse") return;
    clearTimeout(pressTimer);
    pressTimer = setTimeout(() => {
      el.tip.textContent = tool.getAttribute("aria-label") ?? tool.dataset.tip ?? "";
      const r = tool.getBoundingClientRect();
      el.tip.style.left = `${Math.min(Math.max(r.left + r.width / 2, 80), window.innerWidth - 80)}px`;
      el.tip.style.top = `${r.top - 8}px`;
      el.tip.hidden = false;
      tipShownFor = tool;
      setTimeout(hideTip, 1800);
    }, LONG_PRESS_MS);
  });
  for (const type of ["pointerup", "pointerleave", "pointercancel"]) tool.addEventListener(type, () => clearTimeout(pressTimer));
  tool.addEventListener("contextmenu", (e) => e.preventDefault());
  tool.addEventListener("click", (e) => {
    if (tipShownFor === tool) { e.preventDefault(); e.stopImmediatePropagation(); }
    tipShownFor = null;
  }, { capture: true });
}
