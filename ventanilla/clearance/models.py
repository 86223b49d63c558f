"""Models of the clearance app."""
