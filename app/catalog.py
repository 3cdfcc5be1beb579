"""Display labels and picture icons for the objects children can draw."""

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
}
DEFAULT_ICON = "✏️"


def label(name: str) -> str:
    """A short display label: 'palm_tree' -> 'palm tree'."""
    return name.replace("_", " ")


def icon(name: str) -> str:
    """A picture for the object (an emoji), or a pencil for objects without one."""
    return ICONS.get(name, DEFAULT_ICON)
