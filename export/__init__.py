"""CPython-only pipeline: dataset → features → models → export → site."""
