"""Reports for people: the auditors' review (an HTML overview of a batch and a page per report with
each figure and flag beside a highlighted crop of the page it came from, plus the local server that
records review decisions)."""
