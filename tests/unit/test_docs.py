"""The docs: mkdocs builds them strict (a broken link, a broken anchor, a page left out of the nav
each fail the build), and the README stays a first screen whose links and CLI tour hold."""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from copilot_archive import cli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MKDOCS = Path(sys.executable).with_name("mkdocs")
# The budget for the README: what it is, the picture, the commands, the tour, deploy, links.
README_MAX_BYTES = 12_000
# The report's screenshot is written by `make demo` and committed from the report's branch: until that
# branch is merged the picture may be absent here, and only its place is checked.
PICTURE = "docs/images/report.png"
# [text](target) or ![alt](target); targets without a scheme are files of the clone.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")

needs_mkdocs = pytest.mark.skipif(not MKDOCS.exists(), reason="mkdocs is not installed (make setup)")


def build(project: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of a copy of the docs, into a site folder inside the copy."""
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(project / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    return tmp_path


@needs_mkdocs
def test_the_docs_build_strict(docs_copy: Path) -> None:
    result = build(docs_copy)
    assert result.returncode == 0, result.stderr
    assert (docs_copy / "site" / "index.html").exists()


@needs_mkdocs
def test_a_link_to_a_missing_page_fails_the_build(docs_copy: Path) -> None:
    page = docs_copy / "docs" / "operations.md"
    page.write_text(page.read_text() + "\nSee [the runbook](runbook.md).\n")
    result = build(docs_copy)
    assert result.returncode != 0
    assert "'runbook.md'" in result.stderr
    assert "Aborted with 1 warnings in strict mode" in result.stdout + result.stderr


@needs_mkdocs
def test_a_link_to_a_missing_anchor_fails_the_build(docs_copy: Path) -> None:
    page = docs_copy / "docs" / "configuration.md"
    page.write_text(page.read_text().replace("(deploying.md#many-scopes)", "(deploying.md#many-scope)"))
    result = build(docs_copy)
    assert result.returncode != 0
    assert "'#many-scope'" in result.stderr


@needs_mkdocs
def test_a_page_left_out_of_the_nav_fails_the_build(docs_copy: Path) -> None:
    (docs_copy / "docs" / "orphan.md").write_text("# Nobody links here\n")
    result = build(docs_copy)
    assert result.returncode != 0
    assert "orphan.md" in result.stderr


def test_the_readme_is_a_first_screen() -> None:
    assert len(README.read_bytes()) < README_MAX_BYTES
    text = README.read_text()
    # The two commands, then the picture, on the first screen: before anything else is explained.
    first_fence = text.index("```sh")
    assert "make demo" in text[first_fence : first_fence + 200]
    assert "make test" in text[first_fence : first_fence + 300]
    lines = text.splitlines()
    picture_line = next(i for i, line in enumerate(lines) if f"]({PICTURE})" in line)
    assert text.count("\n", 0, first_fence) < picture_line < 25


def test_every_readme_link_reaches_a_file_of_the_clone() -> None:
    targets = [t for t in LINK.findall(README.read_text()) if "://" not in t]
    assert targets
    missing = [
        t
        for t in targets
        if not (ROOT / t.split("#")[0]).exists() and not (t == PICTURE and not (ROOT / PICTURE).exists())
    ]
    assert missing == []


def slug(heading: str) -> str:
    """A heading's anchor as GitHub and mkdocs' toc both spell a plain heading's."""
    return re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", heading.strip().lower()))


def test_every_readme_anchor_is_a_heading_of_its_page() -> None:
    anchored = [t.split("#") for t in LINK.findall(README.read_text()) if "#" in t and "://" not in t]
    assert anchored
    for page, anchor in anchored:
        headings = re.findall(r"^#+ (.+)$", (ROOT / page).read_text(), re.M)
        assert anchor in {slug(h) for h in headings}, f"{page}#{anchor}"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {t.split("#")[0] for t in LINK.findall(README.read_text())}
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set()


def readme_tour() -> list[list[str]]:
    """The CLI tour's commands, as argument lists after the program's name."""
    section = README.read_text().split("## A tour of the CLI", 1)[1]
    fence = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in fence.splitlines():
        words = shlex.split(line, comments=True)
        words = [w for w in words if not re.fullmatch(r"[A-Z_]+=.*", w)]  # environment assignments
        assert words[0] == ".venv/bin/copilot-archive", line
        commands.append(words[1:])
    return commands


def test_the_readme_tour_is_ten_commands_the_cli_accepts() -> None:
    commands = readme_tour()
    assert len(commands) == 10
    parser = cli.build_parser()
    for args in commands:
        if args == ["--help"]:
            continue
        parser.parse_args(args)  # exits 2, failing the test, on a command or option it does not know
