"""Models of the agencies app."""
