"""The firm profile baked into a build: read and checked, then enforced by the real core."""
import shutil
from pathlib import Path

import pytest

from agents.runtime import resources
from agents.runtime.firm import NO_FIRM, FirmProfileError, load_firm
from agents.runtime.paths import DataPaths, resolve_data_dir
from agents.services import Countersign
from agents.workproducts import templates

EXAMPLE = Path(resources.resources_root()) / "firm-example" / "firm.toml"
BUNDLED_SHA = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


def _profile(tmp_path, body: str) -> Path:
    path = tmp_path / "firm.toml"
    path.write_text("[firm]\nname = \"Vale & Co\"\n" + body, encoding="utf-8")
    return path


def test_the_example_profile_reads_as_documented():
    firm = load_firm(EXAMPLE)
    assert firm.name == "Example & Partners LLP" and firm.active and not NO_FIRM.active
    assert [m.sha256 for m in firm.approved_models] == [BUNDLED_SHA]
    assert firm.policy == {"second_reviewer": "off", "maker_checker": "on", "signers.legal": "partner",
                           "signers.accounting": "reviewer,partner", "signers.tax": "partner"}
    assert firm.logo.is_file() and firm.templates.is_dir() and firm.features_off == frozenset()
    assert firm.default_data_dir() == Path("~/Countersign (Example & Partners)").expanduser()


@pytest.mark.parametrize("body, reason", [
    ("colour = 'blue'\n", "unknown key.*colour"),
    ("[[firm.approved_models]]\nname = 'x'\nsha256 = 'abc'\n", "approved_models\\[0\\] needs sha256"),
    ("features_off = ['printing']\n", "features_off has printing"),
    ("[firm.policy]\nsecond_reviewer = 'sometimes'\n", "second_reviewer must be on or off"),
    ("[firm.policy.signers]\nlegal = ['janitor']\n", "signers.legal takes roles"),
    ("[firm.servers]\nmodel_server_url = 'ftp://x'\n", "must be an http\\(s\\) URL"),
])
def test_a_wrong_profile_is_refused_with_the_key_named(tmp_path, body, reason):
    with pytest.raises(FirmProfileError, match=reason):
        load_firm(_profile(tmp_path, body))
    (tmp_path / "firm.toml").write_text("[firm]\nlogo = 'x.png'\n")
    with pytest.raises(FirmProfileError, match="name is required"):
        load_firm(tmp_path / "firm.toml")


def test_the_core_holds_the_firms_policy_models_and_switches(tmp_path):
    firm = load_firm(_profile(tmp_path, (
        "features_off = ['review_packages', 'ocr']\n"
        f"[[firm.approved_models]]\nname = 'bundled'\nsha256 = '{BUNDLED_SHA}'\n"
        "[firm.policy]\nsecond_reviewer = true\n[firm.policy.signers]\nlegal = ['partner']\n")))
    app = Countersign(DataPaths(tmp_path / "data"), firm)
    try:
        policy = app.policy()
        assert policy.second_reviewer and policy.signers["legal"] == ("partner",)
        # The firm's rules took effect as audited policy changes, once.
        changes = [(e.actor, e.action) for e in app.review.audit.entries() if e.action == "policy.changed"]
        assert changes == [("firm profile (Vale & Co)", "policy.changed")] * 2
        with pytest.raises(ValueError, match="firm profile fixes second_reviewer"):
            app.set_policy("second_reviewer", "off", "IT")
        assert not app.set_policy("maker_checker", "off", "IT").maker_checker  # not fixed by the firm
        assert app.settings.allowed_model_sha256 == [BUNDLED_SHA] and app.settings.ocr is False
        with pytest.raises(ValueError, match="Vale & Co has turned off exporting and importing review packages"):
            app.export_package("draft_x", tmp_path / "x.cspkg")
    finally:
        app.close()
    reopened = Countersign(DataPaths(tmp_path / "data"), firm)
    try:
        assert len([e for e in reopened.review.audit.entries() if e.action == "policy.changed"]) == 3
    finally:
        reopened.close()


def test_the_firm_data_directory_is_the_default_after_the_flag_and_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("COUNTERSIGN_DATA_DIR", raising=False)
    assert resolve_data_dir(None, tmp_path / "firm-data").root == (tmp_path / "firm-data").resolve()
    assert resolve_data_dir(str(tmp_path / "flag"), tmp_path / "firm-data").root == (tmp_path / "flag").resolve()
    monkeypatch.setenv("COUNTERSIGN_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None, tmp_path / "firm-data").root == (tmp_path / "env").resolve()


def test_a_bundled_profile_adds_the_firms_own_work_products(tmp_path, monkeypatch):
    # A frozen build's resources folder: the bundled work products plus resources/firm/.
    root = tmp_path / "resources"
    shutil.copytree(resources.resources_root() / "workproducts", root / "workproducts")
    firm_dir = root / "firm" / "workproducts"
    firm_dir.mkdir(parents=True)
    text = (resources.resources_root() / "workproducts" / "tax_memo.toml").read_text(encoding="utf-8")
    firm_dir.joinpath("vale_tax.toml").write_text(text.replace('id = "tax-memo"', 'id = "vale-tax-memo"', 1),
                                                   encoding="utf-8")
    monkeypatch.setattr(templates, "resources_root", lambda: root)
    found = templates.available()
    assert "vale-tax-memo" in found and "tax-memo" in found and found["vale-tax-memo"].parent == firm_dir

