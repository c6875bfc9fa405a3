"""Printed tables to values: amounts (text to Decimal), unit lines, label normalisation and pattern
matching, and rows with period columns rebuilt from word positions. Shared by every reader above."""
