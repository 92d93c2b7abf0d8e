"""Evaluation: how well the assistant retrieves and answers, measured on a benchmark
(`benchmark`, `indexing`, `retrieval`, `answers`), and what readers said (`feedback`);
`commands` is `assistant eval`."""
