"""A small HTTP client for a server in another process: a cookie jar, forms and file uploads.

Standard library only; redirects are returned, never followed, so a test sees each answer. A
connection lost at any point, even halfway through a reply, is a `ConnectionError`.
"""

from __future__ import annotations

import http.client
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

_HIDDEN = re.compile(r'<input[^>]*name="(?P<name>csrf_token|version)"[^>]*value="(?P<value>[^"]*)"')


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def hidden(self, name: str) -> str | None:
        """The value of the page's hidden `csrf_token` or `version` field."""
        for match in _HIDDEN.finditer(self.body):
            if match["name"] == name:
                return match["value"]
        return None


@dataclass
class Browser:
    """One person's session with the server at 127.0.0.1:`port`."""

    port: int
    timeout: float = 10.0
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str) -> Reply:
        return self._send("GET", path, b"", {})

    def post(
        self,
        path: str,
        fields: Mapping[str, str | list[str]],
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> Reply:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in fields.items():
            for one in value if isinstance(value, list) else [value]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{one}\r\n".encode()
                )
        for name, (filename, data) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._send("POST", path, body, headers)

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            if self.cookies:
                headers = {
                    **headers,
                    "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                }
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return Reply(response.status, dict(response.headers.items()), text)
        except http.client.HTTPException as error:
            # A server killed between its headers and the end of its body leaves an
            # IncompleteRead, which is no OSError: it is the same lost connection.
            raise ConnectionError(f"the server stopped mid-reply: {error!r}") from error
        finally:
            connection.close()
