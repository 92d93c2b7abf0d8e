"""Generation: the model writes the answer from the evidence and nothing unverified passes.

`briefing` picks the numbered sentences the model reads, `writer` prompts it and streams its
JSON draft (`drafts`) through `verification` one sentence at a time; `llm`, `xllama` and
`local_model` are the backends; `followups` rewrites a chat's question into a standalone one.
"""
