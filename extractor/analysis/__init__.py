"""What the figures mean: cross-checks against the notes and MD&A, extraction-quality flags, the
R&D vs selling ratio, anomaly flags for one report and flags across a company's years."""
