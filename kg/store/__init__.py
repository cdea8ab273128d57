"""The graph store: where the built graph lives and how it is queried.

- `embedded`: the embedded Oxigraph store in the state folder (the default).
- `query`: read-only SPARQL answered in the standard result formats.
- `pool`: SPARQL in killable worker processes (the time limit, the row cap).
- `guard`: what may not run here (updates, SERVICE), checked before any engine.
"""
from kg.store.embedded import (
    DUMP,
    GRAPH_DIR,
    MANIFEST,
    StoreMissing,
    canonical_ntriples,
    memory_store,
    open_store,
    read_manifest,
    state_home,
    write_store,
)

__all__ = ["DUMP", "GRAPH_DIR", "MANIFEST", "StoreMissing", "canonical_ntriples",
           "memory_store", "open_store", "read_manifest", "state_home", "write_store"]
