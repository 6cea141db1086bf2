"""The simulation core: one module per submodel of ODD §7."""
