"""Reference data loaders: one module per source (HS, UN/LOCODE, ISO, national tables).

Every loader works in two phases so a bad file never half-loads: ``parse_*`` reads and
validates the whole input without touching the database, then ``write_*`` applies it
inside the caller's transaction through :mod:`.versioning`, which closes and opens
effective-dated versions instead of overwriting rows. The ``*_load`` services wrap both
phases in one transaction with one audit event, and the management commands wrap those.
"""
