"""One parser per source shape. Each reads a text export into a list of kg.model.Action.

Parsers know the shapes of the sources and nothing of RDF.
"""
