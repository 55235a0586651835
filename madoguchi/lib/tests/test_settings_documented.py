import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_environment_variable_is_documented_in_readme() -> None:
    settings_text = (ROOT / "madoguchi" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'(?:envbool|envint|envlist|envsecret|os\.environ\.get)\(\s*"([A-Z_]+)"', settings_text))
    assert "DATABASE_URL" in names and "SECRET_KEY" in names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == [], f"undocumented environment variables: {missing}"
