// The object picker: a row of picture cards, one per object the server (or the classroom) offers; with many
// objects, a tab per theme (a big picture) shows only that theme's objects, so a child reaches any object in two
// taps. A classroom of a few objects, or of one theme, shows them all, no tabs.

import { api } from "./api.js";
import { classroom } from "./requests.js";
import { $, busy, pad, pictureButton, reducedMotion, state } from "./ui.js";

const el = {
  picker: $("picker"), loading: $("picker-loading"), themes: $("themes"),
  prev: $("picker-prev"), next: $("picker-next"), redraw: $("redraw"), morph: $("morph"),
};
const TABS_FROM = 13; // objects: with fewer, one row shows them all
let tabsShown = false;
const chosenListeners = [];

// Call ``listener(name)`` after every choice of an object (Draw with me asks for a new hint).
export function onChoose(listener) { chosenListeners.push(listener); }

export function choose(name) {
  state.current = name;
  showTheme(state.objects.find((c) => c.name === name)?.theme);
  for (const b of el.picker.querySelectorAll(".pick")) b.setAttribute("aria-pressed", String(b.dataset.name === name));
  el.picker.querySelector(`.pick[data-name="${CSS.escape(name)}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  pad.setGhost(null);
  // 🪄 and 🦋 only for the objects Buddy can redraw and morph (a sketch VAE: /api/classes says which)
  const vae = Boolean(state.objects.find((c) => c.name === name)?.redraw);
  el.redraw.hidden = !vae;
  el.morph.hidden = !vae;
  for (const listener of chosenListeners) listener(name);
}

function showTheme(theme) {
  if (!tabsShown || !theme) return;
  for (const t of el.themes.querySelectorAll(".theme-tab")) t.setAttribute("aria-pressed", String(t.dataset.theme === theme));
  for (const b of el.picker.querySelectorAll(".pick")) b.hidden = b.dataset.theme !== theme;
  el.picker.scrollLeft = 0;
  arrows();
}

export async function loadClasses() {
  const data = await busy(null, () => api.classes(classroom));
  el.loading.hidden = true;
  if (!data) return;
  state.objects = data.classes;
  for (const c of data.classes) {
    const b = pictureButton({ className: "pick", icon: c.icon, text: c.label, label: c.label, pressed: false });
    b.dataset.name = c.name;
    b.dataset.theme = c.theme;
    b.addEventListener("click", () => choose(c.name));
    el.picker.append(b);
  }
  const themes = data.themes ?? [];
  tabsShown = data.classes.length >= TABS_FROM && themes.length > 1;
  el.themes.hidden = !tabsShown;
  if (tabsShown) {
    for (const t of themes) {
      const tab = pictureButton({ className: "theme-tab", icon: t.icon, text: t.label, label: t.label,
        textClass: "txt", pressed: false });
      tab.dataset.theme = t.name;
      tab.addEventListener("click", () => showTheme(t.name));
      el.themes.append(tab);
    }
  }
  if (data.classes.length) choose(data.classes.some((c) => c.name === "cat") ? "cat" : data.classes[0].name);
  arrows();
}

// The picker row: the mouse wheel scrolls it sideways, and ◀ ▶ (mouse screens) move it a page at a time.
function arrows() {
  el.prev.disabled = el.picker.scrollLeft <= 1;
  el.next.disabled = el.picker.scrollLeft + el.picker.clientWidth >= el.picker.scrollWidth - 1;
}
el.picker.addEventListener("wheel", (e) => {
  if (Math.abs(e.deltaY) <= Math.abs(e.deltaX) || el.picker.scrollWidth <= el.picker.clientWidth) return;
  e.preventDefault();
  el.picker.scrollLeft += e.deltaY;
}, { passive: false });
el.picker.addEventListener("scroll", arrows, { passive: true });
new ResizeObserver(arrows).observe(el.picker);
for (const [button, sign] of [[el.prev, -1], [el.next, 1]]) {
  button.addEventListener("click", () => {
    el.picker.scrollBy({ left: sign * el.picker.clientWidth * 0.8, behavior: reducedMotion() ? "auto" : "smooth" });
  });
}
