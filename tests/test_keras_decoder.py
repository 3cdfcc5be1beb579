"""The Keras decoder is the engine's decoder: the same step outputs, the same loss, and
its weights go to the engine's format and back exactly."""


import numpy as np
import pytest

from app.engine.decoder import LOG_SIGMA_MAX, LOG_SIGMA_MIN, DecoderConfig, lstm_step
from app.engine.decoder import reconstruction_loss as engine_reconstruction_loss
from tests.conftest import make_tiny_decoder, random_drawing
from training.keras_decoder import (
    build_model,
    export_weights,
    forced_inputs,
    import_weights,
    reconstruction_loss,
)
from training.train_decoder import BUCKET, Batches


def test_exported_keras_weights_give_the_engines_step_outputs():
    import tensorflow as tf

    config = DecoderConfig(num_units=8)
    model = build_model(config)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    weights = {k: tf.constant(v) for k, v in export_weights(model, config).items()}
    x = rng.normal(0, 1, (2, 6, 5)).astype(np.float32)
    keras_out = np.asarray(model(x))
    c = h = tf.zeros((2, 8))
    for t in range(6):
        c, h = lstm_step(tf, weights, tf.constant(x[:, t]), c, h)
        step_out = tf.matmul(h, weights["output_w"]) + weights["output_b"]
        np.testing.assert_allclose(step_out.numpy(), keras_out[:, t], rtol=1e-4, atol=1e-5)


def test_a_class_conditional_decoder_for_one_object_is_a_plain_decoder_with_its_embedding_in_the_bias():
    """issue 51's conditional prior: the mean embedding folded into the exported bias, plus an object's shift, gives
    exactly the Keras model's step outputs for that object."""
    import tensorflow as tf

    from training.keras_decoder import build_conditional, export_conditional

    config = DecoderConfig(num_units=8)
    model = build_conditional(config, classes=3, embedding=4)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    weights, shifts = export_conditional(model, config)
    assert shifts.shape == (3, 32) and weights["lstm_w_xh"].shape == (5, 32)
    np.testing.assert_allclose(shifts.sum(axis=0), 0.0, atol=1e-5)  # shifts from the mean embedding
    x = rng.normal(0, 1, (2, 6, 5)).astype(np.float32)
    for k in range(3):
        keras_out = np.asarray(model([x, np.full(2, k, np.int32)]))
        own = {n: tf.constant(v + (shifts[k] if n == "lstm_bias" else 0.0)) for n, v in weights.items()}
        c = h = tf.zeros((2, 8))
        for t in range(6):
            c, h = lstm_step(tf, own, tf.constant(x[:, t]), c, h)
            step_out = tf.matmul(h, own["output_w"]) + own["output_b"]
            np.testing.assert_allclose(step_out.numpy(), keras_out[:, t], rtol=1e-4, atol=1e-5)


def test_import_then_export_is_the_identity():
    tiny = make_tiny_decoder(num_units=8)
    model = build_model(tiny.config)
    import_weights(model, tiny.weights, tiny.config)
    for name, value in export_weights(model, tiny.config).items():
        np.testing.assert_allclose(value, tiny.weights[name], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("weight_scale", [0.3, 12.0])
def test_the_training_loss_is_the_engines_reconstruction_loss(weight_scale):
    """Also with weights so large that log sigma leaves LOG_SIGMA_MIN..MAX: one mixture split, one set of clips."""
    tiny = make_tiny_decoder(num_units=8, weight_scale=weight_scale)
    model = build_model(tiny.config)
    import_weights(model, tiny.weights, tiny.config)
    rng = np.random.default_rng(1)
    drawings = [random_drawing(rng, 12), random_drawing(rng, 20)]
    if weight_scale > 1:
        _, y = Batches([drawings[0]], tiny.scale_factor, 1, augmented=False).make([drawings[0]], [0], BUCKET)
        raw = np.asarray(model(forced_inputs(y[..., :5])))[..., 3:].reshape(*y.shape[:2], 6, -1)[..., 3:5, :]
        assert raw.min() < LOG_SIGMA_MIN or raw.max() > LOG_SIGMA_MAX
    engine = engine_reconstruction_loss(tiny, drawings)
    for drawing, expected in zip(drawings, engine):
        _, y = Batches([drawing], tiny.scale_factor, 1, augmented=False).make([drawing], [0], BUCKET)
        keras_loss = float(np.mean(reconstruction_loss(y, model(forced_inputs(y[..., :5])))))
        assert keras_loss == pytest.approx(float(expected), rel=1e-4)


def test_an_exported_vae_encodes_and_steps_as_keras_does():
    """The engine's NumPy encoder gives the Keras encoder's mu and log sigma^2, and the engine's decoder started
    from z (``initial_state``, z's part of every input) gives the Keras decoder's outputs at every step."""
    import tensorflow as tf

    from app.engine.decoder import Decoder, check_shapes, encode, initial_state
    from app.engine.strokes import stroke3_to_stroke5
    from training.keras_decoder import build_vae

    config = DecoderConfig(num_units=8, z_size=4, enc_units=6)
    model = build_vae(config)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    vae = Decoder("vae", config, 10.0, 60, export_weights(model, config), {})
    check_shapes(vae)
    drawing = np.array([[5, 3, 0], [10, -2, 0], [4, 4, 1], [-20, 5, 0], [3, 3, 1]], np.float32)
    rows = stroke3_to_stroke5(drawing, end=True).astype(np.float32)
    rows[:, :2] /= vae.box_scale_factor
    strokes = np.zeros((1, 9, 5), np.float32)  # zero rows after the drawing: padding the encoder skips
    strokes[0, :len(rows)] = rows
    inputs = forced_inputs(strokes)
    mu, presig = encode(vae, drawing)
    import keras

    both = keras.Model(model.inputs, [model.get_layer("mu").output, model.get_layer("presig").output])
    keras_mu, keras_presig = (np.asarray(v)[0] for v in both([strokes, inputs]))
    np.testing.assert_allclose(mu, keras_mu, atol=1e-5)
    np.testing.assert_allclose(presig, keras_presig, atol=1e-5)
    keras_out = np.asarray(model([strokes, inputs], training=False))  # not training: z = mu
    weights = {k: tf.constant(v) for k, v in vae.weights.items()}
    c, h, zb = (tf.constant(v) for v in initial_state(vae, mu[None]))
    for t in range(len(rows)):
        c, h = lstm_step(tf, weights, tf.constant(inputs[:, t]), c, h, zb)
        step_out = tf.matmul(h, weights["output_w"]) + weights["output_b"]
        np.testing.assert_allclose(step_out.numpy(), keras_out[:, t], rtol=1e-4, atol=1e-5)
    # the training's reconstruction loss is the engine's, the VAE decoding each drawing from its mu
    _, y = Batches([drawing], vae.scale_factor, 1, augmented=False).make([drawing], [0], BUCKET)
    keras_loss = float(np.mean(reconstruction_loss(y, model([y[..., :5] * y[..., 5:6], forced_inputs(y[..., :5])],
                                                             training=False))))
    assert keras_loss == pytest.approx(float(engine_reconstruction_loss(vae, [drawing])[0]), rel=1e-4)


def test_a_vae_started_from_a_decoder_draws_as_that_decoder_does_whatever_z():
    """``import_weights`` of a decoder alone into a VAE (--init-decoder): z's weights start at zero, so the VAE's
    loss on any drawing is the decoder's own, whatever the encoder says."""
    from training.keras_decoder import build_vae

    decoder = make_tiny_decoder(num_units=8, seed=2)
    config = DecoderConfig(num_units=8, z_size=4, enc_units=6)
    model = build_vae(config)
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    import_weights(model, decoder.weights, config)
    drawing = np.array([[5, 3, 0], [10, -2, 0], [4, 4, 1], [-20, 5, 0], [3, 3, 1]], np.float32)
    _, y = Batches([drawing], decoder.scale_factor, 1, augmented=False).make([drawing], [0], BUCKET)
    vae_loss = float(np.mean(reconstruction_loss(y, model([y[..., :5] * y[..., 5:6], forced_inputs(y[..., :5])],
                                                          training=False))))
    assert vae_loss == pytest.approx(float(engine_reconstruction_loss(decoder, [drawing])[0]), rel=1e-4)
    exported = export_weights(model, config)
    assert not exported["lstm_w_zh"].any() and not exported["init_w"].any()
