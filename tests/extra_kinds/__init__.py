"""I/O kinds defined outside the package, registered by tests through kinds.registry.register.

The worker imports them through the engine's sys.path, which its request carries, as it does
the fault models; the kind's spec travels in the request too.
"""
