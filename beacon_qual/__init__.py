"""beacon-qual: terminal-native, mixed-methods qualitative coding."""

__version__ = "0.1.0"
