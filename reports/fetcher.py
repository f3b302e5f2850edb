"""`AssetFetcher`: the only way a rendering reads anything, and only the report's own assets.

Imported by `reports.render.render` when a PDF is made, since it subclasses WeasyPrint's fetcher.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.render import RefusedURLError

__all__ = ["AssetFetcher"]


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint has no type hints
    """A URL fetcher that serves files inside `assets` and refuses everything else.

    Every URL asked for is kept in `requested`, every refusal in `refused`, so a test can show
    that nothing outside the assets was fetched.
    """

    def __init__(self, assets: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.assets = assets.resolve()
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        path = self._asset_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURLError(f"refused to load {url!r}: reports load only their own assets")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), _headers_for(path))

    def _asset_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.assets) or not path.is_file():
            return None
        return path


_CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
}


def _headers_for(path: Path) -> dict[str, str]:
    return {"Content-Type": _CONTENT_TYPES.get(path.suffix, "application/octet-stream")}
