"""The README's first requests work as written: its Python SDK example runs against an embedded gateway with the
default configuration (the mock provider), with only the address and the key file's path swapped in."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def sdk_example() -> str:
    text = README.read_text()
    section = text[text.index("With the official SDK"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_sdk_example_runs_as_written(gateway, tmp_path) -> None:
    gw = gateway("log_format: text\n")  # no providers, no routes: the default routes to the mock
    key_file = tmp_path / "bootstrap-key"
    key_file.write_text(gw.create_key("default") + "\n")
    code = sdk_example()
    assert "http://127.0.0.1:8080/v1" in code and ".switchboard/bootstrap-key" in code
    code = code.replace("http://127.0.0.1:8080/v1", gw.base_url).replace(".switchboard/bootstrap-key", str(key_file))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    lines = printed.getvalue().splitlines()
    assert lines[0] == "This is a mock response from Switchboard to: Hello"
    assert lines[1] == "This is a mock response from Switchboard to: Stream please"
