"""bench/report.py: every row of bench/results.md carries the previous run's figure for
the same row and the load when it was measured (issue 16 item 5)."""

from __future__ import annotations

from pathlib import Path

from bench.report import NEW, Report, previous_figures

EARLIER = """# Crux benchmark results

| area | measurement | Crux | budget | met |
|---|---|---|---|---|
| page | 100-post thread, logged out: p50 | 6.3 ms | | |
| page | 1,000-post thread, logged out: p50 | 6.4 ms | | |
| writes | vote via POST `vote` (13 queries): p50 | 14.3 ms | p50 ≤ 30 ms | yes |
| import | 5,320-post Crux JSON (50,339 votes): import | 7.25 s | | |
| http | a \\| pipe | 1 \\| 2 | | |

## A section

| area | measurement | Crux | previous run | budget | met | load |
|---|---|---|---|---|---|---|
| queue | ARI | 0.874 | 0.82 | ≥ 0.9 | **NO** | 6.1 |

| seed | queue ARI |
|---|---|
| 0 | 0.826 |
"""


def test_previous_figures_follow_rows_across_runs(tmp_path: Path) -> None:
    earlier = tmp_path / "results.md"
    earlier.write_text(EARLIER)
    report = Report()
    report.add("page", "1,000-post thread, logged out: p50", "6.0 ms")
    report.add("writes", "vote via POST `vote` (11 queries): p50", "12.0 ms", "p50 ≤ 30 ms", True)
    report.add("import", "5,411-post Crux JSON (50,512 votes): import", "7.0 s")
    report.add("http", "a | pipe", "3 | 4")
    report.add("page", "10,000-post thread, logged out: p50", "7.0 ms")  # two earlier look alike
    report.heading = "A section"
    report.add("queue", "ARI", "0.9")
    report.add("queue", "new row", "1")
    report.fill_previous(previous_figures(earlier))

    assert [row.previous for row in report.rows] == [
        "6.4 ms", "14.3 ms", "7.25 s", "1 | 2", NEW, "0.874", NEW,
    ]  # fmt: skip


def test_rows_show_previous_figure_and_load_in_their_section(tmp_path: Path) -> None:
    report = Report()
    report.add("page", "p50", "6.0 ms", "≤ 8 ms", True)
    report.heading = "Scale-out"
    report.headings["Scale-out"] = ["What it measures."]
    report.add("scale-out", "ratio", "1.0×", "≈ 2×", False).load = 3.25
    report.fill_previous({("page", "p50"): "6.3 ms"})
    text = report.markdown(["Machine: test"])

    main, section = text.split("## Scale-out")
    assert "| page | p50 | 6.0 ms | 6.3 ms | ≤ 8 ms | yes |" in main
    assert "ratio" not in main
    assert "What it measures." in section
    assert "| scale-out | ratio | 1.0× | — | ≈ 2× | **NO** | 3.2 |" in section
    # The next run reads this run's own figures back, not the previous-run column.
    again = tmp_path / "results.md"
    again.write_text(text)
    assert previous_figures(again) == {("page", "p50"): "6.0 ms", ("scale-out", "ratio"): "1.0×"}
