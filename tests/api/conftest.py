"""A real index of the central health laws, served by a real `hjemmel serve` process."""

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from corpus.settings import Settings
from tests.commands import hjemmel_env

HEALTH_SOURCES = {
    "LOV-1999-07-02-64",  # helsepersonelloven
    "LOV-1999-07-02-63",  # pasient- og brukerrettighetsloven
    "LOV-1999-07-02-61",  # spesialisthelsetjenesteloven
    "LOV-2014-06-20-42",  # pasientjournalloven
    "LOV-2014-06-20-43",  # helseregisterloven
    "LOV-2008-06-20-44",  # helseforskningsloven
    "LOV-2018-06-15-38",  # personopplysningsloven with the GDPR
    "LOV-2020-05-07-37",  # lov om medisinsk utstyr
    "FOR-2021-05-09-1476",  # forskrift om medisinsk utstyr
    "LOV-2017-12-15-107",  # helsetilsynsloven
    "32024R1689",  # the AI Act, from EUR-Lex HTML
    "32017R0745",  # the MDR, from the Official Journal PDF
    "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020",
    "guidance/helsedirektoratet_rammer-og-retning-for-ki-2024",
}


@pytest.fixture(scope="session")
def index_settings(small_index: Callable[[set[str]], Settings]) -> Settings:
    return small_index(HEALTH_SOURCES)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(settings: Settings, log: Path | None = None, up: tuple[str, int] = ("/healthz", 200), **env: str) -> Iterator[str]:
    """A `hjemmel serve` process over the settings' index, with `env` added to its environment, until the block ends;
    it is up when the path `up[0]` answers with the status `up[1]`.

    Its output goes to the file `log` (a temporary one by default): a pipe nobody reads would fill with the
    request log and stall the server.
    """
    port = _free_port()
    log = log or Path(tempfile.mkstemp(prefix="hjemmel-serve-", suffix=".log")[1])
    output = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "serve"],
        env=hjemmel_env(settings, HJEMMEL_PORT=str(port), **env),
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()}")
        with suppress(httpx.TransportError):  # not listening yet
            if httpx.get(f"{url}{up[0]}", timeout=2).status_code == up[1]:
                break
        time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("server did not become ready in 180 s")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        output.close()


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the session's server writes: its JSON log lines."""
    return tmp_path_factory.mktemp("server") / "serve.log"


@pytest.fixture(scope="session")
def server(index_settings: Settings, server_log: Path) -> Iterator[str]:
    with serving(index_settings, log=server_log) as url:
        yield url


@pytest.fixture(scope="session")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client
