"""Every knob of the engine's sampling and selection, and the API's defaults, in one table (as Magenta's hparams).

One line per knob: what it means, and the study that chose it (its figures are in that study's notes,
``training/NOTES.md``, the notes marked "Knob"). ``TUNING`` is the table the engine and the API use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    # sampling
    temperature_range: tuple[float, float] = (0.05, 1.5)  # careful .. wild, what a request may ask (Magenta: 0.1..1)
    default_temperature: float = 0.4  # the careful side of Magenta's demos (0.25..0.65): recognisable, not rigid
    scratch_fill: float = 0.8  # a drawing from scratch fills at most this share of the canvas
    # Finish and Show me more (evaluate_fit on the valid split)
    candidates_min: int = 8  # candidates sampled for one ending
    candidates_per_ending: int = 3  # ... and at least this many per ending shown
    recognise_min: int = 4  # candidates the classifier judges for one ending, the best by looks
    recognise_per_ending: float = 1.5  # ... and at least this many per ending shown
    # how an ending is scored among those on the paper (fitting.Look.score; evaluate_fit on the valid split)
    recognition_weight: float = 2.0  # log(the classifier's probability of the object)
    weight_over_child: float = 2.0  # the share of its ink over the child's strokes
    weight_tiny: float = 2.0  # the share of its strokes that are dots or dashes
    weight_degenerate: float = 3.0  # adding almost no ink (less than degenerate_ink)
    weight_size_error: float = 0.5  # |log(its extent / the guessed whole's)|
    # what an ending's look measures (fitting)
    min_whole: float = 0.12  # the guessed whole is at least this share of the paper's shorter side
    max_whole: float = 1.0  # ... and at most the paper's shorter side, unless the part drawn is already larger
    overlap_near: float = 1 / 40  # an ending point this near (share of the whole's extent) the child's ink is over it
    tiny_stroke: float = 8 / 255  # a stroke with less ink than this share of the whole's extent is a dot or a dash
    degenerate_ink: float = 0.12  # an ending with less ink than this share of the whole's extent adds nothing
    similar_grid: int = 12  # endings are compared as occupancy grids of this many cells a side
    # Draw with me's hint (studies.tune_hint on the valid split)
    hint_candidates: int = 144  # next strokes sampled for one hint (passes of at most 64 rows)
    hint_temperatures: tuple[float, ...] = (1.0, 0.625, 1.5)  # candidate i at the request's temperature x this[i % 3]
    hint_judged: int = 64  # the best-looking ones also judged by the classifier (child + stroke is the object)
    hint_mirror: bool = False  # ... one look each (not also mirrored)
    hint_recognition: float = 4.0  # ... its log-probability's weight in the hint's score
    # What could it become? (evaluate_imagine on the valid split)
    imagine_count: int = 6  # objects offered (the API's default)
    imagine_plausible: float = 5 / 6  # this share of them are the classifier's likeliest, the rest for variety
    imagine_candidates: int = 8  # each object's ending chosen from this many candidates ...
    imagine_judged: int = 4  # ... the best-looking of them judged by the classifier
    imagine_threads: int = 2  # objects sampled at once
    # Buddy redraws it (evaluate_redraw on the valid split's birds, cats and owls)
    redraw_count: int = 3  # versions shown (the API's default)
    redraw_candidates_per: int = 12  # candidates sampled per version shown ...
    redraw_candidates_max: int = 64  # ... at most this many, one batch
    redraw_judged_share: int = 8  # the nearest 1/this of them (by shape) also judged by the classifier ...
    redraw_recognised: float = 0.01  # ... scoring this much more for its probability of the object
    # Morph (evaluate_redraw on the valid split's birds, cats and owls)
    morph_frames: int = 9  # frames from one drawing to the other (the API's default)
    morph_temperature: float = 0.1  # frames are decoded this carefully (as sketch-rnn's notebook interpolates)
    morph_rows: int = 32  # candidates sampled in one batch, an equal share per frame
    morph_near_progress: float = 4.0  # weight: as far along towards the other drawing as the frame's place
    morph_recognised: float = 1.0  # weight: looking like the object (for the morph_judged best-looking per frame)
    morph_judged: int = 3
    morph_near_previous: float = 1.0  # weight: looking like the frame before it (a flip-book, not a slide show)
    morph_backward: float = 32.0  # the cost of each step back towards the child's drawing


TUNING = Tuning()
