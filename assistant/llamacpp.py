"""A local GGUF model through llama-cpp-python, as a LlamaIndex LLM chatting in its own template."""

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import PrivateAttr


class LlamaCppChat(CustomLLM):
    """Chats through `Llama.create_chat_completion` with the chat template stored in the GGUF.

    llama-cpp-python's own defaults (one thread, a 512-token context, a Llama-2 template) suit
    no model we ship, so all three are set explicitly.
    """

    model_path: str
    context_window: int
    max_tokens: int
    temperature: float
    _llama: Any = PrivateAttr()
    # One llama.cpp context serves one generation at a time.
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def load(
        cls, path: Path, context_window: int, threads: int, max_tokens: int, temperature: float
    ) -> "LlamaCppChat":
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llama = Llama(
            model_path=str(path),
            n_ctx=context_window,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        template = llama.metadata.get("tokenizer.chat_template")
        if template:
            tokens = llama._model.token_get_text  # ids to the strings the template expects
            llama.chat_handler = Jinja2ChatFormatter(
                template=template,
                eos_token=tokens(llama.token_eos()),
                bos_token=tokens(llama.token_bos()),
            ).to_chat_handler()
        model = cls(
            model_path=str(path),
            context_window=context_window,
            max_tokens=max_tokens,
            temperature=temperature,
        )
        model._llama = llama
        return model

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=Path(self.model_path).name,
        )

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(self._deltas(messages))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def gen() -> ChatResponseGen:
            text = ""
            for delta in self._deltas(messages):
                text += delta
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                yield ChatResponse(message=message, delta=delta)

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text="".join(self._deltas([_user(prompt)])))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for delta in self._deltas([_user(prompt)]):
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        return gen()

    def _deltas(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """The reply's text pieces as the model produces them."""
        payload = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        with self._lock:
            chunks = self._llama.create_chat_completion(
                messages=payload,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stream=True,
            )
            for chunk in chunks:
                delta = chunk["choices"][0]["delta"].get("content")
                if delta:
                    yield delta


def _user(prompt: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=prompt)
