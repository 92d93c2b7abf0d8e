"""Every prompt template renders with exactly its placeholders."""

import pytest

from assistant.prompts import PROMPTS_DIR, placeholders, render

TEMPLATES = sorted(p.stem for p in PROMPTS_DIR.glob("*.txt"))


def test_there_are_templates():
    assert {"answer", "article", "exhibit", "refusal", "system", "standalone"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_with_its_placeholders(name: str):
    values = {field: f"<{field}-value>" for field in placeholders(name)}
    text = render(name, **values)
    assert text.strip()
    for value in values.values():
        assert value in text


def test_missing_value_is_an_error():
    with pytest.raises(KeyError):
        render("answer", question="q")
