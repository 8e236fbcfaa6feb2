"""The app as a WSGI server serves it: ``gunicorn --preload --workers 3 'youthcouncil.wsgi:app'``.

After the app is made, everything made at start-up (modules, templates' code, SQLAlchemy's mappings: some 150,000
objects) is moved out of the garbage collector's sight with ``gc.freeze()``. None of it is ever garbage, yet every
full collection walked all of it: about 50-90 ms with one request waiting, at moments nobody chooses. With
``--preload`` the freeze happens once, before the workers fork, so their copies of those objects also stay shared
(a collection no longer writes to their pages).
"""

import gc

from youthcouncil import create_app

app = create_app()
gc.collect()  # start-up's own garbage goes first: frozen, it would stay for good
gc.freeze()
