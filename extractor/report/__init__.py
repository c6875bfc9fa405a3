"""Surfaces over a whole batch, read from its store: the seed's Figure 1 (figure.py), R&D versus
selling per company and group."""
