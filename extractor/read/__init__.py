"""Reading a PDF: open and health-check it, give plain text and positioned words and lines per page,
and bound each report's time (the first stage; everything else reads pages through here)."""
