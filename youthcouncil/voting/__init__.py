"""The pure voting engine: ballots in, results out.

No Flask and no database here, so the web views, the CLI and the tests all count with the same code.
Ranked methods and PrefLib I/O live in ``ranked.py``/``preflib.py``; participatory budgeting and pabulib I/O in
``pb.py``/``pabulib.py``; yes/no/abstain motions in ``motion.py``.
"""
