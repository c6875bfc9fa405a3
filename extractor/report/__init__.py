"""Reports for people, read from a batch's output: the seed's Figure 1 (figure.py: R&D versus selling
per company and group) and the auditors' review (review.py: an HTML overview of a batch and a page per
report with each figure and flag beside a highlighted crop of the page it came from; server.py: the
local server that records review decisions)."""
