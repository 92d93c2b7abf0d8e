"""Answering: the passages' sentences scored against the question (`evidence`), and the
extractive answer made of them, cited (`extractive`, `citations`), in the shape news questions
ask for (`composer`: one copy of a syndicated story, a timeline, disagreements)."""
