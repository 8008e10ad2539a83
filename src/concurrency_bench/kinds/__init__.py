"""I/O kinds: what a job waits on (its own timer, the ints server over TCP, ...).

Layout: registry.py names every kind with its declarations (options and their limits, the
scenario name's suffix) and imports a kind's module only when it is used; base.py is what a
kind gives the models, a job factory per model family; servers.py is what a kind's server
gives the engine (start, address, stop; placement; the server-bound rule); limits.py the
host limits socket kinds run into; timer.py, tcp/, http/ and postgres/ are the kinds. This
package sits below runners/ and engine/ and imports only workload/ and lower; this file
imports nothing, so the scenario can read the registry.
"""
