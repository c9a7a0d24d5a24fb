"""`make bench`: speed and size, measured the same way every time → bench/results.json."""
