"""What a build writes beside the database: names shared by the pipeline that writes them and the site that serves
them, so the site never imports the pipeline (nor Pillow) to find a file."""
from __future__ import annotations

from pathlib import Path

ZIP_PREFIX = "tnl-donnees-"  # the published zip: tnl-donnees-X.Y.Z.zip
SUMS_NAME = "SHA256SUMS"
PACKAGE_DIRECTORY = "paquet"  # the zip's files unzipped, served under /-/paquet/ (tnl/pipeline/exports.py)
EXPORTS_DIRECTORY = "exports"  # the complete CSV and .xlsx of each table and view, with their SHA256SUMS
PREVIEW_DIRECTORY = "cartes"  # preview images (OpenGraph), served under /-/cartes/ (URL kept since 1.1.0)
SITE_PREVIEW = "site"  # the site's own preview image: cartes/site.png
PREVIEW_SIZE = PREVIEW_WIDTH, PREVIEW_HEIGHT = 1200, 630  # what OpenGraph and Twitter's large cards show uncropped


def metadata_path(database: Path) -> Path:
    """The Datasette metadata written beside a database by the build."""
    return Path(database).with_name("metadata.json")


def read_sums(sums_path: Path) -> dict[str, str]:
    """The SHA256SUMS file as {file name: digest}; empty when there is none."""
    if not sums_path.is_file():
        return {}
    pairs = (line.split("  ", 1) for line in sums_path.read_text(encoding="utf-8").splitlines() if line)
    return {name: digest for digest, name in pairs}
