"""`countersign self-test` (the frozen app's `--self-test`) runs the real loop and reports it."""
import json

from agents.cli.main import main
from desktop.launcher import main as launcher_main


def test_self_test_runs_the_whole_loop_and_reports_every_step(capsys):
    assert launcher_main(["--self-test"]) == 0  # the flag an installer's smoke check passes
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and [s["step"] for s in report["steps"]] == [
        "open", "load_model", "ingest_sample", "draft_contract_review", "verify_audit", "export_and_verify"]
    steps = {s["step"]: s for s in report["steps"]}
    assert steps["load_model"]["sha256"] == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert steps["ingest_sample"]["documents"] == 3 and steps["ingest_sample"]["chunks"] > 0 and steps["draft_contract_review"]["citations"] > 0
    assert steps["export_and_verify"]["bytes"] > 0 and report["frozen"] is False


def test_a_failing_step_stops_the_run_and_is_named(capsys, monkeypatch):
    # A firm setting that makes the model unavailable (an allow-list without the bundled model).
    from agents.runtime.firm import FirmProfile, ApprovedModel
    import agents.runtime.firm as firm_mod

    monkeypatch.setattr(firm_mod, "active_firm", lambda: FirmProfile("Vale & Co", approved_models=(ApprovedModel("x", "0" * 64),)))
    import agents.services.countersign as countersign_mod
    monkeypatch.setattr(countersign_mod, "active_firm", firm_mod.active_firm)
    assert main(["self-test"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and [s["ok"] for s in report["steps"]] == [True, False]
    assert "allow-list" in report["steps"][1]["error"]
