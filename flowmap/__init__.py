"""flowmap: map where people's data goes once government databases are linked.

Library first: load a model with :func:`flowmap.loader.load_model`, analyse it
with :func:`flowmap.analysis.analyze`; the ``flowmap`` command is a thin layer
over these.
"""

__version__ = "1.0.0"
