"""Next year's planning drafted from this year's rhythm of each committee, or from its rule."""
