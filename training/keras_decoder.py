"""The sketch-rnn decoder as a Keras 3 model, its training loss, and its export to the engine's format.

Same math as ``app.engine.decoder``: an LSTM over stroke-5 rows (offsets in model units) whose output layer gives
3 pen logits and 20 mixture components (pi logit, mu_x, mu_y, log sigma_x, log sigma_y, rho raw).
The loss is written with ``keras.ops`` only, so the model trains on the TensorFlow or the JAX backend.

Keras orders the LSTM gates i, f, c, o and learns the forget bias; the engine (like TensorFlow's
BasicLSTMCell behind Google's models) orders them i, j, f, o and adds a constant 1 to f. ``export_weights``
converts one into the other exactly (``tests/test_keras_decoder.py`` checks the step outputs agree).
"""

from __future__ import annotations

import numpy as np

from app.engine.decoder import FORGET_BIAS, START_TOKEN, Decoder, DecoderConfig, mixture_coef, offset_nll


def build_model(config: DecoderConfig, name: str = "decoder"):
    """Input (B, T, 5) stroke-5 rows in model units -> output (B, T, 3 + 6M) mixture/pen parameters."""
    import keras

    inputs = keras.Input((None, config.input_dim), name="strokes")
    h = keras.layers.LSTM(config.num_units, return_sequences=True, unit_forget_bias=True, name="lstm")(inputs)
    outputs = keras.layers.Dense(3 + 6 * config.num_mixtures, name="output")(h)
    return keras.Model(inputs, outputs, name=name)


def build_conditional(config: DecoderConfig, classes: int, embedding: int, name: str = "prior"):
    """A class-conditional decoder (issue 51's prior variant): inputs (stroke-5 rows (B, T, 5), object indices (B,))
    -> ``build_model``'s outputs. A learnt embedding of the object (``embedding`` numbers) is read beside the rows at
    every step, so for one object it is a constant input: it folds into the LSTM's bias (``export_conditional``),
    and an object's decoder is a plain decoder of the shipped shape."""
    import keras
    from keras import ops

    strokes = keras.Input((None, config.input_dim), name="strokes")
    objects = keras.Input((), dtype="int32", name="objects")
    e = keras.layers.Embedding(classes, embedding, name="class_embedding")(objects)
    es = ops.expand_dims(e, 1) * ops.ones_like(strokes[..., :1])  # (B, T, embedding)
    joined = keras.layers.Concatenate(name="with_class")([strokes, es])
    h = keras.layers.LSTM(config.num_units, return_sequences=True, unit_forget_bias=True, name="lstm")(joined)
    outputs = keras.layers.Dense(3 + 6 * config.num_mixtures, name="output")(h)
    return keras.Model([strokes, objects], outputs, name=name)


def export_conditional(model, config: DecoderConfig) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A class-conditional decoder's weights with the mean object embedding folded into the LSTM's bias (the
    engine's arrays, as ``export_weights``'), and each object's bias shift from that mean, (objects, 4 units): an
    object's own decoder is these weights with ``lstm_bias`` + its shift (``training.train_decoder.class_decoder``)."""
    kernel, recurrent, bias = _engine_lstm(model.get_layer("lstm"))
    table = np.asarray(model.get_layer("class_embedding").get_weights()[0], np.float32)
    class_kernel = kernel[config.input_dim:]  # (embedding, 4 units): how an embedding moves the gates
    mean = table.mean(axis=0)
    out_w, out_b = (np.asarray(w, np.float32) for w in model.get_layer("output").get_weights())
    weights = {"output_w": out_w, "output_b": out_b, "lstm_w_xh": kernel[:config.input_dim],
               "lstm_w_hh": recurrent, "lstm_bias": bias + mean @ class_kernel}
    return weights, (table - mean) @ class_kernel


def build_vae(config: DecoderConfig, name: str = "vae", kl_min: float = 0.2, seed: int = 0):
    """sketch-rnn's VAE (Ha & Eck 2017): inputs (the drawing's stroke-5 rows, zero-padded (B, T, 5); the decoder's
    forced inputs (B, T, 5): the true previous points) -> the decoder's outputs (B, T, 3 + 6M), as ``build_model``'s.

    Encoder: a bidirectional LSTM over the rows (the zero rows masked), its two last outputs side by side -> mu
    and log sigma^2 of z (``z_size``). Decoder: its LSTM starts from tanh(z @ init) split into (c, h) and reads
    [x, z] at every step. The KL term, max(KL, ``kl_min``) times the layer ``kl``'s annealed weight
    (``KLAnnealing``), is added to the model's loss."""
    import keras
    from keras import ops

    strokes = keras.Input((None, config.input_dim), name="strokes")
    inputs = keras.Input((None, config.input_dim), name="inputs")
    masked = keras.layers.Masking(0.0, name="mask")(strokes)
    both = keras.layers.Bidirectional(keras.layers.LSTM(config.enc_units, unit_forget_bias=True), name="encoder")(
        masked)
    mu = keras.layers.Dense(config.z_size, name="mu")(both)
    presig = keras.layers.Dense(config.z_size, name="presig")(both)
    z = LatentSample(kl_min, seed, name="kl")([mu, presig])
    ch = keras.layers.Dense(2 * config.num_units, activation="tanh", name="init")(z)
    c0, h0 = ch[:, :config.num_units], ch[:, config.num_units:]
    zs = ops.expand_dims(z, 1) * ops.ones_like(inputs[..., :1])  # z at every step (B, T, z_size)
    joined = keras.layers.Concatenate(name="with_z")([inputs, zs])
    h = keras.layers.LSTM(config.num_units, return_sequences=True, unit_forget_bias=True, name="lstm")(
        joined, initial_state=[h0, c0])
    outputs = keras.layers.Dense(3 + 6 * config.num_mixtures, name="output")(h)
    return keras.Model([strokes, inputs], outputs, name=name)


def _latent_sample_class():
    import keras
    from keras import ops

    class LatentSample(keras.layers.Layer):
        """z = mu + sigma * eps while training (mu otherwise); adds the KL term to the model's loss."""

        def __init__(self, kl_min: float = 0.2, seed: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.kl_min, self.seed = kl_min, seed
            self.generator = keras.random.SeedGenerator(seed)
            self.weight = self.add_weight(shape=(), initializer="ones", trainable=False, name="kl_weight")

        def call(self, inputs, training=None):
            mu, presig = inputs
            kl = -0.5 * ops.mean(1.0 + presig - mu * mu - ops.exp(presig))  # per latent dimension, as sketch-rnn
            self.add_loss(self.weight * ops.maximum(kl, self.kl_min))
            if not training:
                return mu
            return mu + ops.exp(presig / 2.0) * keras.random.normal(ops.shape(mu), seed=self.generator)

        def get_config(self):
            return {**super().get_config(), "kl_min": self.kl_min, "seed": self.seed}

    return LatentSample


def LatentSample(*args, **kwargs):
    return _latent_sample_class()(*args, **kwargs)


def kl_annealing(weight: float, start: float, decay: float):
    """sketch-rnn's KL weight schedule as a callback: weight * (1 - (1 - start) * decay^step), set on the VAE's
    ``kl`` layer before every batch (the reconstruction is learnt first, the KL term comes in slowly)."""
    import keras

    class KLAnnealing(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):  # the optimizer's step count survives a resume
            step = int(self.model.optimizer.iterations.numpy())
            self.model.get_layer("kl").weight.assign(weight * (1.0 - (1.0 - start) * decay ** step))

    return KLAnnealing()


def _offset_nll(y_pred, xy):
    """Mixture NLL of offsets xy (..., 2) under the predicted mixtures (``app.engine.decoder.offset_nll``, the engine's
    own); y_pred (B, T, 3 + 6M) broadcasts over any axes xy has between T and its last (e.g. K samples per
    step: xy (B, T, K, 2) -> (B, T, K))."""
    from keras import ops

    for _ in range(len(xy.shape) - len(y_pred.shape)):  # (B, T, 3 + 6M) -> (B, T, 1, 3 + 6M)
        y_pred = ops.expand_dims(y_pred, -2)
    return offset_nll(ops, mixture_coef(ops, y_pred), xy[..., 0:1], xy[..., 1:2])


def _per_real_step(per_step, mask):
    """Scale per-step losses so that Keras' mean over all B*T entries is the mean over real steps."""
    from keras import ops

    count = ops.cast(ops.size(mask), per_step.dtype)
    return per_step * count / ops.maximum(ops.sum(mask), 1.0)


def _hard_terms(y_true, y_pred):
    """(offset NLL on points + pen CE on every real step) per step, and the mask."""
    from keras import ops

    target, mask = y_true[..., :5], y_true[..., 5]
    pen_ce = -ops.sum(target[..., 2:5] * ops.log_softmax(y_pred[..., :3], axis=-1), axis=-1)
    is_point = mask * (1.0 - target[..., 4])
    return _offset_nll(y_pred, target[..., :2]) * is_point + pen_ce * mask, mask, is_point


def reconstruction_loss(y_true, y_pred):
    """The paper's L_R per step: mixture NLL of each point's offset + pen cross-entropy of every step.

    y_true (B, T, 6): target stroke-5 rows plus a mask column (1 on real steps, 0 on padding).
    Returns per-step losses (B, T) scaled so that Keras' mean over all B*T entries is the mean over real steps.
    """
    per_step, mask, _ = _hard_terms(y_true, y_pred)
    return _per_real_step(per_step, mask)


def _engine_lstm(layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A Keras LSTM's (kernel, recurrent, bias) in the engine's layout: gates [i, j(=c), f, o], forget bias
    minus the engine's constant 1."""
    kernel, recurrent, bias = (np.asarray(w, np.float32) for w in layer.get_weights())
    h = recurrent.shape[0]

    def reorder(w):  # Keras [i, f, c, o] -> engine [i, j(=c), f, o]
        i, f, c, o = (w[..., k * h:(k + 1) * h] for k in range(4))
        return np.concatenate([i, c, f, o], axis=-1)

    bias = reorder(bias).copy()
    bias[2 * h:3 * h] -= FORGET_BIAS
    return reorder(kernel), reorder(recurrent), bias


def export_weights(model, config: DecoderConfig) -> dict[str, np.ndarray]:
    """Keras weights -> the engine's arrays (``app.engine.decoder.weight_names``; gate order i, j, f, o; forget bias
    minus 1). A VAE's decoder kernel splits into the stroke part (lstm_w_xh) and z's part (lstm_w_zh)."""
    kernel, recurrent, bias = _engine_lstm(model.get_layer("lstm"))
    out_w, out_b = (np.asarray(w, np.float32) for w in model.get_layer("output").get_weights())
    weights = {"output_w": out_w, "output_b": out_b, "lstm_w_xh": kernel[:config.input_dim],
               "lstm_w_hh": recurrent, "lstm_bias": bias}
    if config.z_size:
        weights["lstm_w_zh"] = kernel[config.input_dim:]
        encoder = model.get_layer("encoder")
        for side, layer in (("fw", encoder.forward_layer), ("bw", encoder.backward_layer)):
            weights[f"enc_{side}_w_xh"], weights[f"enc_{side}_w_hh"], weights[f"enc_{side}_bias"] = \
                _engine_lstm(layer)
        for layer in ("init", "mu", "presig"):
            weights[f"{layer}_w"], weights[f"{layer}_b"] = (np.asarray(w, np.float32)
                                                            for w in model.get_layer(layer).get_weights())
    return weights


def import_weights(model, weights: dict[str, np.ndarray], config: DecoderConfig) -> None:
    """The inverse of ``export_weights``: load engine weights (e.g. Google's decoder's) into the Keras model. A decoder
    alone's weights into a VAE (``config.z_size``) set its decoder part, with z's weights at zero: the VAE then
    starts from exactly that decoder (its LSTM from zeros, z read but weighted 0) and learns to use z."""
    h = config.num_units

    def reorder(w):  # engine [i, j, f, o] -> Keras [i, f, c(=j), o]
        i, j, f, o = (w[..., k * h:(k + 1) * h] for k in range(4))
        return np.concatenate([i, f, j, o], axis=-1)

    bias = weights["lstm_bias"].copy()
    bias[2 * h:3 * h] += FORGET_BIAS
    kernel = weights["lstm_w_xh"]
    if config.z_size:
        kernel = np.concatenate([kernel, weights.get("lstm_w_zh", np.zeros((config.z_size, 4 * h), np.float32))])
        init = model.get_layer("init")
        init.set_weights([weights.get("init_w", np.zeros(init.get_weights()[0].shape, np.float32)),
                          weights.get("init_b", np.zeros(2 * h, np.float32))])
    model.get_layer("lstm").set_weights([reorder(kernel), reorder(weights["lstm_w_hh"]), reorder(bias)])
    model.get_layer("output").set_weights([weights["output_w"], weights["output_b"]])


def to_decoder(model, config: DecoderConfig, name: str, scale_factor: float, max_seq_len: int,
               meta: dict) -> Decoder:
    """The trained Keras model as an engine ``Decoder`` (data_scale 1: trained on 0..255 box units)."""
    return Decoder(name, config, float(scale_factor), int(max_seq_len), export_weights(model, config), meta)


def forced_inputs(targets: np.ndarray) -> np.ndarray:
    """Teacher-forced inputs for targets (B, T, 5): the start token, then each target shifted by one."""
    start = np.broadcast_to(np.asarray(START_TOKEN, np.float32), (targets.shape[0], 1, 5))
    return np.concatenate([start, targets[:, :-1, :5]], axis=1)
