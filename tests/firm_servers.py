"""The firm's other two servers, real and on 127.0.0.1, for the firm-mode tests: chromadb's own
server (`chroma run`) behind nginx checking a bearer token (the recipe in docs/firm-servers.md),
and llama.cpp's OpenAI-compatible server with the test model."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

TOKEN = "vector-token-for-tests"

NGINX_CONF = """worker_processes 1;
error_log {root}/error.log warn;
pid {root}/nginx.pid;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 64m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            if ($http_authorization != "Bearer {token}") {{ return 401; }}
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, what: str, seconds: float = 120, headers: dict | None = None) -> None:
    deadline = time.monotonic() + seconds
    while True:  # bounded by the deadline, never by a sleep a test asserts on
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start")
            time.sleep(0.3)


class VectorServer:
    """`chroma run` on a private port, reachable only through nginx on `url`."""

    def __init__(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed: apt-get install nginx")
        self.root = Path(tempfile.mkdtemp(prefix="cs-vectors-"))
        self.chroma_port, self.port = free_port(), free_port()
        chroma = Path(sys.executable).with_name("chroma")
        self.chroma = subprocess.Popen([str(chroma), "run", "--path", str(self.root / "data"), "--host", "127.0.0.1",
                                        "--port", str(self.chroma_port)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})
        conf = self.root / "nginx.conf"
        conf.write_text(NGINX_CONF.format(root=self.root, port=self.port, token=TOKEN, upstream=self.chroma_port))
        self.nginx = subprocess.Popen([nginx, "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_for(f"http://127.0.0.1:{self.chroma_port}/api/v2/heartbeat", self.chroma, "chroma run")
            wait_for(f"{self.url}/api/v2/heartbeat", self.nginx, "nginx", headers={"Authorization": f"Bearer {TOKEN}"})
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        for proc in (self.nginx, self.chroma):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class ModelServer:
    """`python -m llama_cpp.server` with the given GGUF, one thread; requests queue rather than
    cut off the one being answered (as docs/firm-servers.md tells IT)."""

    def __init__(self, model_path: Path, n_ctx: int = 2048) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
                                      "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx),
                                      "--n_threads", "1", "--interrupt_requests", "False"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_for(f"{self.url}/v1/models", self.proc, "llama_cpp.server")
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
