"""The http kind: each job one GET to a uvicorn server, through the client library of its row."""
