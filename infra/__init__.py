"""Infrastructure code: the local stack runtime, seed data and deployment helpers."""
