"""Places beyond the statement that confirm or supply a figure: the notes' expense breakdowns and
the MD&A's expense and R&D tables."""
