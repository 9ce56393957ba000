"""Nyttokalkyl: the pure calculation side of the benefit-analysis method.

``formula`` parses the small arithmetic language of calculation blocks,
``model`` holds the data the ``engine`` turns into the result measures
(Sammanlagd nettonytta, Nettonytta per satsad krona, ...), ``factors`` ships
the published factor library. Nothing here does web, database or network
I/O, so it can run on every incoming figure and in tests without an app.
"""
