"""tckg's front doors: the command line and the HTTP API, thin over the library."""
