"""A literal NumPy transcription of @magenta/sketch's ``SketchRNN`` (sketch/src/sketch_rnn/model.ts), one row
at a time, for equivalence tests: ``update`` (BasicLSTMCell, forget bias 1), ``get_pdf`` and ``sample``.

Only the source of randomness differs: ``sample`` takes its uniforms (mixture, pen, Box-Muller pair)
as an argument, in the engine's layout, so both can be driven by the same numbers.
"""

import numpy as np


def sigmoid(x):
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def update(weights, scale_factor, stroke, c, h):
    """SketchRNN.update: stroke [dx, dy, p1, p2, p3] in box units -> new (c, h)."""
    x = np.array([stroke[0] / scale_factor, stroke[1] / scale_factor, stroke[2], stroke[3], stroke[4]])
    kernel = np.concatenate([weights["lstm_w_xh"], weights["lstm_w_hh"]], axis=0).astype(np.float64)
    z = np.concatenate([x, h]) @ kernel + weights["lstm_bias"]
    i, j, f, o = np.split(z, 4)
    c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
    return c, np.tanh(c) * sigmoid(o)


def softmax(z):
    """Plain softmax."""
    e = np.exp(z - z.max())
    return e / e.sum()


def get_pdf(weights, h, temperature):
    """SketchRNN.getPDF: (pi, mu_x, mu_y, sigma_x, sigma_y, corr, pen)."""
    z = h @ weights["output_w"].astype(np.float64) + weights["output_b"]
    raw_pen, rest = z[:3], z[3:]
    raw_pi, mu1, mu2, raw_s1, raw_s2, raw_corr = np.split(rest, 6)
    soft = 0.5 + 0.5 * temperature
    return (softmax(raw_pi / soft), mu1, mu2, np.exp(raw_s1) * np.sqrt(temperature),
            np.exp(raw_s2) * np.sqrt(temperature), np.tanh(raw_corr), softmax(raw_pen / soft))


def sample_softmax(p, u):
    """support.sampleSoftmax: first index whose running sum reaches u."""
    return int(np.argmax(np.cumsum(p) >= u))


def sample(pdf, u, scale_factor):
    """SketchRNN.sample with given uniforms u (4,) -> [dx, dy, p1, p2, p3] in box units."""
    pi, mu1, mu2, s1, s2, corr, pen = pdf
    k = sample_softmax(pi, u[0])
    pen_state = np.zeros(3)
    pen_state[sample_softmax(pen, u[1])] = 1.0
    r = np.sqrt(-2.0 * np.log(1.0 - u[2]))
    z1, z2 = r * np.cos(2 * np.pi * u[3]), r * np.sin(2 * np.pi * u[3])
    x = np.sqrt(1 - corr[k] ** 2) * s1[k] * z1 + corr[k] * s1[k] * z2 + mu1[k]
    y = s2[k] * z2 + mu2[k]
    return np.concatenate([[x * scale_factor, y * scale_factor], pen_state])


def continue_drawing(weights, scale_factor, stroke5, noise, temperature, steps):
    """The demos' recipe: update on the start token and all rows but the last, then sample from the last."""
    n = weights["lstm_w_hh"].shape[0]
    c, h = np.zeros(n), np.zeros(n)
    seq = [np.array([0.0, 0.0, 1.0, 0.0, 0.0])] + [np.asarray(r, np.float64) for r in stroke5]
    for row in seq[:-1]:
        c, h = update(weights, scale_factor, row, c, h)
    x, out = seq[-1], []
    for t in range(steps):
        c, h = update(weights, scale_factor, x, c, h)
        x = sample(get_pdf(weights, h, temperature), noise[t], scale_factor)
        out.append(x)
    return np.array(out)
