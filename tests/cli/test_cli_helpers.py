from agents.cli.commands import progress_bar
from agents.domain.events import Progress


def test_progress_bar_shows_counts_rate_and_eta():
    assert progress_bar(Progress(5, 20, "x", 2.5, 6.0), width=4) == "[#...] 5/20 2.5 files/s, 6 s left"
    assert progress_bar(Progress(0, 3), width=3) == "[...] 0/3"


def test_page_range_argument():
    import argparse

    import pytest

    from agents.cli.main import page_range

    assert page_range("3-7") == (3, 7) and page_range("12") == (12, 12)
    for bad in ("0-2", "7-3", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            page_range(bad)
