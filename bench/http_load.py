"""HTTP load for `make bench`: a gunicorn server run like production, wrk (or a small
Python load generator when wrk cannot be had), and per-process figures from /proc.

Nothing here imports Django: the server runs in its own processes, and the harness
talks to it over 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import math
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class LoadResult:
    url: str
    tool: str  # "wrk" or "python"
    seconds: float
    requests: int
    errors: int  # socket errors, timeouts and non-2xx/3xx answers
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    notes: list[str] = field(default_factory=list)


# --- /proc -----------------------------------------------------------------------------------


def proc_status_mib(pid: int, key: str) -> float | None:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM, …) in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_busy(interval: float = 1.0) -> float:
    """The share of all cores' time spent busy (not idle or waiting) over `interval`."""

    def sample() -> tuple[int, int]:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle

    total_before, idle_before = sample()
    time.sleep(interval)
    total_after, idle_after = sample()
    total = max(total_after - total_before, 1)
    return 1 - (idle_after - idle_before) / total


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found.append(int(entry.name))
    return sorted(found)


# --- gunicorn --------------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn forum.wsgi` with N sync workers on 127.0.0.1, as in production."""

    def __init__(self, *, bin_dir: Path, cwd: Path, env: dict, port: int, workers: int, log: Path):
        self.port, self.workers, self.log_path = port, workers, log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "forum.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 45.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer {path} within {timeout:.0f} s:\n{self.log_tail()}"
        )

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


# --- wrk -------------------------------------------------------------------------------------


def ensure_tool(binary: str, package: str, log) -> tuple[str | None, str]:
    """`binary` (wrk, haproxy), installing its Debian package when missing and running as
    root. Returns (path or None, a note for the results)."""
    found = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if found:
        return found, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, f"{binary} is not installed (and not root to apt-get it)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", package]
    for attempt in (install, None):
        if attempt is None:
            log(f"{binary}: apt-get install failed; running apt-get update once and retrying")
            subprocess.run(
                ["apt-get", "update", "-q"], env=env, capture_output=True, timeout=180, check=False
            )
            attempt = install
        try:
            done = subprocess.run(attempt, env=env, capture_output=True, timeout=180, check=False)
        except subprocess.TimeoutExpired:
            continue
        found = shutil.which(binary) or (
            f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
        )
        if done.returncode == 0 and found:
            return found, f"{binary} installed with apt-get by the harness"
    return None, f"apt-get install {package} failed"


def ensure_wrk(log) -> tuple[str | None, str]:
    return ensure_tool("wrk", "wrk", log)


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False, timeout=10)
    match = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return match.group(1) if match else "?"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, url: str, seconds: float) -> LoadResult:
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not (total and rate and "50" in percentiles and "99" in percentiles):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = 0
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return LoadResult(
        url=url,
        tool="wrk",
        seconds=_ms(total.group(2) + total.group(3)) / 1000,
        requests=int(total.group(1)),
        errors=errors,
        requests_per_second=float(rate.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
    )


def run_wrk(
    wrk: str, url: str, *, seconds: int, connections: int, headers: dict | None = None
) -> LoadResult:
    command = [
        wrk,
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, url, seconds)


# --- logged-in HTTP clients (POSTs with CSRF) -------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWERED = (200, 201, 302, 303)  # a write the server accepted (302: back to the post)


class Session:
    """A logged-in browser on one server: its cookies (the session key it was given, the
    CSRF cookie it is sent) and the CSRF token of the last page it read."""

    def __init__(self, base: str, session_key: str, cookie_name: str = "sessionid") -> None:
        self.base = base
        self.opener = urllib.request.build_opener(_NoRedirect())
        self.cookies = {cookie_name: session_key}
        self.token = ""

    def _headers(self) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Referer": self.base + "/"}

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=self._headers())
        with self.opener.open(request, timeout=30) as response:
            body = response.read().decode()
            self._take_cookies(response)
            found = CSRF_FIELD.search(body)
            if found:
                self.token = found.group(1)
            return response.status, body

    def post(self, path: str, data: dict) -> int:
        data = {**data, "csrfmiddlewaretoken": self.token}
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(data).encode(), headers=self._headers()
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                response.read()
                self._take_cookies(response)
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code

    def _take_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 302 after a POST is the answer measured, not a page to fetch next."""

    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_303 = http_error_302


def write_load(clients: list[tuple[Session, Callable[[], tuple[str, dict]]]], seconds: float):
    """Each (session, next write) client POSTs back to back for `seconds`, one thread
    each; returns a LoadResult (errors: refused, failed or unanswered writes) and the
    first refusal seen."""
    latencies: list[float] = []
    errors, first_error = [0], [""]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(session: Session, next_write: Callable[[], tuple[str, dict]]) -> None:
        mine, failed = [], 0
        while time.monotonic() < deadline:
            path, data = next_write()
            started = time.perf_counter()
            try:
                status = session.post(path, data)
            except OSError as exc:
                status, problem = 0, f"{type(exc).__name__}: {exc}"
            else:
                problem = f"POST {path} answered {status}"
            if status in ANSWERED:
                mine.append((time.perf_counter() - started) * 1000)
                continue
            failed += 1
            with lock:
                first_error[0] = first_error[0] or problem
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=pair) for pair in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    url = clients[0][0].base if clients else ""
    return python_result(url, elapsed, latencies, errors[0]), first_error[0]


# --- the Python fallback ---------------------------------------------------------------------


def python_result(
    url: str, elapsed: float, latencies: list[float], errors: int, *, notes: list | None = None
) -> LoadResult:
    """A LoadResult from the latencies (ms) of the requests that succeeded."""
    return LoadResult(
        url=url,
        tool="python",
        seconds=elapsed,
        requests=len(latencies) + errors,
        errors=errors,
        requests_per_second=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        notes=notes or [],
    )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (what wrk and most load tools report)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_python_load(
    url: str, *, seconds: int, connections: int, headers: dict | None = None
) -> LoadResult:
    """`connections` threads sending GETs back to back for `seconds`; each request on a
    fresh connection, as gunicorn's sync workers close them anyway."""
    match = re.match(r"http://([^/:]+):(\d+)(/.*)", url)
    if not match:
        raise ValueError(f"not an http://host:port/path URL: {url}")
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=5)
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status >= 400:
                    failed += 1
                    continue
            except OSError:
                failed += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    note = "Python load generator (wrk unavailable); it shares the CPUs with the server"
    return python_result(url, elapsed, latencies, errors[0], notes=[note])
