"""The settings file: production passes Django's deployment checks, bad values fail loudly."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7$k2!q9-production-like-secret-key-with-enough-length-and-variety-0123456789",
    "ALLOWED_HOSTS": "mentoring.arlib.org",
    "SITE_URL": "https://mentoring.arlib.org",
    "DATABASE_URL": "postgres://arla:pw@db.internal:5432/arla",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.arlib.org:587",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith(("DJANGO_", "TEST_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_read(env: dict[str, str]) -> dict:
    """What the settings file makes of `env` alone, read in this process (a process of its own,
    as `manage` starts, costs a third of a second): its module's names and values."""
    with mock.patch.dict(os.environ, env, clear=True):
        return runpy.run_path(str(ROOT / "arla_mentoring" / "settings.py"))


def test_production_settings_pass_check_deploy_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_collects_the_static_files_it_serves(tmp_path):
    """The manifest storage refuses a file that refers to a missing one (a vendored
    library's source map, say): the release step of the README must not fail."""
    result = manage("collectstatic", "--noinput", env={**PRODUCTION, "STATIC_ROOT": str(tmp_path)})

    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "vendor/bootstrap/bootstrap.min.css" in manifest and "css/site.css" in manifest
    assert (tmp_path / manifest["css/site.css"]).exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "perhaps"}, "DEBUG is invalid"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is invalid"),
        ({"REDIS_URL": "http://redis:6379"}, "REDIS_URL must start with redis://"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS is invalid"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(env, message):
    # The settings stop at their first bad value: the message is this one's only if the rest is good.
    with pytest.raises(ImproperlyConfigured, match=message):
        settings_read({**PRODUCTION, **env})


def test_a_bad_setting_stops_the_process_with_its_name():
    result = manage("check", env={**PRODUCTION, "DEBUG": "perhaps"})

    assert result.returncode != 0
    assert "DEBUG is invalid" in result.stderr


def test_with_nothing_set_the_site_runs_on_sqlite_with_tasks_in_process():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; from arla_mentoring.celery import app; "
        "print(s.DATABASES['default']['ENGINE'], app.conf.task_always_eager, s.MAILERS['default']['BACKEND'])",
        env={},
    )

    assert result.stdout.split()[-3:] == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


@pytest.mark.django_db
def test_no_migration_is_missing():
    # Fails when a model changed without its migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_test_database_has_exactly_the_migrations_on_disk_applied():
    """make test copies the test databases from a template migrated once and kept between
    runs (scripts/with-services.sh --template-cache): a template kept too long would hold
    migrations that are no longer on disk, or miss some."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    assert loader.applied_migrations.keys() == loader.disk_migrations.keys()


def test_apps_depend_one_way_outbox_members_pairs_matching():
    """outbox <- members <- pairs <- matching: each app imports only the ones below it
    (and the outbox, at the bottom, only Django and the standard library)."""
    import ast
    import sys

    def imported(app):
        names = set()
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
                elif isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
        return names

    ours = {"outbox", "members", "pairs", "matching", "arla_mentoring"}
    allowed = {"django", "celery", "markdown_it", *sys.stdlib_module_names}
    assert imported("outbox") <= allowed | {"outbox"}, imported("outbox") - allowed
    assert not imported("members") & {"pairs", "matching"}
    assert "matching" not in imported("pairs")
    assert imported("outbox") & ours <= {"outbox"}


def test_the_outboxs_migrations_wait_for_no_app_above_it_but_the_one_that_moved_its_table():
    """The outbox's migrations, like its code, stand below pairs and matching: only its first,
    which took the Email table over from pairs (SeparateDatabaseAndState), waits for a pairs
    migration. (members holds the user model, which every app's tables point at.)"""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # the files, not a database
    waits = {
        name: {app for app, _ in graph.nodes[("outbox", name)].dependencies} - {"outbox"}
        for app, name in graph.nodes
        if app == "outbox"
    }
    above = {name: apps & {"pairs", "matching"} for name, apps in waits.items() if apps & {"pairs", "matching"}}
    assert above == {"0001_initial": {"pairs"}}
