// The drawing page: the pad and the plain tools, Finish and Draw with me, music while drawing; the picker
// (picker.js), the guesses (guesses.js) and Buddy's panels (panels.js) wire themselves. Every request shows a
// loading state and any failure shows one kind message (ui.js); nothing here can freeze the page (requests
// time out, animations can be cut short).

import { api } from "./api.js";
import { scheduleClassify } from "./guesses.js";
import { MelodyPlayer } from "./music.js";
import { COLORS } from "./pad.js";
import "./panels.js";
import { loadClasses, onChoose } from "./picker.js";
import { canvasSize, drawingRequest } from "./requests.js";
import { $, animate, busy, hideOops, once, oops, pad, state } from "./ui.js";

const el = {
  finish: $("finish"), withMe: $("with-me"), undo: $("undo"), clear: $("clear"), save: $("save"),
  music: $("music"),
};

// ---- finish: one ending, drawn on the pad stroke by stroke -------------------------------------------------

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
  await once(() => busy(el.finish, async () => {
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
onChoose(() => { if (state.withMe) requestHint(); });

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

el.finish.addEventListener("click", finish);
el.undo.addEventListener("click", () => pad.undo());
el.clear.addEventListener("click", () => {
  if (!pad.isEmpty) state.previous = { strokes: pad.toData(), size: canvasSize() }; // a morph can go into it
  pad.clear();
});
el.save.addEventListener("click", save);
el.withMe.addEventListener("click", () => {
  state.withMe = !state.withMe;
  el.withMe.setAttribute("aria-pressed", String(state.withMe));
  if (state.withMe) requestHint(); else pad.setGhost(null);
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") hideOops(); // the dialogs close themselves on Escape
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
    el.music.hidden = false;
  } catch { /* offline page without the model: drawing works the same */ }
}
el.music.addEventListener("click", () => {
  if (!player) return;
  player.setOn(!player.on);
  el.music.setAttribute("aria-pressed", String(player.on));
  el.music.querySelector(".ico").textContent = player.on ? "🔊" : "🔇";
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
