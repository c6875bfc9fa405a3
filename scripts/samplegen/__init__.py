"""Synthetic annual-report generator: data model, abstract layout, three PDF producers, truth files.

Entry point is scripts/make_samples.py; the pipeline is
variants (what the report looks like) -> data (the numbers) -> build (the abstract document)
-> layout.paginate (pages, and the page of every tagged row) -> render_* (the PDF) -> verify -> truth.
"""
