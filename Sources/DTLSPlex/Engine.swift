// The multiplex engine.
