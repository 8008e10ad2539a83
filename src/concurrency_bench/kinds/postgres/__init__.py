"""The postgres kind: a throwaway PostgreSQL cluster per scenario, queried through real drivers."""
