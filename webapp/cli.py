"""Flask command-line commands: `flask --app webapp <command>`.

`register_cli(app)` adds every command to the app; each command is a small function below,
decorated with `with_appcontext` so it can reach the database.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address (their sign-in).")
@click.option("--name", required=True, help="The administrator's full name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for (twice, hidden) when not given.",
)
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an administrator who can sign in at once and invite the council's staff."""
    from webapp.services import accounts

    try:
        user = accounts.create_admin(email, name, password)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created administrator {user.name} <{user.email}>. They can sign in now.")


@click.command("seed-demo")
@click.option(
    "--skip-if-in-use",
    is_flag=True,
    help="Do nothing when the database has accounts and none is a demo one (make run uses it).",
)
@with_appcontext
def seed_demo_command(skip_if_in_use: bool) -> None:
    """Load demo data (staff, eight providers, a round in progress); print the sign-ins."""
    from webapp import demo

    if skip_if_in_use and demo.in_use_without_demo():
        click.echo("This database already has accounts of its own, so no demo data was loaded.")
        return
    try:
        summary = demo.seed_demo()
    except demo.DemoRefusedError as error:
        raise click.ClickException(str(error)) from None
    click.echo(demo.seed_report(summary))


@click.command("remind-unsubmitted-changes")
@with_appcontext
def remind_unsubmitted_changes_command() -> None:
    """Email providers whose changed bids are not submitted again, a day before the deadline.

    Run it every few minutes from a scheduler; each bid is reminded once for its changes.
    """
    from webapp.reminders import send_unsubmitted_changes_reminders

    reminded = send_unsubmitted_changes_reminders()
    click.echo(f"Reminded {len(reminded)} provider(s) of changes not yet submitted.")
    for bid in reminded:
        click.echo(f"  {bid.reference} ({bid.organisation.name})")


def register_cli(app: Flask) -> None:
    """Add Commonweal's commands to `app.cli`."""
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(remind_unsubmitted_changes_command)
    from webapp.services.evidence_sweep import evidence_cli

    app.cli.add_command(evidence_cli)
    from webapp.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
