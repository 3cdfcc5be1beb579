// What am I drawing? Buddy's guesses, a moment after every change of the drawing: picture cards a child can tap
// to draw that object (greyed, with 🚫✏️, for an object Buddy cannot draw here).

import { api } from "./api.js";
import { choose } from "./picker.js";
import { canvasSize, inClassroom } from "./requests.js";
import { $, pad, pictureButton, state } from "./ui.js";

const el = { guesses: $("guesses"), list: $("guess-list") };
const MIN_GUESS = 0.05; // a guess below 5% says nothing to a child: not shown
const SETTLE_MS = 150; // the drawing must stay the same this long before Buddy guesses

let classifyTimer = null;
export function scheduleClassify() {
  clearTimeout(classifyTimer);
  if (pad.isEmpty) { showGuesses([]); return; }
  if (state.classifier) classifyTimer = setTimeout(classify, SETTLE_MS);
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

function showGuesses(guesses) {
  guesses = guesses.filter((g) => g.probability >= MIN_GUESS);
  state.lastGuesses = guesses;
  el.list.replaceChildren();
  const available = new Set(state.objects.map((c) => c.name));
  for (const g of guesses) {
    const percent = Math.round(g.probability * 100);
    const cannot = !available.has(g.class);
    const b = pictureButton({ className: "guess", icon: g.icon, text: g.label, textClass: "name",
      label: `${g.label}, ${percent} percent${cannot ? ": Buddy can't draw this one yet" : ": draw this"}` });
    b.dataset.name = g.class;
    b.disabled = cannot;
    b.title = cannot ? "Buddy can't draw this one yet" : `Draw a ${g.label}`;
    const pct = document.createElement("span");
    pct.className = "pct";
    pct.setAttribute("aria-hidden", "true");
    pct.textContent = `${percent}%`;
    b.append(pct);
    if (cannot) {
      const cant = document.createElement("span");
      cant.className = "cant";
      cant.setAttribute("aria-hidden", "true");
      cant.textContent = "🚫✏️";
      b.append(cant);
    }
    b.addEventListener("click", () => choose(g.class));
    const li = document.createElement("li");
    li.append(b);
    el.list.append(li);
  }
  el.guesses.hidden = guesses.length === 0;
}
