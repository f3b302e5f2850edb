"""The `commonweal` command: the framework and scoring commands, reports, and the app's data.

`commonweal frameworks ...` and `commonweal score ...` need no database and no web app (they
come from `criteria.cli`); `commonweal report ...` renders PDFs (`reports.cli`); `commonweal
audit|round|db|people ...` read or change the app's database (`webapp.db_commands`). Each
group's module is imported only when that group is run, so scoring a round file loads neither
Flask, SQLAlchemy nor WeasyPrint.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from criteria import cli as criteria_cli

__all__ = ["main"]

LAZY_COMMANDS = {
    "report": "reports.cli:report",
    "audit": "webapp.db_commands:audit",
    "round": "webapp.db_commands:round_group",
    "db": "webapp.db_commands:db_group",
    "people": "webapp.db_commands:people",
}
"""Command name -> `module:attribute` of the commands whose modules load on first use."""


class LazyGroup(click.Group):
    """A group some of whose commands are imported only when they are looked up."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module_name, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, help=criteria_cli.main.help)
@click.version_option(package_name="commonweal", message="%(prog)s %(version)s")
def main() -> None:
    pass


for _name, _command in criteria_cli.main.commands.items():
    main.add_command(_command, _name)
