"""``flask --app youthcouncil notify``: run the due checks, then send what is due. Meant for cron."""

from __future__ import annotations

import click
from flask import current_app

from youthcouncil.config import record_served_address
from youthcouncil.db import utcnow
from youthcouncil.notifications.services import DeliveryReport, deliver_due, mail_settings, prune, run_due_checks


@click.command("start-info")
def start_info_command() -> None:
    """Print where the app serves and who e-mails come from; record the address for ``flask notify`` (make run)."""
    address = record_served_address()
    if not current_app.config.get("PUBLIC_BASE_URL"):
        click.echo(f"Links in e-mails and QR codes point at {address} (set PUBLIC_BASE_URL to change it)")
    else:
        click.echo(f"Links in e-mails and QR codes point at {current_app.config['PUBLIC_BASE_URL']}")
    click.echo(mail_settings())


@click.command("notify")
@click.option("--batch", default=50, show_default=True, help="Messages claimed per round.")
@click.option("--max-rounds", default=20, show_default=True, help="Stop after this many rounds.")
def notify_command(batch: int, max_rounds: int) -> None:
    """Enqueue time-based reminders, then deliver due e-mails (SMTP, or .eml files without SMTP_HOST)."""
    now = utcnow()
    checks = run_due_checks(now)
    total = DeliveryReport()
    for _round in range(max_rounds):
        report = deliver_due(batch=batch)  # a fresh "now": messages the checks just wrote are due
        total.sent += report.sent
        total.failed += report.failed
        total.gave_up += report.gave_up
        total.skipped += report.skipped
        total.errors += report.errors
        if report.claimed + report.skipped < batch:
            break
    pruned_notes, pruned_mails = prune()
    click.echo(
        f"due checks: {checks.ran} ran, {len(checks.failed)} failed; "
        f"e-mail: {total.sent} sent, {total.failed} to retry, {total.gave_up} given up, "
        f"{total.skipped} taken by another worker; deleted {pruned_notes} old notifications, {pruned_mails} old e-mails"
    )
    for line in checks.failed + total.errors:
        click.echo(f"  {line}", err=True)
