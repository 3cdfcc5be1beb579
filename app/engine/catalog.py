"""Display labels, picture icons and themes for the objects children can draw.

Themes group the objects into a few big picture tabs (the drawing page's picker, the teacher's classroom form), so a
child reaches any object in two taps among 86 and more. Each object belongs to one theme; an object in none (a decoder
someone added) goes to the last, "more".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str  # the theme's key, as /api/classes gives it
    label: str  # what the tab's picture means, for screen readers and the teacher's form
    icon: str  # the tab's picture (an emoji: nothing is loaded from another host)
    objects: tuple[str, ...]  # its objects (the picker sorts them by name)


THEMES = (
    Theme("animals", "animals", "🐾", (
        "cat", "dog", "rabbit", "bird", "butterfly", "elephant", "lion", "tiger", "monkey", "bear", "pig", "sheep",
        "cow", "horse", "mouse", "giraffe", "kangaroo", "rhinoceros", "frog", "duck", "owl", "parrot", "penguin",
        "flamingo", "swan", "hedgehog", "squirrel", "snail", "bee", "ant", "spider", "mosquito")),
    Theme("sea", "sea", "🌊", (
        "fish", "whale", "dolphin", "octopus", "crab", "lobster", "sea_turtle", "cruise_ship", "speedboat",
        "sailboat", "lighthouse")),
    Theme("vehicles", "vehicles", "🚗", (
        "car", "bus", "truck", "firetruck", "ambulance", "tractor", "bulldozer", "bicycle", "train", "airplane",
        "helicopter")),
    Theme("home", "home", "🏠", (
        "house", "chair", "couch", "book", "backpack", "basket", "alarm_clock", "calendar", "key", "lantern", "fan",
        "radio", "stove", "toothbrush", "toothpaste", "paintbrush", "map", "umbrella", "trombone")),
    Theme("food", "food and plants", "🍎", (
        "apple", "banana", "strawberry", "pineapple", "peas", "sandwich", "cake", "ice_cream", "flower", "tree",
        "palm_tree", "cactus", "garden")),
    Theme("play", "places and play", "🎡", (
        "castle", "barn", "windmill", "bridge", "roller_coaster", "swing_set", "pool", "diving_board",
        "fire_hydrant")),
    Theme("sky", "sky and weather", "🌦️", ("sun", "moon", "star", "cloud", "rainbow", "rain", "snowflake")),
    Theme("people", "people and make-believe", "🧚", ("face", "eye", "hand", "snowman", "angel", "mermaid")),
)
MORE = Theme("more", "more", "✏️", ())  # objects in no theme
THEME_OF = {name: theme for theme in THEMES for name in theme.objects}

ICONS = {
    "ant": "🐜", "bear": "🐻", "bee": "🐝", "bicycle": "🚲", "bird": "🐦", "bus": "🚌", "cactus": "🌵",
    "castle": "🏰", "cat": "🐱", "crab": "🦀", "dog": "🐶", "dolphin": "🐬", "duck": "🦆", "face": "🙂",
    "firetruck": "🚒", "flamingo": "🦩", "flower": "🌸", "frog": "🐸", "hedgehog": "🦔", "helicopter": "🚁",
    "kangaroo": "🦘", "lighthouse": "🗼", "lion": "🦁", "monkey": "🐵", "octopus": "🐙", "owl": "🦉",
    "palm_tree": "🌴", "parrot": "🦜", "penguin": "🐧", "pig": "🐷", "pineapple": "🍍", "rabbit": "🐰",
    "sea_turtle": "🐢", "sheep": "🐑", "snail": "🐌", "snowflake": "❄️", "spider": "🕷️", "squirrel": "🐿️",
    "strawberry": "🍓", "swan": "🦢", "tiger": "🐯", "tractor": "🚜", "truck": "🚚", "whale": "🐳",
    "windmill": "🌬️", "apple": "🍎", "fish": "🐟", "house": "🏠", "tree": "🌳", "sun": "☀️", "car": "🚗",
    "horse": "🐴", "butterfly": "🦋", "elephant": "🐘", "giraffe": "🦒", "mouse": "🐭", "cow": "🐮",
    "mermaid": "🧜", "angel": "👼", "rhinoceros": "🦏", "lobster": "🦞", "mosquito": "🦟", "ambulance": "🚑",
    "bulldozer": "🏗️", "cruise_ship": "🛳️", "speedboat": "🚤", "rain": "🌧️", "garden": "🌻", "peas": "🫛",
    "barn": "🛖", "bridge": "🌉", "fire_hydrant": "🧯", "pool": "🏊", "diving_board": "🤿", "roller_coaster": "🎢",
    "swing_set": "🛝", "alarm_clock": "⏰", "backpack": "🎒", "basket": "🧺", "book": "📖", "calendar": "📅",
    "chair": "🪑", "couch": "🛋️", "fan": "🪭", "key": "🔑", "lantern": "🏮", "map": "🗺️", "paintbrush": "🖌️",
    "radio": "📻", "stove": "🍳", "toothbrush": "🪥", "toothpaste": "🦷", "sandwich": "🥪", "eye": "👁️",
    "hand": "✋", "trombone": "🎺", "star": "⭐", "rainbow": "🌈", "cloud": "☁️", "ice_cream": "🍦", "moon": "🌙",
    "snowman": "⛄", "airplane": "✈️", "train": "🚂", "sailboat": "⛵", "umbrella": "☂️", "banana": "🍌",
    "cake": "🎂",
}
DEFAULT_ICON = "✏️"


def label(name: str) -> str:
    """A short display label: 'palm_tree' -> 'palm tree'."""
    return name.replace("_", " ")


def icon(name: str) -> str:
    """A picture for the object (an emoji), or a pencil for objects without one."""
    return ICONS.get(name, DEFAULT_ICON)


def theme(name: str) -> Theme:
    """The theme an object belongs to ("more" for an object in none)."""
    return THEME_OF.get(name, MORE)


def themes_of(names) -> list[dict]:
    """The themes these objects fall in, in tab order, each with its objects (sorted by name, as the picker)."""
    names = sorted(names)
    found = [t for t in (*THEMES, MORE) if any(theme(n) == t for n in names)]
    return [{"name": t.name, "label": t.label, "icon": t.icon, "objects": [n for n in names if theme(n) == t]}
            for t in found]
