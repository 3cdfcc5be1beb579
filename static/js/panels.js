// Buddy's panels, each a modal dialog of pictures: Show me more (several endings), What could it become? (the
// same beginning finished by several objects), Buddy redraws it, the morph's flip-book, and Show me how.

import { api } from "./api.js";
import { COLORS, drawFitted } from "./pad.js";
import { choose } from "./picker.js";
import { canvasSize, drawingRequest, inClassroom, temperature } from "./requests.js";
import {
  $, animate, busy, closeDialog, once, oops, openDialog, pad, pictureAndWord, reducedMotion, state,
} from "./ui.js";

const el = {
  more: $("more"), moreAgain: $("more-again"), moreCount: $("more-count"), moreClose: $("more-close"),
  morePanel: $("more-panel"), choices: $("choices"),
  imagine: $("imagine"), imagineAgain: $("imagine-again"), imagineClose: $("imagine-close"),
  imaginePanel: $("imagine-panel"), ideas: $("ideas"),
  redraw: $("redraw"), redrawAgain: $("redraw-again"), redrawClose: $("redraw-close"),
  redrawPanel: $("redraw-panel"), redraws: $("redraws"),
  morph: $("morph"), morphAgain: $("morph-again"), morphMine: $("morph-mine"), morphClose: $("morph-close"),
  morphPanel: $("morph-panel"), morphFrame: $("morph-frame"), morphCanvas: $("morph-canvas"),
  morphKeep: $("morph-keep"),
  how: $("how"), howAgain: $("how-again"), howClose: $("how-close"), howPanel: $("how-panel"),
  howCanvas: $("how-canvas"),
};

// A picture card of an ending (the child's drawing with Buddy's lines, drawn once the card is on the page).
function endingCard(className, label, extra = []) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.setAttribute("aria-label", label);
  b.append(document.createElement("canvas"), ...extra);
  return b;
}
const drawEnding = (card, mine, strokes, size) => drawFitted(card.firstElementChild,
  [{ lines: mine, color: COLORS.child }, { lines: strokes, color: COLORS.buddy }], size);

// ---- show me more --------------------------------------------------------------------------------------

async function showMore() {
  if (!state.current) return;
  const n = Number(el.moreCount.value);
  const mine = pad.toData();
  const size = canvasSize();
  const opener = el.morePanel.open ? null : document.activeElement; // before the buttons are disabled while Buddy works
  await once(() => busy(el.more, async () => {
    const version = state.version;
    const data = await api.complete(drawingRequest({ variations: n }));
    state.counters.completions++;
    if (version !== state.version) return; // the child drew on meanwhile: those endings no longer fit
    el.choices.replaceChildren();
    openDialog(el.morePanel, opener); // opened with its pictures, never empty while Buddy thinks
    data.completions.forEach((completion, i) => {
      const button = endingCard("choice", `Ending ${i + 1}`);
      el.choices.append(button);
      drawEnding(button, mine, completion.strokes, size);
      button.addEventListener("click", () => {
        closeDialog(el.morePanel);
        if (completion.strokes.length) pad.addStrokes(completion.strokes, "buddy");
      });
    });
    el.choices.querySelector("button")?.focus();
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
  return askBuddy({
    button: el.imagine, panel: el.imaginePanel,
    empty: "✏️ Draw a little first, then Buddy imagines what it could become!",
    ask: (mine, size) => api.imagine(inClassroom({ strokes: mine, canvas: size, temperature: temperature() })),
    show: (data, { mine, size, opener }) => {
      el.ideas.replaceChildren();
      openDialog(el.imaginePanel, opener);
      for (const ending of data.endings) {
        const name = document.createElement("span");
        name.className = "idea-name";
        name.setAttribute("aria-hidden", "true");
        name.append(...pictureAndWord(ending.icon, ending.label));
        const button = endingCard("choice idea", `It could be a ${ending.label}`, [name]);
        button.dataset.name = ending.class;
        el.ideas.append(button);
        drawEnding(button, mine, ending.strokes, size);
        button.addEventListener("click", () => {
          closeDialog(el.imaginePanel);
          choose(ending.class);
          if (ending.strokes.length) pad.addStrokes(ending.strokes, "buddy");
        });
      }
      el.ideas.querySelector("button")?.focus();
    },
  });
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
  return askBuddy({
    button: el.redraw, panel: el.redrawPanel, empty: "✏️ Draw something first, then Buddy draws it too!",
    ask: () => api.redraw(drawingRequest()),
    show: async (data, { mine, size, opener }) => {
      el.redraws.replaceChildren();
      openDialog(el.redrawPanel, opener);
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
        el.redraws.append(figure);
        return () => animate(card.lines, (partial) => drawFitted(c, [{ lines: partial, color: card.color }], size, view),
          { pointsPerFrame: 2, strokePause: 150 });
      });
      el.redrawClose.focus();
      await Promise.all(shows.map((play) => play()));
    },
  });
}

// ---- morph: the child's drawing changes into another, played as a flip-book; the child keeps any picture ------

const MORPH_FRAME_MS = 320;

function showMorphFrame(i) {
  const m = state.morph;
  if (!m) return;
  el.morphFrame.value = String(i);
  drawFitted(el.morphCanvas, [{ lines: m.frames[i].strokes, color: i === 0 ? COLORS.child : COLORS.buddy }],
    m.size, m.view);
  el.morphKeep.disabled = m.frames[i].strokes.length === 0;
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
  return askBuddy({
    button: el.morph, panel: el.morphPanel, empty: "✏️ Draw something first, then watch it change!",
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
      el.morphFrame.max = String(frames.length - 1);
      el.morphMine.hidden = !state.previous;
      openDialog(el.morphPanel, opener);
      el.morphFrame.focus();
      playFlipBook();
    },
  });
}

function keepMorphFrame() {
  const m = state.morph;
  const i = Number(el.morphFrame.value);
  if (!m || !m.frames[i].strokes.length) return;
  closeDialog(el.morphPanel);
  if (i > 0) pad.replaceAll(m.frames[i].strokes, "buddy"); // the first picture is the child's drawing as it is
}

// ---- show me how: the model draws the object slowly from a blank page ------------------------------------

async function showHow() {
  if (!state.current) return;
  openDialog(el.howPanel);
  const rect = el.howCanvas.getBoundingClientRect();
  const size = { width: Math.round(rect.width), height: Math.round(rect.height) };
  drawFitted(el.howCanvas, [], size);
  await once(() => busy(el.how, async () => {
    const data = await api.complete(inClassroom({ class: state.current, strokes: [], canvas: size,
      temperature: temperature(), variations: 1 }));
    state.counters.completions++;
    const lines = data.completions[0].strokes;
    await animate(lines, (partial) => drawFitted(el.howCanvas, [{ lines: partial, color: COLORS.buddy }], size),
      { pointsPerFrame: 1, strokePause: 350 });
  }));
}

// ---- the panels' buttons -------------------------------------------------------------------------------

for (const button of [el.more, el.moreAgain]) button.addEventListener("click", showMore);
el.moreCount.addEventListener("change", showMore);
for (const button of [el.imagine, el.imagineAgain]) button.addEventListener("click", imagineIt);
for (const button of [el.redraw, el.redrawAgain]) button.addEventListener("click", redrawIt);
for (const button of [el.morph, el.morphAgain]) button.addEventListener("click", () => morphIt("buddy"));
el.morphMine.addEventListener("click", () => morphIt("mine"));
el.morphFrame.addEventListener("input", () => { stopFlipBook(); showMorphFrame(Number(el.morphFrame.value)); });
el.morphKeep.addEventListener("click", keepMorphFrame);
el.morphPanel.addEventListener("close", stopFlipBook);
for (const button of [el.how, el.howAgain]) button.addEventListener("click", showHow);
for (const [close, panel] of [[el.moreClose, el.morePanel], [el.imagineClose, el.imaginePanel],
  [el.redrawClose, el.redrawPanel], [el.morphClose, el.morphPanel], [el.howClose, el.howPanel]]) {
  close.addEventListener("click", () => closeDialog(panel));
}
