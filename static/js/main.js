// The drawing page: wires the pad, the object picker and the helpers (finish, show me more, draw with me,
// show me how, guesses) to the JSON API. Every request shows a loading state and any failure shows one
// kind message; nothing here can freeze the page (requests time out, animations can be cut short).

import { api } from "./api.js";
import { MelodyPlayer } from "./music.js";
import { COLORS, DrawingPad, drawFitted } from "./pad.js";

const $ = (id) => document.getElementById(id);
const pad = new DrawingPad($("pad"), $("ghost"));
const state = {
  classes: [],
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

// ---- loading states and the kind message ---------------------------------------------------------------

// One tap = one request: while Buddy finishes, shows more or shows how, those buttons are disabled and further
// taps do nothing (issue 27). Drawing stays possible all the while: a child's stroke is never dropped.
const HELPERS = ["finish", "more", "more-again", "more-count", "how", "how-again", "imagine", "imagine-again",
  "redraw", "redraw-again", "morph", "morph-again", "morph-mine"];
async function once(work) {
  if (state.working) return null;
  state.working = true;
  for (const id of HELPERS) $(id).disabled = true;
  try {
    return await work();
  } finally {
    state.working = false;
    for (const id of HELPERS) $(id).disabled = false;
  }
}

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
const announce = (text) => { $("announce").textContent = text; };

async function busy(button, work) {
  if (state.busy++ === 0) announce("Buddy is thinking…");
  $("thinking").hidden = false;
  button?.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (error) {
    oops(error);
    return null;
  } finally {
    button?.removeAttribute("aria-busy");
    if (--state.busy === 0) { $("thinking").hidden = true; announce(""); }
  }
}

// The panels are modal <dialog>s: focus stays inside while open (Escape closes) and goes back where it was.
const openers = new Map();
function openDialog(dialog, opener = document.activeElement) {
  if (dialog.open) return;
  openers.set(dialog, opener);
  dialog.showModal();
}
function closeDialog(dialog) { if (dialog.open) dialog.close(); }
for (const dialog of document.querySelectorAll("dialog.panel")) {
  dialog.addEventListener("close", () => { openers.get(dialog)?.focus?.(); openers.delete(dialog); });
  dialog.addEventListener("keydown", (e) => { // Tab goes round inside the panel, never out to the browser
    if (e.key !== "Tab") return;
    const stops = [...dialog.querySelectorAll("button, select, input, [tabindex]:not([tabindex='-1'])")]
      .filter((el) => !el.disabled && el.offsetParent !== null);
    if (!stops.length) return;
    const [first, last] = [stops[0], stops[stops.length - 1]];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
}

let oopsTimer = null;
function oops(error, text = "Oops! Buddy got mixed up. Let's try again!") {
  state.counters.errors++;
  if (error) console.warn("Doodle Buddy:", error.code ?? "", error.message ?? error);
  if (error?.status === 413 || error?.code === "too_many_points" || error?.code === "too_many_strokes") {
    text = "Wow, that's a big drawing! Press 🧽 to start a new one.";
  } else if (error?.code === "timeout" || error?.code === "network") {
    text = "Buddy can't hear the server. Try again in a moment!";
  } else if (error?.status === 429 || error?.status === 503) {
    text = "⏳ Buddy is helping lots of friends. Try again in a moment!";
  }
  $("oops-text").textContent = text;
  $("oops").hidden = false;
  clearTimeout(oopsTimer);
  oopsTimer = setTimeout(() => { $("oops").hidden = true; }, 7000);
}
$("oops-close").addEventListener("click", () => { $("oops").hidden = true; });

// ---- the object picker ---------------------------------------------------------------------------------

function choose(name) {
  state.current = name;
  showTheme(state.classes.find((c) => c.name === name)?.theme);
  for (const b of document.querySelectorAll(".pick")) b.setAttribute("aria-pressed", String(b.dataset.name === name));
  document.querySelector(`.pick[data-name="${CSS.escape(name)}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  pad.setGhost(null);
  // 🪄 and 🦋 only for the objects Buddy can redraw and morph (a sketch VAE: /api/classes says which)
  const vae = Boolean(state.classes?.find((c) => c.name === name)?.redraw);
  $("redraw").hidden = !vae;
  $("morph").hidden = !vae;
  if (state.withMe) requestHint();
}

// Many objects come in themes: a tab per theme (a big picture) shows only that theme's objects in the row, so a
// child reaches any object in two taps. A classroom of a few objects, or of one theme, shows them all, no tabs.
const TABS_FROM = 13; // objects: with fewer, one row shows them all
let tabsShown = false;
function showTheme(theme) {
  if (!tabsShown || !theme) return;
  for (const t of document.querySelectorAll(".theme-tab")) t.setAttribute("aria-pressed", String(t.dataset.theme === theme));
  for (const b of document.querySelectorAll(".pick")) b.hidden = b.dataset.theme !== theme;
  $("picker").scrollLeft = 0;
  pickerArrows();
}

function pictureButton(className, icon, text, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.setAttribute("aria-pressed", "false");
  b.setAttribute("aria-label", label);
  b.innerHTML = `<span class="ico" aria-hidden="true"></span><span aria-hidden="true"></span>`;
  b.firstElementChild.textContent = icon;
  b.lastElementChild.textContent = text;
  return b;
}

async function loadClasses() {
  const picker = $("picker");
  const data = await busy(null, () => api.classes(classroom));
  $("picker-loading").hidden = true;
  if (!data) return;
  state.classes = data.classes;
  for (const c of data.classes) {
    const b = pictureButton("pick", c.icon, c.label, c.label);
    b.lastElementChild.className = "lbl";
    b.dataset.name = c.name;
    b.dataset.theme = c.theme;
    b.addEventListener("click", () => choose(c.name));
    picker.append(b);
  }
  const themes = data.themes ?? [];
  tabsShown = data.classes.length >= TABS_FROM && themes.length > 1;
  $("themes").hidden = !tabsShown;
  if (tabsShown) {
    for (const t of themes) {
      const tab = pictureButton("theme-tab", t.icon, t.label, t.label);
      tab.lastElementChild.className = "txt";
      tab.dataset.theme = t.name;
      tab.addEventListener("click", () => showTheme(t.name));
      $("themes").append(tab);
    }
  }
  if (data.classes.length) choose(data.classes.some((c) => c.name === "cat") ? "cat" : data.classes[0].name);
  pickerArrows();
}

// The picker row: the mouse wheel scrolls it sideways, and ◀ ▶ (mouse screens) move it a page at a time.
function pickerArrows() {
  const picker = $("picker");
  $("picker-prev").disabled = picker.scrollLeft <= 1;
  $("picker-next").disabled = picker.scrollLeft + picker.clientWidth >= picker.scrollWidth - 1;
}
$("picker").addEventListener("wheel", (e) => {
  const picker = $("picker");
  if (Math.abs(e.deltaY) <= Math.abs(e.deltaX) || picker.scrollWidth <= picker.clientWidth) return;
  e.preventDefault();
  picker.scrollLeft += e.deltaY;
}, { passive: false });
$("picker").addEventListener("scroll", pickerArrows, { passive: true });
new ResizeObserver(pickerArrows).observe($("picker"));
for (const [id, sign] of [["picker-prev", -1], ["picker-next", 1]]) {
  $(id).addEventListener("click", () => {
    const picker = $("picker");
    picker.scrollBy({ left: sign * picker.clientWidth * 0.8, behavior: reducedMotion() ? "auto" : "smooth" });
  });
}

// A long press on a tool (finger or pen) shows its name, for the buttons whose picture may not say it all;
// the press that showed the name does not also press the button.
const LONG_PRESS_MS = 500;
let pressTimer = null, tipShownFor = null;
function hideTip() { $("tip").hidden = true; }
for (const el of document.querySelectorAll(".toolbar .tool, .toolbar .wild")) {
  if (!el.title) el.title = el.getAttribute("aria-label") ?? el.dataset.tip ?? ""; // a hovering mouse's tooltip
  el.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse") return;
    clearTimeout(pressTimer);
    pressTimer = setTimeout(() => {
      const tip = $("tip");
      tip.textContent = el.getAttribute("aria-label") ?? el.dataset.tip ?? "";
      const r = el.getBoundingClientRect();
      tip.style.left = `${Math.min(Math.max(r.left + r.width / 2, 80), window.innerWidth - 80)}px`;
      tip.style.top = `${r.top - 8}px`;
      tip.hidden = false;
      tipShownFor = el;
      setTimeout(hideTip, 1800);
    }, LONG_PRESS_MS);
  });
  for (const type of ["pointerup", "pointerleave", "pointercancel"]) el.addEventListener(type, () => clearTimeout(pressTimer));
  el.addEventListener("contextmenu", (e) => e.preventDefault());
  el.addEventListener("click", (e) => {
    if (tipShownFor === el) { e.preventDefault(); e.stopImmediatePropagation(); }
    tipShownFor = null;
  }, { capture: true });
}

// ---- requests ------------------------------------------------------------------------------------------

const classroom = $("picker").dataset.classroom || null;
const inClassroom = (body) => (classroom ? { ...body, classroom } : body);
const temperature = () => Number($("temperature").value);
const canvasSize = (size = pad.size) => ({ width: Math.round(size.width), height: Math.round(size.height) });
const drawingRequest = (extra = {}) => inClassroom({
  class: state.current, strokes: pad.toData(), canvas: canvasSize(), temperature: temperature(), ...extra,
});

// Reveal lines point by point on a 2D context, then resolve. `draw(partial)` repaints one frame. With reduced
// motion asked for, the lines appear at once.
function animate(lines, draw, { pointsPerFrame = 6, strokePause = 0 } = {}) {
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

function animateOnPad(lines) {
  // the pad stays live: a stroke the child draws meanwhile is kept (redraw() paints it) and added as usual
  state.revealing = true;
  return animate(lines, (partial) => {
    pad.redraw();
    pad.paint(partial, COLORS.buddy);
  }, { pointsPerFrame: 3, strokePause: 60 }).finally(() => { state.revealing = false; });
}

async function finish() {
  if (!state.current) return;
  await once(() => busy($("finish"), async () => {
    const version = state.version;
    const data = await api.complete(drawingRequest({ variations: 1 }));
    state.counters.completions++;
    if (version !== state.version) return; // the child drew on meanwhile: that ending no longer fits
    const [completion] = data.completions;
    if (!completion.strokes.length) {
      oops(null, "Buddy thinks your drawing is finished! 🎉");
      return;
    }
    await animateOnPad(completion.strokes);
    pad.addStrokes(completion.strokes, "buddy");
  }));
}

// ---- show me more --------------------------------------------------------------------------------------

async function showMore() {
  if (!state.current) return;
  const panel = $("more-panel");
  const choices = $("choices");
  const n = Number($("more-count").value);
  const mine = pad.toData();
  const size = canvasSize();
  const opener = panel.open ? null : document.activeElement; // before the buttons are disabled while Buddy works
  await once(() => busy($("more"), async () => {
    const version = state.version;
    const data = await api.complete(drawingRequest({ variations: n }));
    state.counters.completions++;
    if (version !== state.version) return; // the child drew on meanwhile: those endings no longer fit
    choices.replaceChildren();
    openDialog(panel, opener); // opened with its pictures, never empty while Buddy thinks
    data.completions.forEach((completion, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "choice";
      b.setAttribute("aria-label", `Ending ${i + 1}`);
      const c = document.createElement("canvas");
      b.append(c);
      choices.append(b);
      drawFitted(c, [{ lines: mine, color: COLORS.child }, { lines: completion.strokes, color: COLORS.buddy }], size);
      b.addEventListener("click", () => {
        closeDialog(panel);
        if (completion.strokes.length) pad.addStrokes(completion.strokes, "buddy");
      });
    });
    choices.querySelector("button")?.focus();
  }));
}

// ---- Buddy's imagination: imagine, redraw and morph each ask about the whole drawing and open a panel -------

// Nothing without a drawing (a friendly word instead); one request at a time, its button busy meanwhile (and
// while show() draws); the answer dropped if the child drew on before it came. show(data, {mine, size, opener})
// fills the panel; opener is what had the focus, to give it back when the panel closes.
async function askBuddy({ button, panel, empty, ask, show }) {
  if (pad.isEmpty) { oops(null, empty); return; }
  const mine = pad.toData();
  const size = canvasSize();
  const opener = panel.open ? null : document.activeElement;
  await once(() => busy(button, async () => {
    const version = state.version;
    const data = await ask(mine, size);
    state.counters.completions++;
    if (version !== state.version) return; // the child drew on meanwhile: the answer no longer matches
    await show(data, { mine, size, opener });
  }));
}

// ---- what could it become? the same beginning finished by several objects ----------------------------------

function imagineIt() {
  const panel = $("imagine-panel");
  const ideas = $("ideas");
  return askBuddy({
    button: $("imagine"), panel, empty: "✏️ Draw a little first, then Buddy imagines what it could become!",
    ask: (mine, size) => api.imagine(inClassroom({ strokes: mine, canvas: size, temperature: temperature() })),
    show: (data, { mine, size, opener }) => {
      ideas.replaceChildren();
      openDialog(panel, opener);
      for (const ending of data.endings) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "choice idea";
        b.dataset.name = ending.class;
        b.setAttribute("aria-label", `It could be a ${ending.label}`);
        const c = document.createElement("canvas");
        const name = document.createElement("span");
        name.className = "idea-name";
        name.setAttribute("aria-hidden", "true");
        name.innerHTML = `<span class="ico"></span><span class="lbl"></span>`;
        name.querySelector(".ico").textContent = ending.icon;
        name.querySelector(".lbl").textContent = ending.label;
        b.append(c, name);
        ideas.append(b);
        drawFitted(c, [{ lines: mine, color: COLORS.child }, { lines: ending.strokes, color: COLORS.buddy }], size);
        b.addEventListener("click", () => {
          closeDialog(panel);
          choose(ending.class);
          if (ending.strokes.length) pad.addStrokes(ending.strokes, "buddy");
        });
      }
      ideas.querySelector("button")?.focus();
    },
  });
}

// ---- draw with me: the ghost of the next stroke ----------------------------------------------------------

async function requestHint() {
  if (!state.withMe || !state.current || pad.isEmpty) return;
  const version = state.version;
  try {
    const data = await api.hint(drawingRequest());
    state.counters.hints++;
    if (version === state.version && state.withMe && data.stroke) pad.setGhost(data.stroke);
  } catch (error) {
    oops(error);
  }
}

// ---- Buddy redraws it: the child's drawing beside Buddy's versions of it, drawn stroke by stroke together -------

// The square part of the paper around a drawing (with a margin; never less than an eighth of the paper), so a small
// drawing in a corner is shown big enough to see; Buddy's versions are drawn in the same place and size.
function boxAround(lines, size, margin = 0.12, least = 0.12) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of lines.flat()) {
    const [px, py] = [Math.min(Math.max(x, 0), size.width), Math.min(Math.max(y, 0), size.height)];
    [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
  }
  const side = Math.max(x1 - x0, y1 - y0, least * Math.max(size.width, size.height)) * (1 + 2 * margin);
  return { x: (x0 + x1 - side) / 2, y: (y0 + y1 - side) / 2, width: side, height: side };
}

function redrawIt() {
  if (!state.current) return undefined;
  const panel = $("redraw-panel");
  const shelf = $("redraws");
  return askBuddy({
    button: $("redraw"), panel, empty: "✏️ Draw something first, then Buddy draws it too!",
    ask: () => api.redraw(drawingRequest()),
    show: async (data, { mine, size, opener }) => {
      shelf.replaceChildren();
      openDialog(panel, opener);
      const view = boxAround(mine, size);
      const cards = [{ lines: mine, color: COLORS.child, label: "Your drawing" },
        ...data.drawings.map((d, i) => ({ lines: d.strokes, color: COLORS.buddy, label: `Buddy's drawing ${i + 1}` }))];
      const shows = cards.map((card) => {
        const figure = document.createElement("figure");
        figure.className = "choice redrawn";
        const c = document.createElement("canvas");
        c.setAttribute("role", "img");
        c.setAttribute("aria-label", card.label);
        figure.append(c);
        shelf.append(figure);
        return () => animate(card.lines, (partial) => drawFitted(c, [{ lines: partial, color: card.color }], size, view),
          { pointsPerFrame: 2, strokePause: 150 });
      });
      $("redraw-close").focus();
      await Promise.all(shows.map((play) => play()));
    },
  });
}

// ---- morph: the child's drawing changes into another, played as a flip-book; the child keeps any picture ------

const MORPH_FRAME_MS = 320;

function showMorphFrame(i) {
  const m = state.morph;
  if (!m) return;
  $("morph-frame").value = String(i);
  drawFitted($("morph-canvas"), [{ lines: m.frames[i].strokes, color: i === 0 ? COLORS.child : COLORS.buddy }],
    m.size, m.view);
  $("morph-keep").disabled = m.frames[i].strokes.length === 0;
}

function stopFlipBook() {
  clearInterval(state.morph?.timer);
  if (state.morph) state.morph.timer = null;
}

// The flip-book plays once from the child's drawing to the other (at once to the end with reduced motion).
function playFlipBook() {
  stopFlipBook();
  const m = state.morph;
  if (reducedMotion()) { showMorphFrame(m.frames.length - 1); return; }
  let i = 0;
  showMorphFrame(0);
  m.timer = setInterval(() => {
    if (++i >= m.frames.length) { stopFlipBook(); return; }
    showMorphFrame(i);
  }, MORPH_FRAME_MS);
}

// The child's last drawing, at this paper's size (the paper may have turned since)
function previousDrawing(size) {
  const p = state.previous;
  const k = Math.min(size.width / p.size.width, size.height / p.size.height);
  return p.strokes.map((s) => s.map(([x, y]) => [x * k, y * k]));
}

function morphIt(into = "buddy") {
  if (!state.current) return undefined;
  const panel = $("morph-panel");
  return askBuddy({
    button: $("morph"), panel, empty: "✏️ Draw something first, then watch it change!",
    ask: (mine, size) => {
      const to = into === "mine" && state.previous ? { to: previousDrawing(size) } : {};
      const request = drawingRequest(to);
      delete request.temperature; // the frames are drawn carefully, whatever the slider says (the server's default)
      return api.morph(request);
    },
    show: (data, { mine, size, opener }) => {
      // the first picture is the child's own drawing; Buddy's frames follow it towards the other drawing
      const frames = [{ strokes: mine }, ...data.frames.slice(1)];
      stopFlipBook();
      state.morph = { frames, size, view: boxAround(frames.flatMap((f) => f.strokes), size), timer: null };
      $("morph-frame").max = String(frames.length - 1);
      $("morph-mine").hidden = !state.previous;
      openDialog(panel, opener);
      $("morph-frame").focus();
      playFlipBook();
    },
  });
}

function keepMorphFrame() {
  const m = state.morph;
  const i = Number($("morph-frame").value);
  if (!m || !m.frames[i].strokes.length) return;
  closeDialog($("morph-panel"));
  if (i > 0) pad.replaceAll(m.frames[i].strokes, "buddy"); // the first picture is the child's drawing as it is
}

// ---- show me how: the model draws the object slowly from a blank page ------------------------------------

async function showHow() {
  if (!state.current) return;
  const panel = $("how-panel");
  openDialog(panel);
  const canvas = $("how-canvas");
  const rect = canvas.getBoundingClientRect();
  const size = { width: Math.round(rect.width), height: Math.round(rect.height) };
  drawFitted(canvas, [], size);
  await once(() => busy($("how"), async () => {
    const data = await api.complete(inClassroom({ class: state.current, strokes: [], canvas: size, temperature: temperature(), variations: 1 }));
    state.counters.completions++;
    const lines = data.completions[0].strokes;
    await animate(lines, (partial) => drawFitted(canvas, [{ lines: partial, color: COLORS.buddy }], size),
      { pointsPerFrame: 1, strokePause: 350 });
  }));
}

// ---- what am I drawing? ----------------------------------------------------------------------------------

let classifyTimer = null;
function scheduleClassify() {
  clearTimeout(classifyTimer);
  if (pad.isEmpty) { showGuesses([]); return; }
  if (state.classifier) classifyTimer = setTimeout(classify, 150);
}

async function classify() {
  const version = state.version;
  try {
    const data = await api.classify(inClassroom({ strokes: pad.toData(), canvas: canvasSize() }));
    state.counters.classifies++;
    if (version === state.version) showGuesses(data.guesses);
  } catch (error) {
    if (error.status === 503) { state.classifier = false; showGuesses([]); return; } // no classifier here
    showGuesses([]);
  }
}

const MIN_GUESS = 0.05; // a guess below 5% says nothing to a child: not shown

function showGuesses(guesses) {
  guesses = guesses.filter((g) => g.probability >= MIN_GUESS);
  state.lastGuesses = guesses;
  const list = $("guess-list");
  list.replaceChildren();
  const available = new Set(state.classes.map((c) => c.name));
  for (const g of guesses) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "guess";
    b.dataset.name = g.class;
    b.disabled = !available.has(g.class);
    b.setAttribute("aria-label", `${g.label}, ${Math.round(g.probability * 100)} percent${b.disabled ? ": Buddy can't draw this one yet" : ": draw this"}`);
    b.title = b.disabled ? "Buddy can't draw this one yet" : `Draw a ${g.label}`;
    b.innerHTML = `<span class="ico" aria-hidden="true"></span><span class="name" aria-hidden="true"></span><span class="pct" aria-hidden="true"></span>`
      + (b.disabled ? `<span class="cant" aria-hidden="true">🚫✏️</span>` : "");
    b.querySelector(".ico").textContent = g.icon ?? "";
    b.querySelector(".name").textContent = g.label;
    b.querySelector(".pct").textContent = `${Math.round(g.probability * 100)}%`;
    b.addEventListener("click", () => choose(g.class));
    li.append(b);
    list.append(li);
  }
  $("guesses").hidden = guesses.length === 0;
}

// ---- the plain tools -------------------------------------------------------------------------------------

function save() {
  const out = document.createElement("canvas");
  out.width = pad.canvas.width;
  out.height = pad.canvas.height;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fffdf7";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(pad.canvas, 0, 0);
  out.toBlob((blob) => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `doodle-${state.current ?? "drawing"}.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }, "image/png");
}

pad.addEventListener("change", (e) => {
  state.version++;
  scheduleClassify();
  if (e.detail.reason === "stroke") requestHint();
});
pad.addEventListener("strokestart", () => { state.version++; });

$("finish").addEventListener("click", finish);
$("more").addEventListener("click", showMore);
$("more-again").addEventListener("click", showMore);
$("more-count").addEventListener("change", showMore);
$("more-close").addEventListener("click", () => closeDialog($("more-panel")));
$("imagine").addEventListener("click", imagineIt);
$("redraw").addEventListener("click", redrawIt);
$("redraw-again").addEventListener("click", redrawIt);
$("redraw-close").addEventListener("click", () => closeDialog($("redraw-panel")));
$("imagine-again").addEventListener("click", imagineIt);
$("imagine-close").addEventListener("click", () => closeDialog($("imagine-panel")));
$("morph").addEventListener("click", () => morphIt("buddy"));
$("morph-again").addEventListener("click", () => morphIt("buddy"));
$("morph-mine").addEventListener("click", () => morphIt("mine"));
$("morph-frame").addEventListener("input", () => { stopFlipBook(); showMorphFrame(Number($("morph-frame").value)); });
$("morph-keep").addEventListener("click", keepMorphFrame);
$("morph-close").addEventListener("click", () => closeDialog($("morph-panel")));
$("morph-panel").addEventListener("close", stopFlipBook);
$("how").addEventListener("click", showHow);
$("how-again").addEventListener("click", showHow);
$("how-close").addEventListener("click", () => closeDialog($("how-panel")));
$("undo").addEventListener("click", () => pad.undo());
$("clear").addEventListener("click", () => {
  if (!pad.isEmpty) state.previous = { strokes: pad.toData(), size: canvasSize() }; // a morph can go into it
  pad.clear();
});
$("save").addEventListener("click", save);
$("with-me").addEventListener("click", () => {
  state.withMe = !state.withMe;
  $("with-me").setAttribute("aria-pressed", String(state.withMe));
  if (state.withMe) requestHint(); else pad.setGhost(null);
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") $("oops").hidden = true; // the dialogs close themselves on Escape
  if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); pad.undo(); }
});

// ---- music while drawing -------------------------------------------------------------------------------

let player = null;
async function loadMusic() {
  try {
    const response = await fetch("/music/model.json");
    if (!response.ok) return; // no melody model on this server: no speaker button
    player = new MelodyPlayer(await response.json());
    window.doodleBuddy.music = player;
    $("music").hidden = false;
  } catch { /* offline page without the model: drawing works the same */ }
}
$("music").addEventListener("click", () => {
  if (!player) return;
  player.setOn(!player.on);
  $("music").setAttribute("aria-pressed", String(player.on));
  $("music").querySelector(".ico").textContent = player.on ? "🔊" : "🔇";
});
let lastMove = null;
pad.addEventListener("penmove", (e) => {
  const { x, y, time } = e.detail;
  if (player?.on) {
    const dt = lastMove ? Math.max(1, time - lastMove.time) / 1000 : 1;
    const speed = lastMove ? Math.hypot(x - lastMove.x, y - lastMove.y) / pad.size.width / dt : 0;
    player.penMove(speed, y / pad.size.height);
  }
  lastMove = { x, y, time };
});
pad.addEventListener("penup", () => { lastMove = null; player?.penUp(); });

// For tests and curious grown-ups: the drawing as data and what the page has done.
window.doodleBuddy = {
  pad,
  state,
  strokes: () => pad.strokes.map((s) => ({ by: s.by, points: s.points, group: s.group })),
  ghost: () => pad.ghost,
};

loadClasses();
loadMusic();
