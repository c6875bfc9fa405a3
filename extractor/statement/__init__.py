"""The consolidated income statement: the report's identity (company, code, year), where the
statement is (outline, printed contents, page scan, continuations), and its rows read into the four
line items with provenance."""
