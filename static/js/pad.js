// DrawingPad: one canvas, pointer events for mouse, finger and pen, strokes kept as data.
//
// The way signature_pad does it: every input device becomes one PointerEvent path (begin / move / end),
// `touch-action: none` on the canvas, `pointercancel` ends a stroke cleanly, a pointer move paints only its new
// segment, and the picture is redrawn from the stroke data (on pen-up, resize, undo, high-DPI changes), never
// the other way round.
//
// A stroke is {points: [[x, y], ...] in the drawing's frame, by: "child" | "buddy", group: number}. The frame
// is the paper's size (CSS pixels) when the drawing began; when the paper changes size (a tablet turned, a
// window resized) the frame is shown whole, scaled and centred, and the points never change, so turning a
// tablet and back leaves the drawing exactly where it was and a stroke drawn across a resize has no kink.
// An empty pad takes the paper's new size as its frame. `size` is the frame: what the API is told.
// Strokes added together (a whole completion) share a group, so one undo removes them together.

export const COLORS = { child: "#23324a", buddy: "#f0643c", ghost: "rgba(63, 123, 224, 0.55)" };
const MIN_DISTANCE = 2; // px between kept points: light thinning of what the pointer reports

export class DrawingPad extends EventTarget {
  constructor(canvas, ghostCanvas = null) {
    super();
    this.canvas = canvas;
    this.ghostCanvas = ghostCanvas;
    this.strokes = [];
    this.ghost = null;
    this.current = null;
    this.nextGroup = 1;
    this.replaced = new Map(); // undo step (group) -> the drawing it replaced (``replaceAll``)
    this.size = { width: 0, height: 0 }; // the drawing's frame
    this.view = { width: 0, height: 0, k: 1, x: 0, y: 0 }; // the paper on screen, and frame -> screen
    this.enabled = true;
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    canvas.addEventListener("pointerup", (e) => this.#up(e));
    canvas.addEventListener("pointercancel", (e) => this.#up(e));
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get isEmpty() { return this.strokes.length === 0; }

  // The strokes as the API wants them: [[[x, y], ...], ...] in canvas pixels.
  toData() { return this.strokes.map((s) => s.points.map(([x, y]) => [x, y])); }

  // Match the backing store to the CSS size x devicePixelRatio and show the frame whole, centred.
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    if (!this.size.width || (this.isEmpty && !this.current)) this.size = { width: rect.width, height: rect.height };
    const k = Math.min(rect.width / this.size.width, rect.height / this.size.height);
    this.view = { width: rect.width, height: rect.height, k,
                  x: (rect.width - this.size.width * k) / 2, y: (rect.height - this.size.height * k) / 2 };
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.ghostCanvas]) {
      if (!c) continue;
      c.width = Math.round(rect.width * dpr);
      c.height = Math.round(rect.height * dpr);
      c.getContext("2d").setTransform(dpr * k, 0, 0, dpr * k, dpr * this.view.x, dpr * this.view.y);
    }
    this.redraw();
  }

  // A fresh drawing uses the whole paper: an emptied pad takes the paper's current size as its frame.
  #refitIfEmpty() { if (this.isEmpty && !this.current) this.resize(); }

  static #clear(ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
  }

  lineWidth() { return Math.max(3, Math.min(this.size.width, this.size.height) / 110); }

  // Draw one polyline smoothly: quadratic curves through the midpoints of the kept points.
  static trace(ctx, points, color, width, dashed = false) {
    if (!points.length) return;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = width;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    if (dashed) ctx.setLineDash([width * 2, width * 2]);
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(points[0][0], points[0][1], width / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.beginPath();
      ctx.moveTo(points[0][0], points[0][1]);
      for (let i = 1; i < points.length - 1; i++) {
        const [x, y] = points[i];
        const [nx, ny] = points[i + 1];
        ctx.quadraticCurveTo(x, y, (x + nx) / 2, (y + ny) / 2);
      }
      const last = points[points.length - 1];
      ctx.lineTo(last[0], last[1]);
      ctx.stroke();
    }
    ctx.restore();
  }

  redraw() {
    const ctx = this.canvas.getContext("2d");
    DrawingPad.#clear(ctx);
    for (const s of this.strokes) DrawingPad.trace(ctx, s.points, COLORS[s.by], this.lineWidth());
    if (this.current) {
      DrawingPad.trace(ctx, this.current.points, COLORS.child, this.lineWidth());
      this.current.painted = this.current.points.length;
    }
    this.#drawGhost();
  }

  // Paint lines (frame units) over the pad without keeping them, e.g. an ending being revealed.
  paint(lines, color = COLORS.buddy) {
    const ctx = this.canvas.getContext("2d");
    for (const points of lines) DrawingPad.trace(ctx, points, color, this.lineWidth());
  }

  // Only the new segments of the stroke being drawn (the whole stroke is traced smoothly again at pen-up).
  #paintNew() {
    const { points } = this.current;
    const from = Math.max(0, (this.current.painted ?? 1) - 1);
    if (points.length - from < 2) return;
    const ctx = this.canvas.getContext("2d");
    ctx.save();
    ctx.strokeStyle = COLORS.child;
    ctx.lineWidth = this.lineWidth();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(points[from][0], points[from][1]);
    for (let i = from + 1; i < points.length; i++) ctx.lineTo(points[i][0], points[i][1]);
    ctx.stroke();
    ctx.restore();
    this.current.painted = points.length;
  }

  // Add finished strokes (e.g. a completion) as one undo step.
  addStrokes(lines, by = "buddy") {
    const group = this.nextGroup++;
    for (const points of lines) if (points.length) this.strokes.push({ points, by, group });
    this.redraw();
    this.#changed("add");
  }

  // Put lines in place of the whole drawing (a morph frame the child keeps), as one undo step that brings the
  // drawing back.
  replaceAll(lines, by = "buddy") {
    const group = this.nextGroup++;
    this.replaced.set(group, this.strokes);
    this.strokes = lines.filter((points) => points.length).map((points) => ({ points, by, group }));
    this.setGhost(null);
    this.redraw();
    this.#changed("add");
  }

  undo() {
    if (!this.strokes.length) return;
    const group = this.strokes[this.strokes.length - 1].group;
    if (this.replaced.has(group)) {
      this.strokes = this.replaced.get(group);
      this.replaced.delete(group);
    } else {
      this.strokes = this.strokes.filter((s) => s.group !== group);
    }
    this.setGhost(null);
    this.redraw();
    this.#refitIfEmpty();
    this.#changed("undo");
  }

  clear() {
    this.strokes = [];
    this.replaced.clear();
    this.setGhost(null);
    this.redraw();
    this.#refitIfEmpty();
    this.#changed("clear");
  }

  // The faint dashed "what could come next" stroke, on its own layer; null removes it.
  setGhost(points) {
    this.ghost = points;
    this.#drawGhost();
  }

  #drawGhost() {
    if (!this.ghostCanvas) return;
    const ctx = this.ghostCanvas.getContext("2d");
    DrawingPad.#clear(ctx);
    if (this.ghost) DrawingPad.trace(ctx, this.ghost, COLORS.ghost, this.lineWidth(), true);
  }

  #point(e) {
    const rect = this.canvas.getBoundingClientRect();
    const { k, x, y } = this.view;
    return [(e.clientX - rect.left - x) / k, (e.clientY - rect.top - y) / k];
  }

  #down(e) {
    if (!this.enabled || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.current = { points: [this.#point(e)], by: "child", group: this.nextGroup++, pointerId: e.pointerId };
    this.setGhost(null);
    this.dispatchEvent(new CustomEvent("strokestart"));
    this.redraw();
  }

  #move(e) {
    if (!this.current || e.pointerId !== this.current.pointerId) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    const pts = this.current.points;
    for (const ev of events.length ? events : [e]) {
      const p = this.#point(ev);
      const last = pts[pts.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= MIN_DISTANCE) pts.push(p);
    }
    const [x, y] = pts[pts.length - 1];
    this.dispatchEvent(new CustomEvent("penmove", { detail: { x, y, time: e.timeStamp } }));
    this.#paintNew();
  }

  #up(e) {
    if (!this.current || e.pointerId !== this.current.pointerId) return;
    const { points, by, group } = this.current;
    const p = this.#point(e);
    const last = points[points.length - 1];
    if (e.type === "pointerup" && Math.hypot(p[0] - last[0], p[1] - last[1]) > 0) points.push(p);
    this.current = null;
    this.strokes.push({ points, by, group });
    this.dispatchEvent(new CustomEvent("penup"));
    this.redraw();
    this.#changed("stroke");
  }

  #changed(reason) { this.dispatchEvent(new CustomEvent("change", { detail: { reason } })); }
}

// Draw lines on a small canvas, fitted and centred (for the "show me more" thumbnails and the demo).
export function drawFitted(canvas, layers, size, view = { x: 0, y: 0, width: size.width, height: size.height }) {
  // `view`: the part of the paper to show (the whole paper by default), scaled to fit and centred
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  canvas.width = Math.round(rect.width * dpr); // (setting the size also clears the canvas)
  canvas.height = Math.round(rect.height * dpr);
  const ctx = canvas.getContext("2d");
  const k = Math.min(rect.width / view.width, rect.height / view.height);
  ctx.setTransform(dpr * k, 0, 0, dpr * k, ((rect.width - view.width * k) / 2 - view.x * k) * dpr,
    ((rect.height - view.height * k) / 2 - view.y * k) * dpr);
  const width = Math.max(3, Math.min(view.width, view.height) / 110) * Math.max(1, 0.6 / k);
  for (const { lines, color } of layers) for (const pts of lines) DrawingPad.trace(ctx, pts, color, width);
}
