"""tckg's knowledge-graph layer: plan model, source parsers, RDF building, store, validation."""
