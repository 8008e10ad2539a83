"""The benchmark suite behind `benchmarks/`: its profiles, its pytest plugin and replay timer."""
