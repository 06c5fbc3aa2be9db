"""The README's examples run as written: each ```python block is a test file of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_runs(pytester: pytest.Pytester, index: int) -> None:
    pytester.makepyfile(**{f"test_readme_example_{index}": EXAMPLES[index]})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # Every test the example defines runs and passes: none fails, errors or is skipped.
    tests = len(re.findall(r"^\s*def test_", EXAMPLES[index], flags=re.MULTILINE))
    assert tests >= 1
    assert result.parseoutcomes() == {"passed": tests}
    assert result.ret == pytest.ExitCode.OK
