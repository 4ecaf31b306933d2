"""The web pages' side of argmap: what a page shows (:mod:`.context`, :mod:`.outline`), the
Jinja templates that format it (``templates/``) and the script and style sheet (``static/``).

The routes are :mod:`argmap.api.pages`; nothing here touches HTTP or the store.
"""
