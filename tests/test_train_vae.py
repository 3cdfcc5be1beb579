"""Sketch VAEs (issue 31): a training run exports a VAE the app loads; the one sampling loop draws from its z."""

import json

import numpy as np
import pytest

from app.engine.decoder import encode, load_decoder, prime, sample, sample_states
from tests.conftest import write_ndjson


def circles(rng, n):
    """Closed circles of several sizes, as Quick, Draw! ndjson strokes."""
    out = []
    for _ in range(n):
        t = np.linspace(0, 2 * np.pi, 12)
        r = rng.uniform(30, 120)
        out.append([[(128 + r * np.cos(t)).round().tolist(), (128 + r * np.sin(t)).round().tolist()]])
    return out


@pytest.mark.slow
def test_a_vae_training_run_exports_a_vae_that_encodes_and_draws_from_z(tmp_path):
    from training.train_vae import main

    rng = np.random.default_rng(4)
    write_ndjson(tmp_path / "circle.ndjson", "circle", circles(rng, 60))
    args = ["circle", "--units", "8", "--z-size", "3", "--enc-units", "4", "--google-drawings", "0",
            "--batch-size", "16", "--data-dir", str(tmp_path), "--out", str(tmp_path / "vae"),
            "--runs-dir", str(tmp_path / "runs"), "--no-init-decoder"]
    main([*args, "--epochs", "1"])
    vae = load_decoder(tmp_path / "vae" / "circle.npz")
    assert vae.config.z_size == 3 and vae.config.enc_units == 4 and vae.meta["kind"] == "sketch-vae"
    assert vae.meta["recipe"]["z_size"] == 3 and vae.meta["recipe"]["real_copies"] == 1
    main([*args, "--epochs", "2", "--force"])  # resumes: one more epoch
    assert load_decoder(tmp_path / "vae" / "circle.npz").meta["training"]["epochs_run"] == 2

    drawing = np.array([[40, 0, 0], [0, 40, 0], [-40, 0, 1]], np.float32)
    mu, presig = encode(vae, drawing)
    assert mu.shape == presig.shape == (3,) and np.isfinite(mu).all()
    empty = np.zeros((0, 5))
    far = mu + 5.0
    [(a, _)] = sample(vae, prime(vae, empty, z=mu), [7], temperature=0.5, max_steps=30,
                      stop_at_end=False)
    [(b, _)] = sample(vae, prime(vae, empty, z=mu), [7], temperature=0.5, max_steps=30,
                      stop_at_end=False)
    [(c, _)] = sample(vae, prime(vae, empty, z=far), [7], temperature=0.5, max_steps=30,
                      stop_at_end=False)
    np.testing.assert_array_equal(a, b)  # the same z and seed: the same drawing
    assert len(a) == len(c) == 30 and not np.allclose(a, c)  # another z: another drawing, from the same seed
    # rows from different z in one batch are what each gets alone
    pooled = sample_states(vae, [prime(vae, empty, z=mu), prime(vae, empty, z=far)], [7, 7], temperature=0.5,
                           max_steps=30, stop_at_end=False)
    np.testing.assert_allclose(pooled[0][0], a, rtol=1e-5, atol=1e-4)  # float rounding of another batch size
    np.testing.assert_allclose(pooled[1][0], c, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="latent vector"):
        prime(vae, empty)  # a VAE needs its z


@pytest.mark.slow
def test_a_vae_can_start_from_the_objects_decoder(tmp_path):
    from app.engine.decoder import save_decoder
    from tests.conftest import make_tiny_decoder
    from training.train_vae import main

    write_ndjson(tmp_path / "circle.ndjson", "circle", circles(np.random.default_rng(4), 40))
    (tmp_path / "decoders").mkdir()
    save_decoder(make_tiny_decoder(name="circle", num_units=8), tmp_path / "decoders" / "circle.npz")
    args = ["circle", "--units", "8", "--z-size", "3", "--enc-units", "4", "--google-drawings", "0",
            "--batch-size", "16", "--data-dir", str(tmp_path), "--out", str(tmp_path / "vae"),
            "--runs-dir", str(tmp_path / "runs"), "--epochs", "1", "--init-decoder"]
    with pytest.raises(SystemExit, match="8 units"):
        main([*args, "--units", "16", "--decoder-dir", str(tmp_path / "decoders")])  # the decoder is 8 units wide
    with pytest.raises(SystemExit, match="no decoder"):
        main([*args, "--decoder-dir", str(tmp_path)])
    main([*args, "--decoder-dir", str(tmp_path / "decoders")])
    assert load_decoder(tmp_path / "vae" / "circle.npz").meta["recipe"]["init_decoder"] is True


def test_a_decoder_alone_takes_no_z_and_has_no_encoder(tiny_decoder):
    with pytest.raises(ValueError, match="no latent vector"):
        prime(tiny_decoder, np.zeros((0, 5)), z=np.zeros(3))
    with pytest.raises(ValueError, match="no encoder"):
        encode(tiny_decoder, np.array([[1.0, 1.0, 1.0]]))


def test_the_vae_recipe_is_a_file_with_the_vaes_keys_and_its_command_says_train_vae():
    from training import recipe

    values = recipe.load("vae")
    assert set(values) == set(recipe.VAE_KEYS) and values["z_size"] > 0
    assert recipe.command(["cat", "pig"], values) == "python -m training.train_vae cat pig"
    assert recipe.command(["cat"], {**values, "z_size": 32}) == "python -m training.train_vae cat --z-size 32"
    assert json.loads(json.dumps(values)) == values  # stored as is in the model file
    fresh = recipe.command(["cat"], {**values, "init_decoder": False})
    assert fresh == "python -m training.train_vae cat --no-init-decoder"
