"""Models of the duties app."""
