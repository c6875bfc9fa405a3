"""One report's result as people and scripts read it: the text table, the `explain` listing, JSON
lines and flat CSV rows."""
