"""Shop words shared by the tracker and the extractive backend (colours, sizes)."""

COLORS = (
    "black", "white", "grey", "gray", "red", "blue", "navy", "green", "yellow", "orange", "pink",
    "purple", "brown", "beige", "tan", "olive", "silver", "gold", "teal", "burgundy", "charcoal",
    "cream", "khaki", "maroon", "turquoise", "ivory",
)
SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL")
