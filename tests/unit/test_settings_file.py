"""Issue 13 point 5: the TOML config file, its precedence (flags > environment > file >
defaults), its refusals, and README's settings table generated from the model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gatehouse import settings_doc
from gatehouse.cli import app
from gatehouse.cli.common import EXIT_NO_DATABASE, EXIT_USAGE
from gatehouse.settings import Settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("GATEHOUSE_"):
            monkeypatch.delenv(name)
    # `gatehouse --config` sets GATEHOUSE_CONFIG for its worker processes; undone after the test.
    monkeypatch.setenv("GATEHOUSE_CONFIG", "")
    return monkeypatch


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_flags_over_environment_over_file_over_defaults(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "g.toml", 'port = 9000\nworkers = 3\nhost = "192.0.2.1"\n')
    clean_env.setenv("GATEHOUSE_CONFIG", config)
    clean_env.setenv("GATEHOUSE_PORT", "9100")
    clean_env.setenv("GATEHOUSE_WORKERS", "4")
    settings = Settings(workers=2)
    assert settings.workers == 2  # flag
    assert settings.port == 9100  # environment over file
    assert settings.host == "192.0.2.1"  # file over default
    assert settings.review_idle_days == 30  # default


def test_the_config_keyword_selects_a_file(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "g.toml", 'log_format = "json"\naudit_retention_days = 7\n')
    settings = Settings(config=config)
    assert (settings.log_format, settings.audit_retention_days) == ("json", 7)
    assert Settings().log_format == "text"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("prot = 9000\n", "unknown setting(s) prot"),
        ("port = \n", "config file"),
        ('port = "many"\n', "port"),
    ],
)
def test_a_bad_file_is_refused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, text: str, words: str
) -> None:
    config = write(tmp_path / "g.toml", text)
    result = CliRunner().invoke(app, ["--config", config, "review"])
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert result.stderr.startswith("gatehouse: error: invalid settings:")
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_is_refused(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "nope.toml"), "review"])
    assert result.exit_code == EXIT_USAGE
    assert "does not exist" in result.stderr


def test_the_cli_reads_the_file_and_its_flags_win(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "g.toml", f'database_url = "sqlite:///{tmp_path}/from-file.db"\n')
    from_file = CliRunner().invoke(app, ["--config", config, "marketplace", "list"])
    assert from_file.exit_code == EXIT_NO_DATABASE
    assert "from-file.db" in from_file.stderr
    flag = f"sqlite:///{tmp_path}/from-flag.db"
    from_flag = CliRunner().invoke(
        app, ["--config", config, "marketplace", "list", "--database-url", flag]
    )
    assert "from-flag.db" in from_flag.stderr


def test_every_setting_has_a_description() -> None:
    missing = [n for n, f in Settings.model_fields.items() if not (f.description or "").strip()]
    assert missing == []


def test_readme_settings_table_matches_the_model() -> None:
    """Fails when a setting is added, changed or described differently without re-running
    ``python -m gatehouse.settings_doc``."""
    readme = settings_doc.README.read_text(encoding="utf-8")
    assert settings_doc.rewrite(readme) == readme
    for name in Settings.model_fields:
        assert f"`GATEHOUSE_{name.upper()}`" in readme
    for undocumented_before in (
        "MAX_TOKEN_LIFETIME_MINUTES",
        "AUDIT_FLUSH_SECONDS",
        "AUDIT_FLUSH_EVENTS",
        "REDIS_KEY_PREFIX",
        "USAGE_FLUSH_SECONDS",
    ):
        assert f"GATEHOUSE_{undocumented_before}" in readme


def test_the_generator_detects_drift() -> None:
    stale = f"intro\n{settings_doc.START}\n| old |\n{settings_doc.END}\nrest\n"
    fresh = settings_doc.rewrite(stale)
    assert fresh != stale and fresh.startswith("intro\n") and fresh.endswith("rest\n")
    assert "`--database-url`" in fresh and "`--config`" in fresh
    assert settings_doc.rewrite(fresh) == fresh
