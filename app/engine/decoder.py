"""Sketch-rnn decoder: its hyper-parameters, its two file formats, and its math as pure steps plus one loop.

The decoder is the "gen" (decoder-only) model of sketch-rnn (Ha & Eck, 2017, arXiv:1704.03477): one LSTM
whose output parameterises a mixture of bivariate Gaussians for the next offset and a softmax over three pen
states. The step functions below are the math of sketch-rnn-js (@magenta/sketch ``SketchRNN.update``,
``getPDF`` and ``sample``), batched; ``sample_loop`` is the one loop every feature uses, compiled with XLA.

Randomness is drawn up front in NumPy, per row from that row's seed, as a table of uniforms (steps, 4):
the loop is then a pure function of its inputs, a batch of N rows equals N single runs with the same seeds,
and the same seed gives the same drawing whatever the batch or the length cap.
"""

from __future__ import annotations

import base64
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from app.engine.strokes import stroke3_to_stroke5

START_TOKEN = (0.0, 0.0, 1.0, 0.0, 0.0)  # stroke-5 input of the first step: pen down at the origin
FORGET_BIAS = 1.0  # added to the forget gate, as in TensorFlow's BasicLSTMCell that trained Google's models
GEN_JSON_DATA_SCALE = 2.8  # Google's training drawings were ~2.8x our 0..255 box (max-likelihood fit, below)
GEN_JSON_WEIGHT_SCALE = 10.0 / 32767.0  # .gen.json stores weights as int16 q, float = q * 10 / 32767
WEIGHT_NAMES = ("output_w", "output_b", "lstm_w_xh", "lstm_w_hh", "lstm_bias")  # order of .gen.json blobs
# a sketch VAE (``DecoderConfig.z_size`` > 0) also has: z's part of the decoder's input weights, the initial state
# from z, and the encoder (a bidirectional LSTM, forward and backward, then mu and log sigma^2 of z)
VAE_WEIGHT_NAMES = ("lstm_w_zh", "init_w", "init_b", "enc_fw_w_xh", "enc_fw_w_hh", "enc_fw_bias",
                    "enc_bw_w_xh", "enc_bw_w_hh", "enc_bw_bias", "mu_w", "mu_b", "presig_w", "presig_b")
NOISE_COLUMNS = 4  # uniforms per step: mixture pick, pen pick, two for the Box-Muller normal pair
# log sigma (model units) and rho are clipped to these in training, serving, evaluation and distillation alike
# (``mixture_coef``), so the loss a model trains on is the loss the engine measures and the mixture it samples
LOG_SIGMA_MIN, LOG_SIGMA_MAX = -12.0, 8.0
RHO_MAX = 0.99999


@dataclass(frozen=True)
class DecoderConfig:
    """Hyper-parameters of a decoder; shared by training (``training/``) and serving (``app/``)."""

    num_units: int = 512  # LSTM width; Google's published decoders use 512, ours may be smaller (64..1024)
    num_mixtures: int = 20  # Gaussian mixture components per offset (sketch-rnn uses 20)
    input_dim: int = 5  # stroke-5 input [dx, dy, p_down, p_up, p_end]; fixed by the format
    z_size: int = 0  # latent vector of a sketch VAE (sketch-rnn: 128); 0 = a decoder alone (no encoder, no z)
    enc_units: int = 0  # the VAE encoder's LSTM width per direction (sketch-rnn: 256)


def weight_names(config: DecoderConfig) -> tuple[str, ...]:
    """The weights a decoder of this config has: the decoder's, plus the VAE's when it has a z."""
    return WEIGHT_NAMES + (VAE_WEIGHT_NAMES if config.z_size else ())


@dataclass
class Decoder:
    """A loaded decoder: config, weights (float32 arrays) and the values computed from its training data."""

    name: str  # the object it draws, e.g. "cat" (Quick, Draw! word with spaces as underscores)
    config: DecoderConfig
    scale_factor: float  # std of the training offsets, in data units: the model sees data_dx / scale_factor
    max_seq_len: int  # longest training drawing in stroke-5 steps; caps the length of a drawing
    weights: dict[str, np.ndarray]  # WEIGHT_NAMES -> float32 arrays (shapes as in the .gen.json)
    meta: dict = field(default_factory=dict)  # provenance, training data, metrics (free-form, JSON-able)
    data_scale: float = 1.0  # units of the training data per box unit (1 for ours; see GEN_JSON_DATA_SCALE)
    # the weights as TensorFlow constants, made on first use; set to None after changing ``weights``
    tensors: dict | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def box_scale_factor(self) -> float:
        """Box units per model unit: the model sees box_dx / box_scale_factor."""
        return self.scale_factor / self.data_scale

    @property
    def output_dim(self) -> int:
        """Width of the output layer: 3 pen logits + 6 numbers per mixture component."""
        return 3 + 6 * self.config.num_mixtures


def load_gen_json(path: str | os.PathLike) -> Decoder:
    """Load one of Google's published sketch-rnn-js decoders (``<name>.gen.json``) exactly as published."""
    info, shapes, blobs = json.loads(Path(path).read_text())
    if len(shapes) != len(WEIGHT_NAMES) or str(info.get("mode")) not in ("2", "gen"):
        raise ValueError(f"{path}: not a sketch-rnn decoder-only (gen) model")
    weights = {}
    for name, shape, blob in zip(WEIGHT_NAMES, shapes, blobs):
        q = np.frombuffer(base64.b64decode(blob), dtype="<i2")
        weights[name] = (q.astype(np.float32) * np.float32(GEN_JSON_WEIGHT_SCALE)).reshape(shape)
    num_units = shapes[0][0]
    config = DecoderConfig(num_units=num_units, num_mixtures=(shapes[1][0] - 3) // 6, input_dim=shapes[2][0])
    meta = {"source": "google-magenta", "format": "gen.json", "version": info.get("version"),
            "license": "Apache-2.0", "file": Path(path).name}
    meta["data_scale_note"] = ("drawings are scaled by data_scale before the model sees them: Google's training "
                               "data was not in the 0..255 box (python -m training.studies.data_scale)")
    decoder = Decoder(info["name"], config, float(info["scale_factor"]), int(info["max_seq_len"]), weights, meta,
                      data_scale=GEN_JSON_DATA_SCALE)
    check_shapes(decoder)
    return decoder


def save_decoder(decoder: Decoder, path: str | os.PathLike, dtype=np.float16) -> None:
    """Save a decoder in the project's self-describing format: one ``.npz`` of weights plus a JSON header."""
    header = {"format": "doodle-buddy-decoder", "format_version": 1, "name": decoder.name,
              "config": asdict(decoder.config), "scale_factor": decoder.scale_factor,
              "max_seq_len": decoder.max_seq_len, "data_scale": decoder.data_scale, "meta": decoder.meta}
    arrays = {name: decoder.weights[name].astype(dtype) for name in weight_names(decoder.config)}
    with open(path, "wb") as fh:
        np.savez_compressed(fh, header=np.array(json.dumps(header)), **arrays)


def load_decoder_npz(path: str | os.PathLike) -> Decoder:
    """Load a decoder saved by ``save_decoder`` (float16 or float32 weights)."""
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"]))
        if header.get("format") != "doodle-buddy-decoder":
            raise ValueError(f"{path}: not a Doodle Buddy decoder file")
        config = DecoderConfig(**header["config"])
        weights = {name: data[name].astype(np.float32) for name in weight_names(config)}
    decoder = Decoder(header["name"], config, float(header["scale_factor"]),
                      int(header["max_seq_len"]), weights, header.get("meta", {}), float(header["data_scale"]))
    check_shapes(decoder)
    return decoder


def load_decoder(path: str | os.PathLike) -> Decoder:
    """Load a decoder from either format, chosen by the file name."""
    if str(path).endswith(".gen.json"):
        return load_gen_json(path)
    if str(path).endswith(".npz"):
        return load_decoder_npz(path)
    raise ValueError(f"{path}: unknown decoder format (expected .gen.json or .npz)")


def check_shapes(decoder: Decoder) -> None:
    """Raise ValueError unless the weights have the shapes the config implies."""
    h, d, o = decoder.config.num_units, decoder.config.input_dim, decoder.output_dim
    expected = {"output_w": (h, o), "output_b": (o,), "lstm_w_xh": (d, 4 * h), "lstm_w_hh": (h, 4 * h),
                "lstm_bias": (4 * h,)}
    z, e = decoder.config.z_size, decoder.config.enc_units
    if z:
        expected.update({"lstm_w_zh": (z, 4 * h), "init_w": (z, 2 * h), "init_b": (2 * h,),
                         "mu_w": (2 * e, z), "mu_b": (z,), "presig_w": (2 * e, z), "presig_b": (z,)})
        for side in ("fw", "bw"):
            expected.update({f"enc_{side}_w_xh": (d, 4 * e), f"enc_{side}_w_hh": (e, 4 * e),
                             f"enc_{side}_bias": (4 * e,)})
    for name, shape in expected.items():
        if decoder.weights[name].shape != shape:
            raise ValueError(f"{decoder.name}: {name} has shape {decoder.weights[name].shape}, expected {shape}")
    if not (decoder.scale_factor > 0 and decoder.data_scale > 0):
        raise ValueError(f"{decoder.name}: scale_factor and data_scale must be positive")


def noise_table(seed, steps: int) -> np.ndarray:
    """The uniforms (steps, 4) a run with this seed consumes; a prefix of the table for any longer run."""
    return np.random.default_rng(seed).random((steps, NOISE_COLUMNS)).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# The math, as pure TensorFlow functions over batches. Shapes: B rows, H LSTM units, M mixture components.
# TensorFlow is imported lazily so that importing the app (and its pure-Python parts) stays cheap.
# ---------------------------------------------------------------------------------------------------------

def _tf():
    """Import TensorFlow on first use (it takes seconds)."""
    import tensorflow as tf

    return tf


def lstm_step(tf, weights, x, c, h, zb=0.0):
    """One LSTM step. x (B, 5) in model units, c and h (B, H) -> new (c, h). Gates in TF's i, j, f, o order.
    ``zb`` (B, 4H): a VAE's latent vector's part of the input, z @ lstm_w_zh, the same at every step (sketch-rnn
    feeds [x, z]); 0 for a decoder alone."""
    z = tf.matmul(x, weights["lstm_w_xh"]) + tf.matmul(h, weights["lstm_w_hh"]) + weights["lstm_bias"] + zb
    i, j, f, o = tf.split(z, 4, axis=1)
    c = c * tf.sigmoid(f + FORGET_BIAS) + tf.sigmoid(i) * tf.tanh(j)
    return c, tf.tanh(c) * tf.sigmoid(o)


def _safe_softmax(tf, logits):
    """Softmax that never returns NaN: non-finite logits get no mass, an all-bad row becomes uniform."""
    logits = tf.where(tf.math.is_finite(logits), logits, tf.fill(tf.shape(logits), -1e30))
    p = tf.nn.softmax(logits, axis=-1)
    p = tf.where(tf.math.is_finite(p), p, tf.zeros_like(p))
    total = tf.reduce_sum(p, axis=-1, keepdims=True)
    uniform = tf.ones_like(p) / tf.cast(tf.shape(p)[-1], p.dtype)
    return tf.where(total > 0, p / tf.maximum(total, 1e-30), uniform)


def tf_ops(tf):
    """The few array functions the mixture math needs (``mixture_coef``, ``offset_nll``), under NumPy's names,
    for TensorFlow tensors. NumPy itself and ``keras.ops`` already have these names."""
    return SimpleNamespace(split=tf.split, clip=tf.clip_by_value, tanh=tf.tanh, exp=tf.exp, log=tf.math.log,
                           max=tf.reduce_max, sum=tf.reduce_sum)


def mixture_coef(xp, out):
    """The one split of the output layer (Magenta's ``get_mixture_coef``), for serving, training, evaluation and
    distillation: raw outputs (..., 3 + 6M) -> (pen logits (..., 3), pi logits, mu_x, mu_y, log sigma_x,
    log sigma_y, rho), each of the last six (..., M); log sigma clipped to LOG_SIGMA_MIN..MAX and rho (tanh) to
    +-RHO_MAX. ``xp``: NumPy, ``keras.ops`` or ``tf_ops(tf)``."""
    pen_logits, rest = out[..., :3], out[..., 3:]
    pi_logits, mu_x, mu_y, log_sx, log_sy, rho_raw = xp.split(rest, 6, axis=-1)
    return (pen_logits, pi_logits, mu_x, mu_y, xp.clip(log_sx, LOG_SIGMA_MIN, LOG_SIGMA_MAX),
            xp.clip(log_sy, LOG_SIGMA_MIN, LOG_SIGMA_MAX), xp.clip(xp.tanh(rho_raw), -RHO_MAX, RHO_MAX))


def log_softmax(xp, v):
    """log softmax over the last axis, stable, with any of ``mixture_coef``'s namespaces."""
    shifted = v - xp.max(v, axis=-1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))


def offset_nll(xp, coef, x, y):
    """-log p(x, y) of offsets under the mixture ``coef`` (``mixture_coef``): the paper's L_s per point.
    x and y (..., 1) broadcast against the (..., M) parameters; returns (...)."""
    _, pi_logits, mu_x, mu_y, log_sx, log_sy, rho = coef
    zx = (x - mu_x) * xp.exp(-log_sx)
    zy = (y - mu_y) * xp.exp(-log_sy)
    one_minus = 1.0 - rho * rho
    log_normal = (-(zx * zx + zy * zy - 2.0 * rho * zx * zy) / (2.0 * one_minus)
                  - math.log(2.0 * math.pi) - log_sx - log_sy - 0.5 * xp.log(one_minus))
    joint = log_softmax(xp, pi_logits) + log_normal
    top = xp.max(joint, axis=-1, keepdims=True)
    return -(xp.log(xp.sum(xp.exp(joint - top), axis=-1)) + top[..., 0])


def mixture(tf, weights, h, temperature):
    """Output layer + temperature, as Magenta's JS demos: sigma * sqrt(tau); softmaxes at 0.5 + 0.5 * tau.

    h (B, H) -> dict of pi, mu_x, mu_y, sigma_x, sigma_y, rho (B, M) and pen (B, 3) probabilities. Non-finite
    outputs (broken weights) count as 0, so whatever the weights say the mixture is finite.
    """
    out = tf.matmul(h, weights["output_w"]) + weights["output_b"]
    out = tf.where(tf.math.is_finite(out), out, tf.zeros_like(out))
    pen_logits, pi_logits, mu_x, mu_y, log_sx, log_sy, rho = mixture_coef(tf_ops(tf), out)
    discrete_t = 0.5 + 0.5 * temperature
    sqrt_t = tf.sqrt(temperature)
    return {
        "pi": _safe_softmax(tf, pi_logits / discrete_t),
        "pen": _safe_softmax(tf, pen_logits / discrete_t),
        "mu_x": mu_x, "mu_y": mu_y,
        "sigma_x": tf.exp(log_sx) * sqrt_t,
        "sigma_y": tf.exp(log_sy) * sqrt_t,
        "rho": rho,
    }


def _pick(tf, probs, u):
    """Index i of a categorical sample: the first i whose cumulative probability reaches u. Never -1."""
    below = tf.cast(tf.math.cumsum(probs, axis=-1) < u[:, None], tf.int32)
    return tf.minimum(tf.reduce_sum(below, axis=-1), tf.shape(probs)[-1] - 1)


def sample_point(tf, mix, u):
    """One stroke-5 row (B, 5) in model units from the mixture, driven by uniforms u (B, 4).

    As sketch-rnn-js ``sample``/``birandn``: pick a component and a pen state, then
    x = sqrt(1 - rho^2) sx z1 + rho sx z2 + mu_x, y = sy z2 + mu_y, with (z1, z2) by Box-Muller from u.
    """
    k = _pick(tf, mix["pi"], u[:, 0])
    pen = tf.one_hot(_pick(tf, mix["pen"], u[:, 1]), 3, dtype=u.dtype)

    def at(name):
        return tf.gather(mix[name], k, axis=1, batch_dims=1)

    radius = tf.sqrt(-2.0 * tf.math.log(tf.maximum(1.0 - u[:, 2], 1e-12)))
    z1, z2 = radius * tf.cos(2.0 * np.pi * u[:, 3]), radius * tf.sin(2.0 * np.pi * u[:, 3])
    sx, sy, rho = at("sigma_x"), at("sigma_y"), at("rho")
    dx = tf.sqrt(1.0 - rho * rho) * sx * z1 + rho * sx * z2 + at("mu_x")
    dy = sy * z2 + at("mu_y")
    return tf.concat([tf.stack([dx, dy], axis=1), pen], axis=1)


def _prime_loop(weights, inputs, length, c, h, zb):
    """Run the LSTM over inputs (B, P, 5) for ``length`` steps from the state (c, h) -> (c, h) each (B, H)."""
    tf = _tf()

    def body(t, c, h):
        c, h = lstm_step(tf, weights, inputs[:, t], c, h, zb)
        return t + 1, c, h

    _, c, h = tf.while_loop(lambda t, c, h: t < length, body, (tf.constant(0), c, h))
    return c, h


def _sample_loop(weights, c, h, x, zb, noise, temperature, max_steps, stop_at_pen_up, stop_at_end):
    """The one sampling loop: from states (c, h), first inputs x (B, 5) and latent parts zb (B, 4H; zero for a
    decoder alone: ``lstm_step``), each row draws up to its own
    ``max_steps`` (B,) rows at its own ``temperature`` (B, 1): rows may come from different requests.

    noise (B, T, 4) holds each row's uniforms; T >= max(max_steps). A row stops at end-of-drawing
    (``stop_at_end``; that row is not part of the drawing) or, with ``stop_at_pen_up``, at the first
    pen-up that closes a stroke of two or more points (that row is kept).
    Returns rows (B, T, 5) in model units, lengths (B,) and finished (B,): whether the model ended the drawing.
    """
    tf = _tf()
    batch, steps = tf.shape(noise)[0], tf.shape(noise)[1]
    rows = tf.zeros(tf.stack([steps, batch, 5]), noise.dtype)  # (T, B, 5); rows not reached stay zero
    done = tf.zeros([batch], tf.bool)
    finished = tf.zeros([batch], tf.bool)
    lengths = tf.zeros([batch], tf.int32)
    in_stroke = tf.zeros([batch], tf.int32)  # points drawn so far in the current stroke

    def body(t, c, h, x, rows, done, finished, lengths, in_stroke):
        c, h = lstm_step(tf, weights, x, c, h, zb)
        y = sample_point(tf, mixture(tf, weights, h, temperature), noise[:, t])
        pen_up, pen_end = y[:, 3] > 0.5, y[:, 4] > 0.5
        ends = tf.logical_and(stop_at_end, pen_end)
        closes = tf.logical_and(stop_at_pen_up, tf.logical_and(pen_up, in_stroke >= 1))
        live = tf.logical_not(done)
        lengths += tf.cast(tf.logical_and(live, tf.logical_not(ends)), tf.int32)
        finished = tf.logical_or(finished, tf.logical_and(live, ends))
        done = tf.logical_or(done, tf.logical_or(tf.logical_or(ends, closes), t + 1 >= max_steps))
        in_stroke = tf.where(tf.logical_or(pen_up, pen_end), 0, in_stroke + 1)
        rows = tf.tensor_scatter_nd_update(rows, [[t]], y[None])
        return t + 1, c, h, y, rows, done, finished, lengths, in_stroke

    def cond(t, c, h, x, rows, done, *_):
        return tf.logical_and(t < steps, tf.logical_not(tf.reduce_all(done)))

    state = (tf.constant(0), c, h, x, rows, done, finished, lengths, in_stroke)
    _, _, _, _, rows, _, finished, lengths, _ = tf.while_loop(cond, body, state)
    return tf.transpose(rows, [1, 0, 2]), lengths, finished


# ---------------------------------------------------------------------------------------------------------
# Compiled entry points. Shapes are bucketed (powers of two) so a handful of XLA compilations serve every
# request; weights are arguments, not captured constants, so models of the same width share compilations.
# ---------------------------------------------------------------------------------------------------------

JIT_COMPILE = True  # XLA won on 2 CPU cores (training/benchmarks/engine.py); the app's JIT setting (DOODLE_JIT)
_compiled: dict[str, object] = {}


def set_jit(enabled: bool) -> None:
    """Compile the loops with XLA or as plain tf.functions (for debugging) from now on."""
    global JIT_COMPILE
    if enabled != JIT_COMPILE:
        JIT_COMPILE = enabled
        _compiled.clear()


def _compiled_fn(name):
    """The tf.function for ``name`` ("prime" or "sample"), built once per process."""
    if name not in _compiled:
        tf = _tf()
        fn = {"prime": _prime_loop, "sample": _sample_loop}[name]
        _compiled[name] = tf.function(fn, jit_compile=JIT_COMPILE)
    return _compiled[name]


def bucket(n: int, smallest: int = 16) -> int:
    """The power of two >= max(n, smallest): the padded size that shares a compilation."""
    size = smallest
    while size < n:
        size *= 2
    return size


BATCH_BUCKETS = (1, 3, 9, 16, 32, 48, 64)  # 1 = single/hint, 9 = "show me more", 48 = a redraw of 4; larger ones pooled


def batch_bucket(n: int) -> int:
    """The padded batch size for n rows."""
    return next((b for b in BATCH_BUCKETS if b >= n), bucket(n))


def _tensors(decoder: Decoder):
    """The decoder's weights as TensorFlow constants, made once per decoder."""
    if decoder.tensors is None:
        tf = _tf()
        decoder.tensors = {name: tf.constant(decoder.weights[name]) for name in WEIGHT_NAMES}
    return decoder.tensors


PRIME_ROWS = 3  # drawings primed in one pass: the engine's size hypotheses (``app.engine.fitting.whole_extents``)
PRIME_CHUNK = 64  # rows primed per compiled call; longer drawings take several calls (one compiled shape)


def prime(decoder: Decoder, stroke5: np.ndarray, z=None):
    """Prime the LSTM on a drawing in stroke-5 box units (n, 5), the recipe of Magenta's demos.

    Feed the start token and every row but the last; the last row is the first input of sampling.
    Returns (c, h, x): LSTM state (1, H) each and the next input (1, 5) in model units; for a VAE with a latent
    vector ``z`` (z_size,), (c, h, x, zb), the state starting from z (``initial_state``).
    """
    return prime_many(decoder, [stroke5], None if z is None else [z])[0]


def initial_state(decoder: Decoder, z) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A VAE's starting state from latent vectors z (B, z_size): (c, h) = split(tanh(z @ init_w + init_b)), as
    sketch-rnn's decoder, and zb = z @ lstm_w_zh, z's part of every step's input."""
    z = np.asarray(z, np.float32).reshape(-1, decoder.config.z_size)
    ch = np.tanh(z @ decoder.weights["init_w"] + decoder.weights["init_b"])
    units = decoder.config.num_units
    return ch[:, :units], ch[:, units:], z @ decoder.weights["lstm_w_zh"]


def encode(decoder: Decoder, stroke3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A VAE's encoder on one drawing (stroke-3, box units): (mu, log sigma^2) of its latent vector, each
    (z_size,). The drawing's stroke-5 rows (with the end row, model units) go through the forward LSTM in order
    and the backward LSTM in reverse; their last outputs, side by side, give mu and log sigma^2 (sketch-rnn's
    encoder). NumPy, one drawing (a real cat of 64 rows: about 10 ms here, measured while a training job ran)."""
    if not decoder.config.z_size:
        raise ValueError(f"{decoder.name}: a decoder alone has no encoder")
    rows = stroke3_to_stroke5(np.asarray(stroke3, np.float32).reshape(-1, 3), end=True).astype(np.float32)
    rows[:, :2] /= decoder.box_scale_factor
    w = decoder.weights
    ends = []
    for side, seq in (("fw", rows), ("bw", rows[::-1])):
        units = decoder.config.enc_units
        c, h = np.zeros(units, np.float32), np.zeros(units, np.float32)
        w_xh, w_hh, bias = w[f"enc_{side}_w_xh"], w[f"enc_{side}_w_hh"], w[f"enc_{side}_bias"]
        for x in seq:
            i, j, f, o = np.split(x @ w_xh + h @ w_hh + bias, 4)
            c = c * _sigmoid(f + FORGET_BIAS) + _sigmoid(i) * np.tanh(j)
            h = np.tanh(c) * _sigmoid(o)
        ends.append(h)
    both = np.concatenate(ends)
    return both @ w["mu_w"] + w["mu_b"], both @ w["presig_w"] + w["presig_b"]


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * v) + 1.0)


def prime_many(decoder: Decoder, drawings: list[np.ndarray], zs=None) -> list[tuple]:
    """``prime`` for several drawings of the same number of rows (the child's drawing at several scales), in one
    pass padded to ``PRIME_ROWS`` rows (one compiled shape). Returns one (c, h, x) per drawing, or, with one
    latent vector per drawing in ``zs`` (a VAE), one (c, h, x, zb)."""
    tf = _tf()
    rows = [np.asarray(d, np.float32).reshape(-1, 5).copy() for d in drawings]
    if len({len(r) for r in rows}) != 1:
        raise ValueError("prime_many needs drawings of the same number of rows")
    if (zs is not None) != bool(decoder.config.z_size):
        raise ValueError(f"{decoder.name}: " + ("a VAE needs a latent vector z" if decoder.config.z_size
                                                else "a decoder alone takes no latent vector z"))
    length = len(rows[0])  # start token + all rows but the last
    batch = max(PRIME_ROWS, len(rows))
    inputs = np.zeros((batch, length, 5), np.float32)
    nexts = []
    for i, r in enumerate(rows):
        r[:, :2] /= decoder.box_scale_factor
        seq = np.concatenate([np.asarray([START_TOKEN], np.float32), r])
        inputs[i] = seq[:-1]
        nexts.append(seq[-1:])
    units = decoder.config.num_units
    c, h, zb = (np.zeros((batch, n), np.float32) for n in (units, units, 4 * units))
    if zs is not None:
        c[:len(rows)], h[:len(rows)], zb[:len(rows)] = initial_state(decoder, np.stack(zs))
    c, h, zb_tensor = tf.constant(c), tf.constant(h), tf.constant(zb)
    for start in range(0, length, PRIME_CHUNK):  # fixed-size chunks: one compiled shape for any length
        chunk = np.zeros((batch, PRIME_CHUNK, 5), np.float32)
        part = inputs[:, start:start + PRIME_CHUNK]
        chunk[:, :part.shape[1]] = part
        c, h = _compiled_fn("prime")(_tensors(decoder), tf.constant(chunk), tf.constant(part.shape[1]), c, h,
                                     zb_tensor)
    c, h = np.asarray(c), np.asarray(h)
    if zs is None:
        return [(c[i:i + 1], h[i:i + 1], nexts[i]) for i in range(len(rows))]
    return [(c[i:i + 1], h[i:i + 1], nexts[i], zb[i:i + 1]) for i in range(len(rows))]


def steps_bucket(decoder: Decoder) -> int:
    """The padded number of sampling steps for every pass of this decoder: one compiled shape per decoder length
    (a row stops at its own cap, and the loop ends when every row has, so padding costs no steps)."""
    return bucket(decoder.max_seq_len)


def sample(decoder: Decoder, state, seeds, *, temperature: float, max_steps: int,
           stop_at_pen_up: bool = False, stop_at_end: bool = True):
    """Sample one continuation per seed, in one batch, from a primed state ``(c, h, x)``.

    Returns a list of (rows, finished): rows (L, 5) stroke-5 in box units (no end-of-drawing row),
    finished = whether the model ended the drawing before ``max_steps``.
    """
    return sample_states(decoder, [state] * len(seeds), seeds, temperature=temperature, max_steps=max_steps,
                         stop_at_pen_up=stop_at_pen_up, stop_at_end=stop_at_end)


def row_temperatures(temperature, rows: int) -> list[float]:
    """One temperature per row: ``temperature`` is one for all rows or a sequence of one per row."""
    if np.ndim(temperature) == 0:
        return [float(temperature)] * rows
    if len(temperature) != rows:
        raise ValueError(f"{len(temperature)} temperatures for {rows} rows")
    return [float(t) for t in temperature]


def sample_states(decoder: Decoder, states, seeds, *, temperature, max_steps: int,
                  stop_at_pen_up: bool = False, stop_at_end: bool = True):
    """``sample`` where row i starts from its own primed state ``states[i]`` (the engine's size hypotheses);
    ``temperature``: one for every row, or one per row. More rows than the largest of ``BATCH_BUCKETS`` run as
    several passes of at most that many (shapes the warm-up compiles); a row's result is the same either way."""
    temperatures = row_temperatures(temperature, len(seeds))
    most, out = max(BATCH_BUCKETS), []
    for start in range(0, len(seeds), most):
        end = start + most
        out += sample_rows(decoder, states[start:end], seeds[start:end], temperatures[start:end],
                           [max_steps] * len(seeds[start:end]), stop_at_pen_up=stop_at_pen_up,
                           stop_at_end=stop_at_end)
    return out


def sample_rows(decoder: Decoder, states, seeds, temperatures, max_steps, *, stop_at_pen_up: bool = False,
                stop_at_end: bool = True):
    """One batched pass where every row has its own primed state, seed, temperature and length cap (rows may
    belong to different requests). Returns ``sample``'s list, one entry per row. A row's result depends only
    on its own inputs, so pooling requests never changes what any of them gets."""
    tf = _tf()
    n = len(seeds)
    batch, steps = batch_bucket(n), max(steps_bucket(decoder), bucket(max(max_steps)))
    noise = np.zeros((batch, steps, NOISE_COLUMNS), np.float32)
    c = np.zeros((batch, decoder.config.num_units), np.float32)
    h = np.zeros_like(c)
    x = np.zeros((batch, 5), np.float32)
    zb = np.zeros((batch, 4 * decoder.config.num_units), np.float32)  # a VAE's z part (zero for a decoder alone)
    temperature = np.ones((batch, 1), np.float32)
    caps = np.zeros(batch, np.int32)  # padding rows stop at once
    for i, (state, seed) in enumerate(zip(states, seeds)):
        noise[i] = noise_table(seed, steps)
        c[i], h[i], x[i] = (np.asarray(a, np.float32).reshape(-1) for a in state[:3])
        if len(state) > 3:
            zb[i] = np.asarray(state[3], np.float32).reshape(-1)
        temperature[i], caps[i] = temperatures[i], max_steps[i]
    rows, lengths, finished = _compiled_fn("sample")(
        _tensors(decoder), tf.constant(c), tf.constant(h), tf.constant(x), tf.constant(zb), tf.constant(noise),
        tf.constant(temperature), tf.constant(caps), tf.constant(bool(stop_at_pen_up)), tf.constant(bool(stop_at_end)))
    rows, lengths, finished = rows.numpy(), lengths.numpy(), finished.numpy()
    out = []
    for i in range(n):
        r = rows[i, :lengths[i]].astype(np.float64)
        r[:, :2] *= decoder.box_scale_factor
        out.append((r, bool(finished[i])))
    return out


# ---------------------------------------------------------------------------------------------------------
# Reconstruction loss (the paper's L_R = L_s + L_p) on forced inputs (each step fed the true previous point,
# "teacher forcing" in the literature): evaluation and the loader's proof.
# ---------------------------------------------------------------------------------------------------------

def step_nll(tf, weights, h, target):
    """Per-row negative log-likelihoods of target rows (B, 5) (model units) given LSTM outputs h (B, H).

    Returns (offset_nll, pen_ce), each (B,): the mixture density NLL of [dx, dy] and the pen cross-entropy,
    both at temperature 1 (the training objective, with the training's clips: ``mixture_coef``).
    """
    xp = tf_ops(tf)
    coef = mixture_coef(xp, tf.matmul(h, weights["output_w"]) + weights["output_b"])
    pen_ce = -tf.reduce_sum(target[:, 2:] * log_softmax(xp, coef[0]), axis=1)
    return offset_nll(xp, coef, target[:, 0:1], target[:, 1:2]), pen_ce


def reconstruction_loss(decoder: Decoder, drawings: list[np.ndarray], box_units: bool = False) -> np.ndarray:
    """Mean loss per step of each drawing (stroke-3, box units) on forced inputs -> (n,) array.

    A VAE decodes each drawing from its own encoding (z = mu). A drawing of n points is n + 1 steps (the
    end-of-drawing row is predicted too): the loss is
    (sum of offset NLL over the n points + sum of pen CE over the n + 1 steps) / (n + 1), as the paper's L_R
    per step. Offsets are measured in model units (box dx / box_scale_factor); with ``box_units`` the offset
    NLL is in box units instead (+ 2 log box_scale_factor per point): that compares decoders of any scale.
    """
    tf = _tf()
    seqs = [stroke3_rows(decoder, d) for d in drawings]
    steps = max(len(s) for s in seqs)
    target = np.zeros((len(seqs), steps, 5), np.float32)
    mask = np.zeros((len(seqs), steps), np.float32)
    for i, s in enumerate(seqs):
        target[i, :len(s)] = s
        mask[i, :len(s)] = 1.0
    inputs = np.concatenate([np.tile(np.asarray(START_TOKEN, np.float32), (len(seqs), 1, 1)), target[:, :-1]], 1)
    start = None
    if decoder.config.z_size:  # a VAE: each drawing decoded from its own z = mu (its encoding)
        mus = np.stack([encode(decoder, d)[0] for d in drawings])
        start = tuple(tf.constant(v) for v in initial_state(decoder, mus))
    offset, pen = _forced_losses(_tensors(decoder), tf.constant(inputs), tf.constant(target), start)
    offset, pen = offset.numpy() * mask, pen.numpy() * mask
    is_point = mask * (1.0 - target[:, :, 4])
    if box_units:
        offset = offset + 2.0 * np.log(decoder.box_scale_factor) * is_point
    return (offset * is_point).sum(1) / mask.sum(1) + pen.sum(1) / mask.sum(1)


def stroke3_rows(decoder: Decoder, stroke3: np.ndarray) -> np.ndarray:
    """stroke-3 drawing (box units) -> stroke-5 rows with the end row, offsets in this decoder's model units."""
    rows = stroke3_to_stroke5(stroke3, end=True).astype(np.float32)
    rows[:, :2] /= decoder.box_scale_factor
    return rows


def _forced_losses(weights, inputs, target, start=None):
    """LSTM over inputs (B, T, 5) -> per-step (offset_nll, pen_ce), each (B, T). ``start``: a VAE's
    (c, h, zb) per row (``initial_state``); None for a decoder alone (a zero state, no z)."""
    tf = _tf()
    batch = tf.shape(inputs)[0]
    zero = tf.zeros(tf.stack([batch, tf.shape(weights["lstm_w_hh"])[0]]))
    c0, h0, zb = start if start is not None else (zero, zero, 0.0)

    def step(carry, xs):
        c, h = carry[0], carry[1]
        x, y = xs
        c, h = lstm_step(tf, weights, x, c, h, zb)
        offset, pen = step_nll(tf, weights, h, y)
        return c, h, offset, pen

    init = (c0, h0, tf.zeros([batch]), tf.zeros([batch]))
    _, _, offset, pen = tf.scan(step, (tf.transpose(inputs, [1, 0, 2]), tf.transpose(target, [1, 0, 2])), init)
    return tf.transpose(offset), tf.transpose(pen)
