"""The melody model learns the tunes: it predicts held-out tunes better than uniform and unigram baselines,
its generated notes stay in range, and the shipped file is the model the training code makes."""

import json
import math
import random
from pathlib import Path

import pytest

from training.train_melody import Chain, MelodyModel, choose_order, evaluate, perplexity, split
from training.tunes import TUNES, corpus, midi, parse

ROOT = Path(__file__).resolve().parents[1]


def test_note_names_and_parsing():
    assert midi("C4") == 60 and midi("A4") == 69 and midi("F#3") == 54 and midi("Bb4") == 70
    assert parse("C4", "C4:1 G3:0.5 E5:2") == [(0, 1.0), (-5, 0.5), (16, 2.0)]


def test_the_corpus_is_a_few_dozen_tunes_in_a_singable_range():
    tunes = corpus()
    assert len(tunes) >= 30
    for name, tune in tunes.items():
        assert len(tune) >= 12, name
        assert all(-12 <= p <= 19 and 0 < d <= 4 for p, d in tune), name


def test_probabilities_sum_to_one_for_any_context():
    chain = Chain(order=2).fit([[0, 2, 4, 0], [4, 5, 7], [7, 9, 7, 5, 4]])
    for context in ([], [0], [4, 5], [99, 98]):
        assert sum(chain.prob(t, context) for t in chain.vocab) == pytest.approx(1.0)


def test_markov_beats_the_uniform_and_unigram_baselines_on_held_out_tunes():
    train, test, held = split(corpus())
    assert held and not set(held) & {n for n in TUNES if corpus()[n] in train}
    order, _ = choose_order(train)
    figures = evaluate(train, test, order)
    assert figures["markov"] < figures["unigram"] < figures["uniform"]


def test_a_model_that_learnt_nothing_is_no_better_than_uniform():
    train, test, _ = split(corpus())
    shuffled = [[(p, d) for p, d in random.Random(i).sample(t, len(t))] for i, t in enumerate(train)]
    order, _ = choose_order(train)
    assert perplexity(MelodyModel(order).fit(train), test) < perplexity(MelodyModel(order).fit(shuffled), test)


def sample_notes(model_json, n, seed=0):
    """Generate notes from the exported JSON the way static/js/music.js does (major scale only)."""
    rng = random.Random(seed)
    chains = {}
    for part in ("pitch", "duration"):
        doc = model_json[part]
        chain = Chain(doc["order"])
        chain.vocab = doc["vocab"]
        for ctx, counts in doc["counts"].items():
            for token, count in counts.items():
                chain.counts[ctx][type(doc["vocab"][0])(float(token)) if part == "duration" else int(token)] = count
        chains[part] = chain
    pitches, durations = [], []
    for _ in range(n):
        weights = [chains["pitch"].prob(p, pitches) * (p % 12 in {0, 2, 4, 5, 7, 9, 11}) for p in chains["pitch"].vocab]
        pitches.append(rng.choices(chains["pitch"].vocab, weights)[0])
        durations.append(rng.choices(chains["duration"].vocab,
                                     [chains["duration"].prob(d, durations) for d in chains["duration"].vocab])[0])
    return pitches, durations


def test_the_shipped_model_is_what_training_makes_and_plays_in_range(tmp_path):
    from training.train_melody import main

    main(["--out", str(tmp_path / "melody.json")])
    made = json.loads((tmp_path / "melody.json").read_text())
    shipped = json.loads((ROOT / "models" / "melody.json").read_text())
    assert made == shipped
    pitches, durations = sample_notes(shipped, 300)
    assert all(-12 <= p <= 19 and p % 12 in {0, 2, 4, 5, 7, 9, 11} for p in pitches)
    assert all(0 < d <= 4 for d in durations)
    assert len(set(pitches)) >= 5  # a melody, not one note
    held = shipped["held_out"]["perplexity_per_note"]
    assert held["markov"] < held["unigram"] < held["uniform"] and math.isfinite(held["markov"])
