"""I/O kinds: what a job waits on. tcp/ is the loopback ints server and each model's client."""
