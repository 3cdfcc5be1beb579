"""The sketch-rnn decoder as a Keras 3 model, its training loss, and its export to the engine's format.

Same math as ``app.decoder``: an LSTM over stroke-5 rows (offsets in model units) whose output layer gives
3 pen logits and 20 mixture components (pi logit, mu_x, mu_y, log sigma_x, log sigma_y, rho raw).
The loss is written with ``keras.ops`` only, so the model trains on the TensorFlow or the JAX backend.

Keras orders the LSTM gates i, f, c, o and learns the forget bias; the engine (like TensorFlow's
BasicLSTMCell behind Google's models) orders them i, j, f, o and adds a constant 1 to f. ``export_weights``
converts one into the other exactly (``tests/test_training.py`` checks the step outputs agree).
"""

from __future__ import annotations

import math

import numpy as np

from app.decoder import FORGET_BIAS, Decoder, DecoderConfig, START_TOKEN


def build_model(config: DecoderConfig, name: str = "decoder"):
    """Input (B, T, 5) stroke-5 rows in model units -> output (B, T, 3 + 6M) mixture/pen parameters."""
    import keras  # noqa: PLC0415 - TensorFlow/Keras load lazily

    inputs = keras.Input((None, config.input_dim), name="strokes")
    h = keras.layers.LSTM(config.num_units, return_sequences=True, unit_forget_bias=True, name="lstm")(inputs)
    outputs = keras.layers.Dense(3 + 6 * config.num_mixtures, name="output")(h)
    return keras.Model(inputs, outputs, name=name)


def reconstruction_loss(y_true, y_pred):
    """The paper's L_R per step: mixture NLL of each point's offset + pen cross-entropy of every step.

    y_true (B, T, 6): target stroke-5 rows plus a mask column (1 on real steps, 0 on padding).
    Returns per-step losses (B, T) scaled so that Keras' mean over all B*T entries is the mean over real steps.
    """
    from keras import ops  # noqa: PLC0415

    target, mask = y_true[..., :5], y_true[..., 5]
    pen_logits, rest = y_pred[..., :3], y_pred[..., 3:]
    pi_logits, mu_x, mu_y, log_sx, log_sy, rho_raw = ops.split(rest, 6, axis=-1)
    rho = ops.clip(ops.tanh(rho_raw), -0.99999, 0.99999)
    log_sx = ops.clip(log_sx, -12.0, 8.0)
    log_sy = ops.clip(log_sy, -12.0, 8.0)
    zx = (target[..., 0:1] - mu_x) * ops.exp(-log_sx)
    zy = (target[..., 1:2] - mu_y) * ops.exp(-log_sy)
    one_minus = 1.0 - rho * rho
    log_normal = (-(zx * zx + zy * zy - 2.0 * rho * zx * zy) / (2.0 * one_minus)
                  - math.log(2.0 * math.pi) - log_sx - log_sy - 0.5 * ops.log(one_minus))
    offset_nll = -ops.logsumexp(ops.log_softmax(pi_logits, axis=-1) + log_normal, axis=-1)
    pen_ce = -ops.sum(target[..., 2:] * ops.log_softmax(pen_logits, axis=-1), axis=-1)
    is_point = mask * (1.0 - target[..., 4])
    per_step = offset_nll * is_point + pen_ce * mask
    count = ops.cast(ops.size(mask), per_step.dtype)
    return per_step * count / ops.maximum(ops.sum(mask), 1.0)


def export_weights(model, config: DecoderConfig) -> dict[str, np.ndarray]:
    """Keras weights -> the engine's WEIGHT_NAMES arrays (gate order i, j, f, o; forget bias minus 1)."""
    lstm, dense = model.get_layer("lstm"), model.get_layer("output")
    kernel, recurrent, bias = (np.asarray(w, np.float32) for w in lstm.get_weights())
    h = config.num_units

    def reorder(w):  # Keras [i, f, c, o] -> engine [i, j(=c), f, o]
        i, f, c, o = (w[..., k * h:(k + 1) * h] for k in range(4))
        return np.concatenate([i, c, f, o], axis=-1)

    bias = reorder(bias).copy()
    bias[2 * h:3 * h] -= FORGET_BIAS
    out_w, out_b = (np.asarray(w, np.float32) for w in dense.get_weights())
    return {"output_w": out_w, "output_b": out_b, "lstm_w_xh": reorder(kernel), "lstm_w_hh": reorder(recurrent),
            "lstm_bias": bias}


def import_weights(model, weights: dict[str, np.ndarray], config: DecoderConfig) -> None:
    """The inverse of ``export_weights``: load engine weights (e.g. a teacher's) into the Keras model."""
    h = config.num_units

    def reorder(w):  # engine [i, j, f, o] -> Keras [i, f, c(=j), o]
        i, j, f, o = (w[..., k * h:(k + 1) * h] for k in range(4))
        return np.concatenate([i, f, j, o], axis=-1)

    bias = weights["lstm_bias"].copy()
    bias[2 * h:3 * h] += FORGET_BIAS
    model.get_layer("lstm").set_weights([reorder(weights["lstm_w_xh"]), reorder(weights["lstm_w_hh"]),
                                         reorder(bias)])
    model.get_layer("output").set_weights([weights["output_w"], weights["output_b"]])


def to_decoder(model, config: DecoderConfig, name: str, scale_factor: float, max_seq_len: int,
               meta: dict) -> Decoder:
    """The trained Keras model as an engine ``Decoder`` (data_scale 1: trained on 0..255 box units)."""
    return Decoder(name, config, float(scale_factor), int(max_seq_len), export_weights(model, config), meta)


def teacher_inputs(targets: np.ndarray) -> np.ndarray:
    """Teacher-forced inputs for targets (B, T, 5): the start token, then each target shifted by one."""
    start = np.broadcast_to(np.asarray(START_TOKEN, np.float32), (targets.shape[0], 1, 5))
    return np.concatenate([start, targets[:, :-1, :5]], axis=1)
