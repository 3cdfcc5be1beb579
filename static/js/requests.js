// What the page sends about the drawing: the chosen object, the strokes, the paper's size, the slider's
// temperature and the classroom (when the page is a classroom's).

import { $, pad, state } from "./ui.js";

export const classroom = $("picker").dataset.classroom || null;
export const inClassroom = (body) => (classroom ? { ...body, classroom } : body);
export const temperature = () => Number($("temperature").value);
export const canvasSize = (size = pad.size) => ({ width: Math.round(size.width), height: Math.round(size.height) });
export const drawingRequest = (extra = {}) => inClassroom({
  class: state.current, strokes: pad.toData(), canvas: canvasSize(), temperature: temperature(), ...extra,
});
