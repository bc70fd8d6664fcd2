"""The one mapping of the language names GitHub's reports use to one name per language.

The reports do not normalise the `language` of a breakdown: one language arrives under several
names (`ts` and `typescript`, `py` and `python`, `hcl` and `terraform`), and some names are not
languages at all (`prompt`, `vscode`). The views read this mapping as the `language_names` view
(athena/views/language_names.sql, written from here by `make tables`): each raw name, lower-cased,
beside its canonical name and whether it is a language. A name not listed here is its own
canonical name (lower-cased) and a language.
"""

from __future__ import annotations

from collections.abc import Mapping

# Raw name (lower case) -> canonical name. Canonical names map to themselves implicitly.
ALIASES: Mapping[str, str] = {
    "ts": "typescript",
    "tsx": "typescriptreact",
    "js": "javascript",
    "jsx": "javascriptreact",
    "py": "python",
    "python3": "python",
    "hcl": "terraform",
    "tf": "terraform",
    "rb": "ruby",
    "rs": "rust",
    "golang": "go",
    "cs": "csharp",
    "c#": "csharp",
    "c++": "cpp",
    "sh": "shellscript",
    "bash": "shellscript",
    "shell": "shellscript",
    "yml": "yaml",
    "md": "markdown",
    "kt": "kotlin",
    "ps1": "powershell",
    "dockerfile": "docker",
}
# Names the reports give as a language that are not one: a surface or an input, not code.
NOT_LANGUAGES: frozenset[str] = frozenset({"prompt", "vscode", "unknown", "other", "others", "plaintext"})


def canonical_language(raw: str) -> str:
    """The one name of the language `raw` names (its lower case when it has no alias)."""
    name = raw.strip().lower()
    return ALIASES.get(name, name)


def is_language(raw: str) -> bool:
    return canonical_language(raw) not in NOT_LANGUAGES


def language_names_sql() -> str:
    """athena/views/language_names.sql: every listed raw name beside its canonical name."""
    names = sorted({*ALIASES, *ALIASES.values(), *NOT_LANGUAGES})
    rows = ",\n".join(
        f"  ({_literal(name)}, {_literal(canonical_language(name))}, {str(is_language(name)).upper()})"
        for name in names
    )
    return (
        "-- Generated from src/copilot_archive/core/languages.py by `make tables`: do not edit.\n"
        "-- Each language name the reports use (lower case) beside its one canonical name and whether\n"
        "-- it is a language at all (`prompt`, `vscode`: not); a name not listed is its own.\n"
        "CREATE OR REPLACE VIEW language_names AS\n"
        "SELECT raw_language, language, is_language\n"
        "FROM (\n"
        "VALUES\n"
        f"{rows}\n"
        ") AS names (raw_language, language, is_language)\n"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
