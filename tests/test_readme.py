"""The README's examples run as written: each ```python block is a test file of its own."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
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


SHELL_EXAMPLES = re.findall(
    r"<!-- readme:shell -->\n```bash\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("index", range(len(SHELL_EXAMPLES)))
def test_readme_shell_example_runs(tmp_path: Path, index: int) -> None:
    """The shell example runs as written, in an empty folder, with this environment's commands
    (the AWS CLI, mock-lookoutvision, python) first on PATH and no user AWS configuration."""
    bin_folder = str(Path(sys.executable).parent)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "BOTO")) and "proxy" not in key.lower()
    }
    environment.update(
        PATH=os.pathsep.join([bin_folder, environment.get("PATH", "")]),
        PORT=str(_free_port()),
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_PAGER="",
    )
    ran = subprocess.run(
        ["bash", "-c", SHELL_EXAMPLES[index]],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip().endswith("all as expected")
