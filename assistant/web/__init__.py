"""The web: the Gradio chat and Documents tab (`ui`), how answers and sources look
(`rendering`), the document library behind the tab (`library`), the OpenAI-compatible and JSON
API (`api`), and who may connect (`exposure`). The only package that imports gradio."""
