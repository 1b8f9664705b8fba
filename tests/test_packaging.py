"""The packaging inputs that can be checked without building: the bill of materials, and the
frozen entry point and .deb script being well-formed."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_bill_of_materials_lists_packages_licences_and_models(tmp_path):
    out = tmp_path / "sbom.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "sbom.py"), "--out", str(out)], check=True, cwd=ROOT,
                   capture_output=True)
    sbom = json.loads(out.read_text())
    versions = {p["name"].lower().replace("_", "-"): p["version"] for p in sbom["packages"]}
    assert versions["torch"].startswith("2.13.0") and versions["pyside6-essentials"] == "6.11.3"
    assert versions["llama-cpp-python"] == "0.3.36" and versions["chromadb"] == "1.5.9"
    # Test and build tools are not shipped, so they are not listed.
    assert not {"pytest", "hypothesis", "pyinstaller", "ruff"} & set(versions)
    assert all(p["licence"] and p["licence"] != "not declared" for p in sbom["packages"])
    models = {m["name"]: m for m in sbom["models"]}
    assert models["qwen2.5-coder-0.5b-instruct-q4_k_m"]["sha256"].startswith("1d9614638d18")
    assert models["all-MiniLM-L6-v2"]["licence"] == "Apache-2.0" and len(models["all-MiniLM-L6-v2"]["sha256"]) == 64


def test_the_deb_script_and_the_frozen_entry_are_well_formed():
    assert subprocess.run(["bash", "-n", str(ROOT / "packaging" / "linux" / "make_deb.sh")]).returncode == 0
    compile((ROOT / "packaging" / "countersign_main.py").read_text(), "countersign_main.py", "exec")
    compile((ROOT / "packaging" / "check_bundle.py").read_text(), "check_bundle.py", "exec")
