"""The curated demo set, written by the team (not an official publication): HS 2022
codes that matter for Pacific trade with English and Spanish texts, Peruvian-style
tariff lines, the main ports, airports and border posts of Peru, Chile, Colombia and
Mexico (rows copied from UN/LOCODE 2023-2), customs offices and UN/ECE code lists.
Loaded by ``ventanilla load_reference_demo``."""
