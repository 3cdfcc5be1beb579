// Music while drawing: the melody model (models/melody.json, trained by training/train_melody.py) plays along.
//
// While the pen moves, notes are generated one by one and scheduled on a Web Audio clock a little ahead of
// time. Drawing speed sets the tempo, the pen's height nudges the register, and a pen-up ends the phrase
// gently on the home note. Only notes of the major scale are played, with soft sine/triangle tones, no samples.
// Muted until the child turns it on (which is also the user gesture browsers require before sound).

const MAJOR = new Set([0, 2, 4, 5, 7, 9, 11]);
const TONIC = 60; // middle C: the key every tune was learnt in (pitches are semitones above it)
const VOLUME = 0.12; // soft
const LOOKAHEAD = 0.12; // seconds of notes scheduled ahead of the clock

// The same Witten-Bell interpolation as training/train_melody.py's Chain.prob, for every token at once.
function distribution(chain, context) {
  const vocab = chain.vocab;
  let p = vocab.map(() => 1 / vocab.length);
  const ctx = chain.order ? context.slice(-chain.order) : [];
  for (let k = 0; k <= ctx.length; k++) {
    const counts = chain.counts[ctx.slice(ctx.length - k).join(",")];
    if (!counts) break;
    const values = Object.values(counts);
    const total = values.reduce((a, b) => a + b, 0);
    const types = values.length;
    p = vocab.map((token, i) => ((counts[String(token)] ?? 0) + types * p[i]) / (total + types));
  }
  return p;
}

function pick(weights, random = Math.random) {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = random() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u <= 0) return i;
  }
  return weights.length - 1;
}

export class MelodyPlayer {
  constructor(model) {
    this.model = model;
    this.ctx = null;
    this.master = null;
    this.on = false;
    this.pitches = [];
    this.durations = [];
    this.nextTime = 0;
    this.beat = 0.4; // seconds per beat, from drawing speed
    this.height = 0.5; // 0 = top of the paper, 1 = bottom
    this.drawing = false;
    this.scheduled = 0; // notes scheduled so far (for tests)
    this.timer = null;
  }

  // Turn sound on or off; the AudioContext is made on the first "on" (a user gesture).
  setOn(on) {
    this.on = on;
    if (on && !this.ctx) {
      this.ctx = new AudioContext();
      this.master = this.ctx.createGain();
      this.master.gain.value = VOLUME;
      this.master.connect(this.ctx.destination);
    }
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    this.master.gain.cancelScheduledValues(now);
    this.master.gain.setTargetAtTime(on ? VOLUME : 0, now, 0.05);
    if (on) this.ctx.resume();
    if (!on) this.stopPhrase(false);
  }

  // The pen moved: speed in canvas-widths per second, height as a share of the paper.
  penMove(speed, height) {
    if (!this.on) return;
    this.height = height;
    // slow pen: about 0.55 s a beat; fast pen: about 0.18 s
    const target = Math.max(0.18, Math.min(0.55, 0.55 - 0.25 * Math.min(speed, 1.5)));
    this.beat = 0.7 * this.beat + 0.3 * target;
    if (!this.drawing) {
      this.drawing = true;
      this.nextTime = Math.max(this.nextTime, this.ctx.currentTime + 0.03);
      this.timer = setInterval(() => this.#schedule(), 40);
      this.#schedule();
    }
  }

  penUp() { this.stopPhrase(true); }

  // End the phrase: with `resolve`, one last long home note; the model's memory starts afresh.
  stopPhrase(resolve) {
    clearInterval(this.timer);
    this.timer = null;
    if (this.drawing && resolve && this.on) {
      const last = this.pitches[this.pitches.length - 1] ?? 0;
      const home = Math.round(last / 12) * 12; // the tonic nearest the last note
      this.#play(TONIC + home, Math.max(this.nextTime, this.ctx.currentTime + 0.02), this.beat * 2.5);
    }
    this.drawing = false;
    this.pitches = [];
    this.durations = [];
  }

  // The pitch (semitones above the tonic) the pen's height pulls towards: high on the paper, high notes.
  #target() { return (0.5 - this.height) * 16 + 3; }

  #nextNote() {
    const { pitch, duration } = this.model;
    const pitchP = distribution(pitch, this.pitches);
    const target = this.#target();
    const weights = pitch.vocab.map((semis, i) => {
      if (!MAJOR.has(((semis % 12) + 12) % 12)) return 0; // stay in the major key
      return pitchP[i] * Math.exp(-Math.abs(semis - target) / 6); // the height nudges the register
    });
    const p = pitch.vocab[pick(weights)];
    const d = duration.vocab[pick(distribution(duration, this.durations))];
    this.pitches.push(p);
    this.durations.push(d);
    return { pitch: p, beats: Math.min(d, 2) };
  }

  #schedule() {
    if (!this.on || !this.drawing) return;
    while (this.nextTime < this.ctx.currentTime + LOOKAHEAD) {
      const note = this.#nextNote();
      const seconds = note.beats * this.beat;
      this.#play(TONIC + note.pitch, this.nextTime, seconds);
      this.nextTime += seconds;
    }
  }

  #play(midi, when, seconds) {
    const ctx = this.ctx;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "triangle";
    osc.frequency.value = 440 * 2 ** ((midi - 69) / 12);
    gain.gain.setValueAtTime(0, when);
    gain.gain.linearRampToValueAtTime(0.9, when + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.001, when + seconds * 1.4 + 0.05);
    osc.connect(gain).connect(this.master);
    osc.start(when);
    osc.stop(when + seconds * 1.4 + 0.1);
    this.scheduled++;
  }
}
