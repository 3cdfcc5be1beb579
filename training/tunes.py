"""A small corpus of public-domain children's tunes, written down by the project as note data.

Each tune is transcribed (from the traditional melodies, simplified: one line, no ornaments, a common
key) as ``NOTE:BEATS`` tokens. NOTE is a letter with an optional ``#``/``b`` and an octave (C4 = middle C),
BEATS a duration in quarter notes. Only the melody's shape matters to the model: ``parse`` turns each tune into
(semitones above its tonic, beats) pairs, so every tune is in every key at once.
All melodies are traditional and in the public domain (most are centuries old).
"""

from __future__ import annotations

NOTE_INDEX = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# name -> (tonic, notes). Durations: 1 = quarter note.
TUNES: dict[str, tuple[str, str]] = {
    "twinkle_twinkle": ("C4", """
        C4:1 C4:1 G4:1 G4:1 A4:1 A4:1 G4:2 F4:1 F4:1 E4:1 E4:1 D4:1 D4:1 C4:2
        G4:1 G4:1 F4:1 F4:1 E4:1 E4:1 D4:2 G4:1 G4:1 F4:1 F4:1 E4:1 E4:1 D4:2
        C4:1 C4:1 G4:1 G4:1 A4:1 A4:1 G4:2 F4:1 F4:1 E4:1 E4:1 D4:1 D4:1 C4:2"""),
    "mary_had_a_little_lamb": ("C4", """
        E4:1 D4:1 C4:1 D4:1 E4:1 E4:1 E4:2 D4:1 D4:1 D4:2 E4:1 G4:1 G4:2
        E4:1 D4:1 C4:1 D4:1 E4:1 E4:1 E4:1 E4:1 D4:1 D4:1 E4:1 D4:1 C4:4"""),
    "frere_jacques": ("C4", """
        C4:1 D4:1 E4:1 C4:1 C4:1 D4:1 E4:1 C4:1 E4:1 F4:1 G4:2 E4:1 F4:1 G4:2
        G4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:1 C4:1 G4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:1 C4:1
        C4:1 G3:1 C4:2 C4:1 G3:1 C4:2"""),
    "hot_cross_buns": ("C4", """
        E4:1 D4:1 C4:2 E4:1 D4:1 C4:2 C4:0.5 C4:0.5 C4:0.5 C4:0.5 D4:0.5 D4:0.5 D4:0.5 D4:0.5
        E4:1 D4:1 C4:2"""),
    "london_bridge": ("C4", """
        G4:1.5 A4:0.5 G4:1 F4:1 E4:1 F4:1 G4:2 D4:1 E4:1 F4:2 E4:1 F4:1 G4:2
        G4:1.5 A4:0.5 G4:1 F4:1 E4:1 F4:1 G4:2 D4:2 G4:2 E4:1 C4:3"""),
    "row_your_boat": ("C4", """
        C4:1.5 C4:1.5 C4:1 D4:0.5 E4:1.5 E4:1 D4:0.5 E4:1 F4:0.5 G4:3
        C5:0.5 C5:0.5 C5:0.5 G4:0.5 G4:0.5 G4:0.5 E4:0.5 E4:0.5 E4:0.5 C4:0.5 C4:0.5 C4:0.5
        G4:1 F4:0.5 E4:1 D4:0.5 C4:3"""),
    "old_macdonald": ("C4", """
        C4:1 C4:1 C4:1 G3:1 A3:1 A3:1 G3:2 E4:1 E4:1 D4:1 D4:1 C4:3 G3:1
        C4:1 C4:1 C4:1 G3:1 A3:1 A3:1 G3:2 E4:1 E4:1 D4:1 D4:1 C4:4"""),
    "ode_to_joy": ("C4", """
        E4:1 E4:1 F4:1 G4:1 G4:1 F4:1 E4:1 D4:1 C4:1 C4:1 D4:1 E4:1 E4:1.5 D4:0.5 D4:2
        E4:1 E4:1 F4:1 G4:1 G4:1 F4:1 E4:1 D4:1 C4:1 C4:1 D4:1 E4:1 D4:1.5 C4:0.5 C4:2"""),
    "jingle_bells": ("C4", """
        E4:1 E4:1 E4:2 E4:1 E4:1 E4:2 E4:1 G4:1 C4:1.5 D4:0.5 E4:4
        F4:1 F4:1 F4:1.5 F4:0.5 F4:1 E4:1 E4:1 E4:0.5 E4:0.5 E4:1 D4:1 D4:1 E4:1 D4:2 G4:2
        E4:1 E4:1 E4:2 E4:1 E4:1 E4:2 E4:1 G4:1 C4:1.5 D4:0.5 E4:4
        F4:1 F4:1 F4:1 F4:1 F4:1 E4:1 E4:1 E4:0.5 E4:0.5 G4:1 G4:1 F4:1 D4:1 C4:4"""),
    "yankee_doodle": ("C4", """
        C4:1 C4:1 D4:1 E4:1 C4:1 E4:1 D4:1 G3:1 C4:1 C4:1 D4:1 E4:1 C4:2 B3:2
        C4:1 C4:1 D4:1 E4:1 F4:1 E4:1 D4:1 C4:1 B3:1 G3:1 A3:1 B3:1 C4:2 C4:2"""),
    "this_old_man": ("C4", """
        G4:1 E4:1 G4:2 G4:1 E4:1 G4:2 A4:1 G4:1 F4:1 E4:1 D4:1 E4:1 F4:2
        E4:1 F4:1 G4:1 C4:1 C4:1 C4:0.5 C4:0.5 C4:1 D4:1 E4:1 F4:1 G4:2
        G4:1 D4:1 D4:1 F4:1 E4:1 D4:1 C4:2"""),
    "itsy_bitsy_spider": ("C4", """
        G3:0.5 C4:1 C4:0.5 C4:1 D4:0.5 E4:1.5 E4:1 E4:0.5 D4:1 C4:0.5 D4:1 E4:0.5 C4:3
        E4:1.5 E4:1 F4:0.5 G4:3 G4:1 F4:0.5 E4:1 F4:0.5 G4:1 E4:0.5 E4:3
        C4:1.5 C4:1 D4:0.5 E4:3 E4:1 D4:0.5 C4:1 D4:0.5 E4:1 C4:0.5 C4:3"""),
    "au_clair_de_la_lune": ("C4", """
        C4:1 C4:1 C4:1 D4:1 E4:2 D4:2 C4:1 E4:1 D4:1 D4:1 C4:4
        C4:1 C4:1 C4:1 D4:1 E4:2 D4:2 C4:1 E4:1 D4:1 D4:1 C4:4
        D4:1 D4:1 D4:1 D4:1 A3:2 A3:2 D4:1 C4:1 B3:1 A3:1 G3:4
        C4:1 C4:1 C4:1 D4:1 E4:2 D4:2 C4:1 E4:1 D4:1 D4:1 C4:4"""),
    "brahms_lullaby": ("C4", """
        E4:0.5 E4:0.5 G4:2 E4:0.5 E4:0.5 G4:2 E4:0.5 G4:0.5 C5:1 B4:1 A4:1.5 G4:0.5 G4:1
        D4:0.5 E4:0.5 F4:1 D4:1 D4:0.5 E4:0.5 F4:2 D4:0.5 F4:0.5 B4:0.5 A4:0.5 G4:1 B4:1 C5:2"""),
    "happy_birthday": ("C4", """
        G3:0.75 G3:0.25 A3:1 G3:1 C4:1 B3:2 G3:0.75 G3:0.25 A3:1 G3:1 D4:1 C4:2
        G3:0.75 G3:0.25 G4:1 E4:1 C4:1 B3:1 A3:2 F4:0.75 F4:0.25 E4:1 C4:1 D4:1 C4:2"""),
    "when_the_saints": ("C4", """
        C4:1 E4:1 F4:1 G4:4 C4:1 E4:1 F4:1 G4:4 C4:1 E4:1 F4:1 G4:2 E4:2 C4:2 E4:2 D4:4
        E4:1 E4:1 D4:1 C4:3 C4:1 E4:2 G4:2 G4:1 F4:3 E4:1 F4:1 G4:2 E4:2 C4:2 D4:2 C4:4"""),
    "amazing_grace": ("C4", """
        G3:1 C4:2 E4:0.5 C4:0.5 E4:2 D4:1 C4:2 A3:1 G3:2 G3:1 C4:2 E4:0.5 C4:0.5 E4:2 D4:1 G4:3
        E4:1 G4:1.5 E4:0.5 G4:0.5 E4:0.5 C4:2 G3:1 A3:1.5 C4:0.5 C4:0.5 A3:0.5 G3:2
        G3:1 C4:2 E4:0.5 C4:0.5 E4:2 D4:1 C4:3"""),
    "kumbaya": ("C4", """
        C4:1 E4:1 G4:2 G4:2 A4:1 A4:1 G4:4 C4:1 E4:1 G4:2 G4:2 F4:1 E4:1 D4:4
        C4:1 E4:1 G4:2 G4:2 A4:1 A4:1 G4:4 F4:2 E4:2 D4:2 D4:2 C4:4"""),
    "three_blind_mice": ("C4", """
        E4:1 D4:1 C4:2 E4:1 D4:1 C4:2 G4:1 F4:0.5 F4:0.5 E4:2 G4:1 F4:0.5 F4:0.5 E4:2
        G4:0.5 C5:1 C5:0.5 B4:0.5 A4:0.5 B4:0.5 C5:1 G4:0.5 G4:1 G4:0.5 C5:1 C5:0.5 B4:0.5 A4:0.5 B4:0.5 C5:1
        G4:0.5 G4:1 F4:0.5 E4:1 D4:1 C4:2"""),
    "oh_susanna": ("C4", """
        C4:0.5 D4:0.5 E4:1 G4:1 G4:1.5 A4:0.5 G4:1 E4:1 C4:1.5 D4:0.5 E4:1 E4:1 D4:1 C4:1 D4:2
        C4:0.5 D4:0.5 E4:1 G4:1 G4:1.5 A4:0.5 G4:1 E4:1 C4:1.5 D4:0.5 E4:1 E4:1 D4:1 D4:1 C4:3"""),
    "camptown_races": ("C4", """
        G4:0.5 G4:0.5 E4:0.5 G4:0.5 A4:0.5 G4:0.5 E4:1 E4:0.5 D4:1.5 E4:0.5 D4:1.5
        G4:0.5 G4:0.5 E4:0.5 G4:0.5 A4:0.5 G4:0.5 E4:1 D4:1 E4:0.5 D4:0.5 C4:2"""),
    "alouette": ("C4", """
        C4:1 D4:0.5 E4:0.5 E4:1 E4:1 D4:0.5 C4:0.5 D4:0.5 E4:0.5 C4:1 G3:1
        C4:1 D4:0.5 E4:0.5 E4:1 E4:1 D4:0.5 C4:0.5 D4:0.5 E4:0.5 C4:2"""),
    "hush_little_baby": ("C4", """
        E4:0.5 G4:1 G4:1 G4:0.5 A4:0.5 G4:1 F4:1 F4:0.5 F4:0.5 F4:1 E4:1 D4:1 C4:2
        E4:0.5 G4:1 G4:1 G4:0.5 A4:0.5 G4:1 F4:1 F4:0.5 F4:0.5 E4:1 D4:1 D4:1 C4:2"""),
    "ring_around_the_rosie": ("C4", """
        G4:1 G4:0.5 E4:1 A4:0.5 G4:1 E4:0.5 F4:0.5 G4:1 E4:1 F4:0.5 D4:1 E4:0.5 C4:2
        G4:1 G4:0.5 E4:1 E4:0.5 G4:1 C4:0.5 C4:2"""),
    "lavenders_blue": ("C4", """
        G3:1 C4:2 C4:1 E4:2 C4:1 D4:1 C4:1 B3:1 C4:2 G3:1 A3:2 F4:1 E4:2 D4:1 C4:3"""),
    "humpty_dumpty": ("C4", """
        E4:1 G4:0.5 F4:1 A4:0.5 G4:0.5 A4:0.5 B4:0.5 C5:1.5 E4:1 G4:0.5 F4:1 A4:0.5 G4:1.5 F4:1.5
        E4:1 G4:0.5 F4:1 A4:0.5 G4:0.5 A4:0.5 B4:0.5 C5:1.5 D5:0.5 C5:0.5 B4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:3"""),
    "hickory_dickory_dock": ("C4", """
        E4:0.5 F4:0.5 G4:0.5 G4:1 A4:0.5 G4:1.5 G4:1.5 C4:0.5 D4:0.5 E4:0.5 E4:1 F4:0.5 E4:3
        E4:1 G4:0.5 C5:1 B4:0.5 A4:1 G4:0.5 F4:1 E4:0.5 D4:1 G3:0.5 C4:3"""),
    "pop_goes_the_weasel": ("C4", """
        C4:1 C4:0.5 D4:1 D4:0.5 E4:0.5 G4:0.5 E4:0.5 C4:1.5 C4:1 C4:0.5 D4:1 D4:0.5 E4:1.5 C4:1.5
        C4:1 C4:0.5 D4:1 D4:0.5 E4:0.5 G4:0.5 E4:0.5 C4:1.5 A4:1.5 D4:1 F4:0.5 E4:1.5 C4:1.5"""),
    "skip_to_my_lou": ("C4", """
        E4:1 C4:0.5 C4:0.5 E4:1 G4:1 D4:1 B3:0.5 B3:0.5 D4:1 F4:1 E4:1 C4:0.5 C4:0.5 E4:1 G4:1
        D4:1 G3:1 C4:2"""),
    "lightly_row": ("C4", """
        G4:1 E4:1 E4:2 F4:1 D4:1 D4:2 C4:1 D4:1 E4:1 F4:1 G4:1 G4:1 G4:2
        G4:1 E4:1 E4:2 F4:1 D4:1 D4:2 C4:1 E4:1 G4:1 G4:1 C4:4"""),
    "go_tell_aunt_rhody": ("C4", """
        E4:2 E4:1 D4:1 C4:2 C4:2 D4:2 D4:1 F4:1 E4:1 D4:1 C4:2 G4:2 G4:1 F4:1 E4:2 C4:2
        D4:2 D4:1 F4:1 E4:1 D4:1 C4:2"""),
    "for_hes_a_jolly_good_fellow": ("C4", """
        C4:1 E4:2 E4:1 E4:1 D4:1 E4:1 F4:3 E4:3 E4:1 D4:2 D4:1 D4:1 C4:1 D4:1 E4:3 C4:3
        C4:1 E4:2 E4:1 E4:1 D4:1 E4:1 F4:3 A4:3 A4:1 G4:1 G4:1 F4:1 D4:1 B3:1 C4:3"""),
}


def midi(note: str) -> int:
    """'C4' -> 60, 'F#3' -> 54, 'Bb4' -> 70."""
    letter, rest = note[0].upper(), note[1:]
    shift = 0
    while rest and rest[0] in "#b":
        shift += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return 12 * (int(rest) + 1) + NOTE_INDEX[letter] + shift


def parse(tonic: str, text: str) -> list[tuple[int, float]]:
    """A tune's tokens -> [(semitones above the tonic, beats)]."""
    base = midi(tonic)
    out = []
    for token in text.split():
        note, beats = token.split(":")
        out.append((midi(note) - base, float(beats)))
    return out


def corpus() -> dict[str, list[tuple[int, float]]]:
    """Every tune, parsed."""
    return {name: parse(tonic, text) for name, (tonic, text) in TUNES.items()}
