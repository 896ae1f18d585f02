import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="careerperfect.example",
        VAR_DIR=str(tmp_path),
        PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY="sk_live_placeholder",
        STRIPE_WEBHOOK_SECRET="whsec_placeholder",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_refuses_to_start_without_a_secret_when_debug_is_off(tmp_path):
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="x.example", VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off" in result.stderr


def test_it_refuses_a_weak_secret_when_debug_is_off(tmp_path):
    result = run_manage(
        "check", DEBUG="0", SECRET_KEY="django-insecure-short", VAR_DIR=str(tmp_path)
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not a real secret" in result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(50))

    result = run_manage(
        "check",
        DEBUG="0",
        SECRET_KEY_FILE=str(secret_file),
        ALLOWED_HOSTS="x.example",
        VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr


def test_postgres_url_uses_the_connection_pool(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        DATABASE_URL="postgres://user@db.example:5432/careerperfect",
        VAR_DIR=str(tmp_path),
    )

    assert "'pool': {" in result.stdout, result.stderr
    assert "'server_side_binding': True, 'prepare_threshold': 5" in result.stdout


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        DATABASE_URL="postgres://user@db.example:5432/careerperfect",
        DATABASE_PREPARED_STATEMENTS="0",
        VAR_DIR=str(tmp_path),
    )

    assert "'pool': {" in result.stdout, result.stderr
    assert "server_side_binding" not in result.stdout
    assert "prepare_threshold" not in result.stdout


def test_a_link_signed_with_a_former_secret_works_while_it_is_a_fallback(tmp_path):
    former, current = secrets.token_urlsafe(50), secrets.token_urlsafe(50)
    signed = subprocess.run(
        [sys.executable, "-c", "from django.core import signing; print(signing.dumps(7))"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "careerperfect.settings"}
        | {"SECRET_KEY": former, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    code = f"from django.core import signing; print(signing.loads({signed.stdout.strip()!r}))"

    rotated = run_manage(
        "shell", "-c", code, SECRET_KEY=current, SECRET_KEY_FALLBACKS=former, VAR_DIR=str(tmp_path)
    )
    forgotten = run_manage("shell", "-c", code, SECRET_KEY=current, VAR_DIR=str(tmp_path))

    assert rotated.stdout.strip().splitlines()[-1] == "7", rotated.stderr
    assert "BadSignature" in forgotten.stderr


def test_it_refuses_an_inbound_mail_webhook_without_its_password_when_debug_is_off(tmp_path):
    # Postmark, for one, signs nothing: the password is all that keeps out forged mail.
    result = run_manage(
        "check",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="x.example",
        VAR_DIR=str(tmp_path),
        MAIL_INBOUND_WEBHOOKS="postmark",
    )

    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET (or ANYMAIL_WEBHOOK_SECRET_FILE) must be set" in result.stderr


def test_an_anymail_secret_can_come_from_a_file(tmp_path):
    token_file = tmp_path / "postmark-token"
    token_file.write_text("server-token-from-file\n")

    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(sorted(settings.ANYMAIL.items()))",
        ANYMAIL_POSTMARK_SERVER_TOKEN_FILE=str(token_file),
        ANYMAIL_WEBHOOK_SECRET="user:password",
        VAR_DIR=str(tmp_path),
    )

    assert result.stdout.strip().splitlines()[-1] == (
        "[('POSTMARK_SERVER_TOKEN', 'server-token-from-file'), ('WEBHOOK_SECRET', 'user:password')]"
    ), result.stderr


def test_every_periodic_task_expires_before_its_next_turn():
    from django.conf import settings

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        expires = entry.get("options", {}).get("expires")
        assert expires is not None, f"{name} piles up in the queue while no worker runs"
        assert 0 < expires < float(entry["schedule"]), name


CLIENT_IP_AS_RATE_LIMITED = (
    "from allauth.core.internal.ratelimit import get_ip; "
    "from django.test import RequestFactory; "
    "print(get_ip(RequestFactory().get('/', REMOTE_ADDR='10.0.0.2', "
    "HTTP_X_FORWARDED_FOR='198.51.100.1, 203.0.113.7')))"
)


def test_rate_limits_count_the_client_behind_the_load_balancer_not_the_load_balancer(tmp_path):
    # Behind a load balancer every request comes from its address: counted per that
    # address, one visitor's failed sign-ins would lock everyone out.
    behind = run_manage(
        "shell", "-c", CLIENT_IP_AS_RATE_LIMITED, TRUSTED_PROXY_COUNT="1", VAR_DIR=str(tmp_path)
    )
    direct = run_manage("shell", "-c", CLIENT_IP_AS_RATE_LIMITED, VAR_DIR=str(tmp_path))

    # The address the load balancer saw, not what the client wrote before it.
    assert behind.stdout.strip().splitlines()[-1] == "203.0.113.7", behind.stderr
    # Without a proxy the header is the client's own to write: never believed.
    assert direct.stdout.strip().splitlines()[-1] == "10.0.0.2", direct.stderr
