"""Retrieval: one version of the index (`corpus`), what a question is scoped to (`scope`,
`outlets`, `timeframe`), and the hybrid search that returns `Passage`s (`retriever`)."""
