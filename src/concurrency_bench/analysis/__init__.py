"""Statistics over measured rounds, the rank test, and the regression gate's judgement."""
