"""The ``workshop`` command: serve, create accounts, migrate.

``serve`` runs on gevent, chosen by measurement: on a 2-core machine a gevent server held
thousands of phones where threading mode lost votes. gevent must patch the standard library
before anything else imports it, hence the early check in ``main``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        from gevent import monkey

        monkey.patch_all()
    cli(args=argv, prog_name="workshop")


import click  # noqa: E402  (after the monkey-patch decision above)


def _app(data_dir: str | None, async_mode: str = "threading"):
    from .app import create_app
    from .config import Settings

    return create_app(Settings.from_env(data_dir), async_mode=async_mode)


@click.group(help="Nyttoverkstad — live workshops for nyttoanalys and nyttokalkyl.")
@click.version_option(package_name="nyttoverkstad")
def cli() -> None:
    pass


data_dir_option = click.option(
    "--data-dir",
    envvar="WORKSHOP_DATA_DIR",
    default=None,
    help="Folder for the SQLite database and the secret key (default: the user's data folder).",
)


@cli.command(
    help="Start the server (one process, SQLite in the data folder unless DATABASE_URL is set). "
    "For several processes see docs/deploy.md: each is one `workshop serve` on its own port."
)
@click.option("--host", default="127.0.0.1", show_default=True, envvar="WORKSHOP_HOST")
@click.option("--port", default=5000, show_default=True, type=int, envvar="WORKSHOP_PORT")
@data_dir_option
def serve(host: str, port: int, data_dir: str | None) -> None:
    from .config import Settings, default_data_dir, secret_key_problem

    problem = secret_key_problem(Settings.from_env(data_dir).secret_key)
    if problem and not _bool_env("WORKSHOP_DEBUG"):
        raise click.ClickException(
            f"{problem}: it signs the facilitators' logins. Set a random one, e.g. "
            "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), or leave "
            "SECRET_KEY unset to use the one generated in the data folder (WORKSHOP_DEBUG=1 starts anyway)."
        )
    app = _app(data_dir, async_mode="gevent")  # the factory starts the broadcaster loop
    from .extensions import socketio
    from .gc_policy import GcPolicy
    from .runtime import input_writer

    writer = input_writer.of(app)
    gc_policy = GcPolicy(socketio.sleep, lambda: writer.last_input)
    gc_policy.install()
    socketio.start_background_task(gc_policy.run)
    socketio.start_background_task(_retention_loop, app)
    from .checkpoint import start as start_checkpoints

    start_checkpoints(app, socketio)
    if os.environ.get("WORKSHOP_LOOP_PROBE"):
        from .serving import loop_probe

        socketio.start_background_task(loop_probe, os.environ["WORKSHOP_LOOP_PROBE"], socketio.sleep)
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    settings = app.extensions["settings"]
    click.echo(f"Nyttoverkstad is running: open http://{shown_host}:{port}/")
    with app.app_context():
        from .accounts import has_accounts, setup_code

        fresh = not has_accounts()
        code = setup_code(settings.data_dir) if fresh else None
    if code:
        click.echo(f"  first account: http://{shown_host}:{port}/setup?code={code}")
        click.echo("                 (a one-time code: only someone who sees this output can create the first account)")
    else:
        click.echo(f"  facilitators: http://{shown_host}:{port}/f/")
    click.echo(f"  data folder:  {settings.data_dir if data_dir else default_data_dir()}")
    sys.stdout.flush()
    from .serving import TimedHandler

    TimedHandler.request_line_timeout = settings.request_line_timeout
    TimedHandler.header_timeout = settings.header_timeout
    socketio.run(
        app, host=host, port=port, log_output=bool(os.environ.get("WORKSHOP_ACCESS_LOG")), handler_class=TimedHandler
    )


def _retention_loop(app) -> None:
    """Every hour: delete the inputs whose retention ran out, and tell the screens."""
    from .extensions import socketio
    from .retention import INTERVAL_SECONDS, purge_due
    from .runtime import broadcaster

    while True:
        socketio.sleep(60)  # not in the way of the start
        try:
            with app.app_context():
                from .extensions import db as database
                from .models import Activity

                for ws_id in purge_due():
                    for act_id in database.session.scalars(
                        database.select(Activity.id).where(Activity.workshop_id == ws_id)
                    ):
                        broadcaster.of(app).mark(act_id)
        except Exception:  # a database hiccup: try again next hour
            app.logger.exception("retention run failed")
        socketio.sleep(INTERVAL_SECONDS)


def _bool_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@cli.command("create-user", help="Create a facilitator account (non-interactive with --password or WORKSHOP_PASSWORD).")
@click.option("--email", prompt=True)
@click.option("--name", default="", help="Display name.")
@click.option("--password", envvar="WORKSHOP_PASSWORD", prompt=True, hide_input=True, confirmation_prompt=True)
@data_dir_option
def create_user_cmd(email: str, name: str, password: str, data_dir: str | None) -> None:
    from .accounts import AccountError, create_user

    app = _app(data_dir)
    with app.test_request_context():
        try:
            user = create_user(email, password, name)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Created facilitator account {user.email}")


@cli.command("export", help="Export a workshop's draft analysis to a file (format from the file name: .json).")
@click.argument("workshop_id", type=int)
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@data_dir_option
def export_cmd(workshop_id: int, output: str, data_dir: str | None) -> None:
    from .exports import export_file

    app = _app(data_dir)
    with app.test_request_context():
        try:
            size = export_file(workshop_id, output)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {output} ({size} bytes)")


@cli.command("import", help="Create a workshop from a JSON file (an export or a template) for a facilitator.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--owner", required=True, help="E-mail of the facilitator who will own the workshop.")
@data_dir_option
def import_cmd(path: str, owner: str, data_dir: str | None) -> None:
    from sqlalchemy import select

    from .activities import InputError
    from .extensions import db
    from .models import User
    from .portable import check_size, import_document, read_document

    app = _app(data_dir)
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == owner.strip().lower()))
        if user is None:
            raise click.ClickException(f"No facilitator with e-mail {owner}")
        try:
            check_size(os.path.getsize(path))  # before reading it
            with open(path, "rb") as fh:
                ws = import_document(user, read_document(fh.read()))
        except (InputError, ValueError) as exc:
            raise click.ClickException(getattr(exc, "message", str(exc))) from None
        click.echo(f"Imported workshop {ws.id}: {ws.title} (code {ws.join_code})")


@cli.command("list", help="List workshops with their ids, codes and owners.")
@data_dir_option
def list_cmd(data_dir: str | None) -> None:
    from sqlalchemy import select

    from .extensions import db
    from .models import User, Workshop

    app = _app(data_dir)
    with app.test_request_context():
        for ws, email in db.session.execute(select(Workshop, User.email).join(User).order_by(Workshop.id)).all():
            click.echo(f"{ws.id}\t{ws.join_code}\t{ws.status}\t{email}\t{ws.title}")


def _database_url(data_dir: str | None) -> str:
    from .config import Settings

    return Settings.from_env(data_dir).database_url


@cli.command("backup", help="Write a backup of the whole database to FILE (SQLite or PostgreSQL; safe while serving).")
@click.argument("output", type=click.Path(dir_okay=False))
@data_dir_option
def backup_cmd(output: str, data_dir: str | None) -> None:
    from .backup import BackupError, backup

    try:
        click.echo(backup(_database_url(data_dir), output))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command(
    "restore",
    help="Replace the whole database with the backup FILE. Stop the server (every process) first.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: everything stored now is replaced.")
@data_dir_option
def restore_cmd(path: str, yes: bool, data_dir: str | None) -> None:
    from .backup import BackupError, restore

    if not yes:
        click.confirm("Everything stored now is replaced by the backup. Go on?", abort=True)
    try:
        click.echo(restore(_database_url(data_dir), path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    _app(data_dir)  # migrate an older backup forward
    click.echo("Database is up to date.")


@cli.command(
    "purge",
    help="Delete the participants' inputs of every workshop whose retention time has run out "
    "(workshop serve does this every hour).",
)
@data_dir_option
def purge_cmd(data_dir: str | None) -> None:
    from .retention import purge_due

    app = _app(data_dir)
    with app.app_context():
        done = purge_due()
    click.echo(f"Inputs deleted in {len(done)} workshop(s)" + (f": {', '.join(map(str, done))}" if done else "."))


@cli.group(help="Database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply pending migrations (serve does this on start too).")
@data_dir_option
def db_upgrade(data_dir: str | None) -> None:
    _app(data_dir)  # create_app upgrades
    click.echo("Database is up to date.")


@db.command("revision", help="Write a new migration from model changes (developers).")
@click.option("-m", "--message", required=True)
@data_dir_option
def db_revision(message: str, data_dir: str | None) -> None:
    from .app import create_app
    from .config import Settings
    from .migrate import revision

    app = create_app(Settings.from_env(data_dir), migrate=False)
    with app.app_context():
        from .migrate import upgrade

        upgrade()
        revision(message)


if __name__ == "__main__":
    main()
