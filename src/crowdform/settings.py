"""One typed Settings object, built from one table of (name, type, default, help).

Precedence: defaults < ``<data dir>/crowdform.toml`` < ``CROWDFORM_*`` environment < flags.
Unknown keys in the config file or environment fail at start with the nearest valid name.
``docs/settings.md`` is generated from :data:`SETTINGS` (a test checks that it is current).
Nothing here runs at import time; :func:`load_settings` is called by the CLI and the tests.
"""

from __future__ import annotations

import difflib
import os
import shlex
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from crowdform.errors import InvalidInput

ENV_PREFIX = "CROWDFORM_"
CONFIG_FILE_NAME = "crowdform.toml"
BUCKETS_FOLDER_NAME = "buckets"
# The files of a SQLite database: the file itself, SQLite's own companions, and the writer lock that
# crowdform.store.database keeps beside it.
SQLITE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal", "-writer.lock")


@dataclass(frozen=True)
class SettingSpec:
    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str


def _paths(text: str) -> tuple[Path, ...]:
    return tuple(Path(p).expanduser() for p in text.split(os.pathsep) if p)


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def _optional_str(text: str) -> str | None:
    return text or None


def _smtp_url(text: str) -> str | None:
    if text and not text.startswith(("smtp://", "smtps://")):
        raise ValueError(f"expected smtp://[user:password@]host[:port] or smtps://..., got {text!r}")
    return text or None


def _service_endpoints(text: str) -> tuple[tuple[str, str], ...]:
    """``dynamodb=http://127.0.0.1:8000,sns=http://...``: (variable, URL) pairs, the variable being
    boto3's ``AWS_ENDPOINT_URL_<SERVICE>`` for a service id (or a full ``AWS_ENDPOINT_URL_*`` name)."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        service, sep, url = item.partition("=")
        service, url = service.strip(), url.strip()
        if not sep or not service or not url.startswith(("http://", "https://")):
            raise ValueError(f"expected SERVICE=http(s)://host:port pairs separated by commas, got {item!r}")
        name = service.upper().replace("-", "_").replace(" ", "_")
        if not name.startswith("AWS_ENDPOINT_URL"):
            name = f"AWS_ENDPOINT_URL_{name}"
        if not name.replace("_", "").isalnum():
            raise ValueError(f"{service!r} is not a service id (dynamodb, sns, secretsmanager...)")
        pairs.append((name, url))
    return tuple(pairs)


def _pip_options(text: str) -> tuple[str, ...]:
    return tuple(shlex.split(text))


def _hook_s3_endpoint(text: str) -> str:
    if text not in ("store", "crowdform"):
        raise ValueError(f"expected store or crowdform, got {text!r}")
    return text


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("data_dir", Path, Path("crowdform-data"),
                "Folder for the SQLite database, the generated secrets file and the demo job."),
    SettingSpec("database_url", _optional_str, None,
                "SQLAlchemy URL. Default: a SQLite file `crowdform.db` in the data folder (WAL mode). "
                "PostgreSQL: `postgresql+psycopg://user@host/db`."),
    SettingSpec("storage_roots", _paths, (),
                "Extra local folders (separated by the OS path separator) that manifests, templates, "
                "output and signed URLs may use. The data folder and the working directory are always roots, but "
                "the data folder is private apart from its `buckets/` folder, and so are names starting with `.` "
                "below a root."),
    SettingSpec("s3_endpoint_url", _optional_str, None,
                "Endpoint of an external S3-compatible store (MinIO, `https://s3.us-east-1.amazonaws.com`...) that "
                "keeps crowdform's `s3://` objects, with boto3's usual credentials; crowdform's own S3 API then passes "
                "requests through to it. Default: the embedded store, where `s3://BUCKET/KEY` is the file "
                "`<data dir>/buckets/BUCKET/KEY`."),
    SettingSpec("region", str, "us-east-1", "Region written into ARNs and worker ids, and given to hooks as AWS_REGION."),
    SettingSpec("account_id", str, "000000000000", "12-digit account id written into ARNs."),
    SettingSpec("host", str, "127.0.0.1", "Address `crowdform serve` listens on."),
    SettingSpec("port", int, 8080, "Port `crowdform serve` listens on."),
    SettingSpec("public_url", _optional_str, None,
                "The server's address as people reach it, for links the CLI prints (invitations). "
                "Default: `http://<host>:<port>`."),
    SettingSpec("smtp_url", _smtp_url, None,
                "SMTP server that emails invitation links to workers added by email address, as "
                "`smtp://user:password@host:587` (STARTTLS when offered) or `smtps://...` (TLS). "
                "Default: no email; the console and CLI show the link to pass on."),
    SettingSpec("mail_from", str, "crowdform@localhost", "Sender address of the emails crowdform sends."),
    SettingSpec("workers", int, 1,
                "Server processes `crowdform serve` runs on one port for requests (about one per core, "
                "less one for the background process)."),
    SettingSpec("hook_timeout_seconds", float, 60.0, "Longest a single hook call may run before it is killed."),
    SettingSpec("hook_service_endpoints", _service_endpoints, (),
                "Endpoints that Python hooks reach other AWS services at, as `SERVICE=URL` pairs separated by "
                "commas (`dynamodb=http://127.0.0.1:8000,sns=http://127.0.0.1:9911`): each becomes boto3's "
                "`AWS_ENDPOINT_URL_<SERVICE>` in every hook process. A hook's own `--env` wins. Services not "
                "named go to crowdform's endpoint (`AWS_ENDPOINT_URL`), which answers S3, STS and SageMaker."),
    SettingSpec("hook_s3_endpoint", _hook_s3_endpoint, "store",
                "With `s3_endpoint_url` set: `store` gives Python hooks that store's endpoint for S3 "
                "(`AWS_ENDPOINT_URL_S3`; the store must accept the hook's crowdform credentials, as moto and "
                "stores without signature checks do); `crowdform` sends their S3 calls to crowdform's endpoint, "
                "which passes them on to the store signed with crowdform's own credentials for it."),
    SettingSpec("hook_pip_options", _pip_options, (),
                "Options for pip when it builds a hook's environment (`hook add --requirements/--zip`), "
                "e.g. `--index-url https://mirror.example/simple` or `--no-index --find-links /srv/wheels`. "
                "Default: pip's own (PyPI, or pip's configuration files)."),
    SettingSpec("hook_attempts", int, 3, "Attempts per hook call (with exponential backoff) before the object or batch fails."),
    SettingSpec("pre_hook_concurrency", int, 4, "Pre-annotation hook calls run at once per job."),
    SettingSpec("consolidation_batch_size", int, 500, "Most data objects sent to one post-annotation hook call."),
    SettingSpec("consolidation_delay_seconds", float, 2.0,
                "How long answered objects may wait for more to join their consolidation batch."),
    SettingSpec("output_interval_seconds", float, 5.0, "How often a running job's output manifest is rewritten."),
    SettingSpec("background", _bool, True,
                "Run the engine's background work (hooks, expiry, consolidation, output): `crowdform serve` runs "
                "it in a process of its own beside the server processes."),
    SettingSpec("tick_seconds", float, 0.5, "Pause between rounds of background work when there is nothing to do."),
    SettingSpec("background_linger_seconds", float, 60.0,
                "`crowdform serve` starts its background process when a job runs and stops it once no job has run "
                "for this long."),
    SettingSpec("background_lanes", int, 4,
                "Jobs whose background work (hooks, consolidation, output) runs at once; each job runs in one lane "
                "at a time, so a job with a slow hook holds one lane and the others go on."),
    SettingSpec("session_secret", _optional_str, None, "Secret for signing sessions and URLs. Default: generated on first start."),
    SettingSpec("credentials_secret", _optional_str, None,
                "Secret that the secret access keys of `crowdform credentials` are derived from. Default: generated "
                "on first use into the database, shared by every process and host of the installation."),
    SettingSpec("signed_url_ttl_seconds", int, 3600,
                "How long a file URL that a template's `grant_read_access` signs stays valid."),
    SettingSpec("sign_in_failures_per_account", int, 10,
                "Failed sign-ins an account (worker or administrator) may have in `sign_in_window_seconds`; "
                "further attempts are refused with 429 and `Retry-After` until the window ends. Counted in "
                "the database, so across every server process."),
    SettingSpec("sign_in_failures_per_address", int, 100,
                "Failed sign-ins one client address may have in `sign_in_window_seconds`, whatever the "
                "accounts (generous: a crowd may sign in from behind one address)."),
    SettingSpec("sign_in_window_seconds", int, 900, "The window in which failed sign-ins are counted."),
    SettingSpec("password_checks_at_once", int, 1,
                "Password checks (argon2: about 0.1-0.3 s of CPU and 64 MiB each) a server process runs at once, "
                "so a burst of sign-ins cannot starve the worker loop."),
    SettingSpec("password_checks_waiting", int, 16,
                "Sign-ins that may wait for a password check per server process; beyond, 503 with `Retry-After`."),
    SettingSpec("presign_s3_urls", _bool, False,
                "Give workers' browsers presigned S3 URLs for `s3://` objects (S3 must then be reachable from them) "
                "instead of crowdform's signed `/files/` URLs, which crowdform serves from S3 itself."),
)

_BY_NAME = {spec.name: spec for spec in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`, or directly in tests."""

    data_dir: Path = Path("crowdform-data")
    database_url: str | None = None
    storage_roots: tuple[Path, ...] = ()
    s3_endpoint_url: str | None = None
    region: str = "us-east-1"
    account_id: str = "000000000000"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "crowdform@localhost"
    workers: int = 1
    hook_timeout_seconds: float = 60.0
    hook_service_endpoints: tuple[tuple[str, str], ...] = ()
    hook_s3_endpoint: str = "store"
    hook_pip_options: tuple[str, ...] = ()
    hook_attempts: int = 3
    pre_hook_concurrency: int = 4
    consolidation_batch_size: int = 500
    consolidation_delay_seconds: float = 2.0
    output_interval_seconds: float = 5.0
    background: bool = True
    tick_seconds: float = 0.5
    background_linger_seconds: float = 60.0
    background_lanes: int = 4
    session_secret: str | None = None
    credentials_secret: str | None = None
    signed_url_ttl_seconds: int = 3600
    sign_in_failures_per_account: int = 10
    sign_in_failures_per_address: int = 100
    sign_in_window_seconds: int = 900
    password_checks_at_once: int = 1
    password_checks_waiting: int = 16
    presign_s3_urls: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'crowdform.db').resolve()}"

    @property
    def buckets_dir(self) -> Path:
        """Where the embedded S3 store keeps its buckets (one folder each) when no ``s3_endpoint_url`` is set.

        The only part of the data folder that requests may name: the rest (database, secrets, hook
        environments) is private.
        """
        return self.data_dir / BUCKETS_FOLDER_NAME

    @property
    def private_paths(self) -> tuple[Path, ...]:
        """What no job or request may read or write, whatever the storage roots say (``buckets_dir`` aside):
        the data folder (database, secrets, logs, locks, hook environments) and a SQLite database kept
        elsewhere, with its companion files."""
        paths = [self.data_dir]
        if not self.database_url or self.database_url.startswith("sqlite:///"):
            database = self.resolved_database_url[len("sqlite:///"):].partition("?")[0]
            if database and database != ":memory:":
                paths += [Path(database + suffix) for suffix in SQLITE_FILE_SUFFIXES]
        return tuple(path.expanduser().resolve() for path in paths)

    @property
    def base_url(self) -> str:
        """Where people reach this server: ``public_url``, else the address it listens on."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def local_url(self) -> str:
        """The server's address from this machine (what hooks are given as ``AWS_ENDPOINT_URL``): the
        address it listens on, with a wildcard address read as loopback."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    @property
    def all_storage_roots(self) -> tuple[Path, ...]:
        """The data folder, the working directory, and the configured roots, resolved."""
        roots = [self.data_dir, Path.cwd(), *self.storage_roots]
        seen: dict[Path, None] = {}
        for root in roots:
            seen.setdefault(root.expanduser().resolve(), None)
        return tuple(seen)

    def with_overrides(self, **overrides: Any) -> "Settings":
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _nearest(name: str) -> str:
    match = difflib.get_close_matches(name, list(_BY_NAME), n=1)
    return f"Did you mean {match[0]!r}?" if match else f"Valid names: {', '.join(_BY_NAME)}."


def _parse(source: str, name: str, raw: Any) -> Any:
    spec = _BY_NAME.get(name)
    if spec is None:
        raise InvalidInput.one(source, "unknown setting", field=name, hint=_nearest(name))
    if isinstance(raw, dict):  # a TOML table: hook_service_endpoints = {dynamodb = "http://..."}
        raw = ",".join(f"{k}={v}" for k, v in raw.items())
    elif isinstance(raw, list) and name == "hook_pip_options":
        raw = shlex.join(str(r) for r in raw)
    if not isinstance(raw, str):
        raw = os.pathsep.join(str(r) for r in raw) if isinstance(raw, list) else str(raw)
    try:
        return spec.parse(raw)
    except ValueError as exc:
        raise InvalidInput.one(source, f"cannot read the value: {exc}", field=name, value=raw) from None


def load_settings(environ: Mapping[str, str] | None = None, /, **flags: Any) -> Settings:
    """Defaults < config file < ``CROWDFORM_*`` environment < flags (``None`` flags are ignored)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    env_values: dict[str, Any] = {}
    for key, raw in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):].lower()
            if name.startswith("test_"):
                continue  # the test suite's own variables (CROWDFORM_TEST_POSTGRES_URL, ...)
            env_values[name] = _parse("environment", name, raw)
    data_dir = Path(flags.get("data_dir") or env_values.get("data_dir") or _BY_NAME["data_dir"].default)
    config_path = data_dir / CONFIG_FILE_NAME
    if config_path.is_file():
        try:
            config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput.one(str(config_path), f"not valid TOML: {exc}") from None
        for name, raw in config.items():
            values[name] = _parse(str(config_path), name, raw)
    values.update(env_values)
    values.update({k: v for k, v in flags.items() if v is not None})
    values["data_dir"] = data_dir
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known})


def settings_reference() -> str:
    """The Markdown settings reference (``docs/settings.md``), generated from :data:`SETTINGS`."""
    lines = [
        "# Settings",
        "",
        "Generated from `crowdform.settings.SETTINGS`; do not edit by hand.",
        "",
        f"Precedence: defaults < `<data dir>/{CONFIG_FILE_NAME}` < `{ENV_PREFIX}*` environment < command-line flags.",
        "",
        "| name | environment | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for spec in SETTINGS:
        default = spec.default
        shown = "(none)" if default in (None, ()) else f"`{default}`"
        lines.append(f"| `{spec.name}` | `{ENV_PREFIX}{spec.name.upper()}` | {shown} | {spec.help} |")
    return "\n".join(lines) + "\n"
