"""Imported only by the forkserver of the children (``argmap._child``, for ``argmap.render._pdf``): one small
render there, so that every render's child starts warm. Importing it anywhere else costs a
render and does nothing useful."""

from argmap.render._pdf import warm_up

warm_up()
