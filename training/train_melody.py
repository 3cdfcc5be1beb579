"""Train the melody model that plays along while a child draws, and export it to ``models/melody.json``.

    python -m training.train_melody

The model: two variable-order Markov chains with Witten-Bell interpolation (each order's estimate is mixed with
the next-shorter context's, down to a smoothed unigram and a uniform floor) - one over pitch (semitones above
the tune's tonic, so every tune counts in every key), one over duration (beats). A note's probability is
P(pitch | previous pitches) x P(duration | previous durations). The browser (``static/js/music.js``) samples
from the same counts with the same formula, keeping only notes of the major scale.

Evaluation: per-note perplexity on held-out tunes (every fifth tune of ``training/tunes.py``), against a
uniform model and a unigram model over the same vocabularies.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

from training.paths import ROOT
from training.tunes import corpus

ORDER = 2  # longest context, in notes (the default; training chooses it by cross-validation)


def _key(context) -> str:
    return ",".join(str(x) for x in context)


class Chain:
    """A variable-order Markov chain over one token stream, Witten-Bell interpolated."""

    def __init__(self, order: int = ORDER):
        self.order = order
        self.vocab: list = []
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def fit(self, sequences) -> Chain:
        vocab = set()
        for seq in sequences:
            vocab.update(seq)
            for i, token in enumerate(seq):
                for k in range(self.order + 1):
                    if i - k < 0:
                        break
                    self.counts[_key(seq[i - k:i])][token] += 1
        self.vocab = sorted(vocab)
        return self

    def prob(self, token, context) -> float:
        """P(token | the last ``order`` tokens of context)."""
        context = list(context)[-self.order:] if self.order else []
        p = 1.0 / len(self.vocab)  # the uniform floor
        for k in range(0, len(context) + 1):  # from the empty context up to the longest
            counts = self.counts.get(_key(context[len(context) - k:]))
            if not counts:
                break  # a longer context was never seen either
            total, types = sum(counts.values()), len(counts)
            p = (counts.get(token, 0) + types * p) / (total + types)
        return p

    def to_json(self) -> dict:
        return {"order": self.order, "vocab": self.vocab,
                "counts": {ctx: dict(sorted((str(t), c) for t, c in counter.items()))
                           for ctx, counter in sorted(self.counts.items())}}


class MelodyModel:
    """Pitch chain x duration chain."""

    def __init__(self, order: int = ORDER):
        self.pitch, self.duration = Chain(order), Chain(order)

    def fit(self, tunes) -> MelodyModel:
        self.pitch.fit([[p for p, _ in tune] for tune in tunes])
        self.duration.fit([[d for _, d in tune] for tune in tunes])
        return self

    def log_prob(self, tune) -> float:
        """Natural log-probability of a tune, note by note (unseen pitches or durations get the floor)."""
        pitches, durations = [p for p, _ in tune], [d for _, d in tune]
        total = 0.0
        for i in range(len(tune)):
            total += math.log(self._known(self.pitch, pitches[i], pitches[:i]))
            total += math.log(self._known(self.duration, durations[i], durations[:i]))
        return total

    @staticmethod
    def _known(chain: Chain, token, context) -> float:
        p = chain.prob(token, context)
        return p if token in chain.vocab else 1.0 / (len(chain.vocab) + 1)  # an unseen token: below the floor

    def to_json(self) -> dict:
        return {"pitch": self.pitch.to_json(), "duration": self.duration.to_json()}


def perplexity(model, tunes) -> float:
    """exp(-mean log-probability per note)."""
    notes = sum(len(t) for t in tunes)
    return math.exp(-sum(model.log_prob(t) for t in tunes) / notes)


def split(tunes: dict) -> tuple[list, list, list[str]]:
    """Every fifth tune (in the corpus's order) is held out."""
    names = list(tunes)
    held = [n for i, n in enumerate(names) if i % 5 == 4]
    return [tunes[n] for n in names if n not in held], [tunes[n] for n in held], held


def choose_order(train, orders=range(1, 6), folds: int = 4) -> tuple[int, dict]:
    """The context length with the lowest cross-validated perplexity on the training tunes only."""
    scores = {}
    for order in orders:
        logp = notes = 0.0
        for f in range(folds):
            fit = [t for i, t in enumerate(train) if i % folds != f]
            val = [t for i, t in enumerate(train) if i % folds == f]
            model = MelodyModel(order).fit(fit)
            logp += sum(model.log_prob(t) for t in val)
            notes += sum(len(t) for t in val)
        scores[order] = round(math.exp(-logp / notes), 3)
    return min(scores, key=scores.get), scores


def evaluate(train, test, order: int) -> dict:
    """Perplexity of the Markov model and of the two baselines on held-out tunes."""
    model = MelodyModel(order).fit(train)
    unigram = MelodyModel(order=0).fit(train)
    pitch_vocab, duration_vocab = len(model.pitch.vocab), len(model.duration.vocab)

    class Uniform:
        @staticmethod
        def log_prob(tune):
            return -len(tune) * math.log((pitch_vocab + 1) * (duration_vocab + 1))

    return {"markov": round(perplexity(model, test), 3), "unigram": round(perplexity(unigram, test), 3),
            "uniform": round(perplexity(Uniform, test), 3), "held_out_notes": sum(len(t) for t in test)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "melody.json")
    args = parser.parse_args(argv)
    tunes = corpus()
    train, test, held = split(tunes)
    order, cv = choose_order(train)
    metrics = evaluate(train, test, order)
    model = MelodyModel(order).fit(list(tunes.values()))  # the shipped model learns every tune
    doc = {"format": "doodle-buddy-melody", "format_version": 1, "trained_by": "python -m training.train_melody",
           "model": "variable-order Markov chains (Witten-Bell), pitch in semitones above the tonic x duration "
                    "in beats", **model.to_json(),
           "corpus": {"tunes": len(tunes), "notes": sum(len(t) for t in tunes.values()), "names": list(tunes),
                      "license": "traditional melodies, public domain; transcribed by the project"},
           "order_chosen": {"order": order, "cross_validated_perplexity": cv},
           "held_out": {"tunes": held, "perplexity_per_note": metrics}}
    args.out.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"melody: order {order} (4-fold CV on the training tunes: {cv}); {len(tunes)} tunes, "
          f"held-out perplexity per note: Markov {metrics['markov']}, "
          f"unigram {metrics['unigram']}, uniform {metrics['uniform']} -> {args.out} "
          f"({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
