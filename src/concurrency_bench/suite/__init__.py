"""The benchmark suite behind `benchmarks/`: its profiles and its pytest plugin."""
